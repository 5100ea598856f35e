"""Sign-in, and the lock screen that covers an idle window without closing anything under it."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QFormLayout, QFrame, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

__all__ = ["SignInDialog", "LockScreen", "IdleWatcher", "Authenticate"]

#: (username, password) → (user or None, message to show when None)
Authenticate = Callable[[str, str], tuple[Any, str]]


class SignInDialog(QDialog):
    def __init__(self, authenticate: Authenticate, *, title: str = "Sign in", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Transition handovers")
        self._authenticate = authenticate
        self.user: Any = None
        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b10e1e; font-weight: bold")
        self.error.setAccessibleName("Sign-in problem")
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h2>Transition handovers</h2><p>Sign in with your account.</p>"))
        lay.addWidget(self.error)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.setMinimumWidth(380)

    def try_sign_in(self) -> None:
        user, message = self._authenticate(self.username.text().strip(), self.password.text())
        self.password.clear()
        if user is None:
            self.error.setText(message or "The username or password is not right.")
            self.error.show()
            self.password.setFocus()
            return
        self.user = user
        self.accept()


class LockScreen(QFrame):
    """Covers its parent (the main window's central area); what is under it stays as it was."""

    unlocked = Signal()

    def __init__(self, parent: QWidget, username: Callable[[], str], authenticate: Authenticate) -> None:
        super().__init__(parent)
        self._username = username
        self._authenticate = authenticate
        self.setObjectName("lockScreen")
        self.setStyleSheet("#lockScreen { background: palette(window); }")
        self.setAutoFillBackground(True)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to unlock")
        self.password.setPlaceholderText("Your password")
        self.password.setMaximumWidth(320)
        self.password.returnPressed.connect(self.try_unlock)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b10e1e; font-weight: bold")
        self.error.hide()
        button = QPushButton("Unlock")
        button.clicked.connect(self.try_unlock)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(self.message)
        lay.addWidget(self.error, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        self.hide()

    def lock(self) -> None:
        self.message.setText(f"<h2>Locked</h2><p>Your work is saved and still open. "
                             f"Enter the password for <b>{self._username()}</b> to carry on.</p>")
        self.error.hide()
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.password.setFocus()

    @property
    def is_locked(self) -> bool:
        return self.isVisible()

    def try_unlock(self) -> None:
        user, message = self._authenticate(self._username(), self.password.text())
        self.password.clear()
        if user is None:
            self.error.setText(message or "That password is not right.")
            self.error.show()
            return
        self.hide()
        self.unlocked.emit()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without keyboard or mouse input anywhere in the application."""

    idle = Signal()
    _INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self.timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in self._INPUT:
            self.timer.start()
        return False

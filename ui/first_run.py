"""First start on an empty database: create the first administrator, offer demo data."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEventLoop, Qt, QThread
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QProgressDialog, QSpinBox, QVBoxLayout, QWidget)

from handover.app import Gate, OperationError as ServiceError

__all__ = ["FirstRunDialog", "ensure_first_user"]


class FirstRunDialog(QDialog):
    def __init__(self, services: Gate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Set up — Transition handovers")
        intro = QLabel("<h2>Welcome</h2><p>This database is new. Create the first administrator: they add the "
                       "teams and the people who use the tool.</p>")
        intro.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.username.setAccessibleName("Administrator's username")
        self.display_name = QLineEdit("Administrator")
        self.display_name.setAccessibleName("Administrator's full name")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2.setAccessibleName("Password again")
        self.demo = QCheckBox("Load demonstration handovers")
        self.demo.setToolTip("Synthetic children and families, to try the tool")
        self.demo.setAccessibleDescription("Synthetic children and families, to try the tool")
        demo_hint = QLabel("Synthetic children and families, to try the tool. Not for real records.")
        demo_hint.setWordWrap(True)
        demo_hint.setStyleSheet("color: #505a5f")
        self.demo.setChecked(False)
        self.demo_count = QSpinBox()
        self.demo_count.setRange(10, 100_000)
        self.demo_count.setValue(200)
        self.demo_count.setAccessibleName("How many demonstration handovers")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b10e1e; font-weight: bold")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("Full &name", self.display_name)
        form.addRow("&Password", self.password)
        form.addRow("Password &again", self.password2)
        form.addRow("", self.demo)
        form.addRow("", demo_hint)
        form.addRow("How many", self.demo_count)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.error)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.setMinimumWidth(520)

    def create(self) -> None:
        if self.password.text() != self.password2.text():
            self._say("The two passwords are not the same.")
            return
        try:
            self.services.create_first_admin(self.username.text().strip(), self.display_name.text().strip(),
                                             self.password.text())
        except ServiceError as e:
            self._say(str(e)[:1].upper() + str(e)[1:] + ".")
            return
        finally:
            self.password.clear()
            self.password2.clear()
        if self.demo.isChecked():
            n = run_with_progress(self, "Loading demonstration handovers…",
                                  lambda: self.services.load_demo(self.demo_count.value()))
            if isinstance(n, BaseException):
                QMessageBox.warning(self, "Demonstration data", f"The demonstration data could not be loaded: {n}")
                self.accept()
                return
            QMessageBox.information(self, "Demonstration data",
                                    f"{n:,} synthetic handovers were added, with demo users in several teams: for "
                                    "example can1-prac1 (practitioner), can1-mgr (manager) and ehe4-recv1 "
                                    "(receiver). Every demo account's password is demo-password; your own "
                                    "administrator keeps the password you chose.")
        self.accept()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class _Worker(QThread):
    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.result: Any = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except Exception as e:  # noqa: BLE001 - handed back to the window, shown in one dialog
            self.result = e


def run_with_progress(parent: QWidget, text: str, work: Callable[[], Any]) -> Any:
    """Run long work off the window's thread with a busy indicator; the window keeps painting."""
    progress = QProgressDialog(text, "", 0, 0, parent)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    worker = _Worker(work)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    worker.start()
    progress.show()
    if worker.isRunning():
        loop.exec()
    worker.wait()
    progress.close()
    return worker.result


def ensure_first_user(services: Gate) -> bool:
    """True when there is an administrator (already, or created now)."""
    if not services.first_run_needed():
        return True
    return FirstRunDialog(services).exec() == QDialog.DialogCode.Accepted

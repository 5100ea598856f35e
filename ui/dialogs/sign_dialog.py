"""Sign a handover pack with one's own certificate (a PKCS#12 file): the preparer, then the manager.

The dialog shows whom the certificate names — name, role, organisation, expiry — before anything is
signed, and says in one line why it cannot be used (a wrong passphrase, an expired certificate, one
that is not for signing). The last certificate file is remembered (QSettings); the passphrase never
is: it lives in the password box only while the dialog is open.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

# not (yet) re-exported by ui.qt; only used here
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from handover.app.errors import OperationError
from handover.app.signing import CertificateSummary, describe_certificate, signature_roles
from ui.widgets.style import STYLE_SHEET

__all__ = ["SignDialog", "CertificateSummary", "ROLES", "SETTINGS_KEY"]

#: signature box → what the signer does, as the pack's sign-off page says it (from the pack's own list)
ROLES = signature_roles()
SETTINGS_KEY = "signing/last_certificate"

#: sign(certificate path, passphrase, show_error) → the operation's value, or None once it showed why not
Sign = Callable[[str, str, Callable[[str], None]], Any]


class SignDialog(QDialog):
    """Choose the certificate, type its passphrase, see whom it names, sign.

    ``sign`` does the signing (the operations layer builds the pack from the stored version, signs it
    and keeps it): it is called with the certificate path, the passphrase and a function that shows a
    refusal in this dialog's own error line, and returns None when it could not sign. After ``exec()``
    returns Accepted, :attr:`result_info` holds what ``sign`` returned; signal ``signed(object)`` too.
    """

    signed = Signal(object)

    def __init__(self, sign: Sign, now: Callable[[], dt.datetime] | dt.datetime | None = None, *,
                 subject: str = "the handover pack", role: str = "manager", expected_name: str | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}")
        self._sign, self.role, self.subject = sign, role, subject
        self.expected_name = (expected_name or "").strip()
        self.settings = settings or QSettings("handover", "handover")
        self._now = now
        self.summary: CertificateSummary | None = None
        self.result_info = None
        self.setWindowTitle("Sign the handover pack")
        self.setStyleSheet(STYLE_SHEET + 'QPushButton[role="primary"]:disabled { background: #dbdad9; color: #505a5f; }')
        self.setModal(True)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 64)

        lay = QVBoxLayout(self)
        intro = QLabel(f"<b>{_html(ROLES[role])}</b>: sign {_html(subject)} with your own "
                       "certificate. Your passphrase is used for this signature only and is not saved.")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        grid = QGridLayout()
        cert_label = QLabel("&Certificate file (.p12)")
        self.cert_edit = QLineEdit(str(self.settings.value(SETTINGS_KEY, "") or ""))
        self.cert_edit.setAccessibleName("Certificate file")
        self.cert_edit.setPlaceholderText("your-name.p12")
        cert_label.setBuddy(self.cert_edit)
        self.browse_button = QPushButton("Choose…")
        self.browse_button.setAccessibleName("Choose certificate file")
        self.browse_button.clicked.connect(self.choose_certificate)
        row = QHBoxLayout()
        row.addWidget(self.cert_edit, 1)
        row.addWidget(self.browse_button)
        grid.addWidget(cert_label, 0, 0)
        grid.addLayout(row, 0, 1)

        pass_label = QLabel("&Passphrase")
        self.pass_edit = QLineEdit()
        self.pass_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pass_edit.setAccessibleName("Certificate passphrase")
        self.pass_edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        pass_label.setBuddy(self.pass_edit)
        self.check_button = QPushButton("Check certificate")
        self.check_button.setAccessibleName("Check certificate")
        self.check_button.clicked.connect(self.check_certificate)
        row2 = QHBoxLayout()
        row2.addWidget(self.pass_edit, 1)
        row2.addWidget(self.check_button)
        grid.addWidget(pass_label, 1, 0)
        grid.addLayout(row2, 1, 1)
        lay.addLayout(grid)

        self.who = QLabel("Choose your certificate and type its passphrase to see whom it names.")
        self.who.setWordWrap(True)
        self.who.setAccessibleName("Certificate holder")
        self.who.setFrameShape(QFrame.Shape.StyledPanel)
        self.who.setMargin(6)
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.who)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.setProperty("role", "error")
        self.error.hide()
        lay.addWidget(self.error)

        self.buttons = QDialogButtonBox()
        self.sign_button = self.buttons.addButton("Sign the pack", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setAccessibleName("Sign the pack")
        self.sign_button.setProperty("role", "primary")
        self.sign_button.setEnabled(False)
        self.sign_button.setDefault(False)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.sign_button.clicked.connect(self.sign)
        cancel.clicked.connect(self.reject)
        lay.addWidget(self.buttons)

        self.cert_edit.textChanged.connect(self._invalidate)
        self.pass_edit.textChanged.connect(self._invalidate)
        self.pass_edit.returnPressed.connect(self._on_return)
        (self.pass_edit if self.cert_edit.text() else self.cert_edit).setFocus()

    # ------------------------------------------------------------ steps

    def _at(self) -> dt.datetime:
        if callable(self._now):
            return self._now()
        return self._now or dt.datetime.now(dt.timezone.utc)

    def _invalidate(self) -> None:
        self.summary = None
        self.sign_button.setEnabled(False)
        self.error.hide()

    def _show_error(self, text: str) -> None:
        text = text.splitlines()[0] if text else "something went wrong"
        head = text.split(" ", 1)[0]
        if not any(c in head for c in "./\\"):          # "wrong passphrase…" → "Wrong…", "zoe.p12: …" unchanged
            text = text[:1].upper() + text[1:]
        self.error.setText(text + ("" if text.endswith(".") else "."))
        self.error.show()

    def _on_return(self) -> None:
        if self.summary is None:
            self.check_certificate()
        else:
            self.sign()

    def choose_certificate(self) -> None:
        start = self.cert_edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose your signing certificate", start,
                                              "Certificates (*.p12 *.pfx);;All files (*)")
        if path:
            self.cert_edit.setText(path)
            self.pass_edit.setFocus()

    def check_certificate(self) -> bool:
        """Read the certificate with the passphrase and show whom it names; False (with a message) if unusable."""
        self._invalidate()
        p12 = self.cert_edit.text().strip()
        if not p12:
            self._show_error("choose your certificate file first")
            self.cert_edit.setFocus()
            return False
        try:
            s = describe_certificate(p12, self.pass_edit.text(), self._at())
        except OperationError as e:
            self.who.setText("The certificate could not be used.")
            self._show_error(str(e))
            self.pass_edit.selectAll()
            self.pass_edit.setFocus()
            return False
        self.summary = s
        text = f"<b>{_html(s.name)}</b><br>{_html(s.role or 'no role recorded')}"
        if s.organisation:
            text += f" · {_html(s.organisation)}"
        text += f"<br>Valid until {s.expires.strftime('%d %b %Y').lstrip('0')} · issued by {_html(s.issuer)}"
        if self.expected_name and self.expected_name.casefold() != s.name.casefold():
            text += (f"<br><span style='color:#d4351c'><b>This certificate names {_html(s.name)}, but the "
                     f"sign-off names {_html(self.expected_name)}.</b></span>")
        self.who.setText(text)
        self.settings.setValue(SETTINGS_KEY, str(Path(p12).resolve()))   # the path, never the passphrase
        self.sign_button.setEnabled(True)
        self.sign_button.setFocus()
        return True

    def sign(self) -> bool:
        if self.summary is None and not self.check_certificate():
            return False
        res = self._sign(self.cert_edit.text().strip(), self.pass_edit.text(), self._show_error)
        if res is None:
            self.sign_button.setEnabled(False)
            return False
        self.result_info = res
        self.pass_edit.clear()
        self.signed.emit(res)
        self.accept()
        return True

    def done(self, r: int) -> None:  # noqa: D401 — Qt's name; the passphrase goes whatever the outcome
        self.pass_edit.clear()
        super().done(r)


def _html(text: str) -> str:
    import html

    return html.escape(text)

"""Return a handover to the sending team: one coded reason (in plain English) and a note, both required."""

from __future__ import annotations

from handover import labels
from ui.qt import (QButtonGroup, QDialog, QDialogButtonBox, QGroupBox, QLabel, QPlainTextEdit, QRadioButton,
                   QVBoxLayout, QWidget)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["ReturnDialog"]


class ReturnDialog(QDialog):
    """After ``exec()``: :meth:`reason_code` and :meth:`note`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Return the handover")
        self.setStyleSheet(STYLE_SHEET)
        box = QGroupBox("Why are you returning it?")
        box.setAccessibleName("Why are you returning it?")
        self.group = QButtonGroup(self)
        inner = QVBoxLayout(box)
        self.radios: dict[str, QRadioButton] = {}
        for code in labels.return_reasons():
            text = labels.return_reason_label(code)
            r = QRadioButton(text.replace("&", "&&"))
            r.setAccessibleName(text)
            r.setProperty("code", code)
            self.group.addButton(r)
            inner.addWidget(r)
            self.radios[code] = r
        note_label = QLabel("What does the sending team need to do? (required)")
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note for the sending team")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        note_label.setBuddy(self.note)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Return the handover")
        ok.setAccessibleName("Return the handover")
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Return the handover", 1.3))
        lay.addWidget(muted("It goes back to the sending team as a new draft, with your reason and note. "
                            "They will see what they need to change."))
        lay.addWidget(self.error)
        lay.addWidget(box)
        lay.addWidget(note_label)
        lay.addWidget(self.note)
        lay.addWidget(self.buttons)

    def reason_code(self) -> str | None:
        b = self.group.checkedButton()
        return str(b.property("code")) if b is not None else None

    def set_reason(self, code: str) -> None:
        self.radios[code].setChecked(True)

    def note_text(self) -> str:
        return self.note.toPlainText().strip()

    def problem(self) -> str | None:
        if self.reason_code() is None:
            return "Choose why you are returning it."
        if not self.note_text():
            return "Say in the note what the sending team needs to do."
        return None

    def _try_accept(self) -> None:
        msg = self.problem()
        if msg:
            self.error.setText(msg)
            self.error.show()
            if self.reason_code() is None:
                next(iter(self.radios.values())).setFocus()
            else:
                self.note.setFocus()
            return
        self.accept()

"""A short guided helper for the lawful basis of sharing with one agency.

It keeps apart two things practitioners often confuse: the family's agreement to early help (or to
the referral), recorded as ``family.consent``, and the lawful basis for sharing information with each
agency, recorded as ``agencies[i].sharing_basis`` = {type, gateway, reason}.
"""

from __future__ import annotations

import html
from typing import Any

from handover.case import get_path
from handover.dates import is_blank
from handover.vocab import vocab
from ui.qt import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.widgets.style import STYLE_SHEET, heading, muted, scaled_font

__all__ = ["LawfulBasisDialog", "ask_lawful_basis"]


def _agency_name(agency: dict[str, Any], index: int) -> str:
    name = agency.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    t = agency.get("type")
    return vocab().label("agency_types", t) if isinstance(t, str) and t else f"agency {index + 1}"


class LawfulBasisDialog(QDialog):
    """Four steps: two different consents; with or without consent; which gateway and why; check."""

    STEPS = 4

    def __init__(self, case: dict[str, Any], index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        agency = get_path(case, f"agencies[{index}]", None)
        self.agency = agency if isinstance(agency, dict) else {}
        self.name = _agency_name(self.agency, index)
        old = self.agency.get("sharing_basis")
        self.old = old if isinstance(old, dict) else {}
        self.setWindowTitle(f"Lawful basis for sharing with {self.name}")
        self.setStyleSheet(STYLE_SHEET)
        longest = max(self.fontMetrics().horizontalAdvance(vocab().label("gateways", c))
                      for c in vocab().codes("gateways"))
        self.setMinimumWidth(max(self.fontMetrics().horizontalAdvance("0") * 80, longest + 120))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 16)
        lay.setSpacing(12)
        self.progress = muted("")
        lay.addWidget(self.progress)
        self.stack = QStackedWidget()
        lay.addWidget(self.stack, 1)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)

        self.stack.addWidget(self._step_family(case))
        self.stack.addWidget(self._step_consent())
        self.stack.addWidget(self._step_gateway())
        self.stack.addWidget(self._step_check())

        row = QHBoxLayout()
        self.back = QPushButton("Back")
        self.cancel = QPushButton("Cancel")
        self.next = QPushButton("Continue")
        self.next.setProperty("role", "primary")
        self.next.setDefault(True)
        row.addWidget(self.back)
        row.addStretch(1)
        row.addWidget(self.cancel)
        row.addWidget(self.next)
        lay.addLayout(row)
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)
        self.cancel.clicked.connect(self.reject)
        self._show(0)
        # tall enough to read the gateways without much scrolling, never taller than the screen
        from ui.widgets.screen import fit_to_screen

        hint = self.sizeHint()
        fit_to_screen(self, hint.width(), max(hint.height(), self.fontMetrics().lineSpacing() * 40))

    # -- steps ---------------------------------------------------------------------------------------
    def _page(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        w = QWidget()
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(10)
        v.addWidget(heading(title, 1.4))
        return w, v

    def _step_family(self, case: dict[str, Any]) -> QWidget:
        w, v = self._page("Two different questions")
        status = get_path(case, "family.consent.status", None)
        said = (vocab().label("consent_status", status) if isinstance(status, str) and status
                else "not recorded yet")
        v.addWidget(QLabel(
            "<p><b>1. Has the family agreed to early help (or to the referral)?</b><br>"
            "Early help is voluntary, so the family's agreement is recorded once, in "
            "“The family's views and agreement”. It is <b>not</b> the basis for sharing information.</p>"
            f"<p>Recorded there now: <b>{html.escape(said)}</b>.</p>"
            f"<p><b>2. On what basis may information be shared with {html.escape(self.name)}?</b><br>"
            "This is recorded for each agency. Consent is one basis, but it is not needed when a child "
            "is at risk of harm: then you record the law that allows sharing (the legal gateway) and why.</p>"
            "<p>This helper answers question 2 for this agency.</p>"))
        for lab in w.findChildren(QLabel):
            lab.setWordWrap(True)
        v.addStretch(1)
        return w

    def _step_consent(self) -> QWidget:
        w, v = self._page(f"Can you share information with {self.name} with consent?")
        v.addWidget(muted("Consent is not needed to share information when a child is at risk of significant "
                          "harm, and should not be asked for if asking would put the child at greater risk, "
                          "or could get in the way of a police or children's social care enquiry."))
        self.duty_note = QLabel("")
        self.duty_note.setWordWrap(True)
        self.duty_note.setProperty("role", "inset")
        if self.agency.get("type") in vocab().duty_to_share:
            self.duty_note.setText(
                f"<b>{html.escape(self.name)} has a duty to share information for safeguarding</b> (Children Act "
                "2004, section 16LA). For safeguarding, consent is not the right basis with this agency: choose "
                "“without consent” and the duty to share, unless sharing would be more detrimental to the child "
                "than not sharing (then record that decision and why in Sharing decisions). You can still tell "
                "the family what is shared, and why.")
        self.duty_note.setVisible(bool(self.duty_note.text()))
        v.addWidget(self.duty_note)
        self.kind = QButtonGroup(self)
        self.with_consent = QRadioButton("Yes, with consent")
        self.without_consent = QRadioButton("No: without consent, under a legal gateway")
        hints = ("The family has agreed to information being shared with this agency.",
                 "The child is at risk of harm, the family refused, or asking would increase the risk.")
        for i, (b, hint) in enumerate(zip((self.with_consent, self.without_consent), hints)):
            self.kind.addButton(b, i)
            b.setAccessibleDescription(hint)
            v.addWidget(b)
            h = muted(hint)
            h.setContentsMargins(28, 0, 0, 6)
            v.addWidget(h)
        if self.old.get("type") == "consent":
            self.with_consent.setChecked(True)
        elif self.old.get("type") == "without_consent":
            self.without_consent.setChecked(True)
        v.addStretch(1)
        return w

    def _step_gateway(self) -> QWidget:
        w, v = self._page("Which law allows sharing without consent?")
        v.addWidget(muted("Choose the one that fits best. Each is explained in plain English."))
        inner = QWidget()
        iv = QVBoxLayout(inner)
        iv.setContentsMargins(0, 0, 8, 0)
        iv.setSpacing(2)
        self.gateways = QButtonGroup(self)
        self.gateway_buttons: dict[str, QRadioButton] = {}
        voc = vocab()
        for i, code in enumerate(voc.codes("gateways")):
            b = QRadioButton(voc.label("gateways", code))
            b.setProperty("code", code)
            explanation = voc.explanation(code)
            b.setAccessibleDescription(explanation)
            self.gateways.addButton(b, i)
            self.gateway_buttons[code] = b
            iv.addWidget(b)
            ex = muted(explanation)
            ex.setContentsMargins(28, 0, 0, 8)
            iv.addWidget(ex)
        if self.old.get("gateway") in self.gateway_buttons:
            self.gateway_buttons[self.old["gateway"]].setChecked(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # eight lines at least, and more where there is room: the dialog fits a 1366×768 screen at 150 %
        scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        v.addWidget(scroll, 1)
        lab = QLabel("Why is sharing without consent justified?")
        lab.setFont(scaled_font(lab, 1.05, bold=True))
        v.addWidget(lab)
        v.addWidget(muted("What is the risk to the child, and why asking for consent would not be safe or possible."))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Why is sharing without consent justified?")
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 5 + 12)
        old_reason = self.old.get("reason")
        if isinstance(old_reason, str):
            self.reason.setPlainText(old_reason)
        lab.setBuddy(self.reason)
        v.addWidget(self.reason)
        return w

    def _step_check(self) -> QWidget:
        w, v = self._page("Check your answer")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        v.addWidget(self.summary)
        v.addStretch(1)
        return w

    # -- moving between steps ------------------------------------------------------------------------
    def _show(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        self.progress.setText(f"Step {i + 1} of {self.STEPS} · Lawful basis for sharing with {self.name}")
        self.back.setEnabled(i > 0)
        self.next.setText("Record this answer" if i == self.STEPS - 1 else "Continue")
        self.error.setVisible(False)
        self.next.setFocus(Qt.FocusReason.OtherFocusReason)
        if i == self.STEPS - 1:
            b = self.basis()
            if b["type"] == "consent":
                text = f"Information is shared with <b>{html.escape(self.name)}</b> <b>with consent</b>."
                if not is_blank(self.old.get("gateway")) or not is_blank(self.old.get("reason")):
                    text += "<br>The legal gateway and reason recorded before will be cleared."
            else:
                text = (f"Information is shared with <b>{html.escape(self.name)}</b> <b>without consent</b>, under "
                        f"<b>{html.escape(vocab().label('gateways', b['gateway']))}</b>.<br><br>"
                        f"Why: {html.escape(b['reason'])}")
            self.summary.setText(text)

    def _fail(self, message: str, focus: QWidget) -> None:
        self.error.setText(f"Error: {message}")
        self.error.setVisible(True)
        focus.setFocus()

    def go_back(self) -> None:
        i = self.stack.currentIndex()
        if i == 3 and self.kind.checkedId() == 0:
            self._show(1)
        elif i > 0:
            self._show(i - 1)

    def go_next(self) -> None:
        i = self.stack.currentIndex()
        if i == 1:
            if self.kind.checkedId() < 0:
                return self._fail("Choose whether information can be shared with consent.", self.with_consent)
            return self._show(3 if self.kind.checkedId() == 0 else 2)
        if i == 2:
            if self.gateways.checkedButton() is None:
                return self._fail("Choose the legal gateway that allows sharing without consent.",
                                  self.gateway_buttons["children_act_1989_s47"])
            if not self.reason.toPlainText().strip():
                return self._fail("Say why sharing without consent is justified.", self.reason)
        if i == self.STEPS - 1:
            return self.accept()
        self._show(i + 1)

    # -- the answer ----------------------------------------------------------------------------------
    def basis(self) -> dict[str, str]:
        if self.kind.checkedId() == 0:
            return {"type": "consent", "gateway": "", "reason": ""}
        b = self.gateways.checkedButton()
        return {"type": "without_consent", "gateway": b.property("code") if b else "",
                "reason": self.reason.toPlainText().strip()}


def ask_lawful_basis(parent: QWidget | None, case: dict[str, Any], index: int) -> dict[str, str] | None:
    """Run the helper; the answer to record, or None if cancelled."""
    dlg = LawfulBasisDialog(case, index, parent)
    try:
        if dlg.exec() == QDialog.DialogCode.Accepted:
            return dlg.basis()
        return None
    finally:
        dlg.deleteLater()

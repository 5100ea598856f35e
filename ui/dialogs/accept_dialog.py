"""Accept a handover: the handover meeting's date and the lead professional agreed (name, agency, date).

The dialog only collects and checks what is typed; :func:`handover.store.receiving.accept` records it in
the case and makes the move. Dates cannot be in the future; name and agency are required.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handover.app.operations import AcceptDetails
from handover.vocab import AGENCY_TYPES, vocab
from ui.qt import (QComboBox, QDate, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                   QPlainTextEdit, QVBoxLayout, QWidget)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["AcceptDialog"]


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _agency_label(code: str) -> str:
    try:
        return vocab().label("agency_types", code)
    except Exception:  # noqa: BLE001 — a label is a nicety
        return code.replace("_", " ").capitalize()


class AcceptDialog(QDialog):
    """``AcceptDialog(today, case=None, parent=None)``; after ``exec()``, :meth:`details` is what was typed."""

    def __init__(self, today: date, case: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accept the handover")
        self.setStyleSheet(STYLE_SHEET)
        self.today = today
        plan = (case or {}).get("plan") or {}
        lead = plan.get("lead_professional") or {}
        meeting = plan.get("handover_meeting") or {}

        self.held = QDateEdit(calendarPopup=True)
        self.held.setDisplayFormat("d MMM yyyy")
        self.held.setMaximumDate(_qdate(today))
        self.held.setDate(_qdate(_parse(meeting.get("held_date")) or _parse(meeting.get("planned_date")) or today))
        self.held.setAccessibleName("Date the handover meeting was held")
        self.lead_name = QLineEdit(lead.get("name") or "")
        self.lead_name.setAccessibleName("Lead professional's name")
        self.agency = QComboBox()
        self.agency.setEditable(True)
        self.agency.setAccessibleName("Lead professional's agency")
        for code in AGENCY_TYPES:
            self.agency.addItem(_agency_label(code), code)
        current = lead.get("agency") or ("early_help" if (case or {}).get("direction") != "step_up"
                                         else "children_social_care")
        i = self.agency.findData(current)
        if i >= 0:
            self.agency.setCurrentIndex(i)
        else:
            self.agency.setEditText(str(current))
        self.agreed = QDateEdit(calendarPopup=True)
        self.agreed.setDisplayFormat("d MMM yyyy")
        self.agreed.setMaximumDate(_qdate(today))
        self.agreed.setDate(_qdate(_parse(lead.get("agreed_date")) or today))
        self.agreed.setAccessibleName("Date the lead professional was agreed")
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note for the sending team (optional)")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.hide()

        form = QFormLayout()
        form.addRow("Handover meeting held on", self.held)
        form.addRow("Lead professional", self.lead_name)
        form.addRow("Their agency", self.agency)
        form.addRow("Agreed on", self.agreed)
        form.addRow("Note (optional)", self.note)
        for w in (self.held, self.lead_name, self.agency, self.agreed, self.note):
            lab = form.labelForField(w)
            if isinstance(lab, QLabel):
                lab.setBuddy(w)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Accept the handover")
        ok.setProperty("role", "primary")
        ok.setAccessibleName("Accept the handover")
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(heading("Accept the handover", 1.3))
        lay.addWidget(muted("Accept once the handover meeting has been held and the lead professional agreed. "
                            "Your team then leads the work with the family."))
        lay.addWidget(self.error)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.setTabOrder(self.held, self.lead_name)
        self.setTabOrder(self.lead_name, self.agency)
        self.setTabOrder(self.agency, self.agreed)
        self.setTabOrder(self.agreed, self.note)
        self.setTabOrder(self.note, self.buttons)

    def agency_value(self) -> str:
        i = self.agency.currentIndex()
        text = self.agency.currentText().strip()
        if i >= 0 and self.agency.itemText(i) == text:
            return str(self.agency.itemData(i))
        return text

    def problem(self) -> str | None:
        if not self.lead_name.text().strip():
            return "Give the lead professional's name."
        if not self.agency_value():
            return "Give the lead professional's agency."
        if _pydate(self.held.date()) > self.today or _pydate(self.agreed.date()) > self.today:
            return "The dates cannot be in the future."
        return None

    def details(self) -> AcceptDetails:
        return AcceptDetails(held_date=_pydate(self.held.date()), lead_name=self.lead_name.text().strip(),
                             lead_agency=self.agency_value(), agreed_date=_pydate(self.agreed.date()),
                             note=self.note.toPlainText().strip())

    def _try_accept(self) -> None:
        msg = self.problem()
        if msg:
            self.error.setText(msg)
            self.error.show()
            (self.lead_name if "name" in msg else self.agency if "agency" in msg else self.held).setFocus()
            return
        self.accept()


def _parse(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None

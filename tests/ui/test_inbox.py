"""The receiving team's inbox: acknowledge, accept, return with each coded reason, double acceptance,
and the sender's view of a return (pytest-qt, offscreen, on a small fixed SQLite dataset)."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")


from handover.app import operations as ops  # noqa: E402
from handover.store import service as sv  # noqa: E402
from handover.store.receiving import REASON_LABELS, AcceptDetails  # noqa: E402
from handover.workflow import RETURN_REASONS  # noqa: E402
from ui.qt import QDialog  # noqa: E402


def _page(qtbot, data, actor=None):
    from ui.inbox import IncomingPage

    page = IncomingPage(data.app(actor or data.recv))
    qtbot.addWidget(page)
    page.resize(1400, 900)
    return page


def _case(data, case_id):
    return sv.get_handover(data.store, sv.system_actor("test"), case_id, now=data.now())


def test_lists_only_handovers_sent_to_my_team_with_deadlines(qtbot, data):
    page = _page(qtbot, data)
    ids = [page.model.row_at(i).case_id for i in range(page.model.rowCount())]
    assert sorted(ids) == ["SD-B", "SD-D"]          # SD-A is a draft; SU-C goes to the front door
    assert all(page.model.row_at(i).next_due for i in range(page.model.rowCount()))
    assert page.open_case("SD-D")
    d = page.detail
    assert "Ada Example" in d.title.text() and "Step-down" in d.title.text()
    rules = [d.deadlines.topLevelItem(i).text(0) for i in range(d.deadlines.topLevelItemCount())]
    assert "Acknowledged by the receiving team" in rules
    statuses = {d.deadlines.topLevelItem(i).text(0): d.deadlines.topLevelItem(i).text(2)
                for i in range(d.deadlines.topLevelItemCount())}
    assert statuses["Acknowledged by the receiving team"].startswith("OVERDUE (12 working days)")
    assert "error" in d.checks.text()
    assert d.ack_button.isVisibleTo(page) and d.return_button.isVisibleTo(page)
    assert not d.accept_button.isVisibleTo(page)      # accept only once acknowledged
    assert "No pack is stored" in d.verify_text.text()


def test_acknowledge_records_the_date_and_says_what_next(qtbot, data):
    page = _page(qtbot, data)
    page.open_case("SD-D")
    result = page.acknowledge()
    assert result is not None and result.summary.state == "acknowledged"
    view = _case(data, "SD-D")
    assert view.summary.state == "acknowledged"
    assert view.case["events"]["acknowledged"] == "2026-11-25"
    text = page.detail.callout.label.text()
    assert text.startswith("Acknowledged. Early Help East has it now")
    assert "Next deadline: lead professional agreed by 9 Nov 2026" in text
    assert page.detail.accept_button.isVisibleTo(page) and not page.detail.ack_button.isVisibleTo(page)


def test_accept_through_the_dialog_records_meeting_and_lead_professional(qtbot, data, monkeypatch):
    from ui.dialogs.accept_dialog import AcceptDialog

    page = _page(qtbot, data)
    page.open_case("SD-D")
    page.acknowledge()

    def fill_and_accept(dlg):
        from ui.qt import QDate

        dlg.held.setDate(QDate(2026, 11, 24))
        dlg.lead_name.setText("Lee Lead")
        dlg.agency.setCurrentIndex(dlg.agency.findData("early_help"))
        dlg.agreed.setDate(QDate(2026, 11, 24))
        assert dlg.problem() is None
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AcceptDialog, "exec", fill_and_accept)
    result = page.accept_dialog()
    assert result is not None and result.summary.state == "accepted"
    case = _case(data, "SD-D").case
    assert case["plan"]["handover_meeting"]["held_date"] == "2026-11-24"
    lead = case["plan"]["lead_professional"]
    assert (lead["name"], lead["agency"], lead["agreed_date"]) == ("Lee Lead", "early_help", "2026-11-24")
    assert case["sign_off"]["receiving"]["decision"] == "accepted"
    assert case["sign_off"]["receiving"]["name"] == "Rita Receiver"
    assert page.detail.callout.label.text().startswith("Accepted. Early Help East leads the work")
    # the deadlines those dates meet are now done (late: agreed after the 9 November due date)
    items = {(i.id, i.rule): i.status for i in ops.overdue_page(data.ctx(data.mgr), _all(), "due", False, 0, 100)}
    assert items[("SD-D", "lead_professional_agreed")] == "late"
    assert items[("SD-D", "handover_meeting")] == "late"


def _all():
    from handover.store.reports import OverdueFilter

    return OverdueFilter(statuses=("overdue", "late"))


def test_accept_dialog_refuses_blank_name_and_future_dates(qtbot):
    from ui.dialogs.accept_dialog import AcceptDialog

    dlg = AcceptDialog(date(2026, 11, 25), {"direction": "step_down", "plan": {}})
    qtbot.addWidget(dlg)
    dlg.lead_name.setText("")
    dlg._try_accept()
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.error.text() == "Give the lead professional's name."
    assert dlg.held.maximumDate().toPython() == date(2026, 11, 25)   # future dates cannot be picked


@pytest.mark.parametrize("code", RETURN_REASONS)
def test_return_with_each_coded_reason(qtbot, data, monkeypatch, code):
    from ui.dialogs.return_dialog import ReturnDialog

    page = _page(qtbot, data)
    page.open_case("SD-B")

    def choose(dlg):
        assert dlg.radios[code].text() == REASON_LABELS[code]
        dlg.set_reason(code)
        dlg.note.setPlainText(f"Please fix: {code}")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReturnDialog, "exec", choose)
    result = page.return_dialog()
    assert result is not None and result.summary.state == "draft"
    hist = sv.history(data.store, data.prac, "SD-B")
    assert (hist[-1].action, hist[-1].reason_code, hist[-1].note) == ("return", code, f"Please fix: {code}")
    assert page.detail.callout.label.text().startswith("Returned to CSC North. They have it now")
    # the sender sees it in their list with the reason (the list's "Came back because" column)
    from ui.case_list import COLUMNS, handover_list_model

    sender = handover_list_model(data.app(data.prac), "all")
    col = [c[0] for c in COLUMNS].index("Came back because")
    notes = {sender.row_at(i).case_id: sender.data(sender.index(i, col)) for i in range(sender.rowCount())}
    notes = {cid: note for cid, note in notes.items() if cid in ("SD-B", "SD-A") and note}
    assert notes == {"SD-B": f"Returned by Rita Receiver ({REASON_LABELS[code]}): Please fix: {code}"}
    # and no longer waits in the inbox
    assert "SD-B" not in [page.model.row_at(i).case_id for i in range(page.model.rowCount())]


def test_return_dialog_needs_reason_and_note(qtbot):
    from ui.dialogs.return_dialog import ReturnDialog

    dlg = ReturnDialog()
    qtbot.addWidget(dlg)
    dlg._try_accept()
    assert dlg.error.text() == "Choose why you are returning it."
    dlg.set_reason("wrong_team")
    dlg._try_accept()
    assert dlg.error.text() == "Say in the note what the sending team needs to do."
    dlg.note.setPlainText("It belongs to Early Help West.")
    dlg._try_accept()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert (dlg.reason_code(), dlg.note_text()) == ("wrong_team", "It belongs to Early Help West.")


def test_double_acceptance_by_two_sessions(qtbot, data):
    first = _page(qtbot, data, data.recv)
    second = _page(qtbot, data, data.eh_mgr)
    first.open_case("SD-D")
    first.acknowledge()
    first._load("SD-D")
    second.open_case("SD-D")           # both now look at the acknowledged handover
    assert "accept" in first.view.allowed_actions and "accept" in second.view.allowed_actions
    details = AcceptDetails(date(2026, 11, 24), "Lee Lead", "early_help", date(2026, 11, 24))
    assert first.accept_with(details) is not None
    assert second.accept_with(AcceptDetails(date(2026, 11, 23), "Other Person", "school_nurse",
                                            date(2026, 11, 23))) is None
    text = second.detail.callout.label.text()
    assert "already accepted by Rita Receiver at 2026-11-25 10:00 UTC" in text
    assert second.view.summary.state == "accepted"          # shown as it now is
    hist = sv.history(data.store, data.mgr, "SD-D")
    assert [h.action for h in hist].count("accept") == 1
    assert _case(data, "SD-D").case["plan"]["lead_professional"]["name"] == "Lee Lead"
    # returning after someone accepted is refused the same way
    assert second.return_with("other", "too late") is None
    assert "already accepted by Rita Receiver" in second.detail.callout.label.text()


def test_sender_sees_what_changed_after_a_return(qtbot, data):
    from ui.changes import ChangesDialog

    page = _page(qtbot, data)
    page.open_case("SD-B")
    page.return_with("missing_information", "Add the GP")
    view = sv.get_handover(data.store, data.prac, "SD-B", now=data.now())
    case = view.case
    case["child"]["given_name"] = "Adaline"
    case["agencies"].append({"type": "gp", "name": "Demo Surgery", "contact": "", "involved_with": ["child"],
                             "informed_date": None, "sharing_basis": {"type": "consent", "gateway": "", "reason": ""},
                             "continues_involvement": True, "attends_handover": False})
    sv.save_version(data.store, data.prac, "SD-B", case, view.summary.row_version, now=data.now())
    dlg = ChangesDialog(data.app(data.prac), "SD-B")
    qtbot.addWidget(dlg)
    returned = [h for h in sv.history(data.store, data.prac, "SD-B") if h.action == "return"][-1].version
    assert dlg.view.old.currentData() == returned
    assert dlg.view.new.currentData() == returned + 1
    rows = []
    for i in range(dlg.view.tree.topLevelItemCount()):
        sec = dlg.view.tree.topLevelItem(i)
        rows += [(sec.text(0), sec.child(j).text(0), sec.child(j).text(1), sec.child(j).text(2),
                  sec.child(j).text(3)) for j in range(sec.childCount())]
    given = [r for r in rows if r[3] == "Ada"]
    assert given and given[0][2:] == ("Changed", "Ada", "Adaline")
    assert any(r[2] == "Added" and "Demo Surgery" in r[4] for r in rows)
    assert "changed" in dlg.view.summary.text()

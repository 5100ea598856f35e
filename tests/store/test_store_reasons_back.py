"""Reasons travel with the handover (SPEC.md section 2): whoever gets a handover back, sent back by
their manager or returned by the receiving team, sees why, in the list and in the opened case."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event
from store.store_cases import NOW, complete_step_down

from handover.store import service as sv

LATER = NOW + timedelta(hours=2)


def _to(store, cast, case_id: str, state: str) -> None:
    """A complete step-down from CSC North to Early Help East, moved on until it is in ``state``."""
    sv.create_handover(store, cast.prac, complete_step_down(case_id), now=NOW, receiving_team_id=cast.eh)
    path = [("request_authorisation", cast.prac, "awaiting_authorisation"), ("authorise", cast.mgr, "authorised"),
            ("send", cast.prac, "sent"), ("acknowledge", cast.recv, "acknowledged")]
    for action, who, reached in path:
        if sv.get_handover(store, cast.mgr, case_id, now=NOW).summary.state == state:
            break
        assert sv.move(store, who, case_id, action, now=NOW).summary.state == reached
    assert sv.get_handover(store, cast.mgr, case_id, now=NOW).summary.state == state


def _sent_back(store, cast, case_id: str = "BACK", note: str = "add the chronology, please") -> sv.MoveResult:
    _to(store, cast, case_id, "awaiting_authorisation")
    return sv.move(store, cast.mgr, case_id, "send_back", now=LATER, note=note)


def _returned(store, cast, case_id: str = "RET", state: str = "acknowledged") -> sv.MoveResult:
    _to(store, cast, case_id, state)
    return sv.move(store, cast.recv, case_id, "return", now=LATER, reason_code="missing_information",
                   note="no chronology of police involvement")


def test_a_send_back_reaches_the_practitioner_with_the_managers_note(store, cast):
    moved = _sent_back(store, cast)
    got = sv.reasons_back(store, cast.prac, ["BACK"])
    assert got == {"BACK": sv.ReasonsBack(case_id="BACK", action="send_back", reason_code=None,
                                          note="add the chronology, please", by="Mgr Example", at=LATER,
                                          version=moved.summary.current_version)}
    view = sv.get_handover(store, cast.prac, "BACK", now=LATER)
    assert view.reasons_back == got["BACK"]
    assert view.summary.state == "draft" and view.can_edit


def test_a_return_reaches_the_sending_practitioner_with_its_coded_reason(store, cast):
    moved = _returned(store, cast)
    back = sv.reasons_back(store, cast.prac, ["RET"])["RET"]
    assert (back.action, back.reason_code, back.note) == ("return", "missing_information",
                                                          "no chronology of police involvement")
    assert (back.by, back.at, back.version) == ("Recv Example", LATER, moved.summary.current_version)
    assert sv.get_handover(store, cast.prac, "RET", now=LATER).reasons_back == back
    # returned straight from "sent" (not yet acknowledged) is a return too
    _returned(store, cast, "RET-SENT", state="sent")
    assert sv.reasons_back(store, cast.mgr, ["RET-SENT"])["RET-SENT"].reason_code == "missing_information"


def test_the_reasons_go_once_it_is_put_forward_again(store, cast):
    _sent_back(store, cast)
    _returned(store, cast)
    assert set(sv.reasons_back(store, cast.prac, ["BACK", "RET"])) == {"BACK", "RET"}
    # editing the draft keeps them: the last *move* is still the send-back
    view = sv.get_handover(store, cast.prac, "BACK", now=LATER)
    edited = dict(view.case, transition=dict(view.case["transition"], reason="chronology added"))
    sv.save_version(store, cast.prac, "BACK", edited, view.summary.row_version, now=LATER)
    assert sv.reasons_back(store, cast.prac, ["BACK"])["BACK"].action == "send_back"

    for cid in ("BACK", "RET"):
        sv.move(store, cast.prac, cid, "request_authorisation", now=LATER)
        assert sv.get_handover(store, cast.prac, cid, now=LATER).reasons_back is None
    assert sv.reasons_back(store, cast.prac, ["BACK", "RET"]) == {}

    # sent back a second time: the newest reasons, not the old ones
    sv.move(store, cast.mgr, "RET", "send_back", now=LATER + timedelta(hours=1), note="second look needed")
    back = sv.reasons_back(store, cast.prac, ["BACK", "RET"])
    assert list(back) == ["RET"]
    assert (back["RET"].action, back["RET"].reason_code, back["RET"].note) == ("send_back", None,
                                                                               "second look needed")


def test_handovers_that_never_came_back_have_no_reasons(store, cast):
    _to(store, cast, "NEW", "draft")
    _to(store, cast, "WAITING", "awaiting_authorisation")
    _to(store, cast, "OUT", "sent")
    assert sv.reasons_back(store, cast.prac, ["NEW", "WAITING", "OUT", "NO-SUCH-CASE"]) == {}
    assert sv.get_handover(store, cast.prac, "NEW", now=NOW).reasons_back is None
    assert sv.get_handover(store, cast.prac, "OUT", now=NOW).reasons_back is None
    assert sv.reasons_back(store, cast.prac, []) == {}
    # the field has a default: a CaseView built as before still works
    view = sv.get_handover(store, cast.prac, "NEW", now=NOW)
    assert sv.CaseView(view.summary, view.case, view.version, view.frozen, view.content_hash,
                       view.allowed_actions, view.edit_refusal).reasons_back is None


def test_other_teams_get_nothing_and_see_what_the_list_shows(store, cast):
    _sent_back(store, cast)
    _returned(store, cast)
    ids = ["BACK", "RET"]
    assert sv.reasons_back(store, cast.other_prac, ids) == {}
    assert sv.reasons_back(store, cast.other_recv, ids) == {}
    # the receiving team returned it: a draft of the sender's again, so no longer theirs to see
    assert sv.reasons_back(store, cast.recv, ids) == {}
    assert sv.reasons_back(store, cast.eh_prac, ids) == {}
    # for everyone, exactly the handovers their list shows (managers: all of them)
    for name, actor in cast.all().items():
        if name == "admin":
            continue
        listed = {r.case_id for r in sv.list_handovers(store, actor)}
        assert set(sv.reasons_back(store, actor, ids)) == listed & set(ids), name
    assert set(sv.reasons_back(store, cast.other_mgr, ids)) == set(ids)


def test_an_administrator_is_refused_as_for_the_list(store, cast):
    _sent_back(store, cast)
    with pytest.raises(sv.Denied) as listing:
        sv.list_handovers(store, cast.admin)
    for ids in (["BACK"], []):
        with pytest.raises(sv.Denied) as refused:
            sv.reasons_back(store, cast.admin, ids)
        assert str(refused.value) == str(listing.value)


def test_a_disabled_account_is_refused(store, cast):
    _sent_back(store, cast)
    sv.disable_user(store, cast.admin, "prac", now=NOW)
    with pytest.raises(sv.Denied):
        sv.reasons_back(store, cast.prac, ["BACK"])


@contextmanager
def _statements(store):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_one_query_for_the_whole_page(store, cast):
    for i in range(4):
        _sent_back(store, cast, f"BACK-{i}", note=f"note {i}")
    page = [f"BACK-{i}" for i in range(4)] + [f"ABSENT-{i}" for i in range(196)] + ["BACK-0"]
    with _statements(store) as one:
        sv.reasons_back(store, cast.prac, ["BACK-0"])
    with _statements(store) as many:
        got = sv.reasons_back(store, cast.prac, page)
    assert {cid: b.note for cid, b in got.items()} == {f"BACK-{i}": f"note {i}" for i in range(4)}
    assert len(many) == len(one)
    assert sum("workflow_events" in q for q in many) == 1

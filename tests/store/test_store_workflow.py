"""Workflow: every move by every kind of actor, allowed or refused, through the core service."""

from __future__ import annotations

import pytest
from store.store_cases import NOW, complete_step_down

from handover import labels, workflow
from handover.store import service as sv

# Written out by hand from SPEC.md section 2 (not derived from workflow.MOVES, so the test can fail).
# Actors: prac/mgr sit in the sending team (CSC); recv/eh_mgr/eh_prac in the receiving team (EH);
# other_* in an unrelated team; admin in none.
MAY = {
    "request_authorisation": {"prac", "mgr"},
    "send_back": {"mgr"},
    "authorise": {"mgr"},
    "send": {"prac", "mgr"},
    "acknowledge": {"recv", "eh_mgr"},
    "accept": {"recv", "eh_mgr"},
    "return": {"recv", "eh_mgr"},
    "close": {"recv", "eh_mgr", "mgr"},
}
SOURCE = {"request_authorisation": "draft", "send_back": "awaiting_authorisation",
          "authorise": "awaiting_authorisation", "send": "authorised", "acknowledge": "sent",
          "accept": "acknowledged", "return": "acknowledged", "close": "accepted"}
TARGET = {"request_authorisation": "awaiting_authorisation", "send_back": "draft", "authorise": "authorised",
          "send": "sent", "acknowledge": "acknowledged", "accept": "accepted", "return": "draft", "close": "closed"}
PATH = [("request_authorisation", "prac"), ("authorise", "mgr"), ("send", "prac"), ("acknowledge", "recv"),
        ("accept", "recv"), ("close", "recv")]
ACTORS = ("prac", "mgr", "recv", "eh_mgr", "eh_prac", "other_prac", "other_recv", "other_mgr", "admin")
EXTRA = {"send_back": {"note": "please add the chronology"},
         "return": {"reason_code": "missing_information", "note": "no chronology"}}


def drive(store, cast, case_id: str, state: str) -> None:
    """A new step-down handover moved along the happy path until it reaches ``state``."""
    sv.create_handover(store, cast.prac, complete_step_down(case_id), now=NOW, receiving_team_id=cast.eh)
    current = "draft"
    for action, who in PATH:
        if current == state:
            break
        current = sv.move(store, getattr(cast, who), case_id, action, now=NOW).summary.state
    assert current == state


def test_table_matches_spec():
    for action, sources in SOURCE.items():
        assert sources in workflow.MOVES[action].sources
        assert workflow.MOVES[action].target == TARGET[action]
    assert set(workflow.MOVES) == set(MAY)


@pytest.mark.parametrize("action", list(MAY))
def test_each_actor_each_move(store, cast, action):
    refused_on = f"{action}-refused"
    drive(store, cast, refused_on, SOURCE[action])
    for name in ACTORS:
        actor = getattr(cast, name)
        if name in MAY[action]:
            case_id = f"{action}-{name}"
            drive(store, cast, case_id, SOURCE[action])
            result = sv.move(store, actor, case_id, action, now=NOW, **EXTRA.get(action, {}))
            assert result.summary.state == TARGET[action]
            assert result.event.actor == actor.username and result.event.at == NOW
            hist = sv.history(store, cast.mgr, case_id)
            assert (hist[-1].action, hist[-1].from_state, hist[-1].to_state) == (action, SOURCE[action],
                                                                                TARGET[action])
        else:
            with pytest.raises((sv.Denied, sv.NotFound)):
                sv.move(store, actor, refused_on, action, now=NOW, **EXTRA.get(action, {}))
    # refusals changed nothing
    assert sv.get_handover(store, cast.mgr, refused_on, now=NOW).summary.state == SOURCE[action]
    assert len(sv.history(store, cast.mgr, refused_on)) == workflow.STATES.index(SOURCE[action])


def test_moves_from_wrong_states_are_refused(store, cast):
    for state in workflow.STATES:
        drive(store, cast, f"in-{state}", state)
    allowed_actor = {"prac": cast.prac, "mgr": cast.mgr, "recv": cast.recv, "eh_mgr": cast.eh_mgr}
    for action in MAY:
        actor = allowed_actor[sorted(MAY[action])[0]]
        for state in workflow.STATES:
            if state in workflow.MOVES[action].sources:
                continue
            with pytest.raises((sv.Invalid, sv.Conflict)):
                sv.move(store, actor, f"in-{state}", action, now=NOW, **EXTRA.get(action, {}))
    for state in workflow.STATES:
        assert sv.get_handover(store, cast.mgr, f"in-{state}", now=NOW).summary.state == state


def test_return_needs_a_coded_reason_and_a_note(store, cast):
    drive(store, cast, "R-1", "sent")
    with pytest.raises(sv.Invalid):
        sv.move(store, cast.recv, "R-1", "return", now=NOW, note="why")
    with pytest.raises(sv.Invalid):
        sv.move(store, cast.recv, "R-1", "return", now=NOW, reason_code="not_a_code", note="why")
    with pytest.raises(sv.Invalid):
        sv.move(store, cast.recv, "R-1", "return", now=NOW, reason_code="wrong_team", note="  ")
    r = sv.move(store, cast.recv, "R-1", "return", now=NOW, reason_code="wrong_team", note="belongs to West")
    assert r.summary.state == "draft" and r.new_version == r.summary.current_version
    assert r.summary.authorised_version is None
    view = sv.get_handover(store, cast.prac, "R-1", now=NOW)
    assert view.case["sign_off"]["receiving"]["decision"] == "returned"
    # the case says it in words (the code is in the workflow event below): "It was sent to the wrong team: …"
    assert view.case["sign_off"]["receiving"]["reason"] == f"{labels.return_reason_label('wrong_team')}: belongs to West"
    assert view.can_edit and not view.frozen
    last = sv.history(store, cast.prac, "R-1")[-1]
    assert (last.reason_code, last.note, last.actor) == ("wrong_team", "belongs to West", "recv")
    with pytest.raises(sv.Invalid):
        sv.move(store, cast.mgr, "R-1", "send_back", now=NOW)


def test_authorised_version_is_frozen_and_a_change_returns_it_to_draft(store, cast):
    """SPEC section 2: a signed version is never edited; a change after authorisation makes a new version
    and returns the handover to draft, to be authorised again (what is sent is what was authorised)."""
    drive(store, cast, "F-1", "authorised")
    view = sv.get_handover(store, cast.prac, "F-1", now=NOW)
    assert view.frozen and view.summary.authorised_version == view.version
    assert view.case["sign_off"]["sending_manager"]["name"] == "Mgr Example"
    frozen_no, frozen_hash = view.version, view.content_hash
    edited = dict(view.case)
    edited["transition"] = dict(edited["transition"], reason="added after authorisation")
    s = sv.save_version(store, cast.prac, "F-1", edited, view.summary.row_version, now=NOW, amend=True)
    assert s.current_version == frozen_no + 1
    assert (s.state, s.authorised_version) == ("draft", None)
    last = sv.history(store, cast.prac, "F-1")[-1]
    assert (last.action, last.from_state, last.to_state, last.actor) == ("reopen", "authorised", "draft", "prac")
    with pytest.raises(sv.Conflict, match=r"cannot send F-1: it was already changed after it was authorised "
                                          r"\(back to draft\) by Prac Example"):
        sv.move(store, cast.mgr, "F-1", "send", now=NOW)
    old = sv.get_handover(store, cast.prac, "F-1", now=NOW, version=frozen_no)
    assert old.frozen and old.content_hash == frozen_hash
    changes = sv.diff_versions(store, cast.prac, "F-1", frozen_no, s.current_version)
    # the change, and the old authorisation forgotten (the new draft must be authorised again)
    assert sorted((c.path, c.old, c.new) for c in changes) == sorted([
        ("transition.reason", view.case["transition"]["reason"], "added after authorisation"),
        ("sign_off.sending_manager.name", "Mgr Example", ""),
        ("sign_off.sending_manager.date", view.case["sign_off"]["sending_manager"]["date"], None)])


def test_step_down_moves_record_dates(store, cast):
    drive(store, cast, "D-1", "acknowledged")
    case = sv.get_handover(store, cast.recv, "D-1", now=NOW).case
    assert case["events"] == {"pack_sent": "2026-11-25", "acknowledged": "2026-11-25"}


def test_requesting_authorisation_records_the_preparer_from_the_account(store, cast):
    """Type nothing twice: a blank 'Prepared by' is filled with who put the handover forward, their role
    and team, and today's date; a preparer the practitioner typed is kept (only its date is filled)."""
    case = complete_step_down("P-1")
    case["sign_off"]["prepared_by"] = {"name": "", "role": "", "date": None}
    sv.create_handover(store, cast.prac, case, now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "P-1", "request_authorisation", now=NOW)
    got = sv.get_handover(store, cast.mgr, "P-1", now=NOW).case["sign_off"]["prepared_by"]
    team = cast.prac.team_name or "CSC"
    assert got["name"] == "Prac Example" and got["date"] == "2026-11-25"
    assert got["role"].startswith("Practitioner") and team in got["role"]
    typed = complete_step_down("P-2")
    typed["sign_off"]["prepared_by"] = {"name": "Ana Typed", "role": "Senior social worker", "date": None}
    sv.create_handover(store, cast.prac, typed, now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "P-2", "request_authorisation", now=NOW)
    got = sv.get_handover(store, cast.mgr, "P-2", now=NOW).case["sign_off"]["prepared_by"]
    assert got == {"name": "Ana Typed", "role": "Senior social worker", "date": "2026-11-25"}


def test_a_returned_draft_forgets_its_authorisation_and_its_sent_and_acknowledged_dates(store, cast):
    """Nothing old looks current: after a return the new draft has no manager's sign-off and no
    sent/acknowledged dates (their deadlines start again when it is sent again)."""
    drive(store, cast, "R-1", "acknowledged")
    before = sv.get_handover(store, cast.recv, "R-1", now=NOW).case
    assert before["sign_off"]["sending_manager"]["name"] and before["events"]["acknowledged"]
    sv.move(store, cast.recv, "R-1", "return", now=NOW, reason_code="missing_information", note="no chronology")
    after = sv.get_handover(store, cast.prac, "R-1", now=NOW)
    assert after.summary.state == "draft" and after.summary.authorised_version is None
    assert after.case["sign_off"]["sending_manager"] == {"name": "", "date": None}
    assert after.case["events"].get("pack_sent") is None and after.case["events"].get("acknowledged") is None
    assert after.case["sign_off"]["receiving"]["decision"] == "returned"


def test_a_passed_deadline_does_not_keep_a_handover_from_its_manager_but_still_stops_the_final_pack(store, cast):
    """Lateness is recorded and chased, not a gate for putting a handover forward (many of those events
    happen only after it moves); a final pack is still refused while an error remains (SPEC 5)."""
    from datetime import timedelta

    sv.create_handover(store, cast.prac, complete_step_down("LATE-1"), now=NOW, receiving_team_id=cast.eh)
    later = NOW + timedelta(days=21)
    r = sv.move(store, cast.prac, "LATE-1", "request_authorisation", now=later)
    assert r.summary.state == "awaiting_authorisation"
    with pytest.raises(sv.Invalid, match=r"^cannot authorise: \d+ errors? remains? \(Overdue"):
        sv.move(store, cast.mgr, "LATE-1", "authorise", now=later)


def test_a_sibling_in_the_household_stops_the_handover_until_they_are_added_as_a_child(store, cast):
    """Review K: a brother in the house is child_in_household_not_listed, an error, in a one-child file as
    in a family's: the request for authorisation is refused until he is added to the handover (the
    editor's one click makes the file a family, handover.family.with_member_as_child); then it goes."""
    from handover import family
    from handover.checks import check_case

    case = complete_step_down("SIB-1")
    case["household"].append({"name": "Robin Example", "relationship": "brother", "date_of_birth": "2014-05-01",
                              "lives_with_child": True, "parental_responsibility": False, "joined_household": None,
                              "left_household": None, "known_to": [], "risk_factors": []})
    found = [f for f in check_case(case, NOW.date()).errors if f.code == "child_in_household_not_listed"]
    assert found and workflow.blocking("request_authorisation", found, case) == found
    s = sv.create_handover(store, cast.prac, case, now=NOW, receiving_team_id=cast.eh)
    with pytest.raises(sv.Invalid, match="Robin Example"):
        sv.move(store, cast.prac, "SIB-1", "request_authorisation", now=NOW)
    ref = next(p.ref for p in family.people(family.view(case)) if p.name == "Robin Example")
    fam, i = family.with_member_as_child(case, ref, {"given_name": "", "family_name": "", "moves": None})
    fam["children"][i].update(moves=False, reason_not_moving="Synthetic: his own plan continues separately.")
    sv.save_version(store, cast.prac, "SIB-1", fam, s.row_version, now=NOW)
    sv.move(store, cast.prac, "SIB-1", "request_authorisation", now=NOW)
    assert sv.move(store, cast.mgr, "SIB-1", "authorise", now=NOW).summary.state == "authorised"


def test_a_half_typed_preparer_is_refused_at_the_request_not_later_at_the_manager(store, cast):
    case = complete_step_down("PREP-1")
    case["sign_off"]["prepared_by"] = {"name": "Ana Typed", "role": "", "date": None}
    sv.create_handover(store, cast.prac, case, now=NOW, receiving_team_id=cast.eh)
    with pytest.raises(sv.Invalid, match=r"^cannot request authorisation: 1 error remains \(.*Role"):
        sv.move(store, cast.prac, "PREP-1", "request_authorisation", now=NOW)

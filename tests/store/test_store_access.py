"""Access control in the core: every service function called as each role, every refusal checked."""

from __future__ import annotations

import pytest
from store.store_cases import NOW, complete_step_down, step_down

from handover.protocol import default_protocol
from handover.store import service as sv


def _ids(rows):
    return sorted(r.case_id for r in rows)


def test_who_sees_and_edits_what(store, cast):
    sv.create_handover(store, cast.prac, step_down("DRAFT"), now=NOW, receiving_team_id=cast.eh)
    sv.create_handover(store, cast.prac, complete_step_down("SENT"), now=NOW, receiving_team_id=cast.eh)
    sv.create_handover(store, cast.other_prac, step_down("WEST"), now=NOW)
    for action, who in (("request_authorisation", cast.prac), ("authorise", cast.mgr), ("send", cast.prac)):
        sv.move(store, who, "SENT", action, now=NOW)

    visible = {"prac": ["DRAFT", "SENT"], "mgr": ["DRAFT", "SENT", "WEST"], "recv": ["SENT"],
               "eh_mgr": ["DRAFT", "SENT", "WEST"], "eh_prac": ["SENT"], "other_prac": ["WEST"],
               "other_recv": ["WEST"], "other_mgr": ["DRAFT", "SENT", "WEST"]}
    for name, expected in visible.items():
        actor = getattr(cast, name)
        assert _ids(sv.list_handovers(store, actor)) == expected, name
        assert sv.count_handovers(store, actor) == len(expected), name
        for cap in (0, 1, 2, 5):   # a capped count stops at cap + 1, and still only counts what the actor sees
            assert sv.count_handovers(store, actor, cap=cap) == min(len(expected), cap + 1), (name, cap)
        for cid in ("DRAFT", "SENT", "WEST"):
            if cid in expected:
                assert sv.get_handover(store, actor, cid, now=NOW).summary.case_id == cid
            else:
                with pytest.raises(sv.NotFound):
                    sv.get_handover(store, actor, cid, now=NOW)
                with pytest.raises(sv.NotFound):
                    sv.history(store, actor, cid)
                with pytest.raises(sv.NotFound):
                    sv.export_document(store, actor, cid, now=NOW)

    # administrators manage, they do not open case records
    for call in (lambda: sv.list_handovers(store, cast.admin), lambda: sv.count_handovers(store, cast.admin),
                 lambda: sv.get_handover(store, cast.admin, "DRAFT", now=NOW),
                 lambda: sv.overdue(store, cast.admin, NOW.date())):
        with pytest.raises(sv.Denied):
            call()
    assert sum(sv.dashboard_counts(store, cast.admin).values()) == 3   # numbers only

    # editing a draft: the sending team's practitioners and managers only
    def save(actor, cid):
        view = sv.get_handover(store, cast.mgr, cid, now=NOW)
        case = dict(view.case, transition=dict(view.case["transition"], reason=f"edited by {actor.username}"))
        return sv.save_version(store, actor, cid, case, view.summary.row_version, now=NOW)

    assert save(cast.prac, "DRAFT").current_version == 2
    assert save(cast.mgr, "DRAFT").current_version == 3
    for name in ("recv", "eh_prac", "other_prac", "other_recv"):
        with pytest.raises(sv.NotFound):
            save(getattr(cast, name), "DRAFT")
    for name in ("eh_mgr", "other_mgr"):
        with pytest.raises(sv.Denied):
            save(getattr(cast, name), "DRAFT")
    with pytest.raises(sv.Denied):
        save(cast.admin, "DRAFT")
    # after sending: either team records what happens (the meeting, the lead professional, the receiving
    # sign-off, the events), as new versions; others cannot; and nobody rewrites what was authorised
    def record(actor, cid):
        view = sv.get_handover(store, cast.mgr, cid, now=NOW)
        meeting = dict(view.case["plan"]["handover_meeting"], attendees=[f"recorded by {actor.username}"])
        case = dict(view.case, plan=dict(view.case["plan"], handover_meeting=meeting))
        return sv.save_version(store, actor, cid, case, view.summary.row_version, now=NOW)

    for name in ("recv", "eh_prac", "eh_mgr"):          # the receiving team's
        assert record(getattr(cast, name), "SENT").current_version > 1
        with pytest.raises(sv.Denied, match="sent as its manager authorised it.*not 'Why the case is stepping down' in 'The decision to step down'"):
            save(getattr(cast, name), "SENT")
    for name in ("prac", "mgr"):                        # the sending team: nothing once it is sent
        with pytest.raises(sv.Denied, match="has been sent"):
            record(getattr(cast, name), "SENT")
    with pytest.raises(sv.Denied):
        record(cast.other_mgr, "SENT")
    # nor does the receiving team write the sending team's records
    view = sv.get_handover(store, cast.recv, "SENT", now=NOW)
    forged = dict(view.case, events=dict(view.case["events"], pack_sent="2026-11-01"))
    with pytest.raises(sv.Denied, match="not 'Pack sent to early help on' in 'Handover events'"):
        sv.save_version(store, cast.recv, "SENT", forged, view.summary.row_version, now=NOW)


def test_starting_handovers(store, cast):
    for name in ("recv", "admin"):
        with pytest.raises(sv.Denied):
            sv.create_handover(store, getattr(cast, name), step_down(f"X-{name}"), now=NOW)
    with pytest.raises(sv.Denied):
        sv.import_case(store, cast.recv, sv_dump(step_down("X-imp")), now=NOW)
    assert sv.create_handover(store, cast.eh_prac, step_down("X-eh"), now=NOW).team_id == cast.eh
    with pytest.raises(sv.Conflict):
        sv.create_handover(store, cast.prac, step_down("X-eh"), now=NOW)


def sv_dump(case):
    from handover.case import dump_case

    return dump_case(case)


def test_authorising_is_for_the_sending_teams_manager(store, cast):
    sv.create_handover(store, cast.prac, complete_step_down("A-1"), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "A-1", "request_authorisation", now=NOW)
    for name in ("prac", "eh_mgr", "other_mgr", "recv", "eh_prac"):
        with pytest.raises(sv.Denied):
            sv.move(store, getattr(cast, name), "A-1", "authorise", now=NOW)
    for name in ("other_prac", "other_recv"):   # unrelated teams: it does not exist for them
        with pytest.raises(sv.NotFound):
            sv.move(store, getattr(cast, name), "A-1", "authorise", now=NOW)
    with pytest.raises(sv.Denied):
        sv.move(store, cast.admin, "A-1", "authorise", now=NOW)
    assert sv.move(store, cast.mgr, "A-1", "authorise", now=NOW).summary.state == "authorised"


def test_only_administrators_manage_users_teams_and_protocol(store, cast):
    protocol = default_protocol().replace_days("step_down", "pack_sent", 7)
    calls = {
        "create_team": lambda a: sv.create_team(store, a, "New Team", now=NOW),
        "create_user": lambda a: sv.create_user(store, a, "newbie", "New Person", "practitioner", cast.csc,
                                                "a-long-password", now=NOW),
        "list_users": lambda a: sv.list_users(store, a),
        "set_role": lambda a: sv.set_role(store, a, "prac", "manager", cast.csc, now=NOW),
        "disable_user": lambda a: sv.disable_user(store, a, "eh_prac", now=NOW),
        "enable_user": lambda a: sv.enable_user(store, a, "eh_prac", now=NOW),
        "reset_password": lambda a: sv.reset_password(store, a, "admin", "another-password", now=NOW),
        "set_protocol": lambda a: sv.set_protocol(store, a, protocol, now=NOW),
    }
    for name, actor in cast.all().items():
        if name == "admin":
            continue
        for what, call in calls.items():
            with pytest.raises(sv.Denied):
                call(actor)
    assert sv.get_protocol(store).rules_for("step_down")[1].working_days == 5
    for what, call in calls.items():
        call(cast.admin)
    assert sv.get_protocol(store).rules_for("step_down")[1].working_days == 7
    assert [t.name for t in sv.list_teams(store, cast.prac)] == ["CSC North", "Early Help East", "Early Help West",
                                                                 "New Team"]
    with pytest.raises(sv.Denied):   # a second "first administrator"
        sv.create_first_admin(store, "eve", "Eve", "a-long-password", now=NOW)
    with pytest.raises(sv.Conflict):   # the last administrator cannot be demoted
        sv.set_role(store, cast.admin, "admin", "manager", cast.csc, now=NOW)


def test_role_and_status_are_read_fresh(store, cast):
    sv.create_handover(store, cast.prac, complete_step_down("S-1"), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "S-1", "request_authorisation", now=NOW)
    sv.set_role(store, cast.admin, "mgr", "practitioner", cast.csc, now=NOW)
    with pytest.raises(sv.Denied):    # the stale Actor still says "manager"
        sv.move(store, cast.mgr, "S-1", "authorise", now=NOW)
    sv.disable_user(store, cast.admin, "prac", now=NOW)
    with pytest.raises(sv.Denied):
        sv.list_handovers(store, cast.prac)
    assert not sv.authenticate(store, "prac", "prac-password", now=NOW).ok

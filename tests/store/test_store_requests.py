"""Requests for information in the team database (SPEC section 7.3, issue 17): each request its own
deadline row, the overdue report's ``agency_type`` column, and the managers' view by agency."""

from __future__ import annotations

import json
from datetime import date

from store.store_cases import NOW

from handover.family import upgrade
from handover.resources import resource_path
from handover.store import reports
from handover.store import service as sv
from handover.store.queries import overdue_items
from store.store_cases import step_up

CLI = sv.system_actor("test")
EXAMPLE_FAMILY = resource_path("examples", "family_step_up.json")


def _request(agency: str, sent: str, priority: str = "amber", answered: str | None = None) -> dict:
    return {"agency_type": agency, "agency_name": f"Sample {agency}", "about": ["c1"], "sent": sent,
            "sent_by": "Pat Practitioner", "priority": priority,
            "response": None if answered is None else {"date": answered, "outcome": "nothing_held",
                                                       "summary": "", "confidential": False}}


def _family(case_id: str, *requests: dict) -> str:
    doc = upgrade(step_up(case_id))
    doc["information_requests"] = list(requests)
    return json.dumps(doc)


def test_a_request_sent_on_christmas_eve_is_due_on_the_tuesday_after(store):
    sv.import_case(store, CLI, _family("RFI-XMAS", _request("probation", "2026-12-24")), now=NOW, team="EH East")
    rows = [i for i in _overdue(store, date(2026, 12, 30)) if i.rule == "information_request"]
    assert [(i.due, i.agency_type, i.working_days_overdue) for i in rows] == [(date(2026, 12, 29), "probation", 1)]
    assert _overdue(store, date(2026, 12, 29)) == []   # due that day: not overdue yet


def _overdue(store, as_of):
    with store.read() as s:
        return [i for i in overdue_items(s, as_of) if i.rule == "information_request"]


def test_the_overdue_report_shows_the_agency_and_the_family(store):
    doc = json.loads(_family("RFI-2", _request("police", "2026-11-02", "red"),
                             _request("gp", "2026-11-02", "green", answered="2026-11-03")))
    doc["children"].append(dict(doc["children"][0], ref="c2", given_name="Mia"))
    sv.import_case(store, CLI, json.dumps(doc), now=NOW, team="EH East")
    [row] = _overdue(store, date(2026, 11, 10))
    assert (row.agency_type, row.child) == ("police", "Ben Sample, Mia Sample")
    assert row.to_json()["agency_type"] == "police"
    # an answered request is not overdue, and other rules' rows have an empty agency type
    with store.read() as s:
        others = [i for i in overdue_items(s, date(2026, 11, 30)) if i.rule != "information_request"]
    assert others and {i.agency_type for i in others} == {""}


def test_managers_see_which_agency_does_not_answer(store, cast):
    for n, (agency, sent) in enumerate([("probation", "2026-11-02"), ("probation", "2026-11-09"),
                                        ("police", "2026-11-16"), ("gp", "2026-11-20")]):
        sv.import_case(store, CLI, _family(f"RFI-A{n}", _request(agency, sent)), now=NOW, team="EH East")
    sv.import_case(store, CLI, _family("RFI-DONE", _request("school", "2026-11-02", answered="2026-11-02")),
                   now=NOW, team="EH East")
    got = reports.overdue_requests_by_agency(store, CLI, date(2026, 11, 25))
    assert [(a.agency_type, a.overdue, a.oldest_due) for a in got] == [
        ("probation", 2, date(2026, 11, 3)), ("police", 1, date(2026, 11, 17)), ("gp", 1, date(2026, 11, 23))]
    assert got[0].oldest_working_days == 16
    from handover.labels import requests_overdue

    assert requests_overdue("probation", 2, 16) == "Probation service: 2 requests overdue, oldest 16 working days"
    assert requests_overdue("police", 1, 1) == "Police: 1 request overdue by 1 working day"


def test_a_changed_protocol_moves_request_deadlines_too(store, cast):
    """An administrator's new timescales reach the stored request rows (the fast path keeps their
    priority's days; nothing re-reads the documents)."""
    from handover.store.models import DeadlineRow
    from handover.protocol import default_protocol, parse_protocol
    from sqlalchemy import select

    sv.import_case(store, CLI, _family("RFI-P", _request("police", "2026-11-02", "green")), now=NOW, team="EH East")
    raw = default_protocol().to_dict()
    raw["information_requests"] = dict(raw["information_requests"],
                                       working_days=dict(raw["information_requests"]["working_days"], green=10))
    sv.set_protocol(store, cast.admin, parse_protocol(raw), now=NOW)
    with store.read() as s:
        due = s.scalar(select(DeadlineRow.due).where(DeadlineRow.rule == "information_request"))
    assert due == date(2026, 11, 16)


def test_a_red_request_sent_at_the_weekend_stays_due_on_monday_when_the_protocol_is_applied_again(store, cast):
    """"Within 0 working days" of a Saturday is the Monday (SPEC 7.3), on a save and on the administrator's
    recompute alike, and the integrity check agrees with both."""
    from sqlalchemy import select

    from handover.protocol import default_protocol
    from handover.store.integrity import verify_store
    from handover.store.models import DeadlineRow

    sv.import_case(store, CLI, _family("RFI-SAT", _request("police", "2026-11-28", "red")), now=NOW, team="EH East")

    def due():
        with store.read() as s:
            return s.scalar(select(DeadlineRow.due).where(DeadlineRow.rule == "information_request"))

    assert due() == date(2026, 11, 30)
    sv.set_protocol(store, cast.admin, default_protocol(), now=NOW)
    assert due() == date(2026, 11, 30)
    report = verify_store(store)
    assert report.ok, report.problems


def test_the_integrity_check_sees_a_person_removed_from_the_index(store):
    """The people index is what search and known-elsewhere matching rest on (SPEC 8): a row deleted or
    changed outside the tool is reported, like a changed deadline row."""
    from sqlalchemy import delete, update

    from handover.store.integrity import verify_store
    from handover.store.models import PersonRow

    doc = json.loads(EXAMPLE_FAMILY.read_text(encoding="utf-8"))
    sv.import_case(store, CLI, json.dumps(doc), now=NOW, team="EH East")
    assert verify_store(store).ok
    with store.write() as s:
        s.execute(update(PersonRow).where(PersonRow.kind == "member").values(agency_types=""))
    report = verify_store(store)
    assert not report.ok and any("people of" in p for p in report.problems)
    with store.write() as s:
        s.execute(delete(PersonRow).where(PersonRow.kind == "member"))
    assert any("people of" in p for p in verify_store(store).problems)

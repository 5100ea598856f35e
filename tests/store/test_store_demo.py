"""Demo data: realistic spread, valid synthetic identifiers, consistent deadline rows."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from sqlalchemy import select
from store.store_cases import NOW

from handover import demo
from handover.store import service as sv
from handover.store.models import DeadlineRow, Handover, Team, Version, WorkflowEvent
from handover.store.queries import overdue_items
from handover.store.sync import deadline_rows
from handover.checks import check_case
from handover.checks.validity import postcode_ok
from handover.protocol import default_protocol

TODAY = date(2026, 11, 25)


def _nhs_ok(n: str) -> bool:
    digits = [int(c) for c in n]
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = (11 - total % 11) % 11
    return len(n) == 10 and check != 10 and check == digits[9]


def test_demo_data(store):
    result = demo.generate(store, 400, today=TODAY, now=NOW)
    assert (result.handovers, result.first_id, result.last_id) == (400, "DEMO-000001", "DEMO-000400")
    with store.read() as s:
        hs = s.scalars(select(Handover)).all()
        states = {h.state for h in hs}
        assert states == {"draft", "awaiting_authorisation", "authorised", "sent", "acknowledged", "accepted",
                          "closed"}
        assert {h.direction for h in hs} == {"step_down", "step_up"}
        assert len({h.team_id for h in hs}) >= 5
        decided = sorted(h.decision_date for h in hs)
        assert (TODAY - decided[0]).days > 600 and (TODAY - decided[-1]).days < 30
        items = overdue_items(s, TODAY)
        assert any(i.status == "overdue" for i in items) and any(i.status == "late" for i in items)
        assert len(items) < 400 * 2     # some, not everything
        protocol = default_protocol()
        rows = {(r.handover_id, r.rule): (r.starts, r.due, r.done, r.late) for r in s.scalars(select(DeadlineRow))}
        for v in s.scalars(select(Version)).all()[:150]:
            case = json.loads(v.document)
            nhs = case["child"]["nhs_number"]
            assert nhs.startswith("999") and _nhs_ok(nhs), nhs
            assert postcode_ok(case["child"]["postcode"]), case["child"]["postcode"]
            assert case["child"]["postcode"].split()[0] in demo.OUTWARD
            for want in deadline_rows(case, protocol, v.handover_id):
                assert rows[(v.handover_id, want["rule"])] == (want["starts"], want["due"], want["done"],
                                                               want["late"])
        assert s.scalar(select(Team.id).where(Team.name == "Early Help East")) is not None
    # demo accounts work, and a second run adds more
    assert sv.authenticate(store, "admin", demo.DEMO_PASSWORD, now=NOW).ok
    assert demo.generate(store, 5, today=TODAY, now=NOW).first_id == "DEMO-000401"


def test_demo_refuses_a_real_database(store, cast):
    from store.store_cases import step_down

    sv.create_handover(store, cast.prac, step_down("REAL-1"), now=NOW)
    with pytest.raises(sv.Invalid):
        demo.generate(store, 3, today=TODAY, now=NOW)


def test_nhs_numbers_are_valid():
    import random

    rng = random.Random(1)
    assert all(_nhs_ok(demo.nhs_number(rng)) for _ in range(500))


def test_demo_counts_and_completeness(store):
    """Every stored count is what check_case finds on the save date (a random sample of each state);
    authorised handovers were complete when authorised; drafts have gaps."""
    demo.generate(store, 600, today=TODAY, now=NOW)
    protocol = default_protocol()
    with store.read() as s:
        rows = s.execute(select(Handover.id, Handover.state, Handover.error_count, Handover.warning_count,
                                Handover.checked_on, Version.document)
                         .join(Version, Version.handover_id == Handover.id)).all()
        authorised_on = {hid: at.date() for hid, at in s.execute(
            select(WorkflowEvent.handover_id, WorkflowEvent.at).where(WorkflowEvent.action == "authorise"))}
    by_state: dict[str, list] = {}
    for r in rows:
        by_state.setdefault(r.state, []).append(r)
    rng = random.Random(5)
    gaps = 0
    for state, items in by_state.items():
        for r in rng.sample(items, min(len(items), 40)):
            result = check_case(json.loads(r.document), r.checked_on, protocol)
            assert (r.error_count, r.warning_count) == (len(result.errors), len(result.warnings)), (state, r.id)
            if state in ("authorised", "sent", "acknowledged", "accepted", "closed"):
                # only deadlines missed since: none was already overdue on the day it was authorised
                assert {f.code for f in result.errors} <= {"overdue"}, (r.id, result.errors)
                assert all(date.fromisoformat(f.detail["due"]) >= authorised_on[r.id] for f in result.errors)
                assert r.checked_on >= authorised_on[r.id]
            if state == "draft":
                gaps += any(f.code != "sign_off_missing" and f.code != "overdue" for f in result.errors)
    assert gaps >= 5   # drafts realistically lack things

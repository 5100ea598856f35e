"""Demo data: realistic spread, valid synthetic identifiers, consistent deadline rows."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select
from store.store_cases import NOW

from handover import demo
from handover.store import service as sv
from handover.store.models import DeadlineRow, Handover, Team, Version
from handover.store.queries import overdue_items
from handover.store.sync import deadline_rows
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
            assert re.fullmatch(r"ZZ\d \d[A-Z]{2}", case["child"]["postcode"])
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

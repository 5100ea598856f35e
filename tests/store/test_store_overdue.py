"""The overdue query against a hand-computed expectation on a small fixed dataset."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings, strategies as st
from store.store_cases import NOW, step_down, step_up

from handover.calendar import calendar_for
from handover.deadlines import compute_deadlines
from handover.protocol import default_protocol
from handover.store import service as sv
from handover.store.queries import WorkdayCounter, overdue_items

AS_OF = date(2026, 11, 25)   # a Wednesday; no bank holiday in November 2026


def _fixture(store, cast):
    # SD-1, decided Mon 2 Nov: lead professional (5 wd, due Mon 9 Nov) never agreed -> overdue by 12
    # working days on 25 Nov; pack sent Fri 6 Nov (met); acknowledged (2 wd from 6 Nov, due Tue 10 Nov)
    # on Thu 12 Nov -> late by 2; meeting (10 wd, due Mon 16 Nov) held Fri 13 Nov -> met.
    sd1 = step_down("SD-1", "2026-11-02", pack_sent="2026-11-06", acknowledged="2026-11-12")
    sd1["plan"]["handover_meeting"]["held_date"] = "2026-11-13"
    sv.create_handover(store, cast.prac, sd1, now=NOW, receiving_team_id=cast.eh)
    # SU-1 (early help team), referred Fri 20 Nov: decision due Mon 23 Nov, made that day (met);
    # referrer to be told by Tue 24 Nov, not done -> overdue by 1; assessment (45 wd) not yet due.
    sv.create_handover(store, cast.eh_prac, step_up("SU-1", "2026-11-20", csc_decision="2026-11-23"), now=NOW)
    # SD-2 decided Tue 24 Nov: nothing due yet. SD-3 has no decision date: no clock started.
    sv.create_handover(store, cast.prac, step_down("SD-2", "2026-11-24"), now=NOW)
    sv.create_handover(store, cast.prac, step_down("SD-3", None), now=NOW)


EXPECTED = [
    ("SD-1", "lead_professional_agreed", "2026-11-09", "overdue", 12, "CSC North"),
    ("SD-1", "acknowledged", "2026-11-10", "late", 2, "CSC North"),
    ("SU-1", "referrer_informed", "2026-11-24", "overdue", 1, "Early Help East"),
]


def _rows(items):
    return [(i.id, i.rule, i.due.isoformat(), i.status, i.working_days_overdue, i.team) for i in items]


def test_overdue_matches_hand_computed(store, cast):
    _fixture(store, cast)
    with store.read() as s:
        items = overdue_items(s, AS_OF)
        assert _rows(items) == EXPECTED
        assert items[0].child == "Ada Example" and items[0].owner == "Prac Example"
        assert items[0].direction == "step_down" and items[0].state == "draft"
        assert _rows(overdue_items(s, AS_OF, "CSC North")) == EXPECTED[:2]
        assert _rows(overdue_items(s, AS_OF, "Early Help East")) == EXPECTED[2:]
        assert overdue_items(s, AS_OF, "No Such Team") == []
        assert _rows(overdue_items(s, date(2026, 11, 10))) == [   # earlier as-of: fewer days, SU-1 not yet due
            ("SD-1", "lead_professional_agreed", "2026-11-09", "overdue", 1, "CSC North"),
            ("SD-1", "acknowledged", "2026-11-10", "late", 2, "CSC North")]
    # the same figures as the checks compute for each case
    for cid in ("SD-1", "SU-1", "SD-2", "SD-3"):
        case = sv.get_handover(store, cast.mgr, cid, now=NOW).case
        flagged = [(cid, d.rule, d.due.isoformat(), d.status, d.working_days_overdue)
                   for d in compute_deadlines(case, AS_OF) if d.status in ("overdue", "late")]
        assert flagged == [r[:5] for r in EXPECTED if r[0] == cid]
    # a practitioner of another team sees none of them; the service filters by access
    assert sv.overdue(store, cast.other_prac, AS_OF) == []
    assert len(sv.overdue(store, cast.prac, AS_OF)) == 2


def test_bank_holidays_count(store, cast):
    # Mon 21 Dec 2026 + 5 working days: 22, 23, 24, (25 and 28 Dec bank holidays), 29, 30 -> due Wed 30 Dec.
    # As of Wed 6 Jan 2027: 31 Dec, (1 Jan holiday), 4, 5, 6 Jan -> 4 working days overdue.
    sv.create_handover(store, cast.prac, step_down("XMAS", "2026-12-21"), now=NOW)
    with store.read() as s:
        got = {i.rule: (i.due.isoformat(), i.working_days_overdue) for i in overdue_items(s, date(2027, 1, 6))}
    assert got["pack_sent"] == ("2026-12-30", 4)


def test_deadline_rows_follow_edits_and_the_protocol(store, cast):
    _fixture(store, cast)
    view = sv.get_handover(store, cast.prac, "SD-1", now=NOW)
    case = view.case
    case["plan"]["lead_professional"]["agreed_date"] = "2026-11-05"
    sv.save_version(store, cast.prac, "SD-1", case, view.summary.row_version, now=NOW)
    with store.read() as s:
        assert _rows(overdue_items(s, AS_OF)) == EXPECTED[1:]
    # the administrator allows 4 working days to acknowledge: only due dates change
    slower = default_protocol().replace_days("step_down", "acknowledged", 4)
    assert sv.set_protocol(store, cast.admin, slower, now=NOW) == 4
    with store.read() as s:
        assert _rows(overdue_items(s, AS_OF)) == EXPECTED[2:]   # acknowledged on 12 Nov is now on time
    # a protocol without a rule: rows recomputed from the documents
    d = default_protocol().to_dict()
    d["rules"]["step_up"] = [r for r in d["rules"]["step_up"] if r["rule"] != "referrer_informed"]
    sv.set_protocol(store, cast.admin, d, now=NOW)
    with store.read() as s:
        assert _rows(overdue_items(s, AS_OF)) == EXPECTED[1:2]
    sv.set_protocol(store, cast.admin, default_protocol(), now=NOW)
    with store.read() as s:
        assert _rows(overdue_items(s, AS_OF)) == EXPECTED[1:]


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.integers(0, 800), st.integers(0, 800))
def test_workday_counter_matches_calendar(base, a, b):
    cal = calendar_for("england_wales")
    after, up_to = base + timedelta(days=a % 400), base + timedelta(days=b)
    counter = WorkdayCounter(cal, min(after, up_to), max(after, up_to))
    assert counter.between(after, up_to) == cal.working_days_between(after, up_to)

"""The case list's stored columns (error and warning counts, next deadline), its sorts, and the rule that
only a complete handover is authorised (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from store.store_cases import NOW, complete_step_down, step_down, step_up

from handover.case import dump_case
from handover.checks import check_case
from handover.protocol import default_protocol
from handover.store import service as sv
from handover.store.models import AuditEntry, Handover, Version

TODAY = date(2026, 11, 25)   # NOW's local date


def _expected(case, protocol=None, as_of=TODAY):
    """What the columns should hold, computed from scratch with the checks and deadlines."""
    r = check_case(case, as_of, protocol or default_protocol())
    pending = sorted((d.due, d.rule) for d in r.deadlines if d.done is None and d.due is not None)
    due, rule = pending[0] if pending else (None, None)
    return (len(r.errors), len(r.warnings), as_of, rule, due)


def _got(summary):
    return (summary.error_count, summary.warning_count, summary.checked_on, summary.next_rule, summary.next_due)


def _stored(store, case_id):
    with store.read() as s:
        h = s.scalar(select(Handover).where(Handover.case_id == case_id))
        doc = s.scalar(select(Version.document).where(Version.handover_id == h.id,
                                                      Version.number == h.current_version))
        return (h.error_count, h.warning_count, h.checked_on, h.next_rule, h.next_due), json.loads(doc)


def test_columns_follow_create_save_import_and_moves(store, cast):
    case = step_down("L-1", "2026-11-02", pack_sent="2026-11-06")
    s = sv.create_handover(store, cast.prac, case, now=NOW, receiving_team_id=cast.eh)
    assert _got(s) == _expected(case)
    assert s.error_count > 0 and s.next_rule == "lead_professional_agreed" and s.next_due == date(2026, 11, 9)

    # saving (and amending) a version recomputes them
    view = sv.get_handover(store, cast.prac, "L-1", now=NOW)
    edited = dict(view.case, plan=dict(view.case["plan"], lead_professional=dict(
        view.case["plan"]["lead_professional"], agreed_date="2026-11-05")))
    later = NOW + timedelta(days=2)
    s = sv.save_version(store, cast.prac, "L-1", edited, view.summary.row_version, now=later, amend=True)
    assert _got(s) == _expected(edited, as_of=TODAY + timedelta(days=2))
    assert s.next_rule == "acknowledged"

    # importing a new version, and a new handover
    edited["events"]["acknowledged"] = "2026-11-10"
    s2 = sv.import_case(store, sv.system_actor("t"), dump_case(edited), now=NOW)
    got, doc = _stored(store, "L-1")
    assert s2.version == 2 and got == _expected(doc)   # the save amended version 1
    up = step_up("L-2", "2026-11-20")
    sv.import_case(store, sv.system_actor("t"), dump_case(up), now=NOW, team="CSC North")
    assert _stored(store, "L-2")[0] == _expected(up)

    # a complete case: the moves write versions (sign-off, dates) and the columns follow
    sv.create_handover(store, cast.prac, complete_step_down("L-3"), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "L-3", "request_authorisation", now=NOW)
    for action, who in (("authorise", cast.mgr), ("send", cast.prac), ("acknowledge", cast.recv)):
        r = sv.move(store, who, "L-3", action, now=NOW)
        got, doc = _stored(store, "L-3")
        assert got == _expected(doc) == _got(r.summary), action
    assert r.summary.error_count == 0 and r.summary.next_rule == "lead_professional_agreed"
    listed = {x.case_id: x for x in sv.list_handovers(store, cast.mgr)}
    assert _got(listed["L-3"]) == _got(r.summary)


def test_columns_follow_the_protocol(store, cast):
    cases = [step_down("P-1", "2026-11-02", pack_sent="2026-11-06", acknowledged="2026-11-12"),
             step_down("P-2", "2026-11-16"), step_up("P-3", "2026-11-20", csc_decision="2026-11-23")]
    for c in cases:
        sv.create_handover(store, cast.prac, c, now=NOW)
    # same rules, other timescales: only due dates change, the counts follow by difference
    slower = default_protocol().replace_days("step_down", "acknowledged", 4).replace_days(
        "step_down", "pack_sent", 12)
    sv.set_protocol(store, cast.admin, slower, now=NOW)
    for c in cases:
        assert _stored(store, c["id"])[0] == _expected(c, slower), c["id"]
    assert _stored(store, "P-1")[0][:2] != _expected(cases[0])[:2]   # the protocol change made a difference
    # a rule removed: rows recomputed from the documents
    d = default_protocol().to_dict()
    d["rules"]["step_down"] = [r for r in d["rules"]["step_down"] if r["rule"] != "lead_professional_agreed"]
    sv.set_protocol(store, cast.admin, d, now=NOW)
    fewer = sv.get_protocol(store)
    for c in cases:
        assert _stored(store, c["id"])[0] == _expected(c, fewer), c["id"]


def test_sorting_by_next_deadline_and_errors(store, cast):
    sv.create_handover(store, cast.prac, step_down("S-late", "2026-11-16"), now=NOW)
    sv.create_handover(store, cast.prac, step_down("S-early", "2026-11-02"), now=NOW)
    sv.create_handover(store, cast.prac, step_down("S-none", None), now=NOW)
    sv.create_handover(store, cast.prac, complete_step_down("S-complete"), now=NOW)

    def ids(**kw):
        return [x.case_id for x in sv.list_handovers(store, cast.prac, **kw)]

    assert ids(sort="due", descending=False) == ["S-early", "S-late", "S-complete", "S-none"]
    assert ids(sort="due", descending=True) == ["S-complete", "S-late", "S-early", "S-none"]  # NULLs last
    by_errors = sv.list_handovers(store, cast.prac, sort="errors", descending=False)
    assert [x.error_count for x in by_errors] == sorted(x.error_count for x in by_errors)
    assert by_errors[0].case_id == "S-complete" and by_errors[0].error_count == 1   # the manager's sign-off
    assert ids(sort="due", descending=False, limit=2, offset=1) == ["S-late", "S-complete"]


def test_the_next_deadline_sort_uses_an_index(store, cast):
    q = ("SELECT id FROM handovers ORDER BY next_due ASC NULLS LAST, id ASC LIMIT 50")
    with store.read() as s:
        if store.is_sqlite:
            plan = " ".join(str(r) for r in s.execute(text("EXPLAIN QUERY PLAN " + q)))
        else:
            s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in s.execute(text("EXPLAIN " + q)))
    assert "ix_handovers_next_due" in plan, plan


def test_only_a_complete_handover_is_authorised(store, cast):
    """An incomplete handover does not even reach the manager: requesting authorisation is refused with
    the number of errors the checks find, less the two sign-offs (the move records the preparer's; the
    manager's is recorded when they authorise)."""
    sv.create_handover(store, cast.prac, step_down("G-1", "2026-11-23"), now=NOW, receiving_team_id=cast.eh)
    with store.read() as s:
        entries = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    with pytest.raises(sv.Invalid) as e:
        sv.move(store, cast.prac, "G-1", "request_authorisation", now=NOW)
    msg = str(e.value)
    assert msg.startswith("cannot request authorisation: ") and " errors remain (" in msg and "\n" not in msg
    view = sv.get_handover(store, cast.prac, "G-1", now=NOW)
    errors = check_case(view.case, TODAY).errors
    n = len([f for f in errors if not f.path.startswith("sign_off.")])
    assert n < len(errors) and f": {n} errors remain" in msg
    assert view.summary.state == "draft" and view.version == 1 and not view.frozen
    with store.read() as s:   # nothing written but the view
        assert [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.seq > entries))] == ["view"]

    # complete once the manager signs: authorised
    sv.create_handover(store, cast.prac, complete_step_down("G-2"), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "G-2", "request_authorisation", now=NOW)
    r = sv.move(store, cast.mgr, "G-2", "authorise", now=NOW)
    assert r.summary.state == "authorised" and r.summary.error_count == 0

    # as of the day of authorising: ten days on, the pack is overdue and the same document is refused
    sv.create_handover(store, cast.prac, complete_step_down("G-3"), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, "G-3", "request_authorisation", now=NOW)
    with pytest.raises(sv.Invalid, match=r"cannot authorise: \d+ errors? remains? \(Overdue"):
        sv.move(store, cast.mgr, "G-3", "authorise", now=NOW + timedelta(days=10))

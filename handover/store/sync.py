"""Keeping the searchable columns and deadline rows in step with a handover's current version.

Deadline rows hold each rule's ``starts``, ``due`` and ``done`` dates (no as-of date is involved), so
they change only when the case or the protocol changes; status is computed when queried.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from handover.case import get_path
from handover.dates import parse_iso
from handover.deadlines import compute_deadlines
from handover.protocol import Protocol, default_protocol, parse_protocol
from handover.store.models import DeadlineRow, Handover, ProtocolVersion, Version

__all__ = ["summary_columns", "deadline_rows", "sync_deadlines", "active_protocol", "recompute_all_deadlines"]

_ANY_DAY = date(2000, 1, 1)   # compute_deadlines needs an as-of date; stored columns do not depend on it


def _text(value: Any, limit: int = 200) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def summary_columns(case: dict[str, Any]) -> dict[str, Any]:
    """The handover columns that come from the case document."""
    direction = case.get("direction")
    return {
        "direction": direction if direction in ("step_down", "step_up") else "",
        "child_given_name": _text(get_path(case, "child.given_name")),
        "child_family_name": _text(get_path(case, "child.family_name")),
        "child_dob": parse_iso(get_path(case, "child.date_of_birth")),
        "child_nhs_number": _text(get_path(case, "child.nhs_number"), 20),
        "decision_date": parse_iso(get_path(case, "transition.decision_date")),
    }


def deadline_rows(case: dict[str, Any], protocol: Protocol, handover_id: int | None = None,
                  team_id: int | None = None) -> list[dict[str, Any]]:
    """One dict per rule of the case's direction, ready for a bulk insert into ``deadlines``."""
    rows = []
    for d in compute_deadlines(case, _ANY_DAY, protocol):
        rows.append({"handover_id": handover_id, "team_id": team_id, "rule": d.rule,
                     "working_days": d.working_days, "starts": d.starts, "due": d.due, "done": d.done,
                     "late": bool(d.due and d.done and d.done > d.due)})
    return rows


def sync_deadlines(session: Session, handover: Handover, case: dict[str, Any], protocol: Protocol) -> None:
    """Replace a handover's deadline rows with those of ``case``."""
    session.execute(delete(DeadlineRow).where(DeadlineRow.handover_id == handover.id))
    rows = deadline_rows(case, protocol, handover.id, handover.team_id)
    if rows:
        session.execute(insert(DeadlineRow), rows)


def active_protocol(session: Session) -> Protocol:
    """The newest protocol an administrator stored, else the bundled default."""
    doc = session.scalar(select(ProtocolVersion.document).order_by(ProtocolVersion.id.desc()).limit(1))
    return parse_protocol(json.loads(doc), "stored protocol") if doc else default_protocol()


def _current_documents(session: Session, batch: int = 2000) -> Iterable[tuple[int, int | None, str]]:
    q = (select(Handover.id, Handover.team_id, Version.document)
         .join(Version, (Version.handover_id == Handover.id) & (Version.number == Handover.current_version))
         .order_by(Handover.id).execution_options(yield_per=batch))
    for row in session.execute(q):
        yield row[0], row[1], row[2]


def recompute_all_deadlines(session: Session, protocol: Protocol) -> int:
    """Recompute every handover's deadline rows for a new protocol; returns the number of handovers.

    The start and done dates do not depend on the protocol, so when the new protocol has the same rules
    only the due dates are recomputed from the stored rows (one pass, no case is parsed); when rules
    were added or removed every current version is read again.
    """
    from handover.calendar import calendar_for

    cal = calendar_for(protocol.region)
    stored = {(d, r) for d, r in session.execute(
        select(Handover.direction, DeadlineRow.rule).join(Handover, Handover.id == DeadlineRow.handover_id)
        .distinct())}
    wanted = {(d, r.rule) for d, rules in protocol.rules.items() for r in rules}
    if stored <= wanted and _all_rules_present(session, protocol):
        days = {(d, r.rule): r.working_days for d, rules in protocol.rules.items() for r in rules}
        cache: dict[tuple[date, int], date] = {}
        updates = []
        q = (select(DeadlineRow.id, Handover.direction, DeadlineRow.rule, DeadlineRow.starts, DeadlineRow.done)
             .join(Handover, Handover.id == DeadlineRow.handover_id).execution_options(yield_per=5000))
        for rid, direction, rule, starts, done in session.execute(q):
            n = days[(direction, rule)]
            due = None
            if starts is not None:
                due = cache.get((starts, n))
                if due is None:
                    due = cache[(starts, n)] = cal.add_working_days(starts, n)
            updates.append({"id": rid, "working_days": n, "due": due,
                            "late": bool(due and done and done > due)})
        for i in range(0, len(updates), 5000):
            session.execute(update(DeadlineRow), updates[i:i + 5000])
        return _count_handovers(session)
    count = 0
    session.execute(delete(DeadlineRow))
    rows: list[dict[str, Any]] = []
    for hid, team_id, document in _current_documents(session):
        rows.extend(deadline_rows(json.loads(document), protocol, hid, team_id))
        count += 1
        if len(rows) >= 5000:
            session.execute(insert(DeadlineRow), rows)
            rows = []
    if rows:
        session.execute(insert(DeadlineRow), rows)
    return count


def _count_handovers(session: Session) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(Handover)) or 0)


def _all_rules_present(session: Session, protocol: Protocol) -> bool:
    """Every handover already has a row for every rule of its direction in ``protocol``."""
    from sqlalchemy import func

    for direction, rules in protocol.rules.items():
        n_handovers = session.scalar(select(func.count()).select_from(Handover)
                                     .where(Handover.direction == direction)) or 0
        n_rows = session.scalar(select(func.count()).select_from(DeadlineRow)
                                .join(Handover, Handover.id == DeadlineRow.handover_id)
                                .where(Handover.direction == direction)) or 0
        if n_rows != n_handovers * len(rules):
            return False
    return True

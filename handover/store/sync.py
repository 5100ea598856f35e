"""Keeping the searchable columns and deadline rows in step with a handover's current version.

Deadline rows hold each rule's ``starts``, ``due`` and ``done`` dates (no as-of date is involved), so
they change only when the case or the protocol changes; status is computed when queried.

The case list's columns (:func:`list_columns`): ``error_count`` / ``warning_count`` come from
:func:`handover.checks.check_case` of the current version with the active protocol, as of
``checked_on`` (the local date of the save), so the as-of-dependent ``overdue`` errors are those of the
last save; ``next_rule`` / ``next_due`` are the earliest due date among the rows not done.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, case as sql_case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from handover import family
from handover.case import get_path
from handover.forms import directions
from handover.dates import parse_iso
from handover.deadlines import compute_deadlines, due_date
from handover.protocol import REQUEST_RULE, Protocol, default_protocol, parse_protocol
from handover.store.models import DeadlineRow, Handover, PersonRow, ProtocolVersion, Version

__all__ = ["summary_columns", "people_rows", "sync_people", "deadline_rows", "sync_deadlines", "active_protocol", "recompute_all_deadlines",
           "local_date", "next_deadline", "check_counts", "list_columns", "sync_current", "refresh_next_due"]

_ANY_DAY = date(2000, 1, 1)   # compute_deadlines needs an as-of date; stored columns do not depend on it


def _text(value: Any, limit: int = 200) -> str:
    """A searchable column's text: PostgreSQL's text cannot hold NUL (the document keeps it, escaped)."""
    return value.replace("\x00", "").strip()[:limit] if isinstance(value, str) else ""


def summary_columns(case: dict[str, Any]) -> dict[str, Any]:
    """The handover columns that come from the case document (/1 or /2): the ``child_*`` columns are the
    first moving child's (the first child's when none moves), ``child_names`` every moving child's."""
    direction = case.get("direction")
    doc = family.view(case)
    moving = family.moving_children(doc) or [p for p in family.people(doc) if p.kind == "child"]
    child = moving[0].entry if moving else {}
    return {
        "direction": direction if direction in directions() else "",
        "child_given_name": _text(child.get("given_name")),
        "child_family_name": _text(child.get("family_name")),
        "child_dob": parse_iso(child.get("date_of_birth")),
        "child_nhs_number": _text(child.get("nhs_number"), 20),
        "child_names": _names_column(family.children_names(doc)),
        "decision_date": parse_iso(get_path(case, "transition.decision_date")),
    }


def _names_column(names: str, limit: int = 400) -> str:
    """The moving children's names for the column: cut at a name, never inside one ("A, B and 12 more")."""
    names = _text(names, 100_000)
    if len(names) <= limit:
        return names
    kept = names[:limit - 20].rsplit(", ", 1)[0]
    more = names.count(", ") - kept.count(", ")
    return f"{kept} and {more} more"


def people_rows(case: dict[str, Any], handover_id: int | None = None) -> list[dict[str, Any]]:
    """One dict per child and household member of ``case``, ready for a bulk insert into ``people``."""
    doc = family.view(case)
    records = family.records_for(doc)
    rows = []
    for p in family.people(doc):
        e = p.entry
        if p.kind == "child":
            given, surname = _text(e.get("given_name")), _text(e.get("family_name"))
            full = f"{given} {surname}"
        else:
            given, surname, full = "", "", _text(e.get("name"))
        agencies, risks = records.get(p.ref, (frozenset(), frozenset()))
        rows.append({"handover_id": handover_id, "ref": p.ref[:16], "kind": "child" if p.kind == "child" else "member",
                     "moves": p.kind == "child" and e.get("moves") is not False,
                     "given_name": given, "family_name": surname, "name_key": family.person_key(full)[:400],
                     "dob": parse_iso(e.get("date_of_birth")),
                     "nhs_number": "".join(ch for ch in _text(e.get("nhs_number"), 40) if ch.isdigit())[:20],
                     "agency_types": " ".join(sorted(agencies)), "risk_factors": " ".join(sorted(risks))})
    return rows


def sync_people(session: Session, handover: Handover, case: dict[str, Any]) -> None:
    """Replace a handover's people rows with those of ``case``."""
    session.execute(delete(PersonRow).where(PersonRow.handover_id == handover.id))
    rows = people_rows(case, handover.id)
    if rows:
        session.execute(insert(PersonRow), rows)


def deadline_rows(case: dict[str, Any], protocol: Protocol, handover_id: int | None = None,
                  team_id: int | None = None) -> list[dict[str, Any]]:
    """One dict per rule of the case's direction, ready for a bulk insert into ``deadlines``."""
    rows = []
    for d in compute_deadlines(case, _ANY_DAY, protocol):
        rows.append({"handover_id": handover_id, "team_id": team_id, "rule": d.rule,
                     "working_days": d.working_days, "starts": d.starts, "due": d.due, "done": d.done,
                     "late": bool(d.due and d.done and d.done > d.due), "path": d.path[:40],
                     "agency_type": (d.agency_type or None) and d.agency_type[:60],
                     "priority": d.priority if isinstance(d.priority, str) and len(d.priority) <= 10 else None})
    return rows


def sync_deadlines(session: Session, handover: Handover, case: dict[str, Any],
                   protocol: Protocol) -> list[dict[str, Any]]:
    """Replace a handover's deadline rows with those of ``case`` (returned)."""
    session.execute(delete(DeadlineRow).where(DeadlineRow.handover_id == handover.id))
    rows = deadline_rows(case, protocol, handover.id, handover.team_id)
    if rows:
        session.execute(insert(DeadlineRow), rows)
    return rows


def local_date(now: datetime) -> date:
    """The date in England of an aware ``now`` (the as-of date of checks made when saving)."""
    try:
        from zoneinfo import ZoneInfo

        return now.astimezone(ZoneInfo("Europe/London")).date()
    except Exception:  # no time-zone database: UTC is at most an hour out
        return now.astimezone(timezone.utc).date()


def next_deadline(rows: Sequence[dict[str, Any]]) -> tuple[str | None, date | None]:
    """(rule, due) of the earliest due date among rows not done (ties: rule name), or (None, None)."""
    open_rows = [(r["due"], r["rule"]) for r in rows if r["done"] is None and r["due"] is not None]
    if not open_rows:
        return None, None
    due, rule = min(open_rows)
    return rule, due


def check_counts(case: dict[str, Any], protocol: Protocol, as_of: date) -> tuple[int, int]:
    """(errors, warnings) that :func:`handover.checks.check_case` finds."""
    from handover.checks import check_case

    result = check_case(case, as_of, protocol)
    errors = len(result.errors)
    return errors, len(result.findings) - errors


def list_columns(case: dict[str, Any], protocol: Protocol, as_of: date,
                 rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The case list's stored columns for a version checked on ``as_of`` with deadline ``rows``."""
    errors, warnings = check_counts(case, protocol, as_of)
    rule, due = next_deadline(rows)
    return {"error_count": errors, "warning_count": warnings, "checked_on": as_of, "next_rule": rule,
            "next_due": due}


def sync_current(session: Session, handover: Handover, case: dict[str, Any], protocol: Protocol,
                 as_of: date) -> None:
    """Bring every derived column and the deadline rows in step with ``case``, the current version."""
    for k, val in summary_columns(case).items():
        setattr(handover, k, val)
    session.flush()
    sync_people(session, handover, case)
    rows = sync_deadlines(session, handover, case, protocol)
    for k, val in list_columns(case, protocol, as_of, rows).items():
        setattr(handover, k, val)


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


def _timeliness_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Handover id → (overdue rows as of its ``checked_on``, late rows): the deadline findings stored in
    its error and warning counts (check_case gives one ``overdue`` or ``late`` finding per rule)."""
    over = sql_case((and_(DeadlineRow.done.is_(None), DeadlineRow.due < Handover.checked_on), 1), else_=0)
    late = sql_case((DeadlineRow.late, 1), else_=0)
    q = (select(DeadlineRow.handover_id, func.sum(over), func.sum(late))
         .join(Handover, Handover.id == DeadlineRow.handover_id)
         .where(Handover.checked_on.is_not(None)).group_by(DeadlineRow.handover_id))
    return {hid: (int(o or 0), int(la or 0)) for hid, o, la in session.execute(q)}


def refresh_next_due(session: Session, handover_ids: Sequence[int] | None = None) -> None:
    """Recompute ``next_rule`` / ``next_due`` from the stored deadline rows (all, or some handovers).

    Picked in Python from one ordered read of the open rows and written back in bulk: a correlated
    subquery per handover made SQLite scan every open deadline for each handover (quadratic).
    """
    from sqlalchemy import bindparam

    q = select(DeadlineRow.handover_id, DeadlineRow.rule, DeadlineRow.due, DeadlineRow.done)
    ids = None if handover_ids is None else list(handover_ids)
    if ids is not None:
        if not ids:
            return
        q = q.where(DeadlineRow.handover_id.in_(ids))
    best: dict[int, tuple[Any, str]] = {}
    for hid, rule, due, done in session.execute(q):
        if done is None and due is not None:
            cur = best.get(hid)
            if cur is None or (due, rule) < cur:
                best[hid] = (due, rule)
    targets = ids if ids is not None else list(session.scalars(select(Handover.id)))
    stmt = (update(Handover.__table__).where(Handover.__table__.c.id == bindparam("hid"))
            .values(next_due=bindparam("nd"), next_rule=bindparam("nr")))
    for start in range(0, len(targets), 5000):
        chunk = targets[start:start + 5000]
        session.execute(stmt, [{"hid": h, "nd": best.get(h, (None, None))[0], "nr": best.get(h, (None, None))[1]}
                               for h in chunk])


def recompute_all_deadlines(session: Session, protocol: Protocol) -> int:
    """Recompute every handover's deadline rows for a new protocol; returns the number of handovers.

    The start and done dates do not depend on the protocol, so when the new protocol has the same rules
    only the due dates are recomputed from the stored rows (one pass, no case is parsed); when rules
    were added or removed every current version is read again. The list columns follow: the next due
    date, and the error and warning counts, whose only protocol-dependent findings are ``overdue`` and
    ``late`` (one per deadline row): the counts change by the difference in those, as of each
    handover's ``checked_on``, so no case is re-checked.
    """
    before = _timeliness_counts(session)
    n = _recompute_rows(session, protocol)
    after = _timeliness_counts(session)
    deltas = {}
    for hid in before.keys() | after.keys():
        (o1, l1), (o2, l2) = before.get(hid, (0, 0)), after.get(hid, (0, 0))
        if (o1, l1) != (o2, l2):
            deltas[hid] = (o2 - o1, l2 - l1)
    if deltas:
        ids = list(deltas)
        current = {}
        for i in range(0, len(ids), 5000):
            current.update({hid: (e, w) for hid, e, w in session.execute(
                select(Handover.id, Handover.error_count, Handover.warning_count)
                .where(Handover.id.in_(ids[i:i + 5000])))})
        updates = [{"id": hid, "error_count": max(0, current[hid][0] + de),
                    "warning_count": max(0, current[hid][1] + dw)} for hid, (de, dw) in deltas.items()]
        for i in range(0, len(updates), 5000):
            session.execute(update(Handover), updates[i:i + 5000])
    refresh_next_due(session)
    return n


def _recompute_rows(session: Session, protocol: Protocol) -> int:
    from handover.calendar import calendar_for

    cal = calendar_for(protocol.region)
    stored = {(d, r) for d, r in session.execute(
        select(Handover.direction, DeadlineRow.rule).join(Handover, Handover.id == DeadlineRow.handover_id)
        .where(DeadlineRow.rule != REQUEST_RULE).distinct())}
    requests = protocol.requests
    wanted = {(d, r.rule) for d, rules in protocol.rules.items() for r in rules}
    if stored <= wanted and _all_rules_present(session, protocol):
        days = {(d, r.rule): r.working_days for d, rules in protocol.rules.items() for r in rules}
        cache: dict[tuple[date, int], date] = {}
        updates = []
        q = (select(DeadlineRow.id, Handover.direction, DeadlineRow.rule, DeadlineRow.starts, DeadlineRow.done,
                    DeadlineRow.priority)
             .join(Handover, Handover.id == DeadlineRow.handover_id).execution_options(yield_per=5000))
        for rid, direction, rule, starts, done, priority in session.execute(q):
            if rule == REQUEST_RULE:   # a request for information: its priority's days (SPEC section 7.3)
                got = requests.days(priority) if requests is not None else None
                if got is None:
                    continue
                n = got
            else:
                n = days[(direction, rule)]
            due = None
            if starts is not None:
                due = cache.get((starts, n))
                if due is None:
                    due = cache[(starts, n)] = due_date(cal, starts, n)
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
                                .where(Handover.direction == direction, DeadlineRow.rule != REQUEST_RULE)) or 0
        if n_rows != n_handovers * len(rules):
            return False
    return True


# ---------------------------------------------------------------- counting many stored versions at once
#
# Used by migration 0003 to fill the list columns of an existing database: the checks are CPU-bound
# (about 1 ms a case), so a large database is checked by a pool of worker processes. The worker
# function lives here, in an importable module, so that a spawned process can find it.

_worker_protocols: dict[str | None, Protocol] = {}


def count_stored_versions(protocol_document: str | None,
                          items: Sequence[tuple[int, str, Any]]) -> list[tuple[int, int, int, date] | None]:
    """For (handover id, stored document text, version ``created_at``) items: (id, errors, warnings,
    checked_on) as a save on that date would store, or None for a version that cannot be checked.

    ``created_at`` is the stored naive UTC datetime (or its ISO text). ``protocol_document`` is the
    stored protocol's JSON text, None for the bundled default (parsed once per process).
    """
    protocol = _worker_protocols.get(protocol_document)
    if protocol is None:
        protocol = (parse_protocol(json.loads(protocol_document), "stored protocol") if protocol_document
                    else default_protocol())
        _worker_protocols[protocol_document] = protocol
    loads = json.loads
    out: list[tuple[int, int, int, date] | None] = []
    for hid, document, created_at in items:
        try:
            if isinstance(created_at, str):
                created_at = datetime.fromisoformat(created_at)
            as_of = local_date(created_at.replace(tzinfo=timezone.utc))
            errors, warnings = check_counts(loads(document), protocol, as_of)
        except Exception:  # noqa: BLE001 - an uncheckable old document must not block an upgrade
            out.append(None)
            continue
        out.append((hid, errors, warnings, as_of))
    return out

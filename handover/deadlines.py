"""Deadlines: a protocol, a case and an as-of date give each rule's due date and status (SPEC.md §4), and
each request for information's (§7.3: rule ``information_request``, with its ``path`` and ``agency_type``).

"Within N working days of D" is the Nth working day after D; within 0 working days is D itself when D
is a working day, else the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handover.calendar import calendar_for
from handover.case import get_path
from handover.dates import parse_iso
from handover.protocol import REQUEST_RULE, Protocol, default_protocol

__all__ = ["Deadline", "compute_deadlines", "due_date", "STATUSES"]

STATUSES = ("not_started", "met", "late", "due", "overdue")


@dataclass(frozen=True)
class Deadline:
    rule: str
    starts: date | None
    due: date | None
    done: date | None
    status: str
    working_days_overdue: int
    basis: str
    working_days: int = 0       #: the timescale
    done_path: str = ""         #: the field that meets it (where a finding points)
    starts_path: str = ""
    path: str = ""              #: for a request for information: which one (``information_requests[0]``)
    agency_type: str | None = None   #: for a request for information: the agency asked
    priority: str | None = None      #: for a request for information: red, amber or green
    agency_name: str = ""            #: for a request for information: the agency asked, by name

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        out = {"rule": self.rule, "starts": iso(self.starts), "due": iso(self.due), "done": iso(self.done),
               "status": self.status, "working_days_overdue": self.working_days_overdue, "basis": self.basis,
               "agency_type": self.agency_type}
        if self.path:   # a request for information: which one (SPEC.md section 7.3)
            out["path"] = self.path
        return out


def due_date(cal: Any, starts: date, working_days: int) -> date:
    """Within ``working_days`` of ``starts``: the Nth working day after it; for 0, ``starts`` itself when it
    is a working day, else the next working day."""
    if working_days == 0 and not cal.is_working_day(starts):
        return cal.add_working_days(starts, 1)
    return cal.add_working_days(starts, working_days)


def _status(cal: Any, due: date, done: date | None, as_of: date) -> tuple[str, int]:
    if done is not None:
        status = "met" if done <= due else "late"
        return status, (cal.working_days_between(due, done) if status == "late" else 0)
    if as_of <= due:
        return "due", 0
    return "overdue", cal.working_days_between(due, as_of)


def compute_deadlines(case: dict[str, Any], as_of: date, protocol: Protocol | None = None) -> list[Deadline]:
    """One Deadline per rule of the case's direction, in protocol order, then one per request for
    information, in the case's order. Pure: same input, same output."""
    protocol = protocol or default_protocol()
    cal = calendar_for(protocol.region)
    out: list[Deadline] = []
    for rule in protocol.rules_for(case.get("direction")):
        starts = parse_iso(get_path(case, rule.starts))
        done = parse_iso(get_path(case, rule.done))
        common = dict(rule=rule.rule, basis=rule.basis, working_days=rule.working_days,
                      done_path=rule.done, starts_path=rule.starts)
        if starts is None:
            out.append(Deadline(starts=None, due=None, done=done, status="not_started",
                                working_days_overdue=0, **common))
            continue
        due = due_date(cal, starts, rule.working_days)
        status, over = _status(cal, due, done, as_of)
        out.append(Deadline(starts=starts, due=due, done=done, status=status, working_days_overdue=over, **common))
    out.extend(_request_deadlines(case, as_of, protocol, cal))
    return out


def _request_deadlines(case: dict[str, Any], as_of: date, protocol: Protocol, cal: Any) -> list[Deadline]:
    """Each request for information is due within its priority's working days of the day it was sent. A
    request whose priority is not one of the protocol's has no deadline (the check reports the value)."""
    items = case.get("information_requests")
    if not isinstance(items, list) or not items:
        return []
    timescales = protocol.requests
    if timescales is None:
        return []
    out = []
    for i, r in enumerate(items):
        if not isinstance(r, dict):
            continue
        days = timescales.days(r.get("priority"))
        if days is None:
            continue
        response = r.get("response")
        starts = parse_iso(r.get("sent"))
        done = parse_iso(response.get("date")) if isinstance(response, dict) else None
        agency = r.get("agency_type") if isinstance(r.get("agency_type"), str) else None
        name = r.get("agency_name") if isinstance(r.get("agency_name"), str) else ""
        common = dict(rule=REQUEST_RULE, basis=timescales.basis, working_days=days,
                      done_path=f"information_requests[{i}].response.date", starts_path=f"information_requests[{i}].sent",
                      path=f"information_requests[{i}]", agency_type=agency, priority=r.get("priority"),
                      agency_name=name.strip())
        if starts is None:
            out.append(Deadline(starts=None, due=None, done=done, status="not_started", working_days_overdue=0,
                                **common))
            continue
        due = due_date(cal, starts, days)
        status, over = _status(cal, due, done, as_of)
        out.append(Deadline(starts=starts, due=due, done=done, status=status, working_days_overdue=over, **common))
    return out

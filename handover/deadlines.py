"""Deadlines: a protocol, a case and an as-of date give each rule's due date and status (SPEC.md §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from handover.calendar import calendar_for
from handover.case import get_path
from handover.dates import parse_iso
from handover.protocol import Protocol, default_protocol

__all__ = ["Deadline", "compute_deadlines", "STATUSES"]

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

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"rule": self.rule, "starts": iso(self.starts), "due": iso(self.due), "done": iso(self.done),
                "status": self.status, "working_days_overdue": self.working_days_overdue, "basis": self.basis}


def compute_deadlines(case: dict[str, Any], as_of: date, protocol: Protocol | None = None) -> list[Deadline]:
    """One Deadline per rule of the case's direction, in protocol order. Pure: same input, same output."""
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
        due = cal.add_working_days(starts, rule.working_days)
        if done is not None:
            status = "met" if done <= due else "late"
            over = cal.working_days_between(due, done) if status == "late" else 0
        elif as_of <= due:
            status, over = "due", 0
        else:
            status, over = "overdue", cal.working_days_between(due, as_of)
        out.append(Deadline(starts=starts, due=due, done=done, status=status, working_days_overdue=over, **common))
    return out

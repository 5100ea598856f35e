"""Timeliness: a deadline passed with its event not done (``overdue``), or done after it (``late``)."""

from __future__ import annotations

from typing import Iterator

from handover import labels
from handover.checks import Context, Finding
from handover.dates import spoken
from handover.deadlines import Deadline
from handover.protocol import REQUEST_RULE
from handover.vocab import vocab

__all__ = ["run", "RULE_WORDS"]

#: what each rule's event is, for messages (``rules.<rule>.event`` of resources/labels.yaml; a rule not
#: there reads as its own words, see :func:`handover.labels.rule_event`)
RULE_WORDS: dict[str, str] = {rule: entry["event"] for rule, entry in labels.labels_table("rules").items()
                              if entry.get("event")}


def _what(d: Deadline) -> str:
    """What the deadline is to do; a request for information's names the agency and its priority."""
    what = labels.rule_event(d.rule)
    if d.rule == REQUEST_RULE:
        agency = d.agency_name or vocab().label("agency_types", d.agency_type)
        priority = vocab().label("request_priority", d.priority).lower()
        what = f"{what} ({agency}, {priority}, sent {spoken(d.starts) if d.starts else 'undated'})"
    return what


def run(ctx: Context) -> Iterator[Finding]:
    for d in ctx.deadlines:
        what = _what(d)
        detail = {"rule": d.rule, "starts": d.starts.isoformat() if d.starts else None,
                  "due": d.due.isoformat() if d.due else None, "done": d.done.isoformat() if d.done else None,
                  "working_days_overdue": d.working_days_overdue, "basis": d.basis}
        if d.rule == REQUEST_RULE:
            detail.update(path=d.path, agency_type=d.agency_type, priority=d.priority)
        days = f"{d.working_days_overdue} working day{'s' if d.working_days_overdue != 1 else ''}"
        if d.status == "overdue":
            yield Finding("overdue", d.done_path,
                          f"Overdue by {days}: the deadline to {what} was {spoken(d.due)}. Do it now, or record "
                          "the date it was done.", detail)
        elif d.status == "late":
            yield Finding("late", d.done_path,
                          f"Done late, by {days}: the deadline to {what} was {spoken(d.due)} and it was done on "
                          f"{spoken(d.done)}.", detail)

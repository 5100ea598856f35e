"""Timeliness: a deadline passed with its event not done (``overdue``), or done after it (``late``)."""

from __future__ import annotations

from typing import Iterator

from handover import labels
from handover.checks import Context, Finding

__all__ = ["run", "RULE_WORDS"]

#: what each rule's event is, for messages (``rules.<rule>.event`` of resources/labels.yaml; a rule not
#: there reads as its own words, see :func:`handover.labels.rule_event`)
RULE_WORDS: dict[str, str] = {rule: entry["event"] for rule, entry in labels.labels_table("rules").items()
                              if entry.get("event")}


def run(ctx: Context) -> Iterator[Finding]:
    for d in ctx.deadlines:
        what = labels.rule_event(d.rule)
        detail = {"rule": d.rule, "starts": d.starts.isoformat() if d.starts else None,
                  "due": d.due.isoformat() if d.due else None, "done": d.done.isoformat() if d.done else None,
                  "working_days_overdue": d.working_days_overdue, "basis": d.basis}
        days = f"{d.working_days_overdue} working day{'s' if d.working_days_overdue != 1 else ''}"
        if d.status == "overdue":
            yield Finding("overdue", d.done_path,
                          f"Overdue by {days}: the deadline to {what} was {d.due.isoformat()}. Do it now, or record "
                          "the date it was done.", detail)
        elif d.status == "late":
            yield Finding("late", d.done_path,
                          f"Done late, by {days}: the deadline to {what} was {d.due.isoformat()} and it was done on "
                          f"{d.done.isoformat()}.", detail)

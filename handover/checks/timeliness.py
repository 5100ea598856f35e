"""Timeliness: a deadline passed with its event not done (``overdue``), or done after it (``late``)."""

from __future__ import annotations

from typing import Iterator

from handover.checks import Context, Finding

__all__ = ["run", "RULE_WORDS"]

#: what each rule's event is, for messages
RULE_WORDS = {
    "lead_professional_agreed": "agree the lead professional",
    "pack_sent": "send the handover pack to early help",
    "handover_meeting": "hold the handover meeting",
    "acknowledged": "acknowledge the handover pack",
    "csc_decision": "decide on the referral",
    "referrer_informed": "tell early help of the decision",
    "assessment_completed": "complete the assessment",
}


def run(ctx: Context) -> Iterator[Finding]:
    for d in ctx.deadlines:
        what = RULE_WORDS.get(d.rule, d.rule.replace("_", " "))
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

"""The receiving team's decisions with what they record: accepting (handover meeting held, lead
professional agreed) and returning (a coded reason and a note).

:func:`handover.store.service.move` records the receiving decision in ``sign_off.receiving``; accepting
also needs the meeting's held date and the agreed lead professional in the case. :func:`accept` writes
them and makes the move in one transaction, guarded by the row version the receiver loaded, so a
second person accepting or returning after the first is refused with a
:class:`~handover.store.errors.Conflict` naming who did it and when, and nothing of theirs is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from handover import workflow
from handover.labels import return_reason_label
from handover.case import get_path, set_path
from handover.store import service as svc
from handover.store.access import current_actor, load_handover
from handover.store.database import Store
from handover.store.errors import Actor, Invalid

__all__ = ["AcceptDetails", "accept", "return_handover", "REASON_LABELS", "next_deadline"]

#: plain-English labels for the coded return reasons (SPEC.md section 2), from resources/vocab.yaml
REASON_LABELS: dict[str, str] = {c: return_reason_label(c) for c in workflow.RETURN_REASONS}


@dataclass(frozen=True)
class AcceptDetails:
    held_date: date                  #: when the handover meeting was held
    lead_name: str                   #: the lead professional agreed
    lead_agency: str
    agreed_date: date                #: when the lead professional was agreed
    note: str = ""


def _check(d: AcceptDetails, today: date) -> None:
    if not d.lead_name.strip():
        raise Invalid("give the lead professional's name")
    if not d.lead_agency.strip():
        raise Invalid("give the lead professional's agency")
    for label, value in (("the handover meeting", d.held_date), ("the lead professional's agreement", d.agreed_date)):
        if value > today:
            raise Invalid(f"the date of {label} ({value.isoformat()}) is in the future")


def accept(store: Store, actor: Actor, case_id: str, details: AcceptDetails, *, now: datetime,
           expected_version: int, today: date | None = None) -> svc.MoveResult:
    """Record the meeting and the lead professional in the case and accept the handover, in one
    transaction: a rival's accept or return is refused with who did it and when, never "not found"."""
    _check(details, today or now.date())
    return svc.move(store, actor, case_id, "accept", now=now, note=details.note, expected_version=expected_version,
                    record=lambda case: _with_details(case, details))


def _with_details(case: dict[str, Any], d: AcceptDetails) -> dict[str, Any]:
    import json

    out = json.loads(json.dumps(case))
    lead = get_path(out, "plan.lead_professional", None)
    lead = dict(lead) if isinstance(lead, dict) else {}
    lead.update(name=d.lead_name.strip(), agency=d.lead_agency.strip(), agreed_date=d.agreed_date.isoformat())
    lead.setdefault("contact", "")
    set_path(out, "plan.lead_professional", lead)
    set_path(out, "plan.handover_meeting.held_date", d.held_date.isoformat())
    return out


def return_handover(store: Store, actor: Actor, case_id: str, reason_code: str, note: str, *, now: datetime,
                    expected_version: int) -> svc.MoveResult:
    """Return the handover to the sending team with a coded reason and a note (both required)."""
    if reason_code not in workflow.RETURN_REASONS:
        raise Invalid(f"choose a reason for returning it (one of {', '.join(workflow.RETURN_REASONS)})")
    if not (note or "").strip():
        raise Invalid("say in a note what the sending team needs to do")
    return svc.move(store, actor, case_id, "return", now=now, reason_code=reason_code, note=note,
                    expected_version=expected_version)


def next_deadline(store: Store, case_id: str, as_of: date, *, actor: Actor | None = None) -> tuple[str, date] | None:
    """The earliest open deadline of a handover (rule, due), from the stored deadline rows.

    With ``actor``, only of a handover the actor may see (else :class:`~handover.store.errors.NotFound`;
    administrators :class:`~handover.store.errors.Denied`), as :func:`handover.store.service.get_handover`.
    Without it, unchecked: for callers that have just opened the case for that actor."""
    from sqlalchemy import select

    from handover.store.models import DeadlineRow, Handover

    with store.read() as s:
        if actor is not None:
            load_handover(s, current_actor(s, actor), case_id)
        row = s.execute(select(DeadlineRow.rule, DeadlineRow.due)
                        .join(Handover, Handover.id == DeadlineRow.handover_id)
                        .where(Handover.case_id == case_id, DeadlineRow.done.is_(None), DeadlineRow.due.is_not(None))
                        .order_by(DeadlineRow.due).limit(1)).first()
        return (row[0], row[1]) if row else None

"""The handover workflow (SPEC.md section 2): states, moves, and who may make each move.

Pure data and functions, no database: the store's service layer asks :func:`refusal` before it moves
a handover, and the app asks the same function to decide which buttons to show.

``side`` says where the actor must sit: ``sending`` (the handover's team), ``receiving`` (the team it
is sent to). Roles: practitioner, manager, receiver, administrator.

The moves are rules and live here; what they are called (their buttons, past tenses, what happens
next) and the return reasons are in ``resources/`` and read through :mod:`handover.labels`.
``ACTION_LABELS`` and ``RETURN_REASONS`` are kept, built from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from handover import labels

__all__ = ["STATES", "OPEN_STATES", "RECEIVED_STATES", "RECEIVING_RECORDS", "receiving_records", "RETURN_REASONS", "Move", "MOVES", "ROLES",
           "refusal", "allowed_actions", "can_view", "can_edit", "side_of", "ACTION_LABELS",
           "CHECKED_MOVES", "blocking", "stops", "record_preparer", "CLEARED_BY"]

STATES = ("draft", "awaiting_authorisation", "authorised", "sent", "acknowledged", "accepted", "closed")
#: states in which the receiving team sees the handover
RECEIVED_STATES = ("sent", "acknowledged", "accepted", "closed")
#: what may still change once a handover is sent (SPEC section 2: "the receiving team changes only what is
#: theirs to record"): the meeting held, the lead professional agreed, the receiving sign-off, and the
#: events the receiving team is due to record (the sending team's pack_sent is not among them)
RECEIVING_RECORDS = ("plan.handover_meeting", "plan.lead_professional", "sign_off.receiving",
                     "events.acknowledged", "events.csc_decision", "events.referrer_informed",
                     "events.assessment_completed")
OPEN_STATES = STATES[:-1]
ROLES = ("practitioner", "manager", "receiver", "administrator")
#: the codes a receiving team returns a handover with (SPEC.md section 2), from resources/vocab.yaml
RETURN_REASONS: tuple[str, ...] = labels.return_reasons()


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str
    allowed: frozenset[tuple[str, str]]     #: (role, side) pairs
    needs_reason_code: bool = False
    needs_note: bool = False
    #: the checks stand in front of it: it is made only when they find no error (see :func:`blocking`)
    checked: bool = False
    #: what the move itself records, or leaves to a later move: errors there do not stop it
    leaves: tuple[str, ...] = ()
    #: finding codes that do not stop it: a deadline already passed is recorded and chased, but it is no
    #: reason to keep a handover from the manager (many of those events happen only after it moves)
    ignores: tuple[str, ...] = ()


def _pairs(*items: str) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(i.split("@")) for i in items)  # type: ignore[misc]


MOVES: dict[str, Move] = {m.action: m for m in (
    # the preparer's sign-off is filled from the account when authorisation is requested (record_preparer,
    # before the check), and the manager's when they authorise
    Move("request_authorisation", ("draft",), "awaiting_authorisation",
         _pairs("practitioner@sending", "manager@sending"), checked=True,
         leaves=("sign_off.sending_manager",), ignores=("overdue",)),
    Move("send_back", ("awaiting_authorisation",), "draft", _pairs("manager@sending"), needs_note=True),
    Move("authorise", ("awaiting_authorisation",), "authorised", _pairs("manager@sending"), checked=True,
         leaves=("sign_off.sending_manager",)),
    Move("send", ("authorised",), "sent", _pairs("practitioner@sending", "manager@sending")),
    Move("acknowledge", ("sent",), "acknowledged", _pairs("receiver@receiving", "manager@receiving")),
    Move("accept", ("acknowledged",), "accepted", _pairs("receiver@receiving", "manager@receiving")),
    Move("return", ("sent", "acknowledged"), "draft", _pairs("receiver@receiving", "manager@receiving"),
         needs_reason_code=True, needs_note=True),
    Move("close", ("accepted",), "closed",
         _pairs("receiver@receiving", "manager@receiving", "manager@sending")),
)}

#: each move's button (resources/labels.yaml), in workflow order
ACTION_LABELS: dict[str, str] = {a: labels.action_label(a) for a in MOVES}


def side_of(team_id: int | None, handover_team: int | None, receiving_team: int | None) -> set[str]:
    """The sides a member of ``team_id`` sits on for a handover (possibly both, or none)."""
    sides = set()
    if team_id is not None and team_id == handover_team:
        sides.add("sending")
    if team_id is not None and team_id == receiving_team:
        sides.add("receiving")
    return sides


def refusal(action: str, role: str, sides: set[str], state: str) -> str | None:
    """None when the move is allowed, else the reason it is not (a sentence for the user)."""
    move = MOVES.get(action)
    if move is None:
        return f"'{action}' is not a workflow action"
    if not any((role, side) in move.allowed for side in sides):
        who = sorted({f"the {side} team's {r}" for r, side in move.allowed})
        return f"only {' or '.join(who)} can {labels.action_label(action).lower()} a handover"
    if state not in move.sources:
        return (f"a handover that is {labels.state_label(state).lower()} cannot be {labels.action_past(action)} "
                f"(only from {' or '.join(labels.state_label(s).lower() for s in move.sources)})")
    return None


def allowed_actions(role: str, sides: set[str], state: str) -> list[str]:
    """The moves this actor may make now, in workflow order (for the app's buttons)."""
    return [a for a in MOVES if refusal(a, role, sides, state) is None]


def can_view(role: str, sides: set[str], state: str) -> bool:
    """Managers see every handover; practitioners and receivers their team's, and those sent to it.

    Administrators manage users, teams and the protocol; they do not open case records.
    """
    if role == "manager":
        return True
    if role in ("practitioner", "receiver"):
        return "sending" in sides or ("receiving" in sides and state in RECEIVED_STATES)
    return False


def can_edit(role: str, sides: set[str], state: str) -> str | None:
    """None when this actor may save a new version now, else why not."""
    if role not in ("practitioner", "manager", "receiver"):
        return "administrators do not edit case records"
    if state == "closed":
        return "a closed handover cannot be changed"
    if state == "awaiting_authorisation":
        return "the handover is awaiting authorisation: a manager must send it back before it is changed"
    if state == "draft":
        if "sending" in sides and role in ("practitioner", "manager"):
            return None
        return "only the sending team's practitioners and managers edit a draft"
    if sides:   # authorised and later: either team records what happened, as a new version
        return None
    return "only the sending or receiving team can change this handover"


def receiving_records(path: str) -> bool:
    """Whether a case path (``plan.handover_meeting.held_date``) is one the receiving team records."""
    return any(path == p or path.startswith(p + ".") or path.startswith(p + "[") for p in RECEIVING_RECORDS)


#: the moves the checks stand in front of: a handover goes to the manager, and is frozen, only when the
#: checks find no error in it (the practitioner sees the same list on "Check your answers")
CHECKED_MOVES = tuple(a for a, m in MOVES.items() if m.checked)
#: what a handover coming back to draft forgets, so that nothing old looks current: the authorisation it
#: had and, for a step-down, the dates it was sent and acknowledged (sending it again records them
#: again; the pack-sent deadline still counts from the decision, so a late one stays late). What the
#: receiving team recorded (the meeting, the lead professional) stays, as the history of that attempt.
CLEARED_BY: dict[str, tuple[str, ...]] = {
    "return": ("sign_off.sending_manager", "events.pack_sent", "events.acknowledged"),
    "reopen": ("sign_off.sending_manager",),
}


def stops(errors: list, case: dict | None = None) -> list:
    """The errors that stop a final pack (SPEC 5): all of them. A one-child (/1) handover with a brother or
    sister in the household (``child_in_household_not_listed``) is stopped too: the editor adds them as a
    child in one click, which makes it a family (until the family editor, that finding did not stop a /1
    handover, since nobody could put it right). ``case`` is kept for callers that pass it."""
    return list(errors)


def blocking(action: str, errors: list, case: dict | None = None) -> list:
    """The errors (findings with a ``code`` and ``path``) that stop ``action``: none for a move the checks
    do not stand in front of; for the others every error that stops a final pack (:func:`stops`) but those
    the move leaves for later or ignores."""
    move = MOVES.get(action)
    if move is None or not move.checked:
        return []
    later = move.leaves
    return [e for e in stops(errors, case) if e.code not in move.ignores
            and not any(e.path == p or e.path.startswith(p + ".") for p in later)]


def record_preparer(case: dict, name: str, role: str, team: str, today: str) -> None:
    """Type nothing twice: a blank "Prepared by" is whoever puts the handover forward (their name, their
    role in the tool and team, today); a preparer typed in keeps their words and gets today's date."""
    from handover.case import get_path, set_path
    from handover.dates import is_blank as blank

    if blank(get_path(case, "sign_off.prepared_by.name", None)):
        words = labels.role_label(role) + (f", {team}" if team else "")
        set_path(case, "sign_off.prepared_by", {"name": name, "role": words, "date": today})
    elif blank(get_path(case, "sign_off.prepared_by.date", None)):
        set_path(case, "sign_off.prepared_by.date", today)

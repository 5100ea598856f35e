"""Who may see and do what: every access rule of the store, in one place (SPEC.md section 2).

- The actor is re-read from the database on every call (:func:`current_actor`): a disabled account,
  or a role or team changed since sign-in, counts from the next call on. On a shared PostgreSQL
  database, where each person connects as their own role, the actor *is* that role's users row, and
  PostgreSQL itself enforces these rules too (row-level security, grants, guard triggers:
  :mod:`handover.store.pg_access`); the checks here give people good messages.
- A practitioner or receiver sees their team's handovers and those sent to their team (once sent);
  managers see every handover and act for their own team; the command line's system actor sees and
  does everything.
- Administrators manage users, teams and the protocol but do not open case records: they are refused
  lists and cases (:func:`check_may_list`, :func:`load_handover`) and see dashboard numbers only
  (:func:`numbers_filter`).
- A handover the actor may not see is "not found" (:class:`~handover.store.errors.NotFound`), never
  "denied", so that its existence is not given away.

The rules of the workflow itself (which role on which side makes which move, who edits in which
state) are in :mod:`handover.workflow`; the functions here apply them to an actor and a stored
handover. Every other module of the store asks these functions; none repeats a rule.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from handover import workflow
from handover.store.errors import Actor, Denied, NotFound
from handover.store.models import Handover, User
from handover.users import fresh_actor

__all__ = ["current_actor", "sides_of", "visible_filter", "numbers_filter", "may_view", "load_handover",
           "check_may_list", "list_scope", "report_scope", "require_admin", "require_self_or_admin",
           "require_signed_in",
           "check_may_start", "check_in_a_team", "check_own_team", "edit_refusal", "check_may_edit",
           "check_may_assign", "check_may_move", "allowed_actions", "check_may_store_pack"]

_NO_CASE_RECORDS = "administrators manage users, teams and the protocol; they do not open case records"

# ------------------------------------------------------------------ who is acting


def current_actor(s: Session, actor: Actor) -> Actor:
    """The actor as the database knows them now (role, team, still active); a system actor as it is.

    On a person's own PostgreSQL connection the actor is the ``users`` row of the connection's role
    (``session_user``), whatever ``actor`` says: a hand-built :class:`Actor` (another user id, another
    role, ``system=True``) gains nothing there (:mod:`handover.store.pg_access`). Raises :class:`Denied`
    when the account is disabled or no longer exists."""
    from handover.store import pg_access

    if pg_access.is_person(s):
        return pg_access.session_actor(s)
    return fresh_actor(s, actor)


def require_signed_in(s: Session, actor: Actor) -> None:
    """Refuse a disabled or deleted account (for what everyone signed in may do, such as listing teams)."""
    actor = current_actor(s, actor)
    if actor.system:
        return
    user = s.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.active:
        raise Denied("your account is disabled or no longer exists")


def require_admin(s: Session, actor: Actor) -> Actor:
    """The current actor, if an administrator (or the system actor); else :class:`Denied`."""
    actor = current_actor(s, actor)
    if not actor.system and actor.role != "administrator":
        raise Denied("only an administrator can do this")
    return actor


def require_self_or_admin(s: Session, actor: Actor, username: str) -> Actor:
    """For what a user may do to their own account (an active one) and an administrator to anyone's."""
    actor = current_actor(s, actor)
    if not actor.system and actor.username == username:
        me = s.scalar(select(User).where(User.username == username))
        if me is None:
            raise NotFound(f"there is no user {username!r}")
        if not me.active:
            raise Denied("your account is disabled")
        return actor
    return require_admin(s, actor)


# ------------------------------------------------------------------ seeing handovers


def sides_of(actor: Actor, h: Handover) -> set[str]:
    """The sides of the handover the actor sits on: ``sending``, ``receiving``, both or none (the system
    actor: both)."""
    if actor.system:
        return {"sending", "receiving"}
    return workflow.side_of(actor.team_id, h.team_id, h.receiving_team_id)


def visible_filter(actor: Actor) -> ColumnElement[bool] | None:
    """The SQL condition on :class:`Handover` for the handovers the actor may see in lists and reports,
    or None for every handover (managers, the system actor). Matches :func:`may_view` row by row."""
    if actor.system or actor.role == "manager":
        return None
    if actor.role in ("practitioner", "receiver") and actor.team_id is not None:
        return or_(Handover.team_id == actor.team_id,
                   and_(Handover.receiving_team_id == actor.team_id,
                        Handover.state.in_(workflow.RECEIVED_STATES)))
    return false()


def numbers_filter(actor: Actor) -> ColumnElement[bool] | None:
    """The condition for counts and reports, which show numbers, not case records: as
    :func:`visible_filter`, except that administrators count every handover."""
    return None if actor.role == "administrator" else visible_filter(actor)


def may_view(actor: Actor, h: Handover) -> bool:
    """Whether the actor may open this handover."""
    return actor.system or workflow.can_view(actor.role, sides_of(actor, h), h.state)


def check_may_list(actor: Actor) -> None:
    """Refuse administrators (not the system actor) lists of case records: :class:`Denied`."""
    if actor.role == "administrator" and not actor.system:
        raise Denied(_NO_CASE_RECORDS)


def load_handover(s: Session, actor: Actor, case_id: str, *, related: bool = False) -> Handover:
    """The handover, if the actor may see it; administrators are refused (:class:`Denied`), and a
    handover that is absent or not visible is :class:`NotFound`.

    ``related``: also when the actor sits in its sending or receiving team, so that a receiver whose
    rival just returned it is told what happened rather than "not found".
    """
    check_may_list(actor)
    h = s.scalar(select(Handover).where(Handover.case_id == case_id))
    if h is not None and related and sides_of(actor, h):
        return h
    if h is None or not may_view(actor, h):
        raise NotFound(f"there is no handover {case_id!r} that you can see")
    return h


def list_scope(s: Session, actor: Actor) -> tuple[Actor, ColumnElement[bool] | None]:
    """For a list of case records: the current actor (administrators refused) and the visibility
    condition (:func:`visible_filter`)."""
    actor = current_actor(s, actor)
    check_may_list(actor)
    return actor, visible_filter(actor)


def report_scope(s: Session, actor: Actor) -> tuple[Actor, ColumnElement[bool] | None]:
    """For numbers (dashboard counts, reports): the current actor and :func:`numbers_filter`."""
    actor = current_actor(s, actor)
    return actor, numbers_filter(actor)


# ------------------------------------------------------------------ acting on handovers


def check_may_start(actor: Actor) -> None:
    """Only practitioners and managers (and the system actor) start handovers."""
    if not actor.system and actor.role not in ("practitioner", "manager"):
        raise Denied("only practitioners and managers start handovers")


def check_in_a_team(actor: Actor) -> None:
    """A new handover is sent by the actor's team, so the actor must be in one."""
    if not actor.system and actor.team_id is None:
        raise Denied("you are not in a team: ask an administrator to add you to one")


def check_own_team(actor: Actor, team_id: int | None) -> None:
    """A handover is started for the actor's own team (the system actor: any team)."""
    if not actor.system and team_id != actor.team_id:
        raise Denied("you can only start handovers for your own team")


def edit_refusal(actor: Actor, h: Handover) -> str | None:
    """None when the actor may save a new version of the handover now, else why not."""
    return None if actor.system else workflow.can_edit(actor.role, sides_of(actor, h), h.state)


def check_may_edit(actor: Actor, h: Handover) -> None:
    """:class:`Denied` with :func:`edit_refusal`'s reason when the actor may not save a new version."""
    refusal = edit_refusal(actor, h)
    if refusal:
        raise Denied(refusal)


def check_may_assign(actor: Actor, h: Handover) -> None:
    """Choosing the receiving team or owner is for the sending team's practitioners and managers."""
    if not actor.system and not ("sending" in sides_of(actor, h) and actor.role in ("practitioner", "manager")):
        raise Denied("only the sending team's practitioners and managers assign a handover")


def check_may_move(actor: Actor, h: Handover, spec: workflow.Move) -> None:
    """Whether the actor's role, on their side of the handover, may make this move at all (whatever the
    state: that is checked with the move)."""
    sides = sides_of(actor, h)
    if not actor.system and not any((actor.role, side) in spec.allowed for side in sides):
        raise Denied(workflow.refusal(spec.action, actor.role, sides, spec.sources[0]) or "not allowed")


def allowed_actions(actor: Actor, h: Handover) -> tuple[str, ...]:
    """The moves the actor may make now, in workflow order (the system actor: every move)."""
    if actor.system:
        return tuple(workflow.MOVES)
    return tuple(workflow.allowed_actions(actor.role, sides_of(actor, h), h.state))


def check_may_store_pack(actor: Actor, h: Handover) -> None:
    """Storing a signed pack is for the sending team's practitioners and managers."""
    if not actor.system and not ("sending" in sides_of(actor, h) and actor.role in ("practitioner", "manager")):
        raise Denied("only the sending team's practitioners and managers store a handover's signed pack")


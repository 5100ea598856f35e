"""The service layer the app and the CLI call: handovers, versions, workflow moves, dashboards.

Conventions (the contract for the desktop app):

- Every function takes the open :class:`~handover.store.database.Store` first and, where it acts for
  someone, an :class:`~handover.store.errors.Actor` (from :func:`handover.users.authenticate`).
  The actor's role, team and status are re-read from the database on every call.
- Nothing reads the clock: functions that write take ``now`` (an aware ``datetime``).
- Expected refusals raise a :class:`~handover.store.errors.ServiceError` subclass whose ``str()`` is
  one line for a dialog: :class:`Denied` (role or team), :class:`NotFound` (absent, or not visible to
  the actor), :class:`Invalid` (bad input), :class:`Conflict` (someone else got there first; its
  ``by``/``at``/``state`` say what they did). Anything else is a bug. Opening a database and signing in
  return result objects instead (:func:`open_database`, :func:`authenticate`).
- Access control lives in :mod:`handover.store.access` (applying :mod:`handover.workflow`): a
  practitioner or receiver sees their team's handovers and those sent to their team; managers see all
  and act for their own team; administrators manage users, teams and the protocol but do not open case
  records. Every function here asks it; none repeats a rule.
- Each write is one transaction; viewing a case is audited.

Administration (users, teams, protocol, first run) is in :mod:`handover.store.admin`, signed packs in
:mod:`handover.store.packs`; both are re-exported here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from handover import audit, family, workflow
from handover import labels
from handover.labels import action_done
from handover.case import CaseError, content_hash, dump_case, parse_case, set_path, get_path
from handover.store.access import (allowed_actions, check_in_a_team, check_may_assign, check_may_edit,
                                   check_may_list, check_may_move, check_may_start, check_own_team,
                                   current_actor, edit_refusal, list_scope, load_handover, may_view,
                                   report_scope, sides_of, visible_filter)
from handover.store.admin import (TeamInfo, UserInfo, create_first_admin, create_team, create_user,
                                  disable_user, enable_user, first_run_needed, get_protocol, list_teams,
                                  list_users, reset_password, set_protocol, set_role)
from handover.store.database import OpenResult, Store, open_database
from handover.store.diff import Change, diff_cases
from handover.store.errors import Actor, Conflict, Denied, Invalid, NotFound, ServiceError, system_actor
from handover.store.models import Handover, PersonRow, Team, User, Version, WorkflowEvent
from handover.store.packs import PackInfo, get_pack, list_packs, store_pack
from handover.store.queries import OverdueItem, counts_by_state as _counts, overdue_counts, overdue_items
from handover.store.sync import active_protocol, local_date, summary_columns, sync_current
from handover.users import AuthResult, authenticate

__all__ = [
    # opening and signing in
    "open_database", "OpenResult", "Store", "authenticate", "AuthResult", "Actor", "system_actor",
    # errors
    "ServiceError", "Denied", "NotFound", "Invalid", "Conflict",
    # handovers
    "HandoverSummary", "CaseView", "VersionInfo", "HistoryItem", "MoveResult", "ImportResult", "Filters",
    "create_handover", "import_case", "save_version", "get_handover", "export_document", "list_handovers",
    "count_handovers", "move", "history", "versions", "diff_versions", "Change", "assign",
    "ReasonsBack", "reasons_back",
    # signed packs (handover.store.packs)
    "PackInfo", "store_pack", "list_packs", "get_pack",
    # dashboards
    "dashboard_counts", "overdue", "overdue_summary", "OverdueItem",
    # administration (handover.store.admin)
    "TeamInfo", "UserInfo", "create_team", "list_teams", "create_user", "list_users", "set_role",
    "disable_user", "enable_user", "reset_password", "get_protocol", "set_protocol", "first_run_needed",
    "create_first_admin",
]

# ------------------------------------------------------------------ result types


@dataclass(frozen=True)
class HandoverSummary:
    """One row of the case list (and the header of an open case)."""

    case_id: str
    direction: str
    state: str
    child: str
    child_dob: date | None
    decision_date: date | None
    team: str
    team_id: int | None
    receiving_team: str
    receiving_team_id: int | None
    owner: str
    current_version: int
    authorised_version: int | None
    row_version: int            #: pass back as ``expected_version`` when saving
    updated_at: datetime
    #: check findings of the current version as of ``checked_on`` (the last save's date): ``overdue``
    #: errors that arose since are not counted; the app re-checks a case when it opens it
    error_count: int = 0
    warning_count: int = 0
    checked_on: date | None = None
    next_rule: str | None = None          #: the rule of the earliest deadline not yet done
    next_due: date | None = None          #: its due date (None when nothing is pending)


@dataclass(frozen=True)
class ReasonsBack:
    """Why a handover came back to draft: the manager's ``send_back`` or the receiving team's ``return``
    that was its last workflow move (SPEC.md section 2: whoever gets it back sees the reasons)."""

    case_id: str
    action: str                   #: "send_back" or "return"
    reason_code: str | None       #: one of :data:`handover.workflow.RETURN_REASONS`; None for a send-back
    note: str
    by: str                       #: who made the move (display name)
    at: datetime
    version: int                  #: the handover's version when the move was made


@dataclass(frozen=True)
class CaseView:
    """An opened case: the document of one version, and what the actor may do with it."""

    summary: HandoverSummary
    case: dict[str, Any]
    version: int
    frozen: bool
    content_hash: str
    allowed_actions: tuple[str, ...]
    edit_refusal: str | None      #: None when the actor may save a new version
    #: why it came back to draft, while it is a draft whose last move sent it back or returned it
    reasons_back: ReasonsBack | None = None
    #: the actor may sign this version's pack: a manager of the sending team, the version authorised
    can_sign: bool = False

    @property
    def can_edit(self) -> bool:
        return self.edit_refusal is None


@dataclass(frozen=True)
class VersionInfo:
    number: int
    content_hash: str
    frozen: bool
    created_by: str
    created_at: datetime
    note: str


@dataclass(frozen=True)
class HistoryItem:
    action: str
    from_state: str
    to_state: str
    actor: str
    actor_name: str
    at: datetime
    reason_code: str | None
    note: str
    version: int


@dataclass(frozen=True)
class MoveResult:
    summary: HandoverSummary
    event: HistoryItem
    new_version: int | None       #: the version the move wrote into the case (dates, sign-off), if any


@dataclass(frozen=True)
class ImportResult:
    case_id: str
    version: int
    created: bool                 #: a new handover
    unchanged: bool               #: identical to the current version: nothing written


@dataclass
class Filters:
    """Filters of the case list; every field optional."""

    states: Sequence[str] = ()
    direction: str | None = None
    team_id: int | None = None           #: sending team
    receiving_team_id: int | None = None
    scope: str = "all"                   #: "all" visible, "mine" (owner), "team" (sending), "incoming"
    search: str = ""                     #: child's name or case id, case-insensitive substring
    extra: list[Any] = field(default_factory=list)


_SORTS = {"updated_at": Handover.updated_at, "created_at": Handover.created_at, "case_id": Handover.case_id,
          "child": Handover.child_family_name, "state": Handover.state, "direction": Handover.direction,
          "decision_date": Handover.decision_date, "child_dob": Handover.child_dob,
          "due": Handover.next_due, "errors": Handover.error_count}
#: sort keys whose NULLs go last in either direction
_NULLS_LAST = {"due"}

# ------------------------------------------------------------------ helpers




#: the handover columns a summary needs: selected as columns, not as ORM objects (a list page is 200 rows)
_SUMMARY_COLUMNS = ("case_id", "direction", "state", "child_given_name", "child_family_name", "child_names",
                    "child_dob",
                    "decision_date", "team_id", "receiving_team_id", "current_version", "authorised_version",
                    "row_version", "updated_at", "error_count", "warning_count", "checked_on", "next_rule",
                    "next_due")


@cache
def _summary_query() -> Any:
    sending, receiving, owner = aliased(Team), aliased(Team), aliased(User)
    return (select(*(getattr(Handover, c) for c in _SUMMARY_COLUMNS), sending.name.label("team_name"),
                   receiving.name.label("receiving_name"), owner.display_name.label("owner_name"))
            .outerjoin(sending, sending.id == Handover.team_id)
            .outerjoin(receiving, receiving.id == Handover.receiving_team_id)
            .outerjoin(owner, owner.id == Handover.owner_id))


def _to_summary(r: Any) -> HandoverSummary:
    """A row of :func:`_summary_query` (columns read by name) as a summary."""
    return HandoverSummary(
        case_id=r.case_id, direction=r.direction, state=r.state,
        child=r.child_names or f"{r.child_given_name} {r.child_family_name}".strip(), child_dob=r.child_dob,
        decision_date=r.decision_date, team=r.team_name or "", team_id=r.team_id,
        receiving_team=r.receiving_name or "", receiving_team_id=r.receiving_team_id, owner=r.owner_name or "",
        current_version=r.current_version, authorised_version=r.authorised_version, row_version=r.row_version,
        updated_at=r.updated_at, error_count=r.error_count, warning_count=r.warning_count,
        checked_on=r.checked_on, next_rule=r.next_rule, next_due=r.next_due)


def _summary(s: Session, h: Handover) -> HandoverSummary:
    s.flush()
    s.refresh(h)
    return _to_summary(s.execute(_summary_query().where(Handover.id == h.id)).one())


def _validated(case: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Shape-check a document given as a dict; returns it re-parsed and its stored text."""
    if not isinstance(case, dict):
        raise Invalid("a case must be a JSON object")
    text = dump_case(case)
    try:
        return parse_case(text, "the case"), text
    except CaseError as e:
        raise Invalid(str(e)) from None


def _team_by_name(s: Session, name: str | None, *, create: bool, now: datetime) -> int | None:
    if not name:
        return None
    tid = s.scalar(select(Team.id).where(Team.name == name))
    if tid is None:
        if not create:
            raise NotFound(f"there is no team called {name!r}")
        t = Team(name=name, service="", created_at=now)
        s.add(t)
        s.flush()
        tid = t.id
    return tid


def _last_change(s: Session, h: Handover) -> tuple[str, datetime | None, str]:
    """Who last changed the handover, when, and how (for conflict messages)."""
    ev = s.scalar(select(WorkflowEvent).where(WorkflowEvent.handover_id == h.id)
                  .order_by(WorkflowEvent.id.desc()).limit(1))
    ver = s.scalar(select(Version).where(Version.handover_id == h.id).order_by(Version.number.desc()).limit(1))
    if ev is not None and (ver is None or ev.at >= ver.created_at):
        return ev.actor_name or ev.actor, ev.at, action_done(ev.action)
    if ver is not None:
        return ver.created_by, ver.created_at, f"changed (version {ver.number})"
    return "", None, "changed"




def _when(at: datetime | None) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at else "an unknown time"


def _conflict(s: Session, h: Handover, lead: str) -> Conflict:
    s.refresh(h)
    who, at, what = _last_change(s, h)
    return Conflict(f"{lead}: it was already {what} by {who or 'someone'} at {_when(at)} "
                    f"(now {h.state.replace('_', ' ')}, version {h.current_version})",
                    by=who, at=at, state=h.state, current_version=h.current_version)


def _claim(s: Session, h: Handover, expected_row_version: int, now: datetime, lead: str,
           **values: Any) -> None:
    """Compare-and-set on the row version: exactly one of two concurrent writers gets through."""
    res = s.execute(update(Handover)
                    .where(Handover.id == h.id, Handover.row_version == expected_row_version)
                    .values(row_version=expected_row_version + 1, updated_at=now, **values)
                    .execution_options(synchronize_session=False))
    if res.rowcount != 1:
        raise _conflict(s, h, lead)
    s.refresh(h)


def _add_version(s: Session, h: Handover, case: dict[str, Any], text: str, actor: Actor, now: datetime,
                 *, frozen: bool = False, note: str = "") -> Version:
    number = h.current_version + 1 if h.id is not None and s.scalar(
        select(func.count()).select_from(Version).where(Version.handover_id == h.id)) else 1
    v = Version(handover_id=h.id, number=number, document=text, content_hash=content_hash(case), frozen=frozen,
                created_by=actor.username, created_at=now, note=note[:500])
    s.add(v)
    h.current_version = number
    h.updated_at = now
    sync_current(s, h, case, active_protocol(s), local_date(now))
    return v


def _current_doc(s: Session, h: Handover, number: int | None = None) -> Version:
    v = s.scalar(select(Version).where(Version.handover_id == h.id,
                                       Version.number == (number or h.current_version)))
    if v is None:
        raise NotFound(f"handover {h.case_id!r} has no version {number}")
    return v


# ------------------------------------------------------------------ creating and saving


def create_handover(store: Store, actor: Actor, case: dict[str, Any], *, now: datetime,
                    receiving_team_id: int | None = None) -> HandoverSummary:
    """A new handover in ``draft`` from a case document; the actor's team sends it and the actor owns it."""
    case, text = _validated(case)
    with store.write() as s:
        actor = current_actor(s, actor)
        check_may_start(actor)
        check_in_a_team(actor)
        if s.scalar(select(Handover.id).where(Handover.case_id == case["id"])) is not None:
            raise Conflict(f"a handover with id {case['id']!r} already exists")
        h = _new_handover(s, case, actor, now, actor.team_id, receiving_team_id)
        _add_version(s, h, case, text, actor, now, note="created")
        audit.append(s, actor=actor.username, action="create", case_id=h.case_id, now=now,
                     detail={"version": 1})
        return _summary(s, h)


def _new_handover(s: Session, case: dict[str, Any], actor: Actor, now: datetime, team_id: int | None,
                  receiving_team_id: int | None) -> Handover:
    h = Handover(case_id=case["id"], state="draft", team_id=team_id, receiving_team_id=receiving_team_id,
                 owner_id=actor.user_id, current_version=0, row_version=1, created_at=now, updated_at=now,
                 **summary_columns(case))
    s.add(h)
    s.flush()
    return h


def import_case(store: Store, actor: Actor, data: bytes | str, *, now: datetime, source: str = "the case file",
                team: str | None = None, receiving_team: str | None = None) -> ImportResult:
    """Store a ``handover-case/1`` or ``/2`` file: a new handover, or a new version of the one with its id.

    The text is stored exactly as given, so :func:`export_document` gives back the same bytes of a /2
    file (a /1 file comes back upgraded). A file identical in content to the current version (or the
    same family read as /2) writes nothing. ``team``/``receiving_team`` are
    team names (the command line creates missing teams; others must exist). Malformed input raises
    :class:`Invalid` before anything is written.
    """
    try:
        case = parse_case(data, source)
    except CaseError as e:
        raise Invalid(str(e)) from None
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    with store.write() as s:
        actor = current_actor(s, actor)
        h = s.scalar(select(Handover).where(Handover.case_id == case["id"]))
        if h is None:
            check_may_start(actor)
            team_id = _team_by_name(s, team, create=actor.system, now=now) if team else actor.team_id
            check_own_team(actor, team_id)
            recv = _team_by_name(s, receiving_team, create=actor.system, now=now)
            h = _new_handover(s, case, actor, now, team_id, recv)
            _add_version(s, h, case, text, actor, now, note=f"imported from {source}")
            audit.append(s, actor=actor.username, action="import", case_id=h.case_id, now=now,
                         detail={"version": 1, "source": source, "hash": content_hash(case)})
            return ImportResult(h.case_id, 1, created=True, unchanged=False)
        if not may_view(actor, h):
            raise NotFound(f"a handover with id {case['id']!r} exists and you cannot see it")
        check_may_edit(actor, h)
        if _same_content(_current_doc(s, h), case):
            return ImportResult(h.case_id, h.current_version, created=False, unchanged=True)
        if h.state != "draft":   # the command line too: what was authorised or sent is not replaced by a file
            raise Denied(f"{h.case_id} is {labels.state_label(h.state).lower()}: a case file is imported as a new "
                         "version only while the handover is a draft")
        _claim(s, h, h.row_version, now, "not imported")
        v = _add_version(s, h, case, text, actor, now, note=f"imported from {source}")
        audit.append(s, actor=actor.username, action="import", case_id=h.case_id, now=now,
                     detail={"version": v.number, "source": source, "hash": v.content_hash})
        return ImportResult(h.case_id, v.number, created=False, unchanged=False)


def save_version(store: Store, actor: Actor, case_id: str, case: dict[str, Any], expected_version: int, *,
                 now: datetime, amend: bool = False, note: str = "") -> HandoverSummary:
    """Save an edited case as a new version.

    ``expected_version`` is the ``row_version`` the editor loaded; if anyone changed the handover since,
    :class:`Conflict` says who and when and nothing is written. ``amend=True`` (autosave) overwrites the
    current version instead when it is an unfrozen draft version written by the same actor. Saving a
    content-identical case writes nothing. A frozen (authorised) version is never changed.
    """
    case, text = _validated(case)
    if case["id"] != case_id:
        raise Invalid(f"the case's id is {case['id']!r}, not {case_id!r}: a handover's id cannot change")
    with store.write() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        check_may_edit(actor, h)
        if h.row_version != expected_version:
            raise _conflict(s, h, "your changes were not saved")
        current = _current_doc(s, h)
        if current.content_hash == content_hash(case):
            return _summary(s, h)
        values = {} if actor.system else _after_authorisation(h, sides_of(actor, h), json.loads(current.document),
                                                              case, case_id)
        if values.get("state") == "draft":   # the old authorisation does not travel into the new draft
            _clear(case, workflow.CLEARED_BY["reopen"])
            text = dump_case(case)
        _claim(s, h, expected_version, now, "your changes were not saved", **values)
        if values:
            s.add(WorkflowEvent(handover_id=h.id, action="reopen", from_state="authorised", to_state="draft",
                                actor=actor.username, actor_name=actor.display_name, at=now, reason_code=None,
                                note="changed after authorisation", version=h.current_version + 1))
            audit.append(s, actor=actor.username, action="move:reopen", case_id=case_id, now=now,
                         detail={"from": "authorised", "to": "draft", "version": h.current_version + 1})
        if amend and not current.frozen and h.state == "draft" and current.created_by == actor.username:
            current.document, current.content_hash, current.created_at = text, content_hash(case), now
            sync_current(s, h, case, active_protocol(s), local_date(now))
            number = current.number
        else:
            number = _add_version(s, h, case, text, actor, now, note=note).number
        audit.append(s, actor=actor.username, action="save", case_id=case_id, now=now,
                     detail={"version": number, "amended": bool(amend and number == current.number)})
        return _summary(s, h)


def _after_authorisation(h: Handover, sides: set[str], old: dict[str, Any], new: dict[str, Any],
                         case_id: str) -> dict[str, Any]:
    """What a save does to a handover past authorisation (SPEC section 2): while ``authorised`` a change
    returns it to draft, to be authorised again (the values to set); once sent, the receiving team records
    only what is theirs (:func:`handover.workflow.receiving_records`) and the sending team nothing (a
    return gives it back to them), else :class:`Denied`."""
    if h.state == "authorised":
        return {"state": "draft", "authorised_version": None}
    if h.state in workflow.RECEIVED_STATES:
        changed = [c.path for c in diff_cases(old, new)]
        if "receiving" not in sides:
            raise Denied(f"{case_id} has been sent: what the manager authorised stays as it is; ask the receiving "
                         "team to return it if it must change")
        outside = [p for p in changed if not workflow.receiving_records(p)]
        if outside:
            raise Denied(f"{case_id} was sent as its manager authorised it: only the handover meeting, the lead "
                         f"professional, the receiving sign-off and the receiving team's events are recorded now, "
                         f"not {_field_words(new, outside[0])} (return it if the rest must change)")
    return {}


def assign(store: Store, actor: Actor, case_id: str, *, now: datetime, receiving_team_id: int | None = None,
           owner_username: str | None = None) -> HandoverSummary:
    """Choose the receiving team and/or the owner (sending team's practitioners and managers, while open)."""
    with store.write() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        check_may_assign(actor, h)
        if h.state not in ("draft", "awaiting_authorisation", "authorised"):
            raise Denied(f"a handover that is {h.state.replace('_', ' ')} cannot be reassigned")
        values: dict[str, Any] = {}
        if receiving_team_id is not None:
            if s.get(Team, receiving_team_id) is None:
                raise NotFound("there is no such team")
            values["receiving_team_id"] = receiving_team_id
        if owner_username is not None:
            owner = s.scalar(select(User).where(User.username == owner_username))
            if owner is None or owner.team_id != h.team_id or not owner.active:
                raise Invalid(f"{owner_username!r} is not an active member of the sending team")
            values["owner_id"] = owner.id
        _claim(s, h, h.row_version, now, "not reassigned", **values)
        audit.append(s, actor=actor.username, action="assign", case_id=case_id, now=now,
                     detail={k: v for k, v in values.items()})
        return _summary(s, h)


# ------------------------------------------------------------------ reading


#: the workflow moves that put a handover back to draft for the sending team, with reasons
_BACK_ACTIONS = ("send_back", "return")


def _reasons_back(s: Session, where: Sequence[Any]) -> dict[str, ReasonsBack]:
    """case id → :class:`ReasonsBack` of the handovers matching ``where`` that are drafts whose last
    workflow event is a send-back or a return: one statement (the last event per handover found by
    ``max(id)`` on the ``(handover_id, id)`` index)."""
    last = (select(WorkflowEvent.handover_id, func.max(WorkflowEvent.id).label("last_id"))
            .join(Handover, Handover.id == WorkflowEvent.handover_id)
            .where(Handover.state == "draft", *where)
            .group_by(WorkflowEvent.handover_id).subquery())
    q = (select(Handover.case_id, WorkflowEvent.action, WorkflowEvent.reason_code, WorkflowEvent.note,
                WorkflowEvent.actor_name, WorkflowEvent.actor, WorkflowEvent.at, WorkflowEvent.version)
         .select_from(Handover)
         .join(last, last.c.handover_id == Handover.id)
         .join(WorkflowEvent, WorkflowEvent.id == last.c.last_id)
         .where(WorkflowEvent.action.in_(_BACK_ACTIONS)))
    return {r.case_id: ReasonsBack(case_id=r.case_id, action=r.action,
                                   reason_code=r.reason_code if r.action == "return" else None, note=r.note or "",
                                   by=r.actor_name or r.actor, at=r.at, version=r.version)
            for r in s.execute(q)}


def reasons_back(store: Store, actor: Actor, case_ids: Sequence[str]) -> dict[str, ReasonsBack]:
    """For a page of the case list: case id → why that handover came back to draft.

    Only the given handovers that the actor may see (the list's visibility), that are in ``draft``, and
    whose last workflow move was a manager's ``send_back`` or the receiving team's ``return``; others
    are absent. One query for the whole page. Administrators are refused (:class:`Denied`), as listing.
    """
    with store.read() as s:
        _, visible = list_scope(s, actor)
        ids = list(dict.fromkeys([case_ids] if isinstance(case_ids, str) else case_ids))
        if not ids:
            return {}
        where: list[Any] = [Handover.case_id.in_(ids)]
        if visible is not None:
            where.append(visible)
        return _reasons_back(s, where)


def _read_recorded(s: Session, actor: Actor, case_id: str, version: int | None, action: str,
                   now: datetime) -> tuple[Actor, Handover, Version]:
    """A version the actor may read, its reading recorded in the audit trail as ``action``."""
    actor = current_actor(s, actor)
    h = load_handover(s, actor, case_id)
    # hold the row (FOR SHARE on PostgreSQL; SQLite's write transaction is exclusive already) so that the
    # document and the row version handed back belong together: under READ COMMITTED a save committed
    # between two statements paired an old document with a newer row version, and the next save then
    # overwrote a colleague's change
    s.execute(select(Handover.id).where(Handover.id == h.id).with_for_update(read=True))
    s.refresh(h)
    v = _current_doc(s, h, version)
    audit.append(s, actor=actor.username, action=action, case_id=case_id, now=now, detail={"version": v.number})
    return actor, h, v


def get_handover(store: Store, actor: Actor, case_id: str, *, now: datetime,
                 version: int | None = None) -> CaseView:
    """Open a case (the current version, or ``version``); the view is recorded in the audit trail."""
    with store.write() as s:
        actor, h, v = _read_recorded(s, actor, case_id, version, "view", now)
        back = _reasons_back(s, [Handover.id == h.id])
        return CaseView(summary=_summary(s, h), case=json.loads(v.document), version=v.number, frozen=v.frozen,
                        content_hash=v.content_hash, allowed_actions=allowed_actions(actor, h),
                        edit_refusal=edit_refusal(actor, h), reasons_back=back.get(h.case_id),
                        can_sign=v.frozen and (actor.system or (actor.role == "manager"
                                                                and "sending" in sides_of(actor, h))))


def export_document(store: Store, actor: Actor, case_id: str, *, now: datetime, version: int | None = None) -> str:
    """The current version (or ``version``) as ``handover-case/2`` text (SPEC section 6): a /2 version
    exactly as stored, a /1 version upgraded (section 7.1; the stored version is not changed)."""
    with store.write() as s:
        text = _read_recorded(s, actor, case_id, version, "export", now)[2].document
    doc = json.loads(text)
    return text if family.is_v2(doc) else dump_case(family.upgrade(doc))


def _same_content(stored: Version, case: dict[str, Any]) -> bool:
    """Whether ``case`` says what a stored version says: the same content, or (a /1 version and the /2 file
    it exports as, or the other way) the same once both are read as /2, losslessly (section 7.1)."""
    if stored.content_hash == content_hash(case):
        return True
    old = json.loads(stored.document)
    if family.is_v2(old) == family.is_v2(case):
        return False
    return content_hash(family.upgrade(old)) == content_hash(family.upgrade(case))


def _list_query(actor: Actor, filters: Filters | None) -> Any:
    f = filters or Filters()
    conds: list[Any] = []
    vis = visible_filter(actor)
    if vis is not None:
        conds.append(vis)
    if f.states:
        conds.append(Handover.state.in_(list(f.states)))
    if f.direction:
        conds.append(Handover.direction == f.direction)
    if f.team_id is not None:
        conds.append(Handover.team_id == f.team_id)
    if f.receiving_team_id is not None:
        conds.append(Handover.receiving_team_id == f.receiving_team_id)
    if f.scope == "mine":
        conds.append(Handover.owner_id == actor.user_id)
    elif f.scope == "team":
        conds.append(Handover.team_id == actor.team_id)
    elif f.scope == "incoming":
        conds.append(and_(Handover.receiving_team_id == actor.team_id,
                          Handover.state.in_(workflow.RECEIVED_STATES)))
    search = f.search.replace("\x00", "").strip()   # a NUL is nothing anyone types (and PostgreSQL refuses it)
    if search:
        pat = _like(search.lower())
        conds.append(or_(func.lower(Handover.child_family_name).like(pat, escape="\\"),
                         func.lower(Handover.child_given_name).like(pat, escape="\\"),
                         func.lower(Handover.case_id).like(pat, escape="\\"),
                         _any_child_matches(search, pat)))
    return conds + list(f.extra)


def _like(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere, its own ``%`` and ``_`` taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _any_child_matches(text: str, pattern: str) -> Any:
    """Any child of the handover (moving or not) by given or family name, or by NHS number (spaces
    ignored): the search finds a family by its younger child too (SPEC section 7)."""
    digits = "".join(ch for ch in text if ch not in " -")
    child = and_(PersonRow.handover_id == Handover.id, PersonRow.kind == "child")
    by_name = or_(func.lower(PersonRow.given_name).like(pattern, escape="\\"),
                  func.lower(PersonRow.family_name).like(pattern, escape="\\"))
    if len(text.split()) > 1:      # "Kara Testcase": the full name, as matching reads names
        by_name = or_(by_name, PersonRow.name_key.like(_like(family.person_key(text)), escape="\\"))
    if digits.isdigit() and len(digits) == 10:
        by_name = or_(by_name, PersonRow.nhs_number == digits)
    return exists().where(child, by_name)


def list_handovers(store: Store, actor: Actor, filters: Filters | None = None, sort: str = "updated_at",
                   descending: bool = True, offset: int = 0, limit: int = 100) -> list[HandoverSummary]:
    """One page of the handovers the actor may see (paged in SQL, for a lazy table model)."""
    if sort not in _SORTS:
        raise Invalid(f"cannot sort by {sort!r} (one of {', '.join(_SORTS)})")
    with store.read() as s:
        actor, _ = list_scope(s, actor)
        col = _SORTS[sort]
        first = col.desc() if descending else col.asc()
        if sort in _NULLS_LAST:
            first = first.nulls_last()
        order = [first, Handover.id.desc() if descending else Handover.id.asc()]
        q = _summary_query().where(*_list_query(actor, filters)).order_by(*order) \
            .offset(max(0, offset)).limit(max(0, min(limit, 10_000)))
        return [_to_summary(row) for row in s.execute(q)]


def count_handovers(store: Store, actor: Actor, filters: Filters | None = None, *, cap: int | None = None) -> int:
    """How many handovers :func:`list_handovers` would page through. With ``cap``, counting stops at
    ``cap + 1`` (a result above ``cap`` means "more than cap"): the cost no longer grows with the table,
    which a list's heading needs on a region's million handovers (27 ms there, exact)."""
    with store.read() as s:
        actor, _ = list_scope(s, actor)
        where = _list_query(actor, filters)
        if cap is None:
            return int(s.scalar(select(func.count()).select_from(Handover).where(*where)) or 0)
        some = select(Handover.id).where(*where).limit(max(0, cap) + 1).subquery()
        return int(s.scalar(select(func.count()).select_from(some)) or 0)


def versions(store: Store, actor: Actor, case_id: str) -> list[VersionInfo]:
    """Every version of a case, oldest first (no documents)."""
    with store.read() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        rows = s.scalars(select(Version).where(Version.handover_id == h.id).order_by(Version.number))
        return [VersionInfo(v.number, v.content_hash, v.frozen, v.created_by, v.created_at, v.note) for v in rows]


def history(store: Store, actor: Actor, case_id: str) -> list[HistoryItem]:
    """The workflow moves of a case, oldest first: who, when, why."""
    with store.read() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        rows = s.scalars(select(WorkflowEvent).where(WorkflowEvent.handover_id == h.id).order_by(WorkflowEvent.id))
        return [_item(e) for e in rows]


def _item(e: WorkflowEvent) -> HistoryItem:
    return HistoryItem(e.action, e.from_state, e.to_state, e.actor, e.actor_name, e.at, e.reason_code, e.note,
                       e.version)


def diff_versions(store: Store, actor: Actor, case_id: str, old: int, new: int) -> list[Change]:
    """What changed from version ``old`` to version ``new``: paths with old and new values."""
    with store.read() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        a, b = _current_doc(s, h, old), _current_doc(s, h, new)
        return diff_cases(json.loads(a.document), json.loads(b.document))


# ------------------------------------------------------------------ workflow


def _local_date(now: datetime) -> str:
    return local_date(now).isoformat()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _record_in_case(action: str, case: dict[str, Any], actor: Actor, today: str, reason_code: str | None,
                    note: str) -> dict[str, Any]:
    """The case as the move records it: event dates and sign-off names (a new version when it changes)."""
    out = json.loads(json.dumps(case))
    step_down = out.get("direction") == "step_down"
    if action == "request_authorisation":
        workflow.record_preparer(out, actor.display_name, actor.role, actor.team_name, today)
    if action == "authorise":
        set_path(out, "sign_off.sending_manager", {"name": actor.display_name, "date": today})
    elif action == "send" and step_down and _blank(get_path(out, "events.pack_sent", None)):
        set_path(out, "events.pack_sent", today)
    elif action == "acknowledge" and step_down and _blank(get_path(out, "events.acknowledged", None)):
        set_path(out, "events.acknowledged", today)
    if action == "return":
        _clear(out, workflow.CLEARED_BY["return"])
    if action in ("accept", "return"):
        reason = note if action == "accept" else f"{labels.return_reason_label(reason_code or '')}: {note}"
        set_path(out, "sign_off.receiving", {"name": actor.display_name, "date": today,
                                             "decision": "accepted" if action == "accept" else "returned",
                                             "reason": reason})
    return out


def move(store: Store, actor: Actor, case_id: str, action: str, *, now: datetime, reason_code: str | None = None,
         note: str | None = None, expected_version: int | None = None,
         record: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
         receiving_team_id: int | None = None) -> MoveResult:
    """Make one workflow move (see :data:`handover.workflow.MOVES`).

    ``send_back`` needs a note; ``return`` needs a ``reason_code`` from
    :data:`handover.workflow.RETURN_REASONS` and a note. Authorising records the manager's sign-off in a
    new version and freezes it, and is refused (:class:`Invalid`) while the checks find any error in that
    document as of the local date of ``now``; sending and acknowledging a step-down record the dates; accepting and
    returning record the receiving decision; returning puts the handover back to draft with a new
    version for the sender. A move someone else already made (or made at the same moment) raises
    :class:`Conflict` naming who did what, and when. ``expected_version`` (a ``row_version``) makes the
    move fail if anything at all changed since the actor looked. ``record`` changes the document as part
    of the move, in the same transaction (accepting records the meeting and the lead professional), so
    two people racing see one win and the other told who — never a half-made move. Sending is refused
    unless the current version is the authorised (frozen) one: what is sent is what was authorised.
    ``receiving_team_id`` (sending only) chooses the receiving team in the same transaction.
    """
    spec = workflow.MOVES.get(action)
    if spec is None:
        raise Invalid(f"{action!r} is not a workflow action (one of {', '.join(workflow.MOVES)})")
    note = (note or "").strip()
    if spec.needs_reason_code and reason_code not in workflow.RETURN_REASONS:
        raise Invalid(f"returning a handover needs a reason code: one of {', '.join(workflow.RETURN_REASONS)}")
    if spec.needs_note and not note:
        raise Invalid(f"say why in a note ({workflow.ACTION_LABELS[action].lower()})")
    with store.write() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id, related=True)
        check_may_move(actor, h, spec)
        lead = f"cannot {workflow.ACTION_LABELS[action].lower()}"
        if h.state not in spec.sources:
            if _moved_away(s, h, spec):
                raise _conflict(s, h, f"{lead} {case_id}")
            raise Invalid(workflow.refusal(action, "manager", {"sending", "receiving"}, h.state) or lead)
        if expected_version is not None and h.row_version != expected_version:
            raise _conflict(s, h, f"{lead} {case_id}")
        if action == "send" and receiving_team_id is not None:
            if s.get(Team, receiving_team_id) is None:
                raise NotFound("there is no such team")
            h.receiving_team_id = receiving_team_id
        if action == "send" and h.receiving_team_id is None:
            raise Invalid("choose the receiving team before sending")
        current = _current_doc(s, h)
        if action == "send" and (h.authorised_version != h.current_version or not current.frozen):
            raise Invalid(f"cannot send {case_id}: version {h.current_version} is not the version the manager "
                          "authorised; it must be authorised again")
        from_state = h.state
        _claim(s, h, h.row_version, now, f"{lead} {case_id}", state=spec.target)
        case = json.loads(current.document)
        recorded = _record_in_case(action, record(case) if record else case, actor, _local_date(now),
                                   reason_code, note)
        if action in workflow.CHECKED_MOVES:
            _require_complete(s, recorded, now, action)
        new_version = None
        if recorded != case or action == "return":
            v = _add_version(s, h, recorded, dump_case(recorded), actor, now, frozen=(action == "authorise"),
                             note=f"{action}: {note}" if note else action)
            new_version = v.number
        elif action == "authorise":
            current.frozen = True
        if action == "authorise":
            h.authorised_version = h.current_version
        elif action == "return":
            h.authorised_version = None
        ev = WorkflowEvent(handover_id=h.id, action=action, from_state=from_state, to_state=spec.target,
                           actor=actor.username, actor_name=actor.display_name, at=now, reason_code=reason_code,
                           note=note, version=h.current_version)
        s.add(ev)
        audit.append(s, actor=actor.username, action=f"move:{action}", case_id=case_id, now=now,
                     detail={"from": from_state, "to": spec.target, "reason_code": reason_code, "note": note,
                             "version": h.current_version})
        s.flush()
        return MoveResult(summary=_summary(s, h), event=_item(ev), new_version=new_version)


def _field_words(case: dict[str, Any], path: str) -> str:
    """A changed path as people read it: the form's label ("Risk factors"), never ``needs_and_risks.…``."""
    try:
        form = family.form_of(case)
    except Exception:   # noqa: BLE001 - a case of no known direction: say "that field"
        return "that field"
    f = form.field_at(path)
    section = form.section_of(path)
    if f is None:
        return f"what is in {section.title!r}" if section else "that field"
    return f"{f.label!r}" + (f" in {section.title!r}" if section else "")


def _clear(case: dict[str, Any], paths: tuple[str, ...]) -> None:
    """Blank what a move back to draft forgets (only where the document has it)."""
    blank = {"sign_off.sending_manager": {"name": "", "date": None}}
    for p in paths:
        if get_path(case, p, None) not in (None, ""):
            set_path(case, p, blank.get(p))


def _require_complete(s: Session, case: dict[str, Any], now: datetime, action: str) -> None:
    """Refuse to put forward or authorise (freeze) a document that check_case finds errors in, as of
    today (:func:`handover.workflow.blocking` says which errors count for which move)."""
    from handover.checks import check_case

    errors = workflow.blocking(action, check_case(case, local_date(now), active_protocol(s)).errors, case)
    if errors:
        n = len(errors)
        raise Invalid(f"cannot {workflow.ACTION_LABELS[action].lower()}: {n} error{'s' if n != 1 else ''} "
                      f"remain{'s' if n == 1 else ''} ({errors[0].message}{'; …' if n > 1 else ''})")


def _moved_away(s: Session, h: Handover, spec: workflow.Move) -> bool:
    """Whether the handover left the move's source states through someone's move (not never got there)."""
    return s.scalar(select(func.count()).select_from(WorkflowEvent).where(
        WorkflowEvent.handover_id == h.id, WorkflowEvent.from_state.in_(spec.sources))) > 0


# ------------------------------------------------------------------ dashboards


def dashboard_counts(store: Store, actor: Actor) -> dict[tuple[str, str], int]:
    """(state, direction) → number of handovers the actor may see (administrators: all, as numbers)."""
    with store.read() as s:
        _, visible = report_scope(s, actor)
        return _counts(s, visible)


def overdue(store: Store, actor: Actor, as_of: date, team: str | int | None = None) -> list[OverdueItem]:
    """The overdue and late deadlines the actor may see (managers: the whole database)."""
    with store.read() as s:
        _, visible = list_scope(s, actor)
        return overdue_items(s, as_of, team, visible=visible)


def overdue_summary(store: Store, actor: Actor, as_of: date) -> dict[tuple[str, str, str], int]:
    """(team, rule, "overdue"|"late") → count, for the dashboard's chart."""
    with store.read() as s:
        _, visible = report_scope(s, actor)
        return overdue_counts(s, as_of, visible=visible)

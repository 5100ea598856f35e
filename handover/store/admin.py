"""Administration: teams, users, the local protocol, and the first administrator.

Only administrators (or the command line's system actor) manage users and the protocol. Listing teams
is open to everyone signed in (the app offers them as receiving teams). Both rules are in
:mod:`handover.store.access`. Conventions as in :mod:`handover.store.service`: ``now`` passed in,
refusals raise ``ServiceError`` subclasses.

On a shared PostgreSQL database, an administrator signed in with their own role manages accounts
through the database's ``SECURITY DEFINER`` functions (:mod:`handover.store.pg_access`), which check
that the caller is an active administrator, change the users row, create, alter or disable the
person's database role (a SCRAM verifier of the password, never the password, reaches the server) and
write the audit entry; the owner's connection (the system path) changes users rows only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer_group

from handover import audit
from handover.protocol import Protocol, ProtocolError, parse_protocol
from handover.store import pg_access
from handover.store.access import require_admin, require_self_or_admin, require_signed_in
from handover.store.database import Store
from handover.store.errors import Actor, Conflict, Denied, Invalid, NotFound
from handover.store.models import ROLES, ProtocolVersion, Team, User
from handover.store.sync import active_protocol, recompute_all_deadlines
from handover.users import check_password_rules, hash_password

__all__ = ["TeamInfo", "UserInfo", "create_team", "list_teams", "create_user", "list_users", "set_role",
           "disable_user", "enable_user", "reset_password", "get_protocol", "set_protocol", "first_run_needed",
           "create_first_admin", "SERVICES"]

SERVICES = ("children_social_care", "early_help", "")


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    service: str


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    team: str
    team_id: int | None
    active: bool
    locked_until: datetime | None
    failed_count: int


def _user(s: Session, username: str) -> User:
    u = s.scalar(select(User).where(User.username == username))
    if u is None:
        raise NotFound(f"there is no user {username!r}")
    return u


def _info(u: User) -> UserInfo:
    return UserInfo(u.username, u.display_name, u.role, u.team.name if u.team else "", u.team_id, u.active,
                    u.locked_until, u.failed_count)


def _check_role(role: str, team_id: int | None) -> None:
    if role not in ROLES:
        raise Invalid(f"{role!r} is not a role (one of {', '.join(ROLES)})")
    if role != "administrator" and team_id is None:
        raise Invalid(f"a {role} must belong to a team")


def create_team(store: Store, actor: Actor, name: str, service: str = "", *, now: datetime) -> TeamInfo:
    name = (name or "").strip()
    if not name:
        raise Invalid("a team needs a name")
    if service not in SERVICES:
        raise Invalid(f"service must be one of children_social_care, early_help (or empty), not {service!r}")
    with store.write() as s:
        actor = require_admin(s, actor)
        if s.scalar(select(Team.id).where(Team.name == name)) is not None:
            raise Conflict(f"there is already a team called {name!r}")
        t = Team(name=name, service=service, created_at=now)
        s.add(t)
        s.flush()
        audit.append(s, actor=actor.username, action="team_create", now=now, detail={"team": name})
        return TeamInfo(t.id, t.name, t.service)


def list_teams(store: Store, actor: Actor) -> list[TeamInfo]:
    with store.read() as s:
        require_signed_in(s, actor)
        return [TeamInfo(t.id, t.name, t.service) for t in s.scalars(select(Team).order_by(Team.name))]


def create_user(store: Store, actor: Actor, username: str, display_name: str, role: str, team_id: int | None,
                password: str, *, now: datetime) -> UserInfo:
    """A new account. The password is hashed with argon2; it is never stored or logged."""
    username = (username or "").strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise Invalid("a username is 1 to 100 characters without spaces")
    _check_role(role, team_id)
    if not store.is_sqlite:
        check_password_rules(password)
        with store.write() as s:
            if pg_access.is_person(s):
                require_admin(s, actor)
                if s.scalar(select(User.id).where(User.username == username)) is not None:
                    raise Conflict(f"there is already a user {username!r}")
                if team_id is not None and s.get(Team, team_id) is None:
                    raise NotFound("there is no such team")
                pg_access.create_person(s, username, display_name, role, team_id, password)
                return _info(_user(s, username))
    pw_hash = hash_password(store.hasher, password)
    with store.write() as s:
        actor = require_admin(s, actor)
        return _insert_user(s, actor, username, display_name, role, team_id, pw_hash, now)


def _insert_user(s: Session, actor: Actor, username: str, display_name: str, role: str, team_id: int | None,
                 pw_hash: str, now: datetime) -> UserInfo:
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"there is already a user {username!r}")
    if team_id is not None and s.get(Team, team_id) is None:
        raise NotFound("there is no such team")
    u = User(username=username, display_name=(display_name or username).strip(), role=role, team_id=team_id,
             password_hash=pw_hash, active=True, failed_count=0, created_at=now)
    s.add(u)
    s.flush()
    s.refresh(u)
    audit.append(s, actor=actor.username, action="user_create", now=now,
                 detail={"user": username, "role": role, "team_id": team_id})
    return _info(u)


def list_users(store: Store, actor: Actor) -> list[UserInfo]:
    with store.read() as s:
        require_admin(s, actor)
        return [_info(u) for u in s.scalars(select(User).options(undefer_group("lock")).order_by(User.username))]


def set_role(store: Store, actor: Actor, username: str, role: str, team_id: int | None, *,
             now: datetime) -> UserInfo:
    _check_role(role, team_id)
    with store.write() as s:
        actor = require_admin(s, actor)
        u = _user(s, username)
        if u.role == "administrator" and role != "administrator":
            _keep_one_admin(s, u)
        if team_id is not None and s.get(Team, team_id) is None:
            raise NotFound("there is no such team")
        if pg_access.is_person(s):
            pg_access.set_person_role(s, username, role, team_id)
            return _fresh_info(s, username)
        u.role, u.team_id = role, team_id
        s.flush()
        s.refresh(u)
        audit.append(s, actor=actor.username, action="user_role", now=now,
                     detail={"user": username, "role": role, "team_id": team_id})
        return _info(u)


def _keep_one_admin(s: Session, u: User) -> None:
    n = s.scalar(select(func.count()).select_from(User).where(User.role == "administrator", User.active,
                                                              User.id != u.id))
    if not n:
        raise Conflict("this is the last active administrator; appoint another first")


def disable_user(store: Store, actor: Actor, username: str, *, now: datetime) -> UserInfo:
    with store.write() as s:
        actor = require_admin(s, actor)
        u = _user(s, username)
        if u.role == "administrator":
            _keep_one_admin(s, u)
        if pg_access.is_person(s):
            pg_access.set_person_active(s, username, False)
            return _fresh_info(s, username)
        u.active = False
        audit.append(s, actor=actor.username, action="user_disable", now=now, detail={"user": username})
        s.flush()
        return _info(u)


def enable_user(store: Store, actor: Actor, username: str, *, now: datetime) -> UserInfo:
    with store.write() as s:
        actor = require_admin(s, actor)
        u = _user(s, username)
        if pg_access.is_person(s):
            pg_access.set_person_active(s, username, True)
            return _fresh_info(s, username)
        u.active = True
        audit.append(s, actor=actor.username, action="user_enable", now=now, detail={"user": username})
        s.flush()
        return _info(u)


def reset_password(store: Store, actor: Actor, username: str, new_password: str, *, now: datetime) -> UserInfo:
    """Set a new password and clear any lock (administrators; or a user for their own account)."""
    if not store.is_sqlite:
        check_password_rules(new_password)
        with store.write() as s:
            if pg_access.is_person(s):
                require_self_or_admin(s, actor, username)
                _user(s, username)
                pg_access.set_person_password(s, username, new_password)
                return _fresh_info(s, username)
    pw_hash = hash_password(store.hasher, new_password)
    with store.write() as s:
        actor = require_self_or_admin(s, actor, username)
        u = _user(s, username)
        u.password_hash, u.failed_count, u.locked_until = pw_hash, 0, None
        audit.append(s, actor=actor.username, action="password_reset", now=now, detail={"user": username})
        s.flush()
        return _info(u)


def get_protocol(store: Store) -> Protocol:
    """The active protocol (the newest stored by an administrator, else the bundled default)."""
    with store.read() as s:
        return active_protocol(s)


def set_protocol(store: Store, actor: Actor, protocol: Protocol | dict[str, Any], *, now: datetime) -> int:
    """Store a new active protocol and recompute every deadline row; returns how many handovers."""
    try:
        p = protocol if isinstance(protocol, Protocol) else parse_protocol(protocol, "the protocol")
        p = parse_protocol(p.to_dict(), p.name)
    except ProtocolError as e:
        raise Invalid(str(e)) from None
    with store.write() as s:
        actor = require_admin(s, actor)
        document = json.dumps(p.to_dict(), ensure_ascii=False)
        if pg_access.is_person(s):   # stored by the database, which lets this transaction recompute deadlines
            pg_access.store_protocol(s, document)
        else:
            s.add(ProtocolVersion(document=document, created_by=actor.username, created_at=now))
            s.flush()
        n = recompute_all_deadlines(s, p)
        audit.append(s, actor=actor.username, action="protocol_set", now=now,
                     detail={"name": p.name, "region": p.region, "handovers_recomputed": n})
        return n


def _fresh_info(s: Session, username: str) -> UserInfo:
    """A user as the database now has them (after a change made by one of its functions)."""
    s.expire_all()
    return _info(s.scalar(select(User).options(undefer_group("lock")).where(User.username == username)))


def first_run_needed(store: Store) -> bool:
    """True when the database has no administrator yet (the app then asks for one)."""
    with store.read() as s:
        return not s.scalar(select(func.count()).select_from(User).where(User.role == "administrator"))


def create_first_admin(store: Store, username: str, display_name: str, password: str, *,
                       now: datetime, database_role: bool = False) -> UserInfo:
    """Create the first administrator; refused once any administrator exists.

    ``database_role`` (``handover db init --admin`` on PostgreSQL, with the owner's connection): the
    administrator signs in with their own database role, made here with the password (PostgreSQL keeps
    it, the users row holds no hash), in the same transaction."""
    username = (username or "").strip()
    if not username or any(c.isspace() for c in username):
        raise Invalid("a username is 1 to 100 characters without spaces")
    if database_role:
        check_password_rules(password)
        pw_hash = pg_access.PG_PASSWORD_HASH
    else:
        pw_hash = hash_password(store.hasher, password)
    with store.write() as s:
        if s.scalar(select(func.count()).select_from(User).where(User.role == "administrator")):
            raise Denied("there is already an administrator: sign in as them to add users")
        info = _insert_user(s, Actor(username="first-run", display_name="first run", role="administrator",
                                     system=True), username, display_name, "administrator", None, pw_hash, now)
        if database_role and not pg_access.provision_role(s, username, "administrator", password=password):
            raise Invalid("people's database roles need PostgreSQL's access rules: run `handover db init` with the "
                          "owner's URL")
        return info

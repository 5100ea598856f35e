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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer_group

from handover import audit
from handover.protocol import Protocol, ProtocolError, parse_protocol
from handover.store import pg_access
from handover.store.access import require_admin, require_self_or_admin, require_signed_in
from handover.store.database import Store
from handover.store.errors import Actor, Conflict, Denied, Invalid, NotFound
from handover.store.models import ROLES, ProtocolVersion, Setting, Team, User
from handover.store.sync import active_protocol, recompute_all_deadlines
from handover.users import check_password_rules, hash_password

__all__ = ["TeamInfo", "UserInfo", "create_team", "list_teams", "create_user", "list_users", "set_role",
           "disable_user", "enable_user", "reset_password", "get_protocol", "set_protocol", "first_run_needed",
           "create_first_admin", "SERVICES", "AuthorityInfo", "list_trusted_authorities", "add_trusted_authority",
           "remove_trusted_authority", "TRUST_KEY"]

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


# ---------------------------------------------------------------- trusted authorities (SPEC section 9)

#: the settings row holding the certificates of the authorities whose signed packs the team accepts: one
#: row in the database, so the whole team shares it (JSON: a list of {"pem", "added_by", "added_at"})
TRUST_KEY = pg_access.TRUST_KEY
#: a certificate file an administrator adds is small; anything larger is not one
MAX_TRUST_FILE = 1024 * 1024
_UNREADABLE = "the stored trusted authorities cannot be read: an administrator removes and adds them again"


@dataclass(frozen=True)
class AuthorityInfo:
    """A certificate authority whose signed packs are accepted, as people read it."""

    name: str                 #: whom its subject names: "Exampleton Council handover signing CA"
    valid_until: date
    fingerprint: str          #: SHA-256 of the certificate, "AB:CD:…" (to read out and check by phone)
    added_by: str
    added_at: datetime | None
    der: bytes = field(default=b"", repr=False, compare=False)   #: the certificate itself (a trust anchor)


def _certificates(data: bytes, source: str) -> list[Any]:
    """The certificates of a PEM or DER file (cryptography's), or :class:`Invalid` saying why not."""
    from cryptography import x509

    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise Invalid(f"{source} is not a certificate (a PEM or DER file, such as ca.pem)") from None


def _authority(cert: Any, added_by: str = "", added_at: datetime | None = None) -> AuthorityInfo:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    from handover.labels import name_with_organisation

    def attr(oid: Any) -> str:
        v = cert.subject.get_attributes_for_oid(oid)
        return str(v[0].value) if v else ""

    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return AuthorityInfo(name=name_with_organisation(attr(NameOID.COMMON_NAME), attr(NameOID.ORGANIZATION_NAME))
                         or "an unnamed authority", valid_until=cert.not_valid_after_utc.date(),
                         fingerprint=":".join(digest[i:i + 2] for i in range(0, len(digest), 2)),
                         added_by=added_by, added_at=added_at, der=cert.public_bytes(serialization.Encoding.DER))


def _trust_entries(s: Session) -> list[dict[str, Any]]:
    row = s.get(Setting, TRUST_KEY)
    try:
        entries = json.loads(row.value) if row is not None else []
    except ValueError:
        entries = None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("pem"), str)
                                                for e in entries):
        raise Invalid(_UNREADABLE)
    return entries


def _trusted(s: Session) -> list[tuple[dict[str, Any], AuthorityInfo]]:
    """Each stored entry with the authority it names, in the order stored."""
    from cryptography import x509

    out = []
    for e in _trust_entries(s):
        at = e.get("added_at")
        try:
            cert = x509.load_pem_x509_certificate(e["pem"].encode("ascii"))
            when = datetime.fromisoformat(at) if isinstance(at, str) else None
        except ValueError:
            raise Invalid(_UNREADABLE) from None
        out.append((e, _authority(cert, str(e.get("added_by", "")), when)))
    return out


def _write_trust(s: Session, entries: list[dict[str, Any]]) -> None:
    value = json.dumps(entries, ensure_ascii=True)
    row = s.get(Setting, TRUST_KEY)
    if row is None:
        s.add(Setting(key=TRUST_KEY, value=value))
    else:
        row.value = value
    s.flush()


def _store_trust(s: Session, actor: Actor, entries: list[dict[str, Any]], changed: list[AuthorityInfo], action: str,
                 now: datetime) -> None:
    """Store the list, with a ``trust_add`` / ``trust_remove`` entry per authority ``changed``. On a person's
    own PostgreSQL role (who may read ``settings`` but not write it) the database's
    ``handover_access.trust_set`` does both, for administrators only."""
    if pg_access.is_person(s):
        pg_access.store_trust(s, json.dumps(entries, ensure_ascii=True), {a.fingerprint: a.name for a in changed})
        s.expire_all()
        return
    for a in changed:
        audit.append(s, actor=actor.username, action=action, now=now,
                     detail={"authority": a.name, "fingerprint": a.fingerprint})
    _write_trust(s, entries)


def list_trusted_authorities(store: Store, actor: Actor) -> list[AuthorityInfo]:
    """The authorities whose signed packs the team accepts (everyone signed in: importing a pack needs them)."""
    with store.read() as s:
        require_signed_in(s, actor)
        return sorted((a for _e, a in _trusted(s)), key=lambda a: (a.name.casefold(), a.valid_until))


#: certificates one file may add (a neighbouring council's authority, perhaps with its intermediate)
MAX_AUTHORITIES_AT_ONCE = 5


def _authorities_in(data: bytes, source: str, now: datetime) -> list[Any]:
    """The certificates of a file an administrator adds, each an authority's and in date; else why not."""
    from cryptography import x509

    if len(data) > MAX_TRUST_FILE:
        raise Invalid(f"{source} is too large for a certificate")
    certs = _certificates(bytes(data), source)
    if not certs:
        raise Invalid(f"{source} holds no certificate")
    if len(certs) > MAX_AUTHORITIES_AT_ONCE:   # a system's bundle of web roots is not a council's authority
        raise Invalid(f"{source} holds {len(certs)} certificates: add the certificate of each authority whose "
                      f"packs your team accepts, at most {MAX_AUTHORITIES_AT_ONCE} at a time (their ca.pem)")
    for cert in certs:
        info = _authority(cert)
        try:
            ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if not ca:
            raise Invalid(f"{info.name} is a person's certificate, not an authority's: add the certificate of the "
                          "authority that issued it (their ca.pem)")
        if cert.not_valid_after_utc < now:
            raise Invalid(f"the certificate of {info.name} expired on "
                          f"{info.valid_until.strftime('%d %b %Y').lstrip('0')}: ask them for their current one")
    return certs


def add_trusted_authority(store: Store, actor: Actor, data: bytes, *, now: datetime,
                          source: str = "the file") -> list[AuthorityInfo]:
    """Trust the certificate authorities in ``data`` (PEM, one or more, or DER): packs signed under them can
    be imported. Refused for a person's own certificate (not an authority's), an expired one, or one that
    is trusted already. Administrators only."""
    from cryptography.hazmat.primitives import serialization

    with store.write() as s:
        actor = require_admin(s, actor)
        certs = _authorities_in(data, source, now)
        trusted = _trusted(s)
        entries = [e for e, _a in trusted]
        known = {a.fingerprint for _e, a in trusted}
        added = []
        for cert in certs:
            info = _authority(cert, actor.username, now)
            if info.fingerprint in known:
                continue
            known.add(info.fingerprint)
            entries.append({"pem": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                            "added_by": actor.username, "added_at": now.isoformat()})
            added.append(info)
        if not added:
            raise Invalid(f"{_authority(certs[0]).name} is trusted already")
        _store_trust(s, actor, entries, added, "trust_add", now)
        return added


def remove_trusted_authority(store: Store, actor: Actor, fingerprint: str, *, now: datetime) -> AuthorityInfo:
    """Stop trusting an authority (its packs are refused from now on; those imported stay). Administrators only."""
    with store.write() as s:
        actor = require_admin(s, actor)
        trusted = _trusted(s)
        gone = next((a for _e, a in trusted if a.fingerprint == fingerprint), None)
        if gone is None:
            raise NotFound("that authority is not trusted (an administrator may have removed it already)")
        _store_trust(s, actor, [e for e, a in trusted if a.fingerprint != fingerprint], [gone], "trust_remove", now)
        return gone

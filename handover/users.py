"""Passwords and sign-in: argon2 hashes, failed-attempt counting, temporary locks.

Policy: the first :data:`FREE_FAILURES` failures cost nothing; each further failure locks the account
for twice as long as the one before (2 s, 4 s, ... up to a minute) and from :data:`LOCK_AFTER`
failures it is locked for :data:`LOCK_FOR`. A successful sign-in clears the count; an administrator's
password reset clears the lock. ``now`` is always passed in. Passwords are never logged or stored:
only the argon2 hash is. An unknown username is not recorded either (people type passwords there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update

from handover import audit
from handover.store.errors import Actor, Denied, Invalid
from handover.store.models import User

__all__ = ["AuthResult", "authenticate", "hash_password", "check_password_rules", "actor_for",
           "FREE_FAILURES", "LOCK_AFTER", "LOCK_FOR", "MIN_PASSWORD"]

FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")


def hash_password(hasher: PasswordHasher, password: str) -> str:
    check_password_rules(password)
    return hasher.hash(password)


def actor_for(user: User) -> Actor:
    return Actor(username=user.username, display_name=user.display_name, role=user.role, team_id=user.team_id,
                 team_name=user.team.name if user.team else "", user_id=user.id)


def fresh_actor(s: Any, actor: Actor) -> Actor:
    """The actor as the database knows them now (role, team, still active); a system actor as it is."""
    if actor.system:
        return actor
    user = s.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.active:
        raise Denied("your account is disabled or no longer exists")
    return actor_for(user)


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    status: str                          #: "ok", "wrong", "locked"
    message: str = ""
    actor: Actor | None = None
    locked_until: datetime | None = None


_WRONG = "the username or password is wrong"


def _lock_for(failures: int) -> timedelta | None:
    if failures >= LOCK_AFTER:
        return LOCK_FOR
    if failures > FREE_FAILURES:
        return timedelta(seconds=min(60, 2 ** (failures - FREE_FAILURES)))
    return None


def authenticate(store: "Store", username: str, password: str, *, now: datetime) -> AuthResult:  # noqa: F821
    """Check a username and password; count failures and lock as the policy above says.

    Parallel guesses cannot check more passwords than the policy allows one guesser: the user's row is
    locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write transaction, ``BEGIN IMMEDIATE``, is
    exclusive already) from reading the lock until the failure is counted, and the count itself is one
    atomic ``UPDATE ... SET failed_count = failed_count + 1 ... RETURNING``, never a value written back
    from Python over another attempt's.
    """
    with store.write() as s:
        user = s.scalar(select(User).where(User.username == (username or "").strip())
                        .with_for_update(of=User))
        if user is None or not user.active:
            dummy = getattr(store, "_dummy_hash", None)
            if dummy is None:
                dummy = store._dummy_hash = store.hasher.hash("not a real password at all")
            try:   # the same work as a real check, so timing does not reveal which usernames exist
                store.hasher.verify(dummy, password or "")
            except (VerificationError, InvalidHashError):
                pass
            audit.append(s, actor=user.username if user else "unknown", action="sign_in_refused", now=now,
                         detail={"reason": "disabled" if user else "unknown user"})
            return AuthResult(False, "wrong", _WRONG)
        if user.locked_until is not None and now < user.locked_until:
            wait = int((user.locked_until - now).total_seconds()) + 1
            return AuthResult(False, "locked", f"too many failed sign-ins: try again in {_human(wait)}",
                              locked_until=user.locked_until)
        try:
            store.hasher.verify(user.password_hash, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures = s.execute(update(User).where(User.id == user.id)
                                 .values(failed_count=User.failed_count + 1)
                                 .returning(User.failed_count)
                                 .execution_options(synchronize_session=False)).scalar_one()
            lock = _lock_for(failures)
            locked_until = now + lock if lock else None
            s.execute(update(User).where(User.id == user.id).values(locked_until=locked_until)
                      .execution_options(synchronize_session=False))
            s.expire(user, ["failed_count", "locked_until"])   # the row is newer than the object
            audit.append(s, actor=user.username, action="sign_in_failed", now=now,
                         detail={"failures": failures,
                                 "locked_until": locked_until.isoformat() if locked_until else None})
            if lock:
                return AuthResult(False, "locked", f"{_WRONG}; too many failed sign-ins: try again in "
                                  f"{_human(int(lock.total_seconds()))}", locked_until=locked_until)
            return AuthResult(False, "wrong", _WRONG)
        if store.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = store.hasher.hash(password)
        user.failed_count = 0
        user.locked_until = None
        audit.append(s, actor=user.username, action="sign_in", now=now)
        return AuthResult(True, "ok", "", actor=actor_for(user))


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"

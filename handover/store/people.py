"""Signing in to a shared PostgreSQL database as oneself: the person's own database role and password.

The app (:class:`handover.app.session.Gate`) keeps the database's URL without credentials; signing in
opens an engine as the person, whose connections PostgreSQL limits to what SPEC section 2 allows them
(:mod:`handover.store.pg_access`), and whose actor is their own ``users`` row.

The password is kept only until the pool's :data:`PERSON_POOL_SIZE` connections are open (at sign-in),
then forgotten: SQLAlchemy and psycopg would otherwise keep it for the life of the engine, to reconnect.
libpq itself keeps it inside each open connection (``PQpass``) while the connection lives; nothing of
ours does. A connection lost later (the server restarted, the network dropped) cannot be replaced
without it: the operation is refused with :class:`SignInAgain`, and unlocking the window (typing the
password again) opens the pool afresh (:func:`rearm`). The pool never grows beyond its size (another
thread waits for a free connection), so a desktop holds at most that many server connections: count
``PERSON_POOL_SIZE`` per person signed in when setting PostgreSQL's ``max_connections``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from handover import audit
from handover.store.database import Store
from handover.store.engine import make_engine, safe_url
from handover.store.errors import Actor, Denied, ServiceError
from handover.store.migrate import SchemaState, head_revision, schema_state
from handover.store.pg_access import auth_status, first_line, people_url, session_actor, session_person

__all__ = ["PERSON_POOL_SIZE", "SignInAgain", "PersonSignIn", "sign_in", "check_password", "rearm"]

#: connections a person's app opens at sign-in; the password is forgotten once they are open
PERSON_POOL_SIZE = 3


class SignInAgain(ServiceError):
    """A person's connection to the shared database was lost and their password is no longer held."""


class _Secret:
    """A password held only until ``uses`` connections have been made with it."""

    def __init__(self, password: str, uses: int) -> None:
        self._password: str | None = password
        self._uses = uses

    def take(self) -> str:
        if self._password is None:
            raise SignInAgain("the connection to the shared database was lost: lock the window or sign out, "
                              "and sign in again")
        password = self._password
        self._uses -= 1
        if self._uses <= 0:
            self._password = None
        return password


def _person_engine(url: URL, password: str) -> Engine:
    engine = make_engine(url.set(password=None).render_as_string(hide_password=False),
                         pool_size=PERSON_POOL_SIZE, max_overflow=0, pool_timeout=60)
    engine._handover_secret = _Secret(password, PERSON_POOL_SIZE)   # type: ignore[attr-defined]

    @event.listens_for(engine, "do_connect")
    def _password(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = engine._handover_secret.take()   # type: ignore[attr-defined]

    return engine


def _fill(engine: Engine) -> None:
    """Open every connection of the pool now, so that the password can be forgotten."""
    held = []
    try:
        for _ in range(PERSON_POOL_SIZE):
            held.append(engine.connect())
    finally:
        for c in held:
            c.close()


@dataclass(frozen=True)
class PersonSignIn:
    ok: bool
    message: str = ""
    store: Any = None
    actor: Actor | None = None


_WRONG_MESSAGE = "the username or password is wrong"


def sign_in(url: str | URL, username: str, password: str, *, now: datetime) -> PersonSignIn:
    """Connect to the shared database as ``username`` (their own role); the store and their actor, or one
    line saying why not. The password is held only until the pool's connections are open."""
    username = (username or "").strip()
    if not username or not password or len(username.encode("utf-8")) > 63:
        return PersonSignIn(False, _WRONG_MESSAGE)
    try:
        target = people_url(url).set(username=username)
        shown = safe_url(people_url(url))
        engine = _person_engine(target, password)
    except Exception as e:  # noqa: BLE001 - a bad URL or a missing driver, said in one line
        return PersonSignIn(False, f"{safe_url(url)!r} is not a database URL this tool can use ({e})")
    try:
        _fill(engine)
        with engine.connect() as conn:
            state, rev = schema_state(conn)
    except DBAPIError as e:
        engine.dispose()
        if auth_status(e):
            return PersonSignIn(False, _WRONG_MESSAGE)
        return PersonSignIn(False, f"cannot reach the database {shown}: {first_line(e)}")
    if state != SchemaState.CURRENT:
        engine.dispose()
        why = ("was written by a newer version of the handover tool: install the newer version"
               if state == SchemaState.NEWER else
               f"needs `handover db upgrade` by its owner (schema revision {rev or 'none'}, this tool uses "
               f"{head_revision()})" if state == SchemaState.OLDER else "is not a handover database you can use")
        return PersonSignIn(False, f"the database {shown} {why}")
    store = Store(engine, target.render_as_string(hide_password=True))
    try:
        with store.write() as s:
            if session_person(s) is None:
                raise Denied("that is the database owner's account: sign in as a person (the owner's account "
                             "is for `handover db` commands)")
            actor = session_actor(s)
            audit.append(s, actor=actor.username, action="sign_in", now=now)
    except Denied as e:
        store.close()
        return PersonSignIn(False, str(e) if "owner" in str(e) else _WRONG_MESSAGE)
    return PersonSignIn(True, store=store, actor=actor)


def check_password(url: str | URL, username: str, password: str) -> bool:
    """Whether ``password`` is ``username``'s on the shared database (a fresh connection, closed at once)."""
    import psycopg

    engine = make_engine(people_url(url).set(username=username).render_as_string(hide_password=False))
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    engine.dispose()
    try:
        psycopg.connect(*args, **{**kwargs, "password": password}).close()
    except psycopg.Error:
        return False
    return True


def rearm(store: Any, password: str) -> None:
    """After the person typed their password again (unlocking): open the pool afresh, so that lost
    connections are replaced; the password is forgotten again once they are open."""
    engine = store.engine
    if not hasattr(engine, "_handover_secret"):
        return
    engine.dispose()
    engine._handover_secret = _Secret(password, PERSON_POOL_SIZE)
    try:
        _fill(engine)
    except (DBAPIError, SignInAgain):
        pass

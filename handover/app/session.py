"""Before anyone is signed in: opening the database, the first run, demo data, signing in.

A :class:`Gate` holds the open database and the clock; :meth:`Gate.sign_in` gives the signed-in
person's :class:`~handover.app.context.Context`, which every operation takes.

On a shared PostgreSQL database the gate holds only the database's URL, without anyone's credentials
(even if the URL it was given had some): nothing is opened before sign-in, and :meth:`Gate.sign_in`
connects *as the person* (their own database role and password), so that PostgreSQL enforces what they
may see and do. There is no first run there (``handover db init --admin`` made the administrator),
and no demo offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from handover.app.context import Context, utc_now
from handover.store.errors import Actor

__all__ = ["Gate", "open_gate", "SignIn"]


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a context, or a message for the person (wrong password, locked…)."""

    context: Context | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.context is not None


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


@dataclass
class Gate:
    store: Any
    clock: Callable[[], datetime] = utc_now
    #: a shared PostgreSQL database: where people sign in, without credentials (``store`` is then the
    #: signed-in person's own, None before anyone signs in)
    shared_url: str | None = None

    @property
    def shared(self) -> bool:
        return self.shared_url is not None

    def sign_in(self, username: str, password: str) -> SignIn:
        if self.shared_url is not None:
            from handover.store import people

            r = people.sign_in(self.shared_url, username, password, now=self.clock())
            if not r.ok:
                return SignIn(None, _sentence(r.message))
            old, self.store = self.store, r.store
            if old is not None:   # the previous person's connections (after signing out)
                old.close()
            return SignIn(Context(r.store, r.actor, self.clock))
        from handover.users import authenticate

        r = authenticate(self.store, username, password, now=self.clock())
        if r.ok:
            return SignIn(Context(self.store, r.actor, self.clock))
        return SignIn(None, _sentence(r.message))

    def check_password(self, actor: Actor, password: str) -> tuple[bool, str]:
        """Unlocking a locked window: the same person's password, with the same lockout as signing in
        (on a shared database: PostgreSQL checks it, and the connections are opened afresh)."""
        if self.shared_url is not None:
            from handover.store import people

            if not people.check_password(self.shared_url, actor.username, password):
                return False, "The username or password is wrong."
            if self.store is not None:
                people.rearm(self.store, password)
            return True, ""
        r = self.sign_in(actor.username, password)
        return r.ok, r.message

    def first_run_needed(self) -> bool:
        if self.shared_url is not None:
            return False   # `handover db init --admin` made the first administrator
        from handover.store.admin import first_run_needed

        return first_run_needed(self.store)

    def create_first_admin(self, username: str, display_name: str, password: str) -> None:
        from handover.store.admin import create_first_admin
        from handover.store.errors import Denied

        if self.shared_url is not None:
            raise Denied("on a shared database the first administrator is made with `handover db init --admin`")
        create_first_admin(self.store, username, display_name, password, now=self.clock())

    def load_demo(self, n: int) -> int:
        """Synthetic demonstration handovers (offered on a first run only, into an empty database)."""
        from handover import demo
        from handover.store.sync import local_date

        now = self.clock()
        return demo.generate(self.store, n, today=local_date(now), now=now).handovers

    def smoke_context(self) -> Context:
        """For the start-up benchmark: the first active manager if any, else the command line's actor."""
        from sqlalchemy import select

        from handover.store.errors import system_actor
        from handover.store.models import User
        from handover.users import actor_for

        with self.store.read() as s:
            u = s.scalars(select(User).where(User.role == "manager", User.active.is_(True)).limit(1)).first()
            actor = actor_for(u) if u is not None else system_actor("gui")
        return Context(self.store, actor, self.clock)

    def database_location(self) -> str:
        if self.shared_url is not None:
            from handover.store.engine import safe_url

            return safe_url(self.shared_url)
        return self.store.display_url


def open_gate(url: str | None = None) -> tuple[Gate | None, str]:
    """Open the database (upgrading an older schema, backed up first): a gate, or one line saying why not.

    A PostgreSQL URL is not opened here: the gate keeps it, without credentials, for people to sign in to
    as themselves."""
    from handover.store.database import open_database
    from handover.store.engine import resolve_url

    url = resolve_url(url)
    from sqlalchemy.engine import make_url

    from handover.store.pg_access import is_postgres_url, people_url

    if is_postgres_url(url):
        from handover.store.engine import safe_url

        try:
            make_url(url).get_dialect()   # the driver is there (nothing is connected before sign-in)
        except Exception as e:  # noqa: BLE001 - a bad URL or a missing driver is said in one line
            return None, f"{safe_url(url)!r} is not a database URL this tool can use ({e})"
        return Gate(None, shared_url=people_url(url).render_as_string(hide_password=False)), ""
    opened = open_database(url)
    if not opened.ok or opened.store is None:
        return None, opened.message or "the database cannot be opened"
    return Gate(opened.store), ""

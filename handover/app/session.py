"""Before anyone is signed in: opening the database, the first run, demo data, signing in.

A :class:`Gate` holds the open database and the clock; :meth:`Gate.sign_in` gives the signed-in
person's :class:`~handover.app.context.Context`, which every operation takes.
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


@dataclass
class Gate:
    store: Any
    clock: Callable[[], datetime] = utc_now

    def sign_in(self, username: str, password: str) -> SignIn:
        from handover.users import authenticate

        r = authenticate(self.store, username, password, now=self.clock())
        if r.ok:
            return SignIn(Context(self.store, r.actor, self.clock))
        return SignIn(None, r.message[:1].upper() + r.message[1:] + ".")

    def check_password(self, actor: Actor, password: str) -> tuple[bool, str]:
        """Unlocking a locked window: the same person's password, with the same lockout as signing in."""
        r = self.sign_in(actor.username, password)
        return r.ok, r.message

    def first_run_needed(self) -> bool:
        from handover.store.admin import first_run_needed

        return first_run_needed(self.store)

    def create_first_admin(self, username: str, display_name: str, password: str) -> None:
        from handover.store.admin import create_first_admin

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
        return self.store.display_url


def open_gate(url: str | None = None) -> tuple[Gate | None, str]:
    """Open the database (upgrading an older schema, backed up first): a gate, or one line saying why not."""
    from handover.store.database import open_database

    opened = open_database(url)
    if not opened.ok or opened.store is None:
        return None, opened.message or "the database cannot be opened"
    return Gate(opened.store), ""

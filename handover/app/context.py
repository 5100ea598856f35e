"""The context of one signed-in person: the store, who they are, the clock — and from those, the
database's protocol and today's date, so that every check, preview, pack and list uses the same ones.

STYLE 19, "pass context, not parts": three screens that each passed the protocol, the date and the user
by hand disagreed (the editor used the bundled protocol while the list used the database's). A
:class:`Context` is made once per sign-in and handed to every operation in :mod:`handover.app.operations`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from handover.store.errors import Actor

if TYPE_CHECKING:  # pragma: no cover
    from handover.checks import CheckResult
    from handover.protocol import Protocol
    from handover.store.database import Store

__all__ = ["Context", "Changes", "Done", "utc_now", "PROTOCOL_RECHECK_SECONDS"]

#: how often an open app asks the database whether an administrator (on any machine) changed the
#: protocol; a change made through this context is seen at once
PROTOCOL_RECHECK_SECONDS = 2.0


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Changes:
    """What an operation changed, so that every open screen can redraw what it shows (Anki's ``OpChanges``).

    ``handovers``: the case ids whose content, state or packs changed (any list of handovers is then
    stale); ``protocol``: the timescales (every deadline on screen is stale); ``people``: users or teams.
    """

    handovers: frozenset[str] = frozenset()
    protocol: bool = False
    people: bool = False

    def __bool__(self) -> bool:
        return bool(self.handovers) or self.protocol or self.people

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.handovers | other.handovers, self.protocol or other.protocol,
                       self.people or other.people)

    @classmethod
    def of(cls, *case_ids: str) -> "Changes":
        return cls(handovers=frozenset(c for c in case_ids if c))


@dataclass(frozen=True)
class Done:
    """The result of an operation that changed something: its ``value`` and what it changed."""

    value: Any
    changes: Changes


@dataclass
class Context:
    """One signed-in person's view of the database. Nothing here decides access: the store does, on
    every call, from the actor as the database knows them now."""

    store: "Store"
    actor: Actor
    clock: Callable[[], datetime] = utc_now
    _protocol: Any = field(default=None, repr=False)
    _protocol_stamp: Any = field(default=None, repr=False)
    _protocol_checked: float = field(default=0.0, repr=False)

    # ---------------------------------------------------------------- time
    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The local date of :meth:`now` (deadlines are counted in the team's own days)."""
        from handover.store.sync import local_date

        return local_date(self.now())

    # ---------------------------------------------------------------- the protocol
    def protocol(self) -> "Protocol":
        """The database's active protocol (an administrator's, else the bundled default), cached and
        re-read when it changes."""
        if self._protocol is None or time.monotonic() - self._protocol_checked > PROTOCOL_RECHECK_SECONDS:
            from sqlalchemy import func, select

            from handover.store.models import ProtocolVersion
            from handover.store.sync import active_protocol

            with self.store.read() as s:
                stamp = s.scalar(select(func.max(ProtocolVersion.id)))
                if self._protocol is None or stamp != self._protocol_stamp:
                    self._protocol, self._protocol_stamp = active_protocol(s), stamp
            self._protocol_checked = time.monotonic()
        return self._protocol

    def forget_protocol(self) -> None:
        """Read the protocol again on next use (after an administrator changed it)."""
        self._protocol = None

    # ---------------------------------------------------------------- checking
    def check(self, case: dict[str, Any]) -> "CheckResult":
        """Findings and deadlines of a case today, under the database's protocol."""
        from handover.checks import check_case

        return check_case(case, self.today(), self.protocol())

    def with_actor(self, actor: Actor) -> "Context":
        """The same database and clock for another person (signing in after a sign-out)."""
        return Context(self.store, actor, self.clock)

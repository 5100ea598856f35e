"""What the service layer raises for expected refusals, and who is acting.

Every :class:`ServiceError` has a one-line ``str()`` fit for a dialog or stderr; the app's operation
wrapper catches ``ServiceError`` and shows it. Anything else that escapes is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ServiceError", "Denied", "NotFound", "Conflict", "Invalid", "Actor", "system_actor"]


class ServiceError(Exception):
    """An expected refusal; ``str()`` is one line."""


class Denied(ServiceError):
    """The actor's role or team does not allow this."""


class NotFound(ServiceError):
    """No such handover, version, user or team (or one the actor may not know exists)."""


class Invalid(ServiceError):
    """The request is malformed: a bad case document, a missing reason, an unknown code."""


class Conflict(ServiceError):
    """Someone else changed the handover first. ``by`` / ``at`` / ``state`` say what they did."""

    def __init__(self, message: str, *, by: str = "", at: datetime | None = None, state: str = "",
                 current_version: int | None = None) -> None:
        super().__init__(message)
        self.by = by
        self.at = at
        self.state = state
        self.current_version = current_version


@dataclass(frozen=True)
class Actor:
    """Who is acting. Built by :func:`handover.users.authenticate`; the service re-reads the user's
    current role, team and status from the database on every call, so a stale Actor gains nothing."""

    username: str
    display_name: str
    role: str
    team_id: int | None = None
    team_name: str = ""
    user_id: int | None = None
    system: bool = False     #: the command line working on a database file it owns: no team limits


def system_actor(name: str = "cli") -> Actor:
    """The actor for command-line imports and exports (whoever holds the database URL holds the data)."""
    return Actor(username=f"cli:{name}", display_name=f"command line ({name})", role="administrator",
                 system=True)

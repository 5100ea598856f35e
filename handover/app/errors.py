"""What an operation raises when it cannot be done: ordinary, expected refusals with a one-line ``str()``.

They are the store's :class:`~handover.store.errors.ServiceError` family, plus :class:`Refused` for
refusals that come from outside the store (a pack that cannot be final, a certificate that cannot
sign, a file that cannot be read). The app shows any of them in one dialog; anything else is a bug.
"""

from __future__ import annotations

from handover.failures import log_failure
from handover.store.errors import Actor, Conflict, Denied, Invalid, NotFound, ServiceError

__all__ = ["OperationError", "Refused", "Conflict", "Denied", "Invalid", "NotFound", "Actor", "as_refusal", "log_failure"]

OperationError = ServiceError


class Refused(ServiceError):
    """Expected, and not about access: a final pack while errors remain, a wrong passphrase, a file
    that is not a case file, an export that cannot be written."""


def as_refusal(exc: BaseException) -> OperationError | None:
    """An expected failure that is not the store's own refusal, as one line for a person — a database
    that is busy, unreachable or went away mid-command — else None (a bug, to be raised). The message
    never carries the statement or its parameters (a child's data)."""
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError, TimeoutError as PoolTimeout
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, (OperationalError, PoolTimeout)):
        return Refused("the database could not be reached or is busy: nothing was changed; try again in a "
                       "moment, and if it goes on, ask your administrator")
    if isinstance(exc, DBAPIError):
        return Refused("the database refused that: nothing was changed; if it happens again, ask your "
                       "administrator")
    if isinstance(exc, SQLAlchemyError):
        return Refused("the database could not do that: nothing was changed")
    return None

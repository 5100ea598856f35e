"""What an operation raises when it cannot be done: ordinary, expected refusals with a one-line ``str()``.

They are the store's :class:`~handover.store.errors.ServiceError` family, plus :class:`Refused` for
refusals that come from outside the store (a pack that cannot be final, a certificate that cannot
sign, a file that cannot be read). The app shows any of them in one dialog; anything else is a bug.
"""

from __future__ import annotations

from handover.store.errors import Actor, Conflict, Denied, Invalid, NotFound, ServiceError

__all__ = ["OperationError", "Refused", "Conflict", "Denied", "Invalid", "NotFound", "Actor"]

OperationError = ServiceError


class Refused(ServiceError):
    """Expected, and not about access: a final pack while errors remain, a wrong passphrase, a file
    that is not a case file, an export that cannot be written."""

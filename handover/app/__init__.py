"""The operations layer: the only part of the core the desktop app calls.

``Gate`` (before sign-in) → ``Context`` (one signed-in person: store, actor, clock, the database's
protocol) → ``operations`` (one function per thing a person does; writes return ``Done`` with the
``Changes`` every open screen redraws from). Refusals are ``OperationError`` with a one-line message.
"""

from __future__ import annotations

from handover.app import operations
from handover.app.context import Changes, Context, Done
from handover.app.errors import Actor, Conflict, Denied, Invalid, NotFound, OperationError, Refused
from handover.app.session import Gate, SignIn, open_gate

__all__ = ["operations", "Context", "Changes", "Done", "Gate", "SignIn", "open_gate", "OperationError", "Refused",
           "Conflict", "Denied", "Invalid", "NotFound", "Actor"]

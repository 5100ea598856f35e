"""The audit trail: append-only entries, each holding the hash of the one before.

``entry_hash = sha256(canonical JSON of [seq, at, actor, action, case_id, detail, prev_hash])``. The
``audit_head`` row keeps the newest entry's number and hash. :func:`verify` recomputes the chain, so an
edited entry (its hash no longer matches), an inserted one (the next entry's ``prev_hash`` no longer
matches, or the numbering breaks) and a deleted one (a gap, or a head that points past the end) are
all reported. Someone able to rewrite every entry *and* the head can still forge a consistent chain:
keep a copy of the head hash elsewhere (``handover audit verify`` prints it) to catch that too.

Entries that set or change a password (``user_create``, ``password_reset``, and a ``sign_in`` that
re-hashed it) also record ``credential``: the SHA-256 of the stored (salted) password hash, never the
password or the hash itself, so that ``handover audit verify`` notices a hash changed in the database
(:mod:`handover.store.integrity` cross-checks the trail against every table).

Appending is serialised: SQLite write transactions begin IMMEDIATE; on PostgreSQL a transaction-scoped
advisory lock is taken. Nothing here reads the clock: pass ``now``. Never put a password in ``detail``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from handover.store.models import AuditEntry, AuditHead

__all__ = ["GENESIS", "append", "verify", "AuditReport", "entry_hash", "entries_for", "credential_fingerprint",
           "read_head", "head_text", "parse_head"]

GENESIS = "sha256:" + "0" * 64
_LOCK_KEY = 0x68616E64   # "hand": the advisory lock that serialises appends on PostgreSQL


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, at: datetime, actor: str, action: str, case_id: str | None, detail: str,
               prev_hash: str) -> str:
    payload = json.dumps([seq, _stamp(at), actor, action, case_id, detail, prev_hash],
                         ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def credential_fingerprint(password_hash: str | None) -> str:
    """What the trail records of a password hash: its SHA-256 (the hash is salted; this reveals nothing)."""
    return "sha256:" + hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()


#: actions whose entry records the credential fingerprint of ``detail["user"]`` (``sign_in``: the actor)
CREDENTIAL_ACTIONS = ("user_create", "password_reset", "sign_in")


def _with_credential(session: Session, actor: str, action: str,
                     detail: dict[str, Any] | None) -> dict[str, Any] | None:
    from handover.store.models import User

    username = actor if action == "sign_in" else (detail or {}).get("user")
    if not username or "credential" in (detail or {}):
        return detail
    session.flush()
    pw_hash = session.scalar(select(User.password_hash).where(User.username == username))
    if pw_hash is None:
        return detail
    return {**(detail or {}), "credential": credential_fingerprint(pw_hash)}


def read_head(session: Session) -> tuple[int, str]:
    """(entries, head hash) of the trail now: (0, GENESIS) when it is empty."""
    row = session.execute(select(AuditHead.seq, AuditHead.entry_hash).where(AuditHead.id == 1)).first()
    return (0, GENESIS) if row is None else (int(row[0]), row[1])


def head_text(seq: int, head_hash: str) -> str:
    """The ``AuditHead`` a signed pack carries: ``"<entries>:<head hash>"``."""
    return f"{seq}:{head_hash}"


def parse_head(value: str) -> tuple[int, str] | None:
    count, _, h = (value or "").strip().partition(":")
    if not count.isdigit() or not h.startswith("sha256:"):
        return None
    return int(count), h


def append(session: Session, *, actor: str, action: str, now: datetime, case_id: str | None = None,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    """Add one entry inside the caller's write transaction.

    On a person's own PostgreSQL connection the entry is written by the database's ``SECURITY DEFINER``
    function (people cannot write the trail themselves): it names ``session_user`` as the actor and
    stamps the server's time, whatever ``actor`` and ``now`` say (:mod:`handover.store.pg_access`)."""
    person = False
    if session.get_bind().dialect.name == "postgresql":
        from handover.store import pg_access

        person = pg_access.is_person(session)
    if action in CREDENTIAL_ACTIONS and not person:   # a person's connection cannot read password hashes
        detail = _with_credential(session, actor, action, detail)
    body = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    if session.get_bind().dialect.name == "postgresql":
        from handover.store import pg_access

        if person:
            return pg_access.audit_append(session, action=action, case_id=case_id, detail=body)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        seq, prev = 1, GENESIS
    else:
        seq, prev = head.seq + 1, head.entry_hash
    h = entry_hash(seq, now, actor, action, case_id, body, prev)
    entry = AuditEntry(seq=seq, at=now, actor=actor, action=action, case_id=case_id, detail=body,
                       prev_hash=prev, entry_hash=h)
    session.add(entry)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, entry_hash=h))
    else:
        head.seq, head.entry_hash = seq, h
    session.flush()
    return entry


@dataclass
class AuditReport:
    ok: bool
    entries: int
    head_hash: str
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.entries} entries, head {self.head_hash}"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"audit trail broken: {self.problems[0]}{more}"


def verify(session: Session, max_problems: int = 20,
           visit: Callable[[AuditEntry], None] | None = None) -> AuditReport:
    """Recompute the whole chain (streamed in order); ``visit`` sees every entry (the cross-checks)."""
    problems: list[str] = []
    prev, expected, count = GENESIS, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000))
    for e in rows.scalars():
        count += 1
        if e.seq != expected:
            problems.append(f"entry {expected}" + (f" to {e.seq - 1}" if e.seq - 1 > expected else "")
                            + " missing (deleted?)" if e.seq > expected else f"entry {e.seq} out of order")
        if e.prev_hash != prev:
            problems.append(f"entry {e.seq} does not follow the entry before it (inserted or deleted entry)")
        if entry_hash(e.seq, e.at, e.actor, e.action, e.case_id, e.detail, e.prev_hash) != e.entry_hash:
            problems.append(f"entry {e.seq} ({e.action} by {e.actor}) was changed after it was written")
        if visit is not None:
            visit(e)
        prev, expected = e.entry_hash, e.seq + 1
        if len(problems) >= max_problems:
            break
    head = session.get(AuditHead, 1)
    if len(problems) < max_problems:
        if head is None and count:
            problems.append("the audit head is missing")
        elif head is not None and (head.seq != expected - 1 or head.entry_hash != prev):
            problems.append(f"the trail ends at entry {expected - 1} but its head says {head.seq} "
                            "(newest entries deleted or added without the head)")
    return AuditReport(ok=not problems, entries=count, head_hash=prev, problems=problems)


def entries_for(session: Session, case_id: str, limit: int = 500) -> list[AuditEntry]:
    """A case's audit entries, oldest first."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                .order_by(AuditEntry.seq).limit(limit)))

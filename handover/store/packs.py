"""Signed PDF packs stored in the database, frozen with the authorised version they were built from.

A team shares one database, so the signed pack lives there too (not on one PC): each row keeps the
PDF bytes, their SHA-256, and the ``content_hash`` of the case version it was built from, which must be
that of a frozen (authorised) version. A stored pack is never changed; a new signature is a new row.
Storing is for the sending team's practitioners and managers; anyone who may open the case may read
its packs (so the receiving team once it is sent), and every read is audited. The rules are in
:mod:`handover.store.access`; conventions as in :mod:`handover.store.service`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from handover import audit
from handover.store.access import check_may_store_pack, current_actor, load_handover
from handover.store.database import Store
from handover.store.errors import Actor, Invalid, NotFound, ServiceError
from handover.store.models import PACK_KINDS, Pack, Version

__all__ = ["PackInfo", "store_pack", "list_packs", "get_pack", "pack_sha256", "MAX_PACK_BYTES"]

MAX_PACK_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PackInfo:
    id: int
    case_id: str
    version: int
    kind: str                 #: "final" | "family"
    size: int
    sha256: str               #: "sha256:<hex>" of the PDF bytes
    content_hash: str         #: of the case version the pack was built from
    signers: str
    created_by: str
    created_at: datetime


def pack_sha256(pdf: bytes) -> str:
    return "sha256:" + hashlib.sha256(pdf).hexdigest()


def _info(p: Pack, case_id: str) -> PackInfo:
    return PackInfo(p.id, case_id, p.version, p.kind, p.size, p.sha256, p.content_hash, p.signers, p.created_by,
                    p.created_at)


def store_pack(store: Store, actor: Actor, case_id: str, version: int, pdf: bytes, *, kind: str, now: datetime,
               content_hash: str, signers: str = "") -> PackInfo:
    """Keep a signed pack of an authorised ``version``; ``content_hash`` is the hash of the document the
    pack was built from and must be that version's. Storing the same bytes again writes nothing."""
    if kind not in PACK_KINDS:
        raise Invalid(f"a pack is one of {', '.join(PACK_KINDS)}, not {kind!r}")
    if not isinstance(pdf, (bytes, bytearray)) or not bytes(pdf[:5]) == b"%PDF-":
        raise Invalid("that is not a PDF file")
    if len(pdf) > MAX_PACK_BYTES:
        raise Invalid(f"the pack is too large ({len(pdf) // (1024 * 1024)} MB; at most "
                      f"{MAX_PACK_BYTES // (1024 * 1024)} MB)")
    pdf = bytes(pdf)
    digest = pack_sha256(pdf)
    with store.write() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        check_may_store_pack(actor, h)
        v = s.scalar(select(Version).where(Version.handover_id == h.id, Version.number == version))
        if v is None:
            raise NotFound(f"handover {case_id!r} has no version {version}")
        if not v.frozen:
            raise Invalid(f"version {version} of {case_id} is not authorised: only the pack of an authorised "
                          "version is kept")
        if v.content_hash != content_hash:
            raise Invalid(f"the pack was built from a different document ({content_hash}) than version {version} "
                          f"of {case_id} ({v.content_hash}): build it again from the authorised version")
        same = s.scalar(select(Pack).where(Pack.handover_id == h.id, Pack.version == version, Pack.kind == kind,
                                           Pack.sha256 == digest))
        if same is not None:
            return _info(same, case_id)
        p = Pack(handover_id=h.id, version=version, kind=kind, pdf=pdf, size=len(pdf), sha256=digest,
                 content_hash=content_hash, signers=(signers or "").strip(), created_by=actor.username,
                 created_at=now)
        s.add(p)
        s.flush()
        audit.append(s, actor=actor.username, action="pack_store", case_id=case_id, now=now,
                     detail={"pack": p.id, "version": version, "kind": kind, "sha256": digest, "size": len(pdf),
                             "content_hash": content_hash, "signers": p.signers})
        return _info(p, case_id)


def list_packs(store: Store, actor: Actor, case_id: str) -> list[PackInfo]:
    """A case's stored packs, oldest first (without their bytes)."""
    with store.read() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        cols = (Pack.id, Pack.version, Pack.kind, Pack.size, Pack.sha256, Pack.content_hash, Pack.signers,
                Pack.created_by, Pack.created_at)
        rows = s.execute(select(*cols).where(Pack.handover_id == h.id).order_by(Pack.id))
        return [PackInfo(r[0], case_id, *r[1:]) for r in rows]


def get_pack(store: Store, actor: Actor, case_id: str, pack_id: int, *, now: datetime) -> bytes:
    """The bytes of one stored pack; the reading is recorded in the audit trail. Bytes that no longer
    match their stored SHA-256 are refused (a damaged database: restore it from a backup)."""
    with store.write() as s:
        actor = current_actor(s, actor)
        h = load_handover(s, actor, case_id)
        p = s.scalar(select(Pack).where(Pack.id == pack_id, Pack.handover_id == h.id))
        if p is None:
            raise NotFound(f"handover {case_id!r} has no stored pack {pack_id}")
        if pack_sha256(p.pdf) != p.sha256:
            raise ServiceError(f"stored pack {pack_id} of {case_id} is damaged (its bytes no longer match their "
                               "SHA-256): restore the database from a backup")
        audit.append(s, actor=actor.username, action="pack_view", case_id=case_id, now=now,
                     detail={"pack": p.id, "version": p.version, "kind": p.kind})
        return p.pdf

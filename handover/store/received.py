"""A signed pack from another organisation, stored as a handover received from its signer (SPEC.md
section 9, last point; ``handover import PACK.pdf``).

The pack is verified first (:func:`handover.pack.verify.verify_pack`, with the trust anchors given): a
draft, a family copy, an unsigned pack, a broken or (with anchors) untrusted signature, and a pack whose
case file is missing or does not hash to its content hash are refused with one line and nothing is
stored. The case file it carries becomes a new handover in ``sent`` for the receiving team, sent by no
team of this database (the sender is outside it): version 1 frozen and authorised as the signer
authorised it, one ``receive`` workflow event, and the PDF kept beside the version as a pack of kind
``received``. A pack whose case id is already stored is refused, unless a stored version of that
handover has exactly its content (nothing is written then).

The receiving team's receivers and managers import for their own team; the command line's system actor
for the team it names. On a shared PostgreSQL database a person's own role starts only drafts of their
own team, so there the rows computed here are stored by ``handover_access.receive_pack``
(:func:`handover.store.pg_access.receive_pack`), which checks the caller and forces every column that
decides who sees and does what. The database cannot check a PAdES signature, so raw SQL could store a
forged pack that way: ``handover audit verify`` re-verifies every received pack
(:func:`stored_pack_problem`) and reports one that is not what it was stored as. Conventions as in
:mod:`handover.store.service`.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import select

from handover import audit
from handover.case import CaseError, content_hash, dump_case, parse_case
from handover.store import service as svc
from handover.store.access import current_actor, may_view
from handover.store.database import Store
from handover.store import pg_access
from handover.store.errors import Actor, Denied, Invalid, NotFound
from handover.store.models import Handover, Pack, Team, Version, WorkflowEvent
from handover.store.packs import MAX_PACK_BYTES, pack_sha256
from handover.store.queries import team_id_by_name
from handover.store.sync import (active_protocol, deadline_rows, list_columns, local_date, people_rows,
                                 summary_columns, sync_current)

__all__ = ["import_pack", "stored_pack_problem", "NotReceived", "Unusable", "RECEIVE", "RECEIVED_KIND",
           "ALREADY_STORED"]

#: the workflow event (and ``move:`` audit entry) of a handover that arrived as a signed pack: from
#: authorised (the signer's authorisation) to sent (it is with the receiving team)
RECEIVE = pg_access.RECEIVE
#: the kind of the stored pack a handover was received as
RECEIVED_KIND = pg_access.RECEIVED_KIND
#: who may import a pack for their team: whoever the receiving side of acknowledging allows
_RECEIVERS = pg_access.RECEIVERS
#: the refusal of a pack whose case id is stored already (said by the database too)
ALREADY_STORED = pg_access.ALREADY_STORED


class NotReceived(Invalid):
    """The pack is refused (a draft, unsigned, broken, untrusted, or its id already stored): exit 1."""


class Unusable(Invalid):
    """What was given cannot be checked at all (not a PDF, not a handover pack, a trust file that cannot be
    read): exit 2, like any unusable input."""


def import_pack(store: Store, actor: Actor, pdf: bytes, *, now: datetime,
                trust: str | Path | Any | Sequence[str | Path | Any] | None = None, source: str = "the pack",
                receiving_team: str | None = None) -> svc.ImportResult:
    """Verify a signed pack and store the case file it carries as a handover received from its signer.

    ``trust``: certificate files (PEM or DER) or certificates (asn1crypto) the signers must chain to; with
    none given, signatures are checked but anyone's certificate is accepted. ``receiving_team`` names the
    team it is for (the system actor creates a missing one); by default the actor's own team. Raises
    :class:`NotReceived` for a pack refused, :class:`Unusable` for input that is no pack, and
    :class:`Denied` / :class:`~handover.store.errors.NotFound` for the actor; nothing is written then.
    """
    checked, case = _receivable(pdf, trust, source)
    signer = checked.signatures[-1].who
    signers = _signers(checked)
    with store.write() as s:
        actor = current_actor(s, actor)
        h = s.scalar(select(Handover).where(Handover.case_id == case["id"]))
        if h is not None:
            same = s.scalar(select(Version.number).where(Version.handover_id == h.id,
                                                         Version.content_hash == checked.content_hash)
                            .order_by(Version.number.desc()).limit(1)) if may_view(actor, h) else None
            if same is not None:
                return svc.ImportResult(h.case_id, same, created=False, unchanged=True)
            raise NotReceived(f"{ALREADY_STORED}: {case['id']} (nothing was imported)")
        team_id = _receiving_team(s, actor, receiving_team, now)
        note = f"received as a signed pack from {signer}"
        if s.get_bind().dialect.name == "postgresql" and pg_access.is_person(s):
            _receive_on_own_role(s, case, pdf, note=note, signer=signer, signers=signers, source=source, now=now)
            return svc.ImportResult(case["id"], 1, created=True, unchanged=False)
        h = Handover(case_id=case["id"], state="sent", team_id=None, receiving_team_id=team_id, owner_id=None,
                     current_version=1, authorised_version=1, row_version=1, created_at=now, updated_at=now,
                     **summary_columns(case))
        s.add(h)
        s.flush()
        v = Version(handover_id=h.id, number=1, document=dump_case(case), content_hash=content_hash(case),
                    frozen=True, created_by=actor.username, created_at=now, note=note[:500])
        s.add(v)
        sync_current(s, h, case, active_protocol(s), local_date(now))
        s.add(WorkflowEvent(handover_id=h.id, action=RECEIVE, from_state="authorised", to_state="sent",
                            actor=actor.username, actor_name=actor.display_name, at=now, reason_code=None,
                            note=note, version=v.number))
        audit.append(s, actor=actor.username, action="import_pack", case_id=h.case_id, now=now,
                     detail={"version": v.number, "source": source, "hash": v.content_hash, "signer": signer})
        audit.append(s, actor=actor.username, action=f"move:{RECEIVE}", case_id=h.case_id, now=now,
                     detail={"from": "authorised", "to": "sent", "reason_code": None, "note": note,
                             "version": v.number})
        p = Pack(handover_id=h.id, version=v.number, kind=RECEIVED_KIND, pdf=pdf, size=len(pdf),
                 sha256=pack_sha256(pdf), content_hash=v.content_hash, signers=signers, created_by=actor.username,
                 created_at=now)
        s.add(p)
        s.flush()
        audit.append(s, actor=actor.username, action="pack_store", case_id=h.case_id, now=now,
                     detail={"pack": p.id, "version": v.number, "kind": RECEIVED_KIND, "sha256": p.sha256,
                             "size": p.size, "content_hash": p.content_hash, "signers": signers})
        return svc.ImportResult(h.case_id, v.number, created=True, unchanged=False)


def _receive_on_own_role(s: Any, case: dict[str, Any], pdf: bytes, *, note: str, signer: str, signers: str,
                         source: str, now: datetime) -> None:
    """What the SQLite branch of :func:`import_pack` writes, stored by the database's
    ``handover_access.receive_pack`` on a receiver's or manager's own PostgreSQL role."""
    protocol = active_protocol(s)
    deadlines = deadline_rows(case, protocol)
    try:
        pg_access.receive_pack(s, case_id=case["id"], columns={**summary_columns(case), **list_columns(
                                   case, protocol, local_date(now), deadlines)},
                               document=dump_case(case), content_hash=content_hash(case), note=note,
                               deadlines=deadlines, people=people_rows(case), pdf=pdf, signers=signers,
                               signer=signer, source=source)
    except Denied as e:
        if str(e).startswith(ALREADY_STORED):
            raise NotReceived(str(e)) from None
        raise


def stored_pack_problem(pdf: bytes, case_id: str, version_hash: str | None, signers: str, label: str) -> str | None:
    """Why a stored pack of kind ``received`` does not vouch for the handover stored from it (its signature,
    the case file it carries against version 1's content hash, the signers recorded), or None: what
    ``handover audit verify`` reports (on PostgreSQL, raw SQL could store a forged pack; see above)."""
    try:
        checked, case = _receivable(pdf, None, label, refused="is not a signed pack that can be received")
    except (NotReceived, Unusable) as e:
        return str(e)
    if case["id"] != case_id:
        return f"{label} carries the case file of {case['id']!r}, not of {case_id!r}"
    if content_hash(case) != version_hash:
        return f"{label} carries a case file that is not version 1 of {case_id} as stored"
    if _signers(checked) != signers:
        return f"{label} was signed by {_signers(checked)}, not by {signers} as stored"
    return None


def _signers(checked: Any) -> str:
    return ", ".join(dict.fromkeys(s.who for s in checked.signatures))


def _receivable(pdf: bytes, trust: Any, source: str, refused: str = "was not imported") -> tuple[Any, dict[str, Any]]:
    """(verification, the case file it carries) of a pack that may be received; else :class:`NotReceived`
    (``source``, ``refused``, why) or :class:`Unusable`."""
    checked, carried = _verified(pdf, trust, source)
    why = _refusal(checked, carried)
    if why:
        raise NotReceived(f"{source} {refused}: {why}")
    assert carried is not None
    try:
        case = parse_case(carried, f"the case file {source} carries")
    except CaseError as e:
        raise NotReceived(str(e)) from None
    if content_hash(case) != checked.content_hash:
        raise NotReceived(f"{source}: the case file it carries does not match the content hash in its appendix")
    if case["id"] != checked.case_id:
        raise NotReceived(f"{source} is the pack of {checked.case_id!r} but carries the case file of {case['id']!r}")
    return checked, case


def _verified(pdf: bytes, trust: Any, source: str) -> tuple[Any, bytes | None]:
    """The verification of a pack, and the case file it carries if it matches the content hash;
    :class:`Unusable` when it cannot be checked at all."""
    from handover.pack.embedded import read_embedded
    from handover.pack.errors import PackError
    from handover.pack.verify import verify_pack

    if not isinstance(pdf, (bytes, bytearray)) or not bytes(pdf[:5]) == b"%PDF-":
        raise Unusable(f"{source} is not a PDF")
    if len(pdf) > MAX_PACK_BYTES:
        raise Unusable(f"{source} is too large ({len(pdf) // (1024 * 1024)} MB; a pack is at most "
                       f"{MAX_PACK_BYTES // (1024 * 1024)} MB)")
    pdf = bytes(pdf)
    with tempfile.TemporaryDirectory(prefix="handover-receive-") as tmp:   # 0700; removed whatever happens
        path = Path(tmp) / "pack.pdf"
        path.write_bytes(pdf)
        path.chmod(0o600)
        anchor = _trust_file(trust, Path(tmp) / "trust.pem")
        try:
            checked = verify_pack(path, anchor)
            carried = read_embedded(pdf) if checked.embedded_case.matches_content_hash else None
        except PackError as e:   # what verify says of the temporary files, said of what was given
            why = str(e).replace(str(anchor), "a trust anchor given") if anchor else str(e)
            raise Unusable(why.replace(path.name, source)) from None
    return checked, carried


def _refusal(checked: Any, carried: bytes | None) -> str | None:
    """Why a verified pack is not stored (one clause), or None."""
    if checked.draft:
        return "it is a draft pack, not an authorised one"
    if checked.family_copy:
        return "it is a family copy, which leaves part of the case out"
    if not checked.signatures:
        return "it is not signed"
    if "manager" in checked.unsigned_fields:   # SPEC 2: authorised means the sending team's manager signed it
        return "the sending team's manager has not signed it, so it was never authorised"
    for sig in checked.signatures:
        if not sig.intact or not sig.valid:
            return f"the signature of {sig.who} is broken ({sig.problems[0] if sig.problems else 'invalid'})"
    for sig in checked.signatures:
        if sig.trusted is False:
            return f"the signature of {sig.who} is not from a trusted certificate authority"
    for sig in checked.signatures:
        if not sig.ok:
            return f"the signature of {sig.who}: {sig.problems[0] if sig.problems else 'not valid'}"
    if checked.problems:
        return checked.problems[0]
    if carried is None:
        return "it carries no case file (handover-case.json)"
    return None


def _trust_file(trust: Any, out: Path) -> Path | None:
    """One PEM file of every trust anchor given (files, PEM or DER, or certificates), for verify_pack, which
    reads and checks it; None for none."""
    if trust is None:
        return None
    from asn1crypto import pem

    from handover.files import read_input

    items = list(trust) if isinstance(trust, (list, tuple)) else [trust]
    blob = b""
    for item in items:
        if isinstance(item, (str, Path)):
            data = read_input(item, what="a certificate", error=Unusable, limit=1024 * 1024)
        elif hasattr(item, "dump"):
            data = item.dump()
        else:
            raise Unusable("a trust anchor is neither a certificate file nor a certificate")
        blob += data if pem.detect(data) else pem.armor("CERTIFICATE", data)
    if not items:
        return None
    out.write_bytes(blob)
    return out


def _receiving_team(s: Any, actor: Actor, name: str | None, now: datetime) -> int:
    """The team the pack is for: ``name`` (created for the system actor) or the actor's own."""
    if not actor.system and actor.role not in _RECEIVERS:
        raise Denied(f"only {' and '.join(sorted(r + 's' for r in _RECEIVERS))} import a signed pack for their team")
    team_id = team_id_by_name(s, name) if name else actor.team_id
    if name and team_id is None:
        if not actor.system:
            raise NotFound(f"there is no team called {name!r}")
        team = Team(name=name, service="", created_at=now)    # the command line names it: made, as import does
        s.add(team)
        s.flush()
        team_id = team.id
    if team_id is None:
        raise Invalid("name the receiving team (--team NAME)" if actor.system
                      else "you are not in a team: ask an administrator to add you to one")
    if not actor.system and team_id != actor.team_id:
        raise Denied("you can only import a signed pack for your own team")
    return team_id

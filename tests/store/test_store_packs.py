"""Signed packs kept in the database with the authorised version they were built from."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from store.store_cases import NOW, complete_step_down

from handover import audit
from handover.store import service as sv
from handover.store.models import AuditEntry

PDF = b"%PDF-1.7\n% synthetic test pack\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _authorised(store, cast, cid="PK-1"):
    sv.create_handover(store, cast.prac, complete_step_down(cid), now=NOW, receiving_team_id=cast.eh)
    sv.move(store, cast.prac, cid, "request_authorisation", now=NOW)
    r = sv.move(store, cast.mgr, cid, "authorise", now=NOW)
    view = sv.get_handover(store, cast.mgr, cid, now=NOW)
    assert view.frozen and view.version == r.summary.authorised_version
    return view


def test_store_list_and_read_a_pack(store, cast):
    view = _authorised(store, cast)
    info = sv.store_pack(store, cast.mgr, "PK-1", view.version, PDF, kind="final", now=NOW,
                         content_hash=view.content_hash, signers="Mgr Example")
    assert (info.case_id, info.version, info.kind, info.size) == ("PK-1", view.version, "final", len(PDF))
    assert info.sha256 == "sha256:" + hashlib.sha256(PDF).hexdigest() and info.content_hash == view.content_hash
    assert info.created_by == "mgr" and info.created_at == NOW and info.signers == "Mgr Example"
    family = sv.store_pack(store, cast.prac, "PK-1", view.version, PDF + b" ", kind="family", now=NOW,
                           content_hash=view.content_hash)
    # the same bytes again: nothing new
    again = sv.store_pack(store, cast.mgr, "PK-1", view.version, PDF, kind="final", now=NOW,
                          content_hash=view.content_hash)
    assert again == info
    assert sv.list_packs(store, cast.prac, "PK-1") == [info, family]
    assert sv.get_pack(store, cast.mgr, "PK-1", info.id, now=NOW) == PDF
    with store.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.case_id == "PK-1")
                                           .order_by(AuditEntry.seq))]
        assert actions.count("pack_store") == 2 and actions[-1] == "pack_view"
        assert audit.verify(s).ok
    # later versions do not disturb the frozen one or its pack
    edited = dict(view.case, transition=dict(view.case["transition"], reason="changed later"))
    sv.save_version(store, cast.prac, "PK-1", edited, sv.get_handover(store, cast.prac, "PK-1", now=NOW)
                    .summary.row_version, now=NOW + timedelta(hours=1))
    assert sv.get_pack(store, cast.prac, "PK-1", info.id, now=NOW) == PDF


def test_pack_refusals(store, cast):
    view = _authorised(store, cast)
    ok = dict(kind="final", now=NOW, content_hash=view.content_hash)
    with pytest.raises(sv.Invalid, match="different document"):
        sv.store_pack(store, cast.mgr, "PK-1", view.version, PDF, kind="final", now=NOW,
                      content_hash="sha256:" + "0" * 64)
    with pytest.raises(sv.Invalid, match="not authorised"):   # version 1 is the unsigned draft
        sv.store_pack(store, cast.mgr, "PK-1", 1, PDF, kind="final", now=NOW,
                      content_hash=sv.versions(store, cast.mgr, "PK-1")[0].content_hash)
    with pytest.raises(sv.NotFound):
        sv.store_pack(store, cast.mgr, "PK-1", 99, PDF, **ok)
    with pytest.raises(sv.Invalid, match="not a PDF"):
        sv.store_pack(store, cast.mgr, "PK-1", view.version, b"hello", **ok)
    with pytest.raises(sv.Invalid):
        sv.store_pack(store, cast.mgr, "PK-1", view.version, PDF, kind="draft", now=NOW,
                      content_hash=view.content_hash)
    for who in (cast.eh_mgr, cast.other_mgr):   # managers see every case, but store for their own team's
        with pytest.raises(sv.Denied):
            sv.store_pack(store, who, "PK-1", view.version, PDF, **ok)
    for who in (cast.recv, cast.other_prac):    # cannot see it at all (not sent yet; another team)
        with pytest.raises(sv.NotFound):
            sv.store_pack(store, who, "PK-1", view.version, PDF, **ok)
    sv.move(store, cast.prac, "PK-1", "send", now=NOW)
    with pytest.raises(sv.Denied):              # once sent, the receiving team reads it but does not store
        sv.store_pack(store, cast.recv, "PK-1", view.version, PDF, **ok)
    with pytest.raises(sv.Denied):
        sv.store_pack(store, cast.admin, "PK-1", view.version, PDF, **ok)
    assert sv.list_packs(store, cast.mgr, "PK-1") == []


def test_receivers_read_the_pack_once_sent(store, cast):
    view = _authorised(store, cast)
    info = sv.store_pack(store, cast.prac, "PK-1", view.version, PDF, kind="final", now=NOW,
                         content_hash=view.content_hash)
    for who in (cast.recv, cast.other_recv):
        with pytest.raises(sv.NotFound):
            sv.get_pack(store, who, "PK-1", info.id, now=NOW)
        with pytest.raises(sv.NotFound):
            sv.list_packs(store, who, "PK-1")
    sv.move(store, cast.prac, "PK-1", "send", now=NOW)
    assert sv.get_pack(store, cast.recv, "PK-1", info.id, now=NOW) == PDF
    assert [p.id for p in sv.list_packs(store, cast.recv, "PK-1")] == [info.id]
    with pytest.raises(sv.NotFound):
        sv.get_pack(store, cast.other_recv, "PK-1", info.id, now=NOW)
    with pytest.raises(sv.NotFound):   # a pack of another handover through this one
        _authorised(store, cast, "PK-2")
        sv.get_pack(store, cast.recv, "PK-2", info.id, now=NOW)


def test_a_damaged_pack_is_refused_and_reported(store, cast):
    view = _authorised(store, cast)
    info = sv.store_pack(store, cast.mgr, "PK-1", view.version, PDF, kind="final", now=NOW,
                         content_hash=view.content_hash)
    with store.engine.begin() as c:
        c.execute(text("UPDATE packs SET pdf = :b WHERE id = :i"), {"b": PDF.replace(b"synthetic", b"synthetiC"),
                                                                   "i": info.id})
    with pytest.raises(sv.ServiceError, match="damaged"):
        sv.get_pack(store, cast.mgr, "PK-1", info.id, now=NOW)
    from handover.store.integrity import verify_store

    report = verify_store(store)
    assert not report.ok and any(f"pack {info.id}" in p for p in report.problems)

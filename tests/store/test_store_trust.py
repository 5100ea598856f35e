"""The team's trusted authorities (SPEC.md section 9, issue 18): the certificates of the authorities whose
signed packs the team accepts, kept in the database's ``settings`` so that the whole team shares them;
administrators add and remove them; the app's import checks every pack against them. On SQLite and on
PostgreSQL (the owner's connection, and an administrator's own role through ``handover_access.trust_set``).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from store.store_cases import NOW

from handover.app import Context, Refused
from handover.app import operations as ops
from handover.keys import init_ca, issue_user, load_p12
from handover.pack import build_pack, sign_pack
from handover.store import admin as trust
from handover.store.errors import Denied, Invalid, NotFound
from handover.store.integrity import verify_store
from handover.store.models import AuditEntry, Handover, Setting
from handover.store.received import NotReceived
from tests.pack.conftest import AS_OF, CA_PASS, USER_PASS, example, keys  # noqa: F401 — keys: the session's CAs

SIGNER = "Priya Natt, Exampleton Council"
EXAMPLETON = "Exampleton Council handover signing CA"


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys):  # noqa: F811
    d = tmp_path_factory.mktemp("trust")
    build_pack(example("step_down_complete"), d / "unsigned.pdf", as_of=AS_OF)
    sign_pack(d / "unsigned.pdf", d / "pack.pdf", keys.manager, USER_PASS, field_name="manager")
    return d / "pack.pdf"


def _ctx(store, actor) -> Context:
    return Context(store, actor, lambda: NOW)


def _audit(store, action: str) -> list[dict]:
    with store.read() as s:
        return [json.loads(e.detail) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def test_an_administrator_adds_lists_and_removes_an_authority(store, cast, keys):  # noqa: F811
    assert trust.list_trusted_authorities(store, cast.recv) == []
    [added] = trust.add_trusted_authority(store, cast.admin, keys.ca_pem.read_bytes(), now=NOW, source="ca.pem")
    assert added.name == EXAMPLETON and added.added_by == "admin" and added.added_at == NOW
    assert added.valid_until > NOW.date() + dt.timedelta(days=3000)
    assert len(added.fingerprint.split(":")) == 32                   # SHA-256, as certificate viewers show it
    # everyone signed in reads the list (importing a pack needs it); it lives in the settings table
    listed = trust.list_trusted_authorities(store, cast.recv)
    assert listed == [added] and listed[0].der
    with store.read() as s:
        assert "BEGIN CERTIFICATE" in s.get(Setting, trust.TRUST_KEY).value
    assert _audit(store, "trust_add") == [{"authority": EXAMPLETON, "fingerprint": added.fingerprint}]
    gone = trust.remove_trusted_authority(store, cast.admin, added.fingerprint, now=NOW)
    assert gone.name == EXAMPLETON and trust.list_trusted_authorities(store, cast.admin) == []
    assert _audit(store, "trust_remove") == [{"authority": EXAMPLETON, "fingerprint": added.fingerprint}]
    with pytest.raises(NotFound, match="that authority is not trusted"):
        trust.remove_trusted_authority(store, cast.admin, added.fingerprint, now=NOW)
    report = verify_store(store)              # the trail of trust changes is part of the checked audit trail
    assert report.ok, report.problems


def test_pem_with_several_and_der_files_are_read(store, cast, keys):  # noqa: F811
    from cryptography import x509

    both = keys.ca_pem.read_bytes() + keys.other_ca_pem.read_bytes()
    added = trust.add_trusted_authority(store, cast.admin, both, now=NOW)
    assert sorted(a.name for a in added) == ["Elsewhere Council handover signing CA", EXAMPLETON]
    assert [a.name for a in trust.list_trusted_authorities(store, cast.admin)] == [
        "Elsewhere Council handover signing CA", EXAMPLETON]             # by name
    for a in added:
        trust.remove_trusted_authority(store, cast.admin, a.fingerprint, now=NOW)
    der = x509.load_pem_x509_certificate(keys.ca_pem.read_bytes()).public_bytes(serialization.Encoding.DER)
    assert [a.name for a in trust.add_trusted_authority(store, cast.admin, der, now=NOW)] == [EXAMPLETON]


def test_what_is_no_authority_is_refused_in_one_line(store, cast, keys, tmp_path):  # noqa: F811
    person = load_p12(keys.manager, USER_PASS).cert.public_bytes(serialization.Encoding.PEM)
    init_ca(tmp_path / "old", "Oldtown Council", CA_PASS, days=30, now=NOW - dt.timedelta(days=400))
    refusals = [
        (b"not a certificate", "ca.pem is not a certificate (a PEM or DER file, such as ca.pem)"),
        (b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "ca.pem is not a certificate"),
        (person, f"{SIGNER} is a person's certificate, not an authority's: add the certificate of the authority "
                 "that issued it"),
        ((tmp_path / "old" / "ca.pem").read_bytes(),
         "the certificate of Oldtown Council handover signing CA expired on "),
        (b"x" * (trust.MAX_TRUST_FILE + 1), "ca.pem is too large for a certificate"),
    ]
    for data, why in refusals:
        with pytest.raises(Invalid, match=why.replace("(", r"\(").replace(")", r"\)")):
            trust.add_trusted_authority(store, cast.admin, data, now=NOW, source="ca.pem")
    trust.add_trusted_authority(store, cast.admin, keys.ca_pem.read_bytes(), now=NOW)
    with pytest.raises(Invalid, match=f"{EXAMPLETON} is trusted already"):
        trust.add_trusted_authority(store, cast.admin, keys.ca_pem.read_bytes(), now=NOW)
    assert len(trust.list_trusted_authorities(store, cast.admin)) == 1
    assert len(_audit(store, "trust_add")) == 1


def test_only_administrators_change_them(store, cast, keys):  # noqa: F811
    for who in (cast.recv, cast.mgr, cast.prac, cast.eh_mgr):
        with pytest.raises(Denied, match="^only an administrator can do this$"):
            trust.add_trusted_authority(store, who, keys.ca_pem.read_bytes(), now=NOW)
    [a] = trust.add_trusted_authority(store, cast.admin, keys.ca_pem.read_bytes(), now=NOW)
    with pytest.raises(Denied, match="^only an administrator can do this$"):
        trust.remove_trusted_authority(store, cast.recv, a.fingerprint, now=NOW)
    assert trust.list_trusted_authorities(store, cast.recv) == [a]


def test_a_damaged_setting_is_one_line(store, cast):
    with store.write() as s:
        s.add(Setting(key=trust.TRUST_KEY, value="{not json"))
    with pytest.raises(Invalid, match="the stored trusted authorities cannot be read"):
        trust.list_trusted_authorities(store, cast.admin)


# ---------------------------------------------------------------- the operations layer


def _handovers(store) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(Handover))


def test_import_signed_pack_checks_the_pack_against_the_trusted_authorities(store, cast, keys, signed):  # noqa: F811
    recv, admin = _ctx(store, cast.recv), _ctx(store, cast.admin)
    with pytest.raises(Refused, match=f"pack.pdf was not imported: it is signed by {SIGNER}, but your team trusts "
                                      "no authority's packs yet"):
        ops.import_signed_pack(recv, signed)
    ops.add_trusted_authority(admin, keys.other_ca_pem)
    with pytest.raises(NotReceived, match=f"the signature of {SIGNER} is not from a trusted certificate authority: "
                                          "if your team accepts their packs, an administrator adds"):
        ops.import_signed_pack(recv, signed)
    assert _handovers(store) == 0
    [a] = ops.add_trusted_authority(admin, keys.ca_pem).value
    assert a.name == EXAMPLETON
    assert {x.name for x in ops.trusted_authorities(recv)} == {EXAMPLETON, "Elsewhere Council handover signing CA"}
    done = ops.import_signed_pack(recv, signed)
    got = done.value
    assert (got.case_id, got.version, got.signer, got.unchanged) == ("SD-2026-0142", 1, SIGNER, False)
    assert done.changes.handovers == {"SD-2026-0142"}
    assert ops.open_case(recv, "SD-2026-0142").summary.state == "sent"
    assert ops.import_signed_pack(recv, signed).value.unchanged
    # once removed, that authority's packs are refused again; what was imported stays
    ops.remove_trusted_authority(admin, a.fingerprint)
    assert [x.name for x in ops.trusted_authorities(recv)] == ["Elsewhere Council handover signing CA"]
    assert _handovers(store) == 1


def test_the_operations_refuse_unreadable_files_in_one_line(store, cast, tmp_path):
    recv, admin = _ctx(store, cast.recv), _ctx(store, cast.admin)
    with pytest.raises(Refused, match="no such file"):
        ops.import_signed_pack(recv, tmp_path / "missing.pdf")
    with pytest.raises(Refused, match="no such file"):
        ops.add_trusted_authority(admin, tmp_path / "missing.pem")
    (tmp_path / "notes.pdf").write_text("notes")
    with pytest.raises(Refused, match="^the pack cannot be verified: notes.pdf is not a PDF$"):
        ops.import_signed_pack(recv, tmp_path / "notes.pdf")


def test_verify_pack_file_says_whether_the_case_file_matches(signed, tmp_path):
    result = ops.verify_pack_file(signed)
    assert result.ok and result.embedded_case.present and result.embedded_case.matches_content_hash
    with pytest.raises(Refused, match="the pack cannot be verified"):
        ops.verify_pack_file(tmp_path / "missing.pdf")


# ---------------------------------------------------------------- a person's own PostgreSQL role


@pytest.mark.postgres
def test_on_their_own_postgresql_role_an_administrator_adds_and_removes_them(council, keys, signed):  # noqa: F811
    """A person's role may read ``settings`` but not write it (handover.store.pg_access): an administrator
    changes the list through ``handover_access.trust_set``, which writes the trail's entries itself; a
    receiver then imports a pack signed under it with their own role (the app's Incoming)."""
    import psycopg

    from handover.store import open_database

    admin, recv = council.contexts["admin"], council.contexts["recv"]
    [a] = ops.add_trusted_authority(admin, keys.ca_pem).value
    assert a.name == EXAMPLETON
    [listed] = ops.trusted_authorities(recv)
    assert (listed.fingerprint, listed.added_by) == (a.fingerprint, council.name("admin"))
    with pytest.raises(Invalid, match=f"{EXAMPLETON} is trusted already"):
        ops.add_trusted_authority(admin, keys.ca_pem)
    with pytest.raises(Denied, match="^only an administrator can do this$"):
        ops.add_trusted_authority(recv, keys.other_ca_pem)
    for who in ("prac", "recv", "mgr"):   # the database itself refuses them, whatever the client
        with council.raw(who) as c:
            with pytest.raises(psycopg.Error, match="handover: only an administrator can do this"):
                c.execute("SELECT handover_access.trust_set('[]', '{}')")
            with pytest.raises(psycopg.Error, match="permission denied"):
                c.execute("UPDATE settings SET value = '[]'")
    got = ops.import_signed_pack(recv, signed).value
    assert (got.case_id, got.signer, got.unchanged) == ("SD-2026-0142", SIGNER, False)
    ops.remove_trusted_authority(admin, a.fingerprint)
    assert ops.trusted_authorities(recv) == []
    r = open_database(council.owner_url)
    try:
        assert _audit(r.store, "trust_add") == [{"authority": EXAMPLETON, "fingerprint": a.fingerprint}]
        assert _audit(r.store, "trust_remove") == [{"authority": EXAMPLETON, "fingerprint": a.fingerprint}]
        with r.store.read() as s:
            actors = {e.actor for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("trust_%")))}
        assert actors == {council.name("admin")}
        report = verify_store(r.store)
        assert report.ok, report.problems
    finally:
        r.store.close()


@pytest.fixture(scope="module")
def council(pg_server):
    """The council of tests/store/test_pg_roles.py: a database whose people sign in with their own roles."""
    pytest.importorskip("psycopg")
    from store import test_pg_roles

    yield from test_pg_roles.council.__wrapped__(pg_server)


def test_a_bundle_of_many_authorities_is_not_added_in_one_go(store, cast, keys):  # noqa: F811
    """A system's bundle of public web roots (140 of them) is not a council's authority: at most a few per
    file, refused in one line, nothing stored."""
    one = keys.ca_pem.read_bytes()
    with pytest.raises(Invalid) as e:
        trust.add_trusted_authority(store, cast.admin, one * 6, now=NOW, source="bundle.pem")
    assert "6 certificates" in str(e.value) and "\n" not in str(e.value)
    assert trust.list_trusted_authorities(store, cast.admin) == []

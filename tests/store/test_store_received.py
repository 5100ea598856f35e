"""A signed pack from another organisation stored as a handover received from its signer (SPEC.md section 9,
``handover.store.received.import_pack``), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from store.store_cases import NOW

from handover.family import is_v2, upgrade
from handover.pack import build_pack, sign_pack
from handover.store import service as sv
from handover.store.integrity import verify_store
from handover.store.models import AuditEntry, Handover, Pack
from handover.store.received import NotReceived, Unusable, import_pack
from tests.pack.conftest import AS_OF, USER_PASS, example, keys  # noqa: F401 - keys: the session's CA and certificates
from tests.pack.test_embedded import _stream_offset

SIGNER = "Priya Natt"


@pytest.fixture(scope="module")
def packs(tmp_path_factory, keys):  # noqa: F811
    """name → PDF bytes: the /1 and /2 examples signed by their manager, and the packs that are refused."""
    d = tmp_path_factory.mktemp("received")

    def made(name: str, case: dict, *, sign: bool = True, **flags) -> bytes:
        unsigned = d / f"{name}-unsigned.pdf"
        build_pack(case, unsigned, as_of=AS_OF, **flags)
        if not sign:
            return unsigned.read_bytes()
        sign_pack(unsigned, d / f"{name}.pdf", keys.manager, USER_PASS, field_name="manager")
        return (d / f"{name}.pdf").read_bytes()

    out = {"v1": made("v1", example("step_down_complete")), "v2": made("v2", example("family_step_up")),
           # a draft and a family copy have no signature boxes: they cannot be signed at all
           "draft": made("draft", example("step_down_complete"), sign=False, draft=True),
           "family": made("family", example("step_down_complete"), sign=False, family_copy=True),
           "unsigned": made("unsigned", example("step_down_complete"), sign=False)}
    preparer_only = d / "preparer-only.pdf"     # signed, but not by the manager: never authorised
    sign_pack(d / "v1-unsigned.pdf", preparer_only, keys.manager, USER_PASS, field_name="preparer")
    out["preparer_only"] = preparer_only.read_bytes()
    changed = example("step_down_complete")
    changed["child"]["given_name"] = "Kit"
    out["same_id_other_content"] = made("other", changed)
    tampered = bytearray(out["v1"])
    tampered[_stream_offset(out["v1"]) + 3] ^= 0x01
    out["tampered"] = bytes(tampered)
    return out


def _rows(store) -> tuple[int, int, int]:
    with store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Handover, Pack, AuditEntry))


@pytest.mark.parametrize("name,example_name", [("v1", "step_down_complete"), ("v2", "family_step_up")])
def test_a_signed_pack_is_stored_as_a_handover_received_from_its_signer(store, cast, packs, name, example_name):
    original = example(example_name)
    cli = sv.system_actor("test")
    result = import_pack(store, cli, packs[name], now=NOW, source=f"{name}.pdf", receiving_team="Early Help East")
    assert (result.case_id, result.version, result.created, result.unchanged) == (original["id"], 1, True, False)

    exported = json.loads(sv.export_document(store, cli, original["id"], now=NOW))
    assert exported == (original if is_v2(original) else upgrade(original))
    view = sv.get_handover(store, cli, original["id"], now=NOW)
    assert (view.summary.state, view.summary.team_id, view.summary.receiving_team_id) == ("sent", None, cast.eh)
    assert (view.summary.authorised_version, view.frozen) == (1, True)
    (v,) = sv.versions(store, cli, original["id"])
    assert v.frozen and v.note.startswith(f"received as a signed pack from {SIGNER}")
    (event,) = sv.history(store, cli, original["id"])
    assert (event.action, event.from_state, event.to_state, event.version) == ("receive", "authorised", "sent", 1)
    (pack,) = sv.list_packs(store, cli, original["id"])
    assert (pack.kind, pack.version, pack.content_hash) == ("received", 1, v.content_hash)
    assert pack.signers.startswith(SIGNER)
    assert sv.get_pack(store, cli, original["id"], pack.id, now=NOW) == packs[name]
    with store.read() as s:
        detail = json.loads(s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "import_pack")))
    assert (detail["version"], detail["source"], detail["hash"]) == (1, f"{name}.pdf", v.content_hash)
    assert detail["signer"].startswith(SIGNER)

    incoming = sv.list_handovers(store, cast.recv, sv.Filters(scope="incoming"))
    assert [h.case_id for h in incoming] == [original["id"]]
    assert sv.list_handovers(store, cast.other_recv, sv.Filters(scope="incoming")) == []
    # the receiving team takes it from there
    sv.move(store, cast.recv, original["id"], "acknowledge", now=NOW)


def test_a_receiver_imports_for_their_own_team_only(store, cast, packs):
    result = import_pack(store, cast.recv, packs["v1"], now=NOW)
    summary = sv.get_handover(store, cast.recv, result.case_id, now=NOW).summary
    assert (summary.state, summary.team_id, summary.receiving_team_id) == ("sent", None, cast.eh)
    with pytest.raises(sv.Denied, match="own team"):
        import_pack(store, cast.eh_mgr, packs["v2"], now=NOW, receiving_team="Early Help West")
    with pytest.raises(sv.Denied, match="import a signed pack"):
        import_pack(store, cast.other_prac, packs["v2"], now=NOW)
    with pytest.raises(sv.Denied):
        import_pack(store, cast.admin, packs["v2"], now=NOW)
    with pytest.raises(sv.NotFound):
        import_pack(store, cast.recv, packs["v2"], now=NOW, receiving_team="No Such Team")
    assert _rows(store)[0] == 1


@pytest.mark.parametrize("name,why", [
    ("draft", "it is a draft pack"),
    ("unsigned", "it is not signed"),
    ("preparer_only", "the sending team's manager has not signed it"),
    ("family", "it is a family copy"),
    ("tampered", f"the signature of {SIGNER}, Exampleton Council is broken"),
])
def test_a_pack_that_cannot_be_relied_on_is_refused_and_nothing_is_stored(store, cast, packs, name, why):
    before = _rows(store)
    with pytest.raises(NotReceived) as e:
        import_pack(store, sv.system_actor("test"), packs[name], now=NOW, source="p.pdf",
                    receiving_team="Early Help East")
    message = str(e.value)
    assert message.startswith("p.pdf was not imported: ") and why in message and "\n" not in message
    assert _rows(store) == before


def test_with_trust_a_signer_from_another_authority_is_refused_by_name(store, cast, packs, keys):  # noqa: F811
    before = _rows(store)
    with pytest.raises(NotReceived, match=f"the signature of {SIGNER}, Exampleton Council is not from a trusted"):
        import_pack(store, cast.recv, packs["v1"], now=NOW, trust=keys.other_ca_pem)
    assert _rows(store) == before
    # two anchors, one of them the signer's: received
    assert import_pack(store, cast.recv, packs["v1"], now=NOW, trust=[keys.other_ca_pem, keys.ca_pem]).created


def test_a_stored_id_is_refused_unless_the_content_is_the_same(store, cast, packs):
    first = import_pack(store, cast.recv, packs["v1"], now=NOW)
    before = _rows(store)
    again = import_pack(store, cast.recv, packs["v1"], now=NOW)
    assert (again.case_id, again.version, again.created, again.unchanged) == (first.case_id, 1, False, True)
    with pytest.raises(NotReceived, match=f"a handover with this id is already stored: {first.case_id}"):
        import_pack(store, cast.recv, packs["same_id_other_content"], now=NOW)
    assert _rows(store) == before


def test_what_is_no_pack_is_unusable(store, cast, packs, tmp_path, keys):  # noqa: F811
    with pytest.raises(Unusable, match="x.json is not a PDF"):
        import_pack(store, cast.recv, b'{"format": "handover-case/1"}', now=NOW, source="x.json")
    with pytest.raises(Unusable, match="missing.pem: no such file"):
        import_pack(store, cast.recv, packs["v1"], now=NOW, trust=tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_bytes(b"not a certificate")
    with pytest.raises(Unusable, match="a trust anchor given is not a PEM or DER certificate"):
        import_pack(store, cast.recv, packs["v1"], now=NOW, trust=[tmp_path / "junk.pem"])
    assert _rows(store)[0] == 0


def test_the_integrity_check_passes_after_a_pack_is_received(store, cast, packs):
    import_pack(store, cast.recv, packs["v1"], now=NOW)
    report = verify_store(store)
    assert report.ok, report.problems

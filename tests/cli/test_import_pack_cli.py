"""`handover import PACK.pdf [--trust CA.pem] [--team NAME]`: a pack signed from one database, received into
another (SPEC.md sections 6 and 9): exit 0 stored, 1 refused (one line, nothing stored), 2 no pack at all."""

from __future__ import annotations

import json

import pytest

from handover.cli import main
from handover.family import upgrade
from handover.pack import build_pack, sign_pack
from tests.pack.conftest import AS_OF, USER_PASS, example, keys  # noqa: F401 - keys: the session's CA and certificates
from tests.pack.test_embedded import _stream_offset

NOW_TEAM = "Early Help East"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def dbs(tmp_path):
    """The sending organisation's database and the receiving one's (separate files)."""
    return f"sqlite:///{tmp_path / 'sender.sqlite3'}", f"sqlite:///{tmp_path / 'receiver.sqlite3'}"


@pytest.fixture
def signed(tmp_path, dbs, keys, capsys):  # noqa: F811
    """A pack of a handover stored in the sender's database, signed by its manager: (pdf path, original case)."""
    original = example("step_down_complete")
    src = tmp_path / "case.json"
    src.write_text(json.dumps(original), encoding="utf-8")
    assert run(capsys, "import", str(src), "--db", dbs[0], "--team", "CSC North")[0] == 0
    stored = tmp_path / "stored.json"
    assert run(capsys, "export", original["id"], "-o", str(stored), "--db", dbs[0])[0] == 0
    unsigned, pdf = tmp_path / "unsigned.pdf", tmp_path / "pack.pdf"
    build_pack(json.loads(stored.read_bytes()), unsigned, as_of=AS_OF)
    sign_pack(unsigned, pdf, keys.manager, USER_PASS, field_name="manager")
    return pdf, original


def _stored_ids(db: str) -> list[str]:
    from sqlalchemy import select

    from handover.store import open_database
    from handover.store.models import Handover

    st = open_database(db).store
    try:
        with st.read() as s:
            return list(s.scalars(select(Handover.case_id)))
    finally:
        st.close()


def test_a_pack_from_another_database_is_received_and_exports_the_same_document(tmp_path, dbs, signed, keys,
                                                                                  capsys):  # noqa: F811
    pdf, original = signed
    code, out, err = run(capsys, "import", str(pdf), "--db", dbs[1], "--team", NOW_TEAM, "--trust", str(keys.ca_pem))
    assert (code, out, err) == (0, f"{original['id']}\n", "")
    exported = tmp_path / "exported.json"
    assert run(capsys, "export", original["id"], "-o", str(exported), "--db", dbs[1])[0] == 0
    assert json.loads(exported.read_bytes()) == upgrade(original)     # export writes handover-case/2
    assert run(capsys, "export", original["id"], "-o", str(tmp_path / "kept.pdf"), "--pack", "--kind", "received",
               "--db", dbs[1])[0] == 0
    assert (tmp_path / "kept.pdf").read_bytes() == pdf.read_bytes()
    # the same pack again: unchanged, exit 0
    code, out, err = run(capsys, "import", str(pdf), "--db", dbs[1])
    assert (code, out) == (0, f"{original['id']}\n") and "unchanged" in err


def test_the_receiving_team_finds_it_under_incoming(dbs, signed, capsys):
    from store.store_cases import NOW

    from handover.store import open_database
    from handover.store import service as sv

    pdf, original = signed
    assert run(capsys, "import", str(pdf), "--db", dbs[1], "--team", NOW_TEAM)[0] == 0
    st = open_database(dbs[1]).store
    try:
        sv.create_first_admin(st, "admin", "Ada Admin", "admin-password-1", now=NOW)
        admin = sv.authenticate(st, "admin", "admin-password-1", now=NOW).actor
        team = next(t.id for t in sv.list_teams(st, admin) if t.name == NOW_TEAM)
        sv.create_user(st, admin, "recv", "Rae Receiver", "receiver", team, "recv-password-1", now=NOW)
        recv = sv.authenticate(st, "recv", "recv-password-1", now=NOW).actor
        incoming = sv.list_handovers(st, recv, sv.Filters(scope="incoming"))
    finally:
        st.close()
    assert [(h.case_id, h.state, h.team_id) for h in incoming] == [(original["id"], "sent", None)]


def test_the_audit_trail_is_checked_after_an_import(dbs, signed, capsys):
    pdf, _ = signed
    assert run(capsys, "import", str(pdf), "--db", dbs[1], "--team", NOW_TEAM)[0] == 0
    code, out, _err = run(capsys, "audit", "verify", "--db", dbs[1])
    assert code == 0 and out.startswith("audit trail intact"), out


def _refused(capsys, db: str, *argv: str) -> str:
    code, out, err = run(capsys, "import", *argv, "--db", db, "--team", NOW_TEAM)
    assert (code, out) == (1, "") and len(err.strip().splitlines()) == 1, err
    assert _stored_ids(db) == []
    return err


def test_one_byte_changed_in_the_signed_range_is_refused_and_nothing_is_stored(tmp_path, dbs, signed, capsys):
    pdf, _ = signed
    data = bytearray(pdf.read_bytes())
    data[_stream_offset(bytes(data)) + 3] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    assert "is broken" in _refused(capsys, dbs[1], str(changed))


def test_a_draft_and_an_unsigned_pack_are_refused(tmp_path, dbs, capsys):
    draft, final = tmp_path / "draft.pdf", tmp_path / "final.pdf"
    build_pack(example("step_down_complete"), draft, as_of=AS_OF, draft=True)
    build_pack(example("step_down_complete"), final, as_of=AS_OF)
    assert "it is a draft pack" in _refused(capsys, dbs[1], str(draft))
    assert "it is not signed" in _refused(capsys, dbs[1], str(final))


def test_a_signer_another_authority_vouches_for_is_not_trusted(dbs, signed, keys, capsys):  # noqa: F811
    pdf, _ = signed
    err = _refused(capsys, dbs[1], str(pdf), "--trust", str(keys.other_ca_pem))
    assert "the signature of Priya Natt, Exampleton Council is not from a trusted certificate authority" in err


def test_what_is_not_a_pdf_is_unusable_input(tmp_path, dbs, signed, capsys):
    pdf, _ = signed
    not_pdf = tmp_path / "pack.pdf.txt"
    not_pdf.write_text("hello", encoding="utf-8")
    renamed = tmp_path / "case-really.json"      # the magic bytes decide, not the name
    renamed.write_bytes(pdf.read_bytes())
    code, out, err = run(capsys, "import", str(not_pdf), "--db", dbs[1])
    assert (code, out) == (2, "") and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "import", str(renamed), "--db", dbs[1], "--trust", str(tmp_path / "none.pem"))
    assert (code, out) == (2, "") and "none.pem: no such file" in err
    code, _out, err = run(capsys, "import", str(not_pdf), "--db", dbs[1], "--trust", str(tmp_path / "none.pem"))
    assert code == 2 and "--trust goes with a signed pack" in err
    assert _stored_ids(dbs[1]) == []
    assert run(capsys, "import", str(renamed), "--db", dbs[1], "--team", NOW_TEAM)[0] == 0

"""The pack carries its case file (SPEC.md section 9): `handover-case.json`, an associated file of the
document, embedded before signing; `verify` checks it against the content hash and `extract` writes it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from handover.case import canonical_json, content_hash, load_case, parse_case
from handover.cli import main
from handover.pack import build_pack, sign_pack, verify_pack
from handover.pack.embedded import CASE_FILE, read_embedded, sha256_of
from handover.resources import resource_path
from tests.pack.conftest import AS_OF, USER_PASS, example, pdf_text, pdfsig

EX = resource_path("examples")
CONFIDENTIAL_EVENT = "Sam disclosed a new partner to the GP in confidence."
CONFIDENTIAL_ANSWER = "Alex's licence was recalled in March."


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def _appendix_hash(path: Path, password: str | None = None) -> str:
    """The content hash the pack's appendix prints."""
    text = "\n".join(pdf_text(path, password))
    found = re.findall(r"sha256:[0-9a-f]{64}", text)
    assert found, "the appendix prints no content hash"
    return found[-1]


def _extract(pack: Path, out: Path, capsys, *extra: str) -> bytes:
    capsys.readouterr()
    assert main(["extract", str(pack), "-o", str(out), *extra]) == 0
    assert CASE_FILE not in capsys.readouterr().err
    return out.read_bytes()


def _stream_offset(data: bytes) -> int:
    """Where the embedded file's stream data starts in the PDF."""
    m = re.search(rb"/Type\s*/EmbeddedFile(?![A-Za-z])", data)
    assert m, "no embedded file stream"
    start = data.index(b"stream", m.end()) + len(b"stream")
    return start + (2 if data[start:start + 2] == b"\r\n" else 1)


@pytest.mark.parametrize("name", ["step_down_complete", "family_step_up"])
@pytest.mark.parametrize("flags", [[], ["--draft"]], ids=["final", "draft"])
def test_pack_then_extract_gives_the_document_byte_for_byte(name, flags, tmp_path, capsys):
    """The file carried is the document in the canonical form its content hash is over: extracting it
    gives those bytes exactly, and they parse back to the document the pack was made from."""
    src = EX / f"{name}.json"
    pack, out = tmp_path / "p.pdf", tmp_path / "case.json"
    assert main(["pack", str(src), "-o", str(pack), "--as-of", AS_OF.isoformat(), *flags]) == 0
    got = _extract(pack, out, capsys)
    case = load_case(src)
    assert got == canonical_json(case)
    assert parse_case(got) == case
    assert sha256_of(got) == content_hash(case) == _appendix_hash(pack) == verify_pack(pack).content_hash
    assert out.stat().st_mode & 0o077 == 0                     # a child's record: readable by its owner only


def test_the_case_file_is_an_associated_file_of_the_document(packs):
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(packs["final"], "rb") as f:
        root = PdfFileReader(f).root
        (spec,) = list(root["/AF"])
        spec = spec.get_object()
        assert spec["/AFRelationship"] == "/Source" and spec["/F"] == CASE_FILE and spec["/UF"] == CASE_FILE
        assert spec["/EF"]["/F"]["/Subtype"] == "/application/json"
        names = list(root["/Names"]["/EmbeddedFiles"]["/Names"])
        assert names[0] == CASE_FILE and names[1].get_object()["/AFRelationship"] == "/Source"
    assert b"/application#2Fjson" in packs["final"].read_bytes()


def test_every_kind_of_pack_carries_it(packs, tmp_path):
    for kind in ("final", "draft", "family", "signed1", "signed2", "step_up"):
        carried = read_embedded(packs[kind].read_bytes())
        assert carried is not None, kind
        assert sha256_of(carried) == verify_pack(packs[kind]).content_hash, kind
    # a password-protected pack carries it too, encrypted with the rest
    locked = tmp_path / "locked.pdf"
    build_pack(example("step_down_complete"), locked, as_of=AS_OF, encrypt_password=b"pw-for-email")
    assert read_embedded(locked.read_bytes(), b"pw-for-email") == canonical_json(example("step_down_complete"))
    assert b'"given_name"' not in locked.read_bytes()


def test_the_signature_covers_the_case_file(packs, keys, tmp_path, capsys):
    """One byte changed inside the embedded stream: pyHanko and poppler both reject the signature."""
    signed = packs["signed1"]
    r = verify_pack(signed, keys.ca_pem)
    assert r.ok and r.embedded_case.present and r.embedded_case.matches_content_hash
    data = bytearray(signed.read_bytes())
    i = _stream_offset(bytes(data)) + 40
    data[i] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    r = verify_pack(bad, keys.ca_pem)
    assert not r.ok and any(not s.intact for s in r.signatures)
    assert not r.embedded_case.matches_content_hash
    capsys.readouterr()
    assert main(["verify", str(bad), "--trust", str(keys.ca_pem), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["embedded_case"]["matches_content_hash"] is False
    if shutil.which("pdfsig"):
        assert "Signature is Valid." in pdfsig(signed)
        out = pdfsig(bad)
        assert "Signature is Valid." not in out and "Digest Mismatch" in out


def test_a_case_file_that_does_not_match_the_content_hash_fails(keys, tmp_path, monkeypatch, capsys):
    """Signed over and intact, but carrying another document than the appendix's hash: not ok, exit 1."""
    from handover.pack import build as build_module

    real = build_module.canonical_json
    monkeypatch.setattr(build_module, "canonical_json", lambda case: real({**case, "id": "SOMETHING-ELSE"}))
    unsigned, signed = tmp_path / "u.pdf", tmp_path / "s.pdf"
    build_pack(example("step_down_complete"), unsigned, as_of=AS_OF)
    sign_pack(unsigned, signed, keys.preparer, USER_PASS)
    r = verify_pack(signed, keys.ca_pem)
    assert all(s.ok for s in r.signatures) and not r.ok
    assert r.embedded_case.present and not r.embedded_case.matches_content_hash
    (why,) = [p for p in r.problems if CASE_FILE in p]
    assert "does not match the content hash" in why and "\n" not in why
    capsys.readouterr()
    assert main(["verify", str(signed), "--trust", str(keys.ca_pem)]) == 1
    out = capsys.readouterr().out
    assert "carries its case file: yes, does not match" in out and "FAILED" in out


def test_verify_reports_the_case_file(packs, keys, capsys):
    r = verify_pack(packs["signed2"], keys.ca_pem)
    assert r.to_json()["embedded_case"] == {"present": True, "sha256": r.content_hash, "matches_content_hash": True}
    capsys.readouterr()
    assert main(["verify", str(packs["signed2"]), "--trust", str(keys.ca_pem), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["embedded_case"] == {"present": True, "sha256": doc["content_hash"], "matches_content_hash": True}
    assert main(["verify", str(packs["signed2"]), "--trust", str(keys.ca_pem)]) == 0
    assert "carries its case file: yes, matches" in capsys.readouterr().out


def _family_with_secrets() -> dict:
    case = example("family_step_up")
    secret = dict(case["chronology"][0], event=CONFIDENTIAL_EVENT, confidential=True, source="gp")
    case["chronology"].append(secret)
    case["information_requests"][1]["response"].update(confidential=True, summary=CONFIDENTIAL_ANSWER)
    return case


@pytest.mark.parametrize("name", ["family_step_up", "step_down_complete"])
def test_the_family_copy_carries_the_family_copy(name, tmp_path, capsys):
    """What the family copy's pages leave out is not in its file either; its appendix's content hash is the
    hash of that file (never of the full document, which would let anyone test guesses at what was left out)."""
    case = _family_with_secrets() if name == "family_step_up" else example(name)
    pack, out = tmp_path / "family.pdf", tmp_path / "family.json"
    build_pack(case, pack, as_of=AS_OF, draft=True, family_copy=True)
    raw = _extract(pack, out, capsys)
    doc = parse_case(raw)                                          # still a valid case file
    assert raw == canonical_json(doc)
    for person in doc["household"]:
        assert "known_to" not in person and "risk_factors" not in person
    for child in doc.get("children", []):
        assert "risk_factors" not in child
    assert "risk_factors" not in doc["needs_and_risks"]
    assert not any(e.get("confidential") for e in doc["chronology"])
    assert len(doc["chronology"]) == len(case["chronology"]) - sum(bool(e.get("confidential"))
                                                                    for e in case["chronology"])
    for a in doc["agencies"]:
        assert "contact" not in a
    for q in doc.get("information_requests", []):
        assert "summary" not in (q.get("response") or {}) or not q["response"].get("confidential")
    for d in doc.get("sharing_decisions", []):
        assert "what" not in d and "why" not in d
    text = raw.decode("utf-8")
    assert CONFIDENTIAL_EVENT not in text and CONFIDENTIAL_ANSWER not in text and "county line" not in text
    assert "police" not in json.dumps([p.get("known_to") for p in doc["household"]])
    chash = sha256_of(raw)
    assert chash == _appendix_hash(pack) == verify_pack(pack).content_hash
    assert chash != content_hash(case) and content_hash(case) not in "\n".join(pdf_text(pack))
    assert verify_pack(pack).family_copy


def _pack_without_case_file(tmp_path: Path, monkeypatch) -> Path:
    """A pack as made before packs carried their case file."""
    from handover.pack import build as build_module

    monkeypatch.setattr(build_module, "embed_case", lambda *a, **k: None)
    old = tmp_path / "old.pdf"
    build_pack(example("step_down_complete"), old, as_of=AS_OF)
    monkeypatch.undo()
    return old


def test_a_pack_without_a_case_file_still_verifies_and_says_so(keys, tmp_path, monkeypatch, capsys):
    old = _pack_without_case_file(tmp_path, monkeypatch)
    signed = tmp_path / "old-signed.pdf"
    sign_pack(old, signed, keys.preparer, USER_PASS)
    r = verify_pack(signed, keys.ca_pem)
    assert r.ok and not r.embedded_case.present and r.to_json()["embedded_case"] == {
        "present": False, "sha256": None, "matches_content_hash": False}
    capsys.readouterr()
    assert main(["verify", str(signed), "--trust", str(keys.ca_pem)]) == 0
    assert "carries its case file: no" in capsys.readouterr().out


def test_extract_refuses_a_pdf_without_the_file_in_one_line(tmp_path, monkeypatch, capsys):
    old = _pack_without_case_file(tmp_path, monkeypatch)
    out = tmp_path / "case.json"
    capsys.readouterr()
    assert main(["extract", str(old), "-o", str(out)]) == 2
    assert "carries no case file" in _one_line_error(capsys)
    from handover.pack.build import render_pdf

    plain = tmp_path / "plain.pdf"                               # a PDF that is no pack at all
    plain.write_bytes(render_pdf(example("step_down_complete"), as_of=AS_OF, draft=True)[0])
    assert main(["extract", str(plain), "-o", str(out)]) == 2
    _one_line_error(capsys)
    bogus = tmp_path / "bogus.pdf"
    bogus.write_text("not a pdf")
    assert main(["extract", str(bogus), "-o", str(out)]) == 2
    assert "not a PDF" in _one_line_error(capsys)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert main(["extract", str(junk), "-o", str(out)]) == 2
    _one_line_error(capsys)
    assert main(["extract", str(tmp_path / "missing.pdf"), "-o", str(out)]) == 2
    _one_line_error(capsys)
    assert not out.exists()


def test_extract_of_a_password_protected_pack(tmp_path, capsys):
    locked, out = tmp_path / "locked.pdf", tmp_path / "case.json"
    build_pack(example("step_down_complete"), locked, as_of=AS_OF, encrypt_password=b"pw-for-email")
    capsys.readouterr()
    assert main(["extract", str(locked), "-o", str(out)]) == 2
    assert "password" in _one_line_error(capsys)
    (tmp_path / "wrong.txt").write_text("not-it\n")
    assert main(["extract", str(locked), "-o", str(out), "--passphrase-file", str(tmp_path / "wrong.txt")]) == 2
    assert "wrong password" in _one_line_error(capsys)
    (tmp_path / "pw.txt").write_text("pw-for-email\n")
    got = _extract(locked, out, capsys, "--passphrase-file", str(tmp_path / "pw.txt"))
    assert got == canonical_json(example("step_down_complete"))


def test_a_damaged_case_file_is_reported_not_raised(packs, tmp_path, capsys):
    """An altered stream that no longer decompresses: verify fails with a reason, extract exits 2."""
    data = bytearray(packs["final"].read_bytes())
    i = _stream_offset(bytes(data))
    data[i:i + 8] = b"\xff" * 8
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    r = verify_pack(bad)
    assert not r.ok and r.embedded_case.present and not r.embedded_case.matches_content_hash
    assert any("cannot be read" in p for p in r.problems)
    capsys.readouterr()
    assert main(["extract", str(bad), "-o", str(tmp_path / "c.json")]) == 2
    assert "cannot be read" in _one_line_error(capsys)

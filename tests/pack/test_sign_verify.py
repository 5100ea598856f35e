"""Signatures: real PAdES, checked by our verify (pyHanko) and independently by poppler's pdfsig."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from handover.pack import PackError, build_pack, sign_pack, verify_pack
from tests.pack.conftest import AS_OF, USER_PASS, example, pdfsig


def _flip(src: Path, dst: Path, where: float) -> Path:
    data = bytearray(src.read_bytes())
    i = int(len(data) * where)
    data[i] = data[i] ^ 0x20 if data[i] not in b"\r\n" else data[i]
    if bytes(data) == src.read_bytes():
        data[i + 1] ^= 0x20
    dst.write_bytes(bytes(data))
    return dst


def test_signed_pack_verifies_with_pyhanko_directly(packs, keys):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    vc = ValidationContext(trust_roots=[load_cert_from_pemder(str(keys.ca_pem))], allow_fetching=False)
    with open(packs["signed2"], "rb") as f:
        sigs = PdfFileReader(f).embedded_signatures
        assert [s.field_name for s in sigs] == ["preparer", "manager"]
        for s in sigs:
            status = validate_pdf_signature(s, vc)
            assert status.intact and status.bottom_line


def test_verify_reports_signer_time_and_intact(packs, keys):
    r = verify_pack(packs["signed1"], keys.ca_pem)
    assert r.ok and r.case_id == "SD-2026-0142" and r.content_hash.startswith("sha256:")
    (s,) = r.signatures
    assert s.signer == "Zoë Sample" and s.role == "Social worker" and s.intact and s.trusted
    assert s.signing_time is not None and s.coverage == "ENTIRE_FILE"
    assert r.unsigned_fields == ("manager",)


def test_two_signatures_both_verify(packs, keys):
    r = verify_pack(packs["signed2"], keys.ca_pem)
    assert r.ok and [s.signer for s in r.signatures] == ["Zoë Sample", "Priya Natt"]
    assert r.signatures[0].modification_level == "FORM_FILLING"
    out = pdfsig(packs["signed2"])
    assert out.count("Signature is Valid.") == 2 and "Digest Mismatch" not in out


def test_pdfsig_accepts_the_signature(packs):
    out = pdfsig(packs["signed1"])
    assert "Signature is Valid." in out and "Zoë Sample" in out


@pytest.mark.parametrize("where", [0.02, 0.5, 0.8])
def test_changed_byte_fails_both_verifiers(packs, keys, tmp_path, where):
    bad = _flip(packs["signed1"], tmp_path / "bad.pdf", where)
    r = verify_pack(bad, keys.ca_pem)
    assert not r.ok
    assert any(not s.intact for s in r.signatures) or r.problems
    assert "Signature is Valid." not in pdfsig(bad)


def test_appended_content_after_the_last_signature_is_altered(packs, keys, tmp_path):
    bad = tmp_path / "appended.pdf"
    bad.write_bytes(packs["signed2"].read_bytes() + b"\n1 0 obj (x) endobj\n")
    r = verify_pack(bad, keys.ca_pem)
    assert not r.ok


def test_unsigned_incremental_update_after_signing_is_altered(packs, keys, tmp_path):
    """A real revision appended after the last signature (no new signature) must not pass."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    buf = io.BytesIO(packs["signed1"].read_bytes())
    w = IncrementalPdfFileWriter(buf)
    info = generic.DictionaryObject({generic.pdf_name("/Title"): generic.TextStringObject("changed")})
    w.set_info(info)
    w.write_in_place()
    bad = tmp_path / "update.pdf"
    bad.write_bytes(buf.getvalue())
    assert not verify_pack(bad, keys.ca_pem).ok


def test_untrusted_signer(packs, keys):
    r = verify_pack(packs["signed1"], keys.other_ca_pem)
    assert not r.ok and r.signatures[0].intact and r.signatures[0].trusted is False


def test_unsigned_pack_is_not_ok(packs):
    assert not verify_pack(packs["final"]).ok


def test_visible_signature_appears_in_the_box(packs, tmp_path):
    from PIL import Image, ImageStat

    from pypdf import PdfReader

    last = len(PdfReader(packs["signed1"]).pages)

    def ink(pdf: Path, name: str) -> float:
        subprocess.run(["pdftoppm", "-r", "50", "-f", str(last), "-l", str(last), "-png", "-gray", str(pdf),
                        str(tmp_path / name)], check=True)
        img = Image.open(next(tmp_path.glob(f"{name}*.png")))
        w, h = img.size
        box = img.crop((int(w * 0.08), int(h * 0.25), int(w * 0.5), int(h * 0.6)))
        return 255 - ImageStat.Stat(box).mean[0]

    assert ink(packs["signed1"], "signed") > ink(packs["final"], "unsigned") + 1.0


def test_wrong_passphrase_expired_and_non_signing_certs_are_refused(packs, keys, tmp_path):
    out = tmp_path / "out.pdf"
    with pytest.raises(PackError, match="passphrase"):
        sign_pack(packs["final"], out, keys.preparer, b"not-the-passphrase")
    with pytest.raises(PackError, match="expired"):
        sign_pack(packs["final"], out, keys.expired, USER_PASS)
    with pytest.raises(PackError, match="certificate authority"):
        sign_pack(packs["final"], out, keys.ca_as_signer, USER_PASS)
    assert [p for p in tmp_path.iterdir() if p.name != "home"] == []


def test_a_box_is_signed_once(packs, keys, tmp_path):
    with pytest.raises(PackError, match="already signed"):
        sign_pack(packs["signed1"], tmp_path / "x.pdf", keys.manager, USER_PASS, field_name="preparer")
    with pytest.raises(PackError, match="every signature box"):
        sign_pack(packs["signed2"], tmp_path / "x.pdf", keys.manager, USER_PASS)


def test_not_a_pack_and_not_a_pdf(tmp_path, keys):
    from reportlab.pdfgen.canvas import Canvas

    other = tmp_path / "other.pdf"
    c = Canvas(str(other))
    c.drawString(100, 100, "hello")
    c.save()
    with pytest.raises(PackError, match="not a handover pack"):
        verify_pack(other)
    with pytest.raises(PackError, match="not a handover pack"):
        sign_pack(other, tmp_path / "o.pdf", keys.preparer, USER_PASS)
    text = tmp_path / "t.pdf"
    text.write_text("hello")
    with pytest.raises(PackError, match="not a PDF"):
        verify_pack(text)


def test_password_protected_pack(keys, tmp_path):
    enc, signed = tmp_path / "enc.pdf", tmp_path / "signed.pdf"
    build_pack(example("step_up_complete"), enc, as_of=AS_OF, encrypt_password=b"pdf-pass-99")
    assert b"/AESV3" in enc.read_bytes()
    sign_pack(enc, signed, keys.preparer, USER_PASS, pdf_password=b"pdf-pass-99")
    with pytest.raises(PackError, match="password"):
        verify_pack(signed, keys.ca_pem)
    assert verify_pack(signed, keys.ca_pem, password=b"pdf-pass-99").ok
    assert "Signature is Valid." in pdfsig(signed, password="pdf-pass-99")
    r = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True)
    assert r.returncode != 0                            # unreadable without the password


# ---------------------------------------------------------------- the signature's own bytes (issue 14)

def _last_contents(data: bytes) -> tuple[int, int, int]:
    """Where the last signature's /Contents hex text starts, where its zero padding starts, where it ends
    (the offset of the closing ``>``). The DER length comes from asn1crypto's ContentInfo, as loaded."""
    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    _zero, gap_start, gap_end, _tail = sig.byte_range
    assert data[gap_start:gap_start + 1] == b"<" and data[gap_end - 1:gap_end] == b">"
    raw = bytes.fromhex(data[gap_start + 1:gap_end - 1].decode("ascii"))
    der_len = len(cms.ContentInfo.load(raw, strict=False).dump())
    assert raw[der_len:] == bytes(len(raw) - der_len) and len(raw) - der_len > 100   # room for the test
    return gap_start + 1, gap_start + 1 + 2 * der_len, gap_end - 1


def _verify_cli(path: Path, keys) -> int:
    from handover.cli import main

    return main(["verify", str(path), "--trust", str(keys.ca_pem)])


def _tampered(data: bytes, cases, tmp_path: Path, keys, capsys) -> list[str]:
    """The labels of the cases that still verify (by verify_pack or by `handover verify`)."""
    passed = []
    for label, changed in cases:
        assert changed != data, label
        bad = tmp_path / "bad.pdf"
        bad.write_bytes(changed)
        r = verify_pack(bad, keys.ca_pem)
        code = _verify_cli(bad, keys)
        capsys.readouterr()
        if r.ok or code != 1:
            passed.append(label)
    return passed


def test_untouched_manager_signed_pack_verifies(packs, keys, capsys):
    r = verify_pack(packs["signed2"], keys.ca_pem)
    assert r.ok and not r.problems and all(s.intact for s in r.signatures)
    assert _verify_cli(packs["signed2"], keys) == 0
    assert "Result: signatures intact and trusted" in capsys.readouterr().out


def test_a_byte_changed_in_the_last_signatures_padding_fails(packs, keys, tmp_path, capsys):
    """pyHanko's CMS check reads only the DER at the front of /Contents: a hex digit changed in the zero
    padding after it used to pass verify (80 of 120 random changes before: every one that kept the text hex)."""
    import random

    data = packs["signed2"].read_bytes()
    _hex_start, pad_start, hex_end = _last_contents(data)
    rng = random.Random(14)
    cases = []
    for i in rng.sample(range(pad_start, hex_end), 15):
        for new in (rng.choice(b"123456789abcdef"), rng.choice(b"123456789ABCDEF"), data[i] ^ 0x20, 0x20):
            changed = bytearray(data)
            changed[i] = new
            cases.append((f"padding byte {i} -> {new:#04x}", bytes(changed)))
    assert _tampered(data, cases, tmp_path, keys, capsys) == []
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(cases[0][1])
    r = verify_pack(bad, keys.ca_pem)
    assert "the file was changed after signing (inside the signature)" in r.problems
    assert not r.signatures[-1].intact and "padding" in r.signatures[-1].problems[0]


def test_a_letters_case_changed_in_the_signatures_hex_fails(packs, keys, tmp_path, capsys):
    """``a`` -> ``A`` in the DER's hex decodes to the same byte, so the CMS check cannot see it; it is still
    a changed byte (SPEC section 5)."""
    import random

    data = packs["signed2"].read_bytes()
    hex_start, pad_start, _hex_end = _last_contents(data)
    letters = [i for i in range(hex_start, pad_start) if data[i:i + 1].isalpha()]
    cases = []
    for i in random.Random(5).sample(letters, 10):
        changed = bytearray(data)
        changed[i] ^= 0x20
        cases.append((f"hex letter {i}", bytes(changed)))
    assert _tampered(data, cases, tmp_path, keys, capsys) == []


def test_the_last_byte_and_anything_after_eof_fail(packs, keys, tmp_path, capsys):
    data = packs["signed2"].read_bytes()
    cases = []
    for new in (0x20, 0x0D, 0x00, ord("x")):
        changed = bytearray(data)
        changed[-1] = new if new != data[-1] else 0x09
        cases.append((f"last byte -> {new:#04x}", bytes(changed)))
    for extra in (b"\n", b" ", b"\r\n", b"\x00", b"x", b"%%EOF\n"):
        cases.append((f"appended {extra!r}", data + extra))
    assert _tampered(data, cases, tmp_path, keys, capsys) == []


def test_a_byte_range_that_leaves_out_more_than_the_contents_fails(packs, keys, tmp_path):
    """The checker's own rule, tested directly: a gap wider than ``<hex>`` or short of the end."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from handover.pack.verify import _container_problem

    data = packs["signed2"].read_bytes()
    sig = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    assert _container_problem(data, sig, last=True) is None
    assert "end of the file" in _container_problem(data + b"\n", sig, last=True)

    class Shifted:
        """The signature with another /ByteRange (pyHanko's own object would not let it be changed)."""

        def __init__(self, br):
            self.pkcs7_content = sig.pkcs7_content
            self.sig_object = type("SigDict", (), {"raw_get": lambda _self, _key: br})()

    z, a, b, c = sig.byte_range
    assert "more than" in _container_problem(data, Shifted([z, a - 1, b, c + 0]), last=False)
    assert "does not fit" in _container_problem(data, Shifted([z, a, b, c + 5]), last=True)
    assert "standard" in _container_problem(data, Shifted([1, a, b, c]), last=True)

"""`handover pack / sign / verify / keys` end to end, in process: exit codes, one-line errors, no leftovers."""

from __future__ import annotations

import json

import pytest

from handover.cli import main
from handover.resources import resource_path

EX = resource_path("examples")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    (d / "ca.txt").write_text("ca-passphrase-1\n")
    (d / "u.txt").write_text("user-passphrase-1\n")
    (d / "wrong.txt").write_text("not-the-passphrase\n")
    assert main(["keys", "init", "--org", "Exampleton Council", "--out", str(d / "ca"),
                 "--passphrase-file", str(d / "ca.txt")]) == 0
    for name, role, f in (("Zoë Sample", "Social worker", "zoe.p12"), ("Priya Natt", "Team manager", "p.p12")):
        assert main(["keys", "issue", "--name", name, "--role", role, "--ca", str(d / "ca"), "--out", str(d / f),
                     "--passphrase-file", str(d / "u.txt"), "--ca-passphrase-file", str(d / "ca.txt")]) == 0
    return d


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_pack_sign_twice_and_verify(pki, tmp_path, capsys):
    out = tmp_path / "pack.pdf"
    assert main(["pack", str(EX / "step_down_complete.json"), "-o", str(out), "--as-of", "2026-11-25",
                 "--sign", str(pki / "zoe.p12"), "--passphrase-file", str(pki / "u.txt")]) == 0
    assert main(["sign", str(out), "--cert", str(pki / "p.p12"), "--passphrase-file", str(pki / "u.txt")]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--trust", str(pki / "ca" / "ca.pem"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and [s["signer"] for s in doc["signatures"]] == ["Zoë Sample", "Priya Natt"]
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["pack.pdf"]
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0x01
    out.write_bytes(bytes(data))
    assert main(["verify", str(out), "--trust", str(pki / "ca" / "ca.pem")]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_final_pack_refused_with_errors(tmp_path, capsys):
    out = tmp_path / "p.pdf"
    assert main(["pack", str(EX / "step_up_with_gaps.json"), "-o", str(out), "--as-of", "2026-11-25"]) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "nhs_number_invalid" in err and "Traceback" not in err
    assert not out.exists()
    assert main(["pack", str(EX / "step_up_with_gaps.json"), "-o", str(out), "--as-of", "2026-11-25",
                 "--draft"]) == 0 and out.exists()


@pytest.mark.parametrize("case", [
    ["--sign", "{pki}/zoe.p12", "--passphrase-file", "{pki}/wrong.txt"],
    ["--sign", "{pki}/zoe.p12", "--passphrase-file", "{pki}/missing.txt"],
    ["--sign", "{pki}/ca/ca.pem", "--passphrase-file", "{pki}/u.txt"],
])
def test_bad_signing_input_is_exit_2_and_leaves_nothing(pki, tmp_path, capsys, case):
    out = tmp_path / "p.pdf"
    args = [a.format(pki=pki) for a in case]
    assert main(["pack", str(EX / "step_down_complete.json"), "-o", str(out), "--as-of", "2026-11-25"] + args) == 2
    _one_line_error(capsys)
    assert [p for p in tmp_path.iterdir() if p.name != "home"] == []


def test_unwritable_output_and_not_a_pack(tmp_path, capsys):
    assert main(["pack", str(EX / "step_down_complete.json"), "-o", str(tmp_path / "no" / "p.pdf"),
                 "--as-of", "2026-11-25"]) == 2
    _one_line_error(capsys)
    bogus = tmp_path / "x.pdf"
    bogus.write_text("not a pdf")
    assert main(["verify", str(bogus)]) == 2
    _one_line_error(capsys)


def test_family_copy_and_draft_flags(tmp_path, capsys):
    out = tmp_path / "f.pdf"
    assert main(["pack", str(EX / "step_down_complete.json"), "-o", str(out), "--as-of", "2026-11-25",
                 "--family-copy"]) == 0
    assert "family copy" in capsys.readouterr().out
    assert main(["pack", str(EX / "step_down_complete.json"), "-o", str(out), "--draft", "--sign", "x.p12"]) == 2

"""`handover upgrade CASE.json -o OUT.json` (SPEC.md sections 6 and 7.1), and /2 files given to check and pack."""

import json
import os

import pytest

from handover.case import load_case
from handover.cli import main
from handover.family import upgrade

from casefiles import EXAMPLES, example


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_upgrade_writes_the_2_document(capsys, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "up.json"
    code, stdout, err = run(capsys, "upgrade", EXAMPLES / "step_down_complete.json", "-o", out)
    assert code == 0 and stdout == "" and err == ""
    doc = load_case(out)   # a well-formed /2 file
    assert doc == upgrade(example("step_down_complete"))
    assert doc["format"] == "handover-case/2" and doc["children"][0]["ref"] == "c1"
    assert os.stat(out).st_mode & 0o077 == 0   # a child's record: the owner's only
    assert [p.name for p in out.parent.iterdir()] == ["up.json"]   # no part file left behind
    # and the upgraded file checks as the original does
    code1, _, _ = run(capsys, "check", EXAMPLES / "step_down_complete.json", "--as-of", "2026-11-20")
    code2, _, _ = run(capsys, "check", out, "--as-of", "2026-11-20")
    assert code1 == code2 == 0


def test_a_name_matching_nobody_is_kept_and_noted(capsys, tmp_path):
    doc = example("step_down_complete")
    doc["agencies"][0]["involved_with"] = ["child", "Dana Brenan"]
    src = tmp_path / "case.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "up.json"
    code, _, err = run(capsys, "upgrade", src, "-o", out)
    assert code == 0
    assert "agencies[0].involved_with[1]" in err and "Dana Brenan" in err and err.count("\n") == 1
    assert load_case(out)["agencies"][0]["involved_with"] == ["c1", "Dana Brenan"]
    code, stdout, _ = run(capsys, "check", out, "--as-of", "2026-11-20", "--format", "json")
    bad = [f for f in json.loads(stdout)["findings"] if f["code"] == "invalid_value"]
    assert code == 1 and [f["path"] for f in bad] == ["agencies[0].involved_with[1]"]


def test_a_2_file_is_written_unchanged(capsys, tmp_path):
    out = tmp_path / "up.json"
    code, _, err = run(capsys, "upgrade", EXAMPLES / "family_step_up.json", "-o", out)
    assert code == 0 and "already handover-case/2" in err
    assert load_case(out) == example("family_step_up")


@pytest.mark.parametrize("content,words", [
    ("{oops", "not valid JSON"),
    ('{"format": "handover-case/3", "id": "A", "direction": "step_up"}', "this tool reads"),
    ('{"format": "handover-case/1", "id": "A", "direction": "step_up", "chlid": {}}', "unknown key 'chlid'"),
])
def test_unusable_input_exit_2_and_nothing_written(capsys, tmp_path, content, words):
    src = tmp_path / "case.json"
    src.write_text(content)
    out = tmp_path / "up.json"
    code, stdout, err = run(capsys, "upgrade", src, "-o", out)
    assert code == 2 and stdout == "" and words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("args,words", [
    (["upgrade", "CASE"], "required: -o"),
    (["upgrade", "nope.json", "-o", "x.json"], "no such file"),
])
def test_unusable_arguments_exit_2(capsys, tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *args)
    assert code == 2 and words in err and err.count("\n") == 1


def test_an_unwritable_output_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "upgrade", EXAMPLES / "step_up_complete.json", "-o", tmp_path / "no" / "such" / "x.json")
    assert code == 2 and "no such folder" in err


def test_check_reads_2_files(capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "family_step_up.json", "--as-of", "2026-11-20", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["complete"] is True
    req = [d for d in doc["deadlines"] if d["rule"] == "information_request"]
    assert [d["agency_type"] for d in req] == ["police", "probation", "drug_alcohol_service", "housing"]
    assert [d["path"] for d in req] == [f"information_requests[{i}]" for i in range(4)]
    code, out, _ = run(capsys, "check", EXAMPLES / "family_step_up.json", "--as-of", "2026-11-20")
    assert "Requests for information" in out and "Sampleford Recovery Service" in out


def test_pack_of_a_2_file_is_built(capsys, tmp_path):
    # the pack of a family (SPEC.md section 7.4) is built: tests/pack/test_family_pack.py reads it
    out = tmp_path / "pack.pdf"
    code, stdout, err = run(capsys, "pack", EXAMPLES / "family_step_up.json", "-o", out, "--draft")
    assert code == 0 and "draft pack" in stdout and "Traceback" not in err
    assert out.exists()

"""`handover check`: output shapes and exit statuses (SPEC.md section 6), run in process and as a command."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handover.cli import main

from casefiles import EXAMPLES, example


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_complete_case_exits_0(capsys):
    code, out, err = run(capsys, "check", EXAMPLES / "step_up_complete.json", "--as-of", "2026-11-20")
    assert code == 0 and err == ""
    assert "0 error(s)" in out and "Complete" in out


def test_errors_exit_1_grouped_by_section(capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "step_up_with_gaps.json", "--as-of", "2026-11-20")
    assert code == 1
    assert out.index("The child's voice") < out.index("Agency network") < out.index("Deadlines")
    assert "Add Emergency department (A&E) to the agency network" in out


def test_json_output_shape(capsys):
    code, out, _ = run(capsys, "check", EXAMPLES / "step_up_with_gaps.json", "--as-of", "2026-11-20", "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert set(doc) == {"id", "direction", "as_of", "complete", "findings", "deadlines"}
    assert doc["id"] == "SU-2026-0077" and doc["direction"] == "step_up" and doc["as_of"] == "2026-11-20"
    assert doc["complete"] is False
    assert all(set(f) == {"code", "severity", "path", "message", "detail"} for f in doc["findings"])
    assert [d["rule"] for d in doc["deadlines"]] == ["csc_decision", "referrer_informed", "assessment_completed"]
    # SPEC.md section 4's keys, and agency_type (section 7.3: null for every rule but information_request)
    assert all(set(d) == {"rule", "starts", "due", "done", "status", "working_days_overdue", "basis", "agency_type"}
               and d["agency_type"] is None for d in doc["deadlines"])


def test_protocol_option(capsys, tmp_path):
    text = (Path(__file__).resolve().parents[2] / "resources" / "protocols" / "default.yaml").read_text()
    p = tmp_path / "local.yaml"
    p.write_text(text.replace("working_days: 45", "working_days: 20"))
    code, out, _ = run(capsys, "check", EXAMPLES / "step_up_complete.json", "--as-of", "2026-11-20",
                       "--format", "json", "--protocol", p)
    d = {x["rule"]: x for x in json.loads(out)["deadlines"]}
    assert d["assessment_completed"]["due"] == "2026-05-05" and d["assessment_completed"]["status"] == "late"
    assert code == 0  # late is a warning


@pytest.mark.parametrize("args,words", [
    (["check", "nope.json"], "no such file"),
    (["check", EXAMPLES / "step_up_complete.json", "--as-of", "2026-02-30"], "not a date"),
    (["check", EXAMPLES / "step_up_complete.json", "--format", "xml"], "invalid choice"),
    (["check"], "required"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_unusable_arguments_exit_2_with_one_line(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("content", ["", "{oops", "[]", '{"format": "handover-case/1", "id": "A", "direction": "step_up", "chlid": {}}'])
def test_unusable_case_file_exit_2(capsys, tmp_path, content):
    p = tmp_path / "case.json"
    p.write_text(content)
    code, out, err = run(capsys, "check", p)
    assert code == 2 and out == "" and err.count("\n") == 1


def test_bad_protocol_exit_2(capsys, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("rules: {step_up: [{rule: csc_decision, working_days: many, basis: x}]}")
    code, _, err = run(capsys, "check", EXAMPLES / "step_up_complete.json", "--protocol", p)
    assert code == 2 and "working_days" in err


def test_installed_command_exit_statuses(tmp_path):
    exe = Path(sys.executable).with_name("handover")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00")
    p = subprocess.run([str(exe), "check", str(bad)], capture_output=True, text=True)
    assert p.returncode == 2 and "not UTF-8" in p.stderr and "Traceback" not in p.stderr
    p = subprocess.run([str(exe), "check", str(EXAMPLES / "step_up_complete.json"), "--as-of", "2026-11-20",
                        "--format", "json"], capture_output=True, text=True)
    assert p.returncode == 0 and json.loads(p.stdout)["complete"] is True

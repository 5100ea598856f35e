"""``handover check --db URL --stored ID`` (SPEC.md sections 6 and 8): a stored handover's check with the
store's known_elsewhere findings."""

from __future__ import annotations

import json

from store.test_store_elsewhere import SHARED_ADULT, family_a, family_b

from handover.case import dump_case
from handover.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _stored(tmp_path, capsys, *cases) -> str:
    url = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    for doc in cases:
        p = tmp_path / f"{doc['id']}.json"
        p.write_text(dump_case(doc), encoding="utf-8")
        assert run(capsys, "import", str(p), "--db", url, "--team", "Early Help East")[:2] == (0, f"{doc['id']}\n")
    return url


def test_check_stored_json_has_the_known_elsewhere_findings(tmp_path, capsys):
    url = _stored(tmp_path, capsys, family_a(), family_b())
    code, out, err = run(capsys, "check", "--db", url, "--stored", "FAM-A", "--as-of", "2026-04-01",
                         "--format", "json")
    got = json.loads(out)
    assert set(got) == {"id", "direction", "as_of", "complete", "findings", "deadlines"}
    assert got["id"] == "FAM-A" and got["as_of"] == "2026-04-01"
    (f,) = [f for f in got["findings"] if f["code"] == "known_elsewhere"]
    assert f == {"code": "known_elsewhere", "severity": "warning", "path": "household[1]", "message": f["message"],
                 "detail": {"ref": SHARED_ADULT, "handovers": 1, "agency_types": ["housing"], "risk_factors": []}}
    assert code == (0 if got["complete"] else 1)
    # the file's own check is unchanged: the same findings less the store's
    p = tmp_path / "FAM-A.json"
    file_only = json.loads(run(capsys, "check", str(p), "--as-of", "2026-04-01", "--format", "json")[1])
    assert [x for x in got["findings"] if x["code"] != "known_elsewhere"] == file_only["findings"]
    assert got["complete"] == file_only["complete"]


def test_check_stored_text_and_refusals(tmp_path, capsys):
    url = _stored(tmp_path, capsys, family_a(), family_b())
    code, out, _ = run(capsys, "check", "--db", url, "--stored", "FAM-B", "--as-of", "2026-04-01")
    assert "ALEX  testcase is recorded in 1 other handover as known to " in out
    assert "[known_elsewhere at household[1]]" in out
    code, _, err = run(capsys, "check", "--db", url, "--stored", "NOPE")
    assert code == 2 and err.count("\n") == 1 and "NOPE" in err
    code, _, err = run(capsys, "check", "--stored", "FAM-A", "--db", url, str(tmp_path / "FAM-A.json"))
    assert code == 2 and "--stored" in err
    code, _, err = run(capsys, "check")
    assert code == 2 and err.count("\n") == 1

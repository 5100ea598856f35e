"""Bad input, everywhere: a corpus of malformed case files through `check`, `import` and `pack`.

Each one either is refused as unusable input (exit 2, one line naming the problem, no traceback,
nothing written) or is a shape-valid document whose wrong content becomes findings (exit 0 or 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handover.cli import main

from casefiles import example

GOOD = json.dumps(example("step_down_complete"))


def _with(mutate) -> str:
    doc = example("step_down_complete")
    mutate(doc)
    return json.dumps(doc)


CORPUS: dict[str, tuple[bytes, str]] = {
    # name: (bytes, "unusable" | "findings")
    "empty": (b"", "unusable"),
    "whitespace": (b" \n\t ", "unusable"),
    "truncated": (GOOD[: len(GOOD) // 2].encode(), "unusable"),
    "latin-1": ('{"format": "handover-case/1", "id": "Zoë", "direction": "step_up"}'.encode("latin-1"), "unusable"),
    "utf-16": (GOOD.encode("utf-16"), "unusable"),
    "nul bytes": (b"\x00" * 64, "unusable"),
    "deeply nested": (("[" * 50_000 + "]" * 50_000).encode(), "unusable"),
    "nested object in a value": (_with(lambda d: d["child"].update(given_name={"a": {"b": 1}})).encode(),
                                 "unusable"),
    "huge": (b'{"format": "handover-case/1", "id": "H", "direction": "step_up", "child": {"address": "'
             + b"x" * (11 * 1024 * 1024) + b'"}}', "unusable"),
    "unknown key": (_with(lambda d: d.update(chlid={})).encode(), "unusable"),
    "list for object": (_with(lambda d: d.update(plan=[])).encode(), "unusable"),
    "string for list": (_with(lambda d: d["household"][0].update(known_to="gp")).encode(), "unusable"),
    "top-level list": (b"[]", "unusable"),
    "NaN": (GOOD.replace('"2026-10-05"', "NaN", 1).encode(), "unusable"),
    "duplicate key": (GOOD.replace('"id": "SD-2026-0142"', '"id": "A", "id": "B"', 1).encode(), "unusable"),
    "wrong format": (_with(lambda d: d.update(format="handover-case/9")).encode(), "unusable"),
    "zero date": (_with(lambda d: d["transition"].update(decision_date="0000-00-00")).encode(), "findings"),
    "impossible date": (_with(lambda d: d["child"].update(date_of_birth="2026-02-30")).encode(), "findings"),
    "number for date": (_with(lambda d: d["child"].update(date_of_birth=20220314)).encode(), "findings"),
    "string for bool": (_with(lambda d: d["household"][0].update(lives_with_child="yes")).encode(), "findings"),
    "very long string": (_with(lambda d: d["needs_and_risks"].update(summary="word " * 200_000)).encode(),
                         "findings"),
    "control characters": (_with(lambda d: d["child"].update(given_name="El\x07lie\x1b[31m", address="a\x00b"))
                           .encode(), "findings"),
    "unknown codes": (_with(lambda d: d["household"][0].update(known_to=["witchfinder"], risk_factors=["99Z"]))
                      .encode(), "findings"),
    "nulls everywhere": (_with(lambda d: [d.update({k: None}) for k in list(d) if k not in
                                          ("format", "id", "direction")]).encode(), "findings"),
}


@pytest.fixture(params=sorted(CORPUS), ids=lambda n: n.replace(" ", "-"))
def bad_file(request, tmp_path):
    data, kind = CORPUS[request.param]
    p = tmp_path / "case.json"
    p.write_bytes(data)
    return p, kind


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check(capsys, bad_file):
    path, kind = bad_file
    code, out, err = _run(capsys, "check", path, "--as-of", "2026-11-20", "--format", "json")
    if kind == "unusable":
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    else:
        assert code in (0, 1) and err == ""
        assert json.loads(out)["findings"]


def test_pack_writes_nothing_for_unusable_input(capsys, bad_file, tmp_path):
    path, kind = bad_file
    out_pdf = tmp_path / "out" / "pack.pdf"
    out_pdf.parent.mkdir()
    code, _, err = _run(capsys, "pack", path, "-o", out_pdf, "--draft", "--as-of", "2026-11-20")
    if kind == "unusable":
        assert code == 2 and "Traceback" not in err and err.count("\n") == 1
        assert list(out_pdf.parent.iterdir()) == []   # no partial file, no temp file left
    else:
        assert code == 0 and out_pdf.read_bytes().startswith(b"%PDF")
        assert [p.name for p in out_pdf.parent.iterdir()] == ["pack.pdf"]


def test_import_writes_nothing_for_unusable_input(capsys, bad_file, tmp_path):
    path, kind = bad_file
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    code, out, err = _run(capsys, "import", path, "--db", db)
    if kind == "unusable":
        assert code == 2 and out == "" and "Traceback" not in err
        code, out, _ = _run(capsys, "overdue", "--db", db, "--as-of", "2026-11-20", "--format", "json")
        assert json.loads(out) == []
    else:
        assert code == 0 and out.strip() == "SD-2026-0142"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_bytes_through_check_and_pack(capsys, tmp_path, data):
    p = tmp_path / "random.json"
    p.write_bytes(data)
    code, _, err = _run(capsys, "check", p)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    out_pdf = tmp_path / "random.pdf"
    code, _, err = _run(capsys, "pack", p, "-o", out_pdf, "--draft")
    assert code == 2 and not out_pdf.exists()

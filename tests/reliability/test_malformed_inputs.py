"""Bad input, everywhere: a corpus of malformed case files through `check`, `import` and `pack`.

Each one either is refused as unusable input (exit 2, one line naming the problem, no traceback,
nothing written) or is a shape-valid document whose wrong content becomes findings (exit 0 or 1).
Issue 14 added what used to end in a traceback (an integer of 5,000 digits, a lone surrogate, a NUL in
the id, an over-long id, a cell no page can hold), a property-based fuzzer that mutates a good case at
random, input that is not a regular file (a FIFO, ``/dev/zero``), a full disk, and database failures
that must never print a statement's parameters (children's data).
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


def _raw(old: str, new: str) -> bytes:
    """GOOD with one piece of its JSON text replaced (for what json.dumps would never write)."""
    assert old in GOOD, old
    return GOOD.replace(old, new, 1).encode()


_DATE, _ID, _NAME = '"2026-10-05"', '"id": "SD-2026-0142"', '"given_name": "Ellie"'
UNBREAKABLE = "x" * 50_000

CORPUS.update({
    # numbers Python cannot or should not read (5,000 digits used to be a ValueError traceback)
    "integer of 5,000 digits": (_raw(_DATE, "1" * 5000), "unusable"),
    "negative integer of 5,000 digits": (_raw(_DATE, "-" + "9" * 5000), "unusable"),
    "integer of 101 digits": (_raw(_DATE, "7" * 101), "unusable"),
    "integer of 100,000 digits in a list": (_raw('"known_to": [', '"known_to": [' + "3" * 100_000 + ", "),
                                            "unusable"),
    "float overflowing to infinity": (_raw(_DATE, "1e999"), "unusable"),
    "negative float overflowing": (_raw(_DATE, "-1e999"), "unusable"),
    "float of 1,000 digits": (_raw(_DATE, "0." + "1" * 1000), "unusable"),
    "Infinity literal": (_raw(_DATE, "Infinity"), "unusable"),
    "-Infinity literal": (_raw(_DATE, "-Infinity"), "unusable"),
    # text that is not Unicode (a lone surrogate used to fail every pack and import with a traceback)
    "lone high surrogate in a value": (_raw(_NAME, '"given_name": "\\ud800Ellie"'), "unusable"),
    "lone low surrogate in a value": (_raw(_NAME, '"given_name": "Ellie\\udc00"'), "unusable"),
    "lone surrogate in the id": (_raw(_ID, '"id": "SD-\\ud800"'), "unusable"),
    "lone surrogate in a key": (_raw('"given_name"', '"given_\\ud800name"'), "unusable"),
    "lone surrogate deep in a list": (_raw('"event": "Referral accepted', '"event": "\\udbffReferral accepted'),
                                      "unusable"),
    "reversed surrogate pair": (_raw(_NAME, '"given_name": "\\ude00\\ud83d"'), "unusable"),
    "CESU-8 surrogate bytes": (GOOD.replace("Ellie", "El\x00lie", 1).encode().replace(b"\x00", b"\xed\xa0\x80"),
                               "unusable"),
    "overlong UTF-8": (GOOD.replace("Ellie", "El\x00lie", 1).encode().replace(b"\x00", b"\xc0\xaf"), "unusable"),
    # ids the database cannot hold (a NUL, or 201+ characters on PostgreSQL, used to be a traceback)
    "NUL in the id": (_raw(_ID, '"id": "SD-2026\\u0000-0142"'), "unusable"),
    "line break in the id": (_raw(_ID, '"id": "SD-2026\\n0142"'), "unusable"),
    "escape sequence in the id": (_raw(_ID, '"id": "SD-\\u001b[31m2026"'), "unusable"),
    "id of 201 characters": (_raw(_ID, '"id": "' + "S" * 201 + '"'), "unusable"),
    "id of 100,000 characters": (_raw(_ID, '"id": "' + "S" * 100_000 + '"'), "unusable"),
    "id a number": (_raw(_ID, '"id": 142'), "unusable"),
    "id empty": (_raw(_ID, '"id": ""'), "unusable"),
    "id missing": (_raw(_ID + ", ", ""), "unusable"),
    # not one JSON document of the right shape
    "empty object": (b"{}", "unusable"),
    "string at the top": (b'"handover-case/1"', "unusable"),
    "number at the top": (b"42", "unusable"),
    "null at the top": (b"null", "unusable"),
    "trailing garbage": (GOOD.encode() + b" xyz", "unusable"),
    "two documents": (GOOD.encode() + b"\n" + GOOD.encode(), "unusable"),
    "comment": (b"// a case\n" + GOOD.encode(), "unusable"),
    "single quotes": (GOOD.replace('"', "'").encode(), "unusable"),
    "true for an object": (_with(lambda d: d.update(child=True)).encode(), "unusable"),
    "key with a line break": (_with(lambda d: d.update({"chl\nid": 1})).encode(), "unusable"),
    "unknown key of 50,000 characters": (_with(lambda d: d["child"].update({"k" * 50_000: 1})).encode(),
                                         "unusable"),
    "objects nested 100 deep": (_with(lambda d: d["child"].update(
        given_name=json.loads('{"a": ' * 100 + "1" + "}" * 100))).encode(), "unusable"),
    "format of 1 MB": (_with(lambda d: d.update(format="f" * 1_000_000)).encode(), "unusable"),
    # the right shape, wrong or hostile content: findings, and a pack that lays it out
    "unbreakable 50,000-character word in a table cell": (
        _with(lambda d: d["agencies"][0].update(name=UNBREAKABLE)).encode(), "findings"),
    "5,000-word cell": (_with(lambda d: d["chronology"][0].update(event="word " * 5000)).encode(), "findings"),
    "unbreakable words everywhere": (_with(lambda d: (d["child"].update(given_name=UNBREAKABLE, address=UNBREAKABLE),
                                                      d["household"][0].update(name=UNBREAKABLE),
                                                      d["sign_off"]["prepared_by"].update(name=UNBREAKABLE)))
                                     .encode(), "findings"),
    "2,000 line breaks in a cell": (_with(lambda d: d["agencies"][0].update(contact="line\n" * 2000)).encode(),
                                    "findings"),
    "NUL in a name": (_with(lambda d: d["child"].update(given_name="El\x00lie")).encode(), "findings"),
    "bidirectional override in a name": (_with(lambda d: d["child"].update(family_name="\u202eBrennan")).encode(),
                                         "findings"),
    "astral characters (a surrogate pair)": (_raw(_NAME, '"given_name": "Ellie \\ud83d\\ude00"'), "findings"),
    "integer of 100 digits for a date": (_raw(_DATE, "9" * 100), "findings"),
    "float for a bool": (_with(lambda d: d["household"][0].update(lives_with_child=0.5)).encode(), "findings"),
    "date with a time": (_with(lambda d: d["transition"].update(decision_date="2026-10-05T10:00:00Z")).encode(),
                         "findings"),
    "10,000 unknown risk codes": (_with(lambda d: d["needs_and_risks"].update(risk_factors=["99Z"] * 10_000))
                                  .encode(), "findings"),
    "whitespace-only text": (_with(lambda d: d["child"].update(given_name="   ", family_name="\t")).encode(),
                             "findings"),
    "BOM before the document": (b"\xef\xbb\xbf" + GOOD.encode(), "findings"),
    "empty lists": (_with(lambda d: d.update(household=[], agencies=[], chronology=[])).encode(), "findings"),
})


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


# ---------------------------------------------------------------- property-based: a good case, mutated at random


def _paths(value, where=()):
    """Every place in a document (objects' keys and lists' items), as tuples of keys and indexes."""
    yield where
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, where + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, where + (i,))


PATHS = [p for p in _paths(json.loads(GOOD)) if p and p[0] != "id"]
_TOKEN = "\u0001HOSTILE\u0001"

#: values as JSON text, including what json.dumps would never write
RAW = st.sampled_from([
    "1" * 5000, "-" + "9" * 4400, "1e999", "-1e999", "NaN", "Infinity", "0." + "5" * 600, "1" * 99,
    '"\\ud800"', '"a\\udc00b"', '"\\ude00\\ud83d"', '"\\ud83d\\ude00"', '"\\u0000"', '"\\u001b[2J"',
    '"' + "x" * 20_000 + '"', '"' + "word " * 3000 + '"', '"\\n" ', "[" * 80 + "]" * 80, "{}", "[]", "[[]]",
    '{"unknown": 1}', "true", "null", "0", "-0", "1.5", '"2026-02-30"', '"2026-10-05"', '"\\u202e"',
])
VALUES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=40) | st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000)
          | st.lists(st.text(max_size=10), max_size=5)
          | st.dictionaries(st.text(max_size=8), st.integers(), max_size=3))


@st.composite
def mutated_cases(draw) -> bytes:
    doc = json.loads(GOOD)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = doc
        try:
            for k in path[:-1]:
                parent = parent[k]
            parent[path[-1]]   # noqa: B018 — still there after an earlier mutation
        except (KeyError, IndexError, TypeError):
            continue
        if draw(st.booleans()):
            parent[path[-1]] = _TOKEN
        else:
            parent[path[-1]] = draw(VALUES)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    raw = draw(RAW)
    return text.replace(json.dumps(_TOKEN), raw).encode("utf-8", "surrogatepass")


def _one_line_refusal(code: int, out: str, err: str) -> None:
    assert code == 2, (code, err[:300])
    assert "Traceback" not in err and err.count("\n") == 1 and err.endswith("\n"), err[:300]


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_cases())
def test_mutated_cases_through_check_pack_and_import(capsys, tmp_path_factory, data):
    """Any mutation of a good case: check, pack --draft and import agree — all refuse it in one line (exit 2)
    and write nothing, or all take it (check 0/1, a PDF, the handover stored)."""
    d = tmp_path_factory.mktemp("fuzz")
    p = d / "case.json"
    p.write_bytes(data)
    code, out, err = _run(capsys, "check", p, "--as-of", "2026-11-20", "--format", "json")
    usable = code != 2
    if usable:
        assert code in (0, 1) and err == "" and json.loads(out)["id"] == "SD-2026-0142"
    else:
        _one_line_refusal(code, out, err)
    out_dir = d / "out"
    out_dir.mkdir()
    code, out, err = _run(capsys, "pack", p, "-o", out_dir / "pack.pdf", "--draft", "--as-of", "2026-11-20")
    if usable:
        assert code == 0, err[:300]
        assert [x.name for x in out_dir.iterdir()] == ["pack.pdf"]
    else:
        _one_line_refusal(code, out, err)
        assert list(out_dir.iterdir()) == []
    db = f"sqlite:///{d / 'db.sqlite'}"
    code, out, err = _run(capsys, "import", p, "--db", db)
    if usable:
        assert code == 0 and out.strip() == "SD-2026-0142", err[:300]
    else:
        _one_line_refusal(code, out, err)
        code, out, _ = _run(capsys, "overdue", "--db", db, "--as-of", "2026-11-20", "--format", "json")
        assert json.loads(out) == []

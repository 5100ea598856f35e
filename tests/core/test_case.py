"""The handover-case/1 document: shape errors are unusable input, content errors are left to the checks."""

import json

import pytest

from handover.case import (CaseError, blank_case, content_hash, dump_case, get_path, iter_paths, load_case,
                           parse_case, set_path)
from handover.checks import check_case

from casefiles import AS_OF, EXAMPLES, example


def test_the_schema_is_a_valid_json_schema():
    """The app does not check its schema against the meta-schema at start-up; this test does."""
    import jsonschema

    from handover.resources import resource_path

    schema = json.loads(resource_path("schema", "handover-case-1.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    broken = dict(schema, type="objekt")
    with pytest.raises(jsonschema.SchemaError):
        cls.check_schema(broken)


def test_examples_parse():
    """Both formats ship: /1 examples (what the editor edits, and what the upgrade is tested on) and a /2
    family example (SPEC.md section 7)."""
    formats = {}
    for p in EXAMPLES.glob("*.json"):
        doc = load_case(p)
        formats.setdefault(doc["format"], []).append(p.name)
    assert set(formats) == {"handover-case/1", "handover-case/2"}, formats
    assert {"step_down_complete.json", "step_up_complete.json"} <= set(formats["handover-case/1"])


@pytest.mark.parametrize("data,words", [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"{oops", "not valid JSON"),
    (b"[1, 2]", "one JSON object, not a list"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": NaN}', "NaN"),
])
def test_unusable_input(data, words):
    with pytest.raises(CaseError) as e:
        parse_case(data, "case.json")
    assert words in str(e.value) and "\n" not in str(e.value)


def test_unknown_key_is_named():
    doc = example("step_up_complete")
    doc["chlid"] = {}
    with pytest.raises(CaseError, match="unknown key 'chlid' in the top level"):
        parse_case(json.dumps(doc))


def test_unknown_nested_key_is_named():
    doc = example("step_down_complete")
    doc["agencies"][1]["sharing_basis"]["gatway"] = "x"
    with pytest.raises(CaseError, match=r"unknown key 'gatway' in agencies\[1\]\.sharing_basis"):
        parse_case(json.dumps(doc))


def test_list_where_object_belongs():
    doc = example("step_down_complete")
    doc["child"] = [doc["child"]]
    with pytest.raises(CaseError, match="'child' should be an object, not a list"):
        parse_case(json.dumps(doc))


def test_object_where_list_belongs():
    doc = example("step_down_complete")
    doc["household"][0]["known_to"] = {"gp": True}
    with pytest.raises(CaseError, match=r"'household\[0\]\.known_to' should be a list, not an object"):
        parse_case(json.dumps(doc))


def test_duplicate_key_is_refused():
    with pytest.raises(CaseError, match="appears twice"):
        parse_case('{"format": "handover-case/1", "id": "A", "id": "B", "direction": "step_up"}')


def test_wrong_format_is_refused():
    """handover-case/2 is read now (SPEC.md section 7); a format this tool does not know is still refused."""
    with pytest.raises(CaseError, match="this tool reads") as e:
        parse_case('{"format": "handover-case/3", "id": "A", "direction": "step_up"}')
    assert "handover-case/3" in str(e.value) and "handover-case/2" in str(e.value)


def test_missing_id_is_refused():
    with pytest.raises(CaseError, match="missing key 'id'"):
        parse_case('{"format": "handover-case/1", "direction": "step_up"}')


def test_too_large(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b"{" + b" " * (11 * 1024 * 1024) + b"}")
    with pytest.raises(CaseError, match="too large"):
        load_case(p)


def test_deeply_nested():
    with pytest.raises(CaseError, match="nested too deeply"):
        parse_case("[" * 100000 + "]" * 100000)


def test_missing_file(tmp_path):
    with pytest.raises(CaseError, match="no such file"):
        load_case(tmp_path / "nope.json")


def test_wrong_scalar_types_are_findings_not_shape_errors():
    doc = example("step_down_complete")
    doc["child"]["date_of_birth"] = 20220314
    doc["household"][0]["lives_with_child"] = "yes"
    parsed = parse_case(json.dumps(doc))
    codes = {(f.code, f.path) for f in check_case(parsed, AS_OF).findings}
    assert ("invalid_value", "child.date_of_birth") in codes
    assert ("invalid_value", "household[0].lives_with_child") in codes


def test_bom_is_accepted():
    doc = example("step_up_complete")
    assert parse_case(b"\xef\xbb\xbf" + json.dumps(doc).encode())["id"] == doc["id"]


def test_dump_round_trip_and_hash():
    doc = example("step_up_complete")
    again = parse_case(dump_case(doc))
    assert again == doc
    assert content_hash(again) == content_hash(doc)
    assert "Zoë" in dump_case(doc)  # kept as UTF-8, not escaped
    changed = json.loads(json.dumps(doc))
    changed["child"]["given_name"] = "Zoe"
    assert content_hash(changed) != content_hash(doc)


def test_hash_ignores_key_order():
    doc = example("step_up_complete")
    reordered = dict(reversed(list(doc.items())))
    assert content_hash(reordered) == content_hash(doc)


def test_paths():
    doc = example("step_down_complete")
    assert get_path(doc, "agencies[1].sharing_basis.type") == "consent"
    assert get_path(doc, "agencies[99].name", None) is None
    set_path(doc, "plan.handover_meeting.held_date", "2026-10-16")
    assert doc["plan"]["handover_meeting"]["held_date"] == "2026-10-16"
    set_path(doc, "events.new_thing", "x")
    assert doc["events"]["new_thing"] == "x"
    got = dict(iter_paths(doc, "household[].name"))
    assert got == {"household[0].name": "Dana Brennan", "household[1].name": "Lee Harker"}


@pytest.mark.parametrize("direction", ["step_down", "step_up"])
def test_blank_case_is_well_shaped_and_incomplete(direction):
    doc = blank_case(direction, "NEW-1")
    parse_case(dump_case(doc))  # the blank case is a valid shape: a half-filled form can always be saved
    result = check_case(doc, AS_OF)
    assert not result.complete
    assert {"required", "child_voice_missing", "sign_off_missing"} <= {f.code for f in result.findings}
    assert all(d.status == "not_started" for d in result.deadlines)


def test_copy_for_new_handover_keeps_the_family_not_the_transition():
    from handover.case import copy_for_new_handover

    prev = example("step_down_complete")
    new = copy_for_new_handover(prev, "step_up", "SU-NEW-1")
    parse_case(dump_case(new))
    assert new["id"] == "SU-NEW-1" and new["direction"] == "step_up"
    assert new["child"] == prev["child"] and new["household"] == prev["household"]
    assert [a["name"] for a in new["agencies"]] == [a["name"] for a in prev["agencies"]]
    assert all(a["informed_date"] is None for a in new["agencies"])
    assert new["transition"]["decision_date"] is None and "referral_date" in new["transition"]
    assert new["sign_off"]["prepared_by"]["name"] == "" and new["plan"]["outcomes"] == []
    assert new["needs_and_risks"]["early_help_work"] == "" and new["needs_and_risks"]["escalation_plan"] == ""
    codes = {f.code for f in check_case(new, AS_OF).findings}
    assert "agency_not_informed" in codes and "agency_missing" not in codes
    assert prev["agencies"][0]["informed_date"] == "2026-10-06"   # the old case is untouched

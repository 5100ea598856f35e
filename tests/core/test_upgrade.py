"""Reading /1 as /2 (SPEC.md section 7.1): losslessly, in memory; one set of rules checks both."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handover.case import parse_case
from handover.checks import check_case
from handover.family import is_v2, map_detail, to_v1_path, upgrade, upgrade_report, view

from casefiles import AS_OF, example

V1_EXAMPLES = ["step_down_complete", "step_up_complete", "step_up_with_gaps"]


def leaves(doc, path=""):
    """(path, value) of every scalar, and of every empty list or object, in a document."""
    if isinstance(doc, dict) and doc:
        for k, v in doc.items():
            yield from leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(doc, list) and doc:
        for i, v in enumerate(doc):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, doc


def at(doc, path):
    import re

    cur = doc
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        cur = cur[int(index)] if index else cur[key]
    return cur


def v2_path(path):
    """Where a /1 path is in the upgraded document (the inverse of to_v1_path)."""
    for head, new in (("child.", "children[0]."), ("child_voice", "children[0].child_voice"),
                      ("transition.current_plan", "children[0].current_plan")):
        if path.startswith(head):
            return new + path[len(head):]
    return path


def check_lossless(v1):
    v2, unmatched = upgrade_report(v1)
    def key(n):   # a name as people write it: case and spacing do not matter
        return " ".join(n.split()).lower() if isinstance(n, str) else None

    names = {key(m["name"]): f"p{i + 1}" for i, m in reversed(list(enumerate(v1.get("household") or [])))
             if isinstance(m, dict) and key(m.get("name"))}
    for path, value in leaves(v1):
        if path == "format":
            continue
        got = at(v2, v2_path(path))
        if "involved_with[" in path:
            if value == "child":
                assert got == "c1", path
            elif key(value) in names:
                assert got == names[key(value)], path
            elif isinstance(value, str) and not value.strip():   # an empty entry: kept, nothing to report
                assert got == value and (path, value) not in unmatched, path
            else:
                assert got == value and (path, value) in unmatched, path
        else:
            assert got == value, path
    return v2


@pytest.mark.parametrize("name", V1_EXAMPLES)
def test_upgrade_keeps_every_value(name):
    v1 = example(name)
    before = copy.deepcopy(v1)
    v2 = check_lossless(v1)
    assert v1 == before                       # the document given is not changed
    assert v2["format"] == "handover-case/2" and is_v2(v2) and not is_v2(v1)
    assert parse_case(json.dumps(v2)) == v2   # the result is a well-formed /2 document
    assert "child" not in v2 and "child_voice" not in v2 and "current_plan" not in v2["transition"]


def test_upgrade_as_7_1_says():
    v2 = upgrade(example("step_down_complete"))
    c = v2["children"][0]
    assert c["ref"] == "c1" and c["moves"] is True and c["risk_factors"] == []
    assert c["current_plan"] == "child_in_need" and c["child_voice"]["how_obtained"]
    assert v2["needs_and_risks"]["risk_factors"] == ["2B", "3B"]   # the case-level factors stay there
    assert [m["ref"] for m in v2["household"]] == ["p1", "p2"]
    assert v2["agencies"][0]["involved_with"] == ["c1", "p1"]          # "child", "Dana Brennan"
    assert v2["agencies"][4]["involved_with"] == ["p2", "p1"]          # "Lee Harker", "Dana Brennan"
    assert v2["information_requests"] == [] and v2["sharing_decisions"] == []
    assert list(v2)[:4] == ["format", "id", "direction", "children"]


def test_names_match_ignoring_case_and_spacing():
    v1 = example("step_down_complete")
    v1["agencies"][0]["involved_with"] = ["child", "  dana   BRENNAN "]
    assert upgrade(v1)["agencies"][0]["involved_with"] == ["c1", "p1"]


def test_a_name_matching_nobody_is_kept_and_reported():
    v1 = example("step_down_complete")
    v1["agencies"][0]["involved_with"] = ["child", "Dana Brenan"]
    v2, unmatched = upgrade_report(v1)
    assert v2["agencies"][0]["involved_with"] == ["c1", "Dana Brenan"]
    assert unmatched == [("agencies[0].involved_with[1]", "Dana Brenan")]
    bad = [f for f in check_case(v2, AS_OF).findings if f.code == "invalid_value"]
    assert [f.path for f in bad] == ["agencies[0].involved_with[1]"] and "Dana Brenan" in bad[0].message


def test_a_2_document_is_copied_as_it_is():
    doc = example("family_step_up")
    assert upgrade(doc) == doc and upgrade(doc) is not doc
    assert view(doc) is doc


def test_upgrade_of_a_sparse_document():
    v2 = upgrade({"format": "handover-case/1", "id": "X", "direction": "step_up"})
    assert v2["children"] == [{"ref": "c1", "moves": True, "reason_not_moving": "", "risk_factors": []}]
    assert parse_case(json.dumps(v2))["id"] == "X"
    v2 = upgrade({"format": "handover-case/1", "id": "X", "direction": "step_up", "household": [None, {"name": "A"}]})
    assert v2["household"] == [None, {"ref": "p2", "name": "A"}]


@pytest.mark.parametrize("path,v1", [
    ("children[0].nhs_number", "child.nhs_number"), ("children[0]", "child"), ("children", "child"),
    ("children[0].local_ids.csc", "child.local_ids.csc"), ("children[0].current_plan", "transition.current_plan"),
    ("children[0].child_voice.views", "child_voice.views"), ("children[0].child_voice", "child_voice"),
    ("household[1]", "household[1]"), ("agencies[0].involved_with[1]", "agencies[0].involved_with[1]"),
])
def test_paths_back_to_1(path, v1):
    assert to_v1_path(path) == v1


@pytest.mark.parametrize("name", V1_EXAMPLES)
def test_one_set_of_rules_a_1_case_finds_what_its_upgrade_finds(name):
    """check_case of a /1 document is the check of its /2 upgrade with the paths mapped back."""
    v1 = example(name)
    one = check_case(v1, AS_OF)
    two = check_case(upgrade(v1), AS_OF)
    assert [(f.code, f.path, f.detail) for f in one.findings] == \
        [(f.code, to_v1_path(f.path), map_detail(f.detail)) for f in two.findings]
    assert [d.to_json() for d in one.deadlines] == [d.to_json() for d in two.deadlines]
    assert not any(f.path.startswith("children") for f in one.findings)
    assert one.family is False and two.family is True


def test_1_paths_point_at_the_1_fields():
    v1 = example("step_up_with_gaps")
    paths = {f.path for f in check_case(v1, AS_OF).findings}
    assert {"child.nhs_number", "child_voice.views", "child.disability_or_sen"} <= paths


names = st.text(st.sampled_from("abcAB -'"), min_size=0, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(names, min_size=0, max_size=4),
       st.lists(st.lists(st.one_of(names, st.just("child"), st.none(), st.integers(0, 3)), max_size=4), max_size=4),
       st.sampled_from(V1_EXAMPLES))
def test_upgrade_is_lossless_for_any_household_and_network(member_names, involved, name):
    v1 = example(name)
    v1["household"] = [dict(v1["household"][0], name=n) for n in member_names]
    v1["agencies"] = [dict(v1["agencies"][0], involved_with=inv) for inv in involved]
    v1 = parse_case(json.dumps(v1))
    v2 = check_lossless(v1)
    assert parse_case(json.dumps(v2)) == v2
    # and the one set of rules agrees with itself on either form of the document
    one = check_case(v1, AS_OF)
    two = check_case(v2, AS_OF)
    assert [(f.code, f.path) for f in one.findings] == [(f.code, to_v1_path(f.path)) for f in two.findings]

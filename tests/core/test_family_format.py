"""handover-case/2 (SPEC.md section 7.1): its shape is unusable input when wrong, its values are findings."""

import json

import pytest

from handover.case import CaseError, load_case, parse_case
from handover.checks import check_case

from casefiles import AS_OF, EXAMPLES, example


def family():
    return example("family_step_up")


def parse(doc):
    return parse_case(json.dumps(doc), "family.json")


def test_the_schema_is_a_valid_json_schema():
    import jsonschema

    from handover.resources import resource_path

    schema = json.loads(resource_path("schema", "handover-case-2.schema.json").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schema["properties"]["format"] == {"const": "handover-case/2"}
    assert "child" not in schema["properties"] and "child_voice" not in schema["properties"]


def test_the_family_example_is_2_and_parses():
    doc = load_case(EXAMPLES / "family_step_up.json")
    assert doc["format"] == "handover-case/2" and len(doc["children"]) == 2
    assert {c["given_name"] for c in doc["children"]} == {"Mia", "Kara"}


def test_the_family_example_has_no_errors():
    r = check_case(family(), AS_OF)
    assert r.complete, [f.to_json() for f in r.errors]


def test_every_key_of_7_1_is_accepted():
    doc = family()
    doc["chronology"][0]["about"] = ["c1", "p2"]
    doc["plan"]["outcomes"] = [{"need": "n", "outcome": "o", "actions": [], "for": ["c2"]}]
    doc["information_requests"][0]["response"] = None
    doc["children"][1].update(moves=False, reason_not_moving="Her own case stays with the youth justice team.")
    assert parse(doc) == doc


@pytest.mark.parametrize("mutate,words", [
    (lambda d: d.update(format="handover-case/3"), "this tool reads"),
    (lambda d: d.update(children=[]), "'children' is empty"),
    (lambda d: d.pop("children"), "missing key 'children'"),
    (lambda d: d.update(child=d["children"][0]), "unknown key 'child' in the top level"),
    (lambda d: d.update(child_voice={}), "unknown key 'child_voice'"),
    (lambda d: d["transition"].update(current_plan="early_help"), r"unknown key 'current_plan' in transition"),
    (lambda d: d["children"][1].update(ref="c1"), "the ref 'c1' is used twice"),
    (lambda d: d["household"][0].update(ref="c2"), r"the ref 'c2' is used twice \(children\[1\]\.ref and household\[0\]\.ref\)"),
    (lambda d: d["children"][0].update(ref="C 1"), r"'children\[0\]\.ref' is 'C 1'"),
    (lambda d: d["household"][1].update(ref="a-very-long-reference-x"), r"'household\[1\]\.ref'"),
    (lambda d: d["household"][1].update(ref=""), r"'household\[1\]\.ref'"),
    (lambda d: d["children"][0].update(ref=1), r"'children\[0\]\.ref' should be text"),
    (lambda d: d["children"][0].pop("ref"), r"missing key 'ref' in children\[0\]"),
    (lambda d: d["household"][0].pop("ref"), r"missing key 'ref' in household\[0\]"),
    (lambda d: d["information_requests"][0].update(response=["holds_information"]),
     r"'information_requests\[0\]\.response' should be an object, not a list"),
    (lambda d: d["information_requests"][0].update(response="declined"),
     r"'information_requests\[0\]\.response' should be an object, not text"),
    (lambda d: d["information_requests"][0]["response"].update(outcom="declined"),
     r"unknown key 'outcom' in information_requests\[0\]\.response"),
    (lambda d: d["sharing_decisions"][0].update(reason="x"), r"unknown key 'reason' in sharing_decisions\[0\]"),
    (lambda d: d["children"][0].update(child_voice=[]), r"'children\[0\]\.child_voice' should be an object"),
    (lambda d: d["agencies"][0].update(involved_with="c1"), r"'agencies\[0\]\.involved_with' should be a list"),
])
def test_unusable_input_names_the_key(mutate, words):
    doc = family()
    mutate(doc)
    with pytest.raises(CaseError, match=words) as e:
        parse(doc)
    assert "\n" not in str(e.value) and str(e.value).startswith("family.json: ")


@pytest.mark.parametrize("ref", ["c1", "p-2", "kara_t", "x" * 16, "0"])
def test_well_formed_refs(ref):
    doc = family()
    doc["children"][0]["ref"] = ref
    doc["agencies"][0]["involved_with"] = [ref]
    assert parse(doc)["children"][0]["ref"] == ref


# ------------------------------------------------ values of the right shape are findings (SPEC.md section 3)


def only(doc, code):
    got = [f for f in check_case(doc, AS_OF).findings if f.code == code]
    assert len(got) == 1, [f.to_json() for f in check_case(doc, AS_OF).findings]
    return got[0]


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["information_requests"][1].update(agency_type="witchfinder"), "information_requests[1].agency_type"),
    (lambda d: d["information_requests"][1].update(priority="purple"), "information_requests[1].priority"),
    (lambda d: d["information_requests"][1]["response"].update(outcome="maybe"),
     "information_requests[1].response.outcome"),
    (lambda d: d["information_requests"][1]["response"].update(confidential="yes"),
     "information_requests[1].response.confidential"),
    (lambda d: d["sharing_decisions"][0].update(decision="perhaps"), "sharing_decisions[0].decision"),
    (lambda d: d["sharing_decisions"][0].update(agency_type="press"), "sharing_decisions[0].agency_type"),
    (lambda d: d["children"][0].update(moves="yes"), "children[0].moves"),
    (lambda d: d["children"][1]["risk_factors"].append("99Z"), "children[1].risk_factors[2]"),
    (lambda d: d["children"][0].update(current_plan="adoption"), "children[0].current_plan"),
])
def test_wrong_values_are_invalid_value_findings(mutate, path):
    doc = family()
    mutate(doc)
    parse(doc)   # the file is usable
    assert only(doc, "invalid_value").path == path


@pytest.mark.parametrize("mutate,path", [
    (lambda d: d["agencies"][1]["involved_with"].append("c9"), "agencies[1].involved_with[3]"),
    (lambda d: d["agencies"][1]["involved_with"].append("child"), "agencies[1].involved_with[3]"),
    (lambda d: d["agencies"][0].update(involved_with=["Sam Testcase"]), "agencies[0].involved_with[0]"),
    (lambda d: d["chronology"][0].update(about=["p9"]), "chronology[0].about[0]"),
    (lambda d: d["information_requests"][0].update(about=["c2", "q1"]), "information_requests[0].about[1]"),
    (lambda d: d.update(plan=dict(d["plan"], outcomes=[{"need": "n", "outcome": "o", "actions": [], "for": ["z"]}])),
     "plan.outcomes[0].for[0]"),
])
def test_a_ref_naming_nobody_is_invalid_value_at_that_path(mutate, path):
    doc = family()
    mutate(doc)
    f = only(doc, "invalid_value")
    assert f.path == path
    assert "household list" in f.message


def test_refs_of_children_and_household_both_resolve():
    doc = family()
    doc["chronology"][0]["about"] = ["c1", "c2", "p1", "p2"]
    assert [f for f in check_case(doc, AS_OF).findings if f.code == "invalid_value"] == []


def test_a_sharing_decision_not_to_share_needs_why():
    doc = family()
    doc["sharing_decisions"][1]["why"] = ""
    f = only(doc, "required")
    assert f.path == "sharing_decisions[1].why" and f.detail["because"] == "sharing_decisions[1].decision"
    doc["sharing_decisions"][1]["decision"] = "shared"
    assert [f for f in check_case(doc, AS_OF).findings if f.code == "required"] == []


def test_an_answer_needs_its_date_and_outcome():
    doc = family()
    doc["information_requests"][3]["response"] = {"date": None, "outcome": None, "summary": "", "confidential": False}
    paths = {f.path for f in check_case(doc, AS_OF).findings if f.code == "required"}
    assert paths == {"information_requests[3].response.date", "information_requests[3].response.outcome"}


def test_an_answer_dated_before_the_request_is_date_order():
    doc = family()
    doc["information_requests"][1]["response"]["date"] = "2026-03-29"
    f = only(doc, "date_order")
    assert f.path == "information_requests[1].response.date"


def test_each_child_born_before_the_decision():
    doc = family()
    doc["children"][1]["date_of_birth"] = "2026-04-01"
    f = only(doc, "date_order")
    assert f.path == "transition.decision_date" and f.detail["earlier"] == "children[1].date_of_birth"


def test_findings_group_under_the_family_sections():
    doc = family()
    doc["children"][1]["postcode"] = "12345"
    doc["information_requests"][0]["priority"] = "purple"
    groups = {sid: [f.code for f in fs] for sid, _t, fs in check_case(doc, AS_OF).by_section()}
    assert "postcode_invalid" in groups["children"] and "invalid_value" in groups["information_requests"]


def test_names_are_matched_with_case_spacing_and_punctuation_ignored():
    """SPEC 8: "Mary-Jane Smith", "Mary Jane Smith" and "MARYJANE  smith" are one person's name (with the
    same date of birth); "O'Brien Dana" is "O Brien Dana"."""
    from handover.family import person_key

    assert len({person_key(n) for n in ("Mary-Jane Smith", "Mary Jane Smith", "MARYJANE  smith", " mary.jane smith ")}) == 1
    assert person_key("O'Brien Dana") == person_key("O Brien Dana") == person_key("obriendana")
    assert person_key("Alex Testcase") != person_key("Alex Testcases")
    assert person_key(None) == ""

"""A council adds a third form (a YAML file) and gets a third direction: listed, loaded, checked, with
deadlines only when its protocol gives it rules. The two standard directions behave as before."""

from __future__ import annotations

import json

import pytest
import yaml

from casefiles import AS_OF, example
from handover import forms, labels
from handover.case import parse_case
from handover.checks import check_case
from handover.forms import FormError, directions, form_for, load_form, parse_form
from handover.protocol import ProtocolError, default_protocol, parse_protocol
from handover.resources import resource_path
from handover.vocab import vocab
from tests.core.third_direction import (ARROW, DIRECTION, LABEL, LONG_LABEL, clear_resource_caches,
                                        install_third_direction)


@pytest.fixture
def third(tmp_path, monkeypatch):
    root = install_third_direction(tmp_path, monkeypatch)
    yield root
    clear_resource_caches()


def _case() -> dict:
    case = example("step_down_complete")
    case["direction"] = DIRECTION
    return case


def test_the_new_form_is_a_direction(third):
    assert directions() == ("step_down", "step_up", DIRECTION)        # in the forms' declared order
    assert forms.DIRECTIONS == directions() == labels.directions()
    form = load_form(DIRECTION)
    assert form.direction == DIRECTION
    assert [s.id for s in form.sections] == [s.id for s in load_form("step_down").sections]
    assert form_for({"direction": DIRECTION}) is form
    assert form_for({"direction": "nowhere"}).direction == "step_down"   # the first direction, as before
    assert labels.direction_label(DIRECTION) == LABEL
    assert labels.direction_arrow(DIRECTION) == ARROW
    assert labels.direction_long_label(DIRECTION) == LONG_LABEL
    assert labels.direction_badge(DIRECTION) == f"{ARROW} {LABEL}"
    assert labels.receiving_service(DIRECTION) == "children_social_care"
    assert vocab().label("directions", DIRECTION) == LONG_LABEL


def test_a_case_of_the_new_direction_is_read_and_checked(third):
    case = parse_case(json.dumps(_case()))                # the schema takes any direction
    result = check_case(case, AS_OF)
    assert result.direction == DIRECTION
    assert not [f for f in result.findings if f.path == "direction"]
    assert result.deadlines == ()                         # the default protocol has no rules for it
    assert {s for s, _, _ in result.by_section()} <= {s.id for s in load_form(DIRECTION).sections} | {"other"}
    # the standard directions are checked exactly as before
    assert check_case(example("step_down_complete"), AS_OF).to_json()["deadlines"]


def test_an_unknown_direction_is_still_an_error_naming_every_direction(third):
    case = _case()
    case["direction"] = "sideways"
    found = [f for f in check_case(case, AS_OF).findings if f.path == "direction"]
    assert [f.code for f in found] == ["invalid_value"]
    assert "is not step_down, step_up or step_across." in found[0].message
    case["direction"] = ""
    found = [f for f in check_case(case, AS_OF).findings if f.path == "direction"]
    assert found[0].message == "Say whether this is a step-down, a step-up or a step-across."


def test_a_protocol_can_give_the_new_direction_rules_of_its_own(third):
    raw = default_protocol().to_dict()
    raw["rules"][DIRECTION] = [{"rule": "transfer_meeting", "starts": "transition.decision_date",
                                "done": "plan.handover_meeting.held_date", "working_days": 15,
                                "basis": "local: transfer-in protocol"}]
    protocol = parse_protocol(raw, "council.yaml")
    assert [r.rule for r in protocol.rules_for(DIRECTION)] == ["transfer_meeting"]
    assert protocol.rules_for("step_down") == default_protocol().rules_for("step_down")
    result = check_case(_case(), AS_OF, protocol)
    assert [(d.rule, d.status) for d in result.deadlines] == [("transfer_meeting", "met")]
    assert labels.rule_label("transfer_meeting") == "Transfer meeting"          # no words yet: its own
    # round trip (the administration page changes a timescale this way)
    assert protocol.replace_days(DIRECTION, "transfer_meeting", 20).rules_for(DIRECTION)[0].working_days == 20

    for rule, message in (({"rule": "x", "working_days": 1, "basis": "local"}, "needs 'starts', a date field"),
                          ({"rule": "x", "starts": "child.given_name", "done": "events.pack_sent",
                            "working_days": 1, "basis": "local"}, "needs 'starts', a date field"),
                          ({"rule": "Bad Name", "starts": "transition.decision_date", "done": "events.pack_sent",
                            "working_days": 1, "basis": "local"}, "lower-case letters")):
        raw["rules"][DIRECTION] = [rule]
        with pytest.raises(ProtocolError, match=message):
            parse_protocol(raw, "council.yaml")


def test_the_standard_directions_keep_their_rules(third):
    raw = default_protocol().to_dict()
    raw["rules"]["step_down"].append({"rule": "transfer_meeting", "starts": "transition.decision_date",
                                      "done": "events.pack_sent", "working_days": 1, "basis": "local"})
    with pytest.raises(ProtocolError, match="unknown rule 'transfer_meeting' for step_down"):
        parse_protocol(raw, "council.yaml")
    raw = default_protocol().to_dict()
    raw["rules"]["sideways"] = []
    with pytest.raises(ProtocolError, match="unknown direction 'sideways'"):
        parse_protocol(raw, "council.yaml")


def test_without_the_third_form_the_direction_is_unknown():
    assert directions() == ("step_down", "step_up")
    with pytest.raises(FormError, match="no form for direction 'step_across'"):
        load_form(DIRECTION)
    raw = default_protocol().to_dict()
    raw["rules"][DIRECTION] = []
    with pytest.raises(ProtocolError, match="unknown direction 'step_across'"):
        parse_protocol(raw, "council.yaml")
    with pytest.raises(ProtocolError, match="'rules' must map step_down and step_up to lists of rules"):
        parse_protocol({"name": "x", "rules": []}, "council.yaml")


# ---------------------------------------------------------------- the form's own keys, read strictly


def _step_down() -> dict:
    return yaml.safe_load(resource_path("forms", "step_down.yaml").read_text(encoding="utf-8"))


def test_a_form_key_comes_from_the_declaration():
    assert forms.yaml_keys(forms.Form) == {"form", "title", "sections", "date_order", "order", "label", "arrow",
                                           "long_label", "from_service", "to_service", "child_name", "child_ids"}
    assert "in" in forms.yaml_keys(forms.Condition) and "required_when" not in forms.yaml_keys(forms.Field)
    raw = _step_down()
    raw["lable"] = "Step-down"
    with pytest.raises(FormError, match=r"^form step_down: unknown key 'lable'$"):
        parse_form(raw, "step_down")


@pytest.mark.parametrize("key,value,message", [
    ("to_service", "early_helpp", "to_service 'early_helpp' is not one of the agency_types"),
    ("order", "first", "'order' must be a whole number"),
    ("label", ["Step-down"], "'label' must be text"),
    ("child_ids", ["child.local_ids.social_care"], "child_ids names 'child.local_ids.social_care', which is not"),
])
def test_a_bad_direction_key_is_refused_naming_the_form(key, value, message):
    raw = _step_down()
    raw[key] = value
    with pytest.raises(FormError, match=f"^form step_down: {message}"):
        parse_form(raw, "step_down")


def test_a_form_file_must_name_its_own_direction(third):
    path = third / "forms" / "step_sideways.yaml"
    path.write_text((third / "forms" / "step_down.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    clear_resource_caches()
    with pytest.raises(FormError, match="form step_sideways: the file is step_sideways.yaml but it says form: "
                                        "step_down"):
        directions()


def test_family_hides_entry_is_for_a_flag_of_a_list_entry():
    raw = _step_down()
    raw["sections"][0]["fields"][0]["family_hides_entry"] = True
    with pytest.raises(FormError, match="'family_hides_entry' is for a yes/no"):
        parse_form(raw, "step_down")
    form = load_form("step_down")
    assert [p for p, f in form.all_fields() if f.family_hides_entry] == ["chronology[].confidential"]
    assert form.child_name == ("child.given_name", "child.family_name")
    assert form.child_ids == ("child.local_ids.csc", "child.local_ids.early_help")
    assert load_form("step_up").child_ids == ("child.local_ids.early_help", "child.local_ids.csc")

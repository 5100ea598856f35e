"""Form definitions: strict loading, and agreement with the JSON Schema of handover-case/1."""

import json

import pytest
import yaml

from handover.forms import DIRECTIONS, FormError, load_form, parse_form
from handover.resources import resource_path


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_form_loads_with_sections_in_order(direction):
    form = load_form(direction)
    ids = [s.id for s in form.sections]
    assert ids[:3] == ["child", "household", "transition"] and "agencies" in ids
    assert all(s.title and s.fields for s in form.sections)


def _schema_props(schema, generic):
    node = schema
    for part in generic.replace("[]", ".[]").split("."):
        if part == "[]":
            node = node["items"]
            continue
        props = node.get("properties")
        if props is None or part not in props:
            return None
        node = props[part]
    return node


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_every_form_field_is_in_the_schema(direction):
    schema = json.loads(resource_path("schema", "handover-case-1.schema.json").read_text())
    for generic, field in load_form(direction).all_fields():
        assert _schema_props(schema, generic) is not None, f"{direction}: {generic} is not in the schema"


def test_unknown_field_key_names_form_section_and_field():
    raw = yaml.safe_load(resource_path("forms", "step_down.yaml").read_text())
    raw["sections"][0]["fields"][0]["lable"] = "typo"
    with pytest.raises(FormError, match=r"form step_down, section child, field child.given_name: unknown key 'lable'"):
        parse_form(raw, "step_down")


def test_unknown_vocabulary_is_refused():
    raw = yaml.safe_load(resource_path("forms", "step_up.yaml").read_text())
    raw["sections"][0]["fields"][3]["vocab"] = "genders"
    with pytest.raises(FormError, match="unknown vocabulary 'genders'"):
        parse_form(raw, "step_up")


def test_family_copy_omissions_are_declared():
    form = load_form("step_down")
    hidden = {g for g, f in form.all_fields() if not f.family}
    assert {"household[].known_to", "household[].risk_factors", "agencies[].contact",
            "agencies[].sharing_basis.reason"} <= hidden


def test_section_of_paths():
    form = load_form("step_down")
    assert form.section_of("agencies[2].sharing_basis").id == "agencies"
    assert form.section_of("agency_checks.police").id == "agencies"
    assert form.section_of("household[0].known_to[1]").id == "household"
    assert form.field_at("plan.outcomes[1].actions[0].who").label == "Who"

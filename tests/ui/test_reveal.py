"""GOV.UK conditional reveal: a question that only matters for one answer appears with that answer, and
nothing already typed is ever hidden."""

from __future__ import annotations

from handover.forms import load_form


def test_the_consent_details_appear_only_when_the_family_agreed(make_editor, complete_case):
    case = complete_case
    case["family"]["consent"].update(status="refused", given_by="", date=None, how="",
                                     reason_not_sought="The family declined at the visit.")
    ed = make_editor(case)
    ed.show_section(ed.form.section_of("family.consent.given_by").id)
    given = ed.field_widget("family.consent.given_by")
    reason = ed.field_widget("family.consent.reason_not_sought")
    assert given.isHidden() and not reason.isHidden()
    ed.model.set_value("family.consent.status", "given", from_widget=False)
    assert not given.isHidden()
    assert not reason.isHidden()          # it holds an answer: never hidden
    ed.model.set_value("family.consent.reason_not_sought", "", from_widget=False)
    assert reason.isHidden()
    ed.undo()                              # undo brings the answer back, and the question with it
    assert not reason.isHidden()


def test_a_reveal_needs_a_condition_it_can_be_shown_for():
    from handover.forms import FormError, parse_form

    form = load_form("step_down")
    assert any(f.reveal for _, f in form.all_fields())
    import yaml

    from handover.resources import resource_path

    raw = yaml.safe_load(resource_path("forms", "step_down.yaml").read_text())
    raw["sections"][0]["fields"][0]["reveal"] = True          # a field with no condition
    raw["sections"][0]["fields"][0]["required"] = True
    try:
        parse_form(raw, "step_down")
    except FormError as e:
        assert "reveal" in str(e)
    else:
        raise AssertionError("a reveal without a condition was accepted")

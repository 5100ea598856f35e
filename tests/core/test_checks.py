"""One test (at least) per finding code: code, severity, path and detail."""

from datetime import date

import pytest

from handover.checks import CODES, check_case

AS_OF = date(2026, 11, 20)


def findings(case, code=None, as_of=AS_OF):
    result = check_case(case, as_of)
    return [f for f in result.findings if code is None or f.code == code]


def only(case, code, as_of=AS_OF):
    got = findings(case, code, as_of)
    assert len(got) == 1, [f.to_json() for f in findings(case, as_of=as_of)]
    f = got[0]
    assert f.severity == CODES[code]
    assert f.message and f.message.lstrip("“")[0].isupper()
    return f


def test_complete_examples_have_no_errors(step_down, step_up):
    sd = check_case(step_down, AS_OF)
    assert sd.complete and not sd.errors
    su = check_case(step_up, AS_OF)
    assert su.complete and su.findings == ()


def test_required_top_level(step_down):
    step_down["child"]["family_name"] = "  "
    f = only(step_down, "required")
    assert f.path == "child.family_name" and f.detail["label"] == "Family name"


def test_required_missing_key_counts_as_empty(step_down):
    del step_down["transition"]["reason"]
    assert only(step_down, "required").path == "transition.reason"


def test_required_in_list_entry(step_down):
    step_down["agencies"][2]["name"] = ""
    assert only(step_down, "required").path == "agencies[2].name"


def test_required_min_items(step_down):
    step_down["chronology"] = []
    f = only(step_down, "required")
    assert f.path == "chronology" and f.detail["min_items"] == 1 and f.detail["count"] == 0


@pytest.mark.parametrize("status", ["refused", "not_sought"])
def test_required_when_consent_not_given(step_down, status):
    step_down["family"]["consent"] = {"status": status, "given_by": "", "date": None, "how": "", "reason_not_sought": ""}
    f = only(step_down, "required")
    assert f.path == "family.consent.reason_not_sought"
    assert f.detail["because"] == "family.consent.status"


def test_required_when_consent_given_needs_who_and_when(step_down):
    step_down["family"]["consent"]["given_by"] = ""
    assert only(step_down, "required").path == "family.consent.given_by"


def test_required_when_immediate_risk(step_up):
    step_up["transition"]["immediate_risk"] = True
    f = only(step_up, "required")
    assert f.path == "transition.emergency_action"
    step_up["transition"]["emergency_action"] = "Police attended under section 46 powers."
    assert findings(step_up, "required") == []


def test_required_when_sharing_without_consent_needs_reason(step_down):
    step_down["agencies"][4]["sharing_basis"]["reason"] = ""
    assert only(step_down, "required").path == "agencies[4].sharing_basis.reason"


def test_step_up_only_fields_not_required_for_step_down(step_down):
    assert "referral_date" not in step_down["transition"]
    assert not [f for f in findings(step_down, "required") if "referral" in f.path]


def test_invalid_value_vocabulary(step_down):
    step_down["child"]["gender"] = "boy"
    f = only(step_down, "invalid_value")
    assert f.path == "child.gender" and f.detail["value"] == "boy"


def test_invalid_value_wrong_type(step_down):
    step_down["household"][0]["lives_with_child"] = "yes"
    assert only(step_down, "invalid_value").path == "household[0].lives_with_child"


def test_invalid_value_unknown_agency_type_and_risk_code(step_down):
    step_down["household"][1]["known_to"].append("witchfinder")
    step_down["needs_and_risks"]["risk_factors"].append("99Z")
    paths = {f.path for f in findings(step_down, "invalid_value")}
    assert paths == {"household[1].known_to[2]", "needs_and_risks.risk_factors[2]"}


def test_invalid_value_involved_with_unknown_person(step_down):
    step_down["agencies"][0]["involved_with"] = ["child", "Dana Brenan"]
    assert only(step_down, "invalid_value").path == "agencies[0].involved_with[1]"


def test_invalid_direction_is_a_finding():
    r = check_case({"format": "handover-case/1", "id": "X", "direction": "sideways"}, AS_OF)
    assert [f.path for f in r.findings if f.code == "invalid_value"] == ["direction"]
    assert r.deadlines == ()


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "20/10/2026", "0000-00-00"])
def test_invalid_date(step_down, value):
    step_down["child_voice"]["last_seen"] = value
    f = only(step_down, "invalid_date")
    assert f.path == "child_voice.last_seen" and f.detail["value"] == value


def test_date_order_born_after_decision(step_down):
    step_down["child"]["date_of_birth"] = "2026-10-06"
    f = only(step_down, "date_order")
    assert f.path == "transition.decision_date"
    assert f.detail["earlier"] == "child.date_of_birth"


def test_date_order_meeting_before_decision(step_down):
    step_down["plan"]["handover_meeting"]["held_date"] = "2026-10-02"
    paths = [f.path for f in findings(step_down, "date_order")]
    assert "plan.handover_meeting.held_date" in paths


def test_date_order_review_before_meeting(step_down):
    step_down["plan"]["review_date"] = "2026-10-14"
    assert {f.path for f in findings(step_down, "date_order")} == {"plan.review_date"}


def test_date_order_signed_before_prepared(step_down):
    step_down["sign_off"]["sending_manager"]["date"] = "2026-10-05"
    f = only(step_down, "date_order")
    assert f.path == "sign_off.sending_manager.date"


def test_date_order_in_list_entries(step_down):
    step_down["household"][1]["left_household"] = "2026-05-01"
    assert only(step_down, "date_order").path == "household[1].left_household"


def test_future_date(step_down):
    step_down["events"]["acknowledged"] = "2026-11-21"
    f = only(step_down, "future_date")
    assert f.path == "events.acknowledged" and f.detail == {"value": "2026-11-21", "as_of": "2026-11-20"}


def test_planned_dates_may_be_in_future(step_down):
    step_down["plan"]["review_date"] = "2027-01-10"
    assert findings(step_down, "future_date") == []


def test_nhs_number_invalid(step_down):
    step_down["child"]["nhs_number"] = "9990000019"
    f = only(step_down, "nhs_number_invalid")
    assert f.path == "child.nhs_number" and f.detail["value"] == "9990000019"


@pytest.mark.parametrize("number,ok", [("4505577104", True), ("999 000 0018", True), ("9990000018", True),
                                       ("999000001", False), ("99900000AB", False), ("1234567890", False)])
def test_nhs_number_rule(number, ok):
    from handover.checks.validity import nhs_number_ok

    assert nhs_number_ok(number) is ok


def test_upn_invalid(step_up):
    step_up["child"]["upn"] = "A820123425007"
    f = only(step_up, "upn_invalid")
    assert f.path == "child.upn"


@pytest.mark.parametrize("upn,ok", [("Y820123425007", True), ("Z820123426001", True), ("y820123425007", True),
                                    ("I820123425007", False), ("Y82012342500", False), ("Y8201234250O7", False)])
def test_upn_rule(upn, ok):
    from handover.checks.validity import upn_ok

    assert upn_ok(upn) is ok


def test_step_down_from_cp(step_down):
    step_down["transition"]["current_plan"] = "child_protection"
    f = only(step_down, "step_down_from_cp")
    assert f.path == "transition.current_plan" and f.detail == {"current_plan": "child_protection"}


def test_step_up_from_cp_is_not_flagged(step_up):
    step_up["transition"]["current_plan"] = "child_protection"
    assert findings(step_up, "step_down_from_cp") == []


@pytest.mark.parametrize("postcode,ok", [("EX1 4LA", True), ("sw1a1aa", True), ("GIR 0AA", True), ("EX1 4LC", False),
                                         ("12345", False), ("QQ1 1AA", False)])
def test_postcode_invalid(step_down, postcode, ok):
    step_down["child"]["postcode"] = postcode
    got = findings(step_down, "postcode_invalid")
    assert (got == []) is ok
    if not ok:
        assert got[0].path == "child.postcode" and got[0].severity == "warning"


def test_sharing_basis_missing(step_down):
    step_down["agencies"][1]["sharing_basis"] = {"type": "", "gateway": "", "reason": ""}
    f = only(step_down, "sharing_basis_missing")
    assert f.path == "agencies[1].sharing_basis" and f.detail["agency_type"] == "health_visitor"


def test_sharing_without_consent_needs_gateway(step_down):
    step_down["agencies"][4]["sharing_basis"]["gateway"] = ""
    f = only(step_down, "sharing_basis_missing")
    assert f.path == "agencies[4].sharing_basis.gateway"


def test_family_consent_and_sharing_basis_are_separate(step_down):
    """Refused early-help consent does not make sharing with consent invalid, nor the reverse."""
    step_down["family"]["consent"] = {"status": "refused", "given_by": "", "date": None, "how": "",
                                      "reason_not_sought": "Dana does not want early help."}
    assert findings(step_down, "sharing_basis_missing") == []


def test_agency_missing_from_known_to(step_down):
    step_down["agencies"] = [a for a in step_down["agencies"] if a["type"] != "probation"]
    f = only(step_down, "agency_missing")
    assert f.detail["agency_type"] == "probation"
    assert f.path == "household[1].known_to[1]"
    assert "Lee Harker" in f.message


def test_agency_missing_from_chronology(step_down):
    step_down["chronology"].append({"date": "2026-08-01", "source": "emergency_department", "event": "A&E visit",
                                    "impact_on_child": "Minor burn", "confidential": False})
    f = only(step_down, "agency_missing")
    assert f.detail["agency_type"] == "emergency_department"
    assert f.path == "chronology[5].source"


def test_transition_services_always_count_as_present(step_down):
    assert all(a["type"] not in ("children_social_care", "early_help") for a in step_down["agencies"])
    assert any(e["source"] == "children_social_care" for e in step_down["chronology"])
    assert findings(step_down, "agency_missing") == []


def test_agency_expected_from_risk_factor(step_down):
    step_down["needs_and_risks"]["risk_factors"].append("4B")
    step_down["agency_checks"]["adult_mental_health"] = "not_checked"
    f = only(step_down, "agency_expected")
    assert f.detail["agency_type"] == "adult_mental_health" and f.detail["risk_factors"] == ["4B"]
    assert f.path == "agency_checks.adult_mental_health"


def test_agency_expected_silenced_by_not_involved(step_down):
    step_down["needs_and_risks"]["risk_factors"].append("4B")
    assert step_down["agency_checks"]["adult_mental_health"] == "not_involved"
    assert findings(step_down, "agency_expected") == []


@pytest.mark.parametrize("dob,agency", [("2023-01-01", "health_visitor"), ("2015-01-01", "education")])
def test_agency_expected_from_age(step_down, dob, agency):
    step_down["child"]["date_of_birth"] = dob
    step_down["agencies"] = [a for a in step_down["agencies"] if a["type"] != agency]
    step_down["agency_checks"][agency] = "not_checked"
    got = [f for f in findings(step_down, "agency_expected") if f.detail["agency_type"] == agency]
    assert len(got) == 1


def test_agency_not_checked(step_down):
    step_down["agency_checks"]["housing"] = "not_checked"
    del step_down["agency_checks"]["youth_justice"]
    got = findings(step_down, "agency_not_checked")
    assert {f.path for f in got} == {"agency_checks.housing", "agency_checks.youth_justice"}
    assert all(f.severity == "warning" for f in got)


def test_agency_not_informed_no_date(step_down):
    step_down["agencies"][0]["informed_date"] = None
    f = only(step_down, "agency_not_informed")
    assert f.path == "agencies[0].informed_date" and f.detail["agency_type"] == "gp"


def test_agency_not_informed_after_meeting(step_down):
    step_down["agencies"][0]["informed_date"] = "2026-10-16"
    f = only(step_down, "agency_not_informed")
    assert f.detail["informed_date"] == "2026-10-16" and f.detail["meeting_date"] == "2026-10-15"


def test_agency_not_continuing_need_not_be_informed(step_down):
    police = step_down["agencies"][4]
    assert police["continues_involvement"] is False
    police["informed_date"] = None
    assert findings(step_down, "agency_not_informed") == []


def test_household_change(step_down):
    f = only(step_down, "household_change")
    assert f.path == "household[1].joined_household"
    assert f.detail == {"name": "Lee Harker", "change": "joined", "date": "2026-06-01", "reference_date": "2026-10-05"}


def test_household_change_older_than_six_months_is_not_flagged(step_down):
    step_down["household"][1]["joined_household"] = "2026-04-04"
    assert findings(step_down, "household_change") == []


def test_child_voice_missing(step_down):
    step_down["child_voice"]["views"] = ""
    f = only(step_down, "child_voice_missing")
    assert f.path == "child_voice.views" and f.severity == "error"


def test_sign_off_missing(step_down):
    step_down["sign_off"]["sending_manager"] = {"name": "", "date": None}
    f = only(step_down, "sign_off_missing")
    assert f.path == "sign_off.sending_manager"
    assert f.detail == {"signer": "sending_manager", "missing": ["name", "date"]}


def test_overdue(step_down):
    step_down["events"]["acknowledged"] = None
    f = only(step_down, "overdue")
    assert f.path == "events.acknowledged"
    assert f.detail["rule"] == "acknowledged" and f.detail["due"] == "2026-10-09"
    # 12 Oct .. 20 Nov 2026: 30 working days, no bank holidays in between
    assert f.detail["working_days_overdue"] == 30


def test_late(step_down):
    step_down["plan"]["lead_professional"]["agreed_date"] = "2026-10-14"
    f = only(step_down, "late")
    assert f.path == "plan.lead_professional.agreed_date"
    assert f.detail["due"] == "2026-10-12" and f.detail["working_days_overdue"] == 2


def test_every_code_is_exercised_by_this_file():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    assert all(f'"{code}"' in source for code in CODES)


def test_same_input_same_output(step_up):
    a = check_case(step_up, AS_OF).to_json()
    b = check_case(step_up, AS_OF).to_json()
    assert a == b


# ---------------------------------------------------------------- SPEC.md section 7.2, on a /1 document
# (the rules are written for handover-case/2; a /1 case is checked as the /2 case it upgrades to, and its
# findings point at its own paths: tests/core/test_family_checks.py has the /2 side)


def _brother(age_on_decision_years=15, lives_with_child=True):
    return {"name": "Jordan Brennan", "relationship": "Brother", "date_of_birth": f"{2026 - age_on_decision_years}-01-10",
            "lives_with_child": lives_with_child, "parental_responsibility": False, "joined_household": None,
            "left_household": None, "known_to": [], "risk_factors": []}


def test_child_in_household_not_listed_review_k(step_down):
    """Rapid Review K written as /1: the handover is about the toddler; her 15-year-old brother lives with
    her and is in the household list only."""
    step_down["household"].append(_brother(15))
    f = only(step_down, "child_in_household_not_listed")
    assert f.path == "household[2]" and f.severity == "error"
    assert f.detail["name"] == "Jordan Brennan" and f.detail["age"] == 15
    assert "Jordan Brennan" in f.message


@pytest.mark.parametrize("change", ["adult", "lives_elsewhere", "no_dob"])
def test_child_in_household_not_listed_needs_a_child_who_lives_there(step_down, change):
    brother = _brother(18 if change == "adult" else 15, lives_with_child=change != "lives_elsewhere")
    if change == "no_dob":
        brother["date_of_birth"] = None
    step_down["household"].append(brother)
    assert findings(step_down, "child_in_household_not_listed") == []


def test_child_in_household_not_listed_counts_age_on_the_decision_date(step_down):
    # the decision is 2026-10-05: a brother who turns 18 on 2026-10-06 is still 17 then
    step_down["household"].append(dict(_brother(), date_of_birth="2008-10-06"))
    assert only(step_down, "child_in_household_not_listed").detail["age"] == 17
    step_down["household"][-1]["date_of_birth"] = "2008-10-05"
    assert findings(step_down, "child_in_household_not_listed") == []


def test_nhs_number_missing(step_down):
    step_down["child"]["nhs_number"] = ""
    f = only(step_down, "nhs_number_missing")
    assert f.path == "child.nhs_number" and f.severity == "warning"
    assert findings(step_down, "nhs_number_invalid") == []


def test_agency_check_unevidenced(step_down):
    step_down["needs_and_risks"]["risk_factors"].append("4B")
    assert step_down["agency_checks"]["adult_mental_health"] == "not_involved"
    f = only(step_down, "agency_check_unevidenced")
    assert f.path == "agency_checks.adult_mental_health" and f.detail["agency_type"] == "adult_mental_health"
    assert f.severity == "warning"


def test_agency_check_unevidenced_not_when_involved_or_not_expected(step_down):
    assert findings(step_down, "agency_check_unevidenced") == []   # nothing expected is marked not involved
    step_down["needs_and_risks"]["risk_factors"].append("4B")
    step_down["agency_checks"]["adult_mental_health"] = "not_checked"
    assert findings(step_down, "agency_check_unevidenced") == []
    assert only(step_down, "agency_expected").detail["agency_type"] == "adult_mental_health"


def test_agency_missing_when_the_checklist_says_involved(step_down):
    step_down["agency_checks"]["housing"] = "involved"
    f = only(step_down, "agency_missing")
    assert f.detail["agency_type"] == "housing" and f.path == "agency_checks.housing"


def test_request_declined_needs_a_2_document(step_down):
    """A /1 document has no requests for information: nothing to decline, nothing overdue of them."""
    r = check_case(step_down, AS_OF)
    assert not [f for f in r.findings if f.code == "request_declined"]
    assert all(d.rule != "information_request" for d in r.deadlines)


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_a_date_outside_the_years_a_handover_can_be_in_is_a_finding_not_a_crash(value):
    """A typing slip (0001-01-01) is an invalid_date finding, and no deadline counts working days from it
    (it used to end the check with an internal error)."""
    from datetime import date as _date

    from handover.case import load_case
    from handover.checks import check_case
    from handover.resources import resource_path

    case = load_case(resource_path("examples", "step_up_complete.json"))
    case["transition"]["decision_date"] = value
    r = check_case(case, _date(2026, 11, 20))
    hit = [f for f in r.findings if f.path == "transition.decision_date" and f.code == "invalid_date"]
    assert hit and "1900 to 2199" in hit[0].message

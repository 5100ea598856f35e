"""The checks of SPEC.md section 7.2 and the request deadlines of 7.3, on handover-case/2 documents."""

from datetime import date

import pytest

from handover.checks import check_case
from handover.deadlines import compute_deadlines
from handover.family import upgrade
from handover.protocol import ProtocolError, default_protocol, parse_protocol

from casefiles import AS_OF, example


@pytest.fixture
def fam():
    """The family step-up example: Mia (2) and Kara (14) both move; no error findings as of AS_OF."""
    return example("family_step_up")


def findings(doc, code=None, as_of=AS_OF, protocol=None):
    return [f for f in check_case(doc, as_of, protocol).findings if code is None or f.code == code]


def only(doc, code, as_of=AS_OF):
    got = findings(doc, code, as_of)
    assert len(got) == 1, [f.to_json() for f in findings(doc, as_of=as_of)]
    return got[0]


def member(ref, name, dob, lives=True, **kw):
    return {"ref": ref, "name": name, "relationship": "Brother", "date_of_birth": dob, "lives_with_child": lives,
            "parental_responsibility": False, "joined_household": None, "left_household": None,
            "known_to": [], "risk_factors": [], **kw}


def test_the_example_is_as_described(fam):
    r = check_case(fam, AS_OF)
    assert r.complete
    assert {f.code for f in r.findings} <= {"late"}   # the drug service answered a day late


# ---------------------------------------------------------------- child_in_household_not_listed


def test_child_in_household_not_listed(fam):
    fam["household"].append(member("p3", "Robin Testcase", "2013-09-09"))
    f = only(fam, "child_in_household_not_listed")
    assert f.path == "household[2]" and f.severity == "error"
    assert f.detail["name"] == "Robin Testcase" and f.detail["ref"] == "p3" and f.detail["age"] == 12


def test_child_in_household_not_listed_uses_the_as_of_date_without_a_decision(fam):
    fam["transition"]["decision_date"] = None
    fam["household"].append(member("p3", "Robin Testcase", "2008-11-25"))   # 17 on 2026-11-20, 18 five days on
    assert only(fam, "child_in_household_not_listed").detail["on"] == "2026-11-20"
    assert findings(fam, "child_in_household_not_listed", as_of=date(2026, 11, 25)) == []


def test_not_when_they_are_listed_or_live_elsewhere(fam):
    fam["household"].append(member("p3", "Kara  testcase", "2011-06-02"))   # Kara, written twice
    fam["household"].append(member("p4", "Robin Testcase", "2013-09-09", lives=False))
    fam["household"].append(member("p5", "Ash Testcase", "2000-01-01"))
    assert findings(fam, "child_in_household_not_listed") == []


def test_adding_them_as_a_child_who_does_not_move(fam):
    fam["children"].append({"ref": "c3", "given_name": "Robin", "family_name": "Testcase",
                            "date_of_birth": "2013-09-09", "moves": False, "reason_not_moving": ""})
    f = only(fam, "required")
    assert f.path == "children[2].reason_not_moving" and f.detail["because"] == "children[2].moves"
    fam["children"][2]["reason_not_moving"] = "Robin's own case stays open to the youth justice team."
    r = check_case(fam, AS_OF)
    assert r.complete
    # a child who does not move needs no voice, NHS number or plan of their own in this handover
    assert not [f for f in r.findings if f.path.startswith("children[2]")]


# ---------------------------------------------------------------- child_voice_missing, nhs_number_missing


def test_child_voice_missing_per_moving_child(fam):
    fam["children"][1]["child_voice"]["views"] = ""
    f = only(fam, "child_voice_missing")
    assert f.path == "children[1].child_voice.views" and "Kara" in f.message and f.detail["ref"] == "c2"
    fam["children"][1]["moves"] = False
    fam["children"][1]["reason_not_moving"] = "Stays with the youth justice team."
    assert findings(fam, "child_voice_missing") == []


def test_nhs_number_missing_per_moving_child(fam):
    fam["children"][0]["nhs_number"] = ""
    f = only(fam, "nhs_number_missing")
    assert f.path == "children[0].nhs_number" and f.detail["ref"] == "c1" and f.severity == "warning"
    fam["children"][0]["moves"] = False
    fam["children"][0]["reason_not_moving"] = "x"
    assert findings(fam, "nhs_number_missing") == []


def test_step_down_from_cp_is_each_childs_own_plan():
    doc = upgrade(example("step_down_complete"))
    second = dict(doc["children"][0], ref="c2", given_name="Ava", current_plan="child_protection")
    doc["children"].append(second)
    f = only(doc, "step_down_from_cp")
    assert f.path == "children[1].current_plan" and "Ava" in f.message


# ---------------------------------------------------------------- agencies


def test_agency_expected_from_a_childs_own_risk_factors(fam):
    fam["children"][0]["risk_factors"] = ["4A"]
    fam["agency_checks"]["camhs"] = "not_checked"
    f = only(fam, "agency_expected")
    assert f.detail["agency_type"] == "camhs" and f.detail["ref"] == "c1" and f.detail["risk_factors"] == ["4A"]


def test_agency_expected_from_a_household_members_risk_factors(fam):
    fam["household"][0]["risk_factors"].append("4B")
    fam["agency_checks"]["adult_mental_health"] = "not_checked"
    f = only(fam, "agency_expected")
    assert f.detail["agency_type"] == "adult_mental_health" and f.detail["ref"] == "p1"


def test_agency_expected_from_each_childs_age(fam):
    fam["agencies"] = [a for a in fam["agencies"] if a["type"] != "education"]
    fam["agency_checks"]["education"] = "not_checked"
    f = only(fam, "agency_expected")
    assert f.detail["agency_type"] == "education" and f.detail["refs"] == ["c2"]   # Kara, not Mia (2)


def test_agency_missing_from_a_request_answered_holds_information(fam):
    fam["information_requests"][3]["response"]["outcome"] = "holds_information"   # housing
    fam["information_requests"][3]["response"]["summary"] = "Rent arrears."
    f = only(fam, "agency_missing")
    assert f.detail["agency_type"] == "housing" and f.path == "information_requests[3].response.outcome"


def test_agency_missing_from_the_checklist(fam):
    fam["agency_checks"]["youth_justice"] = "involved"
    f = only(fam, "agency_missing")
    assert f.detail["agency_type"] == "youth_justice" and f.path == "agency_checks.youth_justice"


def test_agency_check_unevidenced_and_a_nothing_held_answer(fam):
    fam["children"][1]["risk_factors"].append("4A")   # Kara's mental health: camhs and gp
    assert fam["agency_checks"]["camhs"] == "not_involved"
    f = only(fam, "agency_check_unevidenced")
    assert f.detail["agency_type"] == "camhs" and f.detail["ref"] == "c2" and f.path == "agency_checks.camhs"
    fam["information_requests"].append({"agency_type": "camhs", "agency_name": "Sampleford CAMHS", "about": ["c2"],
                                        "sent": "2026-03-30", "sent_by": "Chris Demo", "priority": "green",
                                        "response": {"date": "2026-03-31", "outcome": "nothing_held", "summary": "",
                                                     "confidential": False}})
    assert findings(fam, "agency_check_unevidenced") == []
    fam["information_requests"][-1]["response"]["outcome"] = "declined"
    assert only(fam, "agency_check_unevidenced").detail["agency_type"] == "camhs"


# ---------------------------------------------------------------- request_declined


def test_request_declined_until_followed_up(fam):
    r = fam["information_requests"][3]   # housing, answered 2026-04-01
    r["response"]["outcome"] = "declined"
    f = only(fam, "request_declined")
    assert f.path == "information_requests[3].response.outcome" and f.detail["agency_type"] == "housing"
    assert f.severity == "warning" and "Sampleford Homes" in f.message
    decision = {"date": "2026-03-31", "agency_type": "housing", "decision": "shared", "what": "w", "why": "",
                "decided_by": "Mo Test"}
    fam["sharing_decisions"].append(decision)        # before it declined: not a follow-up
    assert len(findings(fam, "request_declined")) == 1
    decision["date"] = "2026-04-02"
    decision["agency_type"] = "gp"                   # another agency: not a follow-up either
    assert len(findings(fam, "request_declined")) == 1
    decision["agency_type"] = "housing"
    assert findings(fam, "request_declined") == []


# ---------------------------------------------------------------- deadlines of requests (7.3)


def request(sent, priority="amber", answered=None, agency="housing"):
    return {"agency_type": agency, "agency_name": "", "about": [], "sent": sent, "sent_by": "P", "priority": priority,
            "response": None if answered is None else {"date": answered, "outcome": "nothing_held", "summary": "",
                                                       "confidential": False}}


def request_deadlines(*requests, as_of=AS_OF, protocol=None):
    doc = {"format": "handover-case/2", "direction": "step_up", "information_requests": list(requests)}
    return [d for d in compute_deadlines(doc, as_of, protocol) if d.rule == "information_request"]


@pytest.mark.parametrize("sent,priority,due", [
    ("2026-04-02", "amber", "2026-04-07"),   # Thursday before Easter: Good Friday, Easter Monday
    ("2026-12-24", "amber", "2026-12-29"),   # Christmas Eve (Thu): Christmas Day, Boxing Day substitute (Mon 28th)
    ("2026-12-24", "red", "2026-12-24"),     # within 0 working days of a working day: that day
    ("2026-12-25", "red", "2026-12-29"),     # ... of a bank holiday: the next working day
    ("2026-11-21", "red", "2026-11-23"),     # ... of a Saturday: the Monday
    ("2026-11-20", "green", "2026-11-25"),   # Friday + 3 working days
])
def test_due_dates(sent, priority, due):
    (d,) = request_deadlines(request(sent, priority))
    assert d.due == date.fromisoformat(due)
    assert d.basis == "local default: MASH practice; councils set their own"


def test_statuses_and_the_json():
    late, met, overdue, due, unsent = request_deadlines(
        request("2026-04-02", answered="2026-04-08"), request("2026-04-02", answered="2026-04-07"),
        request("2026-11-16"), request("2026-11-19", "green"), request(None, agency="police"),
        as_of=date(2026, 11, 20))
    assert (late.status, late.working_days_overdue) == ("late", 1)
    assert (met.status, met.working_days_overdue) == ("met", 0)
    assert (overdue.status, overdue.working_days_overdue) == ("overdue", 3)
    assert (due.status, due.working_days_overdue) == ("due", 0)
    assert (unsent.status, unsent.due) == ("not_started", None)
    j = late.to_json()
    assert j["path"] == "information_requests[0]" and j["agency_type"] == "housing" and j["rule"] == "information_request"
    assert unsent.to_json()["path"] == "information_requests[4]" and unsent.to_json()["agency_type"] == "police"


def test_an_unknown_priority_has_no_deadline_but_a_finding(fam):
    fam["information_requests"][1]["priority"] = "purple"
    r = check_case(fam, AS_OF)
    assert [d.path for d in r.deadlines if d.rule == "information_request"] == [
        "information_requests[0]", "information_requests[2]", "information_requests[3]"]
    assert [f.path for f in r.findings if f.code == "invalid_value"] == ["information_requests[1].priority"]


def test_overdue_and_late_findings_of_requests(fam):
    fam["information_requests"][3]["response"] = None   # housing, green, sent 2026-03-30: due 2026-04-02
    f = only(fam, "overdue", as_of=date(2026, 4, 7))
    assert f.path == "information_requests[3].response.date"
    assert f.detail["agency_type"] == "housing" and f.detail["path"] == "information_requests[3]"
    assert f.detail["working_days_overdue"] == 1   # Good Friday and Easter Monday do not count
    assert "Sampleford Homes" in f.message
    late = only(fam, "late")
    assert late.detail["agency_type"] == "drug_alcohol_service" and late.path == "information_requests[2].response.date"


def test_the_protocol_sets_the_days_per_priority():
    raw = default_protocol().to_dict()
    assert raw["information_requests"]["working_days"] == {"red": 0, "amber": 1, "green": 3}
    raw["information_requests"]["working_days"]["amber"] = 4
    p = parse_protocol(raw, "ours")
    (d,) = request_deadlines(request("2026-11-16"), protocol=p)
    assert d.due == date(2026, 11, 20) and d.working_days == 4
    assert parse_protocol(p.to_dict(), "again") == p


def test_a_protocol_without_the_section_uses_the_defaults():
    raw = default_protocol().to_dict()
    del raw["information_requests"]
    p = parse_protocol(raw, "older")
    assert p.information_requests is None and p.requests == default_protocol().information_requests
    (d,) = request_deadlines(request("2026-04-02"), protocol=p)
    assert d.due == date(2026, 4, 7)


@pytest.mark.parametrize("section,words", [
    ("not a mapping", "must be a mapping"),
    ({"working_days": {"red": 0, "amber": 1, "green": 3}, "basis": "b", "extra": 1}, "unknown key 'extra'"),
    ({"working_days": {"red": 0, "amber": 1}, "basis": "b"}, "no figure for green"),
    ({"working_days": {"red": 0, "amber": 1, "green": 3, "blue": 2}, "basis": "b"}, "unknown priority 'blue'"),
    ({"working_days": {"red": -1, "amber": 1, "green": 3}, "basis": "b"}, "working_days for red"),
    ({"working_days": {"red": 0, "amber": True, "green": 3}, "basis": "b"}, "working_days for amber"),
    ({"working_days": {"red": 0, "amber": 1, "green": 3}, "basis": " "}, "needs a 'basis'"),
])
def test_a_bad_section_is_refused_naming_it(section, words):
    raw = default_protocol().to_dict()
    raw["information_requests"] = section
    with pytest.raises(ProtocolError, match=words) as e:
        parse_protocol(raw, "ours.yaml")
    assert "information_requests" in str(e.value) and "\n" not in str(e.value)


def test_the_step_down_family_example_is_complete_with_a_child_who_stays():
    """resources/examples/family_step_down.json: Ellie and Rory step down; their half-brother Kai's own plan
    stays with children's social care (moves false, with the reason): he needs no plan or voice here, and
    the household check does not ask for him again. Probation answered and was shared with."""
    doc = example("family_step_down")
    kai = next(c for c in doc["children"] if c["moves"] is False)
    assert kai["reason_not_moving"]
    errors = [f for f in check_case(doc, date(2026, 10, 20)).findings if f.is_error]
    assert errors == []
    kai.pop("child_voice")
    kai.pop("current_plan")
    assert [f for f in check_case(doc, date(2026, 10, 20)).findings if f.is_error] == []
    kai["reason_not_moving"] = ""
    assert {(f.code, f.path) for f in check_case(doc, date(2026, 10, 20)).findings if f.is_error} == {
        ("required", f"children[{doc['children'].index(kai)}].reason_not_moving")}

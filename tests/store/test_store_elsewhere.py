"""Known elsewhere (SPEC.md section 8, issue 19): the people of one stored handover matched against every
other one, what each user learns of it, the audit trail of each showing, and the same child's earlier
handovers (re-referral within 12 months). Synthetic families only."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pytest
from store.store_cases import NOW, complete_step_down, step_down
from store.test_pg_roles import council  # noqa: F401 - the PostgreSQL council of people's own roles

from handover import audit
from handover.app import operations as ops
from handover.resources import resource_path
from handover.store import elsewhere
from handover.store import service as sv

SHARED_ADULT = "p2"          #: Alex Testcase, the father in family A, a lodger in family B
DETAIL_KEYS = {"ref", "handovers", "agency_types", "risk_factors"}


def family_a(case_id: str = "FAM-A") -> dict:
    """The shipped family: Mia and Kara Testcase; Alex Testcase (born 1986-09-21) known to the police,
    probation and the drug service, with risk factors 2B and 3B."""
    doc = json.loads(resource_path("examples", "family_step_up.json").read_text(encoding="utf-8"))
    doc["id"] = case_id
    return doc


def family_b(case_id: str = "FAM-B", *, dob: str = "1986-09-21") -> dict:
    """Another family with other children, whose household has "ALEX  testcase" (same name, spacing and
    case aside) known to housing only."""
    doc = family_a(case_id)
    kids = [("Noor", "Sample", "2018-02-03", "9990000069"), ("Zed", "Sample", "2020-07-08", "9990000077")]
    for child, (given, surname, born, nhs) in zip(doc["children"], kids):
        child.update(given_name=given, family_name=surname, date_of_birth=born, nhs_number=nhs, risk_factors=[])
    doc["household"][0].update(name="Jo Sample", date_of_birth="1992-01-01", known_to=[], risk_factors=[])
    doc["household"][1].update(name="ALEX  testcase", relationship="Lodger", date_of_birth=dob,
                               known_to=["housing"], risk_factors=[])
    housing = copy.deepcopy(doc["agencies"][0])
    housing.update(type="housing", name="Sampleford Housing", involved_with=[SHARED_ADULT])
    doc["agencies"] = [housing]
    return doc


def _by_ref(findings) -> dict:
    return {f.detail["ref"]: f for f in findings if f.code == "known_elsewhere"}


def _shown(store, case_id: str, action: str = elsewhere.SHOWN_ACTION) -> list[tuple[str, str]]:
    """(actor, detail) of the case's audit entries of ``action``."""
    with store.read() as s:
        return [(e.actor, e.detail) for e in audit.entries_for(s, case_id) if e.action == action]


# ================================================================ matching


def test_two_families_sharing_an_adult_see_each_others_agency_types(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)

    a = _by_ref(elsewhere.known_elsewhere(store, cast.prac, "FAM-A", now=NOW))
    assert set(a) == {SHARED_ADULT}                     # nobody else is in both families
    f = a[SHARED_ADULT]
    assert f.severity == "warning" and not f.is_error and f.path == "household[1]"
    assert f.detail == {"ref": SHARED_ADULT, "handovers": 1, "agency_types": ["housing"], "risk_factors": []}
    assert f.message.startswith("Alex Testcase is recorded in 1 other handover as known to Housing")

    b = _by_ref(elsewhere.known_elsewhere(store, cast.other_prac, "FAM-B", now=NOW))
    g = b[SHARED_ADULT]
    assert set(g.detail) == DETAIL_KEYS
    assert g.detail["agency_types"] == ["drug_alcohol_service", "police", "probation"]
    assert g.detail["risk_factors"] == ["2B", "3B"]
    assert g.message.startswith("ALEX  testcase is recorded in 1 other handover")   # this handover's own name
    assert "Probation service" in g.message


def test_what_another_team_learns_is_only_what_the_finding_says(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    findings = elsewhere.known_elsewhere(store, cast.other_prac, "FAM-B", now=NOW)
    text = json.dumps([x.to_json() for x in findings])
    for secret in ("FAM-A", "Mia", "Kara", "Sam Testcase", "EH-9", "Sampleford Recovery", "Example Close"):
        assert secret not in text
    assert all(set(x.detail) == DETAIL_KEYS for x in findings)
    with pytest.raises(sv.NotFound):                     # and the other handover stays unopenable
        elsewhere.known_elsewhere(store, cast.other_prac, "FAM-A", now=NOW)


def test_a_common_name_with_another_birth_date_is_not_matched(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(dob="1986-09-22"), now=NOW)
    assert elsewhere.known_elsewhere(store, cast.prac, "FAM-A", now=NOW) == []
    assert elsewhere.known_elsewhere(store, cast.other_prac, "FAM-B", now=NOW) == []
    assert _shown(store, "FAM-A") == []                  # nothing shown, nothing recorded


def test_a_child_is_matched_by_nhs_number_whatever_the_name(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    doc = family_a("NHS-2")                              # Kara alone, her name and birth date mistyped
    kara = doc["children"][1]
    kara.update(ref="c1", family_name="Testcasse", date_of_birth="2011-06-03", nhs_number="999 000 0050",
                risk_factors=["10A"])
    doc.update(children=[kara], household=[], agencies=[], information_requests=[], sharing_decisions=[])
    sv.create_handover(store, cast.other_prac, doc, now=NOW)
    (f,) = elsewhere.known_elsewhere(store, cast.other_prac, "NHS-2", now=NOW)
    assert f.path == "children[0]"
    assert f.detail == {"ref": "c1", "handovers": 1, "agency_types": ["education", "gp", "police"],
                        "risk_factors": ["24A"]}     # 10A is recorded here already: not news
    assert f.message.startswith("Kara Testcasse is recorded in 1 other handover as known to ")
    assert "with the risk factor 24A" in f.message


def test_differing_nhs_numbers_are_different_children(store, cast):
    one, two = step_down("SAME-1"), step_down("SAME-2")
    one["child"]["nhs_number"] = "9990000042"
    one["needs_and_risks"]["risk_factors"] = ["10A"]
    two["child"].update(nhs_number="9990000050")
    sv.create_handover(store, cast.prac, one, now=NOW)
    sv.create_handover(store, cast.prac, two, now=NOW)
    assert elsewhere.known_elsewhere(store, cast.prac, "SAME-2", now=NOW) == []


def test_an_administrator_sees_no_matches(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    assert elsewhere.known_elsewhere(store, cast.admin, "FAM-A", now=NOW) == []
    assert elsewhere.previous_handovers(store, cast.admin, "FAM-A", now=NOW).handovers == ()
    assert _shown(store, "FAM-A") == []


def test_each_showing_is_in_the_audit_trail_for_managers(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    later = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
    elsewhere.known_elsewhere(store, cast.prac, "FAM-A", now=NOW)
    elsewhere.known_elsewhere(store, cast.mgr, "FAM-A", now=later)
    entries = _shown(store, "FAM-A")
    assert [actor for actor, _ in entries] == ["prac", "mgr"]
    detail = json.loads(entries[0][1])
    assert detail == {"matches": [{"ref": SHARED_ADULT, "handovers": 1, "agency_types": ["housing"],
                                   "risk_factors": []}]}
    assert "FAM-B" not in entries[0][1]
    with store.read() as s:
        assert audit.verify(s).ok


def test_matches_follow_every_save(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    s = sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    case = family_b()
    case["household"][1]["known_to"] = ["housing", "youth_justice"]
    sv.save_version(store, cast.other_prac, "FAM-B", case, s.row_version, now=NOW)
    (f,) = elsewhere.known_elsewhere(store, cast.prac, "FAM-A", now=NOW)
    assert f.detail["agency_types"] == ["housing", "youth_justice"]


# ================================================================ earlier handovers of the same child


def _again(case_id: str, decision: str) -> dict:
    """The same child (complete_step_down's) handed over again, decided on ``decision``."""
    c = complete_step_down(case_id)
    c["transition"]["decision_date"] = decision
    return c


def test_a_re_referral_within_12_months_is_a_warning(store, cast):
    from store.test_store_workflow import drive

    drive(store, cast, "RR-1", "closed")                 # decided 2026-11-23, closed 2026-11-25
    sv.create_handover(store, cast.prac, _again("RR-2", "2027-08-02"), now=NOW)
    now = datetime(2027, 8, 3, 9, 0, tzinfo=timezone.utc)
    got = ops.previous_handovers(ops.Context(store, cast.prac, lambda: now), "RR-2")
    (prev,) = got.handovers
    assert (prev.case_id, prev.direction, prev.state, prev.ended) == ("RR-1", "step_down", "closed", "closed")
    assert prev.ended_on.isoformat() == "2026-11-25" and prev.return_reason is None
    (f,) = got.findings
    assert f.code == "re_referral" and f.severity == "warning" and f.path == "child"
    assert "had a step-down 8 months ago (handover RR-1), closed on Wed 25 Nov 2026" in f.message
    assert f.detail["case_id"] == "RR-1"
    assert [actor for actor, _ in _shown(store, "RR-2", elsewhere.PREVIOUS_ACTION)] == ["prac"]


def test_a_returned_handover_says_why(store, cast):
    from store.test_store_workflow import drive

    drive(store, cast, "RT-1", "sent")
    sv.move(store, cast.recv, "RT-1", "return", now=NOW, reason_code="missing_information", note="no chronology")
    sv.create_handover(store, cast.prac, _again("RT-2", "2027-03-01"), now=NOW)
    now = datetime(2027, 7, 26, 9, 0, tzinfo=timezone.utc)
    got = elsewhere.previous_handovers(store, cast.prac, "RT-2", now=now)
    (f,) = got.findings
    assert got.handovers[0].return_reason == "missing_information"
    assert "returned (information is missing from the handover)" in f.message


def test_no_re_referral_after_13_months(store, cast):
    from store.test_store_workflow import drive

    drive(store, cast, "OLD-1", "closed")
    sv.create_handover(store, cast.prac, _again("OLD-2", "2027-12-27"), now=NOW)
    got = elsewhere.previous_handovers(store, cast.prac, "OLD-2", now=datetime(2028, 1, 2, tzinfo=timezone.utc))
    assert [p.case_id for p in got.handovers] == ["OLD-1"] and got.findings == ()


def test_earlier_handovers_are_listed_only_when_they_may_be_opened(store, cast):
    sv.create_handover(store, cast.other_prac, _again("HID-1", "2026-06-01"), now=NOW)
    sv.create_handover(store, cast.prac, _again("HID-2", "2026-11-23"), now=NOW)
    assert elsewhere.previous_handovers(store, cast.prac, "HID-2", now=NOW).handovers == ()
    assert [p.case_id for p in elsewhere.previous_handovers(store, cast.mgr, "HID-2", now=NOW).handovers] == ["HID-1"]
    # known elsewhere still tells the practitioner the counts and codes (nothing new here: no finding)
    assert elsewhere.known_elsewhere(store, cast.prac, "HID-2", now=NOW) == []


def test_store_findings_are_added_to_the_stored_check(store, cast):
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    result = elsewhere.check_stored(store, cast.prac, "FAM-A", now=NOW)
    codes = [f.code for f in result.findings]
    assert "known_elsewhere" in codes
    plain = sv.get_handover(store, cast.prac, "FAM-A", now=NOW).case
    from handover.checks import check_case

    assert result.complete == check_case(plain, result.as_of).complete    # warnings only
    assert result.to_json()["findings"][-1]["severity"] == "warning"


# ================================================================ PostgreSQL: each person's own role


@pytest.mark.postgres
def test_on_postgres_people_learn_counts_through_the_function_only(council):  # noqa: F811
    c = council.contexts
    sv.create_handover(c["prac"].store, c["prac"].actor, family_a("PG-FAM-A"), now=NOW)
    sv.create_handover(c["other_prac"].store, c["other_prac"].actor, family_b("PG-FAM-B"), now=NOW)
    a, b = council.handover_id("PG-FAM-A"), council.handover_id("PG-FAM-B")

    (f,) = ops.known_elsewhere(c["prac"], "PG-FAM-A")
    assert f.detail == {"ref": SHARED_ADULT, "handovers": 1, "agency_types": ["housing"], "risk_factors": []}
    (g,) = ops.known_elsewhere(c["other_prac"], "PG-FAM-B")
    assert g.detail["agency_types"] == ["drug_alcohol_service", "police", "probation"]
    assert ops.known_elsewhere(c["admin"], "PG-FAM-A") == []

    with council.raw("other_prac") as conn:
        # the other family's people rows are not theirs to read …
        assert conn.execute("SELECT * FROM people WHERE handover_id = %s", (a,)).fetchall() == []
        # … the function answers for a handover they may open, with counts and codes only …
        rows = conn.execute("SELECT * FROM handover_access.known_elsewhere(%s)", (b,)).fetchall()
        assert [r[0] for r in rows] == [SHARED_ADULT] and rows[0][1] == 1
        assert len(rows[0]) == 4
        # … and nothing for one they may not
        assert conn.execute("SELECT * FROM handover_access.known_elsewhere(%s)", (a,)).fetchall() == []
    with council.raw("admin") as conn:
        assert conn.execute("SELECT * FROM handover_access.known_elsewhere(%s)", (a,)).fetchall() == []

    shown = _shown(c["mgr"].store, "PG-FAM-A")           # a manager reads who saw which match
    assert [actor for actor, _ in shown] == [council.name("prac")]
    assert json.loads(shown[0][1])["matches"][0]["agency_types"] == ["housing"]


@pytest.mark.postgres
def test_on_postgres_raw_sql_neither_plants_a_person_nor_looks_up_unseen(council):  # noqa: F811
    """A practitioner's raw SQL cannot add a made-up person to their own draft's index outside a save (the
    index is the current version's), and a look-up through the function is in the trail whoever makes it."""
    c = council.contexts
    sv.create_handover(c["prac"].store, c["prac"].actor, family_a("PG-RAW-A"), now=NOW)
    sv.create_handover(c["other_prac"].store, c["other_prac"].actor, family_b("PG-RAW-B"), now=NOW)
    b = council.handover_id("PG-RAW-B")
    with council.raw("other_prac") as conn:
        with pytest.raises(Exception) as e:
            conn.execute("INSERT INTO people (handover_id, ref, kind, moves, given_name, family_name, name_key, "
                         "dob, nhs_number, agency_types, risk_factors) VALUES (%s, 'g0', 'member', false, '', '', "
                         "'alextestcase', '1986-09-21', '', 'youth_justice', '19C')", (b,))
        assert "row-level security" in str(e.value)
    with council.raw("other_prac") as conn:
        rows = conn.execute("SELECT * FROM handover_access.known_elsewhere(%s)", (b,)).fetchall()
        assert rows
    queried = _shown(c["mgr"].store, "PG-RAW-B", "known_elsewhere_queried")
    assert [actor for actor, _ in queried] == [council.name("other_prac")]


def test_the_count_is_of_the_handovers_that_record_something_for_the_person(store, cast):
    """Alex is in family B (known to housing) and in two more handovers that record nothing for him: the
    finding says 1 other handover, not 3."""
    sv.create_handover(store, cast.prac, family_a(), now=NOW)
    sv.create_handover(store, cast.other_prac, family_b(), now=NOW)
    for n in (1, 2):
        quiet = family_b(f"FAM-Q{n}")
        quiet["household"][1].update(known_to=[], risk_factors=[])
        quiet["agencies"] = []
        for child in quiet["children"]:
            child["nhs_number"] = f"99900001{n}{len(child['given_name'])}"[:10]
        sv.create_handover(store, cast.other_prac, quiet, now=NOW)
    (f,) = _by_ref(elsewhere.known_elsewhere(store, cast.prac, "FAM-A", now=NOW)).values()
    assert f.detail["handovers"] == 1 and "1 other handover" in f.message

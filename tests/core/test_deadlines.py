"""Working days and deadlines across weekends and bank holidays (SPEC.md section 4)."""

from datetime import date

import pytest

from handover.calendar import WorkingCalendar
from handover.deadlines import compute_deadlines
from handover.protocol import ProtocolError, default_protocol, load_protocol, parse_protocol

EW = WorkingCalendar("england_wales")


@pytest.mark.parametrize("start,n,due", [
    (date(2026, 11, 20), 1, date(2026, 11, 23)),   # Friday + 1 → Monday
    (date(2026, 11, 21), 1, date(2026, 11, 23)),   # Saturday start: the first working day after it
    (date(2026, 4, 2), 1, date(2026, 4, 7)),       # Thursday before Easter: Good Friday and Easter Monday skipped
    (date(2026, 12, 24), 1, date(2026, 12, 29)),   # Christmas Day (Fri) and Boxing Day substitute (Mon 28th)
    (date(2026, 12, 23), 5, date(2027, 1, 4)),     # over Christmas and New Year's Day
    (date(2026, 5, 1), 1, date(2026, 5, 5)),       # early May bank holiday (Mon 4th)
    (date(2026, 11, 23), 0, date(2026, 11, 23)),
])
def test_add_working_days_england(start, n, due):
    assert EW.add_working_days(start, n) == due


def test_scotland_has_2_january_and_no_easter_monday():
    sc = WorkingCalendar("scotland")
    assert not sc.is_working_day(date(2026, 1, 2))
    assert EW.is_working_day(date(2026, 1, 2))
    assert sc.is_working_day(date(2026, 4, 6)) and not EW.is_working_day(date(2026, 4, 6))


def test_northern_ireland_has_st_patricks_day():
    assert not WorkingCalendar("northern_ireland").is_working_day(date(2026, 3, 17))
    assert EW.is_working_day(date(2026, 3, 17))


def test_working_days_between_counts_after_up_to_inclusive():
    assert EW.working_days_between(date(2026, 4, 9), date(2026, 4, 20)) == 7
    assert EW.working_days_between(date(2026, 4, 20), date(2026, 4, 9)) == 0


def _step_down(decision=None, **events):
    case = {"direction": "step_down", "transition": {"decision_date": decision},
            "plan": {"lead_professional": {"agreed_date": events.pop("agreed", None)},
                     "handover_meeting": {"held_date": events.pop("held", None)}},
            "events": events}
    return case


def by_rule(case, as_of, protocol=None):
    return {d.rule: d for d in compute_deadlines(case, as_of, protocol)}


def test_statuses():
    # decision Wed 16 Dec 2026: +5 working days skips Christmas (25th) and the Boxing Day substitute (28th)
    case = _step_down("2026-12-16", agreed="2026-12-23", pack_sent="2026-12-30", held=None)
    d = by_rule(case, date(2027, 1, 4))
    assert d["lead_professional_agreed"].due == date(2026, 12, 23)
    assert d["lead_professional_agreed"].status == "met"
    assert d["pack_sent"].status == "late" and d["pack_sent"].working_days_overdue == 3   # 24th, 29th, 30th
    assert d["handover_meeting"].due == date(2027, 1, 4) and d["handover_meeting"].status == "due"
    assert d["acknowledged"].starts == date(2026, 12, 30) and d["acknowledged"].due == date(2027, 1, 4)
    d = by_rule(case, date(2027, 1, 6))
    assert d["handover_meeting"].status == "overdue" and d["handover_meeting"].working_days_overdue == 2


def test_not_started_without_a_start_date():
    d = by_rule(_step_down(None), date(2026, 11, 20))
    assert {x.status for x in d.values()} == {"not_started"}
    assert all(x.due is None and x.working_days_overdue == 0 for x in d.values())


def test_invalid_start_date_means_not_started():
    d = by_rule(_step_down("2026-02-30"), date(2026, 11, 20))
    assert d["pack_sent"].status == "not_started"


def test_basis_says_statutory_or_local():
    su = compute_deadlines({"direction": "step_up", "transition": {"referral_date": "2026-04-02"}}, date(2026, 4, 2))
    assert all(d.basis.startswith("statutory") for d in su)
    sd = compute_deadlines(_step_down("2026-10-05"), date(2026, 10, 5))
    assert all(d.basis.startswith("local") for d in sd)


def test_protocol_change_changes_deadlines():
    p = default_protocol().replace_days("step_down", "pack_sent", 10)
    d = by_rule(_step_down("2026-10-05"), date(2026, 10, 5), p)
    assert d["pack_sent"].due == date(2026, 10, 19)


def test_protocol_region_scotland(tmp_path):
    raw = default_protocol().to_dict()
    raw["region"] = "scotland"
    p = parse_protocol(raw)
    d = {x.rule: x for x in compute_deadlines({"direction": "step_up", "transition": {"referral_date": "2027-01-01"}},
                                              date(2027, 1, 1), p)}
    assert d["csc_decision"].due == date(2027, 1, 5)   # 1 Jan (Fri) and 4 Jan (2 Jan substitute) are holidays
    d = {x.rule: x for x in compute_deadlines({"direction": "step_up", "transition": {"referral_date": "2027-01-01"}},
                                              date(2027, 1, 1))}
    assert d["csc_decision"].due == date(2027, 1, 4)


@pytest.mark.parametrize("text,words", [
    ("rules: {step_down: [{rule: pack_sent, working_days: -1, basis: local}]}", "whole number"),
    ("rules: {step_down: [{rule: pack_snet, working_days: 5, basis: local}]}", "unknown rule 'pack_snet'"),
    ("rules: {step_down: [{rule: pack_sent, working_days: 5}]}", "needs a 'basis'"),
    ("region: wales\nrules: {}", "region 'wales'"),
    ("rules: {step_down: [{rule: pack_sent, working_days: 5, basis: x, starts: events.pack_sent}]}", "only working_days"),
    ("rulez: {}", "unknown key 'rulez'"),
    ("{{{", "not valid YAML"),
])
def test_bad_protocol_is_refused(tmp_path, text, words):
    p = tmp_path / "protocol.yaml"
    p.write_text(text)
    with pytest.raises(ProtocolError, match=words):
        load_protocol(p)

"""The agency network: who holds information, who is likely, who was checked, who was told.

These are the gaps safeguarding reviews keep finding: an agency that knows the family is not known to
the lead professional, or is never told that the case has moved, or is never asked (SPEC.md section 7:
the network is only known once each agency has been asked). The case is read as handover-case/2: every
child's and household member's age and risk factors make agencies likely, and a request answered
"holds information" or a checklist answer "involved" puts an agency among those that hold information.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

from dateutil.relativedelta import relativedelta

from handover.case import get_path
from handover.checks import Context, Finding
from handover.dates import parse_iso, spoken_text
from handover.vocab import AGENCY_TYPES, vocab

__all__ = ["run", "network_types", "information_holders", "expected_agencies", "AgencyNeed", "requests"]


def _when(value: Any) -> str:
    """A chronology entry's date as a message says it ("Thu 3 Sep 2026"); as written when it is no date."""
    if not isinstance(value, str) or not value.strip():
        return "an undated entry"
    return spoken_text(value)


def _agencies(case: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    items = case.get("agencies") or []
    return [(i, a) for i, a in enumerate(items) if isinstance(a, dict)]


def network_types(case: dict[str, Any]) -> set[str]:
    """Agency types in the network, plus the two services making the transition."""
    types = {a.get("type") for _, a in _agencies(case) if isinstance(a.get("type"), str)}
    return types | set(vocab().transition_services)


def _label(agency_type: str) -> str:
    return vocab().label("agency_types", agency_type)


def requests(case: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The requests for information that are objects, with their index."""
    items = case.get("information_requests")
    return [(i, r) for i, r in enumerate(items) if isinstance(r, dict)] if isinstance(items, list) else []


def _outcome(request: dict[str, Any]) -> Any:
    response = request.get("response")
    return response.get("outcome") if isinstance(response, dict) else None


def information_holders(case: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Agency type → where the case says it holds information: [(path, what)], in case order: household
    members' ``known_to``, chronology sources, requests answered "holds information", and agencies the
    checklist marks involved."""
    out: dict[str, list[tuple[str, str]]] = {}
    for i, m in enumerate(case.get("household") or []):
        if not isinstance(m, dict):
            continue
        name = m.get("name") if isinstance(m.get("name"), str) and m.get("name") else f"household member {i + 1}"
        for j, t in enumerate(m.get("known_to") or []):
            if isinstance(t, str) and t in AGENCY_TYPES:
                out.setdefault(t, []).append((f"household[{i}].known_to[{j}]", f"{name} is known to them"))
    for i, e in enumerate(case.get("chronology") or []):
        if not isinstance(e, dict):
            continue
        t = e.get("source")
        if isinstance(t, str) and t in AGENCY_TYPES:
            when = _when(e.get("date"))
            out.setdefault(t, []).append((f"chronology[{i}].source", f"the chronology has an entry from them ({when})"))
    for i, r in requests(case):
        t = r.get("agency_type")
        if isinstance(t, str) and t in AGENCY_TYPES and _outcome(r) == "holds_information":
            out.setdefault(t, []).append((f"information_requests[{i}].response.outcome",
                                          "they answered a request for information saying they hold information"))
    for t, answer in _checks(case).items():
        if t in AGENCY_TYPES and answer == "involved":
            out.setdefault(t, []).append((f"agency_checks.{t}", "the agency checklist marks them involved"))
    return out


def markable_not_involved(case: dict[str, Any]) -> list[str]:
    """The agency types the checklist's "mark every remaining agency not involved" may mark: not answered
    yet, and nothing in the case says they are involved (in the network, a household member's known-to, a
    chronology source, a request answered "holds information") — nor the two services making the
    transition. The others must be answered one by one."""
    answered = _checks(case)
    holders = network_types(case) | set(information_holders(case))
    return [a for a in AGENCY_TYPES if answered.get(a, "not_checked") == "not_checked" and a not in holders]


@dataclass(frozen=True)
class AgencyNeed:
    agency_type: str
    because: tuple[str, ...]  #: plain-English reasons
    codes: tuple[str, ...]    #: the risk factors behind it (empty for age)
    refs: tuple[str, ...] = ()  #: the people it comes from (children first; none for the family's own factors)


def _age_on(dob: date, on: date) -> int:
    return relativedelta(on, dob).years


def _codes(values: Any) -> set[str]:
    return {c for c in values if isinstance(c, str)} if isinstance(values, list) else set()


def _sources(case: dict[str, Any], on: date) -> list[tuple[str | None, set[str], int | None]]:
    """(ref, risk factors, age on ``on``) of the family as a whole (no ref), each child and each household
    member: what makes agencies likely."""
    out: list[tuple[str | None, set[str], int | None]] = [(None, _codes(get_path(case, "needs_and_risks.risk_factors",
                                                                                   None)), None)]
    for key in ("children", "household"):
        items = case.get(key)
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            ref = item.get("ref") if isinstance(item.get("ref"), str) else None
            dob = parse_iso(item.get("date_of_birth"))
            age = _age_on(dob, on) if dob and dob <= on else None
            out.append((ref, _codes(item.get("risk_factors")), age))
    return out


def expected_agencies(case: dict[str, Any], as_of: date) -> dict[str, AgencyNeed]:
    """Agencies the risk factors or the ages of the family make likely, whatever the network holds
    (``case`` as handover-case/2: see :func:`handover.family.view`)."""
    rules = vocab().expected_agencies
    on = parse_iso(get_path(case, "transition.decision_date", None)) or as_of
    sources = _sources(case, on)
    codes = set().union(*(c for _, c, _ in sources))
    reasons: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for r in rules["by_risk_factor"]:
        wanted = {str(c) for c in r["codes"]}
        hit = sorted(codes & wanted)
        if hit:
            refs = [ref for ref, c, _ in sources if ref and c & wanted]
            for a in r["agencies"]:
                because, cs, rs = reasons.setdefault(a, ([], [], []))
                because.append(r["because"])
                cs.extend(hit)
                rs.extend(refs)
    for r in rules["by_age"]:
        refs = [ref for ref, _, age in sources if ref and age is not None and r["from"] <= age < r["below"]]
        if refs:
            for a in r["agencies"]:
                because, _, rs = reasons.setdefault(a, ([], [], []))
                because.append(r["because"])
                rs.extend(refs)
    return {a: AgencyNeed(a, tuple(dict.fromkeys(b)), tuple(dict.fromkeys(c)), tuple(dict.fromkeys(rs)))
            for a, (b, c, rs) in reasons.items()}


def _checks(case: dict[str, Any]) -> dict[str, Any]:
    checks = case.get("agency_checks")
    return checks if isinstance(checks, dict) else {}


def _meeting_date(case: dict[str, Any]) -> date | None:
    return (parse_iso(get_path(case, "plan.handover_meeting.held_date", None))
            or parse_iso(get_path(case, "plan.handover_meeting.planned_date", None)))


def run(ctx: Context) -> Iterator[Finding]:
    case = ctx.case
    present = network_types(case)

    for agency_type, places in information_holders(case).items():
        if agency_type in present:
            continue
        what = "; ".join(dict.fromkeys(w for _, w in places))
        yield Finding("agency_missing", places[0][0],
                      f"Add {_label(agency_type)} to the agency network: {what}. An agency that holds information "
                      "about the family must be part of the handover.",
                      {"agency_type": agency_type, "found_at": [p for p, _ in places]})

    checks = _checks(case)
    nothing_held = {r.get("agency_type") for _, r in requests(case) if _outcome(r) == "nothing_held"}
    for agency_type, need in expected_agencies(case, ctx.as_of).items():
        if agency_type in present:
            continue
        because = " and ".join(need.because)
        detail = {"agency_type": agency_type, "because": list(need.because), "risk_factors": list(need.codes),
                  "ref": need.refs[0] if need.refs else None, "refs": list(need.refs)}
        if checks.get(agency_type) != "not_involved":
            yield Finding("agency_expected", f"agency_checks.{agency_type}",
                          f"{_label(agency_type)} is likely to be involved because of {because}: add it to the agency "
                          "network, or mark it “Not involved” in the checklist once you have checked.", detail)
        elif agency_type not in nothing_held:
            yield Finding("agency_check_unevidenced", f"agency_checks.{agency_type}",
                          f"{_label(agency_type)} is marked “Not involved”, but {because} make it likely to know "
                          "the family, and no request to it was answered “Nothing held”. Ask it, and record its "
                          "answer as a request for information.", detail)

    for agency_type in AGENCY_TYPES:
        if checks.get(agency_type, "not_checked") in ("not_checked", None, ""):
            yield Finding("agency_not_checked", f"agency_checks.{agency_type}",
                          f"Check whether {_label(agency_type)} is involved with the child or the household, and "
                          "record the answer in the agency checklist.", {"agency_type": agency_type})

    meeting = _meeting_date(case)
    for i, a in _agencies(case):
        if a.get("continues_involvement") is not True:
            continue
        informed = parse_iso(a.get("informed_date"))
        name = a.get("name") if isinstance(a.get("name"), str) and a.get("name") else _label(str(a.get("type")))
        if informed is None or (meeting is not None and informed > meeting):
            late = informed is not None
            msg = (f"{name} continues to be involved but was told of the transition only after the handover "
                   "meeting. Tell agencies before the meeting, and record the date."
                   if late else
                   f"{name} continues to be involved but there is no record of telling them of the transition. "
                   "Tell them before the handover meeting, and record the date.")
            yield Finding("agency_not_informed", f"agencies[{i}].informed_date", msg,
                          {"agency_type": a.get("type"), "name": name,
                           "meeting_date": meeting.isoformat() if meeting else None,
                           "informed_date": informed.isoformat() if informed else None})

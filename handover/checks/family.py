"""The family as the unit (SPEC.md section 7.2): every child of the household in the handover, each moving
child identifiable by health services, and every declined request followed up.

Rapid Review K: the handover was about a toddler while her older brother, who lived with her, showed
signs of criminal exploitation. A child who lives with the family is part of the handover whether or
not their own case moves.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator

from dateutil.relativedelta import relativedelta

from handover.case import get_path
from handover.checks import Context, Finding
from handover.checks.agencies import requests
from handover.dates import is_blank, parse_iso
from handover.family import name_key
from handover.vocab import vocab

__all__ = ["run", "ADULT_AGE"]

#: a household member younger than this on the decision date is a child of the family
ADULT_AGE = 18


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _child_name(child: dict[str, Any]) -> str:
    return " ".join(p for p in (_text(child.get("given_name")), _text(child.get("family_name"))) if p)


def _listed(member: dict[str, Any], children: list[dict[str, Any]]) -> bool:
    """Whether a household member is one of ``children`` written twice (same name, and the same date of
    birth when both have one)."""
    key = name_key(member.get("name"))
    if not key:
        return False
    dob = parse_iso(member.get("date_of_birth"))
    for c in children:
        if name_key(_child_name(c)) == key:
            other = parse_iso(c.get("date_of_birth"))
            if dob is None or other is None or dob == other:
                return True
    return False


def _not_listed(ctx: Context, children: list[dict[str, Any]]) -> Iterator[Finding]:
    case = ctx.case
    on = parse_iso(get_path(case, "transition.decision_date", None)) or ctx.as_of
    for i, m in enumerate(case.get("household") or []):
        if not isinstance(m, dict) or m.get("lives_with_child") is not True:
            continue
        dob = parse_iso(m.get("date_of_birth"))
        if dob is None:
            continue
        if dob > on:
            # born after the decision: a baby of the household, once born by the date of the check
            if dob > ctx.as_of:
                continue
            age = 0
        else:
            age = relativedelta(on, dob).years
        if age >= ADULT_AGE or _listed(m, children):
            continue
        name = _text(m.get("name")) or f"household member {i + 1}"
        years = "under a year old" if age == 0 else f"{age}"
        yield Finding("child_in_household_not_listed", f"household[{i}]",
                      f"{name} is {years} and lives with the family, but is not one of the children of this "
                      "handover. Add them to the children, with “moves” set to no and the reason if their own "
                      "case is not moving.",
                      {"name": name, "ref": m.get("ref"), "age": age, "date_of_birth": dob.isoformat(),
                       "on": on.isoformat()})


def _nhs_numbers(children: list[tuple[int, dict[str, Any]]], several: bool) -> Iterator[Finding]:
    for i, c in children:
        if c.get("moves") is True and is_blank(c.get("nhs_number")):
            whose = f"{_text(c.get('given_name')) or f'child {i + 1}'}'s" if several else "the child's"
            yield Finding("nhs_number_missing", f"children[{i}].nhs_number",
                          f"Add {whose} NHS number (from the GP record or a health letter): it is the identifier "
                          "agencies match their records on.",
                          {"ref": c.get("ref"), "name": _child_name(c)})


def _followed_up(case: dict[str, Any], agency_type: Any, answered: date | None) -> bool:
    """Whether a sharing decision about ``agency_type`` was recorded on or after the day it declined."""
    items = case.get("sharing_decisions")
    for d in items if isinstance(items, list) else ():
        if isinstance(d, dict) and d.get("agency_type") == agency_type:
            when = parse_iso(d.get("date"))
            if answered is None or when is None or when >= answered:
                return True
    return False


def _declined(ctx: Context) -> Iterator[Finding]:
    case = ctx.case
    for i, r in requests(case):
        response = r.get("response")
        if not isinstance(response, dict) or response.get("outcome") != "declined":
            continue
        answered = parse_iso(response.get("date"))
        if _followed_up(case, r.get("agency_type"), answered):
            continue
        agency = _text(r.get("agency_name")) or vocab().label("agency_types", r.get("agency_type"))
        yield Finding("request_declined", f"information_requests[{i}].response.outcome",
                      f"{agency} declined the request for information. Record in the sharing decisions how it was "
                      "followed up: the duty to share information for safeguarding applies to them too.",
                      {"agency_type": r.get("agency_type"), "agency_name": _text(r.get("agency_name")),
                       "date": answered.isoformat() if answered else None})


def run(ctx: Context) -> Iterator[Finding]:
    items = ctx.case.get("children")
    children = [(i, c) for i, c in enumerate(items) if isinstance(c, dict)] if isinstance(items, list) else []
    yield from _not_listed(ctx, [c for _, c in children])
    yield from _nhs_numbers(children, len(children) > 1)
    yield from _declined(ctx)

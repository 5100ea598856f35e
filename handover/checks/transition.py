"""The transition itself: a step-down straight from child protection, recent changes in the household."""

from __future__ import annotations

from typing import Iterator

from dateutil.relativedelta import relativedelta

from handover.case import get_path
from handover.checks import Context, Finding
from handover.dates import parse_iso, spoken

__all__ = ["run", "HOUSEHOLD_CHANGE_MONTHS"]

HOUSEHOLD_CHANGE_MONTHS = 6


def _given(child: dict, i: int) -> str:
    given = child.get("given_name")
    return given.strip() if isinstance(given, str) and given.strip() else f"child {i + 1}"


def run(ctx: Context) -> Iterator[Finding]:
    case = ctx.case
    children = case.get("children") if isinstance(case.get("children"), list) else []
    if case.get("direction") == "step_down":
        for i, child in enumerate(children):
            # each child's own plan (SPEC.md section 7.1); a child whose case is not moving is not stepping down
            if isinstance(child, dict) and child.get("moves") is not False \
                    and child.get("current_plan") == "child_protection":
                who = "This" if len(children) == 1 else f"For {_given(child, i)}, this"
                yield Finding("step_down_from_cp", f"children[{i}].current_plan",
                              f"{who} is a step-down straight from a child protection plan. Confirm the plan ended "
                              "at a review child protection conference, and record the conference date in the "
                              "reason.", {"current_plan": "child_protection"})

    decision = parse_iso(get_path(case, "transition.decision_date", None))
    reference = decision or ctx.as_of
    since = reference - relativedelta(months=HOUSEHOLD_CHANGE_MONTHS)
    # A change after the decision (up to the as-of date) matters at least as much as one before it:
    # a new adult moving in while the case moves is the gap reviews find.
    until = max(reference, ctx.as_of)
    for i, m in enumerate(case.get("household") or []):
        if not isinstance(m, dict):
            continue
        name = m.get("name") if isinstance(m.get("name"), str) and m.get("name") else f"household member {i + 1}"
        for key, verb in (("joined_household", "joined"), ("left_household", "left")):
            d = parse_iso(m.get(key))
            if d and since <= d <= until:
                yield Finding("household_change", f"household[{i}].{key}",
                              f"{name} {verb} the household on {spoken(d)}, within {HOUSEHOLD_CHANGE_MONTHS} "
                              "months of the decision. Say in the handover how this change was assessed and what "
                              "checks were made on them.",
                              {"name": name, "change": verb, "date": d.isoformat(),
                               "reference_date": reference.isoformat()})

"""The transition itself: a step-down straight from child protection, recent changes in the household."""

from __future__ import annotations

from typing import Iterator

from dateutil.relativedelta import relativedelta

from handover.case import get_path
from handover.checks import Context, Finding
from handover.dates import parse_iso

__all__ = ["run", "HOUSEHOLD_CHANGE_MONTHS"]

HOUSEHOLD_CHANGE_MONTHS = 6


def run(ctx: Context) -> Iterator[Finding]:
    case = ctx.case
    if case.get("direction") == "step_down" and get_path(case, "transition.current_plan", None) == "child_protection":
        yield Finding("step_down_from_cp", "transition.current_plan",
                      "This is a step-down straight from a child protection plan. Confirm the plan ended at a "
                      "review child protection conference, and record the conference date in the reason.",
                      {"current_plan": "child_protection"})

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
                              f"{name} {verb} the household on {d.isoformat()}, within {HOUSEHOLD_CHANGE_MONTHS} "
                              "months of the decision. Say in the handover how this change was assessed and what "
                              "checks were made on them.",
                              {"name": name, "change": verb, "date": d.isoformat(),
                               "reference_date": reference.isoformat()})

"""Checks: one case and an as-of date → findings and deadlines (SPEC.md sections 4 and 7.2). Same input,
same output.

Each family of rules is a module returning :class:`Finding` objects; :func:`check_case` runs them all.
The app, the CLI and the pack call :func:`check_case` and nothing else, so they always agree.

There is one set of rules, written for ``handover-case/2``. A /1 document is checked as the /2 document
it upgrades to (:func:`handover.family.view`), walking the form of a family
(:func:`handover.family.family_form`), and each finding's path is then mapped back to where it is in the
/1 document (``children[0].nhs_number`` → ``child.nhs_number``), which is what the editor shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from handover.deadlines import Deadline, compute_deadlines
from handover.forms import Form, form_for
from handover.protocol import Protocol

__all__ = ["Finding", "CheckResult", "CODES", "check_case", "Context"]

#: every finding code with its severity (SPEC.md section 4)
CODES: dict[str, str] = {
    "required": "error",
    "invalid_value": "error",
    "invalid_date": "error",
    "date_order": "error",
    "future_date": "error",
    "nhs_number_invalid": "error",
    "upn_invalid": "error",
    "step_down_from_cp": "warning",
    "postcode_invalid": "warning",
    "sharing_basis_missing": "error",
    "agency_missing": "error",
    "agency_expected": "warning",
    "agency_not_checked": "warning",
    "agency_not_informed": "error",
    "household_change": "warning",
    "child_voice_missing": "error",
    "sign_off_missing": "error",
    "overdue": "error",
    "late": "warning",
    # handover-case/2 (SPEC.md section 7.2)
    "child_in_household_not_listed": "error",
    "agency_check_unevidenced": "warning",
    "request_declined": "warning",
    "nhs_number_missing": "warning",
}


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return CODES[self.code]

    @property
    def is_error(self) -> bool:
        return CODES[self.code] == "error"

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "path": self.path, "message": self.message,
                "detail": self.detail}


@dataclass(frozen=True)
class Context:
    """What every rule may read: the case (always as /2), its form (the form of a family), the as-of date
    and the deadlines."""

    case: dict[str, Any]
    form: Form
    as_of: date
    deadlines: tuple[Deadline, ...]
    slots: tuple[Any, ...] = ()   #: every field at every place in the case (walked once, see checks.walk)
    people: tuple[Any, ...] = ()  #: every child and household member with a ref (handover.family.Person)
    refs: frozenset[str] = frozenset()
    when_not_moving: frozenset[str] = frozenset()  #: what a child who does not move still needs


@dataclass(frozen=True)
class CheckResult:
    case_id: str
    direction: str
    as_of: date
    findings: tuple[Finding, ...]
    deadlines: tuple[Deadline, ...]
    family: bool = False    #: the document is handover-case/2 (its paths are /2 paths)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.is_error)

    @property
    def complete(self) -> bool:
        return not self.errors

    def by_section(self) -> list[tuple[str, str, list[Finding]]]:
        """Findings grouped by form section, in form order: (section id, title, findings)."""
        form = form_for({"direction": self.direction})
        if self.family:
            from handover.family import family_form

            form = family_form(form).form
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            s = form.section_of(f.path)
            groups.setdefault(s.id if s else "other", []).append(f)
        out = [(s.id, s.title, groups[s.id]) for s in form.sections if s.id in groups]
        if "other" in groups:
            out.append(("other", "Other", groups["other"]))
        return out

    def to_json(self) -> dict[str, Any]:
        return {"id": self.case_id, "direction": self.direction, "as_of": self.as_of.isoformat(),
                "complete": self.complete, "findings": [f.to_json() for f in self.findings],
                "deadlines": [d.to_json() for d in self.deadlines]}


def check_case(case: dict[str, Any], as_of: date, protocol: Protocol | None = None) -> CheckResult:
    """Every finding and deadline for a parsed case, /1 or /2 (see :func:`handover.case.parse_case`).

    A /1 case's findings point at its own paths (``child.X``, ``transition.current_plan``,
    ``child_voice.X``); a /2 case's at ``children[i].X``."""
    from handover.checks import agencies, completeness, consent, family, timeliness, transition, validity
    from handover.checks.walk import walk
    from handover.family import family_form, is_v2, map_detail, people, to_v1_path, view

    v2 = is_v2(case)
    doc = view(case)
    form = form_for(case)
    ff = family_form(form)
    deadlines = tuple(compute_deadlines(doc, as_of, protocol))
    slots = tuple(walk(ff.form, doc))
    if not v2:
        # the child's fields read in messages as the /1 form's sections name them ("The child")
        titles = ff.v1_titles
        slots = tuple(replace(s, where=titles.get(s.path[len("children[0]."):], s.where))
                      if s.path.startswith("children[0].") else s for s in slots)
    everyone = tuple(people(doc))
    ctx = Context(case=doc, form=ff.form, as_of=as_of, deadlines=deadlines, slots=slots, people=everyone,
                  refs=frozenset(p.ref for p in everyone), when_not_moving=ff.when_not_moving)
    findings: list[Finding] = []
    for module in (validity, completeness, transition, family, agencies, consent, timeliness):
        findings.extend(module.run(ctx))
    if not v2:
        findings = [f if not _has_v2_path(f) else
                    Finding(f.code, to_v1_path(f.path), f.message, map_detail(f.detail)) for f in findings]
    direction = case.get("direction")
    return CheckResult(case_id=str(case.get("id", "")), direction=direction if isinstance(direction, str) else "",
                       as_of=as_of, findings=tuple(findings), deadlines=deadlines, family=v2)


def _has_v2_path(f: Finding) -> bool:
    return f.path.startswith("children") or any(
        (isinstance(v, str) and v.startswith("children"))
        or (isinstance(v, list) and any(isinstance(x, str) and x.startswith("children") for x in v))
        for v in f.detail.values())


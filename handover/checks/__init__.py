"""Checks: one case and an as-of date → findings and deadlines (SPEC.md section 4). Same input, same output.

Each family of rules is a module returning :class:`Finding` objects; :func:`check_case` runs them all.
The app, the CLI and the pack call :func:`check_case` and nothing else, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """What every rule may read: the case, its form, the as-of date and the deadlines."""

    case: dict[str, Any]
    form: Form
    as_of: date
    deadlines: tuple[Deadline, ...]
    slots: tuple[Any, ...] = ()   #: every field at every place in the case (walked once, see checks.walk)


@dataclass(frozen=True)
class CheckResult:
    case_id: str
    direction: str
    as_of: date
    findings: tuple[Finding, ...]
    deadlines: tuple[Deadline, ...]

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
    """Every finding and deadline for a parsed case (see :func:`handover.case.parse_case`)."""
    from handover.checks import agencies, completeness, consent, timeliness, transition, validity

    form = form_for(case)
    deadlines = tuple(compute_deadlines(case, as_of, protocol))
    from handover.checks.walk import walk

    ctx = Context(case=case, form=form, as_of=as_of, deadlines=deadlines, slots=tuple(walk(form, case)))
    findings: list[Finding] = []
    for module in (validity, completeness, transition, agencies, consent, timeliness):
        findings.extend(module.run(ctx))
    direction = case.get("direction")
    return CheckResult(case_id=str(case.get("id", "")), direction=direction if isinstance(direction, str) else "",
                       as_of=as_of, findings=tuple(findings), deadlines=deadlines)

"""What the task list says about each section. Presentation only: the findings come from the checks.

- *Not started*: nothing in the section has been filled in (and nothing in it is wrong): nobody has
  looked at it yet.
- *In progress*: something is filled in, but required answers are still empty.
- *Needs attention (N)*: N answers are wrong or missing something the checks object to beyond a blank
  (an impossible date, an agency missing from the network, an overdue deadline...).
- *Complete*: no errors. Warnings never block a section; they are counted beside the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handover.case import get_path
from handover.dates import is_blank
from handover.forms import Field, Section

if TYPE_CHECKING:
    from handover.checks import Finding

__all__ = ["SectionStatus", "section_status", "section_touched", "BLANK_CODES"]

#: findings that only say "this is still empty"
BLANK_CODES = frozenset({"required", "child_voice_missing", "sign_off_missing"})


@dataclass(frozen=True)
class SectionStatus:
    kind: str        #: not_started | in_progress | attention | complete (an icon name)
    words: str       #: what the task list says
    errors: int
    warnings: int

    @property
    def detail(self) -> str:
        if not self.warnings:
            return self.words
        return f"{self.words} · {self.warnings} warning{'s' if self.warnings != 1 else ''}"


def _filled(f: Field, value: Any) -> bool:
    if f.type == "agency_checklist":
        return isinstance(value, dict) and any(v not in (None, "", "not_checked") for v in value.values())
    return not is_blank(value)


def section_touched(section: Section, case: dict[str, Any]) -> bool:
    """Whether any field of the section holds an answer."""
    return any(_filled(f, get_path(case, f.key, None)) for f in section.fields)


def section_status(findings: list["Finding"], touched: bool) -> SectionStatus:
    errors = [f for f in findings if f.is_error]
    warnings = len(findings) - len(errors)
    problems = [f for f in errors if f.code not in BLANK_CODES]
    if problems:
        return SectionStatus("attention", f"Needs attention ({len(problems)})", len(errors), warnings)
    if not touched:
        return SectionStatus("not_started", "Not started", len(errors), 0)   # warnings wait too
    if errors:
        return SectionStatus("in_progress", "In progress", len(errors), warnings)
    return SectionStatus("complete", "Complete", 0, warnings)

"""A handover's answers as people read them, section by section: the "Check your answers" page.

Built from the form definition (like the editor and the pack) and worded by the pack's own
:func:`handover.pack.sections.format_value`, so the page a practitioner checks before requesting
authorisation reads exactly as the pack will. Each answer carries the path of what it shows, for the
page's *Change* link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handover.case import get_path
from handover.checks.walk import condition_holds, entry_name
from handover.dates import is_blank
from handover.family import family_form, form_of, is_v2
from handover.forms import Field, Form, form_for

__all__ = ["Answer", "SectionAnswers", "answers", "NOT_ANSWERED"]

#: what an unanswered question says (GOV.UK: say it, don't leave a blank)
NOT_ANSWERED = "Not answered"
#: a long answer is cut here on the page (the pack and the editor show all of it)
_MAX_CHARS = 400


@dataclass(frozen=True)
class Answer:
    label: str        #: the question ("Date of birth"), or for a list entry its list and name
    text: str         #: the answer as the pack words it; "" when unanswered
    path: str         #: where the *Change* link goes

    @property
    def answered(self) -> bool:
        return bool(self.text)


@dataclass(frozen=True)
class SectionAnswers:
    id: str
    title: str
    answers: tuple[Answer, ...]


def _short(text: str) -> str:
    text = " ".join(text.split()) if len(text) > _MAX_CHARS else text
    return text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS - 1].rstrip() + "…"


def _child_answers(f: Field, i: int, child: dict[str, Any], ctx: Any, format_value: Any,
                   when_not_moving: frozenset[str]) -> list[Answer]:
    """A child of a family, question by question ("Kara: The child's views"), each with its own *Change*:
    a child's plan and voice are read in full before authorising, not cut into one line. A child whose
    case does not move is asked only who they are and why."""
    name = entry_name(f, i, child).split(", ", 1)[-1]
    stays = child.get("moves") is False
    out = []
    for sub in f.fields:
        if sub.key == "ref" or sub.type == "list" or (stays and sub.key not in when_not_moving):
            continue
        if sub.reveal and is_blank(get_path(child, sub.key)) and not (
                sub.required_when is not None and condition_holds(sub.required_when, ctx.case, child)):
            continue    # a question only some are asked, and this child is not: no row (a missing one shows)
        out.append(Answer(f"{name}: {sub.label}", _short(format_value(sub, get_path(child, sub.key), ctx)),
                          f"{f.key}[{i}].{sub.key}"))
    return out


def _entry_text(f: Field, entry: dict[str, Any], ctx: Any, format_value: Any) -> str:
    parts = []
    for sub in f.fields:
        if sub.key == f.item_label or sub.type == "list":
            continue
        text = format_value(sub, get_path(entry, sub.key), ctx)
        if text:
            parts.append(f"{sub.label}: {text}")
    return _short("; ".join(parts))


def answers(case: dict[str, Any], form: Form | None = None) -> list[SectionAnswers]:
    """Every section of ``case``'s form with each question's answer (lists: one answer per entry)."""
    from handover.pack.sections import RenderContext, format_value

    form = form or form_of(case)
    fam = family_form(form_for(case)) if is_v2(case) else None
    ctx = RenderContext(case=case, family_copy=False, width=0.0, form=form)
    out = []
    for s in form.sections:
        rows: list[Answer] = []
        for f in s.fields:
            value = get_path(case, f.key)
            if f.is_list:
                items = [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []
                if not items:
                    rows.append(Answer(f.label, "", f.key))
                for i, item in enumerate(items):
                    if f.key == fam.children_key if fam is not None else False:
                        rows.extend(_child_answers(f, i, item, ctx, format_value, fam.when_not_moving))
                        continue
                    rows.append(Answer(entry_name(f, i, item), _entry_text(f, item, ctx, format_value) or "Added",
                                       f"{f.key}[{i}]"))
            else:
                rows.append(Answer(f.label, _short(format_value(f, value, ctx)), f.key))
        out.append(SectionAnswers(s.id, s.title, tuple(rows)))
    return out

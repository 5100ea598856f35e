"""Walking a case along its form: every field definition with each concrete path and value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from handover.case import MISSING, get_path
from handover.dates import is_blank, spoken_text
from handover.forms import Condition, Field, Form

__all__ = ["Slot", "walk", "condition_holds", "entry_name"]


@dataclass(frozen=True)
class Slot:
    """One field at one place in the case."""

    field: Field
    path: str                 #: concrete path, e.g. ``household[1].name``
    value: Any                #: MISSING when the key is absent
    entry: dict[str, Any] | None  #: the list entry the field sits in (None at top level)
    where: str                #: who or what the entry is, for messages ("Household: Sam Doe")


def entry_name(list_field: Field, index: int, entry: dict[str, Any]) -> str:
    label = entry.get(list_field.item_label) if list_field.item_label else None
    name = label.strip() if isinstance(label, str) and label.strip() else f"entry {index + 1}"
    if any(f.key == list_field.item_label and f.type == "date" for f in list_field.fields):
        name = spoken_text(name)       # "Events, Mon 9 Nov 2026", not 2026-11-09
    if len(name) > 40:
        name = name[:37] + "..."
    return f"{list_field.label}, {name}"


def _walk(fields: tuple[Field, ...], container: Any, prefix: str, entry: dict[str, Any] | None,
          where: str) -> Iterator[Slot]:
    for f in fields:
        value = get_path(container, f.key)
        path = prefix + f.key
        yield Slot(f, path, value, entry, where)
        if f.is_list and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _walk(f.fields, item, f"{path}[{i}].", item, entry_name(f, i, item))


def walk(form: Form, case: dict[str, Any]) -> Iterator[Slot]:
    for s in form.sections:
        yield from _walk(s.fields, case, "", None, s.title)


def condition_holds(cond: Condition, case: dict[str, Any], entry: dict[str, Any] | None) -> bool:
    if cond.field.startswith("/") or entry is None:
        value = get_path(case, cond.field.lstrip("/"))
    else:
        value = get_path(entry, cond.field)
    if cond.filled:
        return value is not MISSING and not is_blank(value)
    if cond.one_of is not None:
        return value in cond.one_of
    return value == cond.equals and value is not MISSING

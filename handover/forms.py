"""Form definitions: the step-down and step-up forms as data (``resources/forms/*.yaml``).

The editor, the checks and the pack read these and nothing else, so a council that changes its form
edits YAML, not Python. Definitions load into frozen dataclasses; an unknown or missing key raises
:class:`FormError` naming the form, section and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


from handover.resources import load_yaml, resource_path
from handover.vocab import vocab

__all__ = ["Condition", "Field", "Section", "DateOrder", "Form", "FormError", "load_form", "form_for",
           "FIELD_TYPES", "DIRECTIONS"]

DIRECTIONS = ("step_down", "step_up")

FIELD_TYPES = frozenset({
    "text",             # one line of free text
    "longtext",         # free text that needs a large box
    "date",             # ISO YYYY-MM-DD, or null
    "bool",             # true / false, or null when not answered
    "choice",           # one code of `vocab`
    "multichoice",      # a list of codes of `vocab`
    "nhs_number",       # 10 digits, modulus-11 check (optional field)
    "upn",              # unique pupil number, DfE check letter (optional field)
    "postcode",         # UK postcode
    "names",            # a list of free-text names
    "involved_with",    # a list of "child" or household members' names
    "agency_checklist", # {agency type: involved | not_involved | not_checked}
    "list",             # repeatable entries with their own `fields`
})


class FormError(ValueError):
    """A form definition is not well formed."""


@dataclass(frozen=True)
class Condition:
    """When a field is required: another field's value equals, is one of, or is filled.

    ``field`` is relative to the list entry the field sits in; a leading "/" makes it absolute.
    """

    field: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    filled: bool | None = None

    def describe(self) -> str:
        if self.filled:
            return f"when {self.field} is filled"
        if self.one_of is not None:
            return f"when {self.field} is one of {', '.join(map(str, self.one_of))}"
        return f"when {self.field} is {self.equals}"


@dataclass(frozen=True)
class Field:
    key: str                          #: where the value lives (dotted; relative inside a list entry)
    label: str                        #: what the practitioner reads
    type: str                         #: one of FIELD_TYPES
    hint: str = ""                    #: help text under the label
    vocab: str | None = None          #: vocabulary name for choice / multichoice
    required: bool = False            #: required whatever else is filled
    required_when: Condition | None = None  #: required only under this condition
    min_items: int = 0                #: for list-like types, entries a complete form needs
    happened: bool = False            #: a date of something that has happened
    family: bool = True               #: shown in the family copy of the pack
    item_label: str | None = None     #: for lists, which entry field names the entry
    fields: tuple["Field", ...] = ()  #: for lists, the fields of one entry

    @property
    def is_list(self) -> bool:
        return self.type == "list"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    hint: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class DateOrder:
    """Two dates that must come in order; ``[]`` in a key means "for each entry of that list"."""

    earlier: str
    later: str
    message: str


@dataclass(frozen=True)
class Form:
    direction: str
    title: str
    sections: tuple[Section, ...]
    date_order: tuple[DateOrder, ...] = field(default=())

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def section_of(self, path: str) -> Section | None:
        """The section holding a finding's path (``agencies[2].sharing_basis`` → agencies)."""
        best: tuple[int, Section] | None = None
        for s in self.sections:
            for f in s.fields:
                if path == f.key or path.startswith(f.key + ".") or path.startswith(f.key + "["):
                    if best is None or len(f.key) > best[0]:
                        best = (len(f.key), s)
        if best:
            return best[1]
        top = path.split(".")[0].split("[")[0]
        for s in self.sections:
            if s.id == top:
                return s
        return None

    def field_at(self, path: str) -> Field | None:
        """The field definition for a concrete path such as ``agencies[1].sharing_basis.type``."""
        import re

        generic = re.sub(r"\[\d+\]", "[]", path)
        for s in self.sections:
            found = _find_field(s.fields, generic, "")
            if found:
                return found
        return None

    def all_fields(self) -> list[tuple[str, Field]]:
        """Every field with its generic path (``household[].name``), in form order."""
        out: list[tuple[str, Field]] = []

        def walk(fields: tuple[Field, ...], prefix: str) -> None:
            for f in fields:
                out.append((prefix + f.key, f))
                if f.is_list:
                    walk(f.fields, prefix + f.key + "[].")

        for s in self.sections:
            walk(s.fields, "")
        return out


def _find_field(fields: tuple[Field, ...], generic: str, prefix: str) -> Field | None:
    for f in fields:
        full = prefix + f.key
        if generic == full:
            return f
        if f.is_list and generic.startswith(full + "[]."):
            return _find_field(f.fields, generic, full + "[].")
    return None


_FIELD_KEYS = {"key", "label", "type", "hint", "vocab", "required", "min_items", "happened", "family",
               "item_label", "fields"}


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict) or "field" not in raw:
        raise FormError(f"{where}: 'required' must be true, false or a condition with a 'field'")
    unknown = set(raw) - {"field", "equals", "in", "filled"}
    if unknown:
        raise FormError(f"{where}: unknown key {sorted(unknown)[0]!r} in the condition")
    return Condition(field=str(raw["field"]), equals=raw.get("equals"),
                     one_of=tuple(raw["in"]) if "in" in raw else None,
                     filled=raw.get("filled"))


def _field(raw: Any, where: str) -> Field:
    if not isinstance(raw, dict):
        raise FormError(f"{where}: a field must be a mapping")
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise FormError(f"{where} {raw.get('key', '?')}: unknown key {sorted(unknown)[0]!r}")
    for k in ("key", "label", "type"):
        if k not in raw:
            raise FormError(f"{where} {raw.get('key', '?')}: missing {k!r}")
    here = f"{where} {raw['key']}"
    if raw["type"] not in FIELD_TYPES:
        raise FormError(f"{here}: unknown type {raw['type']!r}")
    if raw["type"] in ("choice", "multichoice"):
        if not raw.get("vocab"):
            raise FormError(f"{here}: a {raw['type']} field needs a 'vocab'")
        if not vocab().has(raw["vocab"]):
            raise FormError(f"{here}: unknown vocabulary {raw['vocab']!r}")
    req = raw.get("required", False)
    required, when = (bool(req), None) if isinstance(req, bool) else (False, _condition(req, here))
    sub = tuple(_field(f, f"{here}:") for f in raw.get("fields", ())) if raw["type"] == "list" else ()
    if raw["type"] == "list" and not sub:
        raise FormError(f"{here}: a list field needs 'fields'")
    return Field(key=str(raw["key"]), label=str(raw["label"]), type=raw["type"], hint=str(raw.get("hint", "")),
                 vocab=raw.get("vocab"), required=required, required_when=when,
                 min_items=int(raw.get("min_items", 0)), happened=bool(raw.get("happened", False)),
                 family=bool(raw.get("family", True)), item_label=raw.get("item_label"), fields=sub)


def parse_form(raw: Any, name: str) -> Form:
    if not isinstance(raw, dict):
        raise FormError(f"form {name}: not a mapping")
    unknown = set(raw) - {"form", "title", "sections", "date_order"}
    if unknown:
        raise FormError(f"form {name}: unknown key {sorted(unknown)[0]!r}")
    sections = []
    for s in raw.get("sections") or ():
        missing = {"id", "title", "fields"} - set(s)
        if missing:
            raise FormError(f"form {name}, section {s.get('id', '?')}: missing {sorted(missing)[0]!r}")
        extra = set(s) - {"id", "title", "hint", "fields"}
        if extra:
            raise FormError(f"form {name}, section {s['id']}: unknown key {sorted(extra)[0]!r}")
        where = f"form {name}, section {s['id']}, field"
        sections.append(Section(id=s["id"], title=s["title"], hint=str(s.get("hint", "")).strip(),
                                fields=tuple(_field(f, where) for f in s["fields"])))
    orders = []
    for o in raw.get("date_order") or ():
        if set(o) != {"earlier", "later", "message"}:
            raise FormError(f"form {name}, date_order: each rule needs exactly earlier, later and message")
        orders.append(DateOrder(o["earlier"], o["later"], o["message"]))
    return Form(direction=raw.get("form", name), title=raw.get("title", name), sections=tuple(sections),
                date_order=tuple(orders))


def load_form_file(path: Path) -> Form:
    with open(path, encoding="utf-8") as f:
        return parse_form(load_yaml(f), path.stem)


@cache
def load_form(direction: str) -> Form:
    """The form for ``step_down`` or ``step_up``."""
    if direction not in DIRECTIONS:
        raise FormError(f"no form for direction {direction!r}")
    return load_form_file(resource_path("forms", f"{direction}.yaml"))


def form_for(case: dict) -> Form:
    """The form that applies to a case (step-down when the direction is missing or unknown)."""
    d = case.get("direction")
    return load_form(d if d in DIRECTIONS else "step_down")

"""Form definitions: one form per direction, as data (``resources/forms/<direction>.yaml``).

The editor, the checks and the pack read these and nothing else, so a council that changes its form
edits YAML, not Python, and a council that adds a direction adds a form: :func:`directions` is the
forms found. Definitions load into frozen dataclasses whose declarations are the keys a file may use
(:func:`yaml_keys`); an unknown or missing key raises :class:`FormError` naming the form, section and
field.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields as dataclass_fields, replace
from functools import cache
from pathlib import Path
from typing import Any


from handover.case import get_path
from handover.labels import readable
from handover.resources import load_yaml, resource_path
from handover.vocab import vocab

__all__ = ["Condition", "Field", "Section", "DateOrder", "Form", "FormError", "load_form", "form_for", "parse_field",
           "FIELD_TYPES", "DIRECTIONS", "directions", "yaml_keys"]

#: where a form without a declared ``order`` goes among the directions: after those with one
UNORDERED = 1_000_000


def __getattr__(name: str) -> Any:
    """``DIRECTIONS``: the forms found, as :func:`directions` (kept for code that imports the name)."""
    if name == "DIRECTIONS":
        return directions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    "refs",             # handover-case/2: a list of refs of the document's children and household members
    "agency_checklist", # {agency type: involved | not_involved | not_checked}
    "list",             # repeatable entries with their own `fields`
})


class FormError(ValueError):
    """A form definition is not well formed."""


def _yaml(name: str | None, **kw: Any) -> Any:
    """A dataclass field read from the YAML key ``name`` (None: not a key of its own)."""
    return field(metadata={"yaml": name}, **kw)


def yaml_keys(cls: type) -> frozenset[str]:
    """The keys a YAML mapping for the dataclass ``cls`` may have: its fields, under their ``yaml`` name
    where the declaration gives one (``Form.direction`` is ``form:``)."""
    out = set()
    for f in dataclass_fields(cls):
        name = f.metadata.get("yaml", f.name)
        if name:
            out.add(name)
    return frozenset(out)


@dataclass(frozen=True)
class Condition:
    """When a field is required: another field's value equals, is one of, or is filled.

    ``field`` is relative to the list entry the field sits in; a leading "/" makes it absolute.
    """

    field: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = _yaml("in", default=None)
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
    required: bool = False            #: required whatever else is filled (YAML: ``required: true``)
    required_when: Condition | None = _yaml(None, default=None)  #: YAML ``required: {condition}``
    min_items: int = 0                #: for list-like types, entries a complete form needs
    happened: bool = False            #: a date of something that has happened
    family: bool = True               #: shown in the family copy of the pack
    item_label: str | None = None     #: for lists, which entry field names the entry
    fields: tuple["Field", ...] = ()  #: for lists, the fields of one entry
    #: a bool of a list entry that, when true, leaves the whole entry out of the family copy (the flag
    #: itself is not shown there): the chronology's ``confidential``
    family_hides_entry: bool = False
    #: GOV.UK conditional reveal: the editor shows the field only while its ``required`` condition holds
    #: (or it already holds an answer: nothing typed is ever hidden). The checks and the pack ignore it.
    reveal: bool = False

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
    """One direction's form. Besides its sections, it names its direction as people read it."""

    direction: str = _yaml("form")    #: the direction's code: the file's name (``step_down``)
    title: str
    sections: tuple[Section, ...]
    date_order: tuple[DateOrder, ...] = ()
    order: int = UNORDERED            #: where the direction comes in lists (then by name)
    label: str = ""                   #: "Step-down"
    arrow: str = ""                   #: "↓"
    long_label: str = ""              #: "Step-down (children's social care to early help)"
    from_service: str = ""            #: the sending service (an ``agency_types`` code)
    to_service: str = ""              #: the receiving service: whose teams receive it
    child_name: tuple[str, ...] = ()  #: the fields that make the child's name, given name first
    child_ids: tuple[str, ...] = ()   #: the child's IDs, the sending service's first

    def value_of(self, case: dict, paths: tuple[str, ...]) -> str:
        """The first of ``paths`` filled in ``case``, as text ("" when none is)."""
        for p in paths:
            v = str(get_path(case, p, "") or "").strip()
            if v:
                return v
        return ""

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


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict) or "field" not in raw:
        raise FormError(f"{where}: 'required' must be true, false or a condition with a 'field'")
    unknown = set(raw) - yaml_keys(Condition)
    if unknown:
        raise FormError(f"{where}: unknown key {sorted(unknown)[0]!r} in the condition")
    return Condition(field=str(raw["field"]), equals=raw.get("equals"),
                     one_of=tuple(raw["in"]) if "in" in raw else None,
                     filled=raw.get("filled"))


def _field(raw: Any, where: str, in_list: bool = False) -> Field:
    if not isinstance(raw, dict):
        raise FormError(f"{where}: a field must be a mapping")
    unknown = set(raw) - yaml_keys(Field)
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
    sub = tuple(_field(f, f"{here}:", True) for f in raw.get("fields", ())) if raw["type"] == "list" else ()
    if raw["type"] == "list" and not sub:
        raise FormError(f"{here}: a list field needs 'fields'")
    hides = bool(raw.get("family_hides_entry", False))
    if hides and (raw["type"] != "bool" or not in_list):
        raise FormError(f"{here}: 'family_hides_entry' is for a yes/no (bool) field of a list entry")
    reveal = bool(raw.get("reveal", False))
    if reveal and (when is None or when.filled):
        raise FormError(f"{here}: 'reveal' needs a 'required' condition with 'equals' or 'in' (shown while it holds)")
    return Field(key=str(raw["key"]), label=str(raw["label"]), type=raw["type"], hint=str(raw.get("hint", "")),
                 vocab=raw.get("vocab"), required=required, required_when=when,
                 min_items=int(raw.get("min_items", 0)), happened=bool(raw.get("happened", False)),
                 family=bool(raw.get("family", True)), item_label=raw.get("item_label"), fields=sub,
                 family_hides_entry=hides, reveal=reveal)


def parse_field(raw: Any, where: str, in_list: bool = False) -> Field:
    """One field definition in the forms' syntax (also what ``resources/family.yaml`` adds to every form)."""
    return _field(raw, where, in_list)


def parse_form(raw: Any, name: str) -> Form:
    if not isinstance(raw, dict):
        raise FormError(f"form {name}: not a mapping")
    unknown = set(raw) - yaml_keys(Form)
    if unknown:
        raise FormError(f"form {name}: unknown key {sorted(unknown)[0]!r}")
    sections = []
    for s in raw.get("sections") or ():
        missing = {"id", "title", "fields"} - set(s)
        if missing:
            raise FormError(f"form {name}, section {s.get('id', '?')}: missing {sorted(missing)[0]!r}")
        extra = set(s) - yaml_keys(Section)
        if extra:
            raise FormError(f"form {name}, section {s['id']}: unknown key {sorted(extra)[0]!r}")
        where = f"form {name}, section {s['id']}, field"
        sections.append(Section(id=s["id"], title=s["title"], hint=str(s.get("hint", "")).strip(),
                                fields=tuple(_field(f, where) for f in s["fields"])))
    orders = []
    for o in raw.get("date_order") or ():
        if set(o) != yaml_keys(DateOrder):
            raise FormError(f"form {name}, date_order: each rule needs exactly earlier, later and message")
        orders.append(DateOrder(o["earlier"], o["later"], o["message"]))
    direction = str(raw.get("form", name))
    for k in ("title", "label", "arrow", "long_label", "from_service", "to_service"):
        if k in raw and not isinstance(raw[k], str):
            raise FormError(f"form {name}: {k!r} must be text")
    order = raw.get("order", UNORDERED)
    if isinstance(order, bool) or not isinstance(order, int):
        raise FormError(f"form {name}: 'order' must be a whole number, not {order!r}")
    for k in ("from_service", "to_service"):
        if raw.get(k) and raw[k] not in vocab().codes("agency_types"):
            raise FormError(f"form {name}: {k} {raw[k]!r} is not one of the agency_types of vocab.yaml")
    label = raw.get("label") or readable(direction)
    form = Form(direction=direction, title=raw.get("title", name), sections=tuple(sections),
                date_order=tuple(orders), order=order, label=label, arrow=raw.get("arrow", ""),
                long_label=raw.get("long_label") or label, from_service=raw.get("from_service", ""),
                to_service=raw.get("to_service", ""))
    paths = {}
    for k in ("child_name", "child_ids"):
        got = raw.get(k) or ()
        if not isinstance(got, list) or not all(isinstance(p, str) for p in got):
            raise FormError(f"form {name}: {k!r} must be a list of field keys")
        for p in got:
            if form.field_at(p) is None:
                raise FormError(f"form {name}: {k} names {p!r}, which is not a field of the form")
        paths[k] = tuple(got)
    return replace(form, **paths)


def load_form_file(path: Path) -> Form:
    with open(path, encoding="utf-8") as f:
        return parse_form(load_yaml(f), path.stem)


@cache
def _form_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(resource_path("forms").glob("*.yaml"))}


@cache
def load_form(direction: str) -> Form:
    """The form for a direction (``step_down``, ``step_up``, or any other with a form file)."""
    path = _form_files().get(direction) if isinstance(direction, str) else None
    if path is None:
        raise FormError(f"no form for direction {direction!r}")
    form = load_form_file(path)
    if form.direction != direction:
        raise FormError(f"form {direction}: the file is {path.name} but it says form: {form.direction}")
    return form


@cache
def directions() -> tuple[str, ...]:
    """Every direction that has a form (``resources/forms/<direction>.yaml``), in the forms' declared
    ``order``, then by name. The first is the one a case without a known direction is read as."""
    return tuple(sorted(_form_files(), key=lambda d: (load_form(d).order, d)))


def form_for(case: dict) -> Form:
    """The form that applies to a case (the first direction's when the direction is missing or unknown)."""
    d = case.get("direction")
    every = directions()
    return load_form(d if d in every else every[0])


def clear_cache() -> None:
    """Forget the loaded forms (after the resources folder changed: tests)."""
    for f in (_form_files, load_form, directions):
        f.cache_clear()

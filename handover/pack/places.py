"""Where a finding is, in people's words: the form's section title and field label, with the name of the
list entry it is in — "Household and significant adults — Ryan Cole: Joined the household on" for
``household[1].joined_household``. Read from the form definition (handover.forms), so a council that
renames a field in its form YAML sees the new name here too; never a path or a code.
"""

from __future__ import annotations

import re
from typing import Any

from handover.case import get_path
from handover.forms import Field, Form
from handover.labels import readable
from handover.vocab import vocab

__all__ = ["where", "entry_name", "NAME_CHARS"]

#: a list entry's name (a person, an agency, a chronology entry's date) is cut at this many characters
NAME_CHARS = 40

_INDEX = re.compile(r"^\[(\d+)\]")


def _clip(text: str, n: int = NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _value_words(f: Field | None, value: Any) -> str:
    """A short value (an entry's name, an item of a multiple choice) as people read it."""
    if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
        return ""
    if f is not None and f.type == "date":      # as the pack writes dates: "9 Nov 2026"
        from handover.dates import parse_iso

        d = parse_iso(value)
        return d.strftime("%d %b %Y").lstrip("0") if d else str(value)
    if f is not None and f.vocab:
        return vocab().label(f.vocab, value)
    return str(value)


def entry_name(list_field: Field, index: int, entry: Any) -> str:
    """Who or what a list entry is: its ``item_label`` field's value ("Ryan Cole", "21 Oct 2026"), else
    "<list label>, entry <number>" ("Agencies, entry 2"), as the checks' messages name it."""
    if isinstance(entry, dict) and list_field.item_label:
        sub = next((s for s in list_field.fields if s.key == list_field.item_label), None)
        name = _value_words(sub, get_path(entry, list_field.item_label, None))
        if name:
            return _clip(name)
    return f"{list_field.label}, entry {index + 1}"


def _find(fields: tuple[Field, ...], rest: str, doc: Any, names: list[str]) -> str:
    """The label of the field ``rest`` names among ``fields`` (the entries passed on the way appended to
    ``names``); "" when the form has no such field."""
    best: Field | None = None
    for f in fields:      # the longest key that ``rest`` starts with: sharing_basis.type before sharing_basis
        k = f.key
        if rest == k or rest.startswith(k + ".") or rest.startswith(k + "["):
            if best is None or len(k) > len(best.key):
                best = f
    if best is None:
        # a path above the fields (``sign_off.sending_manager`` for its ``.name`` and ``.date``;
        # ``agencies[1].sharing_basis`` for its ``.type``): the first field under it
        under = next((f for f in fields if f.key.startswith(rest + ".")), None)
        return under.label if under is not None else ""
    tail = rest[len(best.key):]
    value = get_path(doc, best.key, None) if isinstance(doc, dict) else None
    if best.is_list:
        m = _INDEX.match(tail)
        if not m:
            return best.label
        i = int(m.group(1))
        entry = value[i] if isinstance(value, list) and 0 <= i < len(value) else None
        names.append(entry_name(best, i, entry))
        inner = tail[m.end():].lstrip(".")
        if not inner:
            return ""
        return _find(best.fields, inner, entry if isinstance(entry, dict) else {}, names)
    item = ""
    m = _INDEX.match(tail)
    if m and isinstance(value, list):        # one of a multiple choice: "Known to these agencies (Police)"
        i = int(m.group(1))
        item = _value_words(best, value[i]) if 0 <= i < len(value) else ""
    elif tail.startswith(".") and best.type == "agency_checklist":   # agency_checks.police
        item = vocab().label("agency_types", tail[1:].split(".")[0])
    if item:                                  # the field is a place of its own, the item what is there
        names.append(best.label)
        return _clip(item, 80)
    return best.label


def where(form: Form, case: dict[str, Any], path: str, *, section_title: bool = True) -> str:
    """A finding's place as people read it: "<section> — <entry>: <field>" ("... — <field>: <item>" for
    one item of a multiple choice or of the agency checklist); the section alone for a
    finding about a whole section, and the path's words (never the path) for a place the form does not
    define. ``section_title=False``: without the section's title (a list already grouped by section)."""
    section = form.section_of(path) if path else None
    names: list[str] = []
    label = ""
    if section is not None and path == section.id:       # the whole section ("child")
        return section.title
    if section is not None:
        label = _find(section.fields, path, case, names)
    if section is None or (not label and not names):
        for s in form.sections:                          # a field declared in another section
            names = []
            label = _find(s.fields, path, case, names)
            if label or names:
                section = s
                break
    head = " — ".join(([section.title] if section is not None and section_title else []) + names)
    if label:
        return f"{head}: {label}" if head else label
    if head:
        return head
    if section is not None:
        return section.title
    return readable(re.sub(r"\[\d+\]", "", path).replace(".", " ").strip()) or "The whole handover"

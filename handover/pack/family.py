"""The family copy: what the family must not see, driven by the form definitions (``family: false``)
and the chronology's ``confidential`` flag (SPEC.md section 5)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from handover.case import get_path
from handover.forms import Field, Form

__all__ = ["Redaction", "redact_for_family"]


@dataclass(frozen=True)
class Redaction:
    case: dict[str, Any]                 #: the case with everything the family must not see removed
    omitted_fields: tuple[str, ...]      #: "Household and significant adults: Known to these agencies", ...
    confidential_entries: int            #: chronology entries left out


def _drop(doc: Any, key: str) -> None:
    """Remove a dotted key from an object (no-op when absent)."""
    parts = key.split(".")
    cur = doc
    for p in parts[:-1]:
        if not isinstance(cur, dict) or p not in cur:
            return
        cur = cur[p]
    if isinstance(cur, dict):
        cur.pop(parts[-1], None)


def _walk(fields: tuple[Field, ...], docs: list[Any], where: str, omitted: list[str]) -> None:
    for f in fields:
        if not f.family:
            omitted.append(f"{where}: {f.label}")
            for d in docs:
                _drop(d, f.key)
        elif f.is_list:
            items = []
            for d in docs:
                v = get_path(d, f.key)
                if isinstance(v, list):
                    items.extend(x for x in v if isinstance(x, dict))
            _walk(f.fields, items, f"{where} ({f.label.lower()})" if f.label else where, omitted)


def redact_for_family(case: dict[str, Any], form: Form) -> Redaction:
    out = copy.deepcopy(case)
    omitted: list[str] = []
    for s in form.sections:
        _walk(s.fields, [out], s.title, omitted)
    chron = out.get("chronology")
    n = 0
    if isinstance(chron, list):
        kept = [e for e in chron if not (isinstance(e, dict) and e.get("confidential") is True)]
        n = len(chron) - len(kept)
        out["chronology"] = kept
    return Redaction(case=out, omitted_fields=tuple(omitted), confidential_entries=n)

"""The family copy: what the family must not see, driven by the form definitions (SPEC.md section 5):
fields declared ``family: false``, and list entries whose ``family_hides_entry`` flag is set (the
chronology's ``confidential``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from handover.case import get_path, set_path
from handover.forms import Field, Form

__all__ = ["Redaction", "redact_for_family"]


@dataclass(frozen=True)
class Redaction:
    case: dict[str, Any]                 #: the case with everything the family must not see removed
    omitted_fields: tuple[str, ...]      #: "Household and significant adults: Known to these agencies", ...
    confidential_entries: int            #: entries left out by their flag (confidential chronology entries)
    #: handover-case/2: answers to requests for information whose summary was left out as confidential
    confidential_answers: int = 0


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


def _drop_flagged(fields: tuple[Field, ...], docs: list[Any]) -> int:
    """Remove the list entries whose ``family_hides_entry`` flag is true; how many were removed."""
    n = 0
    for f in fields:
        if not f.is_list:
            continue
        flags = [sub.key for sub in f.fields if sub.family_hides_entry]
        entries = []
        for d in docs:
            items = get_path(d, f.key)
            if not isinstance(items, list):
                continue
            if flags:
                kept = [e for e in items if not (isinstance(e, dict) and any(get_path(e, k) is True for k in flags))]
                n += len(items) - len(kept)
                set_path(d, f.key, kept)
                items = kept
            entries.extend(e for e in items if isinstance(e, dict))
        n += _drop_flagged(f.fields, entries)
    return n


def redact_for_family(case: dict[str, Any], form: Form) -> Redaction:
    out = copy.deepcopy(case)
    summary = form.field_at("information_requests[].response.summary")
    # counted only where the form shows summaries to the family (else the field is left out as a whole)
    answers = _drop_confidential_answers(out)
    answers = answers if summary is None or summary.family else 0
    omitted: list[str] = []
    for s in form.sections:
        _walk(s.fields, [out], s.title, omitted)
    n = sum(_drop_flagged(s.fields, [out]) for s in form.sections)
    return Redaction(case=out, omitted_fields=tuple(omitted), confidential_entries=n,
                     confidential_answers=answers)


def _drop_confidential_answers(doc: dict[str, Any]) -> int:
    """A confidential answer's summary is left out of the family copy, like a confidential chronology
    entry (SPEC.md section 7.4), whatever the form says of summaries; how many were left out."""
    n = 0
    reqs = doc.get("information_requests")
    for r in reqs if isinstance(reqs, list) else ():
        resp = r.get("response") if isinstance(r, dict) else None
        if isinstance(resp, dict) and resp.get("confidential") is True:
            if str(resp.get("summary") or "").strip():
                n += 1
            resp.pop("summary", None)
    return n

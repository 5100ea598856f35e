"""The words people read for the project's codes, all from ``resources/`` and never spelled in Python.

=====================================  ===========================================================
what                                   where it lives
=====================================  ===========================================================
workflow moves: label, past tense,     ``resources/labels.yaml`` (``moves``)
what the history says, what's next
workflow states                        ``resources/labels.yaml`` (``states``)
deadline rules: label, what is due     ``resources/labels.yaml`` (``rules``)
deadline statuses                      ``resources/labels.yaml`` (``deadline_statuses``)
the exports' column headings           ``resources/labels.yaml`` (``columns``)
return reasons (codes, in order)       ``resources/vocab.yaml`` (``return_reasons``)
directions: label, arrow, long label,  each direction's form, ``resources/forms/<direction>.yaml``;
sending and receiving service          the directions are the forms found
=====================================  ===========================================================

The codes themselves are rules and stay in Python (``handover.workflow.MOVES``, the protocol's rules).
A code with no words yet reads as its own (``send_back`` → "Send back"), so a rule a council adds to
its protocol, or a state added later, still shows rather than failing.

Pure and cached; no Qt. After the resources folder changes (tests), call :func:`clear_cache`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from handover.resources import load_yaml, resource_path

__all__ = ["LabelsError", "readable", "join", "labels_table", "clear_cache",
           "action_label", "action_past", "action_done", "next_step", "state_label",
           "rule_label", "rule_event", "rule_waiting", "requests_overdue", "status_label", "return_reasons", "return_reason_label", "role_label", "finding_group",
           "directions", "direction_label", "direction_arrow", "direction_long_label", "direction_badge",
           "sending_service", "receiving_service", "column_label", "name_with_organisation"]


class LabelsError(ValueError):
    """``resources/labels.yaml`` is not well formed; ``str()`` is one line."""


#: the tables of labels.yaml: the keys each entry may have (None: an entry is its label, a string)
_TABLES: dict[str, frozenset[str] | None] = {
    "moves": frozenset({"label", "past", "done", "next"}),
    "states": None,
    "rules": frozenset({"label", "event", "waiting"}),
    "deadline_statuses": None,
    "columns": None,
    "roles": None,
    "finding_groups": None,
}


def _entry(table: str, code: str, value: Any, keys: frozenset[str] | None) -> dict[str, str]:
    where = f"labels.yaml: {table}.{code}"
    if keys is None:
        if not isinstance(value, str):
            raise LabelsError(f"{where} must be text")
        return {"label": value}
    if not isinstance(value, dict):
        raise LabelsError(f"{where} must be a mapping of {', '.join(sorted(keys))}")
    unknown = set(value) - keys
    if unknown:
        raise LabelsError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for k, v in value.items():
        if not isinstance(v, str):
            raise LabelsError(f"{where}.{k} must be text")
    return {str(k): v.strip() for k, v in value.items()}


@cache
def _labels() -> dict[str, dict[str, dict[str, str]]]:
    with open(resource_path("labels.yaml"), encoding="utf-8") as f:
        raw = load_yaml(f) or {}
    if not isinstance(raw, dict):
        raise LabelsError("labels.yaml: not a mapping")
    unknown = set(raw) - set(_TABLES)
    if unknown:
        raise LabelsError(f"labels.yaml: unknown key {sorted(unknown)[0]!r} (one of {', '.join(_TABLES)})")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for table, keys in _TABLES.items():
        entries = raw.get(table) or {}
        if not isinstance(entries, dict):
            raise LabelsError(f"labels.yaml: {table} must be a mapping")
        out[table] = {str(code): _entry(table, str(code), v, keys) for code, v in entries.items()}
    return out


def _word(table: str, code: Any, key: str = "label") -> str | None:
    entry = _labels()[table].get(str(code)) if isinstance(code, str) else None
    return entry.get(key) if entry else None


def readable(code: Any) -> str:
    """A code as words, for a code that has no label: ``"send_back"`` → "Send back"; None → ""."""
    return "" if code is None else str(code).replace("_", " ").strip().capitalize()


def join(words: Any, last: str = "or") -> str:
    """Words as a list in a sentence: "a", "a or b", "a, b or c"."""
    words = [str(w) for w in words]
    return f"{', '.join(words[:-1])} {last} {words[-1]}" if len(words) > 1 else "".join(words)


def labels_table(table: str) -> dict[str, dict[str, str]]:
    """One table of labels.yaml as read (``moves``, ``states``, ``rules``, ``deadline_statuses``)."""
    return {k: dict(v) for k, v in _labels()[table].items()}


# ---------------------------------------------------------------- the workflow (SPEC.md section 2)


def action_label(action: str) -> str:
    """The move's button: "Request authorisation"."""
    return _word("moves", action) or readable(action)


def action_past(action: str) -> str:
    """After "cannot be": "put forward for authorisation", "sent back"."""
    return _word("moves", action, "past") or readable(action).lower()


def action_done(action: str) -> str:
    """What the history says the move did: "sent back to draft" (the past tense when not given)."""
    return _word("moves", action, "done") or action_past(action)


def next_step(action: str) -> str:
    """Who has the handover after the move and what happens next ("" when nothing is said)."""
    return _word("moves", action, "next") or ""


def state_label(state: str) -> str:
    """"Awaiting authorisation"."""
    return _word("states", state) or readable(state)


def role_label(role: str) -> str:
    """"Team manager": what a person's role in the tool is called."""
    return _word("roles", role) or readable(role)


def finding_group(code: str, n: int) -> str:
    """Several warnings of one kind as one line: "15 agencies in the checklist are not checked yet"."""
    words = _word("finding_groups", code)
    return f"{n} {words}" if words else f"{n} warnings of the same kind"


def return_reasons() -> tuple[str, ...]:
    """The return reason codes, in the order they are offered (``resources/vocab.yaml``)."""
    from handover.vocab import vocab

    return vocab().codes("return_reasons")


def return_reason_label(code: str) -> str:
    """"Information is missing from the handover"."""
    from handover.vocab import vocab

    if isinstance(code, str) and code in return_reasons():
        return vocab().label("return_reasons", code)
    return readable(code)


# ---------------------------------------------------------------- deadlines (SPEC.md section 4)


def rule_label(rule: str) -> str:
    """A deadline's name: "Lead professional agreed"."""
    return _word("rules", rule) or readable(rule)


def rule_event(rule: str) -> str:
    """What the deadline asks to be done, after "the deadline to": "agree the lead professional"."""
    return _word("rules", rule, "event") or ("" if rule is None else str(rule).replace("_", " "))


def rule_waiting(rule: str) -> str:
    """While the deadline is overdue, what the handover waits for: "waiting for acknowledgement" ("" when
    the rule has no such words)."""
    return _word("rules", rule, "waiting") or ""


def requests_overdue(agency_type: str, count: int, oldest_working_days: int) -> str:
    """"Probation: 3 requests overdue, oldest 11 working days" (the dashboard, by agency)."""
    from handover.vocab import vocab

    name = vocab().label("agency_types", agency_type) if agency_type else "Agency not recorded"
    days = f"{oldest_working_days} working day{'s' if oldest_working_days != 1 else ''}"
    if count == 1:
        return f"{name}: 1 request overdue by {days}"
    return f"{name}: {count} requests overdue, oldest {days}"


def status_label(status: str) -> str:
    """Where a deadline stands: "Done late"."""
    return _word("deadline_statuses", status) or readable(status)


# ---------------------------------------------------------------- exports and names


def column_label(column: str) -> str:
    """An export's column as its heading reads in a workbook: "Deadline" for ``rule``."""
    return _word("columns", column) or readable(column)


def name_with_organisation(name: Any, organisation: Any = "") -> str:
    """Whom a certificate names, as people write it: "Sam Manager, Testshire Council" (its common name
    and organisation; the organisation alone when there is no name, and once when the name already
    says it: "Testshire Council handover signing CA"). "" when it names neither."""
    name = str(name or "").strip()
    organisation = str(organisation or "").strip()
    if not name or not organisation:
        return name or organisation
    if organisation.casefold() in name.casefold():
        return name
    return f"{name}, {organisation}"


# ---------------------------------------------------------------- directions (the forms)


def directions() -> tuple[str, ...]:
    """The directions: one per form in ``resources/forms/``, in the forms' declared order."""
    from handover.forms import directions as found

    return found()


def _form(direction: Any) -> Any:
    from handover.forms import load_form

    return load_form(direction) if isinstance(direction, str) and direction in directions() else None


def direction_label(direction: str) -> str:
    """"Step-down"."""
    form = _form(direction)
    return form.label if form else readable(direction)


def direction_arrow(direction: str) -> str:
    """"↓" ("" when the form gives none)."""
    form = _form(direction)
    return form.arrow if form else ""


def direction_long_label(direction: str) -> str:
    """"Step-down (children's social care to early help)"."""
    form = _form(direction)
    return form.long_label if form else readable(direction)


def direction_badge(direction: str) -> str:
    """The arrow and the label, as lists show a direction: "↓ Step-down"."""
    return f"{direction_arrow(direction)} {direction_label(direction)}".strip()


def sending_service(direction: str) -> str | None:
    """The ``agency_types`` code of the service a handover going this way leaves (None: not declared)."""
    form = _form(direction)
    return (form.from_service or None) if form else None


def receiving_service(direction: str) -> str | None:
    """The ``agency_types`` code of the service whose teams receive it (None: not declared)."""
    form = _form(direction)
    return (form.to_service or None) if form else None


def clear_cache() -> None:
    """Forget labels.yaml, the forms and the vocabularies (after the resources folder changed: tests)."""
    from handover import forms, vocab

    _labels.cache_clear()
    forms.clear_cache()
    vocab.vocab.cache_clear()

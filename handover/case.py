"""The case document, ``handover-case/1`` and ``handover-case/2``: parse, check its shape, dump, hash,
and reach into it by path.

A file that is not JSON, or not of the right shape (an unknown key, a list where an object belongs),
is unusable input: :func:`parse_case` raises :class:`CaseError` whose text is one line naming the
problem. A value of the right shape but wrong content is left for the checks to report as a finding.
Both formats are read (SPEC.md sections 3 and 7.1); each has its JSON Schema in ``resources/schema/``.
A /2 document's refs are part of its shape: a malformed ref, or one used twice across ``children[]`` and
``household[]``, is unusable input, and so is an empty ``children`` list. How /1 becomes /2 is
:mod:`handover.family`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any, Iterator

from handover.resources import resource_path

__all__ = ["CaseError", "FORMAT", "FORMAT_V2", "FORMATS", "MAX_BYTES", "parse_case", "load_case", "dump_case", "canonical_json",
           "content_hash", "get_path", "set_path", "iter_paths", "blank_case", "MISSING"]

FORMAT = "handover-case/1"
#: the family format (SPEC.md section 7): what ``handover upgrade`` writes
FORMAT_V2 = "handover-case/2"
#: every format this tool reads, oldest first
FORMATS = (FORMAT, FORMAT_V2)
_SCHEMAS = {FORMAT: "handover-case-1.schema.json", FORMAT_V2: "handover-case-2.schema.json"}
MAX_BYTES = 10 * 1024 * 1024  # a large real case (60 agencies, 500 events) is well under 1 MB
MAX_DEPTH = 64
#: the longest id a handover can have (the database's ``handovers.case_id`` is ``VARCHAR(200)``)
MAX_ID = 200
#: a number in a case file has at most this many digits (Python refuses to read more than 4,300)
MAX_DIGITS = 100
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class CaseError(ValueError):
    """The input cannot be used as a handover case. ``str()`` is a one-line message."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@cache
def _validator(fmt: str = FORMAT) -> Any:
    import jsonschema  # imported when first needed: it is a fifth of the app's start-up

    with open(resource_path("schema", _SCHEMAS[fmt]), encoding="utf-8") as f:
        schema = json.load(f)
    # the schema itself is checked against its meta-schema by the tests, not at every start (≈60 ms)
    return jsonschema.validators.validator_for(schema)(schema)


def _where(path: Any) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the top level"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"


def _shape_message(err: Any) -> str:
    where = _where(err.absolute_path)
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return f"unknown key '{extra[0]}' in {where}" if extra else f"unknown key in {where}"
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else "?"
        return f"missing key '{missing}' in {where}"
    if err.validator == "const" and where == "format":
        return f"'format' is {err.instance!r}; this tool reads {_readable_formats()}"
    if err.validator == "pattern" and where.endswith(".ref"):
        return (f"'{where}' is {_printable(repr(err.instance))}: a ref is 1 to 16 of the characters a-z, 0-9, "
                "_ and - (such as \"c1\" or \"p2\")")
    if err.validator == "minItems" and where == "children":
        return "'children' is empty: a handover-case/2 document lists at least one child"
    if err.validator == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        if "object" in wanted:
            want = "an object"
        elif "array" in wanted:
            want = "a list"
        elif wanted == ["string"]:
            want = "text"
        else:
            want = "a single value (text, number, true/false or null)"
        return f"'{where}' should be {want}, not {_kind(err.instance)}"
    if err.validator == "minLength":
        return f"'{where}' is empty"
    return f"'{where}': {err.message}"


def _readable_formats() -> str:
    return " or ".join(f'"{f}"' for f in FORMATS)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise CaseError(f"the key '{k}' appears twice in one object")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise CaseError(f"{name} is not a value JSON allows")


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise CaseError(f"a number of {digits:,} digits is not a value a handover case holds")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")) or len(text) > 4 * MAX_DIGITS:
        raise CaseError(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is too large for a handover case")
    return value


def _lone_surrogate(doc: Any) -> str | None:
    """Where a string (or a key) holds half of a UTF-16 pair (``"\\ud800"`` escaped in JSON): such text
    cannot be written as UTF-8, so it would fail every save and every pack later."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        v, where = stack.pop()
        if isinstance(v, str):
            if _SURROGATE.search(v):
                return where or "the top level"
        elif isinstance(v, dict):
            for k, x in v.items():
                here = f"{where}.{k}" if where else k
                if _SURROGATE.search(k):
                    return (where or "the top level") + " (a key)"
                stack.append((x, here))
        elif isinstance(v, list):
            stack.extend((x, f"{where}[{i}]") for i, x in enumerate(v))
    return None


def _check_id(doc: dict[str, Any], source: str) -> None:
    """The id names the handover in the database, in file names and on every page: printable, not too long."""
    case_id = doc.get("id")
    if not isinstance(case_id, str):
        return
    if len(case_id) > MAX_ID:
        raise CaseError(f"{source}: 'id' is {len(case_id):,} characters long; an id is at most {MAX_ID}")
    bad = _CONTROL.search(case_id)
    if bad:
        raise CaseError(f"{source}: 'id' holds a control character (U+{ord(bad.group()):04X}); an id is printable text")


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def _printable(text: str, limit: int = 80) -> str:
    """Text for a one-line message: no line breaks or control characters, no lone surrogates, not too long."""
    text = text if len(text) <= limit else text[:limit] + "…"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def parse_case(data: bytes | str, source: str = "the case file") -> dict[str, Any]:
    """Parse and shape-check one ``handover-case/1`` or ``handover-case/2`` document (returned as it is
    written: :func:`handover.family.upgrade` makes a /1 document /2)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise CaseError(f"{source} is too large ({len(data) / 1e6:.1f} MB; a case file is at most "
                            f"{MAX_BYTES // (1024 * 1024)} MB)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CaseError(f"{source} is not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})") from None
    else:
        text = data
        if len(text) > MAX_BYTES:
            raise CaseError(f"{source} is too large (a case file is at most {MAX_BYTES // (1024 * 1024)} MB)")
    if not text.strip():
        raise CaseError(f"{source} is empty")
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant,
                         parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as e:
        raise CaseError(f"{source} is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise CaseError(f"{source} is nested too deeply to be a handover case") from None
    except CaseError as e:
        raise CaseError(f"{source}: {e}") from None
    if not isinstance(doc, dict):
        raise CaseError(f"{source} should hold one JSON object, not {_kind(doc)}")
    if _depth(doc) > MAX_DEPTH:
        raise CaseError(f"{source} is nested too deeply to be a handover case")
    if (not isinstance(data, bytes) or _SURROGATE_ESCAPE.search(text)) and (where := _lone_surrogate(doc)):
        raise CaseError(f"{source}: the text at {_printable(where)} is not valid Unicode (a lone surrogate such as "
                        "\\ud800): save the file again as UTF-8")
    fmt = doc.get("format", FORMAT)
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise CaseError(f"{source}: 'format' is {_printable(repr(doc['format']))}; this tool reads {_readable_formats()}")
    _check_id(doc, source)
    errors = sorted(_validator(fmt).iter_errors(doc),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        # the shallowest error first: an unknown top-level key explains more than what lies beneath it
        message = f"{source}: {_shape_message(errors[0])}"
        if len(message.splitlines()) > 1:  # a key with a line break in it must not break the one line
            message = message.encode("unicode_escape").decode("ascii")
        raise CaseError(message)
    if fmt == FORMAT_V2:
        from handover.family import ref_problem

        problem = ref_problem(doc)
        if problem:
            raise CaseError(f"{source}: {problem}")
    return doc


def load_case(path: str | Path) -> dict[str, Any]:
    """Read and parse a case file; every failure is a :class:`CaseError`. Only a regular file is read,
    and never more than :data:`MAX_BYTES` + 1 bytes of it (a FIFO, ``/dev/zero``, a growing file)."""
    from handover.files import read_input

    p = Path(path)
    name = p.name or str(p)
    data = read_input(p, what="a case file", error=CaseError, limit=MAX_BYTES,
                      too_large=f"{name} is too large ({{size}} MB; a case file is at most "
                                f"{MAX_BYTES // (1024 * 1024)} MB)")
    return parse_case(data, name)


def dump_case(case: dict[str, Any]) -> str:
    """The document as people and diffs like it: indented, UTF-8, key order kept, newline at the end."""
    return json.dumps(case, indent=2, ensure_ascii=False) + "\n"


def canonical_json(case: dict[str, Any]) -> bytes:
    """One byte string per content: sorted keys, no spaces. What the content hash covers."""
    return json.dumps(case, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(case: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(case)).hexdigest()


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@cache
def _tokens(path: str) -> tuple[str | int, ...]:
    return tuple(int(i) if i else k for k, i in _TOKEN.findall(path))


def get_path(doc: Any, path: str, default: Any = MISSING) -> Any:
    """``get_path(case, "agencies[2].sharing_basis.type")``; ``default`` when any step is absent."""
    cur = doc
    for t in _tokens(path):
        if isinstance(t, int):
            if not isinstance(cur, list) or t >= len(cur):
                return default
            cur = cur[t]
        else:
            if not isinstance(cur, dict) or t not in cur:
                return default
            cur = cur[t]
    return cur


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set a value, creating the objects (not lists) on the way."""
    toks = _tokens(path)
    cur: Any = doc
    for t, nxt in zip(toks, toks[1:]):
        if isinstance(t, int):
            cur = cur[t]
        else:
            if not isinstance(cur.get(t), (dict, list)):
                cur[t] = [] if isinstance(nxt, int) else {}
            cur = cur[t]
    last = toks[-1]
    cur[last] = value


def iter_paths(doc: Any, generic: str) -> Iterator[tuple[str, Any]]:
    """Expand ``household[].joined_household`` into each concrete path and its value (MISSING kept)."""
    head, sep, rest = generic.partition("[].")
    if not sep:
        yield generic, get_path(doc, generic)
        return
    items = get_path(doc, head)
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if isinstance(item, dict):
            for sub, v in iter_paths(item, rest):
                yield f"{head}[{i}].{sub}", v


_BLANK: dict[str, Any] = {
    "format": FORMAT, "id": "", "direction": "",
    "child": {"given_name": "", "family_name": "", "date_of_birth": None, "gender": "", "nhs_number": "",
              "address": "", "postcode": "", "upn": "", "setting": "", "ethnicity": "", "first_language": "",
              "disability_or_sen": "", "local_ids": {"csc": "", "early_help": ""}},
    "household": [],
    "transition": {"from_service": "", "to_service": "", "decision_date": None, "decision_by": "", "reason": "",
                   "current_plan": "", "what_has_changed": ""},
    "needs_and_risks": {"summary": "", "risk_factors": [], "strengths": "", "outstanding_concerns": "",
                        "escalation_plan": ""},
    "child_voice": {"views": "", "how_obtained": "", "last_seen": None},
    "family": {"views": "", "consent": {"status": "", "given_by": "", "date": None, "how": "",
                                        "reason_not_sought": ""}},
    "agencies": [],
    "agency_checks": {},
    "chronology": [],
    "plan": {"lead_professional": {"name": "", "agency": "", "contact": "", "agreed_date": None},
             "outcomes": [], "handover_meeting": {"planned_date": None, "held_date": None, "attendees": []},
             "review_date": None},
    "sign_off": {"prepared_by": {"name": "", "role": "", "date": None},
                 "sending_manager": {"name": "", "date": None},
                 "receiving": {"name": "", "date": None, "decision": None, "reason": ""}},
    "events": {},
}

_EVENTS = {"step_down": ("pack_sent", "acknowledged"),
           "step_up": ("csc_decision", "referrer_informed", "assessment_completed")}


def blank_case(direction: str, case_id: str) -> dict[str, Any]:
    """An empty case of every key, ready for a form to fill."""
    from handover.vocab import AGENCY_TYPES

    case = copy.deepcopy(_BLANK)
    case["id"] = case_id
    case["direction"] = direction
    case["agency_checks"] = {a: "not_checked" for a in AGENCY_TYPES}
    case["events"] = {e: None for e in _EVENTS.get(direction, ())}
    if direction == "step_up":
        case["transition"].update({"referral_date": None, "immediate_risk": None, "emergency_action": ""})
        case["needs_and_risks"]["early_help_work"] = ""
    return case


#: what a new handover takes from the child's previous one: who the child and family are and who
#: knows them; not the decision, the plan, the sign-off or the dates of the old transition
CARRIED_OVER = ("child", "household", "needs_and_risks", "agencies", "agency_checks", "chronology")


def copy_for_new_handover(previous: dict[str, Any], direction: str, case_id: str) -> dict[str, Any]:
    """A new case for the same child, starting from their previous handover so nothing is typed twice.

    The agencies keep their lawful basis but not the date they were told of the old transition: each
    must be told of this one. The checklist answers are kept, since they were checked for this family.
    """
    new = blank_case(direction, case_id)
    for key in CARRIED_OVER:
        if isinstance(previous.get(key), (dict, list)):
            new[key] = copy.deepcopy(previous[key])
    for agency in new["agencies"] if isinstance(new["agencies"], list) else []:
        if isinstance(agency, dict):
            agency["informed_date"] = None
            agency["attends_handover"] = None
    nar = new["needs_and_risks"]
    if isinstance(nar, dict):
        nar.pop("early_help_work", None)
        if direction == "step_up":
            nar["early_help_work"] = ""
        nar["escalation_plan"] = ""
    return new

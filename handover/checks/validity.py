"""Validity: types and vocabularies, real dates, date order, dates in the future, NHS number, UPN, postcode."""

from __future__ import annotations

import re
from typing import Any, Iterator

from handover.case import MISSING, iter_paths
from handover.checks import Context, Finding
from handover.checks.walk import Slot
from handover.dates import DATE_SHAPE, YEARS, is_blank, parse_iso, spoken
from handover.forms import directions
from handover.labels import join
from handover.vocab import AGENCY_TYPES, vocab

__all__ = ["run", "nhs_number_ok", "upn_ok", "postcode_ok"]

# GOV.UK's pattern for a UK postcode (with the single special case GIR 0AA)
_POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) ?[0-9][ABD-HJLNP-UW-Z]{2})$")
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # DfE check-letter table: 23 letters, no I, O or S


def _real(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def nhs_number_ok(value: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_ok(value: str) -> bool:
    """A unique pupil number: a check letter then 12 characters (digits; the last may be a letter for a
    temporary UPN). The check letter is the sum of characters 2-13 times weights 2-13, modulo 23."""
    upn = value.strip().upper()
    if len(upn) != 13 or upn[0] not in _UPN_LETTERS or not upn[1:12].isdigit():
        return False
    last = upn[12]
    if last.isdigit():
        last_value = int(last)
    elif last in _UPN_LETTERS:
        last_value = _UPN_LETTERS.index(last)
    else:
        return False
    total = sum(int(c) * w for c, w in zip(upn[1:12], range(2, 13))) + last_value * 13
    return _UPN_LETTERS[total % 23] == upn[0]


def postcode_ok(value: str) -> bool:
    return bool(_POSTCODE.match(" ".join(value.upper().split())))


def _describe(slot: Slot) -> str:
    return f"“{slot.field.label}” ({slot.where})"


def _bad_value(slot: Slot, path: str, value: Any, what: str) -> Finding:
    return Finding("invalid_value", path, f"{_describe(slot)} {what}. Correct it.", {"value": value})


def _check_codes(slot: Slot, values: Any, name: str) -> Iterator[Finding]:
    codes = set(vocab().codes(name))
    if not isinstance(values, list):
        return
    for i, v in enumerate(values):
        if not isinstance(v, str) or v not in codes:
            yield _bad_value(slot, f"{slot.path}[{i}]", v, f"has {v!r}, which is not one of the listed codes")


def _slot_findings(slot: Slot, ctx: Context, nobody: str) -> Iterator[Finding]:
    f, value, path = slot.field, slot.value, slot.path
    if value is MISSING or is_blank(value):
        return
    t = f.type
    if t in ("text", "longtext"):
        if not isinstance(value, str):
            yield _bad_value(slot, path, value, "should be text")
    elif t == "date":
        if not isinstance(value, str):
            yield _bad_value(slot, path, value, "should be a date written YYYY-MM-DD")
            return
        d = parse_iso(value)
        if d is None:
            why = ("is not a date written YYYY-MM-DD" if not DATE_SHAPE.match(value) else
                   "is not a real calendar date" if not _real(value) else
                   f"is outside the years a handover can be in ({YEARS.start} to {YEARS.stop - 1})")
            yield Finding("invalid_date", path, f"{_describe(slot)} {why} ({value}). Correct it.", {"value": value})
        elif f.happened and d > ctx.as_of:
            yield Finding("future_date", path,
                          f"{_describe(slot)} is {spoken(d)}, after the date of this check ({spoken(ctx.as_of)}): it "
                          "records something that has happened, so it cannot be in the future. Correct the date.",
                          {"value": value, "as_of": ctx.as_of.isoformat()})
    elif t == "bool":
        if not isinstance(value, bool):
            yield _bad_value(slot, path, value, "should be yes or no (true or false)")
    elif t == "choice":
        if not isinstance(value, str) or value not in vocab().codes(f.vocab or ""):
            yield _bad_value(slot, path, value, f"has {value!r}, which is not one of the choices")
    elif t == "multichoice":
        yield from _check_codes(slot, value, f.vocab or "")
    elif t == "nhs_number":
        if not isinstance(value, str) or not nhs_number_ok(value):
            yield Finding("nhs_number_invalid", path,
                          f"The NHS number {value} is not valid (it fails the check digit). Check it against the GP "
                          "or health record, or leave it empty if it is not known.", {"value": value})
    elif t == "upn":
        if not isinstance(value, str) or not upn_ok(value):
            yield Finding("upn_invalid", path,
                          f"The unique pupil number {value} is not valid (its check letter does not match). Check "
                          "it with the school, or leave it empty.", {"value": value})
    elif t == "postcode":
        if not isinstance(value, str) or not postcode_ok(value):
            yield Finding("postcode_invalid", path,
                          f"{value!r} does not look like a UK postcode. Check it, or leave it as it is if the "
                          "family lives outside the UK.", {"value": value})
    elif t == "names":
        if isinstance(value, list):
            for i, v in enumerate(value):
                if not isinstance(v, str):
                    yield _bad_value(slot, f"{path}[{i}]", v, "should list names as text")
    elif t in ("involved_with", "refs"):
        # handover-case/2: refs of the children and household members (a /1 document's names and
        # "child" became refs when it was upgraded; a name that matched nobody is still a name)
        if isinstance(value, list):
            for i, v in enumerate(value):
                if not isinstance(v, str) or v not in ctx.refs:
                    yield _bad_value(slot, f"{path}[{i}]", v, f"names {v!r}, who is {nobody}")
    elif t == "agency_checklist":
        if isinstance(value, dict):
            answers = set(vocab().codes("agency_check"))
            for k, v in value.items():
                if k not in AGENCY_TYPES:
                    yield _bad_value(slot, f"{path}.{k}", k, f"has {k!r}, which is not a type of agency")
                elif v not in answers:
                    yield _bad_value(slot, f"{path}.{k}", v,
                                     f"has {v!r} for {vocab().label('agency_types', k)}; "
                                     "use involved, not involved or not checked")


def _date_order(ctx: Context) -> Iterator[Finding]:
    for rule in ctx.form.date_order:
        early_list, late_list = "[]" in rule.earlier, "[]" in rule.later
        if early_list and late_list:   # the two dates of each entry of one list
            head = rule.earlier.split("[].")[0]
            pairs = zip(iter_paths(ctx.case, rule.earlier), iter_paths(ctx.case, rule.later))
            candidates = [((pe, ve), (pl, vl)) for (pe, ve), (pl, vl) in pairs if pe.startswith(head)]
        elif early_list:               # each entry's date against one date (each child's birth, the decision)
            later = next(iter_paths(ctx.case, rule.later))
            candidates = [(e, later) for e in iter_paths(ctx.case, rule.earlier)]
        elif late_list:
            earlier = next(iter_paths(ctx.case, rule.earlier))
            candidates = [(earlier, lt) for lt in iter_paths(ctx.case, rule.later)]
        else:
            candidates = [(next(iter_paths(ctx.case, rule.earlier)), next(iter_paths(ctx.case, rule.later)))]
        for (pe, ve), (pl, vl) in candidates:
            early, late = parse_iso(ve), parse_iso(vl)
            if early and late and early > late:
                yield Finding("date_order", pl, rule.message,
                              {"earlier": pe, "later": pl, "earlier_date": ve, "later_date": vl})


def run(ctx: Context) -> Iterator[Finding]:
    direction = ctx.case.get("direction")
    if not is_blank(direction) and direction not in directions():
        yield Finding("invalid_value", "direction",
                      f"The direction {direction!r} is not {join(directions())}. Say which way the case is moving.",
                      {"value": direction})
    children = ctx.case.get("children")
    several = isinstance(children, list) and len(children) > 1
    nobody = (f"neither {'one of the children' if several else 'the child'} nor anyone in the household list")
    for slot in ctx.slots:
        yield from _slot_findings(slot, ctx, nobody)
    yield from _date_order(ctx)

"""Reading dates out of a case: ISO ``YYYY-MM-DD`` only, a real calendar date or nothing."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_iso", "parse_person_date", "person_date_text", "is_blank", "DATE_SHAPE"]

DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


#: the years a date in a handover can be in: outside them it is a typing slip (0001-01-01, 9999-12-31),
#: reported as an invalid date, and no deadline is counted from it (nor working days across millennia)
YEARS = range(1900, 2200)


def parse_iso(value: object) -> date | None:
    """The date a value holds, or None when it is empty, not a string, not a real date, or outside
    :data:`YEARS`."""
    if not isinstance(value, str) or not DATE_SHAPE.match(value):
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return None
    return d if d.year in YEARS else None


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})\s*$")
_DAY_MONTH_NAME = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})\s*$")
_MONTHS = {m: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for m in names}


def parse_person_date(text: object) -> date | None:
    """A date as people in England write it — ``14/02/2019``, ``14-2-2019``, ``14.02.2019``, ``14 Feb
    2019``, ``14 February 2019`` (day first, four-digit year) — or ISO ``2019-02-14``; None when it is none
    of these or not a real date. A case stores it as ISO (SPEC section 3)."""
    if not isinstance(text, str):
        return None
    iso = parse_iso(text.strip())
    if iso is not None:
        return iso
    m = _DAY_FIRST.match(text)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _DAY_MONTH_NAME.match(text)
        if not m or m.group(2).lower() not in _MONTHS:
            return None
        day, month, year = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def person_date_text(value: object) -> str:
    """A stored ISO date as people write it (``14/02/2019``); anything else as it is."""
    d = parse_iso(value)
    return d.strftime("%d/%m/%Y") if d else ("" if value is None else str(value))


def is_blank(value: object) -> bool:
    """Nothing filled in: missing, null, empty or whitespace text, an empty list or object."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    from handover.case import MISSING

    return value is MISSING


def spoken(d: date) -> str:
    """A date as a message says it: "Mon 9 Nov 2026" (never ISO in a sentence a person reads)."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def spoken_text(value: object) -> str:
    """A stored value as a message says it: a date spoken ("Mon 9 Nov 2026"), anything else as written."""
    d = parse_iso(value)
    return spoken(d) if d else str(value)

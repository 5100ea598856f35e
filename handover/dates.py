"""Reading dates out of a case: ISO ``YYYY-MM-DD`` only, a real calendar date or nothing."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_iso", "is_blank", "DATE_SHAPE"]

DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso(value: object) -> date | None:
    """The date a value holds, or None when it is empty, not a string, or not a real date."""
    if not isinstance(value, str) or not DATE_SHAPE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


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

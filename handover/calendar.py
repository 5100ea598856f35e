"""Working days: Monday to Friday, less the bank holidays of a UK nation (the ``holidays`` package)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

__all__ = ["REGIONS", "WorkingCalendar", "calendar_for"]

#: region code used in protocols → the ``holidays`` package's subdivision of GB, and a label
REGIONS = {
    "england_wales": ("ENG", "England and Wales"),
    "scotland": ("SCT", "Scotland"),
    "northern_ireland": ("NIR", "Northern Ireland"),
}


class WorkingCalendar:
    """Counts working days for one region. Holidays are fetched per year and cached."""

    def __init__(self, region: str = "england_wales") -> None:
        if region not in REGIONS:
            raise ValueError(f"unknown bank-holiday region {region!r} (use one of {', '.join(REGIONS)})")
        self.region = region
        self._subdiv = REGIONS[region][0]
        self._years: dict[int, frozenset[date]] = {}

    def _holidays(self, year: int) -> frozenset[date]:
        got = self._years.get(year)
        if got is None:
            import holidays  # imported when first needed, off the app's start-up path

            got = frozenset(holidays.country_holidays("GB", subdiv=self._subdiv, years=year))
            self._years[year] = got
        return got

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays(d.year)

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after ``start`` (``start`` itself never counts)."""
        d = start
        left = n
        while left > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, after: date, up_to: date) -> int:
        """Working days d with ``after`` < d <= ``up_to`` (0 when ``up_to`` is not later)."""
        if up_to <= after:
            return 0
        count = 0
        d = after + timedelta(days=1)
        while d <= up_to:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return count

    def holidays_in(self, year: int) -> dict[date, str]:
        import holidays

        return dict(holidays.country_holidays("GB", subdiv=self._subdiv, years=year))


@cache
def calendar_for(region: str = "england_wales") -> WorkingCalendar:
    return WorkingCalendar(region)

"""Working days: Monday to Friday, less the bank holidays of a UK nation (the ``holidays`` package).

Importing ``holidays`` and working out a first year costs about a quarter of a second, more than the
rest of ``handover check``. So the dates it gives are kept in a small file in the user's cache folder,
named after the installed ``holidays`` release (its files' size and time): a new release, which may
add a bank holiday, is never answered from an old file. A missing or damaged file is only a slower start.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from functools import cache
from pathlib import Path

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
            self._years.update(_bank_holidays(self._subdiv, year))
            got = self._years[year]
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


#: years worked out together on a cache miss (a deadline rarely reaches further)
_SPAN = range(-2, 4)


def _cache_file() -> Path | None:
    """The cache file for the installed ``holidays`` release, or None (cache switched off or unknowable)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or not spec.origin:
            return None
        pkg = Path(spec.origin).parent
        stamp = "-".join(f"{(st := (pkg / f).stat()).st_size:x}{st.st_mtime_ns:x}"
                         for f in ("__init__.py", "version.py", "countries/united_kingdom.py"))
    except (OSError, ImportError, ValueError):
        return None
    folder = os.environ.get("HANDOVER_CACHE_DIR")
    if folder is None:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("handover", appauthor=False)
    return Path(folder) / f"bank-holidays-{stamp}.json" if folder else None


def _read_cache(path: Path | None) -> dict[str, dict[str, list[str]]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _bank_holidays(subdiv: str, year: int) -> dict[int, frozenset[date]]:
    """The bank holidays of ``year`` (and the years around it) in one part of the UK, cached on disk."""
    path = _cache_file()
    cached = _read_cache(path).get(subdiv)
    if isinstance(cached, dict) and str(year) in cached:
        try:
            return {int(y): frozenset(date.fromisoformat(d) for d in days) for y, days in cached.items()}
        except (TypeError, ValueError):
            pass  # a damaged file: work the dates out again
    import holidays  # imported only on a cache miss: it is the slowest part of a cold start

    years = [year + k for k in _SPAN]
    found = holidays.country_holidays("GB", subdiv=subdiv, years=years)
    out = {y: frozenset(d for d in found if d.year == y) for y in years}
    if path is not None:
        _write_cache(path, subdiv, out)
    return out


def _write_cache(path: Path, subdiv: str, years: dict[int, frozenset[date]]) -> None:
    """Merge into the file and replace it whole (``files.write_private``), so no process reads half of it."""
    from handover.files import write_private

    data = _read_cache(path)
    part = data.get(subdiv) if isinstance(data.get(subdiv), dict) else {}
    part.update({str(y): sorted(d.isoformat() for d in days) for y, days in years.items()})
    data[subdiv] = part
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(data, sort_keys=True).encode("utf-8"), error=OSError)
    except OSError:
        pass  # a read-only home folder: no cache, only a slower start


@cache
def calendar_for(region: str = "england_wales") -> WorkingCalendar:
    return WorkingCalendar(region)

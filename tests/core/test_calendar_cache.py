"""The bank-holiday cache: answers as the ``holidays`` package does, survives damage, never goes stale silently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import holidays
import pytest

from handover import calendar as cal


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("HANDOVER_CACHE_DIR", str(d))
    return d


def _truth(subdiv: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdiv, years=year))


@pytest.mark.parametrize("region,subdiv", [("england_wales", "ENG"), ("scotland", "SCT"),
                                           ("northern_ireland", "NIR")])
def test_cached_dates_are_the_packages_dates(cache_dir, region, subdiv):
    first = cal.WorkingCalendar(region)._holidays(2027)            # works them out and writes the file
    files = list(cache_dir.glob("bank-holidays-*.json"))
    assert len(files) == 1
    second = cal.WorkingCalendar(region)._holidays(2027)           # read back from the file
    assert first == second == _truth(subdiv, 2027)
    for y in (2025, 2026, 2028, 2029, 2030):                        # the years around it came too
        assert cal.WorkingCalendar(region)._holidays(y) == _truth(subdiv, y)


def test_a_warm_cache_does_not_import_holidays(cache_dir):
    cal.WorkingCalendar("england_wales")._holidays(2026)
    code = ("import sys; from datetime import date; from handover.calendar import calendar_for;"
            "d = calendar_for('england_wales').add_working_days(date(2026, 4, 1), 5);"
            "print(d.isoformat(), 'holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, HANDOVER_CACHE_DIR=str(cache_dir)))
    # Good Friday 3 April and Easter Monday 6 April 2026 are skipped
    assert out.stdout.split() == ["2026-04-10", "False"]


def test_the_file_is_what_is_used(cache_dir):
    cal.WorkingCalendar("england_wales")._holidays(2026)
    path = next(cache_dir.glob("bank-holidays-*.json"))
    data = json.loads(path.read_text())
    data["ENG"]["2026"] = ["2026-06-01"]                          # a date only this file knows
    path.write_text(json.dumps(data))
    assert cal.WorkingCalendar("england_wales")._holidays(2026) == {date(2026, 6, 1)}


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"ENG": {"2026": ["soon"]}}',
                                    b'{"ENG": {"2026": 7}}', b'{"ENG": "2026"}'])
def test_a_damaged_file_only_costs_time(cache_dir, damage):
    cal.WorkingCalendar("england_wales")._holidays(2026)
    path = next(cache_dir.glob("bank-holidays-*.json"))
    path.write_bytes(damage)
    assert cal.WorkingCalendar("england_wales")._holidays(2026) == _truth("ENG", 2026)
    assert json.loads(path.read_text())["ENG"]["2026"]               # written again, whole


def test_a_new_holidays_release_gets_a_new_file(cache_dir, monkeypatch):
    first = cal._cache_file()
    version = os.path.join(os.path.dirname(holidays.__file__), "version.py")
    st = os.stat(version)
    try:
        os.utime(version, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert cal._cache_file() != first
    finally:
        os.utime(version, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cal._cache_file() == first


def test_an_unwritable_cache_folder_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HANDOVER_CACHE_DIR", str(blocker / "cache"))
    assert cal.WorkingCalendar("scotland")._holidays(2026) == _truth("SCT", 2026)

"""A layout is a test too (STYLE 22, UX "Fits a council laptop"): every page and dialog of every role, on a
1366×768 screen at 100 % and at 150 % scaling, has no sideways scrolling, no window or dialog larger than
the screen, and no label or button whose text is cut off.

How the two screens are made, honestly: Qt lays out in logical pixels. A 1366×768 laptop panel at 150 %
display scaling gives the app a 911×512 logical screen with a device pixel ratio of 1.5 and fonts of the
same logical size — so to a layout it *is* a 911×512 screen. Qt's offscreen platform takes a screen
description (``offscreen:configfile=…``: size in logical pixels and the device pixel ratio), and that is
what each condition gets: 1366×768 at ratio 1, and 911×512 at ratio 1.5. Windows then size themselves
to that screen as they would on the laptop (the main window's ``_fit_screen``, a dialog's own size).
The screen has no window frames (``windowFrameMargins: false``), so sizes are compared without the
title bar a desktop adds: the room a frame takes is the window manager's, not the layout's.

A pytest process has one QApplication, on the offscreen default 800×800 screen, which cannot be
changed; so each condition runs the tour of ``scripts/tour.py`` in a process of its own (about 20 s each),
on a fresh demo database in a temporary folder, and writes what it found per stop as JSON. Each
stop is then one test here. The tour records every Python exception raised in a slot (through
``sys.excepthook``, as pytest-qt does) or by the stop itself, and a stop with one fails here too.

Checks per stop (``layout_problems`` in ``scripts/tour.py``): window and dialog sizes against the screen (and
their minimum size: one that cannot be made as small as the screen is cut off); any visible scroll area
whose content is wider than it (a horizontal scroll bar, or content hidden past a bar turned off); a
label that does not wrap whose text needs more width than it has; a word-wrapped label squashed below
the height its lines need; a button (push, check, radio) whose ``sizeHint`` is wider than it is; a label
or button running past the edge of what holds it; tabs that do not fit their bar.

Known problems in files owned elsewhere are marked ``xfail(strict=True)`` with the problem named: when
one is fixed the test passes unexpectedly and fails, so the mark is removed with the fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from tour import STOPS  # noqa: E402 — scripts/tour.py, the tour of every page and dialog

pytestmark = [pytest.mark.slow, pytest.mark.gui]

ROOT = Path(__file__).resolve().parents[2]

#: condition → (logical width, logical height, device pixel ratio)
SCREENS = {"1366x768": (1366, 768, 1.0), "150pc": (911, 512, 1.5)}

#: (condition, role, page) → why it fails now (the owner of that file fixes it, then removes the entry).
#: Empty: every page and dialog fits both screens (the checklist's names wrap, the findings go under the
#: form in a narrow window, the deadline cards fold on a short one, the workflow buttons and the
#: dashboard's filters wrap, and the dashboard scrolls up and down).
KNOWN: dict[tuple[str, str, str], str] = {}


def _params() -> list:
    out = []
    for condition in SCREENS:
        for role, page in STOPS:
            marks = []
            why = KNOWN.get((condition, role, page))
            if why:
                marks.append(pytest.mark.xfail(strict=True, reason=why))
            out.append(pytest.param(condition, role, page, id=f"{condition}-{role}-{page}", marks=marks))
    return out


_results: dict[str, dict] = {}


def _tour(condition: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The tour's findings on one screen (run once per condition, in a process of its own)."""
    if condition in _results:
        return _results[condition]
    width, height, ratio = SCREENS[condition]
    folder = tmp_path_factory.mktemp(f"layout-{condition}")
    config = folder / "screen.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": [{"name": f"laptop-{condition}", "x": 0, "y": 0, "width": width,
                                               "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                               "dpr": ratio}]}), encoding="utf-8")
    out = folder / "results.json"
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", HOME=str(folder / "home"),
               XDG_DATA_HOME=str(folder / "home" / "data"), XDG_CONFIG_HOME=str(folder / "home" / "config"),
               XDG_CACHE_HOME=str(folder / "home" / "cache"))
    env.pop("HANDOVER_DB", None)
    env.pop("QT_SCALE_FACTOR", None)
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "tour.py"), "--results", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    if not out.exists():
        pytest.fail(f"the tour did not finish on {condition} (exit {run.returncode}):\n{run.stderr[-4000:]}",
                    pytrace=False)
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["screen"] == [width, height], f"the tour saw a {found['screen']} screen, not {width}×{height}"
    _results[condition] = found
    return found


@pytest.mark.parametrize("condition,role,page", _params())
def test_every_page_fits_the_laptop(condition: str, role: str, page: str,
                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    found = _tour(condition, tmp_path_factory)["stops"].get(f"{role}-{page}")
    assert found is not None, f"the tour did not reach {role}-{page}"
    assert not found["exceptions"], "an exception in the app:\n" + "\n".join(found["exceptions"])
    assert not found["layout"], f"{role}-{page} on {condition}:\n  " + "\n  ".join(found["layout"])


def test_the_tour_visits_every_role_and_enough_pages() -> None:
    roles = {r for r, _p in STOPS}
    assert {"start", "practitioner", "eh-practitioner", "manager", "receiver", "csc-receiver", "admin"} <= roles
    assert len(STOPS) >= 30
    assert len(set(STOPS)) == len(STOPS)

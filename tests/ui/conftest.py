"""Fixtures for the editor tests: a fixed as-of date, example cases, a shown and active editor."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from dialog_guard import _check_your_answers_never_blocks  # noqa: F401 — autouse, shared

from handover.case import load_case
from handover.resources import resource_path

AS_OF = date(2026, 11, 25)


@pytest.fixture
def gaps_case():
    return load_case(resource_path("examples", "step_up_with_gaps.json"))


@pytest.fixture
def complete_case():
    return load_case(resource_path("examples", "step_down_complete.json"))


@pytest.fixture
def make_editor(qtbot):
    """Build a CaseEditor on a case, shown and active so focus can be asserted."""
    from ui.editor import CaseEditor

    def make(case, *, show=True, **kw):
        ed = CaseEditor(as_of=AS_OF, **kw)
        qtbot.addWidget(ed)
        ed.resize(1400, 900)
        ed.load_case(case)
        if show:
            ed.show()
            qtbot.waitExposed(ed)
            ed.activateWindow()
            qtbot.waitUntil(ed.isActiveWindow, timeout=2000)
        return ed

    return make


def large_case(base: dict, agencies: int = 60, events: int = 500) -> dict:
    """A synthetic case the size of a large real one."""
    from handover.vocab import AGENCY_TYPES

    case = copy.deepcopy(base)
    a0 = case["agencies"][0]
    case["agencies"] = [dict(copy.deepcopy(a0), type=AGENCY_TYPES[i % len(AGENCY_TYPES)], name=f"Agency {i + 1}")
                        for i in range(agencies)]
    e0 = case["chronology"][0]
    case["chronology"] = [dict(copy.deepcopy(e0), date=f"2026-{1 + i % 10:02d}-{1 + i % 28:02d}",
                               event=f"Synthetic event {i + 1}: a home visit was made and notes were taken.")
                          for i in range(events)]
    return case


@pytest.fixture
def data(tmp_path, tmp_path_factory):
    """The fixed receiving dataset of tests/receiving_data.py, copied fresh for each test."""
    from receiving_data import fresh

    d = fresh(tmp_path, tmp_path_factory)
    yield d
    d.store.close()


"""The managers' dashboard on a fixed dataset (see tests/receiving_data.py for the hand-computed figures):
counts, overdue rows, filters, escalations, charts, and exports read back."""

from __future__ import annotations

import csv
import os

import pytest

pytest.importorskip("PySide6")

from receiving_data import EXPECTED_LATE, EXPECTED_OVERDUE  # noqa: E402

from handover.export import OVERDUE_COLUMNS  # noqa: E402
from ui.qt import Qt  # noqa: E402


@pytest.fixture
def page(qtbot, data):
    from ui.dashboard import DashboardPage

    p = DashboardPage(data.app(data.mgr), background=False)
    qtbot.addWidget(p)
    p.resize(1440, 900)
    return p


def _rows(page):
    m = page.model
    while m.canFetchMore():
        m.fetchMore()
    return {(r.id, r.rule, r.status, r.working_days_overdue) for r in m.rows()}


def _pick(box, data_value):
    i = box.findData(data_value)
    assert i >= 0, data_value
    box.setCurrentIndex(i)


def test_counts_by_state_and_direction(page):
    assert page.count("draft", "step_down") == 1 and page.count("draft", "step_up") == 1
    assert page.count("sent", "step_down") == 2 and page.count("sent", "step_up") == 0
    assert page.count("accepted") == 0
    assert page.count("total") == 4


def test_overdue_rows_equal_the_hand_computed_list(page):
    assert _rows(page) == EXPECTED_OVERDUE                      # default: overdue now
    assert page.count_label.text() == "9 deadlines in the list"
    _pick(page.status, "overdue,late")
    assert _rows(page) == EXPECTED_OVERDUE | EXPECTED_LATE
    _pick(page.status, "late")
    assert _rows(page) == EXPECTED_LATE
    # most working days overdue first by default
    _pick(page.status, "overdue")
    days = [r.working_days_overdue for r in page.model.rows()]
    assert days == sorted(days, reverse=True)


def test_filters_by_team_direction_rule_and_worker(page, data):
    _pick(page.team, data.teams["Early Help West"])
    assert _rows(page) == {("SU-C", "csc_decision", "overdue", 2)}
    _pick(page.team, None)
    _pick(page.direction, "step_down")
    assert {r[0] for r in _rows(page)} == {"SD-A", "SD-B", "SD-D"}
    _pick(page.rule, "handover_meeting")
    assert _rows(page) == {("SD-A", "handover_meeting", "overdue", 7), ("SD-B", "handover_meeting", "overdue", 7),
                           ("SD-D", "handover_meeting", "overdue", 7)}
    _pick(page.direction, None)
    _pick(page.rule, None)
    _pick(page.worker, data.eh_prac.user_id)
    assert _rows(page) == {("SU-C", "csc_decision", "overdue", 2)}
    _pick(page.worker, data.prac.user_id)
    assert len(_rows(page)) == 8


def test_sorting_goes_to_the_query(page):
    col = OVERDUE_COLUMNS.index("id")
    page.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    ids = [r.id for r in page.model.rows()]
    assert ids == sorted(ids, reverse=True) and ids[0] == "SU-C"
    page.table.sortByColumn(OVERDUE_COLUMNS.index("working_days_overdue"), Qt.SortOrder.AscendingOrder)
    assert page.model.rows()[0].working_days_overdue == 2


def test_escalations_are_said_in_words_and_highlighted(page):
    assert page.escalation_frame.isVisibleTo(page)
    text = page.escalations.text()
    assert "1 waiting for acknowledgement" in text and "2 waiting for allocation of a lead professional" in text
    page.show_escalations.click()
    assert _rows(page) == {("SD-D", "acknowledged", "overdue", 12), ("SD-D", "lead_professional_agreed", "overdue", 12),
                           ("SD-B", "lead_professional_agreed", "overdue", 12)}
    status_col = OVERDUE_COLUMNS.index("status")
    texts = {page.model.data(page.model.index(i, status_col)) for i in range(page.model.rowCount())}
    assert texts == {"OVERDUE — escalate"}
    spoken = {page.model.data(page.model.index(i, status_col), Qt.ItemDataRole.AccessibleTextRole)
              for i in range(page.model.rowCount())}
    assert spoken == {"OVERDUE — escalate: waiting for acknowledgement longer than the protocol allows",
                      "OVERDUE — escalate: waiting for allocation of a lead professional longer than the protocol "
                      "allows"}
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    page.only_escalations.setChecked(False)
    plain = [i for i, r in enumerate(page.model.rows()) if r.id == "SD-A"]
    assert page.model.data(page.model.index(plain[0], status_col)) == "OVERDUE"
    assert page.model.data(page.model.index(plain[0], 0), Qt.ItemDataRole.BackgroundRole) is None


def test_charts_have_the_numbers_and_a_text_alternative(page, qtbot):
    assert page.charts_ready()
    assert page.team_chart.counts == [("CSC North", 8), ("Early Help West", 1)]
    assert "CSC North: 8" in page.team_chart.accessibleDescription()
    assert page.timeliness.bars == [("2026-11", 2, 12)]        # 2 of 12 settled deadlines met
    assert "Nov 26: 17% of 12 met" in page.timeliness.accessibleDescription()
    _pick(page.chart_rule, "pack_sent")
    assert page.timeliness.bars == [("2026-11", 2, 3)]
    img = page.grab()
    assert not img.isNull()


def test_exports_read_back_equal_the_screen(page, tmp_path):
    from openpyxl import load_workbook

    from handover.export import OVERDUE_HEADINGS, people_value

    _pick(page.status, "overdue,late")
    screen = [[page.model.text(r, c) if c in ("id", "child", "team", "owner") else str(getattr(r, c))
               for c in OVERDUE_COLUMNS] for r in page.model.rows()]
    # the workbook is for people: the headings and the codes in words, the dates as dates
    words = [[page.model.text(r, c) if c in ("id", "child", "team", "owner") else
              people_value(c, getattr(r, c)).isoformat() if c == "due" else str(people_value(c, getattr(r, c)))
              for c in OVERDUE_COLUMNS] for r in page.model.rows()]
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"overdue.{fmt}"
        page.choose_path = lambda _f, _s, p=path: str(p)
        assert page.export_overdue(fmt) == 10
        assert os.stat(path).st_mode & 0o777 == 0o600
        if fmt == "csv":
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
        else:
            ws = load_workbook(path).active
            rows = [[("" if v is None else v.date().isoformat() if hasattr(v, "date") else str(v)) for v in row]
                    for row in ws.iter_rows(values_only=True)]
        if fmt == "csv":
            assert rows[0] == list(OVERDUE_COLUMNS)
            assert rows[1:] == screen
        else:
            assert rows[0] == [OVERDUE_HEADINGS[c] for c in OVERDUE_COLUMNS]
            assert rows[1:] == words
        assert "Exported 10 rows" in page.message.text()


def test_transitions_export_has_ssd_columns(page, tmp_path, data):
    from openpyxl import load_workbook

    path = tmp_path / "transitions.xlsx"
    page.choose_path = lambda _f, _s: str(path)
    assert page.export_transitions("xlsx") == 4
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    from handover.export import TRANSITION_COLUMNS, heading

    head = list(rows[0])
    assert head[:3] == ["Person ID", "NHS number", "Date of birth"]     # the workbook's headings, in words
    assert head == [heading(c) for c in TRANSITION_COLUMNS]
    head = list(TRANSITION_COLUMNS)                                     # the SSD fields they stand for
    by_id = {r[head.index("handover_id")]: dict(zip(head, r)) for r in rows[1:]}
    assert set(by_id) == {"SD-A", "SD-B", "SD-D", "SU-C"}
    assert by_id["SD-D"]["earl_episode_id"] == "SD-D"
    assert by_id["SD-D"]["earl_episode_organisation"] == "Early Help East"
    assert by_id["SU-C"]["cine_referral_id"] == "SU-C"
    assert by_id["SU-C"]["cine_referral_date"].date().isoformat() == "2026-11-20"
    assert by_id["SD-D"]["overdue_count"] == 3 and by_id["SU-C"]["overdue_count"] == 1


def test_a_row_opens_its_handover_on_double_click_or_enter(page, qtbot):
    from PySide6.QtTest import QTest

    page.show()
    qtbot.waitExposed(page)
    table, model = page.table, page.model
    assert model.rowCount() > 1
    opened: list[str] = []
    page.open_case.connect(opened.append)
    row = 1
    rect = table.visualRect(model.index(row, OVERDUE_COLUMNS.index("child")))
    # a double-click as a mouse gives it: a click, then the double-click on the same row
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert opened == []                                   # a single click selects, it does not open
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert opened == [model.row_at(row).id]               # once, with the row's handover id
    table.setFocus()
    table.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [model.row_at(row).id, model.row_at(0).id]
    page._open_row(model.index(-1, -1))                   # no row: nothing opens
    assert len(opened) == 2


def test_the_table_shows_no_code_and_dates_as_people_write_them(page):
    import re

    from handover import labels

    _pick(page.status, "overdue,late")
    m = page.model
    heads = [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]
    assert "Deadline" in heads and not any("_" in h for h in heads)
    for i in range(m.rowCount()):
        r = m.row_at(i)
        texts = {c: m.data(m.index(i, OVERDUE_COLUMNS.index(c))) for c in OVERDUE_COLUMNS}
        assert texts["rule"] == labels.rule_label(r.rule) and texts["state"] == labels.state_label(r.state)
        assert texts["status"].startswith(labels.status_label(r.status))
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", texts["due"]), texts["due"]
        assert texts["due"] == r.due.strftime("%d/%m/%Y")
        for c in ("direction", "rule", "state", "status"):
            assert "_" not in texts[c], (c, texts[c])
    states = [page.counts.verticalHeaderItem(i).text() for i in range(page.counts.rowCount())]
    assert "Awaiting authorisation" in states

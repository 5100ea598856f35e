"""The workbook is for people, the CSV for scripts (issue 15): the XLSX exports have headings and values
in words and dates shown DD/MM/YYYY; the CSV keeps SPEC section 6's columns and codes, byte for byte."""

from __future__ import annotations

import re
from datetime import date

from handover import labels
from handover.export import (OVERDUE_COLUMNS, OVERDUE_HEADINGS, TRANSITION_COLUMNS, Table, overdue_table,
                             transition_row, write_csv, write_xlsx)
from handover.store.queries import OverdueItem
from handover.workflow import STATES

#: a code: two or more lower-case words joined by underscores (``csc_decision``, ``pers_person_id``)
SNAKE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")

ITEMS = [OverdueItem("SD-1", "Ada Example", "step_down", "CSC North", "Pat P", "awaiting_authorisation",
                     "lead_professional_agreed", date(2026, 11, 9), "overdue", 12),
         OverdueItem("SU-2", "Bo Example", "step_up", "EH West", "", "acknowledged", "csc_decision",
                     date(2026, 11, 23), "late", 2, done=date(2026, 11, 25))]

CASE = {"id": "SD-9", "direction": "step_down",
        "child": {"nhs_number": "9434765919", "date_of_birth": "2019-03-04", "gender": "female",
                  "ethnicity": "WBRI", "upn": "", "local_ids": {"csc": "P123", "early_help": "EH9"}},
        "transition": {"decision_date": "2026-11-02", "reason": "Needs met", "current_plan": "child_in_need"},
        "plan": {"lead_professional": {"name": "Lee", "agency": "early_help", "agreed_date": "2026-11-06"}},
        "events": {"pack_sent": "2026-11-04"}, "sign_off": {"receiving": {"decision": "accepted"}}}


def _codes() -> set[str]:
    """Every code an export cell could hold that people should not read."""
    from handover.vocab import vocab

    v = vocab()
    return (set(STATES) | set(labels.directions()) | set(labels.labels_table("rules"))
            | set(labels.labels_table("deadline_statuses")) | set(v.codes("current_plan"))
            | set(v.codes("agency_types")) | set(v.codes("receiving_decision")) | {"01", "02", "09", "00"})


def _sheet(path):
    from openpyxl import load_workbook

    return load_workbook(path).active


def _no_code(rows, *, allow=()):
    head = rows[0]
    for h in head:
        assert isinstance(h, str) and not SNAKE.match(h) and h not in OVERDUE_COLUMNS + TRANSITION_COLUMNS, h
    for row in rows[1:]:
        for h, v in zip(head, row):
            if isinstance(v, str) and h not in allow:
                assert not SNAKE.match(v) and v not in _codes(), (h, v)


def test_the_overdue_workbook_reads_in_words(tmp_path):
    path = tmp_path / "o.xlsx"
    write_xlsx(path, overdue_table(ITEMS))
    ws = _sheet(path)
    rows = list(ws.iter_rows(values_only=True))
    _no_code(rows)
    assert list(rows[0]) == [OVERDUE_HEADINGS[c] for c in OVERDUE_COLUMNS]
    row = dict(zip(rows[0], rows[1]))
    assert row["Deadline"] == labels.rule_label("lead_professional_agreed") == "Lead professional agreed"
    assert row["State"] == "Awaiting authorisation" and row["Direction"] == "Step-down"
    assert row["Status"] == labels.status_label("overdue")
    assert dict(zip(rows[0], rows[2]))["Deadline"] == labels.rule_label("csc_decision")
    assert dict(zip(rows[0], rows[2]))["Status"] == "Done late"
    due = ws.cell(row=2, column=OVERDUE_COLUMNS.index("due") + 1)
    assert due.is_date and due.value.date() == date(2026, 11, 9) and due.number_format.lower() == "dd/mm/yyyy"


def test_the_transitions_workbook_reads_in_words(tmp_path):
    path = tmp_path / "t.xlsx"
    row = transition_row(CASE, state="awaiting_authorisation", sending_team="CSC North", receiving_team="EH East",
                         owner="Pat", next_rule="handover_meeting", next_due=date(2026, 11, 16), overdue_count=1)
    write_xlsx(path, Table(TRANSITION_COLUMNS, [row]))
    ws = _sheet(path)
    rows = list(ws.iter_rows(values_only=True))
    _no_code(rows, allow=("Ethnicity",))
    got = dict(zip(rows[0], rows[1]))
    assert got["Person ID"] == "P123" and got["Gender"] == "Female" and got["Direction"] == "Step-down"
    assert got["State"] == "Awaiting authorisation" and got["Next deadline"] == "Handover meeting held"
    assert got["Plan the child is on"] == "Child in need plan" and got["Lead professional's agency"] == "Early help"
    assert got["Receiving team's decision"] == "Accepted"
    for i, c in enumerate(TRANSITION_COLUMNS, start=1):
        cell = ws.cell(row=2, column=i)
        if cell.is_date:
            assert cell.number_format.lower() == "dd/mm/yyyy", c
    assert got["Date of birth"].date() == date(2019, 3, 4)


def test_the_csv_keeps_specs_columns_and_codes(tmp_path):
    path = tmp_path / "o.csv"
    write_csv(path, overdue_table(ITEMS))
    assert path.read_bytes().decode("utf-8") == (
        "id,child,direction,team,owner,state,rule,due,status,working_days_overdue,agency_type\r\n"
        "SD-1,Ada Example,step_down,CSC North,Pat P,awaiting_authorisation,lead_professional_agreed,2026-11-09,"
        "overdue,12,\r\n"
        "SU-2,Bo Example,step_up,EH West,,acknowledged,csc_decision,2026-11-23,late,2,\r\n")
    path = tmp_path / "t.csv"
    row = transition_row(CASE, state="accepted", sending_team="CSC North", receiving_team="EH East", owner="Pat",
                         next_rule="handover_meeting", next_due=date(2026, 11, 16), overdue_count=1)
    write_csv(path, Table(TRANSITION_COLUMNS, [row]))
    head, body = path.read_bytes().decode("utf-8").split("\r\n")[:2]
    assert head.split(",") == list(TRANSITION_COLUMNS)
    assert body == ("P123,9434765919,2019-03-04,02,WBRI,,SD-9,P123,2026-11-06,Needs met,EH East,Lee,,,,,,2026-11-02,"
                    "SD-9,step_down,accepted,CSC North,EH East,Pat,2026-11-02,child_in_need,2026-11-04,,,early_help,"
                    "accepted,handover_meeting,2026-11-16,1")


def test_every_export_column_has_a_heading_in_labels_yaml():
    table = labels.labels_table("columns")
    for c in OVERDUE_COLUMNS + TRANSITION_COLUMNS:
        assert c in table, c

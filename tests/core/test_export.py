"""handover.export: CSV and XLSX of the overdue and transitions lists, read back; private files; SSD columns."""

from __future__ import annotations

import csv
import os
from datetime import date

import pytest

from handover.export import (OVERDUE_COLUMNS, TRANSITION_COLUMNS, ExportError, Table, overdue_table,
                             transition_row, write_csv, write_table, write_xlsx)
from handover.store.queries import OverdueItem

ITEMS = [OverdueItem("SD-1", "Ada Example", "step_down", "CSC North", "Pat P", "sent", "acknowledged",
                     date(2026, 11, 9), "overdue", 12),
         OverdueItem("SU-2", "=HYPERLINK(\"x\")", "step_up", "EH West", "", "draft", "csc_decision",
                     date(2026, 11, 23), "late", 2, done=date(2026, 11, 25))]


def test_overdue_csv_reads_back(tmp_path):
    path = tmp_path / "o.csv"
    assert write_csv(path, overdue_table(ITEMS)) == 2
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(OVERDUE_COLUMNS)
    assert rows[1] == ["SD-1", "Ada Example", "step_down", "CSC North", "Pat P", "sent", "acknowledged", "2026-11-09",
                       "overdue", "12", ""]
    assert rows[2][1] == "'=HYPERLINK(\"x\")"          # never run as a formula by a spreadsheet
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_overdue_xlsx_reads_back_with_real_dates(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "o.xlsx"
    assert write_xlsx(path, overdue_table(ITEMS)) == 2
    assert os.stat(path).st_mode & 0o777 == 0o600
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ["Handover ID", "Child", "Direction", "Sending team", "Owner", "State", "Deadline", "Due",
                             "Status", "Working days overdue", "Agency"]
    assert rows[1][:7] == ("SD-1", "Ada Example", "Step-down", "CSC North", "Pat P", "Sent",
                           "Acknowledged by the receiving team")
    assert rows[1][7].date() == date(2026, 11, 9) and rows[1][9] == 12
    assert ws["H2"].number_format.lower() == "dd/mm/yyyy"           # a real date, shown as people write it
    assert rows[2][4] is None


def test_transition_row_maps_ssd_fields():
    case = {"id": "SD-9", "direction": "step_down",
            "child": {"nhs_number": "9434765919", "date_of_birth": "2019-03-04", "gender": "female",
                      "ethnicity": "WBRI", "upn": "", "local_ids": {"csc": "P123", "early_help": "EH9"}},
            "transition": {"decision_date": "2026-11-02", "reason": "Needs met", "current_plan": "child_in_need"},
            "plan": {"lead_professional": {"name": "Lee", "agency": "early_help", "agreed_date": "2026-11-06"}},
            "events": {"pack_sent": "2026-11-04"}}
    row = dict(zip(TRANSITION_COLUMNS, transition_row(case, state="accepted", sending_team="CSC North",
                                                      receiving_team="EH East", owner="Pat")))
    assert row["pers_person_id"] == "P123" and row["earl_person_id"] == "P123"
    assert row["pers_gender"] == "02" and row["pers_dob"] == date(2019, 3, 4)
    assert row["earl_episode_start_date"] == date(2026, 11, 6)
    assert row["earl_episode_organisation"] == "EH East" and row["earl_episode_worker_id"] == "Lee"
    assert row["cine_close_date"] == date(2026, 11, 2)
    assert row["cine_referral_id"] == "" and row["cine_referral_date"] is None
    up = dict(case, direction="step_up", transition={"referral_date": "2026-11-20"})
    row = dict(zip(TRANSITION_COLUMNS, transition_row(up, state="sent", sending_team="EH West",
                                                      receiving_team="Front Door", owner="")))
    assert row["cine_referral_id"] == "SD-9" and row["cine_referral_date"] == date(2026, 11, 20)
    assert row["cine_referral_source_desc"] == "Early help: EH West" and row["earl_episode_id"] == ""


def test_unknown_format_and_unwritable_folder_are_refused(tmp_path):
    with pytest.raises(ExportError, match="cannot export as 'pdf'"):
        write_table(tmp_path / "x.pdf", Table(("a",), []))
    with pytest.raises(ExportError, match="no such folder"):
        write_csv(tmp_path / "missing" / "x.csv", Table(("a",), [[1]]))
    assert [p.name for p in tmp_path.iterdir()] == ["home"]   # nothing written (home: the autouse fixture)

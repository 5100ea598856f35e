"""The app where people feel it: the list's first page painted, start-up to an interactive window, memory.
Each against a bare PySide6 equivalent measured in the same run (offscreen)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.core import Row
from bench.store_bench import RESULTS, demo_database

# ru_maxrss survives exec (it would report the benchmark's own peak): read VmHWM, which does not
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

BARE_WINDOW = PEAK + """
import sys, time
t = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.show(); app.processEvents()
print(time.perf_counter() - t, peak_mb())
"""

APP_WINDOW = PEAK + """
import sys, time
t = time.perf_counter()
import ui.app
ui.app.run_app(sys.argv[1], smoke=True)
print(ui.app.shown_at - t, peak_mb())
"""

# what a person sees first: the sign-in window (the database opens on a thread behind it)
SIGN_IN = PEAK + """
import sys, time
t = time.perf_counter()
import ui.app
ui.app.run_app(sys.argv[1], smoke="signin")
print(ui.app.shown_at - t, peak_mb())
"""

FIRST_PAGE = """
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from handover.app import open_gate
from ui.operations import UiApp
gate, message = open_gate(sys.argv[1])
assert gate is not None, message
store = gate.store
ui_app = UiApp(gate.smoke_context())
from ui.case_list import CaseListView, handover_list_model
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from sqlalchemy import text

class Bare(QAbstractTableModel):
    def __init__(self, rows): super().__init__(); self.rows = rows
    def rowCount(self, p=QModelIndex()): return len(self.rows)
    def columnCount(self, p=QModelIndex()): return 7
    def data(self, i, role=Qt.ItemDataRole.DisplayRole):
        return str(self.rows[i.row()][i.column()]) if role == Qt.ItemDataRole.DisplayRole else None

def ours():
    t = time.perf_counter()
    v = CaseListView(handover_list_model(ui_app))
    v.resize(1200, 800); v.show(); v.table.viewport().repaint(); app.processEvents()
    dt = time.perf_counter() - t
    v.close(); v.deleteLater(); app.processEvents()
    return dt

def bare():
    t = time.perf_counter()
    with store.engine.connect() as c:
        rows = c.execute(text("SELECT case_id, child_family_name, direction, state, decision_date, "
                              "updated_at, current_version FROM handovers ORDER BY updated_at DESC LIMIT 200")).all()
    v = QTableView(); v.setModel(Bare(rows)); v.resize(1200, 800); v.show(); v.viewport().repaint()
    app.processEvents()
    dt = time.perf_counter() - t
    v.close(); v.deleteLater(); app.processEvents()
    return dt

ours(); bare()
pairs = [(ours(), bare()) for _ in range(9)]          # alternated: a drifting machine slows both alike
print(sorted(a for a, _ in pairs)[4], sorted(b for _, b in pairs)[4])
"""


def _py(code: str, *args: str) -> list[float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[1], timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def first_page(url: str) -> tuple[float, float]:
    """The list's first page painted, ours and a bare QTableView over the same rows (medians, seconds)."""
    ours, bare = _py(FIRST_PAGE, url)
    return ours, bare


def run(quick: bool = False) -> list[Row]:
    n = 10_000 if quick else 100_000
    url = f"sqlite:///{RESULTS / f'demo-{n}.sqlite'}"
    demo_database(url, n).close()
    rows = []
    ours, bare = first_page(url)
    rows.append(Row(f"handover list, first page painted ({n:,})", ours, bare, "≤ 2×"))
    starts, signins, bares, rss, bare_rss = [], [], [], [], []
    for _ in range(5):                       # alternated, so a busy machine slows each alike
        t, m = _py(APP_WINDOW, url)
        starts.append(t)
        rss.append(m)
        signins.append(_py(SIGN_IN, url)[0])
        t, m = _py(BARE_WINDOW)
        bares.append(t)
        bare_rss.append(m)
    rows.append(Row(f"start to the first window, sign-in ({n:,})", statistics.median(signins),
                    statistics.median(bares), "≤ 1.5×", note="the database opens behind it"))
    rows.append(Row(f"start to the main window, first page painted ({n:,})", statistics.median(starts),
                    statistics.median(bares), "≤ 1.5×", note="no sign-in; imports included"))
    rows.append(Row(f"peak memory, app with {n:,} listed", statistics.median(rss), statistics.median(bare_rss),
                    "≤ 150 MB more", unit="MB"))
    return rows


if __name__ == "__main__":
    t = time.perf_counter()
    for r in run(quick=True):
        print(r)
    print(time.perf_counter() - t)

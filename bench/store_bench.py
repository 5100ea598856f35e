"""The overdue report against the floor: the project's ``overdue_items`` vs minimal hand-written indexed SQL
over the same database file returning the same rows; on SQLite at several sizes (and PostgreSQL when
``HANDOVER_BENCH_PG_URL`` names a server). Writes bench/results/scale.png (drawn with Qt, log axes).
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import text

from bench.core import Row, paired_medians

RESULTS = Path(__file__).resolve().parent / "results"
AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

FLOOR_SQL = """
SELECT h.case_id, h.child_given_name, h.child_family_name, h.direction, t.name, u.display_name, h.state,
       d.rule, d.due, d.done
FROM deadlines d
JOIN handovers h ON h.id = d.handover_id
LEFT JOIN teams t ON t.id = d.team_id
LEFT JOIN users u ON u.id = h.owner_id
WHERE (d.done IS NULL AND d.due < :as_of) OR d.late = :yes
ORDER BY d.due, h.case_id, d.rule
"""


def demo_database(url: str, n: int):
    """Open (creating once) a demo database with ``n`` handovers."""
    from handover import demo
    from handover.store.database import open_database

    store = open_database(url).store
    with store.read() as s:
        have = s.execute(text("SELECT count(*) FROM handovers")).scalar()
    if have < n:
        t = time.perf_counter()
        demo.generate(store, n - have, today=AS_OF, now=NOW)
        print(f"  made {n - have:,} demo handovers in {time.perf_counter() - t:.1f} s", flush=True)
    return store


def measure(store, label: str, runs: int = 5) -> tuple[Row, int, float]:
    from handover.store.queries import overdue_items

    def ours():
        with store.read() as s:
            return overdue_items(s, AS_OF)

    def floor():
        with store.engine.connect() as c:
            return c.execute(text(FLOOR_SQL), {"as_of": AS_OF, "yes": True}).all()

    n_ours, n_floor = len(ours()), len(floor())
    assert n_ours == n_floor, f"different rows: {n_ours} vs {n_floor}"
    t_ours, t_floor = paired_medians(ours, floor, runs=runs)
    return Row(f"overdue report, {label} ({n_ours:,} rows)", t_ours, t_floor, "≤ 2× the floor"), n_ours, t_ours


def run(quick: bool = False) -> list[Row]:
    RESULTS.mkdir(exist_ok=True)
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    if os.environ.get("HANDOVER_BENCH_MILLION"):
        sizes.append(1_000_000)
    rows, points, pages = [], [], []
    for n in sizes:
        url = f"sqlite:///{RESULTS / f'demo-{n}.sqlite'}"
        store = demo_database(url, n)
        row, returned, t = measure(store, f"SQLite, {n:,} handovers", runs=3 if n >= 100_000 else 5)
        rows.append(row)
        points.append((n, returned, t, row.floor))
        store.close()
        try:
            from bench.ui_bench import first_page

            ours, bare = first_page(url)
            pages.append((n, ours, bare))
            rows.append(Row(f"handover list, first page painted ({n:,})", ours, bare, "≤ 2×"))
        except (ImportError, RuntimeError) as e:     # no Qt here: the overdue report still gets its plot
            print(f"  (list at {n:,}: not measured: {e})")
    pg = os.environ.get("HANDOVER_BENCH_PG_URL")
    if pg:
        n = sizes[-1]
        store = demo_database(pg, n)
        rows.append(measure(store, f"PostgreSQL, {n:,} handovers", runs=3)[0])
        store.close()
    plot_scale(points, pages, RESULTS / "scale.png")
    print(f"  wrote {RESULTS / 'scale.png'}")
    return rows


def plot_scale(points: list[tuple[int, int, float, float]], pages: list[tuple[int, float, float]],
               out: Path) -> None:
    """Time against size on log axes, drawn with Qt (no plotting dependency): the overdue report (ours and
    the hand-written SQL) and the list's first page (ours and a bare QTableView)."""
    import math

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need an application
    series = [
        ("overdue report (ours)", "#1d4f91", Qt.PenStyle.SolidLine, "o", [(n, t) for n, _r, t, _f in points]),
        ("overdue, hand-written SQL (floor)", "#1d4f91", Qt.PenStyle.DashLine, "s", [(n, f) for n, *_, f in points]),
        ("list, first page painted (ours)", "#b10e1e", Qt.PenStyle.SolidLine, "o", [(n, o) for n, o, _b in pages]),
        ("list, bare QTableView (floor)", "#b10e1e", Qt.PenStyle.DashLine, "s", [(n, b) for n, _o, b in pages]),
    ]
    series = [s for s in series if s[4]]
    w, h, m = 960, 600, 80
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    xs = [math.log10(n) for *_, pts in series for n, _t in pts]
    ys = [math.log10(max(t, 1e-5)) for *_, pts in series for _n, t in pts]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    x1 = max(x1, x0 + 1)
    y1 = max(y1, y0 + 1)

    def at(x: float, y: float) -> QPointF:
        return QPointF(m + (x - x0) / (x1 - x0) * (w - 2 * m), h - m - (y - y0) / (y1 - y0) * (h - 2 * m))

    p.setFont(QFont("DejaVu Sans", 10))
    p.setPen(QPen(QColor("#bbb"), 1))
    for k in range(x0, x1 + 1):
        a = at(k, y0)
        p.drawLine(a, at(k, y1))
        p.setPen(QPen(QColor("#444")))
        p.drawText(QRectF(a.x() - 60, a.y() + 6, 120, 20), Qt.AlignmentFlag.AlignHCenter, f"{10 ** k:,}")
        p.setPen(QPen(QColor("#bbb"), 1))
    for k in range(y0, y1 + 1):
        a = at(x0, k)
        p.drawLine(a, at(x1, k))
        p.setPen(QPen(QColor("#444")))
        p.drawText(QRectF(a.x() - 78, a.y() - 10, 72, 20), Qt.AlignmentFlag.AlignRight, f"{10 ** k * 1000:g} ms")
        p.setPen(QPen(QColor("#bbb"), 1))
    p.setPen(QPen(QColor("#222")))
    p.setFont(QFont("DejaVu Sans", 12))
    p.drawText(QRectF(0, 10, w, 30), Qt.AlignmentFlag.AlignHCenter,
               "Time against handovers in the database (log–log, SQLite)")
    p.drawText(QRectF(0, h - 40, w, 30), Qt.AlignmentFlag.AlignHCenter, "handovers in the database")
    p.setFont(QFont("DejaVu Sans", 10))
    for i, (label, colour, style, mark, pts) in enumerate(series):
        p.setPen(QPen(QColor(colour), 2, style))
        q = [at(math.log10(n), math.log10(max(t, 1e-5))) for n, t in pts]
        for a, b in zip(q, q[1:]):
            p.drawLine(a, b)
        for c in q:
            if mark == "o":
                p.drawEllipse(c, 4, 4)
            else:
                p.drawRect(QRectF(c.x() - 4, c.y() - 4, 8, 8))
        y = m - 20 + 20 * i                               # the key, top left
        p.drawLine(QPointF(m + 10, y), QPointF(m + 50, y))
        p.setPen(QPen(QColor("#222")))
        p.drawText(QPointF(m + 60, y + 5), label)
    p.setPen(QPen(QColor("#444")))
    for n, returned, t, _f in points:
        q = at(math.log10(n), math.log10(max(t, 1e-5)))
        last = q.x() >= w - 200                          # the right edge: the label goes above and left
        p.drawText(QPointF(q.x() - 175 if last else q.x() + 10, q.y() - 14 if last else q.y() + 24),
                   f"{returned:,} rows returned")
    p.end()
    img.save(str(out))

"""Upgrading a large database: revision 0002 → head (0003's backfill checks every current version; 0004
builds the dashboard indexes), timed through ``open_database`` as the app does it (SQLite backup included).

The 0002 database is made from a demo database at head (bench/results/demo-N.sqlite, made once by
store_bench) by copying its rows into a fresh file migrated to 0002 only. Goal: 100,000 handovers in
under 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine

from bench.core import Row

RESULTS = Path(__file__).resolve().parent / "results"
TABLES = ("teams", "users", "handovers", "versions", "deadlines", "workflow_events", "audit_entries", "protocols",
          "settings", "audit_head")


def make_0002(n: int) -> Path:
    """A revision-0002 SQLite file holding the rows of the demo database of ``n`` handovers."""
    from bench.store_bench import demo_database
    from handover.store.migrate import upgrade

    src = RESULTS / f"demo-{n}.sqlite"
    demo_database(f"sqlite:///{src}", n).close()
    dst = RESULTS / f"rev0002-{n}.sqlite"
    for p in RESULTS.glob(f"rev0002-{n}.sqlite*"):
        p.unlink()
    engine = create_engine(f"sqlite:///{dst}")
    with engine.connect() as c:
        upgrade(c, "0002")
        c.commit()
    engine.dispose()
    with sqlite3.connect(dst) as c:
        c.execute("ATTACH ? AS s", (str(src),))
        for t in TABLES:
            cols = ",".join(r[1] for r in c.execute(f"PRAGMA main.table_info({t})"))
            c.execute(f"INSERT INTO main.{t} ({cols}) SELECT {cols} FROM s.{t}")
    return dst


def run(quick: bool = False) -> list[Row]:
    from handover.store.database import open_database

    RESULTS.mkdir(exist_ok=True)
    rows = []
    for n in ([10_000] if quick else [10_000, 100_000]):
        path = make_0002(n)
        t = time.perf_counter()
        result = open_database(f"sqlite:///{path}")
        took = time.perf_counter() - t
        assert result.ok and result.upgraded_from == "0002", result.message
        result.store.close()
        rows.append(Row(f"upgrade 0002 → head, SQLite, {n:,} handovers", took, None,
                        "100k in < 120 s (2 cores)", note="backup + backfill + indexes"))
        for p in RESULTS.glob(f"rev0002-{n}.sqlite*"):   # the upgraded copy and its backup
            p.unlink()
    return rows

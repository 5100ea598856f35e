"""Known elsewhere (SPEC section 8, issue 19) against its floors, measured in the same run.

1. Finding the matches of one family of 6 people among N stored handovers: the store's one query
   (:func:`handover.store.elsewhere.match_rows`, ``pg_access.match_select``: what the PostgreSQL function
   runs too) against a hand-written SELECT of the same rows that is handed the six people's keys (index
   look-ups only, no self-join). Goal: ≤ 2×.
2. The whole ``known_elsewhere`` call (the handover read, the query, the audit entry), for scale.
3. Saving a family (``import_case`` of a changed version) with the people index kept up to date against
   the same save with ``sync_people`` switched off. Goal: ≤ 1.2×.

The N handovers are bulk-inserted rows (a handover row and four people each: two children, two adults,
names drawn from small pools so that common names with other birth dates abound), not the demo, so a
million takes minutes, not twenty. ``python -m bench.bench_known_elsewhere [--size N] [--pg URL]``;
default 20,000 (``--size 1000000`` for the real measurement; ``HANDOVER_BENCH_PG_URL`` or ``--pg`` adds
PostgreSQL, its owner's URL). The database files are kept in bench/results and reused.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.core import Row, paired_medians, print_table

RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
TARGET = "BENCH-FAMILY"
GIVEN = [f"Given{i}" for i in range(400)]
FAMILY = [f"Family{i}" for i in range(1500)]
AGENCIES = ("police", "probation", "housing", "gp", "education", "drug_alcohol_service", "youth_justice")


def family_of_six() -> dict[str, Any]:
    """The shipped family (two children, two adults) with a third child and a grandmother: six people."""
    from handover.resources import resource_path

    doc = json.loads(resource_path("examples", "family_step_up.json").read_text(encoding="utf-8"))
    doc["id"] = TARGET
    third = copy.deepcopy(doc["children"][0])
    third.update(ref="c3", given_name="Lou", date_of_birth="2022-05-05", nhs_number="9990000085")
    gran = copy.deepcopy(doc["household"][0])
    gran.update(ref="p3", name="Given7 Family7", relationship="Grandmother", date_of_birth="1960-01-01",
                known_to=[], risk_factors=[])
    doc["children"].append(third)
    doc["household"].append(gran)
    return doc


def _people_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    from handover.store.sync import people_rows

    return people_rows(doc)


def _copy(s: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Rows into a PostgreSQL table with COPY, each column's default filled in as an INSERT would."""
    cols = [c for c in table.columns if c.name in rows[0] or c.default is not None or not c.primary_key]
    names = [c.name for c in cols]

    def value(c: Any, row: dict[str, Any]) -> Any:
        if c.name in row:
            return row[c.name]
        if c.default is not None and getattr(c.default, "is_scalar", False):
            return c.default.arg
        return None

    raw = s.connection().connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy_:
            for row in rows:
                copy_.write_row([value(c, row) for c in cols])


def _bulk(store: Any, n: int, seed: int = 19) -> None:
    """N handovers' rows, the family's shared adult in 3 of them, a child by NHS number in 1, and the
    grandmother's (common) name with other birth dates in many."""
    from handover.family import person_key
    from handover.store.models import Handover, PersonRow

    rnd = random.Random(seed)
    with store.read() as s:
        have = int(s.scalar(select(func.count()).select_from(Handover)) or 0)
    if have >= n:
        return
    family = {p["ref"]: p for p in _people_of(family_of_six())}
    t0 = time.perf_counter()
    start = have
    batch = 20_000
    while start < n:
        stop = min(n, start + batch)
        hs, ps = [], []
        for i in range(start, stop):
            hid = i + 1_000   # leave room below for the family itself
            hs.append({"id": hid, "case_id": f"B-{i}", "direction": "step_down" if i % 2 else "step_up",
                       "state": "draft", "created_at": NOW, "updated_at": NOW, "current_version": 1})
            for k, kind in enumerate(("child", "child", "member", "member")):
                given, surname = rnd.choice(GIVEN), rnd.choice(FAMILY)
                born = date(1950, 1, 1) + timedelta(days=rnd.randrange(70 * 365))
                child = kind == "child"
                row = {"handover_id": hid, "ref": f"{kind[0]}{k}", "kind": kind, "moves": child,
                       "given_name": given if child else "", "family_name": surname if child else "",
                       "name_key": person_key(f"{given} {surname}"), "dob": born,
                       "nhs_number": f"{4000000000 + i * 4 + k}" if child else "",
                       "agency_types": " ".join(sorted(rnd.sample(AGENCIES, rnd.randrange(3)))), "risk_factors": ""}
                ps.append(row)
            if i in (5, 500, 5_000):       # the father, recorded elsewhere
                ps[-1].update(name_key=family["p2"]["name_key"], dob=family["p2"]["dob"], agency_types="housing")
            if i == 7:                      # Kara, by NHS number, under another name
                ps[-4].update(nhs_number=family["c2"]["nhs_number"], name_key="kara smith", risk_factors="24A")
        with store.write() as s:
            if s.get_bind().dialect.name == "postgresql":
                _copy(s, Handover.__table__, hs)      # COPY: a million handovers in minutes, not hours
                _copy(s, PersonRow.__table__, ps)
            else:
                s.execute(insert(Handover), hs)
                s.execute(insert(PersonRow), ps)
        start = stop
        if (start - have) % 200_000 == 0:
            print(f"  {start:,} handovers …", flush=True)
    print(f"  inserted {n - have:,} handovers' rows in {time.perf_counter() - t0:.1f} s", flush=True)


def _floor_sql(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A hand-written SELECT of the matched rows, given the family's keys: one index look-up per key."""
    people = [p for p in _people_of(doc)]
    arms, params = [], {"h": 0}
    for i, p in enumerate(people):
        if p["nhs_number"]:
            arms.append(f"SELECT '{p['ref']}' AS ref, id, handover_id, agency_types, risk_factors FROM people "
                        f"WHERE nhs_number = :n{i} AND handover_id <> :h")
            params[f"n{i}"] = p["nhs_number"]
        arms.append(f"SELECT '{p['ref']}' AS ref, id, handover_id, agency_types, risk_factors FROM people "
                    f"WHERE name_key = :k{i} AND dob = :d{i} AND handover_id <> :h")
        params[f"k{i}"], params[f"d{i}"] = p["name_key"], p["dob"]
    return " UNION ALL ".join(arms), params


def measure(url: str, n: int, label: str, runs: int = 15) -> list[Row]:
    from handover.case import dump_case
    from handover.store import elsewhere, sync
    from handover.store.database import open_database
    from handover.store.errors import system_actor
    from handover.store.models import Handover
    from handover.store.service import import_case

    result = open_database(url)
    assert result.ok, result.message
    store = result.store
    actor = system_actor("bench")
    doc = family_of_six()
    with store.read() as s:
        target = s.scalar(select(Handover.id).where(Handover.case_id == TARGET))
    if target is None:
        import_case(store, actor, dump_case(doc), now=NOW, team="Bench team")
    _bulk(store, n)
    with store.read() as s:
        target = s.scalar(select(Handover.id).where(Handover.case_id == TARGET))
        total = int(s.scalar(select(func.count()).select_from(Handover)) or 0)
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as c:
            c.execute(text("ANALYZE people"))
    else:
        with store.engine.begin() as c:
            c.execute(text("ANALYZE"))

    sql, params = _floor_sql(doc)
    params["h"] = target
    def ours():
        with store.read() as s:
            return elsewhere.match_rows(s, target)

    def floor():
        with store.read() as s:
            return s.execute(text(sql), params).all()

    got, rows = ours(), floor()
    assert sum(r[1] for r in got) == len({(r[0], r[2]) for r in rows}), (got, rows)
    t_ours, t_floor = paired_medians(ours, floor, runs=runs, warmup=3)
    out = [Row(f"known elsewhere, family of 6, {label}, {total:,} handovers ({len(rows)} rows)", t_ours, t_floor,
               "≤ 2× the floor")]

    def call():
        return elsewhere.known_elsewhere(store, actor, TARGET, now=NOW)

    found = call()
    t_call, _ = paired_medians(call, floor, runs=5)
    out.append(Row(f"  the whole known_elsewhere call ({len(found)} findings, audit entry included)", t_call, t_floor,
                   "report"))

    counter = [0]
    real = sync.sync_people

    def save():
        counter[0] += 1
        doc["transition"]["reason"] = f"saved again ({counter[0]})"
        import_case(store, actor, dump_case(doc), now=NOW)

    def save_without_people():
        sync.sync_people = lambda *a, **k: None
        try:
            save()
        finally:
            sync.sync_people = real

    t_with, t_without = paired_medians(save, save_without_people, runs=9, warmup=2)
    out.append(Row(f"  save a family of 6 with the people index vs without, {label}", t_with, t_without,
                   "≤ 1.2×"))
    store.close()
    return out


def run(quick: bool = False, size: int | None = None, pg: str | None = None) -> list[Row]:
    RESULTS.mkdir(exist_ok=True)
    n = size or (5_000 if quick else 20_000)
    rows = measure(f"sqlite:///{RESULTS / f'elsewhere-{n}.sqlite'}", n, "SQLite")
    pg = pg or os.environ.get("HANDOVER_BENCH_PG_URL")
    if pg:
        rows += measure(pg, n, "PostgreSQL")
    return rows


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.bench_known_elsewhere")
    p.add_argument("--size", type=int, default=20_000, help="stored handovers (default 20,000; 1,000,000 for real)")
    p.add_argument("--pg", help="a PostgreSQL owner URL to measure there too (or HANDOVER_BENCH_PG_URL)")
    args = p.parse_args()
    print_table(run(size=args.size, pg=args.pg))


if __name__ == "__main__":
    main()

"""Migrations: from an empty database and from the first revision; newer and foreign databases refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from store.store_cases import NOW

from handover import audit
from handover.store import open_database
from handover.store.migrate import head_revision, upgrade
from handover.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.sqlite3'}"
    return request.getfixturevalue("pg_database_url")


def test_from_empty_to_head_matches_the_models(empty_url):
    result = open_database(empty_url)
    assert result.ok and result.upgraded_from == "", result.message
    with result.store.engine.connect() as c:
        assert MigrationContext.configure(c).get_current_revision() == head_revision()
        diffs = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
    result.store.close()
    assert diffs == []
    again = open_database(empty_url)   # opening again changes nothing
    assert again.ok and again.upgraded_from is None
    again.store.close()


def test_from_the_first_revision_keeps_data(empty_url, tmp_path):
    engine = create_engine(empty_url)
    with engine.connect() as c:
        upgrade(c, "0001")
        c.commit()
    at = NOW.replace(tzinfo=None)
    h1 = audit.entry_hash(1, NOW, "cli:test", "import", "OLD-1", "{}", audit.GENESIS)
    with engine.begin() as c:
        c.execute(text("INSERT INTO teams (id, name, service, created_at) VALUES (1, 'Old Team', '', :at)"), {"at": at})
        c.execute(text("INSERT INTO handovers (id, case_id, direction, state, child_given_name, child_family_name, "
                       "child_nhs_number, team_id, current_version, row_version, created_at, updated_at) VALUES "
                       "(1, 'OLD-1', 'step_down', 'draft', 'Old', 'Case', '', 1, 1, 1, :at, :at)"), {"at": at})
        c.execute(text("INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, "
                       "created_at, note) VALUES (1, 1, '{}', 'sha256:x', false, 'cli:test', :at, '')"), {"at": at})
        c.execute(text("INSERT INTO audit_entries VALUES (1, :at, 'cli:test', 'import', 'OLD-1', '{}', :p, :h)"),
                  {"at": at, "p": audit.GENESIS, "h": h1})
    engine.dispose()

    result = open_database(empty_url)
    assert result.ok, result.message
    assert result.upgraded_from == "0001"
    if empty_url.startswith("sqlite"):   # a copy of the old file was taken first
        assert result.backup is not None and result.backup.exists()
        assert oct(result.backup.stat().st_mode & 0o777) == "0o600"
        with sqlite3.connect(result.backup) as b:
            assert b.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
            assert b.execute("SELECT case_id FROM handovers").fetchall() == [("OLD-1",)]
    with result.store.read() as s:
        assert s.execute(text("SELECT case_id FROM handovers")).scalars().all() == ["OLD-1"]
        assert s.execute(text("SELECT seq, entry_hash FROM audit_head")).one() == (1, h1)
        assert audit.verify(s).ok
    result.store.close()


def test_newer_database_is_refused(empty_url):
    result = open_database(empty_url)
    result.store.close()
    engine = create_engine(empty_url)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    refused = open_database(empty_url)
    assert not refused.ok and refused.status == "newer"
    assert "newer version" in refused.message and "9999_future" in refused.message


def test_foreign_database_is_refused(empty_url):
    engine = create_engine(empty_url)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE someone_elses (x INTEGER)"))
    engine.dispose()
    result = open_database(empty_url)
    assert not result.ok and result.status == "foreign"
    engine = create_engine(empty_url)
    assert inspect(engine).get_table_names() == ["someone_elses"]   # nothing added
    engine.dispose()


def test_default_database_is_private_and_wal(tmp_path):
    result = open_database()   # HOME and XDG_DATA_HOME point under tmp_path (autouse fixture)
    assert result.ok, result.message
    path = result.store.url.removeprefix("sqlite:///")
    assert path.startswith(str(tmp_path))
    with result.store.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
    result.store.close()
    import os

    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_unreachable_and_bad_urls():
    r = open_database("postgresql+psycopg://someone:s3cret-pw@127.0.0.1:1/nothing")
    assert not r.ok and r.status == "unreachable"
    assert "s3cret-pw" not in r.message and "127.0.0.1:1/nothing" in r.message and "\n" not in r.message
    r = open_database("notadialect://x")
    assert not r.ok and r.status == "bad_url"


@pytest.mark.parametrize("workers", ["1", "2"])   # checked in this process, and in a pool of processes
def test_0003_fills_the_list_columns_of_existing_handovers(empty_url, workers, monkeypatch):
    from store.store_cases import step_down

    monkeypatch.setenv("HANDOVER_UPGRADE_WORKERS", workers)

    from handover.case import dump_case
    from handover.checks import check_case
    from handover.protocol import default_protocol
    from handover.store.sync import deadline_rows

    engine = create_engine(empty_url)
    with engine.connect() as c:
        upgrade(c, "0002")
        c.commit()
    at = NOW.replace(tzinfo=None)
    cases = {1: step_down("OLD-1", "2026-11-02", pack_sent="2026-11-06"), 2: step_down("OLD-2", None)}
    with engine.begin() as c:
        c.execute(text("INSERT INTO teams (id, name, service, created_at) VALUES (1, 'Old Team', '', :at)"), {"at": at})
        for hid, case in cases.items():
            c.execute(text("INSERT INTO handovers (id, case_id, direction, state, child_given_name, child_family_name, "
                           "child_nhs_number, team_id, current_version, row_version, created_at, updated_at) VALUES "
                           "(:id, :cid, 'step_down', 'draft', 'Old', 'Case', '', 1, 1, 1, :at, :at)"),
                      {"id": hid, "cid": case["id"], "at": at})
            c.execute(text("INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, "
                           "created_at, note) VALUES (:id, 1, :doc, 'sha256:x', false, 'cli:test', :at, '')"),
                      {"id": hid, "doc": dump_case(case), "at": at})
            for r in deadline_rows(case, default_protocol(), hid, 1):
                c.execute(text("INSERT INTO deadlines (handover_id, team_id, rule, working_days, starts, due, done, "
                               "late) VALUES (:handover_id, :team_id, :rule, :working_days, :starts, :due, :done, "
                               ":late)"), r)
    engine.dispose()
    result = open_database(empty_url)
    assert result.ok and result.upgraded_from == "0002", result.message
    with result.store.read() as s:
        got = {r[0]: tuple(r[1:]) for r in s.execute(text(
            "SELECT id, error_count, warning_count, checked_on, next_rule, next_due FROM handovers"))}
        assert s.execute(text("SELECT count(*) FROM packs")).scalar() == 0
    result.store.close()
    import datetime as dt

    for hid, case in cases.items():
        r = check_case(case, NOW.date(), default_protocol())
        pending = sorted((d.due, d.rule) for d in r.deadlines if d.done is None and d.due is not None)
        due, rule = pending[0] if pending else (None, None)
        e, w, on, nr, nd = got[hid]
        on = dt.date.fromisoformat(on) if isinstance(on, str) else on
        nd = dt.date.fromisoformat(nd) if isinstance(nd, str) else nd
        assert (e, w, on, nr, nd) == (len(r.errors), len(r.warnings), NOW.date(), rule, due)
    assert got[1][3] == "lead_professional_agreed" and got[2][3] is None


def test_head_constant_is_alembics_head():
    """Opening an up-to-date database skips Alembic by comparing with this constant: keep it right."""
    from handover.store.migrate import HEAD, head_revision

    assert HEAD == head_revision()


def test_0003_backfill_in_a_pool_matches_check_case_and_keeps_uncheckable_versions(tmp_path, monkeypatch):
    """Several batches through worker processes: every count equals check_case's as of the save date,
    the next deadline is the stored rows' earliest open one, and a version that cannot be checked
    keeps zero counts and no checked_on (a worker's failure does not stop the upgrade)."""
    import datetime as dt
    import importlib.util
    import json

    from handover import demo
    from handover.checks import check_case
    from handover.protocol import default_protocol

    spec = importlib.util.spec_from_file_location(
        "m0003", Path(upgrade.__code__.co_filename).parent / "migrations" / "versions" / "0003_list_columns_packs.py")
    m0003 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0003)
    monkeypatch.setenv("HANDOVER_UPGRADE_WORKERS", "2")
    src = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}").store
    demo.generate(src, 120, today=NOW.date(), now=NOW)
    src.close()
    # the same data at revision 0002, batches of 25 handovers
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.connect() as c:
        upgrade(c, "0002")
        c.commit()
    engine.dispose()
    with sqlite3.connect(tmp_path / "old.sqlite3") as c:
        c.execute(f"ATTACH '{tmp_path / 'demo.sqlite3'}' AS s")
        for table in ("teams", "users", "handovers", "versions", "deadlines", "protocols"):
            cols = ",".join(r[1] for r in c.execute(f"PRAGMA main.table_info({table})"))
            c.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM s.{table}")
        c.execute("UPDATE versions SET document = '{not json' WHERE handover_id = 7")
    engine = create_engine(url)
    with engine.connect() as c:
        upgrade(c, "0003")   # one batch of 2,000; then again in batches of 25, from blank columns
        c.execute(text("UPDATE handovers SET error_count = 0, warning_count = 0, checked_on = NULL, "
                       "next_rule = NULL, next_due = NULL"))
        monkeypatch.setattr(m0003, "BATCH", 25)
        m0003._backfill(c)
        c.commit()
        got = {r[0]: r[1:] for r in c.execute(text(
            "SELECT id, error_count, warning_count, checked_on, next_rule, next_due FROM handovers"))}
        docs = {r[0]: r[1:] for r in c.execute(text(
            "SELECT h.id, v.document, v.created_at FROM handovers h JOIN versions v "
            "ON v.handover_id = h.id AND v.number = h.current_version"))}
        opened = {}
        for hid, due, rule in c.execute(text(
                "SELECT handover_id, due, rule FROM deadlines WHERE done IS NULL AND due IS NOT NULL")):
            opened[hid] = min(opened.get(hid, (due, rule)), (due, rule))
    engine.dispose()
    assert len(got) == 120
    assert got[7] == (0, 0, None, *((opened[7][1], opened[7][0]) if 7 in opened else (None, None)))
    protocol = default_protocol()
    for hid, (e, w, on, rule, due) in got.items():
        assert (rule, due) == ((opened[hid][1], opened[hid][0]) if hid in opened else (None, None)), hid
        if hid == 7:
            continue
        document, created = docs[hid]
        as_of = dt.datetime.fromisoformat(created).date()   # saved in the afternoon: the same day in London
        r = check_case(json.loads(document), as_of, protocol)
        assert (e, w, on) == (len(r.errors), len(r.warnings), as_of.isoformat()), hid


def _plan(conn, query) -> str:
    sql = str(query.compile(conn.engine, compile_kwargs={"literal_binds": True}))
    return " / ".join(r[-1] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_0004_indexes_serve_the_dashboard(tmp_path):
    """The monthly timeliness report and the escalation counts read the 0004 indexes (SQLite's plan)."""
    from datetime import date

    from sqlalchemy import func, select

    from handover.store.models import DeadlineRow, Handover
    from handover.store.reports import OverdueFilter, _overdue_select, month_range, timeliness_query

    result = open_database(f"sqlite:///{tmp_path / 'i.sqlite3'}")
    as_of = date(2026, 11, 25)
    with result.store.read() as s:
        conn = s.connection()
        plan = _plan(conn, timeliness_query(as_of, month_range(as_of, 12)[0], by_day=True))
        assert "COVERING INDEX ix_deadlines_due_rule" in plan, plan
        q = _overdue_select(s, None, as_of, OverdueFilter(statuses=("overdue",), escalations_only=True),
                            [DeadlineRow.rule, func.count()]).group_by(DeadlineRow.rule)
        plan = _plan(conn, q)
        assert "COVERING INDEX ix_deadlines_open_rule" in plan, plan
        plan = _plan(conn, select(Handover.state, Handover.direction, func.count())
                     .group_by(Handover.state, Handover.direction))
        assert "COVERING INDEX ix_handovers_state_direction" in plan, plan
    result.store.close()


def test_timeliness_by_day_adds_up_to_the_monthly_query(tmp_path):
    """The report groups by due date in SQL and by month in Python: the same numbers as grouping by month."""
    from handover import demo
    from handover.store.reports import MonthRule, _run_timeliness, month_range, timeliness_query

    store = open_database(f"sqlite:///{tmp_path / 't.sqlite3'}").store
    demo.generate(store, 300, today=NOW.date(), now=NOW)
    with store.read() as s:
        for months, kw in ((12, {}), (3, {"direction": "step_up"}), (24, {"rules": ["acknowledged"]})):
            since, _ = month_range(NOW.date(), months)
            by_month = sorted((MonthRule(f"{int(y):04d}-{int(m):02d}", r, int(a), int(b), int(c))
                               for y, m, r, a, b, c in s.execute(timeliness_query(NOW.date(), since, **kw))),
                              key=lambda r: (r.month, r.rule))
            assert by_month and _run_timeliness(s, NOW.date(), months, **kw) == by_month
    store.close()

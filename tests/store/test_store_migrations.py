"""Migrations: from an empty database and from the first revision; newer and foreign databases refused."""

from __future__ import annotations

import sqlite3

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


def test_0003_fills_the_list_columns_of_existing_handovers(empty_url):
    from store.store_cases import step_down

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

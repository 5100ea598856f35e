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

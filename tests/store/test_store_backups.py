"""Backups are written whole or not at all, and old pre-upgrade copies do not pile up."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from handover.store.database import BackupError, backup_sqlite, open_database, prune_upgrade_backups


def _store(tmp_path):
    r = open_database(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    assert r.ok, r.message
    return r.store


def test_a_failed_backup_leaves_nothing_under_the_final_name(tmp_path, monkeypatch):
    store = _store(tmp_path)
    dest = tmp_path / "b.sqlite3"

    def broken(*_a, **_k):
        raise sqlite3.OperationalError("disk I/O error")

    raw = store.engine.raw_connection
    def failing_raw():
        conn = raw()
        class Wrapped:
            driver_connection = type("D", (), {"backup": staticmethod(broken)})()
            def close(self):
                conn.close()
        return Wrapped()

    monkeypatch.setattr(store.engine, "raw_connection", failing_raw)
    with pytest.raises(BackupError, match="failed"):
        backup_sqlite(store.engine, dest)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.sqlite3")] == []
    monkeypatch.undo()
    assert backup_sqlite(store.engine, dest) == dest
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(dest) as b:
        assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_an_old_part_file_of_a_killed_backup_is_tidied(tmp_path):
    store = _store(tmp_path)
    old = tmp_path / ".b.sqlite3.abc123.part"
    old.write_bytes(b"half a backup")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    backup_sqlite(store.engine, tmp_path / "b.sqlite3")
    assert not old.exists()
    store.close()


def test_only_the_newest_upgrade_copies_are_kept(tmp_path):
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"")
    for i in range(6):
        copy = tmp_path / f"h.sqlite3.rev000{i}.bak"
        copy.write_bytes(b"x")
        os.utime(copy, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "other.sqlite3.rev0001.bak").write_bytes(b"not ours")
    gone = prune_upgrade_backups(db, keep=3)
    assert sorted(p.name for p in gone) == ["h.sqlite3.rev0000.bak", "h.sqlite3.rev0001.bak", "h.sqlite3.rev0002.bak"]
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == ["h.sqlite3.rev0003.bak", "h.sqlite3.rev0004.bak",
                                                              "h.sqlite3.rev0005.bak", "other.sqlite3.rev0001.bak"]

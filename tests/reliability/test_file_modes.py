"""Everything the tool writes to disk holds children's records: created 0600 whatever the umask."""

from __future__ import annotations

from pathlib import Path

import os
import stat

import pytest
from sqlalchemy import text
from store.store_cases import NOW, step_down

from handover.case import dump_case
from handover.cli import main
from handover.store import open_database
from handover.store import service as sv


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(p):
    return oct(stat.S_IMODE(os.stat(p).st_mode))


def test_database_wal_shm_backups_and_exports_are_private(tmp_path, loose_umask, capsys):
    db = tmp_path / "data" / "h.sqlite3"
    url = f"sqlite:///{db}"
    store = open_database(url).store
    sv.import_case(store, sv.system_actor("t"), dump_case(step_down("FM-1")), now=NOW, team="CSC North")
    with store.read() as s:   # an open connection keeps the -wal and -shm files
        assert s.execute(text("SELECT count(*) FROM handovers")).scalar() == 1
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(p.exists() for p in files), list(db.parent.iterdir())
        assert [_mode(p) for p in files] == ["0o600"] * 3
    store.close()
    assert _mode(db.parent) == "0o700"
    backup, export = tmp_path / "b.sqlite3", tmp_path / "e.json"
    assert main(["db", "backup", "--db", url, "-o", str(backup)]) == 0
    assert main(["export", "FM-1", "--db", url, "-o", str(export)]) == 0
    capsys.readouterr()
    assert _mode(backup) == "0o600" and _mode(export) == "0o600"
    # the copy taken before a schema upgrade: a database of the first shipped schema (the frozen fixture)
    import shutil

    old = db.parent / "old.sqlite3"
    shutil.copy(Path(__file__).parents[1] / "store" / "fixtures" / "schema-0002.sqlite", old)
    url = f"sqlite:///{old}"
    result = open_database(url)
    assert result.ok and result.upgraded_from == "0002", result.message
    result.store.close()
    assert _mode(result.backup) == "0o600"

"""Migrations keep data: a frozen database per shipped schema, made by the code of its time (the first
storage commit wrote schema-0002.sqlite with `handover demo` and `handover import`), upgraded to the
current schema. Every handover, version and audit entry is kept, and the audit chain still verifies."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from handover import audit
from handover.case import dump_case
from handover.family import upgrade
from handover.store import service as svc
from handover.store.migrate import HEAD

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("schema-*.sqlite"))
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def _snapshot(path: Path) -> dict[str, object]:
    with sqlite3.connect(path) as c:
        return {
            "versions": sorted(c.execute("SELECT h.case_id, v.number, v.content_hash, v.document FROM versions v "
                                         "JOIN handovers h ON h.id = v.handover_id")),
            "handovers": sorted(c.execute("SELECT case_id, state, direction FROM handovers")),
            "audit": sorted(c.execute("SELECT seq, action, case_id, entry_hash FROM audit_entries")),
            "users": sorted(c.execute("SELECT username, role FROM users")),
        }


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_upgrading_a_frozen_database_keeps_everything(fixture, tmp_path):
    db = tmp_path / fixture.name
    shutil.copy(fixture, db)
    before = _snapshot(db)
    assert before["versions"] and before["audit"]
    opened = svc.open_database(f"sqlite:///{db}")
    assert opened.ok, opened.message
    assert opened.upgraded_from == fixture.stem.split("-")[1]
    assert opened.backup is not None and opened.backup.exists()       # copied before migrating
    store = opened.store
    try:
        with store.read() as s:
            assert audit.verify(s).ok
        after = _snapshot(db)
        assert after == before
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        # and the upgraded handovers are usable: listed, opened, exported as the /2 family of the stored /1
        # version (SPEC section 6), which is itself unchanged
        actor = svc.system_actor("test")
        assert svc.count_handovers(store, actor) == len(before["handovers"])
        case_id, number, _h, document = before["versions"][-1]
        exported = svc.export_document(store, actor, case_id, now=NOW, version=number)
        assert json.loads(document)["format"] == "handover-case/1"
        assert exported == dump_case(upgrade(json.loads(document)))
        # 0005: every handover's people (its child, its household) are indexed from its current version,
        # and the list names its child
        with sqlite3.connect(db) as c:
            missing = c.execute("SELECT count(*) FROM handovers h WHERE NOT EXISTS (SELECT 1 FROM people p "
                                "WHERE p.handover_id = h.id AND p.kind = 'child')").fetchone()[0]
            unnamed = c.execute("SELECT count(*) FROM handovers WHERE child_names = '' "
                                "AND child_family_name <> ''").fetchone()[0]
            members = c.execute("SELECT count(*) FROM people WHERE kind = 'member'").fetchone()[0]
        assert (missing, unnamed) == (0, 0)
        assert members > 0
        child = json.loads(document)["child"]
        found = svc.list_handovers(store, actor, svc.Filters(search=child["nhs_number"]))
        assert case_id in {h.case_id for h in found}
    finally:
        store.close()


def test_there_is_a_fixture_for_the_first_shipped_schema():
    assert [p.stem for p in FIXTURES][:1] == ["schema-0002"]

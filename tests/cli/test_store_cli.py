"""The store commands: import, export, overdue, demo, db, audit verify (exit codes and formats)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3

import pytest

from handover.case import blank_case, dump_case
from handover.family import upgrade
from handover.cli import main

AS_OF = "2026-11-25"


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("HANDOVER_DB", url)
    return url


def _case_file(tmp_path, case_id="CLI-1", decision="2026-11-02", name="case.json", **extra):
    c = blank_case("step_down", case_id)
    c["child"].update(given_name="Ada", family_name="Example")
    c["transition"]["decision_date"] = decision
    c.update(extra)
    p = tmp_path / name
    p.write_text(dump_case(c), encoding="utf-8")
    return p, c


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_export_round_trip(db, tmp_path, capsys):
    p, case = _case_file(tmp_path)
    assert run(capsys, "import", str(p), "--team", "CSC North")[:2] == (0, "CLI-1\n")
    code, out, err = run(capsys, "import", str(p), "-v")
    assert (code, out) == (0, "CLI-1\n") and "unchanged" in err
    out_path = tmp_path / "out.json"
    assert run(capsys, "export", "CLI-1", "-o", str(out_path))[0] == 0
    assert json.loads(out_path.read_bytes()) == upgrade(case)     # export writes handover-case/2
    assert run(capsys, "import", str(out_path), "-v")[2].count("unchanged") == 1
    assert oct(os.stat(out_path).st_mode & 0o777) == "0o600"
    case["transition"]["reason"] = "changed"
    p.write_text(dump_case(case), encoding="utf-8")
    assert "new version: version 2" in run(capsys, "import", str(p), "-v")[2]
    assert run(capsys, "export", "CLI-1", "-o", str(out_path), "--version", "1")[0] == 0
    assert json.loads(out_path.read_text())["transition"]["reason"] == ""
    code, _, err = run(capsys, "export", "NOPE", "-o", str(out_path))
    assert code == 2 and err.count("\n") == 1


def test_malformed_import_exits_2_and_writes_nothing(db, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "handover-case/1", "id": "X", "direction": "step_up", "chlid": {}}')
    code, out, err = run(capsys, "import", str(bad))
    assert code == 2 and out == "" and "chlid" in err and err.count("\n") == 1
    assert not (tmp_path / "cli.sqlite3").exists()


def test_overdue_formats_and_exit_codes(db, tmp_path, capsys):
    p, _ = _case_file(tmp_path, "OD-1", "2026-11-02")
    run(capsys, "import", str(p), "--team", "CSC North")
    q, _ = _case_file(tmp_path, "OD-2", "2026-11-24", name="q.json")
    run(capsys, "import", str(q), "--team", "Early Help East")

    code, out, _ = run(capsys, "overdue", "--as-of", AS_OF, "--format", "json")
    assert code == 1
    items = json.loads(out)
    assert [(i["id"], i["rule"], i["due"], i["status"], i["working_days_overdue"]) for i in items] == [
        ("OD-1", "lead_professional_agreed", "2026-11-09", "overdue", 12),
        ("OD-1", "pack_sent", "2026-11-09", "overdue", 12),
        ("OD-1", "handover_meeting", "2026-11-16", "overdue", 7)]
    assert set(items[0]) == {"id", "child", "direction", "team", "owner", "state", "rule", "due", "status",
                             "working_days_overdue", "agency_type"}   # agency_type: SPEC section 7.3
    assert {i["agency_type"] for i in items} == {""}
    assert items[0]["child"] == "Ada Example" and items[0]["team"] == "CSC North" and items[0]["state"] == "draft"

    code, out, _ = run(capsys, "overdue", "--as-of", AS_OF, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 1 and rows[0] == ["id", "child", "direction", "team", "owner", "state", "rule", "due", "status",
                                     "working_days_overdue", "agency_type"]
    assert len(rows) == 4 and rows[1][0] == "OD-1" and rows[1][-2:] == ["12", ""]

    code, out, _ = run(capsys, "overdue", "--as-of", AS_OF)
    assert code == 1 and "lead_professional_agreed" in out and "OD-1" in out

    assert run(capsys, "overdue", "--as-of", AS_OF, "--team", "Early Help East", "--format", "json")[:2] == (0, "[]\n")
    assert run(capsys, "overdue", "--as-of", "2026-11-03")[0] == 0
    code, _, err = run(capsys, "overdue", "--team", "Nobody")
    assert code == 2 and "Nobody" in err
    assert run(capsys, "overdue", "--as-of", "2026-13-01")[0] == 2


def test_demo_db_and_audit(db, tmp_path, capsys):
    code, out, _ = run(capsys, "db", "init")
    assert code == 0 and "created" in out
    assert "up to date" in run(capsys, "db", "upgrade")[1]
    code, out, _ = run(capsys, "demo", "--cases", "60")
    assert code == 0 and "added 60 synthetic handovers" in out
    code, out, _ = run(capsys, "overdue", "--format", "json", "--as-of", AS_OF)
    assert code in (0, 1)
    backup = tmp_path / "backup.sqlite3"
    assert run(capsys, "db", "backup", "-o", str(backup))[0] == 0
    with sqlite3.connect(backup) as b:
        assert b.execute("SELECT COUNT(*) FROM handovers").fetchone() == (60,)
    assert oct(os.stat(backup).st_mode & 0o777) == "0o600"
    assert run(capsys, "db", "backup", "-o", str(backup))[0] == 2   # never overwrite

    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "intact" in out
    with sqlite3.connect(tmp_path / "cli.sqlite3") as c:
        c.execute("UPDATE audit_entries SET actor = 'x' WHERE seq = 1")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1 and "broken" in out


def test_unreachable_database_one_line_without_password(tmp_path, capsys):
    code, out, err = run(capsys, "overdue", "--db", "postgresql+psycopg://ann:hunter2-secret@127.0.0.1:1/db")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "hunter2-secret" not in err and "127.0.0.1:1/db" in err


def test_newer_database_refused(db, tmp_path, capsys):
    run(capsys, "db", "init")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as c:
        c.execute("UPDATE alembic_version SET version_num = 'f00d'")
    code, _, err = run(capsys, "overdue")
    assert code == 2 and "newer version" in err


def test_postgres_backup_is_refused_with_guidance(capsys, request):
    pytest.importorskip("psycopg")
    url = request.getfixturevalue("pg_database_url")
    code, _, err = run(capsys, "db", "backup", "--db", url, "-o", "x.sql")
    assert code == 2 and "pg_dump" in err


test_postgres_backup_is_refused_with_guidance = pytest.mark.postgres(test_postgres_backup_is_refused_with_guidance)


def test_audit_verify_reports_a_changed_version(db, tmp_path, capsys):
    path, _ = _case_file(tmp_path, "HASH-1")
    assert run(capsys, "import", str(path))[0] == 0
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "1 versions" in out
    with sqlite3.connect(tmp_path / "cli.sqlite3") as c:   # someone edits the stored document directly
        c.execute("UPDATE versions SET document = replace(document, '\"Ada\"', '\"Eve\"')")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1 and "version 1 of HASH-1 no longer matches its content hash" in out


def test_export_a_stored_pack(db, tmp_path, capsys):
    from datetime import datetime, timezone

    from handover.store import open_database
    from handover.store import service as sv

    path, case = _case_file(tmp_path, "PACK-1")
    assert run(capsys, "import", str(path))[0] == 0
    assert run(capsys, "export", "PACK-1", "--pack", "-o", str(tmp_path / "p.pdf"))[:1] == (2,)
    store = open_database(db).store
    now = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    with store.write() as s:   # authorised by hand: the pack refers to a frozen version
        from handover.store.models import Version

        v = s.query(Version).one()
        v.frozen = True
        built_from = v.content_hash
    pdf = b"%PDF-1.7\n% synthetic\n%%EOF\n"
    sv.store_pack(store, sv.system_actor("t"), "PACK-1", 1, pdf, kind="final", now=now, content_hash=built_from)
    store.close()
    out = tmp_path / "pack.pdf"
    code, _, err = run(capsys, "export", "PACK-1", "--pack", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes() == pdf and oct(out.stat().st_mode & 0o777) == "0o600"
    code, _, err = run(capsys, "export", "PACK-1", "--pack", "--kind", "family", "-o", str(out))
    assert code == 2 and "no stored family pack" in err

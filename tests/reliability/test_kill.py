"""SIGKILL the command line in the middle of an import and of `demo`: the SQLite file stays sound and
each command's work is there entirely or not at all (one transaction each)."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from handover.case import blank_case, content_hash, dump_case

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "import sys; from handover.cli import main; sys.exit(main(sys.argv[1:]))"]


def _killed(argv, env, delay):
    p = subprocess.Popen(CLI + argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    return p.wait(30)


def _sound(path):
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


def _env(tmp_path):
    import os

    return dict(os.environ, HOME=str(tmp_path), HANDOVER_DB=f"sqlite:///{tmp_path / 'k.sqlite3'}")


def _big_case(case_id):
    c = blank_case("step_down", case_id)
    c["child"].update(given_name="Ada", family_name="Example")
    c["transition"]["decision_date"] = "2026-11-02"
    c["chronology"] = [{"date": "2026-10-01", "source": "gp", "event": f"Synthetic event {i} " + "x" * 2000,
                        "impact_on_child": "synthetic", "confidential": False} for i in range(2500)]
    return c


def test_kill_during_import(tmp_path):
    env, db = _env(tmp_path), tmp_path / "k.sqlite3"
    assert subprocess.run(CLI + ["db", "init"], env=env, capture_output=True).returncode == 0
    rng = random.Random()
    outcomes = []
    for i in range(4):
        case = _big_case(f"BIG-{i}")
        path = tmp_path / f"big{i}.json"
        path.write_text(dump_case(case), encoding="utf-8")
        _killed(["import", str(path)], env, rng.uniform(0.3, 2.0))
        _sound(db)
        with sqlite3.connect(db) as c:
            h = c.execute("SELECT id, current_version FROM handovers WHERE case_id = ?", (case["id"],)).fetchone()
            audits = c.execute("SELECT count(*) FROM audit_entries WHERE case_id = ? AND action = 'import'",
                               (case["id"],)).fetchone()[0]
            if h is None:   # none of it
                outcomes.append("none")
                assert audits == 0
                assert c.execute("SELECT count(*) FROM versions v LEFT JOIN handovers h ON h.id = v.handover_id "
                                 "WHERE h.id IS NULL").fetchone()[0] == 0
            else:           # all of it
                outcomes.append("all")
                assert audits == 1 and h[1] == 1
                doc, stored = c.execute("SELECT document, content_hash FROM versions WHERE handover_id = ?",
                                        (h[0],)).fetchone()
                assert content_hash(json.loads(doc)) == stored == content_hash(case)
                assert c.execute("SELECT count(*) FROM deadlines WHERE handover_id = ?", (h[0],)).fetchone()[0] == 4
    r = subprocess.run(CLI + ["audit", "verify"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    print(f"\nimport killed 4 times: {outcomes}")


def test_kill_during_demo(tmp_path):
    env, db = _env(tmp_path), tmp_path / "k.sqlite3"
    rng = random.Random()
    outcomes = []
    # the schema first, so that each kill lands in demo's own work (a kill while the very first command
    # creates the schema leaves an empty file, which the next command sets up: sound, but not this test)
    assert subprocess.run(CLI + ["db", "init"], env=env, capture_output=True, text=True).returncode == 0
    for _ in range(2):
        _killed(["demo", "--cases", "20000"], env, rng.uniform(0.5, 3.0))
        _sound(db)
        with sqlite3.connect(db) as c:
            n = c.execute("SELECT count(*) FROM handovers").fetchone()[0]
            demo_runs = c.execute("SELECT count(*) FROM audit_entries WHERE action = 'demo_generate'").fetchone()[0]
            assert n == 20000 * demo_runs, (n, demo_runs)   # every run entirely, or not at all
            assert c.execute("SELECT count(*) FROM versions").fetchone()[0] == n
            outcomes.append(n)
    r = subprocess.run(CLI + ["audit", "verify"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    print(f"\ndemo killed twice: handovers after each kill {outcomes}")

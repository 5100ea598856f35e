"""An audit trail that proves itself (issue 13): each rewrite of the stored records, or of the trail with
its chain recomputed, is found by `handover audit verify` (exit 1, one line saying what), on SQLite and
on PostgreSQL; an honest database passes.

The rewrites are made with the owner's raw SQL, as someone holding the database file or the owner URL
would; the chain is recomputed with the tool's own hashing code (handover.audit.entry_hash)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from app.conftest import PASSPHRASE, signing_keys, world  # noqa: F401 — the app's signing world, here
from sqlalchemy import text
from store.store_cases import NOW, complete_step_down, step_down

from handover import audit
from handover.cli import main
from handover.store import service as sv
from handover.store.integrity import read_audit_head, verify_store


def _sql(store, sql, **params):
    with store.engine.begin() as c:
        c.execute(text(sql), params)


def _cli(store, capsys, *extra):
    url = store.engine.url.render_as_string(hide_password=False)
    code = main(["audit", "verify", "--db", url, *map(str, extra)])
    out = capsys.readouterr().out
    return code, out.splitlines()


def _rewrite_chain(store, change=None):
    """Change entries with ``change(seq, action, detail) -> detail`` and recompute every hash and the head,
    as a forger with the owner's access would."""
    with store.engine.begin() as c:
        rows = c.execute(text("SELECT seq, at, actor, action, case_id, detail FROM audit_entries ORDER BY seq")).all()
        prev = audit.GENESIS
        for seq, at, actor, action, case_id, detail in rows:
            at = (datetime.fromisoformat(at) if isinstance(at, str) else at).replace(tzinfo=timezone.utc)
            detail = change(seq, action, detail) if change else detail
            h = audit.entry_hash(seq, at, actor, action, case_id, detail, prev)
            c.execute(text("UPDATE audit_entries SET detail = :d, prev_hash = :p, entry_hash = :h WHERE seq = :s"),
                      {"d": detail, "p": prev, "h": h, "s": seq})
            prev = h
        c.execute(text("UPDATE audit_head SET seq = :s, entry_hash = :h"), {"s": len(rows), "h": prev})


def _history(store, cast):
    """Two handovers, one moved as far as authorised; a practitioner's role set; a deadline computed."""
    sv.create_handover(store, cast.prac, step_down("PI-1"), now=NOW)
    sv.create_handover(store, cast.prac, complete_step_down("PI-2"), now=NOW)
    sv.move(store, cast.prac, "PI-2", "request_authorisation", now=NOW)
    sv.move(store, cast.mgr, "PI-2", "authorise", now=NOW)


def _broken(store, capsys, *extra, expect=""):
    report = verify_store(store, against=extra)
    assert not report.ok
    code, lines = _cli(store, capsys, *(a for x in extra for a in ("--against", x)))
    assert code == 1, lines
    assert expect in lines[0], lines
    return lines[0]


def test_an_honest_database_passes(store, cast, capsys):
    _history(store, cast)
    sv.reset_password(store, cast.admin, "prac", "another-password-1", now=NOW)
    sv.set_role(store, cast.admin, "other_prac", "manager", cast.other, now=NOW)
    report = verify_store(store)
    assert report.ok, report.problems
    code, lines = _cli(store, capsys)
    assert code == 0 and len(lines) == 1 and "intact" in lines[0], lines


def test_a_the_whole_trail_and_its_head_deleted(store, cast, capsys):
    _history(store, cast)
    _sql(store, "DELETE FROM audit_entries")
    _sql(store, "DELETE FROM audit_head")
    line = _broken(store, capsys, expect="audit trail broken: the trail is empty but the database holds")
    assert "2 handovers" in line


def test_a_the_trail_truncated_with_a_matching_head(store, cast, capsys):
    """Entries removed from the end and the head moved back: the handover created there has no entry."""
    sv.create_handover(store, cast.prac, step_down("PI-1"), now=NOW)
    sv.create_handover(store, cast.prac, step_down("PI-9"), now=NOW)
    with store.engine.begin() as c:
        last = c.execute(text("SELECT max(seq) FROM audit_entries")).scalar()
        c.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": last})
        h = c.execute(text("SELECT entry_hash FROM audit_entries WHERE seq = :s"), {"s": last - 1}).scalar()
        c.execute(text("UPDATE audit_head SET seq = :s, entry_hash = :h"), {"s": last - 1, "h": h})
    _broken(store, capsys, expect="handover PI-9 has no create or import entry")


@pytest.mark.parametrize("what", ["user role", "move target"])
def test_b_one_entry_changed_and_the_whole_chain_recomputed(store, cast, capsys, what):
    _history(store, cast)

    def change(seq, action, detail):
        d = json.loads(detail)
        if what == "user role" and action == "user_create" and d.get("user") == "prac":
            d["role"] = "manager"
        elif what == "move target" and action == "move:authorise":
            d["to"] = "sent"
        return json.dumps(d, sort_keys=True)

    _rewrite_chain(store, change)
    with store.read() as s:
        assert audit.verify(s).ok   # the chain alone is consistent again
    expect = "prac is practitioner" if what == "user role" else "the audit trail's last move took it to sent"
    _broken(store, capsys, expect=expect)


def test_c_a_handovers_state_changed(store, cast, capsys):
    _history(store, cast)
    _sql(store, "UPDATE handovers SET state = 'sent' WHERE case_id = 'PI-2'")
    _broken(store, capsys, expect="handover PI-2 is sent but its workflow events end in authorised")


def test_c_a_handovers_team_changed(store, cast, capsys):
    _history(store, cast)
    _sql(store, "UPDATE handovers SET team_id = :t WHERE case_id = 'PI-1'", t=cast.other)
    _broken(store, capsys, expect="handover PI-1 belongs to team")


def test_c_a_team_changed_together_with_its_deadline_rows(store, cast, capsys):
    _history(store, cast)
    _sql(store, "UPDATE handovers SET team_id = :t WHERE case_id = 'PI-1'", t=cast.other)
    _sql(store, "UPDATE deadlines SET team_id = :t WHERE handover_id = (SELECT id FROM handovers "
                "WHERE case_id = 'PI-1')", t=cast.other)
    _broken(store, capsys, expect="was created by a member of team")


@pytest.mark.parametrize("sql, expect", [
    ("UPDATE users SET role = 'manager' WHERE username = 'prac'", "prac is manager of team"),
    ("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'mgr') "
     "WHERE username = 'prac'", "prac's password hash is not the one the audit trail recorded"),
    ("UPDATE users SET active = false WHERE username = 'recv'", "recv is disabled"),
])
def test_d_a_users_role_password_hash_or_active_flag_changed(store, cast, capsys, sql, expect):
    _history(store, cast)
    _sql(store, sql)
    _broken(store, capsys, expect=expect)


def test_e_a_deadline_rows_due_date_changed(store, cast, capsys):
    _history(store, cast)
    _sql(store, "UPDATE deadlines SET due = :d WHERE handover_id = (SELECT id FROM handovers WHERE case_id = 'PI-2')",
         d="2027-06-30")
    _broken(store, capsys, expect="the deadline rows of PI-2 are not those of its current version")


def test_f_a_workflow_events_action_changed(store, cast, capsys):
    _history(store, cast)
    _sql(store, "UPDATE workflow_events SET action = 'send' WHERE action = 'authorise'")
    _broken(store, capsys, expect="the workflow events of PI-2 (request_authorisation, send)")


def test_a_stored_pack_cross_checked_against_its_entry(world, capsys):
    store = _signed(world)
    assert verify_store(store).ok
    _sql(store, "UPDATE packs SET signers = 'x', version = version")   # harmless: not a fact the trail holds
    assert verify_store(store).ok
    _sql(store, "DELETE FROM packs")
    _broken(store, capsys, expect="signed pack 1 of SD-S is in the audit trail but not in the database")


def _signed(world, case_id="SD-S"):
    from handover.app import operations as ops
    from handover.case import dump_case

    prac, mgr = world.ctx("prac"), world.ctx("mgr")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case_id}.json"
        path.write_text(dump_case(complete_step_down(case_id)), encoding="utf-8")
        ops.import_file(prac, str(path))
    ops.request_authorisation(prac, case_id, ops.open_case(prac, case_id).summary.row_version)
    ops.authorise(mgr, case_id, ops.open_case(mgr, case_id).summary.row_version)
    ops.sign_pack(mgr, case_id, world.keys["manager"], PASSPHRASE)
    return world.store


def test_g_history_before_a_signed_pack_rewritten_with_the_chain_recomputed(world, tmp_path, capsys):
    from handover.app import operations as ops

    store = _signed(world)
    mgr = world.ctx("mgr")
    pdf = ops.get_pack(mgr, "SD-S", ops.list_packs(mgr, "SD-S")[-1].id)
    pack = tmp_path / "SD-S-signed.pdf"
    pack.write_bytes(pdf)
    count, head_hash = read_audit_head(pdf)
    assert count >= 5 and head_hash.startswith("sha256:")
    report = verify_store(store, against=[pack])
    assert report.ok and report.anchors == 2, report.problems   # the stored pack and the file
    code, lines = _cli(store, capsys, "--against", pack)
    assert code == 0 and len(lines) == 1 and "audit head of 2 signed packs" in lines[0], lines

    # a view of the case before the signing (no fact any table holds) rewritten, the chain recomputed,
    # and the stored pack deleted together with its pack_store entry: only the pack file remembers
    def change(seq, action, detail):
        return '{"version": 7}' if seq == 3 else detail

    _sql(store, "DELETE FROM packs")
    _sql(store, "DELETE FROM audit_entries WHERE action IN ('pack_store', 'pack_view') OR seq > :n", n=count)
    _rewrite_chain(store, change)
    assert verify_store(store).ok   # without the pack, nothing else can tell
    line = _broken(store, capsys, str(pack), expect=f"history before {pack} was rewritten")
    assert f"entry {count} no longer hashes to the head" in line


def test_g_the_stored_pack_alone_finds_a_rewrite_before_it(world, capsys):
    store = _signed(world)
    _rewrite_chain(store, lambda seq, action, detail: '{"version": 7}' if seq == 3 else detail)
    _broken(store, capsys, expect="history before signed pack 1 of SD-S was rewritten")


def test_a_pack_without_the_audit_head_is_a_note_not_an_error(store, cast, tmp_path, capsys):
    from handover.pack import build_pack

    _history(store, cast)
    old = tmp_path / "old.pdf"
    build_pack(complete_step_down("PI-2"), old, as_of=NOW.date(), draft=True)
    code, lines = _cli(store, capsys, "--against", old)
    assert code == 0 and lines[1] == f"{old}: this pack was made before packs carried the audit head", lines

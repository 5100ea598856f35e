"""The audit trail's hash chain detects an edited, inserted or deleted entry; sign-in is audited safely."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from store.store_cases import NOW, complete_step_down

from handover import audit
from handover.store import service as sv


def _trail(store, cast):
    sv.create_handover(store, cast.prac, complete_step_down("AU-1"), now=NOW, receiving_team_id=cast.eh)
    sv.get_handover(store, cast.mgr, "AU-1", now=NOW)
    sv.move(store, cast.prac, "AU-1", "request_authorisation", now=NOW)


def _verify(store):
    with store.read() as s:
        return audit.verify(s)


def _sql(store, sql, **params):
    with store.engine.begin() as c:
        c.execute(text(sql), params)


def test_intact_trail_and_views_are_recorded(store, cast):
    _trail(store, cast)
    report = _verify(store)
    assert report.ok, report.problems
    with store.read() as s:
        actions = [(e.actor, e.action) for e in audit.entries_for(s, "AU-1")]
    assert actions == [("prac", "create"), ("mgr", "view"), ("prac", "move:request_authorisation")]


def test_edited_entry(store, cast):
    _trail(store, cast)
    _sql(store, "UPDATE audit_entries SET actor = 'someone_else' WHERE seq = 3")
    report = _verify(store)
    assert not report.ok and any("entry 3" in p and "changed" in p for p in report.problems)


def test_edited_detail_even_with_rehashed_entry(store, cast):
    _trail(store, cast)
    with store.read() as s:
        e = s.get(audit.AuditEntry, 4)
        forged = audit.entry_hash(e.seq, e.at, e.actor, e.action, e.case_id, '{"forged":true}', e.prev_hash)
    _sql(store, "UPDATE audit_entries SET detail = :d, entry_hash = :h WHERE seq = 4", d='{"forged":true}', h=forged)
    assert not _verify(store).ok   # the next entry no longer follows it


def test_deleted_entry_in_the_middle(store, cast):
    _trail(store, cast)
    _sql(store, "DELETE FROM audit_entries WHERE seq = 5")
    report = _verify(store)
    assert not report.ok and any("missing" in p for p in report.problems)


def test_deleted_newest_entry(store, cast):
    _trail(store, cast)
    _sql(store, "DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)")
    report = _verify(store)
    assert not report.ok and any("head" in p for p in report.problems)


def test_inserted_entries(store, cast):
    _trail(store, cast)
    with store.read() as s:
        last = s.execute(text("SELECT MAX(seq) FROM audit_entries")).scalar()
        prev_hash = s.get(audit.AuditEntry, last).entry_hash
        at = NOW + timedelta(minutes=1)
        h = audit.entry_hash(last + 1, at, "mallory", "view", "AU-1", "{}", prev_hash)
    # a well-formed entry appended at the end without moving the head
    _sql(store, "INSERT INTO audit_entries (seq, at, actor, action, case_id, detail, prev_hash, entry_hash) "
                "VALUES (:seq, :at, 'mallory', 'view', 'AU-1', '{}', :p, :h)",
         seq=last + 1, at=at.replace(tzinfo=None), p=prev_hash, h=h)
    assert not _verify(store).ok


def test_inserted_entry_in_the_middle(store, cast):
    _trail(store, cast)
    with store.read() as s:
        n = s.execute(text("SELECT MAX(seq) FROM audit_entries")).scalar()
    # make room after entry 2 by renumbering, then slot in a forged entry 3 that follows entry 2
    _sql(store, "UPDATE audit_entries SET seq = seq + 1000 WHERE seq > 2")
    _sql(store, "UPDATE audit_entries SET seq = seq - 999 WHERE seq > 1000")
    with store.read() as s:
        two_hash = s.get(audit.AuditEntry, 2).entry_hash
        h = audit.entry_hash(3, NOW, "mallory", "view", "AU-1", "{}", two_hash)
    _sql(store, "INSERT INTO audit_entries (seq, at, actor, action, case_id, detail, prev_hash, entry_hash) "
                "VALUES (3, :at, 'mallory', 'view', 'AU-1', '{}', :p, :h)",
         at=NOW.replace(tzinfo=None), p=two_hash, h=h)
    _sql(store, "UPDATE audit_head SET seq = :n", n=n + 1)
    report = _verify(store)
    assert not report.ok and any("entry 4" in p for p in report.problems)


def test_sign_in_lockout_with_injected_clock(store, cast):
    t = NOW
    for i in range(3):   # the first failures cost nothing
        r = sv.authenticate(store, "prac", "wrong password", now=t)
        assert (r.ok, r.status) == (False, "wrong")
    r = sv.authenticate(store, "prac", "wrong password", now=t)   # 4th: locked for 2 s
    assert r.status == "locked" and r.locked_until == t + timedelta(seconds=2)
    r = sv.authenticate(store, "prac", "prac-password", now=t + timedelta(seconds=1))
    assert r.status == "locked" and not r.ok   # even the right password waits
    t += timedelta(seconds=3)
    waits = []
    for i in range(5, 11):   # each further failure doubles the wait; the 10th locks for 15 minutes
        r = sv.authenticate(store, "prac", "wrong password", now=t)
        assert r.status == "locked"
        waits.append(r.locked_until - t)
        t = r.locked_until
    assert waits == [timedelta(seconds=s) for s in (4, 8, 16, 32, 60)] + [timedelta(minutes=15)]
    t -= timedelta(minutes=15)
    assert sv.authenticate(store, "prac", "prac-password", now=t + timedelta(minutes=14)).status == "locked"
    ok = sv.authenticate(store, "prac", "prac-password", now=t + timedelta(minutes=16))
    assert ok.ok and ok.actor.role == "practitioner"
    assert sv.authenticate(store, "prac", "wrong password", now=t + timedelta(minutes=17)).status == "wrong"


def test_admin_reset_clears_the_lock(store, cast):
    for _ in range(12):
        sv.authenticate(store, "recv", "nope nope nope", now=NOW)
    assert sv.authenticate(store, "recv", "recv-password", now=NOW).status == "locked"
    sv.reset_password(store, cast.admin, "recv", "a-brand-new-password", now=NOW)
    assert sv.authenticate(store, "recv", "a-brand-new-password", now=NOW).ok


def test_passwords_are_never_stored(store, cast):
    sv.authenticate(store, "prac", "my-secret-typo-1", now=NOW)
    sv.authenticate(store, "my-secret-in-username-box", "x", now=NOW)
    dump = []
    with store.read() as s:
        for table in ("users", "audit_entries", "settings", "workflow_events"):
            dump.extend(str(row) for row in s.execute(text(f"SELECT * FROM {table}")))
    text_all = "\n".join(dump)
    for secret in ("my-secret-typo-1", "my-secret-in-username-box", "prac-password", "admin-password-1"):
        assert secret not in text_all
    assert "$argon2" in text_all


@pytest.mark.parametrize("bad", ["", "short"])
def test_password_rules(store, cast, bad):
    with pytest.raises(sv.Invalid):
        sv.create_user(store, cast.admin, "weak", "Weak", "practitioner", cast.csc, bad, now=NOW)

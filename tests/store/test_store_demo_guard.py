"""Demo data never enters a real database (issue 13), and leaves PostgreSQL's sequences right (issue 14).

- `demo` refuses a database holding any handover or account that is not the demo's own: one line, exit 2
  from the command line, nothing written — whatever `--cases` says (0 included);
- the one exception is the app's first run: its administrator, just created, then the demo data;
- after `demo` on PostgreSQL, new handovers (and users, and versions) can still be created.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from store.store_cases import NOW, step_down

from handover import demo
from handover.cli import main
from handover.store import service as sv
from handover.store.models import AuditEntry, Handover, Setting, User

TODAY = NOW.date()


def _counts(store) -> tuple[int, int, int, int]:
    with store.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (User, Handover, AuditEntry, Setting))


def test_demo_refuses_real_users_even_with_no_handovers(store, cast):
    """The attack of issue 13: `demo --cases 0` added 33 accounts with a public password, an administrator
    among them, to a database of real users."""
    before = _counts(store)
    for n in (0, 3):
        with pytest.raises(sv.Invalid, match="not demo accounts"):
            demo.generate(store, n, today=TODAY, now=NOW)
    assert _counts(store) == before
    assert not sv.authenticate(store, "can1-mgr", demo.DEMO_PASSWORD, now=NOW).ok


def test_demo_refuses_one_real_user_who_has_signed_in(store):
    sv.create_first_admin(store, "boss", "The Boss", "long enough password", now=NOW)
    assert sv.authenticate(store, "boss", "long enough password", now=NOW).ok   # the database is in use
    before = _counts(store)
    with pytest.raises(sv.Invalid):
        demo.generate(store, 0, today=TODAY, now=NOW)
    assert _counts(store) == before


def test_demo_refuses_a_real_handover_in_a_demo_database(store):
    demo.generate(store, 3, today=TODAY, now=NOW)
    admin = sv.authenticate(store, "admin", demo.DEMO_PASSWORD, now=NOW).actor
    team = sv.create_team(store, admin, "A real team", "children_social_care", now=NOW)
    sv.create_user(store, admin, "jo", "Jo Real", "practitioner", team.id, "jo-password-1", now=NOW)
    # a real account in a demo database: no more demo data
    with pytest.raises(sv.Invalid, match="not demo accounts"):
        demo.generate(store, 3, today=TODAY, now=NOW)


def test_demo_refuses_a_handover_not_made_by_the_demo(store, cast):
    with store.write() as s:   # as if the database had been marked long ago
        s.add(Setting(key="demo", value="true"))
    sv.create_handover(store, cast.prac, step_down("REAL-1"), now=NOW)
    with pytest.raises(sv.Invalid, match="real handovers"):
        demo.generate(store, 1, today=TODAY, now=NOW)


def test_first_run_administrator_then_demo_data(store):
    """The app's first run: the administrator first, then the demo — accepted, and again later."""
    sv.create_first_admin(store, "boss", "The Boss", "long enough password", now=NOW)
    assert demo.generate(store, 4, today=TODAY, now=NOW).handovers == 4
    assert demo.generate(store, 2, today=TODAY, now=NOW).first_id == "DEMO-000005"
    assert sv.authenticate(store, "boss", "long enough password", now=NOW).ok
    assert sv.authenticate(store, "can1-mgr", demo.DEMO_PASSWORD, now=NOW).ok


def test_cli_demo_into_a_real_database_is_one_line_exit_2(store, cast, db_url, capsys):
    before = _counts(store)
    code = main(["demo", "--db", db_url, "--cases", "0"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "demo" in err
    assert _counts(store) == before


def test_new_handovers_after_demo(store):
    """After demo on PostgreSQL every creation failed: the demo's explicit ids had not moved the sequence."""
    demo.generate(store, 30, today=TODAY, now=NOW)
    admin = sv.authenticate(store, "admin", demo.DEMO_PASSWORD, now=NOW).actor
    prac = sv.authenticate(store, "can1-prac1", demo.DEMO_PASSWORD, now=NOW).actor
    created = [sv.create_handover(store, prac, step_down(f"NEW-{i}"), now=NOW) for i in range(20)]
    assert len(created) == 20
    team = sv.create_team(store, admin, "After the demo", "early_help", now=NOW)
    sv.create_user(store, admin, "after", "After Demo", "practitioner", team.id, "after-password", now=NOW)
    with store.read() as s:
        ids = list(s.scalars(select(Handover.id)))
        assert len(ids) == len(set(ids)) == 50
        assert s.scalar(select(Handover.case_id).where(Handover.id == max(ids))) == "NEW-19"
    # the NEW-* handovers are not the demo's: no more demo data here
    with pytest.raises(sv.Invalid, match="real handovers"):
        demo.generate(store, 1, today=TODAY, now=NOW)

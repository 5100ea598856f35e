"""PostgreSQL enforces access (handover.store.pg_access): each person connects as their own database role.

On a real server (the session's ``pg_server``), a database owned by a non-superuser owner with only
CREATEROLE (as a council would run it) is set up by ``handover db init --admin``; the administrator then
makes everyone else's account, and so their database role, through the app's own operations. The
tests then act as each person with raw SQL (what a desktop holding only that person's password could
send) and through ``handover.app.operations``, and check that the database itself refuses what SPEC
section 2 does not allow — whatever the Python ``Actor`` says.
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from store.store_cases import NOW, complete_step_down, step_down

from handover import audit, workflow
from handover.app import operations as ops
from handover.app.context import Context
from handover.app.session import Gate, open_gate
from handover.case import dump_case
from handover.store import service as sv
from handover.store.errors import Actor, Denied, NotFound

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.postgres

# ---------------------------------------------------------------- the server and the council's database


@dataclass
class Council:
    server: object                 #: the server's URL (sqlalchemy.engine.URL), superuser
    database: str
    owner: str
    owner_password: str
    owner_url: str                 #: with the owner's password (what a DBA keeps, never a desktop)
    people_url: str                #: without credentials: what the app is given
    suffix: str
    contexts: dict[str, Context]
    passwords: dict[str, str]
    teams: dict[str, int]

    def name(self, who: str) -> str:
        return f"{who}_{self.suffix}"

    def raw(self, who: str, password: str | None = None):
        """A psycopg connection as that person's own role (autocommit): what raw SQL from their desktop does."""
        u = self.server
        return psycopg.connect(host=u.host, port=u.port, dbname=self.database, user=self.name(who),
                               password=password or self.passwords[who], autocommit=True)

    def owner_engine(self):
        from sqlalchemy import create_engine

        return create_engine(self.owner_url)

    def handover_id(self, case_id: str) -> int:
        from sqlalchemy import text

        e = self.owner_engine()
        try:
            with e.connect() as c:
                return c.execute(text("SELECT id FROM handovers WHERE case_id = :c"), {"c": case_id}).scalar_one()
        finally:
            e.dispose()

    def gate(self) -> Gate:
        gate, message = open_gate(self.people_url)
        assert gate is not None, message
        gate.clock = lambda: NOW
        return gate

    def sign_in(self, who: str) -> Context:
        r = self.gate().sign_in(self.name(who), self.passwords[who])
        assert r.ok, r.message
        return r.context


PEOPLE = {  # who: (role, team)
    "prac": ("practitioner", "csc"), "prac2": ("practitioner", "csc"), "mgr": ("manager", "csc"),
    "recv": ("receiver", "eh"), "eh_mgr": ("manager", "eh"), "eh_prac": ("practitioner", "eh"),
    "other_prac": ("practitioner", "other"), "other_recv": ("receiver", "other"), "other_mgr": ("manager", "other"),
}


def _require_password_auth(council: Council) -> None:
    """The session's own server asks every role but the superuser for its password (tests/conftest.py);
    a server given in HANDOVER_TEST_PG_URL might trust everyone, and then these tests prove nothing."""
    try:
        council.raw("prac", "certainly-not-the-password").close()
    except psycopg.OperationalError:
        return
    pytest.skip("this PostgreSQL server does not check passwords (trust authentication)")


@pytest.fixture(scope="module")
def council(pg_server):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import URL, make_url

    from handover.cli import main

    server = make_url(pg_server)
    suffix = uuid.uuid4().hex[:8]
    database, owner, owner_password = f"council_{suffix}", f"owner_{suffix}", f"owner-pw-{suffix}"
    su = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with su.connect() as c:   # what the council's DBA does once, as a superuser
        c.execute(text(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{owner_password}'"))
        c.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
    owner_url = server.set(username=owner, password=owner_password, database=database) \
        .render_as_string(hide_password=False)
    people_url = URL.create(server.drivername, host=server.host, port=server.port, database=database) \
        .render_as_string(hide_password=False)
    passwords = {who: f"{who}-password-{suffix}" for who in ("admin", *PEOPLE)}
    import sys

    stdin, sys.stdin = sys.stdin, io.StringIO(passwords["admin"] + "\n")
    try:
        assert main(["db", "init", "--db", owner_url, "--admin", f"admin_{suffix}", "--admin-name", "Ada Admin",
                     "--password-stdin"]) == 0
    finally:
        sys.stdin = stdin
    c = Council(server, database, owner, owner_password, owner_url, people_url, suffix, {}, passwords, {})
    admin = c.sign_in("admin")
    for key, name, service in (("csc", "CSC North", "children_social_care"), ("eh", "Early Help East", "early_help"),
                               ("other", "Early Help West", "early_help")):
        c.teams[key] = ops.create_team(admin, name, service).value.id
    for who, (role, team) in PEOPLE.items():
        ops.create_user(admin, c.name(who), who.replace("_", " ").title(), role, c.teams[team], passwords[who])
    c.contexts = {"admin": admin, **{who: c.sign_in(who) for who in PEOPLE}}
    _require_password_auth(c)
    yield c
    for ctx in c.contexts.values():
        ctx.store.close()
    with su.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        for who in ("admin", *PEOPLE):
            conn.execute(text(f'DROP ROLE IF EXISTS "{who}_{suffix}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
    su.dispose()


def _new(council: Council, who: str, case_id: str, *, to: str | None = None, complete: bool = False):
    ctx = council.contexts[who]
    case = complete_step_down(case_id) if complete else step_down(case_id)
    s = sv.create_handover(ctx.store, ctx.actor, case, now=NOW,
                           receiving_team_id=council.teams[to] if to else None)
    return s


def _keep_pack(council: Council, who: str, case_id: str):
    """Keep a (stand-in) signed pack of the authorised version, as signing does: sending needs one."""
    ctx = council.contexts[who]
    view = ops.open_case(ctx, case_id)
    return sv.store_pack(ctx.store, ctx.actor, case_id, view.version, b"%PDF-1.4 test pack\n", kind="final",
                         now=NOW, content_hash=view.content_hash)


def _to_sent(council: Council, case_id: str) -> int:
    """A complete step-down of CSC to EH, authorised by CSC's manager and sent; its row version."""
    c = council.contexts
    s = _new(council, "prac", case_id, to="eh", complete=True)
    s = ops.request_authorisation(c["prac"], case_id, s.row_version).value.summary
    s = ops.authorise(c["mgr"], case_id, s.row_version).value.summary
    _keep_pack(council, "mgr", case_id)
    return ops.send(c["prac"], case_id, s.row_version).value.summary.row_version


def _rows(conn, sql: str, *params) -> list:
    return conn.execute(sql, params).fetchall()


def _refused(conn, sql: str, *params) -> str:
    """The database's refusal of a statement (an error, not zero rows)."""
    with pytest.raises(psycopg.Error) as e:
        conn.execute(sql, params)
    return str(e.value)


def _database_says_no(message: str) -> bool:
    """A refusal by row-level security or by one of the database's guard triggers (not some other error)."""
    return "row-level security" in message or message.startswith("handover: ")


# ================================================================ raw SQL as a practitioner


def test_a_practitioner_cannot_read_another_teams_handover(council):
    _new(council, "other_prac", "RAW-OTHER-1")
    _new(council, "prac", "RAW-OWN-1")
    hid = council.handover_id("RAW-OTHER-1")
    with council.raw("prac") as c:
        assert _rows(c, "SELECT * FROM handovers WHERE case_id = %s", "RAW-OTHER-1") == []
        assert _rows(c, "SELECT id FROM handovers WHERE case_id = %s", "RAW-OWN-1") != []
        for table in ("versions", "deadlines", "people", "workflow_events", "packs"):
            assert _rows(c, f"SELECT * FROM {table} WHERE handover_id = %s", hid) == [], table
        # the other team's child's name is nowhere to be read (the people index neither: SPEC section 8)
        assert all("RAW-OTHER-1" != r[0] for r in _rows(c, "SELECT case_id FROM handovers"))
        assert _rows(c, "SELECT p.given_name FROM people p JOIN handovers h ON h.id = p.handover_id "
                        "WHERE h.case_id = %s", "RAW-OWN-1") != []
        seen = {r[0] for r in _rows(c, "SELECT DISTINCT handover_id FROM people")}
        assert hid not in seen and seen <= {r[0] for r in _rows(c, "SELECT id FROM handovers")}
        # their audit trail is not for them to read either (managers may; nobody may write it)
        assert "permission denied" in _refused(c, "SELECT * FROM audit_entries")
    with council.raw("prac") as c:
        # nor can they plant a person in it
        assert _database_says_no(_refused(c, "INSERT INTO people (handover_id, ref, kind, moves, given_name, "
                                             "family_name, name_key, nhs_number, agency_types, risk_factors) "
                                             "VALUES (%s, 'x', 'child', true, 'A', 'B', 'a b', '', '', '')", hid))


def test_a_practitioner_cannot_update_or_delete_a_version(council):
    c = council.contexts
    row = _to_sent(council, "RAW-V-1")
    _new(council, "other_prac", "RAW-V-OTHER")
    own, other = council.handover_id("RAW-V-1"), council.handover_id("RAW-V-OTHER")
    with council.raw("prac") as conn:
        # the authorised (signed) version of their own team's handover: never changed
        assert "never changed" in _refused(conn, "UPDATE versions SET document = '{}' WHERE handover_id = %s "
                                                 "AND frozen", own)
        assert "never changed" in _refused(conn, "UPDATE versions SET frozen = false WHERE handover_id = %s "
                                                 "AND frozen", own)
        assert "new version" in _refused(conn, "UPDATE versions SET document = '{}' WHERE handover_id = %s "
                                               "AND NOT frozen", own)   # nor an earlier, unsigned one
        # another team's versions are not even there to update
        assert conn.execute("UPDATE versions SET document = '{}' WHERE handover_id = %s", (other,)).rowcount == 0
        # a version's handover, number and author are no one's to change; nothing is deleted
        assert "permission denied" in _refused(conn, "UPDATE versions SET created_by = 'x' WHERE handover_id = %s", own)
        assert "permission denied" in _refused(conn, "UPDATE versions SET number = 99 WHERE handover_id = %s", own)
        assert "permission denied" in _refused(conn, "DELETE FROM versions WHERE handover_id = %s", own)
        assert "permission denied" in _refused(conn, "DELETE FROM packs")
        # a new version slipped into a sent handover's history by raw SQL is refused too
        assert _database_says_no(_refused(
            conn, "INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, "
                  "created_at, note) VALUES (%s, 99, '{}', 'sha256:x', true, %s, now(), '')", own, council.name("prac")))
    signed = [v for v in ops.versions(c["prac"], "RAW-V-1") if v.frozen]
    assert len(signed) == 1 and signed[0].note == "authorise"   # still as signed
    assert row


def test_nobody_deletes_or_rewrites_the_audit_trail(council):
    _new(council, "prac", "RAW-AUDIT-1")
    for who in ("prac", "mgr", "admin"):
        with council.raw(who) as conn:
            for sql in ("DELETE FROM audit_entries", "UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_head",
                        "UPDATE audit_head SET seq = 1",
                        "INSERT INTO audit_entries VALUES (999999, now(), 'x', 'x', NULL, '{}', 'x', 'x')"):
                assert "permission denied" in _refused(conn, sql), (who, sql)
            # the one way in names the session's own user and the server's time, whatever the client says
            conn.execute("SELECT * FROM handover_access.audit_append('probe', NULL, '{}')")
    e = council.owner_engine()
    try:
        from sqlalchemy.orm import Session

        with Session(e) as s:
            report = audit.verify(s)
            probes = [x.actor for x in s.scalars(__import__("sqlalchemy").select(audit.AuditEntry)
                                                 .where(audit.AuditEntry.action == "probe"))]
    finally:
        e.dispose()
    assert report.ok, report.message           # the chain the database wrote is the chain audit verify checks
    assert sorted(probes) == sorted(council.name(w) for w in ("prac", "mgr", "admin"))


def test_nobody_changes_their_own_or_anyones_role(council):
    prac = council.name("prac")
    with council.raw("prac") as conn:
        assert "permission denied" in _refused(conn, "UPDATE users SET role = 'manager' WHERE username = %s", prac)
        assert "permission denied" in _refused(conn, "UPDATE users SET team_id = %s", council.teams["other"])
        assert "permission denied" in _refused(conn, "INSERT INTO users (username, display_name, role, password_hash, "
                                                     "active, failed_count, created_at) VALUES ('x', 'x', 'manager', "
                                                     "'x', true, 0, now())")
        assert "permission denied" in _refused(conn, "SELECT password_hash FROM users")
        for sql in (f'ALTER ROLE "{prac}" CREATEROLE', f'ALTER ROLE "{prac}" SUPERUSER', f'ALTER ROLE "{prac}" BYPASSRLS',
                    f'GRANT handover_manager TO "{prac}"', "SET ROLE handover_manager",
                    f'ALTER ROLE "{council.name("mgr")}" PASSWORD \'stolen-password\'',
                    f'CREATE ROLE sneaky_{council.suffix} LOGIN'):
            assert _refused(conn, sql), sql
        # the administrator's functions check the caller
        assert "only an administrator" in _refused(
            conn, "SELECT handover_access.user_set_role(%s, 'manager', %s)", prac, council.teams["csc"])
        assert "only an administrator" in _refused(
            conn, "SELECT handover_access.user_password(%s, 'SCRAM-SHA-256$4096:x')", council.name("admin"))
        assert "permission denied" in _refused(conn, "SELECT handover_access.provision(%s, 'administrator', true, "
                                                     "NULL, false)", prac)
    assert council.contexts["prac"].store and council.sign_in("prac").actor.role == "practitioner"


def test_no_ddl_for_people(council):
    for who in ("prac", "mgr", "admin"):
        with council.raw(who) as conn:
            _no_ddl(conn)


def _no_ddl(conn) -> None:
    for sql in ("CREATE TABLE stolen (x text)", "CREATE TEMP TABLE stolen (x text)", "CREATE SCHEMA stolen",
                "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "CREATE VIEW every_handover AS SELECT * FROM handovers",
                "ALTER TABLE handovers DISABLE ROW LEVEL SECURITY", "DROP POLICY handover_1 ON handovers",
                "DROP TABLE audit_entries", "TRUNCATE audit_entries", "ALTER TABLE versions DISABLE TRIGGER ALL",
                "CREATE TABLE handover_access.x (y int)"):
        assert "permission denied" in _refused(conn, sql) or "must be owner" in _refused(conn, sql), sql


# ================================================================ who sees what


def test_a_receiver_sees_what_was_sent_to_their_team_and_not_a_draft(council):
    _to_sent(council, "SEE-SENT-1")
    _new(council, "prac", "SEE-DRAFT-TO-EH", to="eh")          # addressed to EH, not sent yet
    _new(council, "other_prac", "SEE-OTHER-DRAFT")
    with council.raw("recv") as conn:
        seen = {r[0] for r in _rows(conn, "SELECT case_id FROM handovers")}
        versions = _rows(conn, "SELECT number FROM versions WHERE handover_id = %s", council.handover_id("SEE-SENT-1"))
    assert "SEE-SENT-1" in seen and versions
    assert "SEE-DRAFT-TO-EH" not in seen and "SEE-OTHER-DRAFT" not in seen


def test_a_manager_sees_every_handover_and_an_administrator_none(council):
    _new(council, "other_prac", "SEE-M-1")
    _new(council, "prac", "SEE-M-2")
    e = council.owner_engine()
    from sqlalchemy import text

    with e.connect() as c:
        total = c.execute(text("SELECT count(*) FROM handovers")).scalar()
        versions = c.execute(text("SELECT count(*) FROM versions")).scalar()
    e.dispose()
    with council.raw("other_mgr") as conn:
        assert _rows(conn, "SELECT count(*) FROM handovers")[0][0] == total
        assert _rows(conn, "SELECT count(*) FROM versions")[0][0] == versions
    with council.raw("admin") as conn:
        for table in ("handovers", "versions", "packs", "workflow_events"):
            assert _rows(conn, f"SELECT count(*) FROM {table}")[0][0] == 0, table
        assert _rows(conn, "SELECT count(*) FROM teams")[0][0] == 3          # users, teams and the protocol: yes
        assert _rows(conn, "SELECT count(*) FROM users")[0][0] == len(PEOPLE) + 1
    with pytest.raises(Denied):   # and the app says so in words
        ops.list_page(council.contexts["admin"], "all", 0, 10)
    # numbers, not records: an administrator's counts are the database's (through a counting function)
    counts = ops.dashboard_counts(council.contexts["admin"])
    assert sum(counts.values()) == total == sum(ops.dashboard_counts(council.contexts["mgr"]).values())


def test_row_level_security_matches_the_workflows_rule_for_every_role_side_and_state(council):
    """SELECT policy == workflow.can_view, for every state, every role and side (rows made by the owner)."""
    from sqlalchemy import text

    teams = council.teams
    e = council.owner_engine()
    made = {}
    with e.begin() as c:
        for state in workflow.STATES:
            for label, (sending, receiving) in {"csc_to_eh": ("csc", "eh"), "csc_to_other": ("csc", "other"),
                                                "other_to_eh": ("other", "eh")}.items():
                case_id = f"GRID-{state}-{label}"
                c.execute(text("INSERT INTO handovers (case_id, direction, state, child_given_name, child_family_name, "
                               "child_nhs_number, team_id, receiving_team_id, current_version, row_version, "
                               "created_at, updated_at) VALUES (:c, 'step_down', :s, 'G', 'Grid', '', :t, :r, 0, 1, "
                               "now(), now())"), {"c": case_id, "s": state, "t": teams[sending], "r": teams[receiving]})
                made[case_id] = (state, teams[sending], teams[receiving])
    e.dispose()
    for who, (role, team) in {**PEOPLE, "admin": ("administrator", None)}.items():
        with council.raw(who) as conn:
            seen = {r[0] for r in _rows(conn, "SELECT case_id FROM handovers WHERE case_id LIKE 'GRID-%%'")}
        mine = council.teams.get(team) if team else None
        expected = {cid for cid, (state, t, r) in made.items()
                    if workflow.can_view(role, workflow.side_of(mine, t, r), state)}
        assert seen == expected, who


# ================================================================ the app's operations, each person as themselves


def test_the_workflow_works_with_each_persons_own_connection(council):
    c = council.contexts
    case_id = "FLOW-1"
    s = _new(council, "prac", case_id, to="eh", complete=True)
    view = ops.open_case(c["prac"], case_id)
    edited = view.case
    edited["child"]["given_name"] = "Adah"
    s = ops.save(c["prac"], case_id, edited, s.row_version).value
    s = ops.save(c["prac"], case_id, edited | {"child": {**edited["child"], "family_name": "Sample"}},
                 s.row_version).value                                   # an autosave amends the same version
    assert s.current_version == 1
    s = ops.request_authorisation(c["prac"], case_id, s.row_version).value.summary
    with pytest.raises(Denied):                                          # the practitioner cannot authorise
        ops.authorise(c["prac"], case_id, s.row_version)
    s = ops.authorise(c["mgr"], case_id, s.row_version).value.summary
    assert s.state == "authorised" and s.authorised_version == s.current_version
    pack = _keep_pack(council, "prac", case_id)
    s = ops.send(c["prac"], case_id, s.row_version).value.summary
    assert ops.list_packs(c["recv"], case_id)[0].id == pack.id            # the receiving team reads the pack
    with pytest.raises(NotFound):
        ops.list_packs(c["other_prac"], case_id)
    s = ops.acknowledge(c["recv"], case_id, s.row_version).value.summary
    details = ops.AcceptDetails(held_date=date(2026, 11, 24), lead_name="Lee Lead", lead_agency="early_help",
                                agreed_date=date(2026, 11, 24))
    s = ops.accept(c["recv"], case_id, details, s.row_version).value.summary
    assert s.state == "accepted"
    s = ops.close(c["eh_mgr"], case_id, s.row_version).value.summary
    assert s.state == "closed"
    history = [(h.action, h.actor) for h in ops.history(c["mgr"], case_id)]
    assert history == [("request_authorisation", council.name("prac")), ("authorise", council.name("mgr")),
                       ("send", council.name("prac")), ("acknowledge", council.name("recv")),
                       ("accept", council.name("recv")), ("close", council.name("eh_mgr"))]
    # a closed handover takes no new version, from the app or by raw SQL
    with pytest.raises(Denied):
        ops.save(c["prac"], case_id, ops.open_case(c["prac"], case_id).case, s.row_version)
    with council.raw("recv") as conn:
        assert _refused(conn, "UPDATE handovers SET child_given_name = 'X' WHERE case_id = %s", case_id)
    with council.raw("prac") as conn:   # the attack of issue 13: a new version written into a closed handover
        assert _database_says_no(_refused(
            conn, "INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, created_at, "
                  "note) VALUES (%s, 99, '{}', 'sha256:x', false, %s, now(), 'imported')",
            council.handover_id(case_id), council.name("prac")))


def test_return_and_the_second_receiver_is_told_what_the_first_did(council):
    c = council.contexts
    row = _to_sent(council, "FLOW-RET")
    done = ops.return_handover(c["recv"], "FLOW-RET", "missing_information", "say more about school", row)
    assert done.value.summary.state == "draft"
    with pytest.raises(sv.Conflict) as e:   # EH's manager, a moment later, from the same screen
        ops.return_handover(c["eh_mgr"], "FLOW-RET", "other", "me too", row)
    assert "returned" in str(e.value) and council.name("recv").split("_")[0] in str(e.value).lower()
    view = ops.open_case(c["prac"], "FLOW-RET")                     # the sender has it back, with the reasons
    assert view.summary.state == "draft" and view.reasons_back.note == "say more about school"
    with pytest.raises(NotFound):                                    # the receiving team no longer opens the draft
        ops.open_case(c["recv"], "FLOW-RET")
    with council.raw("recv") as conn:   # and its new versions stay hidden from them
        versions = _rows(conn, "SELECT count(*) FROM versions WHERE handover_id = %s", council.handover_id("FLOW-RET"))
    assert versions == [(0,)]


def test_raw_sql_cannot_skip_the_workflow(council):
    c = council.contexts
    s = _new(council, "prac", "SKIP-1", to="eh", complete=True)
    ops.request_authorisation(c["prac"], "SKIP-1", s.row_version)
    row = _to_sent(council, "SKIP-2")
    with council.raw("prac") as conn:   # a practitioner authorising their own handover, or sending a draft
        assert "cannot move it" in _refused(conn, "UPDATE handovers SET state = 'authorised' WHERE case_id = 'SKIP-1'")
        assert "cannot move it" in _refused(conn, "UPDATE handovers SET state = 'sent' WHERE case_id = 'SKIP-1'")
        assert "permission denied" in _refused(conn, "UPDATE handovers SET team_id = %s WHERE case_id = 'SKIP-1'",
                                               council.teams["other"])   # the sending team is for ever
        assert "row-level security" in _refused(
            conn, "INSERT INTO workflow_events (handover_id, action, from_state, to_state, actor, actor_name, at, "
                  "note, version) VALUES (%s, 'authorise', 'awaiting_authorisation', 'authorised', %s, '', now(), '', "
                  "1)", council.handover_id("SKIP-1"), council.name("prac"))
    with council.raw("recv") as conn:   # a receiver closing what they have not accepted, or rewriting the case
        assert "cannot move it" in _refused(conn, "UPDATE handovers SET state = 'closed' WHERE case_id = 'SKIP-2'")
        assert "cannot move it" in _refused(conn, "UPDATE handovers SET state = 'authorised' WHERE case_id = 'SKIP-2'")
        assert conn.execute("UPDATE handovers SET child_family_name = 'X' WHERE case_id = 'SKIP-1'").rowcount == 0
        assert "permission denied" in _refused(   # receivers do not start handovers
            conn, "INSERT INTO handovers (case_id, direction, state, child_given_name, child_family_name, "
                  "child_nhs_number, team_id, current_version, row_version, created_at, updated_at) VALUES "
                  "('FAKE', 'step_down', 'draft', '', '', '', %s, 0, 1, now(), now())", council.teams["eh"])
    with council.raw("prac") as conn:   # nor does anyone for another team, or other than as a draft
        for team, state in ((council.teams["other"], "draft"), (council.teams["csc"], "authorised")):
            assert _refused(
                conn, "INSERT INTO handovers (case_id, direction, state, child_given_name, child_family_name, "
                      "child_nhs_number, team_id, current_version, row_version, created_at, updated_at) VALUES "
                      "('FAKE', 'step_down', %s, '', '', '', %s, 0, 1, now(), now())", state, team)
    with council.raw("other_mgr") as conn:   # a manager of a third team sees it but cannot act for another team
        assert "cannot move it" in _refused(conn, "UPDATE handovers SET state = 'acknowledged' WHERE case_id = 'SKIP-2'")
        assert "cannot change" in _refused(conn, "UPDATE handovers SET child_family_name = 'X' "
                                                 "WHERE case_id = 'SKIP-1'")
    assert ops.open_case(c["prac"], "SKIP-2").summary.row_version == row


def test_what_is_sent_is_what_was_authorised_even_by_raw_sql(council):
    c = council.contexts
    s = _new(council, "prac", "AUTH-1", to="eh", complete=True)
    s = ops.request_authorisation(c["prac"], "AUTH-1", s.row_version).value.summary
    s = ops.authorise(c["mgr"], "AUTH-1", s.row_version).value.summary
    hid = council.handover_id("AUTH-1")
    with council.raw("prac") as conn:   # a new version slipped in after authorising, then sent: refused
        conn.execute("BEGIN")
        assert _database_says_no(_refused(
            conn, "INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, created_at, "
                  "note) VALUES (%s, %s, '{}', 'sha256:x', false, %s, now(), '')", hid, s.current_version + 1,
            council.name("prac")))
        conn.execute("ROLLBACK")
        assert "cannot change" in _refused(conn, "UPDATE handovers SET current_version = current_version + 1 "
                                                 "WHERE id = %s", hid)
    # the attack of issue 13: `import` wrote a new version into an authorised handover; refused (one line)
    view = ops.open_case(c["prac"], "AUTH-1")
    view.case["child"]["given_name"] = "Imported"
    with pytest.raises(Denied):
        sv.import_case(c["prac"].store, c["prac"].actor, dump_case(view.case), now=NOW, source="x.json")
    # the app's own change while authorised reopens it (back to draft, to be authorised again)
    view = ops.open_case(c["prac"], "AUTH-1")
    view.case["child"]["given_name"] = "Changed"
    s = ops.save(c["prac"], "AUTH-1", view.case, view.summary.row_version).value
    assert s.state == "draft" and s.authorised_version is None
    assert [h.action for h in ops.history(c["prac"], "AUTH-1")][-1] == "reopen"
    s = ops.request_authorisation(c["prac"], "AUTH-1", s.row_version).value.summary
    s = ops.authorise(c["mgr"], "AUTH-1", s.row_version).value.summary
    _keep_pack(council, "mgr", "AUTH-1")
    s = ops.send(c["prac"], "AUTH-1", s.row_version).value.summary
    with council.raw("recv") as conn:   # once sent, the receiving team records only what is theirs
        doc = _rows(conn, "SELECT document FROM versions WHERE handover_id = %s ORDER BY number DESC LIMIT 1",
                    hid)[0][0]
        import json

        case = json.loads(doc)
        case["child"]["given_name"] = "Rewritten"
        conn.execute("BEGIN")
        assert "receiving team" in _refused(
            conn, "INSERT INTO versions (handover_id, number, document, content_hash, frozen, created_by, created_at, "
                  "note) VALUES (%s, %s, %s, 'sha256:x', false, %s, now(), '')", hid, s.current_version + 1,
            json.dumps(case), council.name("recv"))
        conn.execute("ROLLBACK")
    assert ops.open_case(c["recv"], "AUTH-1").case["child"]["given_name"] == "Changed"


def test_a_forged_actor_gains_nothing_on_a_persons_connection(council):
    c = council.contexts
    prac = c["prac"]
    s = _new(council, "prac", "FORGE-1", complete=True)
    s = ops.request_authorisation(prac, "FORGE-1", s.row_version).value.summary
    _new(council, "other_prac", "FORGE-OTHER")
    mgr = c["mgr"].actor
    forged = [Actor(username=mgr.username, display_name="Sam Manager", role="manager", team_id=mgr.team_id,
                    user_id=mgr.user_id),
              Actor(username="cli:root", display_name="command line", role="administrator", system=True),
              Actor(username=c["admin"].actor.username, display_name="Ada", role="administrator",
                    user_id=c["admin"].actor.user_id)]
    for actor in forged:
        ctx = Context(prac.store, actor, prac.clock)   # the practitioner's own connection, anyone's name
        with pytest.raises(Denied):
            ops.authorise(ctx, "FORGE-1", s.row_version)
        with pytest.raises(NotFound):
            ops.export(ctx, "FORGE-OTHER")
        with pytest.raises(Denied):
            ops.reset_password(ctx, council.name("admin"), "a-new-password-for-eve")
        with pytest.raises(Denied):
            ops.create_user(ctx, f"eve_{council.suffix}", "Eve", "administrator", None, "a-long-password-1")
        assert "FORGE-OTHER" not in {r.case_id for r in ops.list_page(ctx, "all", 0, 500)}
    assert council.sign_in("admin").actor.role == "administrator"   # the administrator's password is unchanged
    # the forged manager's name on the practitioner's connection can do only what the practitioner may
    with pytest.raises(Denied):
        ops.send_back(Context(prac.store, forged[0], prac.clock), "FORGE-1", "no", s.row_version)


def test_audit_entries_name_the_connections_role_whatever_the_client_says(council):
    from sqlalchemy import select

    prac = council.contexts["prac"]
    with prac.store.write() as s:
        entry = audit.append(s, actor="admin", action="forged_claim", now=NOW.replace(year=2001))
    assert entry.actor == council.name("prac") and entry.at.year != 2001
    e = council.owner_engine()
    from sqlalchemy.orm import Session

    with Session(e) as s:
        stored = s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.action == "forged_claim")).one()
        assert stored.actor == council.name("prac")
        assert audit.verify(s).ok
    e.dispose()


# ================================================================ signing in


def test_signing_in_wrong_disabled_or_as_the_owner(council):
    gate, _ = open_gate(council.owner_url)   # even given the owner's URL, the app keeps no credentials
    assert gate.shared and council.owner not in gate.shared_url and council.owner_password not in gate.shared_url
    gate = council.gate()
    assert not gate.first_run_needed()
    assert gate.store is None                                             # nothing opened before sign-in
    wrong = gate.sign_in(council.name("prac"), "not-the-password")
    nobody = gate.sign_in(f"nobody_{council.suffix}", "whatever-password")
    assert wrong.message == nobody.message == "The username or password is wrong."
    owner = gate.sign_in(council.owner, council.owner_password)          # a DBA's account is not a person's
    assert not owner.ok and "owner" in owner.message
    admin = council.contexts["admin"]
    ops.set_active(admin, council.name("prac2"), False)
    assert not council.gate().sign_in(council.name("prac2"), council.passwords["prac2"]).ok
    with pytest.raises(psycopg.OperationalError):                         # PostgreSQL refuses the login itself
        council.raw("prac2")
    ops.set_active(admin, council.name("prac2"), True)
    ops.reset_password(admin, council.name("prac2"), "a-brand-new-password")
    council.passwords["prac2"] = "a-brand-new-password"
    assert council.sign_in("prac2").actor.role == "practitioner"
    # the password is not kept once the connections are open
    ctx = council.sign_in("prac2")
    assert ctx.store.engine._handover_secret._password is None
    assert "a-brand-new-password" not in ctx.store.url


def test_an_administrator_cannot_take_over_a_database_role_that_is_not_a_person(council):
    admin = council.contexts["admin"]
    for name in (council.owner, "postgres"):   # the council's DBA roles are never altered from the app
        with pytest.raises(Denied) as e:
            ops.create_user(admin, name, "Eve", "administrator", None, "eve-password-long")
        assert "database role" in str(e.value)
    with council.raw("admin") as conn:   # nor through the function by hand
        assert "not an account" in _refused(
            conn, "SELECT handover_access.user_create(%s, 'Eve', 'administrator', NULL, NULL)", council.owner)
    assert council.gate().sign_in(council.owner, council.owner_password).ok is False


def test_an_administrator_changes_a_role_and_postgres_follows(council):
    admin = council.contexts["admin"]
    who = council.name("eh_prac")
    ops.set_role(admin, who, "receiver", council.teams["eh"])
    with council.raw("eh_prac") as conn:
        groups = {r[0] for r in _rows(conn, "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON "
                                            "b.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                                            "WHERE u.rolname = session_user")}
    assert groups == {"handover_receiver"}
    assert council.sign_in("eh_prac").actor.role == "receiver"
    ops.set_role(admin, who, "practitioner", council.teams["eh"])


def test_an_administrator_changes_the_protocol_on_their_own_connection(council):
    admin = council.contexts["admin"]
    row = _to_sent(council, "PROTO-1")
    before = ops.open_case(council.contexts["recv"], "PROTO-1").summary.next_due
    p = ops.protocol(admin).to_dict()
    for rule in p["rules"]["step_down"]:
        rule["working_days"] += 5
    n = ops.set_protocol(admin, p).value
    assert n >= 1
    after = ops.open_case(council.contexts["recv"], "PROTO-1").summary.next_due
    assert after > before and row
    with council.raw("admin") as conn:   # and the recompute's rights ended with its transaction
        assert _rows(conn, "SELECT count(*) FROM versions") == [(0,)]


# ================================================================ the command line


def test_the_cli_without_credentials_gets_one_line(council, capsys, monkeypatch):
    from handover.cli import main

    person = council.people_url.replace("://", f"://{council.name('prac')}@")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for url in (person, council.people_url):
        code = main(["overdue", "--db", url, "--as-of", "2026-11-25"])
        out, err = capsys.readouterr()
        assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, err
        assert "password" in err
    # with the password in a passfile (never on the command line) the person's own rows, and only those
    _new(council, "other_prac", "CLI-OTHER", complete=True)
    passfile = council.server.host + ":" + str(council.server.port) + ":" + council.database + ":" \
        + council.name("prac") + ":" + council.passwords["prac"]
    path = os.path.join(os.environ["HOME"], ".pgpass")
    with open(path, "w") as f:
        f.write(passfile + "\n")
    os.chmod(path, 0o600)
    monkeypatch.setenv("PGPASSFILE", path)
    code = main(["export", "CLI-OTHER", "-o", "-", "--db", person])
    out, err = capsys.readouterr()
    assert code == 2 and "CLI-OTHER" in err and "Ada" not in out    # not found for them
    code = main(["overdue", "--db", person, "--as-of", "2027-06-01", "--format", "json"])
    out, _ = capsys.readouterr()
    assert "CLI-OTHER" not in out
    # and the owner's URL keeps the system powers (migrations, db init, the council's own exports)
    code = main(["export", "CLI-OTHER", "-o", "-", "--db", council.owner_url])
    out, _ = capsys.readouterr()
    assert code == 0 and "CLI-OTHER" in out


def test_db_init_twice_is_idempotent(council, capsys):
    from sqlalchemy import create_engine, text

    from handover.cli import main

    def snapshot():
        e = create_engine(council.owner_url)
        with e.connect() as c:
            policies = c.execute(text("SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies "
                                      "ORDER BY 1, 2")).all()
            grants = c.execute(text("SELECT table_name, grantee, privilege_type FROM information_schema."
                                    "role_table_grants WHERE table_schema = 'public' ORDER BY 1, 2, 3")).all()
            rules = c.execute(text("SELECT count(*) FROM handover_access.rule")).scalar()
            users = c.execute(text("SELECT count(*) FROM users")).scalar()
        e.dispose()
        return policies, grants, rules, users

    before = snapshot()
    for _ in range(2):
        assert main(["db", "init", "--db", council.owner_url]) == 0
        out, _ = capsys.readouterr()
        assert "up to date" in out and "PostgreSQL enforces access" in out
    assert snapshot() == before
    import sys

    stdin, sys.stdin = sys.stdin, io.StringIO("another-password-1\n")
    try:   # --admin again: the administrator is there already, nothing changes
        assert main(["db", "init", "--db", council.owner_url, "--admin", council.name("admin"),
                     "--password-stdin"]) == 0
    finally:
        sys.stdin = stdin
    assert "exists already" in capsys.readouterr().out
    assert council.sign_in("admin").actor.role == "administrator"     # with the old password still
    # a person's URL cannot set the database up
    person = council.people_url.replace("://", f"://{council.name('mgr')}:{council.passwords['mgr']}@")
    assert main(["db", "upgrade", "--db", person]) == 2
    assert "owner" in capsys.readouterr().err


def test_demo_accounts_get_login_roles_with_the_demo_password(council):
    """``handover demo`` on PostgreSQL: pg_access.provision_demo_roles (demo.py's one call) gives every demo
    account a role; real accounts are not touched. Here on a database of its own."""
    from argon2 import PasswordHasher
    from sqlalchemy import create_engine, text
    from handover.store import open_database, pg_access

    su = create_engine(str(council.server.render_as_string(hide_password=False)), isolation_level="AUTOCOMMIT")
    name = f"demo_{council.suffix}"
    with su.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} OWNER {council.owner}"))
    url = council.server.set(username=council.owner, password=council.owner_password, database=name)
    r = open_database(url.render_as_string(hide_password=False))
    assert r.ok, r.message
    demo_user, real_user = f"demo1_{council.suffix}", f"real1_{council.suffix}"
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        with r.store.write() as s:
            for user, pw in ((demo_user, "demo-password"), (real_user, "real-password-1")):
                s.execute(text("INSERT INTO users (username, display_name, role, password_hash, active, failed_count, "
                               "created_at) VALUES (:u, :u, 'administrator', :h, true, 0, now())"),
                          {"u": user, "h": hasher.hash(pw)})
            assert pg_access.provision_demo_roles(s, "demo-password") == []
        gate, _ = open_gate(council.people_url.replace(council.database, name))
        assert gate.sign_in(demo_user, "demo-password").ok
        assert not gate.sign_in(real_user, "real-password-1").ok        # a real account gets no role from demo
        gate.store.close()
    finally:
        r.store.close()
        with su.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            c.execute(text(f'DROP ROLE IF EXISTS "{demo_user}"'))
        su.dispose()


def test_sqlite_is_unchanged(tmp_path):
    """The file is the boundary: no roles, the app's own sign-in (argon2), the command line's system actor."""
    gate, message = open_gate(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    assert gate is not None and not gate.shared and gate.first_run_needed()
    gate.create_first_admin("solo", "Solo Admin", "solo-password-1")
    assert gate.sign_in("solo", "solo-password-1").ok
    assert dump_case(step_down("X"))   # (the case helpers still import)
    gate.store.close()


def test_an_existing_database_moves_to_peoples_own_roles(council, capsys):
    """A database from before (accounts with argon2 hashes, no roles): `db init --admin` gives the existing
    administrator a role; their resetting anyone's password gives that person theirs."""
    import sys

    from sqlalchemy import create_engine, text

    from handover.cli import main
    from handover.store import open_database

    su = create_engine(council.server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    name = f"old_{council.suffix}"
    with su.connect() as c:
        c.execute(text(f"CREATE DATABASE {name} OWNER {council.owner}"))
    owner_url = council.server.set(username=council.owner, password=council.owner_password, database=name) \
        .render_as_string(hide_password=False)
    boss, worker = f"boss_{council.suffix}", f"worker_{council.suffix}"
    try:
        r = open_database(owner_url)
        assert r.ok, r.message
        sv.create_first_admin(r.store, boss, "The Boss", "boss-password-1", now=NOW)   # the old way: no role
        team = sv.create_team(r.store, sv.system_actor("t"), "Team", "early_help", now=NOW).id
        sv.create_user(r.store, sv.system_actor("t"), worker, "Worker", "practitioner", team, "worker-password",
                       now=NOW)
        r.store.close()
        gate, _ = open_gate(council.people_url.replace(council.database, name))
        assert not gate.sign_in(boss, "boss-password-1").ok
        stdin, sys.stdin = sys.stdin, io.StringIO("boss-password-2\n")
        try:
            assert main(["db", "init", "--db", owner_url, "--admin", boss, "--password-stdin"]) == 0
        finally:
            sys.stdin = stdin
        assert "gave them their database role" in capsys.readouterr().out
        boss_ctx = gate.sign_in(boss, "boss-password-2").context
        assert boss_ctx is not None
        ops.reset_password(boss_ctx, worker, "worker-password-2")
        assert gate.sign_in(worker, "worker-password-2").ok
        gate.store.close()
        boss_ctx.store.close()
    finally:
        with su.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in (boss, worker):
                c.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        su.dispose()


def test_the_app_opens_a_shared_database_without_credentials_and_signs_in_as_the_person(council):
    """ui/app.py's start-up thread opens the gate before anyone signs in: on PostgreSQL that connects to
    nothing, there is no first run, and the sign-in connects as the person."""
    from ui.app import _Opening

    opening = _Opening(council.owner_url, preload_window=False).get()   # even an owner URL in HANDOVER_DB
    assert opening.usable and opening.ready_to_sign_in and opening.gate.store is None
    opening.gate.clock = lambda: NOW
    signed = opening.gate.sign_in(council.name("recv"), council.passwords["recv"])
    assert signed.ok and signed.context.actor.role == "receiver"
    assert opening.gate.database_location() == council.people_url
    signed.context.store.close()


def test_signing_in_to_an_unreachable_server_is_one_line():
    gate, message = open_gate("postgresql+psycopg://ann:hunter2-secret@127.0.0.1:1/db")
    assert gate is not None and "hunter2" not in gate.shared_url and "ann" not in gate.shared_url
    r = gate.sign_in("ann", "a-password-here")
    assert not r.ok and r.message.startswith("Cannot reach the database") and "\n" not in r.message
    assert "hunter2" not in r.message

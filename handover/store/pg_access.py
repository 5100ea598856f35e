"""PostgreSQL enforces who may see and do what: one database role per person, group roles per app role,
grants, row-level security, guard triggers and ``SECURITY DEFINER`` functions (SPEC.md section 2).

SQLite is unchanged (the file is the boundary). On a shared PostgreSQL database:

- **The owner** (the role that owns the tables; it needs ``CREATEROLE``) runs migrations and
  :func:`install`. Its connections are the "system" path: the table owner bypasses row-level security
  (RLS is enabled, never forced), and the core keeps honouring the command line's system actor there.
  The owner URL never goes to a desktop.
- **A person** connects with their own LOGIN role, named after their user name, with a SCRAM password
  (the desktop sends PostgreSQL a SCRAM verifier made by libpq, never the password). The role is a
  member of exactly one NOLOGIN group role, ``handover_<app role>``, each a member of
  ``handover_people``. Who the person *is* (role, team, still active) is always the ``users`` row whose
  ``username`` is ``session_user``: a hand-built Python ``Actor`` gains nothing
  (:func:`session_actor`, used by :func:`handover.store.access.current_actor`).
- **Grants** leave people no DDL at all (no CREATE on the database or any schema, no TEMP), no UPDATE
  or DELETE on packs or the audit trail, no DELETE on versions, and UPDATE of a version only where the
  workflow itself amends one (autosave of your own unsigned draft version, freezing the version a
  manager authorises: the version guard trigger allows exactly those two; a frozen version never changes).
- **Row-level security** gives a person's own queries only the handovers SPEC section 2 lets them see
  (practitioner and receiver: their team's, and those sent to their team once sent; manager: all;
  administrator: none, but their counts come from ``handover_access.state_counts`` and they read the
  deadline rows, which hold dates and teams, no case content; users (not their password hashes),
  teams and the protocol are readable by every active person).
  Versions, packs, workflow events and deadline rows follow their handover's visibility.
- **Writes that cross teams** (the receiving team acknowledging, accepting or returning a handover
  writes the sending team's ``handovers`` row, a version, a workflow event and deadline rows) are
  allowed by RLS policies plus a guard trigger on ``handovers`` that checks every state change
  against the workflow's own moves (:data:`handover.workflow.MOVES`, and :data:`REOPEN`: a save while
  authorised returns it to draft), copied into ``handover_access.rule`` by :func:`install`, and every
  other change against :func:`handover.workflow.can_edit` (also copied). So the service's own
  statements run unchanged (its compare-and-set claims, conflict messages and one transaction per
  move), rather than being re-implemented as functions. Versions, events and deadline rows may be
  written for a handover the person may edit now, or whose row their own transaction has just
  legitimately changed (``handover_access.touched``); a workflow event must name the session's own
  user and a move the guard saw in the same transaction. What is sent must be the authorised, frozen
  version; once sent, a new version may differ from the one before only in what the receiving team
  records (:data:`handover.workflow.RECEIVING_RECORDS`). After a receiving team has acted on a
  handover (returned it, say), its row stays visible to that team, so that the second of two receivers
  is told what the first did (SPEC section 2); its versions and packs do not.
- **Audit appends** go through ``handover_access.audit_append`` (``SECURITY DEFINER``): the entry's
  actor is ``session_user`` and its time the server's, whatever the client says
  (:func:`audit_append`, called by :func:`handover.audit.append`).
- **Known elsewhere** (SPEC section 8): ``handover_access.known_elsewhere(handover)`` matches the people of
  a handover the caller may open against every other handover's (the one query of
  :mod:`handover.store.elsewhere`, compiled in) and returns counts and codes only
  (:func:`known_elsewhere_rows`); the other handovers' people rows stay hidden by row-level security.
- **An administrator's operations** (create a user, disable, enable, reset a password, set a role)
  call ``SECURITY DEFINER`` functions that check the caller is an active administrator and create,
  alter or disable the person's database role (:func:`create_person` and friends, called from
  :mod:`handover.store.admin`). Setting the protocol recomputes every deadline: the administrator's
  ``handover_access.protocol_set`` stores the protocol and, for that transaction only, lets them read
  and rewrite the deadline columns (it is in the audit trail; an administrator can in any case create
  accounts, so they are trusted with that, and the trail shows it). ``handover_access.trust_set`` replaces
  the trusted authorities (the ``settings`` row people may read but not write) and writes a trail entry per
  authority added or removed, its fingerprint computed by the database.
- **A signed pack from another organisation** (SPEC section 9) is stored by ``handover_access.receive_pack``
  (``SECURITY DEFINER``; :func:`receive_pack`, called by :mod:`handover.store.received` once Python has
  verified the PDF and computed the rows): for an active receiver or manager with a team, a case id not
  stored yet, it inserts the handover, version 1, the pack, the ``receive`` event, the deadline and people
  rows and the trail's entries, forcing every column that decides who sees and does what (state ``sent``,
  no sending team, the caller's team receiving, no owner, version 1 frozen and authorised, the caller as
  author and actor, the kind ``received``, the pack's SHA-256 and size); the rows' other columns are what
  Python's :mod:`handover.store.sync` computed. The guard on ``handovers`` lets through that one insert
  (marked in ``handover_access.elevated`` for the function's duration only). The database cannot check a
  PAdES signature, so raw SQL could store a forged pack this way: ``handover audit verify``
  (:mod:`handover.store.integrity`) re-verifies every received pack and reports one that fails.

Roles are cluster-wide in PostgreSQL, so a person's role is marked with the database it belongs to
(``COMMENT ON ROLE``): one server may hold several handover databases, but a user name is one person
in one of them; a role that is not a handover person (the owner, a superuser, a DBA) is never touched.

:func:`install` is an idempotent installer (run by ``handover db init`` / ``db upgrade`` and when the
owner creates or upgrades the schema), not an Alembic migration: it sets up cluster-wide roles as well
as the database, and it copies the *current* workflow rules from Python, so it must run again whenever
the tool is upgraded, even when the schema is not (Alembic revisions here are frozen once shipped).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Iterable

from sqlalchemy import (ColumnElement, Connection, MetaData, Select, Table, and_, distinct, func, literal_column,
                        or_, select, text, union)
from sqlalchemy import case as sql_case
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from handover import workflow
from handover.store.errors import Actor, Denied, Invalid
from handover.store.models import ROLES, AuditEntry, DeadlineRow, Handover, PersonRow, User

__all__ = ["ACCESS_SCHEMA", "PEOPLE_GROUP", "GROUPS", "PG_PASSWORD_HASH", "install", "installed",
           "owner_can_create_roles", "is_postgres_url", "session_person", "is_person", "session_actor",
           "audit_append", "scram_verifier", "create_person", "set_person_role", "set_person_active",
           "set_person_password", "store_protocol", "provision_role", "provision_demo_roles", "auth_status",
           "people_url", "rule_rows", "first_line", "state_counts", "known_elsewhere_rows", "same_person",
           "match_select", "has_role", "store_trust", "receive_pack",
           "REOPEN", "RECEIVERS", "RECEIVED_FORCED"]

ACCESS_SCHEMA = "handover_access"
PEOPLE_GROUP = "handover_people"
GROUPS: dict[str, str] = {role: f"handover_{role}" for role in ROLES}
#: ``users.password_hash`` of an account whose password PostgreSQL keeps (it matches no argon2 hash)
PG_PASSWORD_HASH = "!postgres-role"
_MARK = "handover person: "          # + the database name: COMMENT ON ROLE of a person's role
_AUDIT_LOCK = 0x68616E64             # the advisory lock handover.audit takes (same key)
_GENESIS = "sha256:" + "0" * 64
#: the settings row of the trusted authorities (:mod:`handover.store.admin`), the workflow event and the pack
#: kind of a handover received as a signed pack, and the refusal of one whose case id is stored already
#: (:mod:`handover.store.received`): here, as the database's functions write them too
TRUST_KEY = "trusted_authorities"
RECEIVE = "receive"
RECEIVED_KIND = "received"
ALREADY_STORED = "a handover with this id is already stored"
#: who may receive a signed pack for their team: whoever the receiving side of acknowledging allows
RECEIVERS = frozenset(role for role, side in workflow.MOVES["acknowledge"].allowed if side == "receiving")
#: the ``handovers`` columns ``handover_access.receive_pack`` sets itself; every other column is the case
#: file's (:func:`handover.store.sync.summary_columns`, :func:`~handover.store.sync.list_columns`)
RECEIVED_FORCED = ("id", "case_id", "state", "team_id", "receiving_team_id", "owner_id", "current_version",
                   "authorised_version", "row_version", "created_at", "updated_at")


# ================================================================ the rules, as data from handover.workflow


def _sides(sending: bool, receiving: bool) -> set[str]:
    return {s for s, on in (("sending", sending), ("receiving", receiving)) if on}


#: a save while ``authorised`` returns the handover to draft, to be authorised again (recorded as the
#: move ``reopen``: :func:`handover.store.service.save_version`): whoever may edit it then may reopen it,
#: and a change in that state is nothing else (so what is sent is what was authorised)
REOPEN = ("reopen", "authorised", "draft")


def rule_rows() -> list[tuple[str, str, bool, bool, str, str, str]]:
    """(kind, role, sending, receiving, state, target, action) rows for ``handover_access.rule``.

    ``edit``: the (role, sides, state) for which :func:`workflow.can_edit` allows a new version (sides
    exact), except while ``authorised``, where a change is the :data:`REOPEN` move. ``view``: the same
    for :func:`workflow.can_view` (kept for reference and tests; the SELECT policy is written out below
    so that it can use indexes). ``move``: for each move of :data:`workflow.MOVES` (and :data:`REOPEN`),
    source state, and (role, side) it allows: the side is required, the other side may be either."""
    rows: list[tuple[str, str, bool, bool, str, str, str]] = []
    action, source, target = REOPEN
    for role in ROLES:
        for sending in (False, True):
            for receiving in (False, True):
                sides = _sides(sending, receiving)
                for state in workflow.STATES:
                    if workflow.can_edit(role, sides, state) is None:
                        if state == source:
                            if len(sides) == 1:
                                rows.append(("move", role, sending, receiving, source, target, action))
                        else:
                            rows.append(("edit", role, sending, receiving, state, "", ""))
                    if workflow.can_view(role, sides, state):
                        rows.append(("view", role, sending, receiving, state, "", ""))
    for m in workflow.MOVES.values():
        for role, side in sorted(m.allowed):
            for source in m.sources:
                rows.append(("move", role, side == "sending", side == "receiving", source, m.target, m.action))
    return rows


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


# ================================================================ the installer's SQL

_FN = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
_FNV = "LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
_PL = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp"


def _view(t: str) -> str:
    """The SELECT condition on a ``handovers`` row ``t`` (workflow.can_view / access.visible_filter)."""
    return (f"((SELECT A.my_role()) = 'manager' OR ((SELECT A.my_role()) IN ('practitioner', 'receiver') AND "
            f"({t}.team_id = (SELECT A.my_team()) OR ({t}.receiving_team_id = (SELECT A.my_team()) AND "
            f"{t}.state IN ({_sql_list(workflow.RECEIVED_STATES)})))))")


def _related(t: str) -> str:
    """A handover the person's team has acted on as the receiving team (it returned it, say), or whose row
    their own transaction has just changed: seen, so the second of two receivers is told what the first
    did (SPEC section 2), but its versions and packs stay hidden while it is not visible."""
    return (f"({t}.receiving_team_id = (SELECT A.my_team()) AND (A.touched({t}.id) OR A.team_acted_on({t}.id)))")


_ELEVATED = "(SELECT A.elevated())"


def _outside_receiving() -> str:
    """jsonb operators removing :data:`workflow.RECEIVING_RECORDS` from a case document."""
    return " ".join("#- '{" + p.replace(".", ",") + "}'" for p in workflow.RECEIVING_RECORDS)


def _statements(schema: str, database: str) -> list[str]:
    """Every statement of :func:`install`, in order (``S``: the tables' schema, ``A``: handover_access)."""
    S, D = _ident(schema), _ident(database)
    people = PEOPLE_GROUP
    groups = ", ".join(GROUPS.values())
    P, M, R, AD = (GROUPS["practitioner"], GROUPS["manager"], GROUPS["receiver"], GROUPS["administrator"])
    view_h = _view("h")
    handover_columns = [c.name for c in Handover.__table__.columns if c.name != "id"]
    received_columns = [c for c in handover_columns if c not in RECEIVED_FORCED]
    deadline_columns = [c.name for c in DeadlineRow.__table__.columns if c.name != "id"]
    people_columns = [c.name for c in PersonRow.__table__.columns if c.name != "id"]
    out: list[str] = []

    # ---------------------------------------------------------------- group roles (cluster-wide)
    creates = "\n".join(
        f"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{g}') THEN CREATE ROLE {g} NOLOGIN; END IF;"
        for g in (people, *GROUPS.values()))
    out.append(f"DO $do$ BEGIN\n{creates}\nEND $do$")
    out += [f"GRANT {people} TO {g}" for g in GROUPS.values()]

    # ---------------------------------------------------------------- the database and its schemas
    out += [
        f"REVOKE ALL ON DATABASE {D} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {D} TO {people}",
        f"REVOKE CREATE ON SCHEMA {S} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {S} TO {people}",
        f"CREATE SCHEMA IF NOT EXISTS {ACCESS_SCHEMA}",
        f"REVOKE ALL ON SCHEMA {ACCESS_SCHEMA} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {ACCESS_SCHEMA} TO {people}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ACCESS_SCHEMA} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
        # the rules, and what this transaction has done (read only inside SECURITY DEFINER functions)
        "CREATE TABLE IF NOT EXISTS A.rule (kind text NOT NULL, role text NOT NULL, sending boolean NOT NULL, "
        "receiving boolean NOT NULL, state text NOT NULL, target text NOT NULL DEFAULT '', "
        "action text NOT NULL DEFAULT '')",
        "CREATE UNLOGGED TABLE IF NOT EXISTS A.touched (xid bigint NOT NULL, handover_id integer NOT NULL, "
        "username text NOT NULL, moved boolean NOT NULL DEFAULT false, from_state text, to_state text)",
        "CREATE INDEX IF NOT EXISTS touched_xid ON A.touched (xid, handover_id)",
        "CREATE UNLOGGED TABLE IF NOT EXISTS A.elevated (xid bigint NOT NULL, username text NOT NULL, "
        "purpose text NOT NULL)",
        "REVOKE ALL ON A.rule, A.touched, A.elevated FROM PUBLIC",
        "DELETE FROM A.rule",
    ]

    # ---------------------------------------------------------------- who is asking
    out += [
        f"""CREATE OR REPLACE FUNCTION A.is_owner() RETURNS boolean {_FN} AS $f$
  SELECT coalesce((SELECT pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_class c
                   WHERE c.oid = '{S}.handovers'::regclass), false)
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.my_role() RETURNS text {_FN} AS $f$
  SELECT u.role::text FROM {S}.users u WHERE u.username = session_user AND u.active
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.my_team() RETURNS integer {_FN} AS $f$
  SELECT u.team_id FROM {S}.users u WHERE u.username = session_user AND u.active
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.my_id() RETURNS integer {_FN} AS $f$
  SELECT u.id FROM {S}.users u WHERE u.username = session_user AND u.active
$f$""",
        # volatile: they must see what the guard trigger recorded earlier in the same statement
        f"""CREATE OR REPLACE FUNCTION A.touched(h integer) RETURNS boolean {_FNV} AS $f$
  SELECT EXISTS (SELECT 1 FROM A.touched t WHERE t.xid = txid_current_if_assigned() AND t.handover_id = h
                 AND t.username = session_user)
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.moved(h integer, f_from text, f_to text) RETURNS boolean {_FNV} AS $f$
  SELECT EXISTS (SELECT 1 FROM A.touched t WHERE t.xid = txid_current_if_assigned() AND t.handover_id = h
                 AND t.username = session_user AND t.moved AND (f_from IS NULL OR t.from_state = f_from)
                 AND t.to_state = f_to)
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.elevated() RETURNS boolean {_FNV} AS $f$
  SELECT EXISTS (SELECT 1 FROM A.elevated e WHERE e.xid = txid_current_if_assigned() AND e.username = session_user
                 AND e.purpose = 'protocol')
         AND A.my_role() = 'administrator'
$f$""",
        # only while handover_access.receive_pack inserts a received handover (it removes the mark again)
        f"""CREATE OR REPLACE FUNCTION A.receiving() RETURNS boolean {_FNV} AS $f$
  SELECT EXISTS (SELECT 1 FROM A.elevated e WHERE e.xid = txid_current_if_assigned() AND e.username = session_user
                 AND e.purpose = 'receive')
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.team_acted_on(h integer) RETURNS boolean {_FN} AS $f$
  SELECT EXISTS (SELECT 1 FROM {S}.workflow_events e JOIN {S}.users u ON u.username = e.actor
                 WHERE e.handover_id = h AND u.team_id = A.my_team()
                   AND e.action IN ('acknowledge', 'accept', 'return', 'close'))
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.may_write(h integer) RETURNS boolean {_FNV} AS $f$
  SELECT A.my_role() IS NOT NULL AND (A.touched(h) OR EXISTS (
    SELECT 1 FROM {S}.handovers x JOIN A.rule r ON r.kind = 'edit' AND r.state = x.state
    WHERE x.id = h AND r.role = A.my_role()
      AND r.sending = coalesce(x.team_id = A.my_team(), false)
      AND r.receiving = coalesce(x.receiving_team_id = A.my_team(), false)))
$f$""",
        # numbers, not case records: what an administrator's dashboard counts (RLS shows them no handover)
        f"""CREATE OR REPLACE FUNCTION A.state_counts() RETURNS TABLE (state text, direction text, n bigint) {_FN} AS $f$
  SELECT h.state::text, h.direction::text, count(*) FROM {S}.handovers h
  WHERE A.my_role() IN ('administrator', 'manager') GROUP BY h.state, h.direction
$f$""",
        # known elsewhere (SPEC section 8): the people of a handover the caller may open matched against every
        # other handover's, by match_select (below) compiled in; counts and codes only. A dozen index look-ups:
        # the planner's estimate of the NHS-number join is far too high, and compiling it (JIT) took 40 ms
        # every answer is in the trail (SPEC section 8), raw SQL's too: the app's own entry says what it showed
        f"""CREATE OR REPLACE FUNCTION A.known_elsewhere(p_handover integer)
    RETURNS TABLE (ref text, handovers bigint, agency_types text, risk_factors text) {_PL} SET jit = off AS $f$
#variable_conflict use_column
DECLARE
  cid text;
  found jsonb;
BEGIN
  SELECT h.case_id INTO cid FROM {S}.handovers h WHERE h.id = p_handover AND {view_h};
  IF cid IS NULL THEN
    RETURN;
  END IF;
  SELECT coalesce(jsonb_agg(jsonb_build_object('ref', m.ref::text, 'handovers', m.handovers::bigint,
                                               'agency_types', m.agency_types::text,
                                               'risk_factors', m.risk_factors::text)), '[]'::jsonb)
    INTO found FROM ({_known_elsewhere_select(schema)}) AS m WHERE m.handovers > 0;
  IF jsonb_array_length(found) > 0 THEN
    PERFORM A.audit_write(session_user::text, 'known_elsewhere_queried', cid,
                          jsonb_build_object('matches', found)::text);
  END IF;
  RETURN QUERY SELECT x.ref, x.handovers, x.agency_types, x.risk_factors
    FROM jsonb_to_recordset(found) AS x(ref text, handovers bigint, agency_types text, risk_factors text);
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.may_store_pack(h integer, n integer, hash text) RETURNS boolean {_FN} AS $f$
  SELECT A.my_role() IN ('practitioner', 'manager')
     AND EXISTS (SELECT 1 FROM {S}.handovers x WHERE x.id = h AND x.team_id = A.my_team())
     AND EXISTS (SELECT 1 FROM {S}.versions v WHERE v.handover_id = h AND v.number = n AND v.frozen
                 AND v.content_hash = hash)
$f$""",
    ]

    # ---------------------------------------------------------------- the audit trail's one way in
    out += [
        f"""CREATE OR REPLACE FUNCTION A.audit_write(p_actor text, p_action text, p_case_id text, p_detail text,
    OUT seq integer, OUT at timestamp, OUT prev_hash text, OUT entry_hash text) {_PL} AS $f$
DECLARE
  stamp text;
  payload text;
BEGIN
  PERFORM pg_advisory_xact_lock({_AUDIT_LOCK});
  SELECT h.seq, h.entry_hash INTO seq, prev_hash FROM {S}.audit_head h WHERE h.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    seq := 0;
    prev_hash := '{_GENESIS}';
  END IF;
  seq := seq + 1;
  at := date_trunc('microseconds', now() AT TIME ZONE 'UTC');
  stamp := to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  -- handover.audit.entry_hash: sha256 of the canonical JSON [seq, at, actor, action, case_id, detail, prev]
  payload := '[' || seq::text || ',' || to_json(stamp)::text || ',' || to_json(p_actor)::text || ','
             || to_json(p_action)::text || ',' || coalesce(to_json(p_case_id)::text, 'null') || ','
             || to_json(p_detail)::text || ',' || to_json(prev_hash)::text || ']';
  entry_hash := 'sha256:' || encode(sha256(convert_to(payload, 'UTF8')), 'hex');
  INSERT INTO {S}.audit_entries (seq, at, actor, action, case_id, detail, prev_hash, entry_hash)
    VALUES (seq, at, p_actor, p_action, p_case_id, p_detail, prev_hash, entry_hash);
  INSERT INTO {S}.audit_head (id, seq, entry_hash) VALUES (1, seq, entry_hash)
    ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, entry_hash = EXCLUDED.entry_hash;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.audit_append(p_action text, p_case_id text, p_detail text,
    OUT seq integer, OUT at timestamp, OUT prev_hash text, OUT entry_hash text) {_PL} AS $f$
BEGIN
  IF A.my_role() IS NULL AND NOT A.is_owner() THEN
    RAISE EXCEPTION 'handover: your account is disabled or no longer exists' USING ERRCODE = '42501';
  END IF;
  SELECT w.seq, w.at, w.prev_hash, w.entry_hash INTO seq, at, prev_hash, entry_hash
    FROM A.audit_write(session_user::text, p_action, p_case_id, p_detail) w;
END
$f$""",
    ]

    # ---------------------------------------------------------------- people's database roles
    out += [
        f"""CREATE OR REPLACE FUNCTION A.provision(p_username text, p_role text, p_active boolean, p_verifier text,
    p_create boolean) RETURNS boolean {_PL} AS $f$
DECLARE
  r record;
  mark text := '{_MARK}' || current_database();
  g text;
  others text;
BEGIN
  IF p_username IS NULL OR p_username !~ '^[^[:space:]]+$' OR octet_length(p_username) > 63
     OR p_username LIKE 'pg\\_%' OR p_username LIKE 'handover\\_%' THEN
    RAISE EXCEPTION 'handover: % cannot be a database role (1 to 63 bytes, no spaces, not pg_ or handover_)',
      p_username USING ERRCODE = '22023';
  END IF;
  IF p_role NOT IN ({_sql_list(ROLES)}) THEN
    RAISE EXCEPTION 'handover: % is not a role', p_role USING ERRCODE = '22023';
  END IF;
  IF p_verifier IS NOT NULL AND p_verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
    RAISE EXCEPTION 'handover: passwords reach the database as SCRAM verifiers only' USING ERRCODE = '22023';
  END IF;
  SELECT a.oid, a.rolsuper, a.rolcreaterole, a.rolcreatedb, a.rolreplication, a.rolbypassrls,
         shobj_description(a.oid, 'pg_authid') AS note
    INTO r FROM pg_roles a WHERE a.rolname = p_username;
  IF NOT FOUND THEN
    IF NOT p_create THEN
      RETURN false;
    END IF;
    EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT', p_username);
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_username, mark);
  ELSIF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
        OR r.note IS NULL OR r.note NOT LIKE '{_MARK}%'
        OR (r.note <> mark AND EXISTS (SELECT 1 FROM pg_database d WHERE '{_MARK}' || d.datname = r.note)) THEN
    RAISE EXCEPTION 'handover: there is already a database role called % that is not an account of this '
      'handover database: choose another user name', p_username USING ERRCODE = '42710';
  ELSIF r.note <> mark THEN   -- a person of a database that no longer exists: theirs no more
    EXECUTE format('COMMENT ON ROLE %I IS %L', p_username, mark);
  END IF;
  IF p_verifier IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_username, p_verifier);
  END IF;
  EXECUTE format('ALTER ROLE %I %s', p_username, CASE WHEN p_active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  FOREACH g IN ARRAY ARRAY[{_sql_list(GROUPS.values())}] LOOP
    IF g <> 'handover_' || p_role AND EXISTS (
        SELECT 1 FROM pg_auth_members m JOIN pg_roles x ON x.oid = m.roleid JOIN pg_roles y ON y.oid = m.member
        WHERE x.rolname = g AND y.rolname = p_username) THEN
      EXECUTE format('REVOKE %I FROM %I', g, p_username);
    END IF;
  END LOOP;
  EXECUTE format('GRANT %I TO %I', 'handover_' || p_role, p_username);
  RETURN true;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.require_admin() RETURNS void {_PL} AS $f$
BEGIN
  IF coalesce(A.my_role(), '') <> 'administrator' AND NOT A.is_owner() THEN
    RAISE EXCEPTION 'handover: only an administrator can do this' USING ERRCODE = '42501';
  END IF;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.keep_one_admin(p_username text) RETURNS void {_PL} AS $f$
BEGIN
  IF EXISTS (SELECT 1 FROM {S}.users u WHERE u.username = p_username AND u.role = 'administrator')
     AND NOT EXISTS (SELECT 1 FROM {S}.users u WHERE u.role = 'administrator' AND u.active
                     AND u.username <> p_username) THEN
    RAISE EXCEPTION 'handover: this is the last active administrator; appoint another first' USING ERRCODE = '42501';
  END IF;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.user_create(p_username text, p_display text, p_role text, p_team integer,
    p_verifier text) RETURNS void {_PL} AS $f$
BEGIN
  PERFORM A.require_admin();
  IF p_role <> 'administrator' AND p_team IS NULL THEN
    RAISE EXCEPTION 'handover: a % must belong to a team', p_role USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM {S}.users u WHERE u.username = p_username) THEN
    RAISE EXCEPTION 'handover: there is already a user %', p_username USING ERRCODE = '23505';
  END IF;
  INSERT INTO {S}.users (username, display_name, role, team_id, password_hash, active, failed_count, created_at)
    VALUES (p_username, coalesce(nullif(btrim(p_display), ''), p_username), p_role, p_team, '{PG_PASSWORD_HASH}',
            true, 0, now() AT TIME ZONE 'UTC');
  PERFORM A.provision(p_username, p_role, true, p_verifier, true);
  PERFORM A.audit_write(session_user::text, 'user_create', NULL,
    jsonb_build_object('user', p_username, 'role', p_role, 'team_id', p_team)::text);
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.user_set_role(p_username text, p_role text, p_team integer) RETURNS void {_PL} AS $f$
BEGIN
  PERFORM A.require_admin();
  IF p_role <> 'administrator' THEN
    PERFORM A.keep_one_admin(p_username);
    IF p_team IS NULL THEN
      RAISE EXCEPTION 'handover: a % must belong to a team', p_role USING ERRCODE = '22023';
    END IF;
  END IF;
  UPDATE {S}.users SET role = p_role, team_id = p_team WHERE username = p_username;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'handover: there is no user %', p_username USING ERRCODE = 'P0002';
  END IF;
  PERFORM A.provision(p_username, p_role, (SELECT u.active FROM {S}.users u WHERE u.username = p_username),
                      NULL, false);
  PERFORM A.audit_write(session_user::text, 'user_role', NULL,
    jsonb_build_object('user', p_username, 'role', p_role, 'team_id', p_team)::text);
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.user_set_active(p_username text, p_active boolean) RETURNS void {_PL} AS $f$
DECLARE
  their_role text;
BEGIN
  PERFORM A.require_admin();
  IF NOT p_active THEN
    PERFORM A.keep_one_admin(p_username);
  END IF;
  UPDATE {S}.users SET active = p_active WHERE username = p_username RETURNING role INTO their_role;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'handover: there is no user %', p_username USING ERRCODE = 'P0002';
  END IF;
  PERFORM A.provision(p_username, their_role, p_active, NULL, false);
  PERFORM A.audit_write(session_user::text, CASE WHEN p_active THEN 'user_enable' ELSE 'user_disable' END, NULL,
    jsonb_build_object('user', p_username)::text);
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.user_password(p_username text, p_verifier text) RETURNS void {_PL} AS $f$
DECLARE
  u record;
BEGIN
  IF session_user::text <> p_username OR A.my_role() IS NULL THEN
    PERFORM A.require_admin();
  END IF;
  SELECT x.role, x.active INTO u FROM {S}.users x WHERE x.username = p_username;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'handover: there is no user %', p_username USING ERRCODE = 'P0002';
  END IF;
  UPDATE {S}.users SET password_hash = '{PG_PASSWORD_HASH}', failed_count = 0, locked_until = NULL
    WHERE username = p_username;
  PERFORM A.provision(p_username, u.role, u.active, p_verifier, true);
  PERFORM A.audit_write(session_user::text, 'password_reset', NULL, jsonb_build_object('user', p_username)::text);
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.protocol_set(p_document text) RETURNS integer {_PL} AS $f$
DECLARE
  new_id integer;
BEGIN
  IF coalesce(A.my_role(), '') <> 'administrator' THEN
    RAISE EXCEPTION 'handover: only an administrator can do this' USING ERRCODE = '42501';
  END IF;
  INSERT INTO {S}.protocols (document, created_by, created_at)
    VALUES (p_document, session_user::text, now() AT TIME ZONE 'UTC') RETURNING id INTO new_id;
  -- for this transaction only: read and rewrite the deadline columns of every handover
  INSERT INTO A.elevated (xid, username, purpose) VALUES (txid_current(), session_user::text, 'protocol');
  DELETE FROM A.elevated WHERE xid < txid_snapshot_xmin(txid_current_snapshot());
  PERFORM A.audit_write(session_user::text, 'protocol_store', NULL, jsonb_build_object('protocol', new_id)::text);
  RETURN new_id;
END
$f$""",
        # the trusted authorities (SPEC section 9): only an administrator replaces the list; an authority still
        # listed keeps its stored entry (who added it, when), a new one is added by session_user now, and each
        # change is in the trail, its fingerprint computed here (p_names: fingerprint → name, for the entry)
        f"""CREATE OR REPLACE FUNCTION A.fingerprint(p_pem text) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $f$
  SELECT rtrim(regexp_replace(upper(encode(sha256(decode(regexp_replace(p_pem, '-----[A-Z0-9 ]+-----|\\s', '', 'g'),
         'base64')), 'hex')), '(..)', '\\1:', 'g'), ':')
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.trust_set(p_value text, p_names jsonb) RETURNS void {_PL} AS $f$
DECLARE
  given jsonb;
  stored jsonb := '{{}}';
  kept jsonb := '[]';
  e jsonb;
  fp text;
  seen text[] := '{{}}';
  at text := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00';
BEGIN
  IF coalesce(A.my_role(), '') <> 'administrator' THEN
    RAISE EXCEPTION 'handover: only an administrator can do this' USING ERRCODE = '42501';
  END IF;
  BEGIN
    given := p_value::jsonb;
    FOR e IN SELECT value FROM jsonb_array_elements(given) LOOP
      IF jsonb_typeof(e -> 'pem') IS DISTINCT FROM 'string' THEN
        RAISE EXCEPTION 'no pem';
      END IF;
      PERFORM A.fingerprint(e ->> 'pem');
    END LOOP;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'handover: the trusted authorities are a list of certificates ({{"pem": ...}})'
      USING ERRCODE = '22023';
  END;
  BEGIN   -- what is stored now, by fingerprint (a damaged value holds nothing worth keeping)
    SELECT coalesce(jsonb_object_agg(A.fingerprint(x.value ->> 'pem'), x.value), '{{}}') INTO stored
      FROM {S}.settings s, jsonb_array_elements(s.value::jsonb) x WHERE s.key = '{TRUST_KEY}';
  EXCEPTION WHEN others THEN
    stored := '{{}}';
  END;
  FOR e IN SELECT value FROM jsonb_array_elements(given) LOOP
    fp := A.fingerprint(e ->> 'pem');
    CONTINUE WHEN fp = ANY (seen);
    seen := seen || fp;
    IF stored ? fp THEN
      kept := kept || jsonb_build_array(stored -> fp);
    ELSE
      kept := kept || jsonb_build_array(jsonb_build_object('pem', e -> 'pem', 'added_by', session_user::text,
                                                           'added_at', at));
      PERFORM A.audit_write(session_user::text, 'trust_add', NULL,
        jsonb_build_object('authority', coalesce(p_names ->> fp, ''), 'fingerprint', fp)::text);
    END IF;
  END LOOP;
  FOR fp IN SELECT k FROM jsonb_object_keys(stored) k WHERE NOT k = ANY (seen) LOOP
    PERFORM A.audit_write(session_user::text, 'trust_remove', NULL,
      jsonb_build_object('authority', coalesce(p_names ->> fp, ''), 'fingerprint', fp)::text);
  END LOOP;
  INSERT INTO {S}.settings (key, value) VALUES ('{TRUST_KEY}', kept::text)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
END
$f$""",
        # a signed pack from another organisation, received by a receiver or manager on their own role (SPEC
        # section 9): Python verifies the PDF first and computes the rows (handover.store.received); this
        # inserts them as the owner would, forcing every column that decides who sees and does what. The
        # database cannot check a PAdES signature: `handover audit verify` re-verifies every received pack.
        f"""CREATE OR REPLACE FUNCTION A.receive_pack(p_case_id text, p_columns jsonb, p_document text,
    p_content_hash text, p_note text, p_deadlines jsonb, p_people jsonb, p_pdf bytea, p_signers text,
    p_signer text, p_source text) RETURNS integer {_PL} AS $f$
DECLARE
  r text := A.my_role();
  t integer := A.my_team();
  me text := session_user::text;
  at timestamp := date_trunc('microseconds', now() AT TIME ZONE 'UTC');
  sha text;
  hid integer;
  pid integer;
BEGIN
  IF r IS NULL OR r NOT IN ({_sql_list(RECEIVERS)}) THEN
    RAISE EXCEPTION 'handover: only {" and ".join(sorted(x + "s" for x in RECEIVERS))} import a signed pack for '
      'their team' USING ERRCODE = '42501';
  END IF;
  IF t IS NULL THEN
    RAISE EXCEPTION 'handover: you are not in a team: ask an administrator to add you to one' USING ERRCODE = '42501';
  END IF;
  IF p_case_id IS NULL OR p_content_hash IS NULL OR p_pdf IS NULL
     OR substring(p_pdf FROM 1 FOR 5) <> '\\x255044462d'::bytea OR jsonb_typeof(p_columns) IS DISTINCT FROM 'object'
     OR jsonb_typeof(p_deadlines) IS DISTINCT FROM 'array' OR jsonb_typeof(p_people) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'handover: a received pack is stored with its case file, its rows and the PDF'
      USING ERRCODE = '22023';
  END IF;
  BEGIN
    IF (p_document::jsonb) ->> 'id' IS DISTINCT FROM p_case_id THEN
      RAISE EXCEPTION 'not its case file';
    END IF;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'handover: the case file is not that of %', p_case_id USING ERRCODE = '22023';
  END;
  IF EXISTS (SELECT 1 FROM {S}.handovers h WHERE h.case_id = p_case_id) THEN
    RAISE EXCEPTION 'handover: {ALREADY_STORED}: % (nothing was imported)', p_case_id USING ERRCODE = '23505';
  END IF;
  sha := 'sha256:' || encode(sha256(p_pdf), 'hex');
  -- for this function only: the guard on handovers lets through this one insert (removed again below)
  INSERT INTO A.elevated (xid, username, purpose) VALUES (txid_current(), me, 'receive');
  BEGIN
    INSERT INTO {S}.handovers ({", ".join(handover_columns)})
      SELECT {", ".join("x." + c for c in handover_columns)} FROM jsonb_populate_record(NULL::{S}.handovers,
        (SELECT coalesce(jsonb_object_agg(k, v), '{{}}') FROM jsonb_each(p_columns) AS c(k, v)
         WHERE k IN ({_sql_list(received_columns)}))
        || jsonb_build_object('case_id', p_case_id, 'state', 'sent', 'team_id', NULL, 'receiving_team_id', t,
                              'owner_id', NULL, 'current_version', 1, 'authorised_version', 1, 'row_version', 1,
                              'created_at', at, 'updated_at', at)) AS x
      RETURNING id INTO hid;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'handover: {ALREADY_STORED}: % (nothing was imported)', p_case_id USING ERRCODE = '23505';
  END;
  DELETE FROM A.elevated WHERE xid = txid_current() AND username = me AND purpose = 'receive';
  INSERT INTO {S}.versions (handover_id, number, document, content_hash, frozen, created_by, created_at, note)
    VALUES (hid, 1, p_document, p_content_hash, true, me, at, left(coalesce(p_note, ''), 500));
  INSERT INTO {S}.deadlines ({", ".join(deadline_columns)})
    SELECT {", ".join("x." + c for c in deadline_columns)} FROM jsonb_populate_recordset(NULL::{S}.deadlines,
      (SELECT coalesce(jsonb_agg(d || jsonb_build_object('handover_id', hid, 'team_id', NULL)), '[]')
       FROM jsonb_array_elements(p_deadlines) AS d)) AS x;
  INSERT INTO {S}.people ({", ".join(people_columns)})
    SELECT {", ".join("x." + c for c in people_columns)} FROM jsonb_populate_recordset(NULL::{S}.people,
      (SELECT coalesce(jsonb_agg(p || jsonb_build_object('handover_id', hid)), '[]')
       FROM jsonb_array_elements(p_people) AS p)) AS x;
  INSERT INTO {S}.workflow_events (handover_id, action, from_state, to_state, actor, actor_name, at, reason_code,
                                   note, version)
    VALUES (hid, '{RECEIVE}', 'authorised', 'sent', me, (SELECT u.display_name FROM {S}.users u WHERE u.username = me),
            at, NULL, coalesce(p_note, ''), 1);
  PERFORM A.audit_write(me, 'import_pack', p_case_id, jsonb_build_object('version', 1, 'source', p_source,
    'hash', p_content_hash, 'signer', p_signer)::text);
  PERFORM A.audit_write(me, 'move:{RECEIVE}', p_case_id, jsonb_build_object('from', 'authorised', 'to', 'sent',
    'reason_code', NULL, 'note', coalesce(p_note, ''), 'version', 1)::text);
  INSERT INTO {S}.packs (handover_id, version, kind, pdf, size, sha256, content_hash, signers, created_by, created_at)
    VALUES (hid, 1, '{RECEIVED_KIND}', p_pdf, octet_length(p_pdf), sha, p_content_hash, coalesce(p_signers, ''), me, at)
    RETURNING id INTO pid;
  PERFORM A.audit_write(me, 'pack_store', p_case_id, jsonb_build_object('pack', pid, 'version', 1,
    'kind', '{RECEIVED_KIND}', 'sha256', sha, 'size', octet_length(p_pdf), 'content_hash', p_content_hash,
    'signers', coalesce(p_signers, ''))::text);
  RETURN hid;
END
$f$""",
    ]

    # ---------------------------------------------------------------- the guard triggers
    edit_keys = ("row_version", "updated_at", "receiving_team_id", "owner_id", "state", "authorised_version")
    elevated_keys = ("error_count", "warning_count", "next_rule", "next_due")
    out += [
        f"""CREATE OR REPLACE FUNCTION A.guard_handovers() RETURNS trigger {_PL} AS $f$
DECLARE
  r text := A.my_role();
  t integer := A.my_team();
  x bigint;
  s_send boolean;
  s_recv boolean;
  moved boolean := false;
  earlier boolean;
  assigning boolean;
  content boolean;
BEGIN
  IF A.is_owner() THEN
    RETURN NEW;
  END IF;
  IF r IS NULL THEN
    RAISE EXCEPTION 'handover: your account is disabled or no longer exists' USING ERRCODE = '42501';
  END IF;
  x := txid_current();
  IF TG_OP = 'INSERT' AND A.receiving() THEN   -- handover_access.receive_pack: received, for the caller's team
    IF NEW.state <> 'sent' OR NEW.team_id IS NOT NULL OR t IS NULL OR NEW.receiving_team_id IS DISTINCT FROM t
       OR NEW.owner_id IS NOT NULL OR NEW.current_version <> 1 OR NEW.authorised_version IS DISTINCT FROM 1 THEN
      RAISE EXCEPTION 'handover: a received pack is sent to the receiver''s own team, from no team here'
        USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF r NOT IN ('practitioner', 'manager') OR t IS NULL OR NEW.team_id IS DISTINCT FROM t OR NEW.state <> 'draft'
       OR NEW.authorised_version IS NOT NULL OR (NEW.owner_id IS NOT NULL AND NEW.owner_id <> A.my_id()) THEN
      RAISE EXCEPTION 'handover: only practitioners and managers start handovers, as drafts of their own team'
        USING ERRCODE = '42501';
    END IF;
    INSERT INTO A.touched (xid, handover_id, username) VALUES (x, NEW.id, session_user::text);
    DELETE FROM A.touched WHERE ctid IN (SELECT ctid FROM A.touched
      WHERE xid < txid_snapshot_xmin(txid_current_snapshot()) LIMIT 200 FOR UPDATE SKIP LOCKED);
    RETURN NEW;
  END IF;
  IF A.elevated() THEN   -- an administrator's protocol change: the deadline columns only
    IF (to_jsonb(NEW) - ARRAY[{_sql_list(elevated_keys)}]) <> (to_jsonb(OLD) - ARRAY[{_sql_list(elevated_keys)}]) THEN
      RAISE EXCEPTION 'handover: a protocol change rewrites deadline columns only' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.id <> OLD.id OR NEW.case_id <> OLD.case_id OR NEW.team_id IS DISTINCT FROM OLD.team_id
     OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'handover: a handover''s id, sending team and creation never change' USING ERRCODE = '42501';
  END IF;
  s_send := coalesce(t = OLD.team_id, false);
  s_recv := coalesce(t = OLD.receiving_team_id, false);
  earlier := A.touched(OLD.id);
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    IF NOT EXISTS (SELECT 1 FROM A.rule m WHERE m.kind = 'move' AND m.role = r AND m.state = OLD.state
                   AND m.target = NEW.state AND ((m.sending AND s_send) OR (m.receiving AND s_recv))) THEN
      RAISE EXCEPTION 'handover: a % on this handover''s % cannot move it from % to %', r,
        CASE WHEN s_send THEN 'sending team' WHEN s_recv THEN 'receiving team' ELSE 'outside' END,
        OLD.state, NEW.state USING ERRCODE = '42501';
    END IF;
    IF NEW.state = 'sent' AND NEW.receiving_team_id IS NULL THEN
      RAISE EXCEPTION 'handover: choose the receiving team before sending' USING ERRCODE = '42501';
    END IF;
    IF NEW.state = 'sent' AND (NEW.authorised_version IS NULL OR NEW.current_version <> NEW.authorised_version
                               OR NOT EXISTS (SELECT 1 FROM {S}.versions v WHERE v.handover_id = OLD.id
                                              AND v.number = NEW.authorised_version AND v.frozen)) THEN
      RAISE EXCEPTION 'handover: what is sent is the authorised version, unchanged' USING ERRCODE = '42501';
    END IF;
    moved := true;
  END IF;
  assigning := NEW.receiving_team_id IS DISTINCT FROM OLD.receiving_team_id OR NEW.owner_id IS DISTINCT FROM OLD.owner_id;
  IF assigning THEN
    IF moved OR NOT s_send OR r NOT IN ('practitioner', 'manager')
       OR OLD.state NOT IN ('draft', 'awaiting_authorisation', 'authorised') THEN
      RAISE EXCEPTION 'handover: only the sending team''s practitioners and managers assign an open handover'
        USING ERRCODE = '42501';
    END IF;
    IF NEW.owner_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM {S}.users u WHERE u.id = NEW.owner_id AND u.team_id = OLD.team_id AND u.active) THEN
      RAISE EXCEPTION 'handover: the owner must be an active member of the sending team' USING ERRCODE = '42501';
    END IF;
  END IF;
  IF NEW.authorised_version IS DISTINCT FROM OLD.authorised_version AND NOT ((moved OR earlier) AND (
       (NEW.state = 'authorised' AND NEW.authorised_version = NEW.current_version AND r = 'manager' AND s_send)
       OR (NEW.state = 'draft' AND NEW.authorised_version IS NULL))) THEN
    RAISE EXCEPTION 'handover: the authorised version is set by authorising only' USING ERRCODE = '42501';
  END IF;
  content := (to_jsonb(NEW) - ARRAY[{_sql_list(edit_keys)}]) <> (to_jsonb(OLD) - ARRAY[{_sql_list(edit_keys)}]);
  IF NOT moved AND NOT earlier AND (content OR NOT assigning) AND NOT EXISTS (
      SELECT 1 FROM A.rule e WHERE e.kind = 'edit' AND e.role = r AND e.state = OLD.state
      AND e.sending = s_send AND e.receiving = s_recv) THEN
    RAISE EXCEPTION 'handover: a % cannot change this handover while it is %', r, OLD.state USING ERRCODE = '42501';
  END IF;
  INSERT INTO A.touched (xid, handover_id, username, moved, from_state, to_state)
    VALUES (x, OLD.id, session_user::text, moved, OLD.state, NEW.state);
  IF moved THEN
    DELETE FROM A.touched WHERE ctid IN (SELECT ctid FROM A.touched
      WHERE xid < txid_snapshot_xmin(txid_current_snapshot()) LIMIT 200 FOR UPDATE SKIP LOCKED);
  END IF;
  RETURN NEW;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.guard_versions() RETURNS trigger {_PL} AS $f$
DECLARE
  h record;
BEGIN
  IF A.is_owner() THEN
    RETURN NEW;
  END IF;
  IF OLD.frozen THEN
    RAISE EXCEPTION 'handover: an authorised (signed) version is never changed' USING ERRCODE = '42501';
  END IF;
  IF NEW.id <> OLD.id OR NEW.handover_id <> OLD.handover_id OR NEW.number <> OLD.number
     OR NEW.created_by <> OLD.created_by OR NEW.note IS DISTINCT FROM OLD.note THEN
    RAISE EXCEPTION 'handover: a version''s handover, number, author and note never change' USING ERRCODE = '42501';
  END IF;
  SELECT x.state, x.current_version INTO h FROM {S}.handovers x WHERE x.id = OLD.handover_id;
  IF NEW.frozen THEN   -- authorising freezes the current version in place when it records nothing new
    IF NEW.document <> OLD.document OR NEW.content_hash <> OLD.content_hash OR h.current_version <> OLD.number
       OR NOT A.moved(OLD.handover_id, 'awaiting_authorisation', 'authorised') THEN
      RAISE EXCEPTION 'handover: a version is frozen by authorising it, unchanged' USING ERRCODE = '42501';
    END IF;
  ELSIF OLD.created_by <> session_user::text OR h.state <> 'draft' OR h.current_version <> OLD.number
        OR NOT A.may_write(OLD.handover_id) THEN   -- autosave amends your own current draft version only
    RAISE EXCEPTION 'handover: only your own current draft version is amended; anything else is a new version'
      USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$f$""",
        f"""CREATE OR REPLACE FUNCTION A.guard_new_version() RETURNS trigger {_PL} AS $f$
DECLARE
  h record;
  before text;
BEGIN
  IF A.is_owner() THEN
    RETURN NEW;
  END IF;
  SELECT x.state, x.current_version INTO h FROM {S}.handovers x WHERE x.id = NEW.handover_id;
  -- once sent, only what the receiving team records changes (workflow.RECEIVING_RECORDS), returning included
  IF h.state IN ({_sql_list(workflow.RECEIVED_STATES)}) OR EXISTS (
      SELECT 1 FROM A.touched t WHERE t.xid = txid_current() AND t.handover_id = NEW.handover_id
      AND t.username = session_user::text AND t.moved AND t.from_state IN ({_sql_list(workflow.RECEIVED_STATES)})) THEN
    SELECT v.document INTO before FROM {S}.versions v WHERE v.handover_id = NEW.handover_id AND v.number = h.current_version;
    IF before IS NOT NULL AND (NEW.document::jsonb {_outside_receiving()}) IS DISTINCT FROM (before::jsonb {_outside_receiving()}) THEN
      RAISE EXCEPTION 'handover: it was sent as its manager authorised it: only the receiving team''s records change'
        USING ERRCODE = '42501';
    END IF;
  END IF;
  RETURN NEW;
END
$f$""",
        "DROP TRIGGER IF EXISTS handover_guard_new ON S.versions",
        "CREATE TRIGGER handover_guard_new BEFORE INSERT ON S.versions FOR EACH ROW "
        "EXECUTE FUNCTION A.guard_new_version()",
        "DROP TRIGGER IF EXISTS handover_guard ON S.handovers",
        "CREATE TRIGGER handover_guard BEFORE INSERT OR UPDATE ON S.handovers FOR EACH ROW "
        "EXECUTE FUNCTION A.guard_handovers()",
        "DROP TRIGGER IF EXISTS handover_guard ON S.versions",
        "CREATE TRIGGER handover_guard BEFORE UPDATE ON S.versions FOR EACH ROW EXECUTE FUNCTION A.guard_versions()",
    ]

    # ---------------------------------------------------------------- grants
    tables = ("alembic_version", "teams", "users", "handovers", "versions", "deadlines", "people",
              "workflow_events", "audit_entries", "audit_head", "protocols", "packs", "settings")
    out.append("REVOKE ALL ON " + ", ".join(f"S.{t}" for t in tables) + f" FROM PUBLIC, {people}, {groups}")
    out.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {S} FROM PUBLIC, {people}, {groups}")
    user_columns = "id, username, display_name, role, team_id, active, created_at"
    handover_columns = ("direction, state, child_given_name, child_family_name, child_names, child_dob, "
                        "child_nhs_number, "
                        "decision_date, receiving_team_id, owner_id, current_version, authorised_version, "
                        "row_version, updated_at, error_count, warning_count, checked_on, next_rule, next_due")
    out += [
        f"GRANT SELECT ON S.alembic_version, S.teams, S.protocols, S.settings TO {people}",
        f"GRANT SELECT ({user_columns}) ON S.users TO {people}",
        f"GRANT SELECT (failed_count, locked_until) ON S.users TO {AD}",
        f"GRANT INSERT ON S.teams TO {AD}",
        f"GRANT USAGE ON SEQUENCE S.teams_id_seq TO {AD}",
        f"GRANT SELECT ON S.handovers, S.versions, S.deadlines, S.people, S.workflow_events, S.packs TO {people}",
        f"GRANT INSERT ON S.handovers TO {P}, {M}",
        f"GRANT USAGE ON SEQUENCE S.handovers_id_seq TO {P}, {M}",
        f"GRANT UPDATE ({handover_columns}) ON S.handovers TO {P}, {M}, {R}",
        f"GRANT UPDATE (error_count, warning_count, next_rule, next_due) ON S.handovers TO {AD}",
        f"GRANT INSERT ON S.versions TO {P}, {M}, {R}",
        f"GRANT UPDATE (document, content_hash, created_at, frozen) ON S.versions TO {P}, {M}",
        f"GRANT USAGE ON SEQUENCE S.versions_id_seq TO {P}, {M}, {R}",
        f"GRANT INSERT, DELETE ON S.deadlines TO {P}, {M}, {R}, {AD}",
        f"GRANT UPDATE (working_days, due, late) ON S.deadlines TO {AD}",
        f"GRANT USAGE ON SEQUENCE S.deadlines_id_seq TO {P}, {M}, {R}, {AD}",
        f"GRANT INSERT, DELETE ON S.people TO {P}, {M}, {R}",
        f"GRANT USAGE ON SEQUENCE S.people_id_seq TO {P}, {M}, {R}",
        f"GRANT INSERT ON S.workflow_events TO {P}, {M}, {R}",
        f"GRANT USAGE ON SEQUENCE S.workflow_events_id_seq TO {P}, {M}, {R}",
        f"GRANT INSERT ON S.packs TO {P}, {M}",
        f"GRANT USAGE ON SEQUENCE S.packs_id_seq TO {P}, {M}",
        f"GRANT SELECT ON S.audit_entries, S.audit_head TO {M}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {ACCESS_SCHEMA} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION A.my_role(), A.my_team(), A.my_id(), A.touched(integer), "
        f"A.moved(integer, text, text), A.elevated(), A.team_acted_on(integer), A.may_write(integer), "
        f"A.may_store_pack(integer, integer, text), A.audit_append(text, text, text), A.state_counts(), "
        f"A.known_elsewhere(integer), "
        f"A.user_create(text, text, text, integer, text), A.user_set_role(text, text, integer), "
        f"A.user_set_active(text, boolean), A.user_password(text, text), A.protocol_set(text), "
        f"A.trust_set(text, jsonb), A.receiving(), "
        f"A.receive_pack(text, jsonb, text, text, text, jsonb, jsonb, bytea, text, text, text) TO {people}",
    ]

    # ---------------------------------------------------------------- row-level security
    active = "((SELECT A.my_role()) IS NOT NULL)"
    of_h = "EXISTS (SELECT 1 FROM S.handovers h WHERE h.id = {t}.handover_id AND ({cond}))"
    receiving_moves = _sql_list(a for a, m in workflow.MOVES.items()
                                if any(side == "receiving" for _r, side in m.allowed)) + ", 'send', 'receive'"
    policies: dict[str, list[str]] = {
        "teams": [f"FOR SELECT USING {active}",
                  "FOR INSERT WITH CHECK ((SELECT A.my_role()) = 'administrator')"],
        "users": [f"FOR SELECT USING {active}"],
        "protocols": [f"FOR SELECT USING {active}"],
        "settings": [f"FOR SELECT USING {active}"],
        "handovers": [
            f"FOR SELECT USING ({_view('handovers')} OR {_related('handovers')} OR {_ELEVATED})",
            "FOR INSERT WITH CHECK (team_id = (SELECT A.my_team()) AND "
            "(SELECT A.my_role()) IN ('practitioner', 'manager') AND state = 'draft')",
            f"FOR UPDATE USING ({_view('handovers')} OR {_related('handovers')} OR {_ELEVATED}) "
            f"WITH CHECK ({_view('handovers')} OR {_related('handovers')} OR {_ELEVATED})"],
        "versions": [
            "FOR SELECT USING (" + of_h.format(t="versions", cond=f"{view_h} OR A.touched(h.id) OR {_ELEVATED}") + ")",
            "FOR INSERT WITH CHECK (created_by = session_user::text AND A.may_write(handover_id) "
            "AND (NOT frozen OR A.moved(handover_id, 'awaiting_authorisation', 'authorised')))",
            "FOR UPDATE USING (A.may_write(handover_id)) WITH CHECK (A.may_write(handover_id))"],
        "packs": [
            "FOR SELECT USING (" + of_h.format(t="packs", cond=f"{view_h} OR A.touched(h.id)") + ")",
            "FOR INSERT WITH CHECK (created_by = session_user::text AND "
            "A.may_store_pack(handover_id, version, content_hash))"],
        "workflow_events": [
            "FOR SELECT USING (" + of_h.format(
                t="workflow_events",
                cond=f"{view_h} OR A.touched(h.id) OR (h.receiving_team_id = (SELECT A.my_team()) "
                     f"AND workflow_events.action IN ({receiving_moves}))") + ")",
            "FOR INSERT WITH CHECK (actor = session_user::text AND A.moved(handover_id, from_state, to_state))"],
        "deadlines": [
            "FOR SELECT USING ((SELECT A.my_role()) = 'administrator' OR "
            + of_h.format(t="deadlines", cond=f"{view_h} OR A.touched(h.id) OR {_ELEVATED}") + ")",
            f"FOR INSERT WITH CHECK ({_ELEVATED} OR (A.may_write(handover_id) AND team_id IS NOT DISTINCT FROM "
            "(SELECT h.team_id FROM S.handovers h WHERE h.id = deadlines.handover_id)))",
            f"FOR DELETE USING ({_ELEVATED} OR A.may_write(handover_id))",
            f"FOR UPDATE USING ({_ELEVATED}) WITH CHECK ({_ELEVATED})"],
        # the people of a handover: read and replaced with it, by whoever may read and write it (matching
        # across handovers the reader may not open is counts only, through a function: SPEC section 8)
        "people": [
            "FOR SELECT USING (" + of_h.format(t="people", cond=f"{view_h} OR A.touched(h.id) OR {_ELEVATED}") + ")",
            # written only with a save of that handover (the same transaction wrote its row): the index is its
            # current version's, which `handover audit verify` compares
            f"FOR INSERT WITH CHECK ({_ELEVATED} OR (A.may_write(handover_id) AND A.touched(handover_id)))",
            f"FOR DELETE USING ({_ELEVATED} OR (A.may_write(handover_id) AND A.touched(handover_id)))"],
        "audit_entries": ["FOR SELECT USING ((SELECT A.my_role()) = 'manager')"],
        "audit_head": ["FOR SELECT USING ((SELECT A.my_role()) = 'manager')"],
    }
    for table, rules in policies.items():
        out.append(f"""DO $do$ DECLARE p record; BEGIN
  FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = '{schema}' AND tablename = '{table}' LOOP
    EXECUTE format('DROP POLICY %I ON {S}.{table}', p.policyname);
  END LOOP;
END $do$""")
        out.append(f"ALTER TABLE S.{table} ENABLE ROW LEVEL SECURITY")
        out.append(f"ALTER TABLE S.{table} NO FORCE ROW LEVEL SECURITY")   # the owner (migrations) is not limited
        for n, rule in enumerate(rules, 1):
            out.append(f"CREATE POLICY handover_{n} ON S.{table} {rule}")
    return [re.sub(r"\bS\.", f"{S}.", re.sub(r"\bA\.", f"{ACCESS_SCHEMA}.", s)) for s in out]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ================================================================ installing


def _driver_execute(conn: Connection, sql: str, params: Any = None) -> Any:
    """Run SQL on the DBAPI connection itself: plpgsql bodies hold ``%``, which must not be read as a
    parameter marker."""
    import psycopg

    cur = conn.connection.driver_connection.cursor()   # type: ignore[union-attr]
    try:
        cur.execute(sql, params) if params is not None else cur.execute(sql)
        return cur.fetchall() if cur.description else None
    except psycopg.Error as e:
        raise DBAPIError.instance(sql, params, e, psycopg.Error) from None
    finally:
        cur.close()


def _tables_schema(conn: Connection) -> str | None:
    return conn.execute(text("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE c.oid = to_regclass('handovers')")).scalar()


def install(conn: Connection) -> None:
    """Set up, or bring up to date, everything above on the owner's connection (idempotent; in the
    caller's transaction). Raises :class:`Denied` when the connection is not the tables' owner."""
    if conn.dialect.name != "postgresql":
        return
    schema = _tables_schema(conn)
    if schema is None:
        raise Invalid("the database has no handover tables yet: run `handover db init` first")
    if session_person(conn) is not None:
        raise Denied("setting up the database's access rules needs the owner's URL (the role that owns the tables)")
    database = conn.execute(text("SELECT current_database()")).scalar()
    for sql in _statements(schema, database):
        _driver_execute(conn, sql)
    conn.execute(text(f"INSERT INTO {ACCESS_SCHEMA}.rule (kind, role, sending, receiving, state, target, action) "
                      "VALUES (:k, :r, :s, :v, :st, :t, :a)"),
                 [dict(zip(("k", "r", "s", "v", "st", "t", "a"), row)) for row in rule_rows()])


def owner_can_create_roles(conn: Connection) -> bool:
    """The owner makes people's roles (through the administrator's functions): it needs CREATEROLE."""
    return bool(conn.execute(text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"))
                .scalar())


def installed(conn: Connection) -> bool:
    """Whether :func:`install` has run on this database (PostgreSQL only)."""
    return conn.dialect.name == "postgresql" and conn.execute(
        text("SELECT to_regproc(:f) IS NOT NULL"), {"f": f"{ACCESS_SCHEMA}.provision"}).scalar()


# ================================================================ who is connected


def is_postgres_url(url: str | URL) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except Exception:  # noqa: BLE001 - not a URL: not ours to judge here
        return False


_WHO = ("SELECT session_user::text, coalesce((SELECT pg_has_role(session_user, c.relowner, 'MEMBER') "
        "FROM pg_class c WHERE c.oid = to_regclass('handovers')), true)")


def session_person(s: Session | Connection) -> str | None:
    """The user name of the person a PostgreSQL connection belongs to, or None: SQLite, or the owner of
    the tables (migrations, ``db init``, the system path). Cached per DBAPI connection: a non-superuser
    cannot change ``session_user``."""
    conn = s.connection() if isinstance(s, Session) else s
    if conn.dialect.name != "postgresql":
        return None
    info = conn.info
    if "handover_person" not in info:
        who, owner = conn.execute(text(_WHO)).one()
        info["handover_person"] = None if owner else who
    return info["handover_person"]


def is_person(s: Session | Connection) -> bool:
    return session_person(s) is not None


def session_actor(s: Session) -> Actor:
    """The actor of a person's connection: the ``users`` row of ``session_user``, whatever anyone says."""
    from handover.users import actor_for

    user = s.scalar(select(User).where(User.username == func.session_user()))
    if user is None or not user.active:
        raise Denied("your account is disabled or no longer exists")
    return actor_for(user)


# ================================================================ through the SECURITY DEFINER functions


def _call(s: Session, sql: str, params: dict[str, Any]) -> Any:
    """Call a ``handover_access`` function; its refusals (``handover: ...``) become :class:`Denied`."""
    try:
        with s.begin_nested():
            return s.execute(text(sql), params)
    except DBAPIError as e:
        message = first_line(e)
        if message.startswith("handover: "):
            raise Denied(message[len("handover: "):]) from None
        raise


def first_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None) or e
    lines = str(orig).strip().splitlines()
    return lines[0].removeprefix("ERROR:").strip() if lines else type(orig).__name__


def audit_append(s: Session, *, action: str, case_id: str | None, detail: str) -> AuditEntry:
    """Append to the audit trail from a person's connection (the server names the actor and the time)."""
    row = s.execute(text(f"SELECT * FROM {ACCESS_SCHEMA}.audit_append(:a, :c, :d)"),
                    {"a": action, "c": case_id, "d": detail}).one()
    return AuditEntry(seq=row.seq, at=row.at.replace(tzinfo=timezone.utc), actor=session_person(s) or "",
                      action=action, case_id=case_id, detail=detail, prev_hash=row.prev_hash,
                      entry_hash=row.entry_hash)


def state_counts(s: Session) -> dict[tuple[str, str], int]:
    """(state, direction) → number of handovers, for a manager or an administrator on their own connection
    (numbers only: the administrator's row-level security shows them no handover)."""
    return {(st, d): int(n) for st, d, n in s.execute(text(f"SELECT * FROM {ACCESS_SCHEMA}.state_counts()"))}


def known_elsewhere_rows(s: Session, handover_id: int) -> list[tuple[str, int, str, str]]:
    """(ref, other handovers, agency types, risk factors) per person of a handover the person may open, from
    ``handover_access.known_elsewhere`` (on their own connection; no rows for one they may not open)."""
    q = text(f"SELECT ref, handovers, agency_types, risk_factors FROM {ACCESS_SCHEMA}.known_elsewhere(:h)")
    return [(r[0], int(r[1]), r[2] or "", r[3] or "") for r in s.execute(q, {"h": handover_id})]


# ================================================================ known elsewhere: the matching rule, once
#
# SPEC section 8, used by handover.store.elsewhere on SQLite and the owner's connection, and compiled into
# handover_access.known_elsewhere for people's own connections: the same query on both sides.


def same_person(p: Any, o: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The two ways rows ``o`` match rows ``p`` of the people index (tables or aliases): (by NHS number,
    by name and date of birth). Each uses one index (``ix_people_nhs``, ``ix_people_name_dob``)."""
    by_nhs = and_(p.c.nhs_number != "", o.c.nhs_number != "", o.c.nhs_number == p.c.nhs_number)
    by_name = and_(p.c.name_key != "", p.c.dob.is_not(None), o.c.name_key == p.c.name_key, o.c.dob == p.c.dob,
                   or_(p.c.nhs_number == "", o.c.nhs_number == "", o.c.nhs_number == p.c.nhs_number))
    return by_nhs, by_name


def match_select(handover: Any, people: Table | None = None) -> Select[Any]:
    """Per person (``ref``) of handover ``handover`` (a bound parameter or, inside the PostgreSQL
    function, its argument): ``handovers``, how many other handovers hold the same person and record an
    agency type or a risk factor for them, and
    ``agency_types`` / ``risk_factors``, the codes they record for them (space-separated, repeats
    included). ``people``: the table (another schema's copy for the function's body)."""
    t = PersonRow.__table__ if people is None else people
    p, o = t.alias("p"), t.alias("o")
    arms = [select(p.c.ref, o.c.id.label("row_id"), o.c.handover_id, o.c.agency_types, o.c.risk_factors)
            .select_from(p.join(o, cond)).where(p.c.handover_id == handover, o.c.handover_id != handover)
            for cond in same_person(p, o)]
    m = union(*arms).subquery("m")
    records = sql_case((or_(m.c.agency_types != "", m.c.risk_factors != ""), m.c.handover_id), else_=None)
    return (select(m.c.ref.label("ref"), func.count(distinct(records)).label("handovers"),
                   func.aggregate_strings(m.c.agency_types, " ").label("agency_types"),
                   func.aggregate_strings(m.c.risk_factors, " ").label("risk_factors"))
            .group_by(m.c.ref).order_by(m.c.ref))


def _known_elsewhere_select(schema: str) -> str:
    """:func:`match_select` as PostgreSQL text over ``schema``'s people table, for the argument
    ``p_handover`` of ``handover_access.known_elsewhere``."""
    from sqlalchemy.dialects import postgresql

    people = PersonRow.__table__.to_metadata(MetaData(), schema=schema)
    q = match_select(literal_column("p_handover"), people)
    return str(q.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def has_role(s: Session | Connection, username: str) -> bool:
    """Whether a database role of that name exists (on this server)."""
    conn = s.connection() if isinstance(s, Session) else s
    return bool(conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :u"), {"u": username}).scalar())


def scram_verifier(s: Session | Connection, username: str, password: str) -> str:
    """libpq's SCRAM-SHA-256 verifier of a password: what PostgreSQL stores; the password never leaves."""
    conn = s.connection() if isinstance(s, Session) else s
    pgconn = conn.connection.driver_connection.pgconn   # type: ignore[union-attr]
    return pgconn.encrypt_password(password.encode("utf-8"), username.encode("utf-8"),
                                   b"scram-sha-256").decode("ascii")


def _check_username(username: str) -> None:
    if len(username.encode("utf-8")) > 63:
        raise Invalid("on the shared database a username is at most 63 bytes (it names a database role)")
    if username.startswith(("pg_", "handover_")):
        raise Invalid("a username cannot start with pg_ or handover_ on the shared database")


def create_person(s: Session, username: str, display_name: str, role: str, team_id: int | None,
                  password: str) -> None:
    """An administrator creates an account and its database role (on a person's connection)."""
    _check_username(username)
    _call(s, f"SELECT {ACCESS_SCHEMA}.user_create(:u, :d, :r, :t, :v)",
          {"u": username, "d": display_name, "r": role, "t": team_id, "v": scram_verifier(s, username, password)})


def set_person_role(s: Session, username: str, role: str, team_id: int | None) -> None:
    _call(s, f"SELECT {ACCESS_SCHEMA}.user_set_role(:u, :r, :t)", {"u": username, "r": role, "t": team_id})


def set_person_active(s: Session, username: str, active: bool) -> None:
    _call(s, f"SELECT {ACCESS_SCHEMA}.user_set_active(:u, :a)", {"u": username, "a": active})


def set_person_password(s: Session, username: str, password: str) -> None:
    _call(s, f"SELECT {ACCESS_SCHEMA}.user_password(:u, :v)",
          {"u": username, "v": scram_verifier(s, username, password)})


def store_protocol(s: Session, document: str) -> int:
    """An administrator stores a protocol; for the rest of the transaction they may recompute deadlines."""
    return int(_call(s, f"SELECT {ACCESS_SCHEMA}.protocol_set(:d)", {"d": document}).scalar())


def store_trust(s: Session, value: str, names: dict[str, str]) -> None:
    """An administrator replaces the trusted authorities (``settings``); the database writes the trail's
    ``trust_add`` / ``trust_remove`` entries (``names``: fingerprint → authority, for those entries)."""
    import json

    _call(s, f"SELECT {ACCESS_SCHEMA}.trust_set(:v, CAST(:n AS jsonb))", {"v": value, "n": json.dumps(names)})


def receive_pack(s: Session, *, case_id: str, columns: dict[str, Any], document: str, content_hash: str,
                 note: str, deadlines: list[dict[str, Any]], people: list[dict[str, Any]], pdf: bytes,
                 signers: str, signer: str, source: str) -> int:
    """A receiver or manager stores a verified signed pack for their own team (the database sets who may see
    and do what with it); the new handover's id."""
    import json

    def jsonb(value: Any) -> str:
        return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) and not isinstance(
            v, datetime) else _unserialisable(v))

    return int(_call(s, f"SELECT {ACCESS_SCHEMA}.receive_pack(:c, CAST(:cols AS jsonb), :doc, :hash, :note, "
                        "CAST(:dl AS jsonb), CAST(:pp AS jsonb), :pdf, :signers, :signer, :source)",
                     {"c": case_id, "cols": jsonb(columns), "doc": document, "hash": content_hash, "note": note,
                      "dl": jsonb(deadlines), "pp": jsonb(people), "pdf": pdf, "signers": signers,
                      "signer": signer, "source": source}).scalar())


def _unserialisable(v: Any) -> Any:
    raise TypeError(f"{type(v).__name__} is not sent to the database as a received row")


def provision_role(s: Session | Connection, username: str, role: str, *, active: bool = True,
                   password: str | None = None, create: bool = True) -> bool:
    """On the owner's connection: create (``create``) or bring up to date a person's database role (login
    per ``active``, the group of ``role``, the password when given). False when there is no role to
    update, or PostgreSQL access is not installed. :class:`Invalid` when the name belongs to a role that
    is not a person of this database."""
    conn = s.connection() if isinstance(s, Session) else s
    if conn.dialect.name != "postgresql" or not installed(conn):
        return False
    _check_username(username)
    verifier = scram_verifier(conn, username, password) if password is not None else None
    try:
        with conn.begin_nested():
            return bool(conn.execute(text(f"SELECT {ACCESS_SCHEMA}.provision(:u, :r, :a, :v, :c)"),
                                     {"u": username, "r": role, "a": active, "v": verifier, "c": create}).scalar())
    except DBAPIError as e:
        message = first_line(e)
        if message.startswith("handover: "):
            raise Invalid(message[len("handover: "):]) from None
        raise


def provision_demo_roles(s: Session, password: str) -> list[str]:
    """``handover demo`` on PostgreSQL (the owner's connection): every account whose stored argon2 hash is
    of ``password`` (the demo accounts) gets a LOGIN role with that password, so the demo accounts sign in
    there too. Real accounts are left alone, and so is a name that is already a role of another database
    on the server (those are returned: they cannot sign in here). A no-op on SQLite."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if s.get_bind().dialect.name != "postgresql" or not installed(s.connection()):
        return []
    hasher, demo_hashes, skipped = PasswordHasher(), {}, []
    rows = s.execute(select(User.username, User.role, User.active, User.password_hash)).all()
    for username, role, active, pw_hash in rows:
        if pw_hash not in demo_hashes:
            try:
                demo_hashes[pw_hash] = hasher.verify(pw_hash, password)
            except (VerificationError, InvalidHashError):
                demo_hashes[pw_hash] = False
        if not demo_hashes[pw_hash]:
            continue
        try:
            provision_role(s, username, role, active=active, password=password)
        except Invalid:
            skipped.append(username)
    return skipped


# ================================================================ signing in as a person


def people_url(url: str | URL) -> URL:
    """The database's URL without anyone's credentials (what the app keeps before anyone signs in)."""
    u = make_url(url)   # (URL.set(username=None) would keep the username: None there means "unchanged")
    return URL.create(u.drivername, host=u.host, port=u.port, database=u.database, query=u.query)


_NO_PASSWORD = ("no password supplied",)
_WRONG = ("password authentication failed", "is not permitted to log in", "does not exist",
          "role \"", "authentication failed", "no pg_hba.conf entry")


def auth_status(e: BaseException) -> str | None:
    """"needs_password" or "wrong_password" for a failed PostgreSQL connection, else None."""
    text_ = str(getattr(e, "orig", None) or e)
    if any(m in text_ for m in _NO_PASSWORD):
        return "needs_password"
    if "database \"" in text_ and "does not exist" in text_:
        return None
    if any(m in text_ for m in _WRONG):
        return "wrong_password"
    return None



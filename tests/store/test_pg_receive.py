"""A signed pack from another organisation imported by a receiver or manager signed in with their own
PostgreSQL role (SPEC.md section 9, issue 18): ``handover_access.receive_pack`` stores what Python verified
and computed, forcing every column that decides who sees and does what; raw SQL can call it with a forged
pack, and ``handover audit verify`` (the owner's, re-verifying every received pack) reports that."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from store.store_cases import NOW

from handover.case import content_hash, dump_case
from handover.pack import build_pack, sign_pack
from handover.store import open_database, pg_access
from handover.store import service as sv
from handover.store.errors import Denied
from handover.store.integrity import verify_store
from handover.store.models import AuditEntry, Handover
from handover.store.received import NotReceived, import_pack
from handover.store.sync import deadline_rows, list_columns, people_rows, summary_columns
from tests.pack.conftest import AS_OF, USER_PASS, example, keys  # noqa: F401 - keys: the session's CA and certificates

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.postgres

SIGNER = "Priya Natt"


@pytest.fixture(scope="module")
def council(pg_server):
    """The council of tests/store/test_pg_roles.py: a database whose people sign in with their own roles."""
    from store import test_pg_roles

    yield from test_pg_roles.council.__wrapped__(pg_server)


@pytest.fixture(scope="module")
def packs(tmp_path_factory, keys):  # noqa: F811
    d = tmp_path_factory.mktemp("pg-receive")
    out = {}
    for name, case in (("v1", example("step_down_complete")), ("v2", example("family_step_up"))):
        build_pack(case, d / f"{name}-unsigned.pdf", as_of=AS_OF)
        sign_pack(d / f"{name}-unsigned.pdf", d / f"{name}.pdf", keys.manager, USER_PASS, field_name="manager")
        out[name] = (d / f"{name}.pdf").read_bytes()
        out[f"{name}-unsigned"] = (d / f"{name}-unsigned.pdf").read_bytes()
    changed = example("step_down_complete")
    changed["child"]["given_name"] = "Kit"
    build_pack(changed, d / "other-unsigned.pdf", as_of=AS_OF)
    sign_pack(d / "other-unsigned.pdf", d / "other.pdf", keys.manager, USER_PASS, field_name="manager")
    out["same_id_other_content"] = (d / "other.pdf").read_bytes()
    return out


@pytest.fixture
def owner(council):
    r = open_database(council.owner_url)
    assert r.ok, r.message
    yield r.store
    r.store.close()


def _verify(owner) -> list[str]:
    report = verify_store(owner)
    return report.problems


def _receive_sql(conn, case: dict, pdf: bytes, columns: dict | None = None, *, content: str | None = None):
    """handover_access.receive_pack called by raw SQL, with rows computed as the tool would."""
    from handover.protocol import default_protocol

    protocol = default_protocol()
    rows = deadline_rows(case, protocol)
    cols = {**summary_columns(case), **list_columns(case, protocol, AS_OF, rows), **(columns or {})}
    return conn.execute(
        "SELECT handover_access.receive_pack(%s, %s::jsonb, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s, %s)",
        (case["id"], json.dumps(cols, default=str), content or dump_case(case), content_hash(case), "forged",
         json.dumps(rows, default=str), json.dumps(people_rows(case), default=str), pdf, "Someone", "Someone",
         "raw")).fetchone()[0]


def test_every_handover_column_is_forced_or_the_case_files(council):
    """receive_pack takes from the client only the columns sync computes from the case file."""
    from handover.protocol import default_protocol

    case = example("step_down_complete")
    protocol = default_protocol()
    computed = {**summary_columns(case), **list_columns(case, protocol, AS_OF, deadline_rows(case, protocol))}
    columns = {c.name for c in Handover.__table__.columns}
    assert columns - set(pg_access.RECEIVED_FORCED) == set(computed)
    assert set(pg_access.RECEIVED_FORCED) <= columns


def test_a_receiver_imports_a_signed_pack_on_their_own_role(council, packs, owner):
    recv = council.contexts["recv"]
    result = import_pack(recv.store, recv.actor, packs["v1"], now=NOW, source="v1.pdf")
    case_id = example("step_down_complete")["id"]
    assert (result.case_id, result.version, result.created, result.unchanged) == (case_id, 1, True, False)
    view = sv.get_handover(recv.store, recv.actor, case_id, now=NOW)
    assert (view.summary.state, view.summary.team_id, view.summary.receiving_team_id) == (
        "sent", None, council.teams["eh"])
    assert (view.summary.authorised_version, view.frozen) == (1, True)
    (v,) = sv.versions(recv.store, recv.actor, case_id)
    assert v.frozen and v.created_by == council.name("recv")
    assert v.note.startswith(f"received as a signed pack from {SIGNER}")
    (event,) = sv.history(recv.store, recv.actor, case_id)
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "receive", "authorised", "sent", council.name("recv"))
    (pack,) = sv.list_packs(recv.store, recv.actor, case_id)
    assert (pack.kind, pack.version, pack.content_hash) == ("received", 1, v.content_hash)
    assert sv.get_pack(recv.store, recv.actor, case_id, pack.id, now=NOW) == packs["v1"]
    # listed under their Incoming, not another team's; the receiving team takes it from there
    assert [h.case_id for h in sv.list_handovers(recv.store, recv.actor, sv.Filters(scope="incoming"))] == [case_id]
    other = council.contexts["other_recv"]
    assert sv.list_handovers(other.store, other.actor, sv.Filters(scope="incoming")) == []
    with owner.read() as s:
        actions = [(e.action, e.actor) for e in s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                                           .order_by(AuditEntry.seq))]
    me = council.name("recv")
    assert actions[:3] == [("import_pack", me), ("move:receive", me), ("pack_store", me)]
    assert _verify(owner) == []
    sv.move(recv.store, recv.actor, case_id, "acknowledge", now=NOW)
    assert _verify(owner) == []
    # the same pack again is nothing new; the same id with other content, or for another team, is refused
    assert import_pack(recv.store, recv.actor, packs["v1"], now=NOW).unchanged
    with pytest.raises(NotReceived, match=f"a handover with this id is already stored: {case_id}"):
        import_pack(recv.store, recv.actor, packs["same_id_other_content"], now=NOW)
    with pytest.raises(NotReceived, match=f"a handover with this id is already stored: {case_id}"):
        import_pack(other.store, other.actor, packs["v1"], now=NOW)


def test_a_manager_imports_and_practitioners_and_administrators_are_refused(council, packs, owner):
    for who, why in (("eh_prac", "import a signed pack"), ("admin", "import a signed pack")):
        ctx = council.contexts[who]
        with pytest.raises(Denied, match=why):
            import_pack(ctx.store, ctx.actor, packs["v2"], now=NOW)
    for who in ("eh_prac", "admin"):         # and the database itself, to raw SQL
        with council.raw(who) as c:
            with pytest.raises(psycopg.Error, match="handover: only managers and receivers import a signed pack"):
                _receive_sql(c, example("family_step_up"), packs["v2"])
    mgr = council.contexts["eh_mgr"]
    assert import_pack(mgr.store, mgr.actor, packs["v2"], now=NOW).created
    assert sv.get_handover(mgr.store, mgr.actor, example("family_step_up")["id"], now=NOW).summary.state == "sent"
    assert _verify(owner) == []


def test_raw_sql_gets_only_a_received_handover_of_its_own_team_and_a_forgery_is_reported(council, packs, owner):
    case = example("step_down_complete")
    case["id"] = "FORGED-1"
    with council.raw("recv") as c:
        # not a PDF, or not its case file: refused
        with pytest.raises(psycopg.Error, match="handover: a received pack is stored with"):
            _receive_sql(c, case, b"junk")
        with pytest.raises(psycopg.Error, match="handover: the case file is not that of FORGED-1"):
            _receive_sql(c, case, b"%PDF-junk", content="not json")
        # what decides who sees and does what is the database's, whatever the client sends
        hid = _receive_sql(c, case, b"%PDF-1.7 junk\n", {"state": "closed", "team_id": council.teams["csc"],
                                                         "owner_id": 1, "receiving_team_id": council.teams["other"],
                                                         "current_version": 7, "authorised_version": None})
        row = c.execute("SELECT state, team_id, receiving_team_id, owner_id, current_version, authorised_version "
                        "FROM handovers WHERE id = %s", (hid,)).fetchone()
        assert row == ("sent", None, council.teams["eh"], None, 1, 1)
        assert c.execute("SELECT frozen, created_by FROM versions WHERE handover_id = %s", (hid,)).fetchone() == (
            True, council.name("recv"))
        assert c.execute("SELECT kind, created_by FROM packs WHERE handover_id = %s", (hid,)).fetchone() == (
            "received", council.name("recv"))
        # the guard's exception lasts only while the function runs
        with c.transaction():
            case2 = dict(case, id="FORGED-2")
            _receive_sql(c, case2, b"%PDF-1.7 junk\n")
            assert c.execute("SELECT handover_access.receiving()").fetchone() == (False,)
            with pytest.raises(psycopg.Error):
                with c.transaction():
                    c.execute("INSERT INTO handovers (case_id, direction, state, child_given_name, "
                              "child_family_name, child_nhs_number, child_names, current_version, row_version, "
                              "created_at, updated_at, error_count, warning_count) VALUES ('FORGED-3', 'step_down', "
                              "'sent', '', '', '', '', 1, 1, now(), now(), 0, 0)")
        # a real signed pack stored as another case's content: signature fine, case file not the version
        other = example("step_down_complete")
        other["id"] = "FORGED-4"
        _receive_sql(c, other, packs["v1"])
        # an unsigned pack of its own case
        _receive_sql(c, example("family_step_up") | {"id": "FORGED-5"}, packs["v2-unsigned"])
    # nothing but the signature shows these: the rows are what the tool computes from each case file
    received = sorted((p for p in _verify(owner) if "FORGED-" in p), key=lambda p: p.split(" of ")[1])
    assert len(received) == 4, received
    expected = (("FORGED-1", "cannot be read as a PDF"), ("FORGED-2", "cannot be read as a PDF"),
                ("FORGED-4", "carries the case file of 'SD-2026-0142', not of 'FORGED-4'"),
                ("FORGED-5", "is not a signed pack that can be received: it is not signed"))
    for p, (case_id, why) in zip(received, expected):
        assert p.startswith("received pack ") and f" of {case_id} {why}" in p, p

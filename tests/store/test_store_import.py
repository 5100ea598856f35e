"""Import and export: byte-for-byte round trip, versions, nothing written for bad input."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from store.store_cases import NOW, step_down

from handover.case import dump_case
from handover.family import upgrade
from handover.resources import resource_path
from handover.store import service as sv
from handover.store.models import Handover, Version

CLI = sv.system_actor("test")
EXAMPLE = resource_path("examples", "family_step_up.json")


def _count(store, model):
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_round_trip_is_byte_for_byte(store):
    """A /2 file comes back byte for byte; a /1 file comes back as its /2 family (SPEC section 6), and that
    /2 file imported again is the same content, not a new version."""
    case = upgrade(step_down("RT-1"))
    case["children"][0]["given_name"] = "Zoë"
    # an unusual but valid layout: 4-space indent, non-ASCII kept, no final newline
    text = json.dumps(case, indent=4, ensure_ascii=False)
    r = sv.import_case(store, CLI, text.encode("utf-8"), now=NOW, team="CSC North")
    assert (r.case_id, r.version, r.created) == ("RT-1", 1, True)
    assert sv.export_document(store, CLI, "RT-1", now=NOW).encode("utf-8") == text.encode("utf-8")
    # the same content in another layout is not a new version
    again = sv.import_case(store, CLI, dump_case(case), now=NOW)
    assert again.unchanged and again.version == 1
    # changed content is version 2; version 1 still exports as it was
    case["transition"]["reason"] = "changed"
    v2 = sv.import_case(store, CLI, dump_case(case), now=NOW)
    assert (v2.version, v2.created, v2.unchanged) == (2, False, False)
    assert sv.export_document(store, CLI, "RT-1", now=NOW) == dump_case(case)
    assert sv.export_document(store, CLI, "RT-1", now=NOW, version=1) == text
    with pytest.raises(sv.NotFound):
        sv.export_document(store, CLI, "RT-1", now=NOW, version=3)
    assert [v.number for v in sv.versions(store, CLI, "RT-1")] == [1, 2]


def test_a_v1_file_is_kept_as_stored_and_exported_as_v2(store):
    one = step_down("RT-2")
    text = dump_case(one)
    sv.import_case(store, CLI, text, now=NOW, team="CSC North")
    exported = sv.export_document(store, CLI, "RT-2", now=NOW)
    assert json.loads(exported) == upgrade(one) and json.loads(exported)["format"] == "handover-case/2"
    with store.read() as s:   # the stored version is never rewritten
        assert s.scalar(select(Version.document)) == text
    again = sv.import_case(store, CLI, exported, now=NOW)   # its own export is not a change
    assert again.unchanged and again.version == 1
    assert sv.import_case(store, CLI, text, now=NOW).unchanged


@pytest.mark.parametrize("bad", [b"not json", b'{"format": "handover-case/1", "id": "B", "direction": "step_up",'
                                 b' "surprise": 1}', b'{"format": "handover-case/1", "id": "B", "child": []}',
                                 b"\xff\xfe"])
def test_malformed_input_writes_nothing(store, bad):
    with pytest.raises(sv.Invalid):
        sv.import_case(store, CLI, bad, now=NOW)
    assert _count(store, Handover) == 0 and _count(store, Version) == 0


def test_amend_overwrites_only_an_open_draft_version(store, cast):
    sv.create_handover(store, cast.prac, step_down("AM-1"), now=NOW)
    v = sv.get_handover(store, cast.prac, "AM-1", now=NOW)
    case = v.case
    case["transition"]["reason"] = "typing..."
    s1 = sv.save_version(store, cast.prac, "AM-1", case, v.summary.row_version, now=NOW, amend=True)
    assert s1.current_version == 1   # the prac's own unfrozen draft version is amended
    case["transition"]["reason"] = "typing more"
    s2 = sv.save_version(store, cast.mgr, "AM-1", case, s1.row_version, now=NOW, amend=True)
    assert s2.current_version == 2   # someone else's version is never overwritten
    with pytest.raises(sv.Invalid):
        sv.save_version(store, cast.mgr, "AM-1", dict(case, id="OTHER"), s2.row_version, now=NOW)


@pytest.mark.parametrize("state", ["awaiting_authorisation", "authorised", "sent", "closed"])
def test_import_never_replaces_what_was_put_forward_authorised_or_sent(store, cast, state):
    """The command line obeys the workflow like the app: a file becomes a new version only of a draft."""
    from store.test_store_workflow import drive

    drive(store, cast, f"IMP-{state}", state)
    before = sv.versions(store, cast.mgr, f"IMP-{state}")
    edited = sv.get_handover(store, cast.mgr, f"IMP-{state}", now=NOW).case
    edited["transition"]["reason"] = "replaced from a file"
    with pytest.raises(sv.Denied, match="imported as a new version only while the handover is a draft"):
        sv.import_case(store, sv.system_actor("test"), dump_case(edited), now=NOW)
    assert sv.versions(store, cast.mgr, f"IMP-{state}") == before


def test_a_family_is_stored_with_every_child_and_each_request_its_own_deadline(store):
    """handover-case/2 is kept as written: the list names the moving children, the search finds the family
    by any child's name or NHS number, and each request for information has its own deadline row."""
    from handover.store.models import DeadlineRow, PersonRow

    family = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    family["id"] = "FAM-1"
    family["information_requests"].append(dict(family["information_requests"][0], sent="2026-04-06"))
    r = sv.import_case(store, CLI, json.dumps(family), now=NOW, team="CSC North")
    assert r.created
    [summary] = sv.list_handovers(store, CLI)
    moving = [f"{c['given_name']} {c['family_name']}" for c in family["children"] if c["moves"]]
    assert summary.child == ", ".join(moving)
    for c in family["children"]:
        for text in (c["given_name"], c["nhs_number"][:3] + " " + c["nhs_number"][3:6] + " " + c["nhs_number"][6:]):
            assert [h.case_id for h in sv.list_handovers(store, CLI, sv.Filters(search=text))] == ["FAM-1"], text
    assert sv.list_handovers(store, CLI, sv.Filters(search="Nobody-of-that-name")) == []
    with store.read() as s:
        rows = s.execute(select(DeadlineRow.rule, DeadlineRow.path, DeadlineRow.agency_type, DeadlineRow.priority)
                         .where(DeadlineRow.rule == "information_request").order_by(DeadlineRow.path)).all()
        people = s.execute(select(PersonRow.ref, PersonRow.kind).order_by(PersonRow.ref)).all()
    want = [("information_request", f"information_requests[{i}]", q["agency_type"], q["priority"])
            for i, q in enumerate(family["information_requests"])]
    assert sorted(rows) == sorted(want) and len(rows) == len(family["information_requests"])
    assert sorted(people) == sorted([(c["ref"], "child") for c in family["children"]]
                                    + [(m["ref"], "member") for m in family["household"]])
    assert sv.export_document(store, CLI, "FAM-1", now=NOW) == json.dumps(family)


def test_search_reads_what_people_type(store):
    """An NHS number with dashes, a child's full name, a stray NUL, LIKE's own wildcards: each finds what
    it says (and a NUL never matches everything, nor fails on PostgreSQL)."""
    family = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    family["id"] = "FAM-S"
    sv.import_case(store, CLI, json.dumps(family), now=NOW, team="CSC North")
    sv.import_case(store, CLI, dump_case(step_down("OTHER-1")), now=NOW, team="CSC North")
    kara = family["children"][1]
    nhs = kara["nhs_number"]

    def found(text):
        return [h.case_id for h in sv.list_handovers(store, CLI, sv.Filters(search=text))]

    assert found(f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}") == ["FAM-S"]
    assert found(f"{kara['given_name']} {kara['family_name']}") == ["FAM-S"]
    assert found(f"  {kara['given_name'].upper()}   {kara['family_name']} ") == ["FAM-S"]
    assert set(found("\x00")) == {"FAM-S", "OTHER-1"}      # nothing typed: the whole list, as for ""
    assert found("Kara\x00") == ["FAM-S"]
    assert found("%") == [] and found("_") == []

"""A NUL inside a child's name (pasted from another system) is stored on PostgreSQL too: the document
keeps it (escaped in the JSON), the searchable columns leave it out, since PostgreSQL text cannot hold it."""

from __future__ import annotations

from store.store_cases import NOW, step_down

from handover.case import dump_case
from handover.store import service as sv


def test_a_nul_in_a_name_is_stored_and_listed_without_it(store):
    case = step_down("NUL-1")
    case["child"]["given_name"] = "Ad\x00a"
    result = sv.import_case(store, sv.system_actor("test"), dump_case(case), now=NOW, team="CSC North")
    assert result.created
    row = sv.list_handovers(store, sv.system_actor("test"))[0]
    assert row.child.startswith("Ada ")
    assert sv.get_handover(store, sv.system_actor("test"), "NUL-1", now=NOW).case["child"]["given_name"] == "Ad\x00a"

"""`handover audit verify` beyond the chain: every version against its content hash, every stored pack."""

from __future__ import annotations

from sqlalchemy import text
from store.store_cases import NOW, step_down

from handover.store import service as sv
from handover.store.integrity import verify_store


def test_a_version_changed_outside_the_tool_is_reported(store, cast):
    sv.create_handover(store, cast.prac, step_down("INT-1"), now=NOW)
    sv.create_handover(store, cast.prac, step_down("INT-2"), now=NOW)
    report = verify_store(store)
    assert report.ok and report.versions == 2 and report.packs == 0, report.problems
    with store.engine.begin() as c:
        c.execute(text("UPDATE versions SET document = replace(document, 'Ada', 'Eve') WHERE handover_id = "
                       "(SELECT id FROM handovers WHERE case_id = 'INT-2')"))
    report = verify_store(store)
    assert not report.ok and report.audit.ok
    assert report.problems == ["version 1 of INT-2 no longer matches its content hash (changed outside the tool?)"]
    assert "stored records changed" in report.message

"""Known elsewhere in the app (issue 19, SPEC section 8): two families who share an adult each see what
the other's handover records for him, in the editor's findings, in the receiving team's view and in the
pack's who knows what; each showing is in the audit trail; a practitioner of another team learns only
what the finding says."""

from __future__ import annotations

import json

from store.test_store_elsewhere import SHARED_ADULT, family_a, family_b

from handover import audit
from handover.app import operations as ops
from ui.operations import UiApp


def _store_two_families(world, folder):
    for who, doc in (("prac", family_a()), ("other", family_b())):
        path = folder / f"{doc['id']}.json"
        path.write_text(json.dumps(doc))
        ops.import_file(world.ctx(who), path)


def test_the_editor_shows_what_another_handover_records_for_the_same_adult(qtbot, world, tmp_path):
    from ui.main_window import MainWindow

    _store_two_families(world, tmp_path)
    win = MainWindow(UiApp(world.ctx("prac")), lock_minutes=60)
    qtbot.addWidget(win)
    win.open_case("FAM-A")
    found = [f for f in win.workspace.editor.result.findings if f.code == "known_elsewhere"]
    assert [f.detail["ref"] for f in found] == [SHARED_ADULT]
    assert found[0].detail["agency_types"] == ["housing"]
    # nothing of the other family but what the finding says: no name, no id
    said = " ".join(f.message + json.dumps(f.detail) for f in found)
    assert "Noor" not in said and "Sample" not in said and "FAM-B" not in said
    with world.store.read() as s:
        shown = [e.actor for e in audit.entries_for(s, "FAM-A") if e.action == "known_elsewhere_shown"]
    assert shown and shown[-1] == "prac"


def test_the_pack_of_the_other_family_lists_the_agencies_recorded_elsewhere(world, tmp_path):
    from tests.pack.conftest import pdf_text

    _store_two_families(world, tmp_path)
    ctx = world.ctx("other")
    view = ops.open_case(ctx, "FAM-B")
    out = tmp_path / "b.pdf"
    ops.preview_builder(ctx, view.case)(out)
    page = " ".join(next(p for p in pdf_text(out) if "Who knows what" in p).split())
    assert "(recorded elsewhere)" in page
    checked = ops.check_stored(ctx, "FAM-B", view.case)
    assert {f.detail["ref"] for f in checked.findings if f.code == "known_elsewhere"} == {SHARED_ADULT}


def test_one_click_asks_the_agency_another_handover_records(qtbot, world, tmp_path):
    """The agency network's "Recorded in other handovers": Ask this agency sends housing a request about
    the father (the person the match is about); Add to network adds it."""
    from ui.main_window import MainWindow
    from ui.qt import Qt

    _store_two_families(world, tmp_path)
    win = MainWindow(UiApp(world.ctx("prac")), lock_minutes=60)
    qtbot.addWidget(win)
    win.open_case("FAM-A")
    ed = win.workspace.editor
    ed.show_section("agencies")
    assert ed.network is not None and "housing" in ed.network.ask_buttons
    n = len(ed.model.case["information_requests"])
    qtbot.mouseClick(ed.network.ask_buttons["housing"], Qt.MouseButton.LeftButton)
    req = ed.model.case["information_requests"][n]
    assert (req["agency_type"], req["about"]) == ("housing", [SHARED_ADULT])
    qtbot.mouseClick(ed.network.buttons["housing"], Qt.MouseButton.LeftButton)
    assert any(a["type"] == "housing" for a in ed.model.case["agencies"])

"""The editor for a family (handover-case/2, issue 16): every child in one handover.

A family's document opens with its children as a list (each with identity, plan, risk factors and
voice), people picked by name and stored as refs; a one-child handover becomes a family when a second
child is added, and a household member under 18 is added as a child in one click. Each is one undo step.
"""

from __future__ import annotations

import copy

from handover.case import load_case
from handover.resources import resource_path
from ui.editor.lists import ListField
from ui.editor.panels import FamilyPanel
from ui.qt import Qt

K_CASE = "step_up_with_gaps.json"


def _family():
    return load_case(resource_path("examples", "family_step_up.json"))


def _one_child():
    return load_case(resource_path("examples", K_CASE))


def _show(ed, section_id):
    ed.show_section(section_id)
    page = ed.pages[section_id]
    if not page.built:
        page.build()
    return page


def _panel(ed, with_findings=True):
    _show(ed, "household")
    return next(p for p in ed.family_panels if p.with_findings == with_findings)


def test_a_family_opens_with_its_children_and_names_for_refs(qtbot, make_editor):
    case = _family()
    ed = make_editor(case)
    assert [s.id for s in ed.form.sections][0] == "children"
    assert ed.title.text() == "Mia and Kara Testcase"
    page = _show(ed, "children")
    children = next(w for w in page.fields if isinstance(w, ListField))
    assert len(children.entries) == len(case["children"])
    # an agency's "involved with" offers people by name and stores refs
    ed.focus_path("agencies[0].involved_with")
    loc = ed._locate("agencies[0].involved_with", build=True)
    w = loc[0]
    shown = [w.list.item(i).text() for i in range(w.list.count())]
    assert "Mia Testcase" in shown and "Sam Testcase" in shown and "c1" not in shown
    item = next(w.list.item(i) for i in range(w.list.count()) if w.list.item(i).text() == "Sam Testcase")
    item.setCheckState(Qt.CheckState.Checked)
    assert "p1" in case["agencies"][0]["involved_with"]


def test_adding_a_second_child_makes_a_one_child_handover_a_family_and_undo_takes_it_back(qtbot, make_editor):
    case = _one_child()
    before = copy.deepcopy(case)
    ed = make_editor(case)
    assert case["format"] == "handover-case/1"
    panel = _panel(ed)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert case["format"] == "handover-case/2"          # the window's own dict, changed in place
    assert len(case["children"]) == 2 and case["children"][1]["ref"] == "c2"
    assert case["children"][0]["given_name"] == before["child"]["given_name"]
    assert ed.form.sections[0].id == "children"
    assert ed.stack.currentWidget() is ed.pages["children"]
    ed.undo_button.click()
    assert case == before
    assert ed.form.field_at("child.given_name") is not None
    ed.redo_button.click()
    assert case["format"] == "handover-case/2" and len(case["children"]) == 2


def test_a_brother_in_the_household_is_added_as_a_child_in_one_click(qtbot, make_editor):
    """Review K: the 15-year-old in the house is flagged before the case moves, and one click adds him with
    his name, date of birth and ref (so what names him still does); whether his case moves is asked."""
    case = _one_child()
    case["household"].append({"name": "Jay Brennan", "relationship": "Brother", "date_of_birth": "2011-03-02",
                              "lives_with_child": True, "parental_responsibility": False,
                              "joined_household": None, "left_household": None, "known_to": ["police"],
                              "risk_factors": []})
    case["agencies"][0]["involved_with"] = ["Jay Brennan"]
    ed = make_editor(case)
    panel = _panel(ed)
    assert len(panel.buttons) == 1
    assert "Jay Brennan" in panel.buttons[0].accessibleName()
    qtbot.mouseClick(panel.buttons[0], Qt.MouseButton.LeftButton)
    jay = case["children"][-1]
    assert (jay["given_name"], jay["family_name"], jay["date_of_birth"]) == ("Jay", "Brennan", "2011-03-02")
    assert jay["moves"] is None
    assert all(m.get("name") != "Jay Brennan" for m in case["household"])
    assert case["agencies"][0]["involved_with"] == [jay["ref"]]
    # what the household list said he is known to stays recorded for him: the police, in the network
    police = [a for a in case["agencies"] if a["type"] == "police"]
    assert police and all(jay["ref"] in a["involved_with"] for a in police)
    assert case["agency_checks"]["police"] == "involved"
    # a second press (the list changed since) does nothing
    before = copy.deepcopy(case)
    ed.member_to_child(jay["ref"])
    assert case == before
    codes = {f.code for f in ed.result.findings}
    assert "child_in_household_not_listed" not in codes
    assert any(f.code == "required" and f.path == f"children[{len(case['children']) - 1}].moves"
               for f in ed.result.findings)


def test_read_only_family_offers_no_adding(qtbot, make_editor):
    ed = make_editor(_family())
    ed.set_read_only(True)
    panel = _panel(ed)
    assert isinstance(panel, FamilyPanel)
    assert not panel.add_button.isVisible()
    before = copy.deepcopy(ed.model.case)
    ed.add_child()
    ed.member_to_child("p1")
    assert ed.model.case == before


def test_the_family_title_names_children_with_different_family_names():
    from handover.family import family_title

    case = _family()
    case["children"][1]["family_name"] = "Smith"
    assert family_title(case) == "Mia Testcase and Kara Smith"
    case["children"][1]["moves"] = False
    assert family_title(case) == "Mia Testcase"


def test_a_person_added_to_a_familys_lists_gets_a_ref_and_the_handover_still_saves(qtbot, make_editor):
    """A new household member or child of a family's handover is given the next free ref ("p3", "c3"): a
    blank ref would make every save fail until someone typed one."""
    from handover.case import dump_case, parse_case

    case = _family()
    ed = make_editor(case)
    for section, key, ref in (("household", "household", "p3"), ("children", "children", "c3")):
        page = _show(ed, section)
        lst = next(w for w in page.fields if isinstance(w, ListField) and w.path == key)
        lst._add()
        assert case[key][-1]["ref"] == ref
    assert parse_case(dump_case(case))["children"][-1]["ref"] == "c3"    # shape-valid: it saves


def test_removing_a_child_asks_first_and_can_be_undone(qtbot, make_editor, monkeypatch):
    from ui.qt import QMessageBox

    case = _family()
    ed = make_editor(case)
    page = _show(ed, "children")
    children = next(w for w in page.fields if isinstance(w, ListField))
    entry = children.entries[1]
    entry.expand()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    qtbot.mouseClick(entry.remove, Qt.MouseButton.LeftButton)
    assert len(case["children"]) == 2 and "Kara" in asked[0] and "undo" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(children.entries[1].remove, Qt.MouseButton.LeftButton)
    assert [c["given_name"] for c in case["children"]] == ["Mia"]
    ed.undo_button.click()
    assert [c["given_name"] for c in case["children"]] == ["Mia", "Kara"]


def test_check_your_answers_shows_a_missing_reason_for_a_child_who_stays():
    """Kai does not move and his reason is blank: the row is there, "Not answered", with its Change link;
    for the children who move there is no such row."""
    from handover.answers import answers

    doc = load_case(resource_path("examples", "family_step_down.json"))
    kai = next(i for i, c in enumerate(doc["children"]) if c["moves"] is False)
    doc["children"][kai]["reason_not_moving"] = ""
    rows = {a.path: a for a in answers(doc)[0].answers}
    assert f"children[{kai}].reason_not_moving" in rows and not rows[f"children[{kai}].reason_not_moving"].answered
    assert "children[0].reason_not_moving" not in rows


def test_a_match_answered_in_the_editor_goes_from_the_findings(qtbot, make_editor):
    """A known_elsewhere finding (the database's) goes once the handover records what it said was missing."""
    from handover.store.elsewhere import StoreFinding

    case = _family()
    ed = make_editor(case)
    found = StoreFinding("known_elsewhere", "household[1]", "Alex Testcase is recorded in 1 other handover as "
                         "known to Housing", {"ref": "p2", "handovers": 1, "agency_types": ["housing"],
                                               "risk_factors": []})
    ed.set_database_findings([found])
    assert any(f.code == "known_elsewhere" for f in ed.result.findings)
    case["household"][1]["known_to"].append("housing")
    ed.recheck_now()
    assert not any(f.code == "known_elsewhere" for f in ed.result.findings)

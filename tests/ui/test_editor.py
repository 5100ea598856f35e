"""The case editor: findings lead to their fields, undo and redo, task-list statuses, the agency
network's "Add to network", dates kept as typed, read-only versions, and large cases built lazily."""

from __future__ import annotations

from handover.case import blank_case, get_path
from ui.editor.fields import ChecklistField, DateField, LineField, MultiChoiceField
from ui.editor.lists import ListField
from ui.editor.panels import PATH_ROLE
from ui.qt import QApplication, Qt

from .conftest import large_case


def _finding_item(ed, path):
    for it in ed.findings.items():
        if it.data(0, PATH_ROLE) == path:
            return it
    raise AssertionError(f"no finding at {path}: {[i.data(0, PATH_ROLE) for i in ed.findings.items()]}")


def _click_finding(qtbot, ed, path):
    it = _finding_item(ed, path)
    tree = ed.findings.tree
    tree.scrollToItem(it)
    rect = tree.visualItemRect(it)
    assert rect.isValid()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- (b) a finding leads to its field ------------------------------------------------------------------

def test_clicking_a_top_level_finding_focuses_its_field(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    assert ed.current_section() == "child"
    ed.show_section("plan")
    _click_finding(qtbot, ed, "child.nhs_number")
    assert ed.current_section() == "child"
    focused = QApplication.focusWidget()
    field = ed.field_widget("child.nhs_number")
    assert isinstance(field, LineField) and field.path == "child.nhs_number"
    assert focused is field.edit
    # the same message is shown next to the field
    assert field.error.isVisible() and "NHS number 9990000027 is not valid" in field.error.text()


def test_clicking_a_list_entry_finding_focuses_that_entrys_field(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    _click_finding(qtbot, ed, "agencies[1].contact")
    assert ed.current_section() == "agencies"
    field = ed.field_widget("agencies[1].contact")
    assert field.path == "agencies[1].contact"
    assert field.edit.text() == ""  # Sampleford Health Centre has no contact
    assert QApplication.focusWidget() is field.edit
    # not the first agency's contact box
    assert QApplication.focusWidget() is not ed.field_widget("agencies[0].contact").edit
    # a path naming a whole object goes to its first field: agencies[1].sharing_basis → its type
    _click_finding(qtbot, ed, "agencies[1].sharing_basis")
    assert QApplication.focusWidget() is ed.field_widget("agencies[1].sharing_basis.type").combo


def test_enter_on_a_checklist_finding_focuses_that_row(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    tree = ed.findings.tree
    it = _finding_item(ed, "agency_checks.police")
    tree.setFocus()
    tree.setCurrentItem(it)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    checklist = ed.field_widget("agency_checks.police")
    assert isinstance(checklist, ChecklistField)
    focused = QApplication.focusWidget()
    assert focused in checklist.rows["police"][1]
    assert focused.isChecked() and "Not checked" in focused.accessibleName()
    assert focused.accessibleName().startswith("Police")
    # and the row itself says what is wrong
    assert checklist.rows["police"][2].isVisible()


def test_a_finding_on_one_item_of_a_multichoice_selects_that_item(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    assert ed.focus_path("household[1].known_to[0]")
    field = ed.field_widget("household[1].known_to")
    assert isinstance(field, MultiChoiceField) and field.path == "household[1].known_to"
    assert QApplication.focusWidget() is field.list
    assert field.list.currentItem().data(Qt.ItemDataRole.UserRole) == "police"


# -- (c) undo and redo -------------------------------------------------------------------------------

def test_undo_and_redo_a_text_edit(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    changes = []
    ed.changed.connect(changes.append)
    edit = ed.field_widget("child.given_name").edit
    edit.setFocus()
    edit.end(False)
    qtbot.keyClicks(edit, "-Lee")
    assert ed.document()["child"]["given_name"] == "Jordan-Lee"
    assert changes and changes[-1] is ed.document()
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the typing is one step
    assert ed.document()["child"]["given_name"] == "Jordan"
    assert edit.text() == "Jordan"
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert ed.document()["child"]["given_name"] == "Jordan-Lee"
    assert edit.text() == "Jordan-Lee"
    assert ed.title.text() == "Jordan-Lee Pike"


def test_undo_and_redo_adding_a_list_entry(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    ed.show_section("household")
    people = ed.field_widget("household")
    assert isinstance(people, ListField) and len(people.entries) == 2
    qtbot.mouseClick(people.add, Qt.MouseButton.LeftButton)
    assert len(ed.document()["household"]) == 3 and len(people.entries) == 3
    name = ed.field_widget("household[2].name")
    assert QApplication.focusWidget() is name.edit
    qtbot.keyClicks(name.edit, "Sam Example")
    assert ed.document()["household"][2]["name"] == "Sam Example"
    ed.undo()  # the name
    ed.undo()  # the new entry
    assert len(ed.document()["household"]) == 2 and len(people.entries) == 2
    assert people.box.count() == 2, "the removed entry's box is gone from the page"
    assert [e.path for e in people.entries] == ["household[0]", "household[1]"]
    ed.redo()
    assert len(ed.document()["household"]) == 3 and len(people.entries) == 3
    ed.redo()
    assert ed.document()["household"][2]["name"] == "Sam Example"
    assert ed.field_widget("household[2].name").edit.text() == "Sam Example"
    # removing and moving are undoable too
    people.entries[0].remove.click()
    assert [m["name"] for m in ed.document()["household"]] == ["Ryan Cole", "Sam Example"]
    ed.undo()
    assert [m["name"] for m in ed.document()["household"]] == ["Karen Pike", "Ryan Cole", "Sam Example"]
    people.entries[2].up.click()
    assert [m["name"] for m in ed.document()["household"]] == ["Karen Pike", "Sam Example", "Ryan Cole"]
    assert ed.field_widget("household[1].name").edit.text() == "Sam Example"
    ed.undo()
    assert ed.field_widget("household[1].name").edit.text() == "Ryan Cole"


# -- (d) task list statuses ----------------------------------------------------------------------------

def test_task_list_status_follows_the_answers(qtbot, make_editor):
    ed = make_editor(blank_case("step_down", "SD-T-1"))
    assert ed.section_status("child").words == "Not started"
    assert ed.section_status("child").kind == "not_started"
    given = ed.field_widget("child.given_name").edit
    qtbot.keyClicks(given, "Ava")
    # re-checked ~150 ms after the edit, without being asked
    qtbot.waitUntil(lambda: ed.section_status("child").words == "In progress", timeout=2000)
    dob = ed.field_widget("child.date_of_birth")
    assert isinstance(dob, DateField)
    qtbot.keyClicks(dob.edit, "2020-02-30")
    qtbot.keyClicks(ed.field_widget("child.nhs_number").edit, "123")
    ed.recheck_now()
    assert ed.section_status("child").words == "Needs attention (2)"
    assert ed.section_status("child").kind == "attention"
    # the task list says it in words to assistive technology too
    item = ed.tasks.item(0)
    assert "Needs attention (2)" in item.data(Qt.ItemDataRole.AccessibleTextRole)

    dob.edit.clear()
    qtbot.keyClicks(dob.edit, "2020-02-03")
    ed.field_widget("child.nhs_number").edit.clear()
    qtbot.keyClicks(ed.field_widget("child.nhs_number").edit, "x")
    qtbot.keyClick(ed.field_widget("child.nhs_number").edit, Qt.Key.Key_Backspace)
    values = {"family_name": "Example", "address": "1 Sample Street", "postcode": "SW1A 1AA",
              "setting": "Sample Primary", "ethnicity": "White British", "first_language": "English",
              "disability_or_sen": "None known", "local_ids.csc": "CSC-1"}
    for key, text in values.items():
        w = ed.field_widget(f"child.{key}")
        qtbot.keyClicks(w.edit, text)
    gender = ed.field_widget("child.gender").combo
    gender.setFocus()
    qtbot.keyClick(gender, Qt.Key.Key_Down)
    ed.recheck_now()
    # the NHS number was left empty: SPEC.md section 7.2 warns of it (nhs_number_missing), which does not
    # stop the section being complete
    assert [(f.code, f.path) for f in ed.result.findings if f.path.startswith("child.")] == [
        ("nhs_number_missing", "child.nhs_number")]
    assert ed.section_status("child").words == "Complete"
    assert ed.section_status("child").kind == "complete"
    assert ed.section_status("household").words == "Not started"


# -- (e) the agency network ------------------------------------------------------------------------------

def test_add_to_network_adds_the_agency_and_the_finding_goes(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    missing = lambda: {f.detail["agency_type"] for f in ed.result.findings if f.code == "agency_missing"}  # noqa: E731
    assert missing() == {"adult_mental_health", "police", "emergency_department"}
    ed.show_section("agencies")
    assert ed.network is not None and ed.network.isVisible()
    button = ed.network.buttons["police"]
    assert button.isVisible() and "Police" in button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    doc = ed.document()
    assert len(doc["agencies"]) == 3 and doc["agencies"][2]["type"] == "police"
    assert doc["agency_checks"]["police"] == "involved"
    assert missing() == {"adult_mental_health", "emergency_department"}
    assert "police" not in ed.network.buttons
    # the new entry is open, with the focus on its name
    assert QApplication.focusWidget() is ed.field_widget("agencies[2].name").edit
    # one undo step takes back both changes
    ed.undo()
    ed.recheck_now()
    assert len(ed.document()["agencies"]) == 2 and ed.document()["agency_checks"]["police"] == "not_checked"
    assert "police" in missing()


# -- (f) the lawful-basis helper -----------------------------------------------------------------------

def test_lawful_basis_helper_records_a_without_consent_gateway(qtbot, make_editor, gaps_case, monkeypatch):
    from ui.dialogs.lawful_basis import LawfulBasisDialog

    seen = {}

    def fake_exec(dlg):
        seen["title"] = dlg.windowTitle()
        assert dlg.stack.currentIndex() == 0
        qtbot.mouseClick(dlg.next, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dlg.without_consent, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dlg.next, Qt.MouseButton.LeftButton)
        assert dlg.stack.currentIndex() == 2
        # Continue without a gateway is refused with a message
        qtbot.mouseClick(dlg.next, Qt.MouseButton.LeftButton)
        assert dlg.stack.currentIndex() == 2 and "legal gateway" in dlg.error.text()
        gateway = dlg.gateway_buttons["children_act_1989_s47"]
        assert "significant harm" in gateway.accessibleDescription()
        qtbot.mouseClick(gateway, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(dlg.reason, "Jordan disclosed harm at home; asking would put him at greater risk.")
        qtbot.mouseClick(dlg.next, Qt.MouseButton.LeftButton)
        assert dlg.stack.currentIndex() == 3 and "section 47" in dlg.summary.text()
        qtbot.mouseClick(dlg.next, Qt.MouseButton.LeftButton)
        return dlg.result()

    monkeypatch.setattr(LawfulBasisDialog, "exec", fake_exec)
    ed = make_editor(gaps_case)
    assert any(f.path == "agencies[1].sharing_basis" for f in ed.result.findings)
    ed.focus_path("agencies[1].sharing_basis")
    entry = ed.entry_widget("agencies[1]")
    assert entry.path == "agencies[1]" and entry.expanded()
    qtbot.mouseClick(entry.help, Qt.MouseButton.LeftButton)
    assert seen["title"] == "Lawful basis for sharing with Sampleford Health Centre"
    assert ed.document()["agencies"][1]["sharing_basis"] == {
        "type": "without_consent", "gateway": "children_act_1989_s47",
        "reason": "Jordan disclosed harm at home; asking would put him at greater risk."}
    assert ed.field_widget("agencies[1].sharing_basis.gateway").combo.currentData() == "children_act_1989_s47"
    ed.recheck_now()
    assert not [f for f in ed.result.findings if f.code == "sharing_basis_missing" and f.path.startswith("agencies[1]")]
    ed.undo()  # one step
    assert ed.document()["agencies"][1]["sharing_basis"]["type"] == ""


def test_lawful_basis_helper_cancelled_records_nothing(qtbot, make_editor, gaps_case, monkeypatch):
    from ui.dialogs.lawful_basis import LawfulBasisDialog

    monkeypatch.setattr(LawfulBasisDialog, "exec", lambda dlg: 0)
    ed = make_editor(gaps_case)
    before = ed.case()
    ed.focus_path("agencies[0].sharing_basis.type")
    ed.entry_widget("agencies[0]").help.click()
    assert ed.case() == before


# -- values kept as typed; read-only; large cases ----------------------------------------------------

def test_an_impossible_date_is_kept_as_typed_and_reported(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    dob = ed.field_widget("child.date_of_birth").edit
    dob.clear()
    qtbot.keyClicks(dob, "2012-02-30")
    assert ed.document()["child"]["date_of_birth"] == "2012-02-30"
    ed.recheck_now()
    assert any(f.code == "invalid_date" and f.path == "child.date_of_birth" for f in ed.result.findings)
    assert dob.text() == "2012-02-30"
    dob.clear()
    qtbot.keyClicks(dob, " 30/02/2012, I think")
    assert ed.document()["child"]["date_of_birth"] == " 30/02/2012, I think"
    dob.clear()
    dob.textEdited.emit("")
    assert ed.document()["child"]["date_of_birth"] is None


def test_calendar_picks_a_date(qtbot, make_editor, gaps_case):
    from ui.qt import QDate

    ed = make_editor(gaps_case)
    field = ed.field_widget("child_voice.last_seen")
    qtbot.mouseClick(field.pick, Qt.MouseButton.LeftButton)
    assert field.popup.isVisible()
    field.popup.cal.setSelectedDate(QDate(2026, 11, 2))
    field.popup.cal.activated.emit(QDate(2026, 11, 2))
    assert ed.document()["child_voice"]["last_seen"] == "2026-11-02"
    assert not field.popup.isVisible()


def test_read_only_version_cannot_be_changed(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case, read_only=True)
    ed.set_read_only(True)
    before = ed.case()
    edit = ed.field_widget("child.given_name").edit
    assert edit.isReadOnly()
    qtbot.keyClicks(edit, "xyz")
    ed.show_section("agencies")
    assert not ed.field_widget("agencies").add.isVisible()
    assert not any(b.isVisible() for b in ed.network.buttons.values())
    assert not ed.field_widget("agency_checks").rows["police"][1][0].isEnabled()
    assert ed.case() == before
    assert ed.banner.isVisible() and not ed.undo_button.isEnabled()


def test_every_input_has_an_accessible_name_and_a_visible_label(qtbot, make_editor, gaps_case):
    ed = make_editor(gaps_case)
    for sid in ed.pages:
        ed.show_section(sid)
    for w in ed._live_fields():
        assert w.label.isVisibleTo(w) and w.label.text()
        for inp in w.focus_widgets():
            assert inp.accessibleName(), f"{w.path}: {type(inp).__name__} has no accessible name"


def test_large_case_builds_entries_lazily(qtbot, make_editor, gaps_case):
    ed = make_editor(large_case(gaps_case), show=True)
    assert not ed.pages["chronology"].built
    ed.show_section("chronology")
    events = ed.field_widget("chronology")
    assert len(events.entries) == 500
    assert all(e.body is None for e in events.entries)  # headings only until opened
    assert ed.focus_path("chronology[420].impact_on_child")
    assert events.entries[420].body is not None
    assert QApplication.focusWidget() is ed.field_widget("chronology[420].impact_on_child").edit
    assert sum(e.body is not None for e in events.entries) == 1
    assert get_path(ed.document(), "chronology[420].event").startswith("Synthetic event 421")


def test_a_long_section_status_wraps_rather_than_being_cut_off(qtbot):
    """'Needs attention (12) · 36 warnings' is wider than the task list: the row grows to show all of it."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from handover.forms import load_form
    from ui.editor.panels import SECTION_ROLE, STATUS_ROLE, TaskList
    from ui.editor.status import SectionStatus

    tl = TaskList(load_form("step_down"))
    qtbot.addWidget(tl)
    tl.resize(tl.minimumWidth(), 600)
    tl.show()
    first = tl.item(0).data(SECTION_ROLE)
    opt = QStyleOptionViewItem()
    opt.initFrom(tl)
    opt.widget = tl
    height = lambda: tl.itemDelegate().sizeHint(opt, tl.model().index(0, 0)).height()  # noqa: E731
    tl.set_status(first, SectionStatus("complete", "Complete", 0, 0))
    h_short = height()
    long_ = SectionStatus("attention", "Needs attention (12)", 12, 36)
    tl.set_status(first, long_)
    assert tl.item(0).data(STATUS_ROLE).detail == "Needs attention (12) · 36 warnings"
    assert opt.fontMetrics.horizontalAdvance(long_.detail) > tl.viewport().width() - 40   # cannot fit on one line
    assert height() > h_short


def test_dates_as_people_write_them_are_stored_as_iso(qtbot, make_editor):
    """UX: '14/02/2019 accepted'. A whole date in day-month-year is stored as ISO and shown one way; a
    half-typed or impossible one is kept as typed, so the check can say what is wrong."""
    from handover.case import blank_case

    ed = make_editor(blank_case("step_down", "SD-DATES"))
    dob = ed.field_widget("child.date_of_birth")
    for typed, stored in (("14/02/2019", "2019-02-14"), ("3-7-2020", "2020-07-03"), ("1 Feb 2021", "2021-02-01"),
                          ("2018-05-06", "2018-05-06"), ("30/02/2019", "30/02/2019"), ("14/02", "14/02")):
        dob.edit.clear()
        qtbot.keyClicks(dob.edit, typed)
        assert ed.document()["child"]["date_of_birth"] == stored, typed
    dob.edit.clear()
    qtbot.keyClicks(dob.edit, "3-7-2020")
    dob.edit.editingFinished.emit()
    assert dob.edit.text() == "03/07/2020"
    codes = {f.code for f in ed.recheck_now().findings if f.path == "child.date_of_birth"}
    assert "invalid_date" not in codes
    ed2 = make_editor(dict(blank_case("step_down", "SD-DATES-2"), child={"date_of_birth": "2019-02-14"}))
    assert ed2.field_widget("child.date_of_birth").edit.text() == "14/02/2019"


def test_errors_wait_until_the_person_has_been_there(qtbot, make_editor):
    """UX: a new handover starts with neutral 'Not started' sections, not a wall of red errors; a section's
    findings appear once the person has answered something in it; a reader sees them all."""
    from handover.case import blank_case

    ed = make_editor(blank_case("step_down", "SD-WAIT"))
    result = ed.recheck_now()
    assert len(result.errors) > 20                         # the checks still know everything that is missing
    assert ed.findings.items() == []
    assert "not started yet" in ed.findings.summary.text()
    assert all(ed.section_status(s.id).words == "Not started" for s in ed.form.sections)
    qtbot.keyClicks(ed.field_widget("child.given_name").edit, "Ava")
    ed.recheck_now()
    shown = ed.findings.items()
    assert shown and all(it.data(0, Qt.ItemDataRole.AccessibleTextRole) for it in shown)
    from ui.editor.panels import PATH_ROLE

    child_paths = {it.data(0, PATH_ROLE) for it in shown}
    assert child_paths and all(p.startswith("child.") for p in child_paths)
    ed.set_read_only(True)
    assert len(ed.findings.items()) == len(ed.result.findings)


def test_a_missing_agency_finding_opens_the_network_with_that_agency_filled_in(qtbot, make_editor, gaps_case):
    """UX: 'Add Probation to the network' opens the network with it filled in, never the household
    member's Known to tick box, where unticking is the quickest way to silence the finding."""
    ed = make_editor(gaps_case)
    item = next(it for it in ed.findings.items()
                if it.data(0, Qt.ItemDataRole.UserRole + 3) == "police")   # an agency_missing finding's type
    tree = ed.findings.tree
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
    doc = ed.document()
    assert ed.current_section() == "agencies"
    assert doc["agencies"][-1]["type"] == "police" and doc["agency_checks"]["police"] == "involved"
    assert QApplication.focusWidget() is ed.field_widget(f"agencies[{len(doc['agencies']) - 1}].name").edit
    assert any("police" in (m.get("known_to") or []) for m in doc["household"])   # what the household said stays
    assert "police" not in {f.detail["agency_type"] for f in ed.result.findings if f.code == "agency_missing"}

"""Requests for information from the editor (issue 17): *Ask this agency* from the network and from the
agencies the checks expect, the letter, and an answer of "holds information" growing the network. Every
button is pressed (pytest-qt fails a test on an exception in a slot)."""

from __future__ import annotations

import copy

from handover.case import load_case
from handover.resources import resource_path
from ui.editor.lists import ListField
from ui.qt import Qt

from datetime import date

AS_OF = date(2026, 11, 25)   # the editor fixture's as-of date (tests/ui/conftest.py)


def _family():
    return load_case(resource_path("examples", "family_step_up.json"))


def _entry(ed, list_path, index):
    loc = ed._locate(f"{list_path}[{index}]", build=True)
    entry = loc[0]
    entry.expand()
    return entry


def _button(entry, text):
    return next(b for a, b in entry.entry_buttons if a.text == text)


def test_ask_an_agency_of_the_network(qtbot, make_editor):
    case = _family()
    ed = make_editor(case)
    ed.account_name = lambda: "Pat Practitioner"
    ed.show_section("agencies")
    before = len(case["information_requests"])
    agency = case["agencies"][1]
    qtbot.mouseClick(_button(_entry(ed, "agencies", 1), "Ask this agency for information"), Qt.MouseButton.LeftButton)
    assert len(case["information_requests"]) == before + 1
    req = case["information_requests"][-1]
    assert (req["agency_type"], req["agency_name"], req["about"]) == (agency["type"], agency["name"],
                                                                      agency["involved_with"])
    assert (req["sent"], req["sent_by"], req["priority"], req["response"]) == (AS_OF.isoformat(), "Pat Practitioner",
                                                                               "amber", None)
    assert ed.stack.currentWidget() is ed.pages["information_requests"]
    # a new request is due: its deadline is in the strip straight away
    assert any(d.path == f"information_requests[{before}]" for d in ed.result.deadlines)
    ed.undo_button.click()
    assert len(case["information_requests"]) == before


def test_asking_from_a_one_child_handover_makes_it_a_family(qtbot, make_editor):
    case = load_case(resource_path("examples", "step_up_with_gaps.json"))
    before = copy.deepcopy(case)
    ed = make_editor(case)
    ed.show_section("agencies")
    page = ed.pages["agencies"]
    if not page.built:
        page.build()
    assert ed.network is not None and ed.network.ask_buttons, "the checks expect agencies in this case"
    agency, button = next(iter(ed.network.ask_buttons.items()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert case["format"] == "handover-case/2"
    [req] = case["information_requests"]
    assert req["agency_type"] == agency and req["about"] == ["c1"]
    ed.undo_button.click()
    assert case == before


def test_an_agency_that_holds_information_joins_the_network_in_one_click(qtbot, make_editor):
    case = _family()
    case["information_requests"].append({
        "agency_type": "youth_justice", "agency_name": "Sampleford Youth Justice Service", "about": ["c2"],
        "sent": "2026-04-01", "sent_by": "Pat Practitioner", "priority": "green",
        "response": {"date": "2026-04-02", "outcome": "nothing_held", "summary": "", "confidential": False}})
    i = len(case["information_requests"]) - 1
    ed = make_editor(case)
    ed.show_section("information_requests")
    entry = _entry(ed, "information_requests", i)
    add = _button(entry, "Add this agency to the network")
    assert not add.isVisible()                     # "nothing held": nothing to add
    ed.model.set_value(f"information_requests[{i}].response.outcome", "holds_information", from_widget=False)
    assert add.isVisible()
    n = len(case["agencies"])
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert len(case["agencies"]) == n + 1
    new = case["agencies"][-1]
    assert (new["type"], new["name"], new["involved_with"]) == ("youth_justice", "Sampleford Youth Justice Service",
                                                                ["c2"])
    assert case["agency_checks"]["youth_justice"] == "involved"
    assert not add.isVisible()                     # in the network now
    ed.undo_button.click()
    assert len(case["agencies"]) == n


def test_print_the_letter_asks_the_window_with_the_requests_index(qtbot, make_editor):
    ed = make_editor(_family())
    ed.show_section("information_requests")
    entry = _entry(ed, "information_requests", 2)
    with qtbot.waitSignal(ed.letter_requested, timeout=1000) as got:
        qtbot.mouseClick(_button(entry, "Print the request letter…"), Qt.MouseButton.LeftButton)
    assert got.args == [2]


def test_read_only_offers_no_request_buttons(qtbot, make_editor):
    ed = make_editor(_family())
    ed.set_read_only(True)
    ed.show_section("information_requests")
    entry = _entry(ed, "information_requests", 0)
    assert all(not b.isVisible() for _a, b in entry.entry_buttons)
    before = copy.deepcopy(ed.model.case)
    ed.ask_agency("police")
    assert ed.model.case == before
    assert isinstance(next(w for w in ed.pages["information_requests"].fields if isinstance(w, ListField)), ListField)


def test_the_lawful_basis_helper_says_when_consent_is_not_the_basis(qtbot):
    """An agency with the duty to share (police, health, schools...): the helper says consent is not the
    basis for safeguarding; an agency without it (housing) gets no such note. Both new gateways are offered."""
    from ui.dialogs.lawful_basis import LawfulBasisDialog

    case = _family()
    case["agencies"][0]["type"] = "police"
    case["agencies"][1]["type"] = "housing"
    duty = LawfulBasisDialog(case, 0)
    qtbot.addWidget(duty)
    assert "duty to share" in duty.duty_note.text() and "16LA" in duty.duty_note.text()
    assert {"children_act_2004_s16la", "crime_and_disorder_act_1998_s115"} <= set(duty.gateway_buttons)
    other = LawfulBasisDialog(case, 1)
    qtbot.addWidget(other)
    assert other.duty_note.text() == ""


def test_ask_an_agency_from_the_checklist(qtbot, make_editor):
    """Each row of the agency checklist has *Ask*: the evidence for "not involved" is the agency's answer."""
    from ui.editor.fields import ChecklistField

    case = _family()
    ed = make_editor(case)
    ed.show_section("agencies")
    checklist = next(w for w in ed._live_fields() if isinstance(w, ChecklistField))
    n = len(case["information_requests"])
    qtbot.mouseClick(checklist.ask_buttons["housing"], Qt.MouseButton.LeftButton)
    assert case["information_requests"][n]["agency_type"] == "housing"
    assert case["information_requests"][n]["about"] == [c["ref"] for c in case["children"] if c["moves"]]


def test_a_renamed_agency_renames_its_deadline_card(qtbot, make_editor):
    case = _family()
    ed = make_editor(case)
    i = next(i for i, d in enumerate(ed.result.deadlines) if d.rule == "information_request" and d.status != "met")
    path = ed.result.deadlines[i].path
    ed.model.set_value(f"{path}.agency_name", "Renamed Recovery Service", from_widget=False)
    ed.recheck_now()
    assert any("Request to Renamed Recovery Service" in b.text() for b in ed.deadlines.buttons)

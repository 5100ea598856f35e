"""Check your answers before requesting authorisation (issue 15): with errors the move is refused with
the error summary, whose links open where each is put right; with none the page asks for confirmation
and then the move is made; the manager reads the same page before authorising."""

from __future__ import annotations

import json

import pytest
from store.store_cases import complete_step_down

from handover.app import operations as ops
from ui.operations import UiApp
from ui.qt import QDialog, QMessageBox, QUrl


@pytest.fixture
def quiet(monkeypatch):
    said = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name, lambda parent, title, text, *a, _n=name, **k:
                            said.append((_n, text)) or QMessageBox.StandardButton.Ok)
    return said


def _window(qtbot, world, who):
    from ui.main_window import MainWindow

    win = MainWindow(UiApp(world.ctx(who)), lock_minutes=60)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)
    return win


def _import(world, tmp_path, case):
    path = tmp_path / f"{case['id']}.json"
    path.write_text(json.dumps(case))
    ops.import_file(world.ctx("prac"), path)


def _pages(monkeypatch, then):
    """Every Check your answers page shown: (action, confirm enabled, its text); ``then(dialog)`` is what
    the person does on it (its return value is the dialog's result)."""
    from ui import check_answers

    shown = []

    def exec_(dialog):
        shown.append((dialog.checked.action, dialog.confirm.isEnabled(), dialog.text()))
        return then(dialog)

    monkeypatch.setattr(check_answers.CheckAnswersDialog, "exec", exec_)
    return shown


def _press_confirm(dialog):
    dialog.confirm.click()           # a disabled button does nothing; _try_confirm refuses too
    dialog._try_confirm()
    return dialog.result()


def test_with_errors_the_request_is_refused_with_the_error_summary(qtbot, world, tmp_path, monkeypatch, quiet):
    case = complete_step_down("CYA-1")
    case["child"]["gender"] = ""
    _import(world, tmp_path, case)
    shown = _pages(monkeypatch, _press_confirm)
    win = _window(qtbot, world, "prac")
    win.open_case("CYA-1")
    win.do_move("request_authorisation")
    (action, enabled, text), = shown
    assert action == "request_authorisation" and not enabled
    assert "There is a problem" in text and "Gender" in text
    # every section is there, each with its answers
    for section in win.workspace.editor.form.sections:
        assert section.title in text
    assert ops.open_case(world.ctx("prac"), "CYA-1").summary.state == "draft"
    assert not any("Done" in t for _, t in quiet)


def test_a_change_link_opens_the_field_and_nothing_moves(qtbot, world, tmp_path, monkeypatch, quiet):
    _import(world, tmp_path, complete_step_down("CYA-2"))

    def change_gender(dialog):
        dialog._link(QUrl("change:child.gender"))
        return dialog.result()

    shown = _pages(monkeypatch, change_gender)
    win = _window(qtbot, world, "prac")
    win.open_case("CYA-2")
    win.do_move("request_authorisation")
    assert shown and shown[0][1]            # nothing stops it, but the person chose Change
    ed = win.workspace.editor
    assert ed.current_section() == ed.form.section_of("child.gender").id
    assert ed.widget_for("child.gender").hasFocus()
    assert ops.open_case(world.ctx("prac"), "CYA-2").summary.state == "draft"


def test_with_no_errors_it_asks_then_moves_and_the_manager_reads_the_same_page(qtbot, world, tmp_path,
                                                                               monkeypatch, quiet):
    _import(world, tmp_path, complete_step_down("CYA-3"))
    shown = _pages(monkeypatch, lambda d: QDialog.DialogCode.Rejected)    # first: Back to the handover
    win = _window(qtbot, world, "prac")
    win.open_case("CYA-3")
    win.do_move("request_authorisation")
    assert shown[-1][:2] == ("request_authorisation", True)
    assert ops.open_case(world.ctx("prac"), "CYA-3").summary.state == "draft"   # not confirmed: not moved

    shown = _pages(monkeypatch, _press_confirm)
    win.do_move("request_authorisation")
    assert shown[-1][:2] == ("request_authorisation", True)
    assert ops.open_case(world.ctx("prac"), "CYA-3").summary.state == "awaiting_authorisation"

    # the manager: the same page, with View instead of Change (they cannot edit while it awaits them)
    shown = _pages(monkeypatch, lambda d: QDialog.DialogCode.Rejected)
    mgr = _window(qtbot, world, "mgr")
    mgr.open_case("CYA-3")
    mgr.do_move("authorise")
    action, enabled, text = shown[-1]
    assert action == "authorise" and enabled and "View" in text and "Change" not in text
    assert ops.open_case(world.ctx("mgr"), "CYA-3").summary.state == "awaiting_authorisation"


def test_save_and_continue_goes_through_every_section_to_check_your_answers(qtbot, world, tmp_path,
                                                                            monkeypatch, quiet):
    _import(world, tmp_path, complete_step_down("CYA-4"))
    shown = _pages(monkeypatch, lambda d: QDialog.DialogCode.Rejected)
    win = _window(qtbot, world, "prac")
    win.open_case("CYA-4")
    ed = win.workspace.editor
    ids = [s.id for s in ed.form.sections]
    ed.show_section(ids[0])
    for expected in ids[1:]:
        page = ed.pages[ed.current_section()]
        assert page.continue_button is not None and page.continue_button.text() == "Save and continue"
        page.continue_button.click()
        assert ed.current_section() == expected
    last = ed.pages[ids[-1]].continue_button
    assert last.text() == "Save and check your answers"
    last.click()
    assert shown and shown[-1][0] == "request_authorisation"

"""End to end through the real main window: a practitioner prepares a step-down, a manager authorises
and signs it, the practitioner sends it, the receiving team sees it. Offscreen; dialogs patched so
nothing blocks; the store is a real SQLite database."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sqlalchemy import select

from handover.app import Gate
from handover.app import operations as ops
from handover.case import get_path
from handover.checks import check_case
from handover.store.models import AuditEntry
from handover.keys import init_ca, issue_user
from handover.pack import verify_pack
from handover.store import service as svc
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox
from ui.operations import UiApp

from casefiles import example

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture
def world(tmp_path):
    store = svc.open_database(f"sqlite:///{tmp_path / 'e2e.sqlite'}").store
    svc.create_first_admin(store, "admin", "Ada Admin", PASSWORD, now=NOW)
    admin = svc.authenticate(store, "admin", PASSWORD, now=NOW).actor
    csc = svc.create_team(store, admin, "CSC Assessment 2", "children_social_care", now=NOW)
    eh = svc.create_team(store, admin, "Early Help North", "early_help", now=NOW)
    svc.create_user(store, admin, "jo", "Jo Sample", "practitioner", csc.id, PASSWORD, now=NOW)
    svc.create_user(store, admin, "priya", "Priya Natt", "manager", csc.id, PASSWORD, now=NOW)
    svc.create_user(store, admin, "alex", "Alex Demo", "receiver", eh.id, PASSWORD, now=NOW)
    gate = Gate(store, clock=lambda: NOW)
    init_ca(tmp_path / "ca", "Exampleton Council (test)", b"ca-passphrase", now=NOW)
    p12 = tmp_path / "priya.p12"
    issue_user(tmp_path / "ca", b"ca-passphrase", "Priya Natt", "Team manager", p12, b"cert-passphrase", now=NOW)
    yield store, gate, p12
    store.close()


@pytest.fixture
def no_blocking(monkeypatch):
    said: list[tuple[str, str]] = []
    for name in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda parent, title, text, *a, _n=name, **k: said.append((_n, text)) or
                            QMessageBox.StandardButton.Ok)
    return said


def window_for(qtbot, gate, username):
    from ui.main_window import MainWindow

    signed_in = gate.sign_in(username, PASSWORD)
    assert signed_in.context is not None, signed_in.message
    win = MainWindow(UiApp(signed_in.context), gate=gate, lock_minutes=60)
    qtbot.addWidget(win)
    win.show()
    return win


def settle(qtbot, ms=50):
    qtbot.wait(ms)
    QApplication.processEvents()


def test_step_down_from_draft_to_sent(qtbot, world, no_blocking, monkeypatch, tmp_path):
    store, gate, p12 = world
    src = example("step_down_complete")
    # a step-down decided this week: nothing is overdue yet on 20 November
    src["transition"]["decision_date"] = "2026-11-16"
    src["plan"]["lead_professional"]["agreed_date"] = "2026-11-17"
    src["plan"]["handover_meeting"].update(planned_date="2026-11-19", held_date="2026-11-19")
    for a in src["agencies"]:
        a["informed_date"] = "2026-11-17"
    src["family"]["consent"]["date"] = "2026-11-13"

    # --- the practitioner creates a step-down and fills it in
    jo = window_for(qtbot, gate, "jo")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SD-E2E-1", True))
    jo.new_case("step_down")
    ws = jo.workspace
    assert ws.view is not None and ws.view.summary.case_id == "SD-E2E-1"
    editor = ws.editor
    first_errors = len(editor.recheck_now().errors)

    # the child's page through its widgets, as a person types
    editor.show_section("child")
    settle(qtbot)
    for path in ("child.given_name", "child.family_name", "child.address"):
        w = editor.field_widget(path)
        qtbot.keyClicks(w.edit, src["child"][path.split(".")[1]])
    assert editor.document()["child"]["given_name"] == "Ellie"

    # everything else through the editor's model (the same calls the widgets make, undoable)
    for key in ("transition", "needs_and_risks", "child_voice", "family", "agency_checks", "events"):
        editor.model.set_value(key, src[key])
    for key in ("date_of_birth", "gender", "nhs_number", "postcode", "setting", "ethnicity", "first_language",
                "disability_or_sen", "local_ids"):
        editor.model.set_value(f"child.{key}", src["child"][key])
    for key in ("household", "agencies", "chronology"):
        for entry in src[key]:
            editor.model.append_entry(key, entry)
    editor.model.set_value("plan", src["plan"])
    editor.model.set_value("sign_off.prepared_by", {"name": "Jo Sample", "role": "Social worker",
                                                    "date": "2026-11-17"})
    editor.model.set_value("events", {"pack_sent": None, "acknowledged": None})
    result = editor.recheck_now()
    # the findings count falls to the one thing only the manager can do: sign it off
    assert len(result.errors) < first_errors
    assert [(f.code, f.path) for f in result.errors] == [("sign_off_missing", "sign_off.sending_manager")]

    # saved at once: what the database holds is what was typed
    assert ws.flush()
    stored = svc.get_handover(store, svc.system_actor("test"), "SD-E2E-1", now=NOW)
    assert stored.case["child"]["given_name"] == "Ellie" and len(stored.case["agencies"]) == 7
    assert "Saved at" in ws.saved.text()

    from ui import check_answers

    pages = []

    def confirm(dialog):     # Check your answers: every section's answers, nothing stops it; confirmed
        pages.append((dialog.checked.action, dialog.confirm.isEnabled(), dialog.text()))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(check_answers.CheckAnswersDialog, "exec", confirm)
    jo.do_move("request_authorisation")
    assert pages[0][:2] == ("request_authorisation", True) and "Ellie" in pages[0][2]
    assert jo.workspace.view.summary.state == "awaiting_authorisation"

    # --- the manager authorises and signs with their certificate
    from ui.dialogs import sign_dialog

    def sign_instead_of_exec(self):
        # what the manager does in the dialog: their certificate, its passphrase, Sign (the real callback:
        # the core builds the pack of the stored authorised version, signs it and keeps it)
        self.cert_edit.setText(str(p12))
        self.pass_edit.setText("cert-passphrase")
        signed = self.sign()
        assert signed, self.error.text()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(sign_dialog.SignDialog, "exec", sign_instead_of_exec)
    priya = window_for(qtbot, gate, "priya")
    priya.open_case("SD-E2E-1")
    assert "authorise" in priya.workspace.view.allowed_actions
    priya.do_move("authorise")
    view = priya.workspace.view
    assert view.summary.state == "authorised" and view.frozen
    assert get_path(view.case, "sign_off.sending_manager.name") == "Priya Natt"
    assert check_case(view.case, NOW.date()).complete
    packs = ops.list_packs(priya.app.ctx, "SD-E2E-1")
    assert len(packs) == 1
    path = tmp_path / "stored.pdf"
    path.write_bytes(ops.get_pack(priya.app.ctx, "SD-E2E-1", packs[0].id))
    verdict = verify_pack(path)
    assert verdict.ok and verdict.signatures[0].intact and verdict.signatures[0].signer == "Priya Natt"

    # --- the practitioner sends it; the receiving team is chosen once
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Early Help North", True))
    jo.open_case("SD-E2E-1")
    jo.do_move("send")
    assert jo.workspace.view.summary.state == "sent"
    assert jo.workspace.view.case["events"]["pack_sent"] == "2026-11-20"
    assert any("receiving team now has it" in text for _, text in no_blocking)

    # --- the receiving team sees it in Incoming
    alex = window_for(qtbot, gate, "alex")
    assert alex.page("incoming").model.total == 1
    assert alex.page("incoming").model.row_at(0).case_id == "SD-E2E-1"

    # --- the audit trail accounts for it, and is intact
    from handover import audit

    with store.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert {"move:request_authorisation", "move:authorise", "move:send"} <= set(actions)
    with store.read() as s:
        assert audit.verify(s).ok


def test_closing_never_asks_and_keeps_the_last_keystrokes(qtbot, world, no_blocking, monkeypatch):
    store, gate, _ = world
    jo = window_for(qtbot, gate, "jo")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SD-E2E-2", True))
    jo.new_case("step_down")
    w = jo.workspace.editor.field_widget("child.given_name")
    qtbot.keyClicks(w.edit, "Mo")
    jo.close()   # before the save timer fires
    stored = svc.get_handover(store, svc.system_actor("test"), "SD-E2E-2", now=NOW)
    assert stored.case["child"]["given_name"] == "Mo"
    assert no_blocking == []


def test_conflict_is_told_and_nothing_is_overwritten(qtbot, world, no_blocking, monkeypatch):
    store, gate, _ = world
    jo = window_for(qtbot, gate, "jo")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SD-E2E-3", True))
    jo.new_case("step_down")
    # someone else saves a version first
    other = gate.sign_in("priya", PASSWORD).context.actor
    view = svc.get_handover(store, other, "SD-E2E-3", now=NOW)
    case = dict(view.case)
    case["child"] = dict(case["child"], family_name="Saved-by-Priya")
    svc.save_version(store, other, "SD-E2E-3", case, view.summary.row_version, now=NOW)
    # then Jo types and the autosave is refused with a message, not an overwrite
    qtbot.keyClicks(jo.workspace.editor.field_widget("child.given_name").edit, "Late")
    assert not jo.workspace.flush()
    assert any(kind == "warning" and "priya" in text for kind, text in no_blocking), no_blocking
    stored = svc.get_handover(store, other, "SD-E2E-3", now=NOW)
    assert stored.case["child"]["family_name"] == "Saved-by-Priya"
    qtbot.waitUntil(lambda: jo.workspace.view.case["child"]["family_name"] == "Saved-by-Priya", timeout=3000)


def test_new_handover_for_the_same_child_copies_the_family(qtbot, world, no_blocking, monkeypatch):
    store, gate, _ = world
    jo_actor = gate.sign_in("jo", PASSWORD).context.actor
    svc.create_handover(store, jo_actor, example("step_down_complete"), now=NOW)
    jo = window_for(qtbot, gate, "jo")
    jo.case_list.table.selectRow(0)
    answers = iter([("Step-up (early help to children's social care)", True)])
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: next(answers))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SU-AGAIN-1", True))
    jo.new_from_selected()
    view = jo.workspace.view
    assert view.summary.case_id == "SU-AGAIN-1" and view.summary.direction == "step_up"
    assert view.case["household"][1]["name"] == "Lee Harker"
    assert all(a["informed_date"] is None for a in view.case["agencies"])


def test_each_role_gets_its_pages(qtbot, world, no_blocking):
    _, gate, _ = world
    pages = {}
    for user in ("jo", "priya", "alex", "admin"):
        win = window_for(qtbot, gate, user)
        pages[user] = [win.nav.item(i).text() for i in range(win.nav.count())]
    assert pages["jo"] == ["Handovers"]
    assert pages["priya"] == ["Handovers", "Awaiting my authorisation", "Incoming", "Team and overdue"]
    assert pages["alex"] == ["Handovers", "Incoming"]
    assert pages["admin"] == ["Administration"]   # administrators manage; they do not open case records


def test_idle_window_locks_and_unlocks_in_place(qtbot, world, no_blocking, monkeypatch):
    _, gate, _ = world
    monkeypatch.setenv("HANDOVER_LOCK_MINUTES", "0.002")   # about a tenth of a second
    from ui.main_window import MainWindow, lock_minutes_setting

    assert lock_minutes_setting() == 0.002
    win = MainWindow(UiApp(gate.sign_in("jo", PASSWORD).context), gate=gate)
    qtbot.addWidget(win)
    win.show()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("SD-LOCK-1", True))
    win.new_case("step_down")
    qtbot.keyClicks(win.workspace.editor.field_widget("child.given_name").edit, "Half")
    qtbot.waitUntil(lambda: win.lock_screen.is_locked, timeout=3000)
    assert win.workspace.editor.document()["child"]["given_name"] == "Half"
    win.lock_screen.password.setText(PASSWORD)
    win.lock_screen.try_unlock()
    assert not win.lock_screen.is_locked
    assert win.pages.currentWidget() is win.workspace
    assert win.workspace.editor.field_widget("child.given_name").edit.text() == "Half"


def test_sign_out_and_in_as_someone_else(qtbot, world, monkeypatch):
    """The first administrator signs out so a practitioner can sign in, without restarting the app."""
    from PySide6.QtCore import QTimer

    import ui.signin as signin
    from ui.app import run_app

    store, _, _ = world
    people = iter([("admin", PASSWORD), ("jo", PASSWORD), None])
    seen = []

    def fake_exec(self):
        who = next(people)
        if who is None:
            return self.DialogCode.Rejected
        self.username.setText(who[0])
        self.password.setText(who[1])
        self.try_sign_in()

        def look_and_leave():
            win = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible())
            seen.append((win.actor.username, [win.nav.item(i).text() for i in range(win.nav.count())]))
            win.sign_out()

        QTimer.singleShot(100, look_and_leave)
        return self.DialogCode.Accepted

    monkeypatch.setattr(signin.SignInDialog, "exec", fake_exec)
    assert run_app(store.url) == 0
    assert seen == [("admin", ["Administration"]), ("jo", ["Handovers"])]
    QApplication.instance().setQuitOnLastWindowClosed(True)

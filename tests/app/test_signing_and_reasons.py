"""Signing after authorising, as a manager meets it, and the reasons that travel with a handover sent back.

In each signing case the state, the message and the stored pack agree: signed → a stored, verifying
pack; a wrong passphrase → a one-line refusal, still authorised, nothing stored; cancelled → still
authorised, "not signed yet", nothing stored."""

from __future__ import annotations

import pytest
from app.conftest import PASSPHRASE, complete_step_down

from handover.app import Invalid, Refused
from handover.app import operations as ops
from handover.case import dump_case

pytestmark = pytest.mark.gui


def _authorised(world, tmp_path, case_id="SD-S"):
    prac, mgr = world.ctx("prac"), world.ctx("mgr")
    path = tmp_path / f"{case_id}.json"
    path.write_text(dump_case(complete_step_down(case_id)), encoding="utf-8")
    ops.import_file(prac, str(path))
    ops.request_authorisation(prac, case_id, ops.open_case(prac, case_id).summary.row_version)
    return prac, mgr


def _manager_window(qtbot, world):
    from ui.main_window import MainWindow
    from ui.operations import UiApp

    win = MainWindow(UiApp(world.ctx("mgr")), lock_minutes=60)
    qtbot.addWidget(win)
    return win


def _sign_with(passphrase, world, *, cancel=False):
    """Replace SignDialog.exec: type the certificate and passphrase and press Sign (or Cancel)."""
    def exec_(dialog):
        if cancel:
            dialog.reject()
            return dialog.result()
        dialog.cert_edit.setText(str(world.keys["manager"]))
        dialog.pass_edit.setText(passphrase)
        dialog.sign_button.setEnabled(True)
        dialog.sign_button.click() if dialog.check_certificate() else None
        if dialog.result() != dialog.DialogCode.Accepted:
            exec_.error = dialog.error.text()
            dialog.reject()
        return dialog.result()
    exec_.error = ""
    return exec_


def test_no_send_without_the_signed_pack_and_the_team_is_chosen_in_the_same_step(world, tmp_path):
    prac, mgr = _authorised(world, tmp_path)
    ops.authorise(mgr, "SD-S", ops.open_case(mgr, "SD-S").summary.row_version)
    view = ops.open_case(prac, "SD-S")
    with pytest.raises(Refused, match="no signed pack yet"):
        ops.send(prac, "SD-S", view.summary.row_version, world.teams["Early Help East"])
    after = ops.open_case(prac, "SD-S").summary
    assert (after.state, after.receiving_team_id, after.row_version) == ("authorised", None, view.summary.row_version)
    ops.sign_pack(mgr, "SD-S", world.keys["manager"], PASSPHRASE)
    sent = ops.send(prac, "SD-S", view.summary.row_version, world.teams["Early Help East"]).value.summary
    assert (sent.state, sent.receiving_team) == ("sent", "Early Help East")


@pytest.mark.parametrize("how", ["signed", "wrong passphrase", "cancelled"])
def test_authorise_then_sign_state_message_and_stored_pack_agree(qtbot, world, tmp_path, monkeypatch, how):
    from ui.dialogs.sign_dialog import SignDialog

    _authorised(world, tmp_path)
    win = _manager_window(qtbot, world)
    exec_ = _sign_with(PASSPHRASE if how == "signed" else "not the passphrase", world, cancel=how == "cancelled")
    monkeypatch.setattr(SignDialog, "exec", exec_)
    from ui.check_answers import CheckAnswersDialog    # the manager reads the handover, then authorises
    monkeypatch.setattr(CheckAnswersDialog, "exec", lambda d: d.DialogCode.Accepted if d.confirm.isEnabled()
                        else d.DialogCode.Rejected)
    infos = []
    monkeypatch.setattr("ui.main_window.QMessageBox.information", lambda *a: infos.append(a[2]))
    win.open_case("SD-S")
    win.do_move("authorise")                     # authorises, then asks for the signature

    mgr = world.ctx("mgr")
    view = ops.open_case(mgr, "SD-S")
    packs = ops.list_packs(mgr, "SD-S")
    assert view.summary.state == "authorised" and view.frozen
    assert infos and "now authorised" in infos[0]
    if how == "signed":
        assert [p.version for p in packs] == [view.version]
        assert "Signed and kept" in win.statusBar().currentMessage()
        assert ops.verify_pack_bytes(mgr, ops.get_pack(mgr, "SD-S", packs[0].id)).ok
        assert "frozen and signed" in infos[0]
    else:
        assert "not signed yet" in infos[0] and "frozen and signed" not in infos[0]
        assert packs == []
        assert win.statusBar().currentMessage() == "Authorised, but the pack is not signed yet: use Sign pack."
    if how == "wrong passphrase":
        assert "passphrase" in exec_.error.lower() and "\n" not in exec_.error


def test_a_wrong_passphrase_is_an_ordinary_refusal_and_keeps_nothing(world, tmp_path):
    prac, mgr = _authorised(world, tmp_path)
    ops.authorise(mgr, "SD-S", ops.open_case(mgr, "SD-S").summary.row_version)
    with pytest.raises(Refused, match="passphrase"):
        ops.sign_pack(mgr, "SD-S", world.keys["manager"], "wrong")
    assert ops.list_packs(mgr, "SD-S") == []
    with pytest.raises(Refused, match="only a manager of the sending team"):
        ops.sign_pack(prac, "SD-S", world.keys["manager"], PASSPHRASE)
    # a manager made a practitioner since they signed in signs nothing: the role is the database's, now
    admin = world.ctx("admin")
    ops.set_role(admin, "mgr", "practitioner", world.teams["CSC North"])
    with pytest.raises(Refused, match="only a manager of the sending team"):
        ops.sign_pack(mgr, "SD-S", world.keys["manager"], PASSPHRASE)
    ops.set_role(admin, "mgr", "manager", world.teams["CSC North"])
    assert ops.sign_pack(mgr, "SD-S", world.keys["manager"], PASSPHRASE).value.version == \
        ops.open_case(mgr, "SD-S").version


def test_signing_is_refused_before_authorisation(world, tmp_path):
    _, mgr = _authorised(world, tmp_path)
    with pytest.raises(Refused, match="not authorised"):
        ops.sign_pack(mgr, "SD-S", world.keys["manager"], PASSPHRASE)


def test_send_back_needs_reasons_and_they_reach_the_practitioner(qtbot, world, tmp_path, monkeypatch):
    from ui.main_window import MainWindow
    from ui.operations import UiApp

    prac, mgr = _authorised(world, tmp_path)
    version = ops.open_case(mgr, "SD-S").summary.row_version
    with pytest.raises(Invalid, match="say why"):
        ops.send_back(mgr, "SD-S", "   ", version)
    assert ops.open_case(mgr, "SD-S").summary.state == "awaiting_authorisation"

    # in the app: OK with an empty reason says why it was not done, instead of silently doing nothing
    win = _manager_window(qtbot, world)
    warnings = []
    monkeypatch.setattr("ui.operations.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    monkeypatch.setattr("ui.main_window.QInputDialog.getMultiLineText", lambda *a, **k: ("", True))
    win.open_case("SD-S")
    win.do_move("send_back")
    assert warnings and "Say why you are sending it back" in warnings[0]
    monkeypatch.setattr("ui.main_window.QInputDialog.getMultiLineText",
                        lambda *a, **k: ("The chronology stops in August: add September.", True))
    monkeypatch.setattr("ui.main_window.QMessageBox.information", lambda *a: None)
    win.do_move("send_back")
    assert ops.open_case(mgr, "SD-S").summary.state == "draft"

    # the practitioner sees the reasons: a column in the list and a banner in the editor
    row = next(r for r in ops.list_page(prac, "all", 0, 50) if r.case_id == "SD-S")
    assert row.note == "Sent back by Max Manager: The chronology stops in August: add September."
    pw = MainWindow(UiApp(prac), lock_minutes=60)
    qtbot.addWidget(pw)
    pw.show()
    pw.open_case("SD-S")
    assert pw.workspace.banner.isVisible()
    assert "The chronology stops in August" in pw.workspace.banner.text()
    assert "Max Manager" in pw.workspace.banner.text()
    # a practitioner of another team learns nothing of it
    assert not [r for r in ops.list_page(world.ctx("other"), "all", 0, 50) if r.case_id == "SD-S"]


def test_signed_pack_with_none_stored_says_so(qtbot, world, tmp_path, monkeypatch):
    _, mgr = _authorised(world, tmp_path)
    ops.authorise(mgr, "SD-S", ops.open_case(mgr, "SD-S").summary.row_version)
    win = _manager_window(qtbot, world)
    infos = []
    monkeypatch.setattr("ui.main_window.QMessageBox.information", lambda *a: infos.append(a[2]))
    win.open_case("SD-S")
    win.show_signed_pack()
    assert infos and infos[0].startswith("No signed pack is stored for this handover yet")


def test_the_dashboard_redraws_after_a_move_on_this_machine(qtbot, world, tmp_path):
    from ui.dashboard import DashboardPage
    from ui.operations import UiApp

    path = tmp_path / "D.json"
    path.write_text(dump_case(complete_step_down("SD-D")), encoding="utf-8")
    app = UiApp(world.ctx("mgr"))
    ops.import_file(app.ctx, str(path))
    page = DashboardPage(app, background=False)
    qtbot.addWidget(page)
    page.show()
    before = page.count("awaiting_authorisation", "step_down")
    assert app.run(ops.request_authorisation, "SD-D", ops.open_case(app.ctx, "SD-D").summary.row_version)
    assert page.count("awaiting_authorisation", "step_down") == before + 1

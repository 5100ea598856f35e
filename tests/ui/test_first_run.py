"""First start: the first administrator is created, and demo data loads off the window's thread."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from handover.app import Context, Gate
from handover.app import operations as ops
from handover.store import service as svc


def test_first_run_creates_admin_and_loads_demo(qtbot, tmp_path, monkeypatch):
    from ui.first_run import FirstRunDialog

    store = svc.open_database(f"sqlite:///{tmp_path / 'first.sqlite'}").store
    gate = Gate(store)
    assert gate.first_run_needed()
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    d = FirstRunDialog(gate)
    qtbot.addWidget(d)
    d.username.setText("boss")
    d.password.setText("long enough password")
    d.password2.setText("long enough password!")
    d.create()
    assert not d.error.isHidden() and "not the same" in d.error.text()
    d.password.setText("long enough password")
    d.password2.setText("long enough password")
    assert not d.demo.isChecked()        # demo data only when asked for (issue 13)
    d.demo.setChecked(True)
    d.demo_count.setValue(30)
    d.create()
    assert not gate.first_run_needed()
    assert gate.sign_in("boss", "long enough password").context is not None
    assert told and "30 synthetic handovers" in told[0]
    assert ops.count(Context(store, svc.system_actor("test")), "all", "") == 30
    assert d.password.text() == "" and d.password2.text() == ""


def test_first_run_loads_no_demo_data_unless_ticked(qtbot, tmp_path, monkeypatch):
    from ui.first_run import FirstRunDialog

    store = svc.open_database(f"sqlite:///{tmp_path / 'first.sqlite'}").store
    gate = Gate(store)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: told.append(a[2]))
    d = FirstRunDialog(gate)
    qtbot.addWidget(d)
    assert not d.demo.isChecked()
    d.username.setText("boss")
    d.password.setText("long enough password")
    d.password2.setText("long enough password")
    d.create()
    assert not gate.first_run_needed() and told == []
    assert ops.count(Context(store, svc.system_actor("test")), "all", "") == 0

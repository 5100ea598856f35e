"""The app's last line: an unexpected failure is told in one line, logged without case data, and the app
carries on (the message of an exception can hold a child's name)."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_an_unexpected_failure_is_one_line_and_logged_without_its_message(qtbot, monkeypatch, tmp_path):
    from ui import app as ui_app

    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.critical", lambda *a: shown.append(a[2]))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    before = sys.excepthook
    try:
        ui_app.install_failure_boundary()
        try:
            raise KeyError("Ada Example, born 2022-03-14, NHS 9990000018")
        except KeyError as e:
            sys.excepthook(type(e), e, e.__traceback__)
    finally:
        sys.excepthook = before
    assert len(shown) == 1 and "KeyError" in shown[0] and "Ada" not in shown[0] and "\n" not in shown[0]
    logs = list((tmp_path / "state").rglob("errors.log"))
    assert logs and "KeyError" in logs[0].read_text()
    assert "Ada" not in logs[0].read_text() and "9990000018" not in logs[0].read_text()
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"

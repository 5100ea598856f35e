"""Start-up: the sign-in window shows while the database opens on a thread; a first run, a database that cannot
be opened and a person quicker than the database all still end in the right place. Offscreen, real SQLite."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

import ui.app as app_module
import ui.first_run as first_run
import ui.signin as signin
from handover.store import service as svc

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _restore_quit_setting():
    yield
    QApplication.instance().setQuitOnLastWindowClosed(True)


@pytest.fixture
def db_with_admin(tmp_path):
    url = f"sqlite:///{tmp_path / 'start.sqlite'}"
    store = svc.open_database(url).store
    svc.create_first_admin(store, "admin", "Ada Admin", PASSWORD, now=NOW)
    store.close()
    return url


def _real_exec_with_a_deadline(monkeypatch, seen: list[str]):
    """The sign-in dialog's own event loop, but rejected after 20 s so a broken start cannot hang the suite."""
    real = signin.SignInDialog.exec

    def exec_(self):
        seen.append("sign-in shown")
        QTimer.singleShot(20_000, lambda: (seen.append("gave up waiting"), self.reject()))
        return real(self)

    monkeypatch.setattr(signin.SignInDialog, "exec", exec_)


def test_first_run_interrupts_the_early_sign_in(tmp_path, monkeypatch, qapp):
    seen: list[str] = []
    _real_exec_with_a_deadline(monkeypatch, seen)
    monkeypatch.setattr(first_run.FirstRunDialog, "exec",
                        lambda self: seen.append("first run") or QDialog.DialogCode.Rejected)
    t = time.perf_counter()
    assert app_module.run_app(f"sqlite:///{tmp_path / 'new.sqlite'}") == 0
    assert seen == ["sign-in shown", "first run"]
    assert time.perf_counter() - t < 15


def test_a_database_that_cannot_open_is_told_not_hung(tmp_path, monkeypatch, qapp):
    seen: list[str] = []
    _real_exec_with_a_deadline(monkeypatch, seen)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a, **k: said.append(title))
    folder = tmp_path / "a-folder.sqlite"
    folder.mkdir()
    assert app_module.run_app(f"sqlite:///{folder}") == 2
    assert said == ["The database cannot be opened"]
    assert "gave up waiting" not in seen


def test_signing_in_before_the_database_is_ready_waits_for_it(db_with_admin, monkeypatch, qapp):
    import handover.store.database as database

    real_open = database.open_database

    def slow_open(url):
        time.sleep(0.4)
        return real_open(url)

    monkeypatch.setattr(database, "open_database", slow_open)
    who: list[str] = []

    def quick_exec(self):
        if who:
            return self.DialogCode.Rejected      # the second time round: leave
        self.username.setText("admin")
        self.password.setText(PASSWORD)
        self.try_sign_in()                       # before the opening thread has even started
        assert self.user is not None, self.error.text()
        who.append(self.user.actor.username)   # the sign-in gives the signed-in context

        def leave():
            win = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "MainWindow")
            win.sign_out()

        QTimer.singleShot(50, leave)
        return self.DialogCode.Accepted

    monkeypatch.setattr(signin.SignInDialog, "exec", quick_exec)
    assert app_module.run_app(db_with_admin) == 0
    assert who == ["admin"]


def test_a_wrong_password_is_still_refused(db_with_admin, monkeypatch, qapp):
    errors: list[str] = []

    def exec_(self):
        if errors:
            return self.DialogCode.Rejected
        self.username.setText("admin")
        self.password.setText("not the password")
        self.try_sign_in()
        errors.append(self.error.text())
        return self.DialogCode.Rejected

    monkeypatch.setattr(signin.SignInDialog, "exec", exec_)
    assert app_module.run_app(db_with_admin) == 0
    assert errors and "password" in errors[0].lower()


def test_smoke_sign_in_marks_when_the_window_was_up(db_with_admin, qapp):
    app_module.shown_at = None
    t = time.perf_counter()
    assert app_module.run_app(db_with_admin, smoke="signin") == 0
    assert app_module.shown_at is not None and t < app_module.shown_at < time.perf_counter()

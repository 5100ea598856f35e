"""Every role presses every enabled button and menu action once, on demo data, and nothing raises.

For each role (practitioner, manager, receiver, administrator) the test signs in through the Gate, opens
the main window, visits every page of the left-hand navigation (every tab of a page with tabs) and clicks
every visible, enabled button in it; opens handovers from the list (one the role can move, a draft, an
authorised one) and presses every button of the workspace's actions bar, walking the workflow as far as
the buttons go; then triggers every menu action (locking and unlocking the window on the way) and signs
out last.

No dialog ever blocks: ``QDialog.exec`` and the static ``QMessageBox`` / ``QInputDialog`` /
``QFileDialog`` helpers are replaced. Two passes: ``cancel`` answers every question with Cancel;
``answer`` answers realistically (an ID for a new handover, the first choice of a list, a note, a file in
the temporary folder, an example case file to import; the accept and return dialogs filled in and their
OK buttons pressed). A refusal (``QMessageBox.warning``) is expected and fine; a Python exception in a
slot, on a worker thread, or leaking into a message or a label of the window is not.
"""

from __future__ import annotations

import itertools
import re
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
import shiboken6
from argon2 import PasswordHasher

from handover.app import Gate
from handover.app import operations as ops
from handover.demo import DEMO_PASSWORD
from handover.resources import resource_path
from handover.store import open_database
from handover.store import service as sv

pytestmark = [pytest.mark.gui, pytest.mark.slow]

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ADMIN_PASSWORD = "admin-password-1"
#: the first-run default: with fewer, the demo accounts' teams have no draft or handover waiting for them
DEMO_HANDOVERS = 200
ACCOUNTS = {
    "practitioner": ("can1-prac1", DEMO_PASSWORD),
    "manager": ("can1-mgr", DEMO_PASSWORD),
    "receiver": ("ehe4-recv1", DEMO_PASSWORD),
    "administrator": ("admin", ADMIN_PASSWORD),
}
#: buttons (or menu actions) each role must have pressed: proof that the walk reached the places that matter
MUST_PRESS = {
    "practitioner": {"Preview pack", "Open", "Request authorisation"},
    "manager": {"Preview pack", "Export list as CSV…", "All transitions as Excel…", "Authorise",
                "Send back to draft"},
    "receiver": {"Acknowledge", "Accept…", "Read the full handover"},
    "administrator": {"Check and save the protocol", "Add person", "Issue certificate"},
}
MIN_PRESSED = 15
BACKWARDS = ("Send back", "Return")
NOT_MOVES = {"Preview pack", "Sign pack", "Signed pack", "What changed…"}
#: windows opened by a button whose own buttons are pressed too (the first of each kind)
EXPLORE = {"PackPreview", "ChangesDialog", "CaseEditor"}
#: what a Python failure looks like when it leaks into words shown to a person
LEAK = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception):|object has no attribute|NoneType|"
                  r"unexpected keyword argument|positional argument")


# ---------------------------------------------------------------- the demo database (built once)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    """The app's first run: the administrator first, then the demonstration handovers."""
    path = tmp_path_factory.mktemp("every-button") / "demo.sqlite3"
    store = open_database(f"sqlite:///{path}").store
    store.hasher = FAST_HASHER
    sv.create_first_admin(store, "admin", "Ada Admin", ADMIN_PASSWORD, now=NOW)
    assert Gate(store, lambda: NOW).load_demo(DEMO_HANDOVERS) == DEMO_HANDOVERS
    store.close()
    return path


@pytest.fixture
def gate(demo_db, tmp_path):
    dest = tmp_path / "t.sqlite3"
    shutil.copy(demo_db, dest)
    store = open_database(f"sqlite:///{dest}").store
    store.hasher = FAST_HASHER
    yield Gate(store, lambda: NOW)
    store.close()


# ---------------------------------------------------------------- dialogs that answer themselves


class Dialogs:
    """Replaces every way the app asks a question; records what was asked and what was said."""

    def __init__(self, mode: str, tmp_path: Path) -> None:
        self.mode = mode
        self.answer = mode == "answer"
        self.tmp = tmp_path
        self.said: list[tuple[str, str, str]] = []       # (kind, title, text) of every message box
        self.asked: list[tuple[str, str]] = []           # (what, title) of every question
        self.ids = itertools.count(1)
        self.case_file = tmp_path / "import" / "step_down_complete.json"
        self.case_file.parent.mkdir()
        shutil.copy(resource_path("examples", "step_down_complete.json"), self.case_file)
        (tmp_path / "saved").mkdir()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

        def message(kind: str) -> Callable[..., Any]:
            def show(parent: Any, title: str = "", text: str = "", *a: Any, **k: Any) -> Any:
                self.said.append((kind, str(title), str(text)))
                if kind == "question":
                    return QMessageBox.StandardButton.Yes if self.answer else QMessageBox.StandardButton.No
                return QMessageBox.StandardButton.Ok
            return staticmethod(show)

        for kind in ("information", "warning", "critical", "question"):
            monkeypatch.setattr(QMessageBox, kind, message(kind))
        monkeypatch.setattr(QDialog, "exec", lambda dialog, *a, **k: self._exec(dialog))
        from ui.check_answers import CheckAnswersDialog   # (the suite's guard patches it on its own)

        monkeypatch.setattr(CheckAnswersDialog, "exec", lambda dialog, *a, **k: self._exec(dialog))
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(self._get_text))
        monkeypatch.setattr(QInputDialog, "getItem", staticmethod(self._get_item))
        monkeypatch.setattr(QInputDialog, "getMultiLineText", staticmethod(self._get_multi))
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(self._open_file))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._save_file))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(self._directory))
        from PySide6.QtGui import QDesktopServices    # "Open in PDF viewer": never start a real viewer

        monkeypatch.setattr(QDesktopServices, "openUrl",
                            staticmethod(lambda url: self.asked.append(("openUrl", url.toString())) or self.answer))

    # ---- the static helpers
    def _get_text(self, parent: Any, title: str, *a: Any, **k: Any) -> tuple[str, bool]:
        self.asked.append(("getText", title))
        return (f"EVERY-{next(self.ids)}", True) if self.answer else ("", False)

    def _get_item(self, parent: Any, title: str, label: str = "", items: Any = (), current: int = 0,
                  *a: Any, **k: Any) -> tuple[str, bool]:
        self.asked.append(("getItem", title))
        items = list(k.get("items", items))
        if not self.answer or not items:
            return "", False
        return items[max(0, min(k.get("current", current), len(items) - 1))], True

    def _get_multi(self, parent: Any, title: str, *a: Any, **k: Any) -> tuple[str, bool]:
        self.asked.append(("getMultiLineText", title))
        return (("Pressed by the every-button test: add the school's view and the plan's dates.", True)
                if self.answer else ("", False))

    def _open_file(self, parent: Any, title: str = "", *a: Any, **k: Any) -> tuple[str, str]:
        self.asked.append(("getOpenFileName", title))
        if not self.answer:
            return "", ""
        wanted = str(a[1] if len(a) > 1 else k.get("filter", ""))
        if ".p12" in wanted:          # the certificate the administrator issued (see _prepare)
            return str(self.tmp / "max.p12"), ""
        return str(self.case_file), ""

    def _save_file(self, parent: Any, title: str = "", suggested: str = "", *a: Any, **k: Any) -> tuple[str, str]:
        self.asked.append(("getSaveFileName", title))
        name = Path(suggested).name if suggested else f"saved-{next(self.ids)}"
        return (str(self.tmp / "saved" / name), "") if self.answer else ("", "")

    def _directory(self, parent: Any, title: str = "", *a: Any, **k: Any) -> str:
        self.asked.append(("getExistingDirectory", title))
        return str(self.tmp / "saved") if self.answer else ""

    # ---- modal dialogs
    def _exec(self, dialog: Any) -> Any:
        """Never shown: Rejected, or (answering) filled in where that is easy and its OK button pressed."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox

        self.asked.append(("exec", type(dialog).__name__))
        if not self.answer:
            dialog.setResult(QDialog.DialogCode.Rejected)
            return QDialog.DialogCode.Rejected
        name = type(dialog).__name__
        if name == "ReturnDialog":
            dialog.set_reason(next(iter(dialog.radios)))
            dialog.note.setPlainText("Pressed by the every-button test: the chronology stops in June.")
        elif name == "AcceptDialog":
            if not dialog.lead_name.text().strip():
                dialog.lead_name.setText("Lee Ashdown")
        dialog.setResult(QDialog.DialogCode.Rejected)
        for box in dialog.findChildren(QDialogButtonBox):
            for b in box.buttons():
                if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole and b.isEnabled():
                    b.click()
                    break
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Accepted if accepted else QDialog.DialogCode.Rejected


# ---------------------------------------------------------------- pressing


def settle(qtbot: Any, ms: int = 5) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    qtbot.wait(ms)


def _ptr(w: Any) -> int:
    return shiboken6.getCppPointer(w)[0]


def _opens_menu(b: Any) -> bool:
    """A tool button with a drop-down menu: clicking it would run the menu's own event loop (and block)."""
    from PySide6.QtWidgets import QToolButton

    return isinstance(b, QToolButton) and b.menu() is not None


def _label(b: Any) -> str:
    return (b.text().replace("&&", "\0").replace("&", "").replace("\0", "&").strip() or b.accessibleName()
            or b.toolTip() or b.metaObject().className())


class Presser:
    """Clicks buttons once each (by identity) and records what it pressed."""

    def __init__(self, qtbot: Any) -> None:
        from PySide6.QtWidgets import QApplication

        self.qtbot = qtbot
        self.pressed: list[str] = []        # texts, in order (buttons and menu actions)
        self._done: dict[int, Any] = {}     # C++ address → the wrapper (kept, so no address is reused)
        self._known = {_ptr(w) for w in QApplication.topLevelWidgets()}
        self.opened: list[str] = []         # windows the buttons opened: "Class «title»"
        self.shown: list[str] = []          # the words those windows showed
        self._explored: set[str] = set()

    def watch(self, w: Any) -> None:
        """A window that is not one a button opened (the main window)."""
        self._known.add(_ptr(w))

    def click(self, b: Any) -> None:
        self._done[_ptr(b)] = b
        self.pressed.append(_label(b))
        b.click()
        settle(self.qtbot)
        self.close_new_windows()

    def trigger(self, action: Any) -> None:
        self.pressed.append(action.text().replace("&", ""))
        action.trigger()
        settle(self.qtbot)
        self.close_new_windows()

    def close_new_windows(self) -> None:
        """Each window a button opened (pack preview, read-only handover, what changed): once the pack is
        made and its first page counted, record what it says, and close it."""
        from PySide6.QtWidgets import QApplication

        from ui.pack_preview import PackPreview

        for w in QApplication.topLevelWidgets():
            if _ptr(w) in self._known or not w.isVisible():
                continue
            self._known.add(_ptr(w))
            if isinstance(w, PackPreview):
                self.qtbot.waitUntil(lambda w=w: w.page_count > 0 or not w.busy, timeout=60000)
            self.opened.append(f"{type(w).__name__} «{w.windowTitle()}»")
            if type(w).__name__ in EXPLORE and type(w).__name__ not in self._explored:
                self._explored.add(type(w).__name__)     # the first of each kind: its own buttons too
                self.press_all(w, rounds=1)
            self.shown += [f"{type(w).__name__} «{w.windowTitle()}»: {t}" for t in _texts(w)]
            w.close()
            settle(self.qtbot)

    def _fresh(self, root: Any) -> list[Any]:
        from PySide6.QtWidgets import QAbstractButton

        if not shiboken6.isValid(root):
            return []
        return [b for b in root.findChildren(QAbstractButton)
                if shiboken6.isValid(b) and _ptr(b) not in self._done]

    def press_all(self, root: Any, rounds: int = 4, first: tuple[Any, ...] = ()) -> None:
        """Every visible, enabled button under ``root``, once (``first`` before the others); again for
        buttons that appear meanwhile."""
        for _ in range(rounds):
            pressed_any = False
            fresh = self._fresh(root)
            ahead = [b for b in fresh if any(b is f for f in first)]
            for b in ahead + [b for b in fresh if not any(b is f for f in ahead)]:
                if shiboken6.isValid(b) and b.isVisible() and b.isEnabled() and not _opens_menu(b):
                    self.click(b)
                    pressed_any = True
            if not pressed_any:
                return

    def press_bar(self, layout: Any, limit: int = 20) -> list[str]:
        """The workspace's actions bar, rebuilt after every move: each text once, while any is new. In each
        state the buttons that do not move the handover first, then the moves forward, then those
        backwards (send back, return), so the walk goes as far forward as it can."""
        seen: list[str] = []
        for _ in range(limit):
            buttons = [layout.itemAt(i).widget() for i in range(layout.count())]
            todo = [b for b in buttons if b is not None and shiboken6.isValid(b) and b.isVisible()
                    and b.isEnabled() and _label(b) not in seen]
            if not todo:
                break
            todo.sort(key=lambda b: 0 if _label(b) in NOT_MOVES else 2 if _label(b).startswith(BACKWARDS) else 1)
            seen.append(_label(todo[0]))
            self.click(todo[0])
        return seen


# ---------------------------------------------------------------- one role's walk


def _prepare(page: Any, presser: Presser, dialogs: Dialogs) -> tuple[Any, ...]:
    """Select something first where buttons only work on a selection; fill forms in when answering.
    Returns the buttons to press before the others."""
    name = type(page).__name__
    first: tuple[Any, ...] = ()
    if name == "CaseListView" and page.model.rowCount():
        page.table.selectRow(0)
    elif name == "IncomingPage" and page.model.rowCount():
        rows = [page.model.row_at(i).state for i in range(page.model.rowCount())]
        r = next((i for i, s in enumerate(rows) if s == "sent"),
                 next((i for i, s in enumerate(rows) if s == "acknowledged"), 0))
        page.list.table.setCurrentIndex(page.model.index(r, 0))
        assert page.view is not None, "choosing an incoming handover opens it"
    elif name == "DashboardPage":
        presser.qtbot.waitUntil(page.charts_ready, timeout=20000)
    elif name == "UsersTab":
        page.select(next(u.username for u in page._users if u.role != "administrator"))   # someone else
        if dialogs.answer:
            page.new_password.setText("reset-password-1")
            page.username.setText("every-button")
            page.display.setText("Evie Button")
            page.new_role.setCurrentIndex(max(0, page.new_role.findData("practitioner")))
            page.new_team.setCurrentIndex(1)
            page.password.setText("every-button-1")
            page.team_name.setText("Early Help Coast")
    elif name == "CertificatesTab" and dialogs.answer:
        tmp = dialogs.tmp
        page.ca_dir.setText(str(tmp / "ca"))
        page.ca_org.setText("Exampleton Council (test)")
        page.ca_pass.setText("ca-passphrase-1")
        page.person.setText("Max Manager")
        page.person_role.setText("Team manager")
        page.out_p12.setText(str(tmp / "max.p12"))
        page.person_pass.setText("max-passphrase-1")
        page.p12_pass.setText("max-passphrase-1")
        first = (page.ca_button, page.issue_button)     # then "Choose…" finds the certificate, and imports it
    settle(presser.qtbot)
    return first


def _press_page(page: Any, presser: Presser, dialogs: Dialogs) -> None:
    from PySide6.QtWidgets import QScrollArea, QTabWidget

    tabs = page.findChildren(QTabWidget)
    first = _prepare(page, presser, dialogs)
    if not tabs:
        presser.press_all(page, first=first)
        return
    for tw in tabs:
        for i in range(tw.count()):
            tw.setCurrentIndex(i)
            settle(presser.qtbot)
            tab = tw.widget(i)
            if isinstance(tab, QScrollArea) and tab.widget() is not None:   # a tab that scrolls at 150 %
                tab = tab.widget()
            presser.press_all(page, first=first + _prepare(tab, presser, dialogs))


def _visit_nav(win: Any, presser: Presser, dialogs: Dialogs) -> list[str]:
    """Each item of the left-hand navigation in turn, and every button of the page it shows."""
    from PySide6.QtCore import Qt

    visited = []
    for row in range(win.nav.count()):
        item = win.nav.item(row)
        if win.nav.currentRow() == row:      # already current (the first page): show it again
            item.data(Qt.ItemDataRole.UserRole)()
        else:
            win.nav.setCurrentRow(row)
        settle(presser.qtbot)
        page = win.pages.currentWidget()
        visited.append(f"{item.text()}: {type(page).__name__}")
        _press_page(page, presser, dialogs)
    return visited


def _cases_to_open(win: Any, most: int = 4) -> list[str]:
    """Handovers to open from the list: each one offering a move (closing aside) that no earlier pick
    offers, then a draft (practitioners and managers), then an authorised (frozen) one."""
    ctx = win.app.ctx
    rows = ops.list_page(ctx, "all", 0, 500, "", "due", False)
    views = {r.case_id: ops.open_case(ctx, r.case_id) for r in rows}
    picks: list[str] = []
    covered: set[str] = {"close"}
    for r in rows:
        new = set(views[r.case_id].allowed_actions) - covered
        if new:
            picks.append(r.case_id)
            covered |= new
    wanted: list[Callable[[Any], bool]] = [lambda r: views[r.case_id].frozen]
    if win.actor.role in ("practitioner", "manager"):
        wanted.insert(0, lambda r: r.state == "draft")
    for test in wanted:
        found = next((r.case_id for r in rows if test(r) and r.case_id not in picks), None)
        if found is not None:
            picks.append(found)
    return picks[:most]


def _open_from_list(win: Any, case_id: str, presser: Presser) -> None:
    """Back to the list (the workspace's own back button) and open the handover with the Open button."""
    from PySide6.QtWidgets import QPushButton

    if win._workspace is not None and win.pages.currentWidget() is win.workspace:
        back = next(b for b in win.workspace.findChildren(QPushButton) if b.text() == "← All handovers")
        presser.click(back)
    else:
        win.show_list()
    settle(presser.qtbot)
    assert win.pages.currentWidget() is win.case_list
    model = win.case_list.model
    row = next((i for i in range(model.rowCount()) if model.row_at(i).case_id == case_id), None)
    if row is None:            # beyond the first page the list has loaded
        win.open_case(case_id)
    else:
        win.case_list.table.selectRow(row)
        presser.click(win.case_list.open_button)
    assert win.pages.currentWidget() is win.workspace
    assert win.workspace.view.summary.case_id == case_id


def _menu_actions(win: Any) -> list[Any]:
    out = []
    for top in win.menuBar().actions():
        menu = top.menu()
        for a in (menu.actions() if menu else ()):
            if not a.isSeparator() and a.text():
                out.append(a)
    return out


def _press_workspace(win: Any, presser: Presser, report: dict[str, Any]) -> None:
    """The open handover: the editor's own buttons on the first one that can be edited, then the actions bar."""
    view = win.workspace.view
    case_id = view.summary.case_id
    if view.can_edit and not report["edited"]:
        report["edited"] = case_id
        before = len(presser.pressed)
        presser.press_all(win.workspace.editor, rounds=2)
        report["editor_buttons"] = len(presser.pressed) - before
        assert win.workspace.flush(), "the edits made by the editor's buttons could not be saved"
    report["cases"][case_id] = presser.press_bar(win.workspace.actions_bar)


def _walk(role: str, win: Any, presser: Presser, dialogs: Dialogs, password: str) -> dict[str, Any]:
    report: dict[str, Any] = {"pages": _visit_nav(win, presser, dialogs), "cases": {}, "edited": None,
                              "editor_buttons": 0}

    # handovers from the list, and the workspace on each
    if win.case_list is not None:
        for case_id in _cases_to_open(win):
            _open_from_list(win, case_id, presser)
            _press_workspace(win, presser, report)

    # every menu action; Lock now and Sign out last
    actions = _menu_actions(win)
    lock = next(a for a in actions if a.text() == "&Lock now")
    sign_out = next(a for a in actions if a.text().startswith("Sign &out"))
    for a in actions:
        if a not in (lock, sign_out) and a.isEnabled():
            presser.trigger(a)
            # a handover the action opened (new, for the same child, imported): its workspace too
            view = win._open_view()
            if view is not None and win.pages.currentWidget() is win.workspace \
                    and view.summary.case_id not in report["cases"]:
                _press_workspace(win, presser, report)

    presser.trigger(lock)
    assert win.lock_screen.is_locked and not win.menuBar().isEnabled()
    assert not any(a.isEnabled() for a in actions if a is not lock)
    from PySide6.QtWidgets import QPushButton

    unlock = next(b for b in win.lock_screen.findChildren(QPushButton) if b.text() == "Unlock")
    if not dialogs.answer:               # a wrong (empty) password first: refused on the lock screen
        presser.click(unlock)
        assert win.lock_screen.is_locked
    win.lock_screen.password.setText(password)
    presser.click(unlock)
    assert not win.lock_screen.is_locked and win.menuBar().isEnabled()

    presser.trigger(sign_out)
    assert win.signed_out and not win.isVisible()
    return report


def _texts(w: Any) -> list[str]:
    from PySide6.QtWidgets import QLabel

    return [lab.text() for lab in w.findChildren(QLabel) if shiboken6.isValid(lab)]


def _stop_render_threads() -> None:
    from ui import pack_preview

    for t in list(pack_preview._LIVE):
        t.stop()
        assert t.wait(30000), "a pack preview's render thread did not stop"
    pack_preview._LIVE.clear()


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("mode", ["cancel", "answer"])
@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_button_and_menu_action(role, mode, qtbot, gate, tmp_path, monkeypatch):
    import traceback

    from ui.main_window import MainWindow
    from ui.operations import UiApp

    dialogs = Dialogs(mode, tmp_path)
    dialogs.install(monkeypatch)
    thread_errors: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    username, password = ACCOUNTS[role]
    signed_in = gate.sign_in(username, password)
    assert signed_in.ok, signed_in.message
    assert signed_in.context.actor.role == role

    presser = Presser(qtbot)
    win = MainWindow(UiApp(signed_in.context), gate=gate, lock_minutes=60)
    qtbot.addWidget(win)
    presser.watch(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.captureExceptions() as exceptions:
        try:
            report = _walk(role, win, presser, dialogs, password)
        finally:
            presser.close_new_windows()
            _stop_render_threads()
    shown = _texts(win) + presser.shown

    assert not exceptions, "exceptions in Qt slots:\n" + "\n".join(
        "".join(traceback.format_exception(*e)) for e in exceptions)
    assert not thread_errors, f"exceptions on worker threads: {[(e.exc_type, e.exc_value) for e in thread_errors]}"
    leaked = [m for m in dialogs.said if LEAK.search(m[2]) or LEAK.search(m[1])]
    assert not leaked, f"a Python failure shown in a message box: {leaked}"
    leaked_text = [t for t in shown if LEAK.search(t)]
    assert not leaked_text, f"a Python failure shown in the window: {leaked_text}"
    assert not any(k == "critical" for k, _t, _m in dialogs.said), dialogs.said

    pressed = set(presser.pressed)
    assert len(presser.pressed) >= MIN_PRESSED, (len(presser.pressed), presser.pressed)
    missing = MUST_PRESS[role] - pressed
    assert not missing, f"{role} never pressed {sorted(missing)}; pressed {sorted(pressed)}"
    if role != "administrator":
        assert report["cases"], "no handover was opened from the list"
    if dialogs.answer and role == "manager":     # the exports were written where the save dialog said
        saved = {p.name for p in (tmp_path / "saved").iterdir()}
        assert saved >= {f"{kind}-{NOW.date().isoformat()}.{ext}" for kind in ("overdue", "transitions")
                         for ext in ("csv", "xlsx")}, saved
        assert "handover-pack-draft.pdf" in saved, saved     # the pack preview's "Save as PDF…"
    if dialogs.answer and role == "administrator":
        assert "every-button" in {u.username for u in ops.list_users(win.app.ctx)}
        assert "Early Help Coast" in {t.name for t in ops.teams(win.app.ctx)}
        assert win.admin.certificates.status.text().startswith("Imported: "), win.admin.certificates.status.text()
    print(f"\n{role}/{mode}: pressed {len(presser.pressed)} ({len(pressed)} different; "
          f"{report['editor_buttons']} in the editor of {report['edited']}): {sorted(pressed)}\n"
          f"  pages {report['pages']}\n  cases {report['cases']}\n  opened {presser.opened}\n"
          f"  asked {dialogs.asked}\n  said {dialogs.said}")

"""The main window: the handover list, one open handover (editor + workflow actions), lock on idle.

Views lay out; this module wires them to the operations layer (:mod:`handover.app.operations`) through
one :class:`ui.operations.UiApp`: every operation runs through ``app.run`` (busy cursor, one dialog for
a refusal), and every page redraws from its ``changed`` signal.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QPushButton, QStackedWidget, QStatusBar, QVBoxLayout,
                               QWidget)

from handover import labels
from handover.app import Changes, Gate, OperationError
from ui.case_list import CaseListModel, CaseListView, handover_list_model
from ui.operations import UiApp, ops, sentence
from ui.signin import IdleWatcher, LockScreen
from ui.widgets.flow import FlowLayout

__all__ = ["MainWindow", "CaseWorkspace"]

SAVE_DEBOUNCE_MS = 400
DEFAULT_LOCK_MINUTES = 10



class CaseWorkspace(QWidget):
    """One open handover: header, the reasons it came back, workflow buttons and the editor. Saves every change."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__()
        self.window_ = window
        self.app = window.app
        self.view: Any = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel()
        self.saved = QLabel("")
        self.saved.setAccessibleName("Save status")
        self.banner = QLabel()
        self.banner.setObjectName("reasonsBanner")
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Why this handover came back")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet("#reasonsBanner { border-left: 6px solid #1d70b8; background: #f3f2f1; "
                                  "padding: 8px; }")
        self.banner.hide()
        back = QPushButton("← All handovers")
        back.clicked.connect(window.show_list)
        # the workflow buttons wrap onto a second line in a narrow window (150 % scaling)
        self.actions_box = QWidget()
        self.actions_bar = FlowLayout(self.actions_box, spacing=6)
        self.actions_bar.setContentsMargins(0, 0, 0, 0)
        from ui.editor import CaseEditor  # the editor and its forms load when a handover is first opened

        self.editor = CaseEditor(checker=self.app.ctx.check, region=lambda: self.app.ctx.protocol().region)
        self.editor.changed.connect(self._changed)
        self.editor.save_requested.connect(self.flush)
        self.editor.answers_requested.connect(window._continue_to_check)
        self.editor.letter_requested.connect(self.print_letter)
        self.editor.account_name = lambda: self.app.ctx.actor.display_name
        self._pending: dict[str, Any] | None = None
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title)
        top.addWidget(self.actions_box, 1)
        top.addWidget(self.state)
        top.addWidget(self.saved)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.banner)
        lay.addWidget(self.editor, 1)

    def print_letter(self, index: int) -> Path | None:
        """Save the letter of request ``index`` as a PDF where the person chooses (then print or send it)."""
        from PySide6.QtCore import QStandardPaths
        from PySide6.QtWidgets import QFileDialog

        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        case = self.editor.case()
        name = f"request-{case.get('id', 'handover')}-{index + 1}.pdf"
        dest, _ = QFileDialog.getSaveFileName(self, "Save the request letter as a PDF", str(Path(start) / name),
                                              "PDF files (*.pdf)")
        if not dest:
            return None
        try:
            path = ops.request_letter(self.app.ctx, case, index, dest)
        except OperationError as e:
            QMessageBox.warning(self, "The letter was not made", str(e))
            return None
        self.window_.statusBar().showMessage(f"Saved the request letter as {path} (readable by you only): "
                                             "print it or send it by secure email.", 12000)
        return path

    # ---- loading
    def show_case(self, view: Any) -> None:
        self.flush()
        self.view = view
        s = view.summary
        self.title.setText(f"<b>{labels.direction_arrow(s.direction)} {labels.direction_label(s.direction)}</b>")
        frozen = " · frozen (authorised)" if view.frozen else ""
        self.state.setText(f"State: <b>{labels.state_label(s.state)}</b> · version {view.version}{frozen}")
        self.editor.set_as_of(self.app.today)
        self.editor.load_case(view.case)
        try:     # what the team database knows of these people (SPEC section 8), beside the file's findings
            self.editor.set_database_findings(ops.database_findings(self.app.ctx, s.case_id))
        except OperationError:
            pass     # the handover still opens; its own findings are all there
        why = "" if view.frozen else f"You can read this handover but not change it: {view.edit_refusal or 'read only'}."
        self.editor.set_read_only(not view.can_edit, why)
        self.saved.setText("" if view.can_edit else "Read only")     # why: in the editor's banner, wrapped
        back = getattr(view, "reasons_back", None)
        self.banner.setVisible(back is not None)
        if back is not None:
            self.banner.setText(html.escape(ops.reason_text(back)) + "<br>Make the changes, then request authorisation "
                                "again.")
        self._rebuild_actions()

    def _button(self, text: str, slot: Callable[[], Any], tip: str = "") -> QPushButton:
        b = QPushButton(text.replace("&", "&&"))     # "A&E" stays "A&E", not a mnemonic
        b.setAccessibleName(text)
        if tip:
            b.setToolTip(tip)
        b.clicked.connect(lambda _=False: slot())
        self.actions_bar.addWidget(b)
        return b

    def _rebuild_actions(self) -> None:
        while self.actions_bar.count():
            item = self.actions_bar.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for action in self.view.allowed_actions:
            self._button(labels.action_label(action), lambda a=action: self.window_.do_move(a))
        if self.view.can_sign and "send" in self.view.allowed_actions:
            self._button("Sign pack", self.window_.sign_pack,
                         "Sign the authorised pack with your certificate (if it was not signed when authorised)")
        if self.view.summary.authorised_version is not None:
            self._button("Signed pack", self.window_.show_signed_pack,
                         "Open the signed pack stored with the authorised version")
        if self.view.version > 1:
            self._button("What changed…", self.window_.show_changes,
                         "Compare this version with an earlier one, side by side")
        self._button("Preview pack", self.window_.preview_pack,
                     "The pack as it would be made now: check your answers before requesting authorisation")

    # ---- saving
    def _changed(self, case: dict[str, Any]) -> None:
        if self.view is None or not self.view.can_edit:
            return
        self._pending = case
        self.saved.setText("Saving…")
        self._timer.start()

    def flush(self) -> bool:
        """Save what is pending now; False when the save was refused (the message has been shown)."""
        self._timer.stop()
        if self._pending is None or self.view is None:
            return True
        case, self._pending = self._pending, None
        summary = self.app.run(ops.save, self.view.summary.case_id, case, self.view.summary.row_version,
                               parent=self)
        if summary is None:
            self.saved.setText("Not saved")
            return False
        before, self.view = self.view.summary.state, ops.with_summary(self.view, summary)
        self.saved.setText(f"Saved at {datetime.now().strftime('%H:%M:%S')}")
        self.editor.set_saved_at(datetime.now())
        if summary.state != before:      # changed after authorisation: a draft again, the buttons differ
            self.window_.statusBar().showMessage(f"Saved. {labels.next_step('reopen')}", 12000)
            QTimer.singleShot(0, lambda: self.window_.open_case(summary.case_id, flush=False))
        return True


class MainWindow(QMainWindow):
    def __init__(self, app: UiApp, *, gate: Gate | None = None, lock_minutes: float | None = None) -> None:
        super().__init__()
        self.app = app
        self.gate = gate or Gate(app.ctx.store, app.ctx.clock)
        actor = app.actor
        self.signed_out = False
        demo = "DEMONSTRATION DATA — " if ops.is_demo(app.ctx) else ""
        self.setWindowTitle(f"{demo}Transition handovers — {actor.display_name} ({labels.role_label(actor.role)}"
                            f"{', ' + actor.team_name if actor.team_name else ''})")
        self._fit_screen()
        self.nav = QListWidget()
        self.nav.setAccessibleName("Sections of the app")
        self.nav.setMaximumWidth(170)
        self.nav.setWordWrap(True)     # "Awaiting my authorisation" wraps rather than scrolling sideways
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages = QStackedWidget()
        self._workspace: CaseWorkspace | None = None   # built when a handover is first opened
        self.case_list: CaseListView | None = None
        self._list_fresh = True                          # the list model has just loaded its first page
        self._list_stale = False                         # something changed since the list last loaded
        if actor.role in ("practitioner", "manager", "receiver"):
            title = "My team's handovers" if actor.role != "receiver" else "Handovers for my team"
            self.case_list = CaseListView(self._list_model("all"), title)
            self.case_list.open_case.connect(self.open_case)
            self.pages.addWidget(self.case_list)
            self._add_nav("Handovers", self.show_list)
        self.to_authorise: CaseListView | None = None
        if actor.role == "manager":     # the manager's queue: what the team has put forward to them
            self.to_authorise = CaseListView(self._list_model("to_authorise"), "Awaiting my authorisation")
            self.to_authorise.open_case.connect(self.open_case)
            self.pages.addWidget(self.to_authorise)
            self._add_nav("Awaiting my authorisation", self.show_to_authorise)
        # the other pages are built when first opened, so the window shows at once
        self._builders: dict[str, Callable[[], QWidget]] = {}
        if actor.role in ("receiver", "manager"):
            self._add_lazy_page("Incoming", "incoming", "ui.inbox", "IncomingPage")
        if actor.role == "manager":
            self._add_lazy_page("Team and overdue", "dashboard", "ui.dashboard", "DashboardPage")
        if actor.role == "administrator":
            self._add_lazy_page("Administration", "admin", "ui.admin", "AdminPage")
        self.nav.currentRowChanged.connect(lambda row: self.nav.item(row).data(Qt.ItemDataRole.UserRole)())
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.addWidget(self.nav)
        lay.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.setStatusBar(QStatusBar())
        self.lock_screen = LockScreen(central, lambda: self.actor.username, self._unlock)
        self.lock_screen.unlocked.connect(self._unlocked)
        minutes = lock_minutes if lock_minutes is not None else lock_minutes_setting()
        self.idle = IdleWatcher(minutes, self)
        self.idle.idle.connect(self.lock)
        self._menus()
        app.changed.connect(self._on_changes)
        app.conflict.connect(self._on_conflict)
        self.nav.setCurrentRow(0)

    @property
    def actor(self) -> Any:
        return self.app.actor

    def _fit_screen(self) -> None:
        """1400×900 where there is room; never larger than the screen (a council laptop is 1366×768)."""
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        if room is None or room.width() <= 0:
            self.resize(1400, 900)
            return
        self.resize(min(1400, room.width()), min(900, room.height()))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        # a narrow window (150 % scaling) gives the handover the room: the page list is narrower
        self.nav.setMaximumWidth(130 if self.width() < 1000 else 170)

    def _unlock(self, username: str, password: str) -> tuple[Any, str]:
        ok, message = self.gate.check_password(self.actor, password)
        return (self.actor if ok else None), message

    # ---- structure
    @property
    def workspace(self) -> CaseWorkspace:
        if self._workspace is None:
            self._workspace = CaseWorkspace(self)
            self.pages.addWidget(self._workspace)
        return self._workspace

    def _open_view(self) -> Any:
        """The open handover's view, or None (without building the workspace)."""
        return self._workspace.view if self._workspace is not None else None

    def _flush(self) -> bool:
        """Save the open handover's last change; False when it could not be saved."""
        return self._workspace is None or self._workspace.flush()

    def _list_model(self, scope: str) -> CaseListModel:
        return handover_list_model(self.app, scope)

    def _add_lazy_page(self, label: str, attr: str, module: str, cls: str) -> None:
        def build() -> QWidget:
            page = getattr(self, attr, None)
            if page is None:
                import importlib

                page = getattr(importlib.import_module(module), cls)(self.app)
                if attr == "dashboard":    # the dashboard's rows open their handover
                    page.open_case.connect(self.open_case)
                setattr(self, attr, page)
                self.pages.addWidget(page)
            return page

        self._builders[attr] = build
        self._add_nav(label, lambda: self.pages.setCurrentWidget(build()))

    def page(self, attr: str) -> QWidget:
        """A page by name ("incoming", "dashboard", "admin"), built if it was not opened yet."""
        return self._builders[attr]()

    def _add_nav(self, label: str, show: Callable[[], None]) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, show)
        self.nav.addItem(item)

    def _menus(self) -> None:
        m = self.menuBar().addMenu("&Handover")
        self.locked_actions: list[QAction] = []
        if self.actor.role in ("practitioner", "manager"):
            for direction, key in zip(labels.directions(), ("Ctrl+D", "Ctrl+U", "", "")):
                a = QAction(f"New {labels.direction_label(direction).lower()}…", self,
                            shortcut=QKeySequence(key))
                a.triggered.connect(lambda _=False, d=direction: self.new_case(d))
                m.addAction(a)
            a = QAction("New handover for the &same child…", self, shortcut=QKeySequence("Ctrl+Shift+N"))
            a.setStatusTip("Start from the selected handover: the child, household, agencies and chronology "
                           "are copied so nothing is typed twice")
            a.triggered.connect(self.new_from_selected)
            m.addAction(a)
            a = QAction("&Import a case file…", self, shortcut=QKeySequence("Ctrl+I"))
            a.triggered.connect(self.import_file)
            m.addAction(a)
        m.addSeparator()
        undo = QAction("&Undo", self, shortcut=QKeySequence.StandardKey.Undo)
        undo.triggered.connect(lambda: self.workspace.editor.undo())
        redo = QAction("&Redo", self, shortcut=QKeySequence.StandardKey.Redo)
        redo.triggered.connect(lambda: self.workspace.editor.redo())
        lock = QAction("&Lock now", self, shortcut=QKeySequence("Ctrl+L"))
        lock.triggered.connect(self.lock)
        sign_out = QAction("Sign &out (switch user)", self)
        sign_out.triggered.connect(self.sign_out)
        for a in (undo, redo, lock, sign_out):
            m.addAction(a)

    # ---- changes from any operation on this machine
    def _on_changes(self, changes: Changes) -> None:
        if changes and self.to_authorise is not None:
            self._queue_stale = True
            if self.pages.currentWidget() is self.to_authorise:
                self.show_to_authorise()
        if self.case_list is None or not changes:
            return
        if self.pages.currentWidget() is self.case_list:
            self.case_list.model.reload()
        else:
            self._list_stale = True

    def _on_conflict(self, case_id: str) -> None:
        view = self._open_view()
        if view is not None and view.summary.case_id == case_id:
            self.workspace._pending = None
            QTimer.singleShot(0, lambda: self.open_case(case_id, flush=False))

    # ---- operations
    def run(self, op: Callable[..., Any], *args: Any, title: str = "That could not be done", **kw: Any) -> Any:
        """Run one operation through the app's runner (refusals shown in one dialog; None then)."""
        return self.app.run(op, *args, parent=self, title=title, **kw)

    def show_list(self) -> None:
        if self._flush() and self.case_list is not None:
            if not self._list_fresh or self._list_stale:
                self.case_list.model.reload()
            self._list_fresh = self._list_stale = False
            self.pages.setCurrentWidget(self.case_list)

    def show_to_authorise(self) -> None:
        if self._flush() and self.to_authorise is not None:
            self.to_authorise.model.reload()
            self._queue_stale = False
            self.pages.setCurrentWidget(self.to_authorise)

    def open_case(self, case_id: str, flush: bool = True) -> None:
        if flush and not self._flush():
            return
        view = self.run(ops.open_case, case_id)
        if view is not None:
            self.workspace._pending = None
            self.workspace.show_case(view)
            self.pages.setCurrentWidget(self.workspace)

    def _reopen(self, case_id: str) -> bool:
        """Show the handover as it is now, if this person may still see it (quietly: False if not)."""
        from handover.app import OperationError

        try:
            view = ops.open_case(self.app.ctx, case_id)
        except OperationError:
            return False
        self.workspace._pending = None
        self.workspace.show_case(view)
        self.pages.setCurrentWidget(self.workspace)
        return True

    def _ask_case_id(self) -> str | None:
        case_id, ok = QInputDialog.getText(self, "New handover", "Handover ID (from your case system):")
        return case_id.strip() if ok and case_id.strip() else None

    def new_case(self, direction: str) -> None:
        case_id = self._ask_case_id()
        if case_id is None:
            return
        summary = self.run(ops.create, direction, case_id)
        if summary is not None:
            self.open_case(summary.case_id)

    def new_from_selected(self) -> None:
        rows = self.case_list.table.selectionModel().selectedRows() if self.case_list else []
        if self._open_view() is not None and self.pages.currentWidget() is self.workspace:
            source_id = self.workspace.view.summary.case_id
        elif rows:
            source_id = self.case_list.model.row_at(rows[0].row()).case_id
        else:
            QMessageBox.information(self, "New handover for the same child",
                                    "Choose the child's previous handover in the list first.")
            return
        choices = {labels.direction_long_label(d): d for d in labels.directions()}
        choice, ok = QInputDialog.getItem(self, "New handover for the same child", "Which way is the case moving?",
                                          list(choices), 0, False)
        if not ok:
            return
        case_id = self._ask_case_id()
        if case_id is None:
            return
        summary = self.run(ops.create_for_same_child, source_id, choices[choice], case_id)
        if summary is not None:
            self.open_case(summary.case_id)
            self.statusBar().showMessage(f"Started from {source_id}: check each agency is told of this "
                                         "transition, and fill in the decision and the plan.", 12000)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a handover case file", "", "Case files (*.json)")
        if not path:
            return
        result = self.run(ops.import_file, path)
        if result is not None:
            self.statusBar().showMessage(f"Imported {result.case_id} (version {result.version})", 8000)
            self.open_case(result.case_id)

    def _choose_team(self, view: Any) -> int | None:
        teams = self.run(ops.receiving_teams, view.summary.direction) or []
        if not teams:
            QMessageBox.warning(self, "No receiving team", "There is no team to send it to: ask an administrator.")
            return None
        # the form's "To" is where it is sent: that team first, when the form names one of them
        named = ops.team_named_in(view.case, teams)
        start = next((i for i, t in enumerate(teams) if named is not None and t.id == named), 0)
        name, ok = QInputDialog.getItem(self, "Send the handover", "Which team receives it?",
                                        [t.name for t in teams], start, False)
        return next(t.id for t in teams if t.name == name) if ok else None

    def do_move(self, action: str) -> None:
        if not self.workspace.flush():
            return
        view = self.workspace.view
        case_id, version = view.summary.case_id, view.summary.row_version
        word = labels.action_label(action)
        if action in ("request_authorisation", "authorise") and not self.check_answers(action):
            return
        if action == "send_back":
            note, ok = QInputDialog.getMultiLineText(self, word, "Say why, for the sending practitioner (they see "
                                                     "this when they open the handover):")
            if not ok:
                return
            result = self.run(ops.send_back, case_id, note, version)
        elif action == "return":
            from ui.dialogs.return_dialog import ReturnDialog

            dlg = ReturnDialog(self)
            if dlg.exec() != dlg.DialogCode.Accepted:
                return
            result = self.run(ops.return_handover, case_id, dlg.reason_code(), dlg.note_text(), version)
        elif action == "accept":          # the meeting held and the lead professional agreed, as in Incoming
            from ui.dialogs.accept_dialog import AcceptDialog

            dlg = AcceptDialog(self.app.today(), view.case, self)
            if dlg.exec() != dlg.DialogCode.Accepted:
                return
            result = self.run(ops.accept, case_id, dlg.details(), version)
        elif action == "send" and view.summary.receiving_team_id is None:
            team_id = self._choose_team(view)
            if team_id is None:
                return
            result = self.run(ops.send, case_id, version, team_id)
        else:
            result = self.run(ops.move, case_id, action, expected_version=version)
        if result is None:
            return
        if not self._reopen(case_id):     # returned: it is the sending team's again, not ours to see
            self.show_list()
        after = labels.next_step(action)
        if action == "authorise" and not self.sign_pack():
            after = "It is frozen, but its pack is not signed yet: use Sign pack, then send it."
        QMessageBox.information(self, word, f"Done: the handover is now "
                                f"{labels.state_label(result.summary.state).lower()}. {after}")

    def check_answers(self, action: str) -> bool:
        """Check your answers before ``action``: True when the person confirmed it (and no error stops it);
        a *Change* link or an error opens the handover where it is put right."""
        from ui.check_answers import CheckAnswersDialog

        ws = self.workspace
        checked = self.run(ops.check_answers, ws.editor.case(), action)
        if checked is None:
            return False
        dialog = CheckAnswersDialog(checked, can_change=bool(ws.view.can_edit), preview=self.preview_pack,
                                    parent=self)
        confirmed = dialog.exec() == dialog.DialogCode.Accepted
        if dialog.change_path:
            if not ws.editor.focus_path(dialog.change_path):
                section = ws.editor.form.section_of(dialog.change_path) if ws.editor.form else None
                if section is not None:
                    ws.editor.show_section(section.id)
            return False
        return confirmed

    def _continue_to_check(self) -> None:
        """The last section's *Save and check your answers*: the page before requesting authorisation."""
        view = self.workspace.view
        if view is None or not self.workspace.flush():
            return
        for action in ("request_authorisation", "authorise"):
            if action in self.workspace.view.allowed_actions:
                self.do_move(action)
                return
        self.statusBar().showMessage("Saved.", 5000)

    def sign_pack(self) -> bool:
        """Have the manager sign the pack of the stored authorised version; the core builds, checks and keeps it."""
        from ui.dialogs.sign_dialog import SignDialog

        view = self.workspace.view
        if view is None or not view.frozen:
            return False
        case_id = view.summary.case_id
        dialog = SignDialog(lambda p12, pw, errors: self.app.run(ops.sign_pack, case_id, p12, pw, errors=errors),
                            self.app.now, subject=f"the authorised pack of {case_id}, version {view.version}",
                            role="manager", expected_name=self.actor.display_name, parent=self)
        if dialog.exec() != dialog.DialogCode.Accepted:
            self.statusBar().showMessage("Authorised, but the pack is not signed yet: use Sign pack.", 10000)
            return False
        self.statusBar().showMessage(f"Signed and kept with version {view.version}: the receiving team will see it "
                                     "once it is sent.", 10000)
        return True

    def show_signed_pack(self) -> None:
        from ui.pack_preview import PackPreview

        view = self.workspace.view
        found = self.run(ops.signed_pack_for, view.summary.case_id, view.summary.authorised_version)
        if found is None:            # refused: the runner has said why
            return
        if not found:
            QMessageBox.information(self, "Signed pack", "No signed pack is stored for this handover yet: "
                                    "the authorising manager signs it (Sign pack).")
            return
        info, data = found
        w = PackPreview()
        w.load_bytes(data)
        w.setWindowTitle(f"Signed pack — {view.summary.case_id}, version {info.version}")
        w.resize(900, 1000)
        w.show()
        self._preview = w

    def show_changes(self) -> None:
        from ui.changes import ChangesDialog

        view = self.workspace.view
        dialog = self.run(lambda ctx: ChangesDialog(self.app, view.summary.case_id, self))
        if dialog is not None:
            dialog.exec()

    def preview_pack(self) -> None:
        from ui.pack_preview import PackPreview

        view = self.workspace.view
        build = self.run(ops.preview_builder, self.workspace.editor.case(), view.summary.state)
        if build is None:
            return
        w = PackPreview()
        w.setWindowTitle(f"Pack preview — {view.summary.case_id}")
        w.resize(900, 1000)
        w.show_built(build)
        w.show()
        self._preview = w

    def sign_out(self) -> None:
        """Save, close this window and ask who is next (see ui.app.run_app)."""
        if self._flush():
            self.signed_out = True
            self.close()

    def lock(self) -> None:
        """Cover the window; the menus and their shortcuts stop working until the person unlocks."""
        self._flush()
        self._set_menus_enabled(False)
        self.lock_screen.lock()

    def _unlocked(self) -> None:
        self._set_menus_enabled(True)

    def _set_menus_enabled(self, enabled: bool) -> None:
        self.menuBar().setEnabled(enabled)
        for top in self.menuBar().actions():
            for a in (top.menu().actions() if top.menu() else ()):
                if a.text() != "&Lock now":
                    a.setEnabled(enabled)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self._flush()   # never asks "save changes?": there is nothing unsaved to ask about
        super().closeEvent(event)


def lock_minutes_setting() -> float:
    """Idle minutes before the window locks: HANDOVER_LOCK_MINUTES, else the saved setting, else 10."""
    import os

    for raw in (os.environ.get("HANDOVER_LOCK_MINUTES"), QSettings().value("lock_minutes")):
        try:
            if raw is not None and float(raw) > 0:
                return float(raw)
        except (TypeError, ValueError):
            continue
    return DEFAULT_LOCK_MINUTES


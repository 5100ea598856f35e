"""The main window: the handover list, one open handover (editor + workflow actions), lock on idle.

Views lay out; this module wires them to :class:`ui.services.AppServices`. Every data-changing action
goes through :meth:`MainWindow.run_op`, which routes any expected refusal to one message box.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QPushButton, QStackedWidget, QStatusBar, QVBoxLayout,
                               QWidget)

from handover import workflow
from handover.case import blank_case
from handover.store.errors import Actor, Conflict, ServiceError
from ui.case_list import CaseListModel, CaseListView, handover_list_model
from ui.services import AppServices
from ui.signin import IdleWatcher, LockScreen

__all__ = ["MainWindow", "CaseWorkspace"]

SAVE_DEBOUNCE_MS = 400
DEFAULT_LOCK_MINUTES = 10

_NEXT = {  # who has the handover after a move, and what happens next (UX: tell people what happens next)
    "request_authorisation": "Your manager now reviews the findings and authorises it.",
    "send_back": "The practitioner now has it again as a draft, with your reasons.",
    "authorise": "It is frozen and signed. Send it to the receiving team next.",
    "send": "The receiving team now has it and must acknowledge it.",
    "acknowledge": "Next: hold the handover meeting, agree the lead professional, then accept it.",
    "accept": "The receiving team leads from here. Close it when the handover is complete.",
    "return": "The sending team now has it again as a new draft version, with your reason.",
    "close": "Nothing more is due on this handover.",
}


class CaseWorkspace(QWidget):
    """One open handover: header, workflow buttons and the editor. Saves every change."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__()
        self.window_ = window
        self.view: Any = None
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel()
        self.saved = QLabel("")
        self.saved.setAccessibleName("Save status")
        back = QPushButton("← All handovers")
        back.clicked.connect(window.show_list)
        self.actions_bar = QHBoxLayout()
        from ui.editor import CaseEditor  # the editor and its forms load when a handover is first opened

        self.editor = CaseEditor()
        self.editor.changed.connect(self._changed)
        self._pending: dict[str, Any] | None = None
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)

        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.title)
        top.addLayout(self.actions_bar, 1)
        top.addWidget(self.state)
        top.addWidget(self.saved)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.editor, 1)

    # ---- loading
    def show_case(self, view: Any) -> None:
        self.flush()
        self.view = view
        s = view.summary
        arrow = "↑ Step-up" if s.direction == "step_up" else "↓ Step-down"
        self.title.setText(f"<b>{arrow}</b>")
        frozen = " · frozen (authorised)" if view.frozen else ""
        self.state.setText(f"State: <b>{s.state.replace('_', ' ')}</b> · version {view.version}{frozen}")
        self.editor.set_as_of(self.window_.services.today())
        self.editor.load_case(view.case)
        self.editor.set_read_only(not view.can_edit)
        self.saved.setText("" if view.can_edit else (view.edit_refusal or "Read only"))
        self._rebuild_actions()

    def _rebuild_actions(self) -> None:
        while self.actions_bar.count():
            item = self.actions_bar.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for action in self.view.allowed_actions:
            b = QPushButton(workflow.ACTION_LABELS.get(action, action))
            b.setAccessibleName(workflow.ACTION_LABELS.get(action, action))
            b.clicked.connect(lambda _=False, a=action: self.window_.do_move(a))
            self.actions_bar.addWidget(b)
        if self.view.frozen and "send" in self.view.allowed_actions and self.window_.actor.role == "manager":
            sign = QPushButton("Sign pack")
            sign.setToolTip("Sign the authorised pack with your certificate (if it was not signed when authorised)")
            sign.clicked.connect(self.window_.sign_pack)
            self.actions_bar.addWidget(sign)
        if self.view.frozen:
            signed = QPushButton("Signed pack")
            signed.setToolTip("Open the signed pack stored with this authorised version")
            signed.clicked.connect(self.window_.show_signed_pack)
            self.actions_bar.addWidget(signed)
        if self.view.version > 1:
            changes = QPushButton("What changed…")
            changes.setToolTip("Compare this version with an earlier one, side by side")
            changes.clicked.connect(self.window_.show_changes)
            self.actions_bar.addWidget(changes)
        preview = QPushButton("Preview pack")
        preview.clicked.connect(self.window_.preview_pack)
        self.actions_bar.addWidget(preview)
        self.actions_bar.addStretch(1)

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
        summary = self.window_.run_op(lambda: self.window_.services.save(
            self.window_.actor, self.view.summary.case_id, case, self.view.summary.row_version))
        if summary is None:
            self.saved.setText("Not saved")
            return False
        self.view = _with_summary(self.view, summary)
        self.saved.setText(f"Saved at {datetime.now().strftime('%H:%M:%S')}")
        self.editor.set_saved_at(datetime.now())
        return True


def _with_summary(view: Any, summary: Any) -> Any:
    from dataclasses import replace

    return replace(view, summary=summary, version=summary.current_version)


class MainWindow(QMainWindow):
    def __init__(self, services: AppServices, actor: Actor, *, lock_minutes: float | None = None) -> None:
        super().__init__()
        self.services = services
        self.actor = actor
        self.signed_out = False
        self.setWindowTitle(f"Transition handovers — {actor.display_name} ({actor.role}"
                            f"{', ' + actor.team_name if actor.team_name else ''})")
        self.resize(1400, 900)
        self.nav = QListWidget()
        self.nav.setAccessibleName("Sections of the app")
        self.nav.setMaximumWidth(170)
        self.pages = QStackedWidget()
        self._workspace: CaseWorkspace | None = None   # built when a handover is first opened
        self.case_list: CaseListView | None = None
        self._list_fresh = True                          # the list model has just loaded its first page
        if actor.role in ("practitioner", "manager", "receiver"):
            title = "My team's handovers" if actor.role != "receiver" else "Handovers for my team"
            self.case_list = CaseListView(self._list_model("all"), title)
            self.case_list.open_case.connect(self.open_case)
            self.pages.addWidget(self.case_list)
            self._add_nav("Handovers", self.show_list)
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
        self.lock_screen = LockScreen(central, lambda: self.actor.username, services.authenticate)
        minutes = lock_minutes if lock_minutes is not None else lock_minutes_setting()
        self.idle = IdleWatcher(minutes, self)
        self.idle.idle.connect(self.lock)
        self._menus()
        self.nav.setCurrentRow(0)

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
        return handover_list_model(self.services, self.actor, scope)

    def _add_lazy_page(self, label: str, attr: str, module: str, cls: str) -> None:
        def build() -> QWidget:
            page = getattr(self, attr, None)
            if page is None:
                import importlib

                page = getattr(importlib.import_module(module), cls)(self.services, self.actor)
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
        if self.actor.role in ("practitioner", "manager"):
            for label, direction, key in (("New &step-down…", "step_down", "Ctrl+D"),
                                          ("New step-&up…", "step_up", "Ctrl+U")):
                a = QAction(label, self, shortcut=QKeySequence(key))
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

    # ---- operations
    def run_op(self, op: Callable[[], Any], title: str = "That could not be done") -> Any:
        """Run one core call; show an expected refusal in one dialog and return None."""
        try:
            return op()
        except Conflict as e:
            QMessageBox.warning(self, "Someone else changed this handover",
                                f"{_sentence(str(e))}\n\nYour last change is not saved. The handover will now be "
                                "reloaded so you can see what they did.")
            if self._open_view() is not None:
                QTimer.singleShot(0, lambda: self.open_case(self.workspace.view.summary.case_id, flush=False))
            return None
        except ServiceError as e:
            QMessageBox.warning(self, title, _sentence(str(e)))
            return None

    def show_list(self) -> None:
        if self._flush() and self.case_list is not None:
            if not self._list_fresh:
                self.case_list.model.reload()
            self._list_fresh = False
            self.pages.setCurrentWidget(self.case_list)

    def open_case(self, case_id: str, flush: bool = True) -> None:
        if flush and not self._flush():
            return
        view = self.run_op(lambda: self.services.open_case(self.actor, case_id))
        if view is not None:
            self.workspace._pending = None
            self.workspace.show_case(view)
            self.pages.setCurrentWidget(self.workspace)

    def new_case(self, direction: str) -> None:
        case_id, ok = QInputDialog.getText(self, "New handover", "Handover ID (from your case system):")
        if not ok or not case_id.strip():
            return
        summary = self.run_op(lambda: self.services.create(self.actor, blank_case(direction, case_id.strip())))
        if summary is not None:
            self.open_case(summary.case_id)

    def new_from_selected(self) -> None:
        from handover.case import copy_for_new_handover

        rows = self.case_list.table.selectionModel().selectedRows() if self.case_list else []
        if self._open_view() is not None and self.pages.currentWidget() is self.workspace:
            source_id = self.workspace.view.summary.case_id
        elif rows:
            source_id = self.case_list.model.row_at(rows[0].row()).case_id
        else:
            QMessageBox.information(self, "New handover for the same child",
                                    "Choose the child's previous handover in the list first.")
            return
        labels = {"Step-down (children's social care to early help)": "step_down",
                  "Step-up (early help to children's social care)": "step_up"}
        choice, ok = QInputDialog.getItem(self, "New handover for the same child", "Which way is the case moving?",
                                          list(labels), 0, False)
        if not ok:
            return
        case_id, ok = QInputDialog.getText(self, "New handover", "Handover ID (from your case system):")
        if not ok or not case_id.strip():
            return
        previous = self.run_op(lambda: self.services.open_case(self.actor, source_id))
        if previous is None:
            return
        new = copy_for_new_handover(previous.case, labels[choice], case_id.strip())
        summary = self.run_op(lambda: self.services.create(self.actor, new))
        if summary is not None:
            self.open_case(summary.case_id)
            self.statusBar().showMessage(f"Started from {source_id}: check each agency is told of this "
                                         "transition, and fill in the decision and the plan.", 12000)

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a handover case file", "", "Case files (*.json)")
        if not path:
            return
        with open(path, "rb") as f:
            data = f.read()
        result = self.run_op(lambda: self.services.import_file(self.actor, data, path.rsplit("/", 1)[-1]))
        if result is not None:
            self.statusBar().showMessage(f"Imported {result.case_id} (version {result.version})", 8000)
            self.open_case(result.case_id)

    def do_move(self, action: str) -> None:
        if not self.workspace.flush():
            return
        view = self.workspace.view
        reason_code = note = None
        spec = workflow.MOVES[action]
        if spec.needs_reason_code:
            labels = [(c, c.replace("_", " ").capitalize()) for c in workflow.RETURN_REASONS]
            choice, ok = QInputDialog.getItem(self, "Return the handover", "Why is it being returned?",
                                              [lbl for _, lbl in labels], 0, False)
            if not ok:
                return
            reason_code = dict((lbl, c) for c, lbl in labels)[choice]
        if action == "send" and view.summary.receiving_team_id is None:
            teams = self.run_op(lambda: self.services.receiving_teams(self.actor, view.summary.direction)) or []
            if not teams:
                QMessageBox.warning(self, "No receiving team", "There is no team to send it to: ask an administrator.")
                return
            name, ok = QInputDialog.getItem(self, "Send the handover", "Which team receives it?",
                                            [t.name for t in teams], 0, False)
            if not ok:
                return
            team = next(t for t in teams if t.name == name)
            summary = self.run_op(lambda: self.services.assign_receiving_team(self.actor, view.summary.case_id,
                                                                              team.id))
            if summary is None:
                return
            view = self.workspace.view = _with_summary(view, summary)
        if spec.needs_note:
            note, ok = QInputDialog.getMultiLineText(self, workflow.ACTION_LABELS[action],
                                                     "Say why, for the sending practitioner:")
            if not ok or not note.strip():
                return
        result = self.run_op(lambda: self.services.move(self.actor, view.summary.case_id, action, reason_code,
                                                        note, view.summary.row_version))
        if result is None:
            return
        self.open_case(view.summary.case_id, flush=False)
        if action == "authorise":
            self.sign_pack()
        QMessageBox.information(self, workflow.ACTION_LABELS[action],
                                f"Done: the handover is now {result.summary.state.replace('_', ' ')}. "
                                f"{_NEXT.get(action, '')}")

    def sign_pack(self) -> bool:
        """Build the final pack of the frozen version, have the manager sign it, store it with the version."""
        import tempfile
        from pathlib import Path

        from handover.pack import PackError, build_pack
        from ui.dialogs.sign_dialog import SignDialog

        view = self.workspace.view
        if view is None or not view.frozen:
            return False
        folder = Path(tempfile.mkdtemp(prefix="handover-pack-"))
        try:
            unsigned, signed = folder / "pack.pdf", folder / "signed.pdf"
            try:
                build_pack(view.case, unsigned, as_of=self.services.today(), state=view.summary.state)
            except PackError as e:
                QMessageBox.warning(self, "The pack cannot be made", _sentence(str(e)))
                return False
            dialog = SignDialog(unsigned, signed, "manager", expected_name=self.actor.display_name, parent=self)
            if dialog.exec() != dialog.DialogCode.Accepted:
                self.statusBar().showMessage("Authorised, but the pack is not signed yet: use Sign pack.", 10000)
                return False
            stored = self.run_op(lambda: self.services.store_pack(self.actor, view.summary.case_id, view.version,
                                                                  signed.read_bytes(), view.content_hash,
                                                                  signers=self.actor.display_name))
            return stored is not None
        finally:
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()

    def show_signed_pack(self) -> None:
        from ui.pack_preview import PackPreview

        view = self.workspace.view
        packs = self.run_op(lambda: self.services.list_packs(self.actor, view.summary.case_id)) or []
        mine = [p for p in packs if p.version == view.version] or packs
        if not mine:
            QMessageBox.information(self, "Signed pack", "No signed pack is stored for this handover yet: "
                                    "the authorising manager signs it (Sign pack).")
            return
        data = self.run_op(lambda: self.services.get_pack(self.actor, view.summary.case_id, mine[-1].id))
        if data is None:
            return
        w = PackPreview()
        w.load_bytes(data)
        w.setWindowTitle(f"Signed pack — {view.summary.case_id}, version {mine[-1].version}")
        w.resize(900, 1000)
        w.show()
        self._preview = w

    def show_changes(self) -> None:
        from ui.changes import ChangesDialog

        view = self.workspace.view
        dialog = self.run_op(lambda: ChangesDialog(self.services, self.actor, view.summary.case_id, self))
        if dialog is not None:
            dialog.exec()

    def preview_pack(self) -> None:
        try:
            from ui.pack_preview import PackPreview, build_preview
        except ImportError:
            QMessageBox.information(self, "Preview", "The pack preview is not available in this build.")
            return
        view = self.workspace.view
        path = build_preview(self.workspace.editor.case(), self.services.today(), draft=True,
                             state=view.summary.state)
        w = PackPreview(path)
        w.setWindowTitle(f"Pack preview — {view.summary.case_id}")
        w.resize(900, 1000)
        w.show()
        self._preview = w

    def sign_out(self) -> None:
        """Save, close this window and ask who is next (see ui.app.run_app)."""
        if self._flush():
            self.signed_out = True
            self.close()

    def lock(self) -> None:
        self._flush()
        self.lock_screen.lock()

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


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text

"""Incoming handovers: the receiving team's inbox (UX.md: tell people what happens next).

Left, the handovers sent to my team (those still waiting for us first; accepted and closed ones on
request), each with its next deadline. Right, the open one: who sent it, its deadlines and check
summary, its stored packs with the signature verified in words, and the receiving team's moves —
Acknowledge, Accept… (meeting held, lead professional agreed), Return… (coded reason and note). After
each move the page says who has the handover now and what the next deadline is. When someone else got
there first, it says who and when, and shows the handover as it now is.

*Import a signed pack…* takes the PDF an organisation that does not share this database sent (SPEC.md
section 9): checked against the authorities an administrator trusts, it becomes a handover in Incoming,
or the page says in one line why not (naming an untrusted signer) and nothing is stored.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from handover import labels
from handover.app import Changes, OperationError
from ui.case_list import CaseListModel, CaseListView
from ui.operations import UiApp, ops, sentence
from ui.qt import (QCheckBox, QComboBox, QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                   QSplitter, Qt, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget, QHeaderView)
from ui.widgets.flow import FlowLayout
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["IncomingPage", "IncomingDetail", "describe_verification", "rule_label", "nice_date"]



def _documents() -> str:
    from ui.qt import QStandardPaths

    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def rule_label(rule: str) -> str:
    return labels.rule_label(rule)


def nice_date(d: Any) -> str:
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return d
    return d.strftime("%d %b %Y").lstrip("0") if isinstance(d, date) else "—"


def describe_verification(result: Any) -> str:
    """A pack's signature check in words (handover.pack.verify.VerifyResult)."""
    if not result.signatures:
        return "This pack is not signed." + (" " + result.problems[0] if result.problems else "")
    lines = []
    for s in result.signatures:
        when = s.signing_time.strftime("%d %b %Y %H:%M").lstrip("0") if s.signing_time else "an unknown time"
        who = s.signer + (f" ({s.role})" if s.role else "")
        if s.ok:
            lines.append(f"✔ Signed by {who} on {when}: the signature is valid and the pack has not changed since.")
        else:
            why = "; ".join(s.problems) or "the signature does not check out"
            lines.append(f"✘ Signed by {who} on {when}, but it does not verify: {why}.")
    lines += [f"✘ {p}" for p in result.problems]
    head = ("The pack's signatures are intact." if result.ok else
            "WARNING: the pack was altered after signing, or a signature cannot be trusted.")
    from ui.pack_preview import case_file_words

    return "\n".join([head] + lines + [f"Carries its case file: {case_file_words(result.embedded_case)}."])


def _pack_id(p: Any) -> Any:
    for attr in ("pack_id", "id"):
        if hasattr(p, attr):
            return getattr(p, attr)
    return p.get("pack_id", p.get("id")) if isinstance(p, dict) else p


def _pack_text(p: Any) -> str:
    get = (lambda k: p.get(k)) if isinstance(p, dict) else (lambda k: getattr(p, k, None))
    bits = []
    for k in ("kind", "version", "signers", "created_at", "created_by"):
        v = get(k)
        if v in (None, ""):
            continue
        if k == "version":
            bits.append(f"version {v}")
        elif k == "signers":
            bits.append(f"signed by {v}")
        elif k == "kind":
            bits.append({"final": "Final pack", "family": "Family copy",
                         "received": "Signed pack received"}.get(str(v), str(v)))
        elif k == "created_at":
            bits.append(v.strftime("%d %b %Y %H:%M").lstrip("0") if hasattr(v, "strftime") else str(v))
        else:
            bits.append(str(v))
    return " · ".join(bits) or f"Pack {_pack_id(p)}"


class _Callout(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "callout")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName("What happens next")
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        self.hide()

    def say(self, text: str, *, problem: bool = False) -> None:
        self.setProperty("role", "callout-red" if problem else "callout")
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self.show()


class IncomingDetail(QWidget):
    """One incoming handover: summary, deadlines, check findings, packs and the receiving moves."""

    def __init__(self, page: "IncomingPage") -> None:
        super().__init__()
        self.page = page
        self.view: Any = None
        self.title = heading("Choose a handover on the left", 1.4)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.callout = _Callout()
        self.ack_button = QPushButton("Acknowledge")
        self.accept_button = QPushButton("Accept…")
        self.return_button = QPushButton("Return…")
        self.read_button = QPushButton("Read the full handover")
        self.changes_button = QPushButton("What changed…")
        for b, name in ((self.ack_button, "Acknowledge the handover"), (self.accept_button, "Accept the handover"),
                        (self.return_button, "Return the handover to the sending team"),
                        (self.read_button, "Read the full handover"),
                        (self.changes_button, "What changed between versions")):
            b.setAccessibleName(name)
        self.accept_button.setProperty("role", "primary")
        self.ack_button.clicked.connect(page.acknowledge)
        self.accept_button.clicked.connect(page.accept_dialog)
        self.return_button.clicked.connect(page.return_dialog)
        self.read_button.clicked.connect(page.read_full)
        self.changes_button.clicked.connect(page.show_changes)
        # the moves wrap onto a second line where the pane is narrow (150 % scaling), never off its edge
        self.buttons = QWidget()
        self.buttons_layout = buttons = FlowLayout(self.buttons, spacing=6)   # kept: its methods are Python
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.ack_button, self.accept_button, self.return_button, self.read_button, self.changes_button):
            buttons.addWidget(b)

        self.deadlines = QTreeWidget()
        self.deadlines.setAccessibleName("Deadlines")
        self.deadlines.setHeaderLabels(["Deadline", "Due", "Status", "Done"])
        self.deadlines.setRootIsDecorated(False)
        self.deadlines.setWordWrap(True)          # the columns share the pane's width; long words wrap
        self.deadlines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.deadlines.header()
        header.setStretchLastSection(False)
        for col, mode in enumerate((QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)     # the dates as wide as they are; the words share the rest
        self.deadlines.setMaximumHeight(self.fontMetrics().height() * 10)
        self.checks = QLabel()
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("Check summary")
        self.findings = QLabel()
        self.findings.setAccessibleName("Findings")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)
        self.packs = QComboBox()
        self.packs.setAccessibleName("Stored packs")
        self.verify_text = QLabel()
        self.verify_text.setWordWrap(True)
        self.verify_text.setAccessibleName("Signature check")
        self.verify_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_pack_button = QPushButton("Show the pack")
        self.show_pack_button.setAccessibleName("Show the pack")
        self.show_pack_button.clicked.connect(page.show_pack)
        self.packs.currentIndexChanged.connect(lambda _i: (self.packs.setToolTip(self.packs.currentText()),
                                                           page.verify_selected()))
        self.packs.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.packs.setMinimumContentsLength(10)
        self.pack_row = QWidget()
        pack_row = QHBoxLayout(self.pack_row)
        pack_row.setContentsMargins(0, 0, 0, 0)
        pack_row.addWidget(self.packs, 1)
        pack_row.addWidget(self.show_pack_button)
        self.packs_label = QLabel("Choose a stored pack to check its signature or show it:")
        self.packs_label.setWordWrap(True)
        self.packs_label.setBuddy(self.packs)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addWidget(self.callout)
        # what is shown of an open handover (hidden while none is: no empty tables or dead buttons)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.buttons)
        for text, w in (("Deadlines", self.deadlines), ("Checks", None)):
            body.addWidget(heading(text, 1.15))
            if w is not None:
                body.addWidget(w)
        body.addWidget(self.checks)
        body.addWidget(self.findings)
        body.addWidget(heading("The pack", 1.15))
        body.addWidget(self.packs_label)
        body.addWidget(self.pack_row)
        body.addWidget(self.verify_text)
        lay.addWidget(self.body)
        lay.addStretch(1)
        self._enable(())

    def clear(self) -> None:
        """Nothing open (the handover went back to the sending team, or cannot be seen any more)."""
        self.view = None
        empty = self.page.empty_text()
        self.title.setText("Nothing waiting for your team" if empty else "Choose a handover on the left")
        self.subtitle.setText(empty)
        self.deadlines.clear()
        self.checks.setText("")
        self.findings.setText("")
        with _blocked(self.packs):
            self.packs.clear()
        self.verify_text.setText("")
        self._enable(())

    def _enable(self, actions: tuple[str, ...]) -> None:
        self.ack_button.setVisible("acknowledge" in actions)
        self.accept_button.setVisible("accept" in actions)
        self.return_button.setVisible("return" in actions)
        has = self.view is not None
        self.body.setVisible(has)
        self.read_button.setEnabled(has)
        self.changes_button.setEnabled(has and self.view.version > 1)
        self.show_pack_button.setEnabled(self.packs.count() > 0)
        self.pack_row.setVisible(self.packs.count() > 0)   # no empty list of packs: the text says why
        self.packs_label.setVisible(self.packs.count() > 0)

    def show_view(self, view: Any, check: Any, packs: list[Any]) -> None:
        self.view = view
        s = view.summary
        arrow = f"{labels.direction_arrow(s.direction)} {labels.direction_label(s.direction)}"
        self.title.setText(f"{s.child or 'Unnamed child'} — {arrow}")
        self.subtitle.setText(f"{s.case_id} · from {_sender(s, view.case)} to <b>{s.receiving_team or '—'}</b> · "
                              f"state: <b>{labels.state_label(s.state).lower()}</b> · version {view.version}")
        self.deadlines.clear()
        for d in check.deadlines:
            item = QTreeWidgetItem([rule_label(d.rule), nice_date(d.due) if d.due else "—",
                                    labels.status_label(d.status) + (f" ({d.working_days_overdue} working days)"
                                                                       if d.working_days_overdue else ""),
                                    nice_date(d.done) if d.done else ""])
            for col in range(4):                       # what a narrow column cuts short, its tip says in full
                item.setToolTip(col, item.text(col))
            if d.status == "overdue":
                f = item.font(2)
                f.setBold(True)
                item.setFont(2, f)
            self.deadlines.addTopLevelItem(item)
        ne, nw = len(check.errors), len(check.warnings)
        warnings = f"{nw} warning{'s' if nw != 1 else ''}"
        self.checks.setText((f"Complete: no errors, {warnings}." if not ne else
                             f"{ne} error{'s' if ne != 1 else ''}, {warnings}. The errors are listed below: ask "
                             "the sending team about them."))
        import html

        items = [f"<li><b>{'Error' if f.is_error else 'Warning'}:</b> {html.escape(f.message)}</li>"
                 for f in list(check.errors) + list(check.warnings)]
        self.findings.setText("<ul style='margin-left:-20px'>" + "".join(items) + "</ul>" if items else "")
        self.findings.setVisible(bool(items))
        with _blocked(self.packs):
            self.packs.clear()
            for p in reversed(packs):      # newest first; an earlier version's pack says so
                old = getattr(p, "version", None) not in (None, s.authorised_version)
                self.packs.addItem(_pack_text(p) + (" · an earlier version, not what was sent" if old else ""),
                                   _pack_id(p))
        if not packs:
            self.verify_text.setText("No pack is stored with this handover yet: read the handover itself, or "
                                     "ask the sending team for the signed pack.")
        self._enable(view.allowed_actions)


def _sender(summary: Any, case: dict[str, Any]) -> str:
    """Who sent it, in bold: their team here, else (a signed pack from another organisation) the service its
    case file names, escaped — it was written outside this database."""
    import html

    from handover.case import get_path

    if summary.team:
        return f"<b>{summary.team}</b>"
    outside = get_path(case, "transition.from_service", "")
    return f"<b>{html.escape(outside)}</b> (a signed pack from outside this database)" if outside else "<b>—</b>"


class _blocked:
    def __init__(self, w: QWidget) -> None:
        self.w = w

    def __enter__(self) -> None:
        self.w.blockSignals(True)

    def __exit__(self, *exc: Any) -> None:
        self.w.blockSignals(False)


class IncomingPage(QWidget):
    """``IncomingPage(app, parent=None)``: the receiving team's inbox."""

    def __init__(self, app: UiApp, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.actor = app.actor
        self.setStyleSheet(STYLE_SHEET)
        self._open_only = True
        page, count = app.fetcher(ops.list_page, []), app.fetcher(ops.count, 0)
        self.model = CaseListModel(
            lambda o, n, q, k, d: page("incoming", o, n, q, k, d, open_only=self._open_only),
            lambda q: count("incoming", q, open_only=self._open_only, cap=None))
        self.list = CaseListView(self.model, "Incoming handovers")
        self.list.table.setAccessibleName("Incoming handovers")
        self.show_all = QCheckBox("Show accepted and closed handovers too")
        self.show_all.setAccessibleName("Show accepted and closed handovers too")
        self.show_all.toggled.connect(self._toggle_all)
        self.list.layout().insertWidget(1, muted("Handovers sent to your team. Those waiting for you to "
                                                 "acknowledge, accept or return come first."))
        self.list.layout().insertWidget(2, self.show_all)
        self.import_button = QPushButton("Import a signed pack…")
        self.import_button.setAccessibleName("Import a signed pack")
        self.import_button.setToolTip("A handover from an organisation that does not share this database: choose "
                                      "the signed pack (PDF) they sent")
        self.import_button.setAccessibleDescription(self.import_button.toolTip())
        self.import_button.clicked.connect(self.import_pack_dialog)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addStretch(1)
        self.list.layout().insertLayout(3, row)
        self.list.open_case.connect(self.open_case)
        self.list.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: cur.isValid() and self.open_case(self.model.row_at(cur.row()).case_id))
        self.detail = IncomingDetail(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([790, 650])
        for col, width in enumerate((140, 100, 110, 150, 200, 240, 60)):
            self.list.set_preferred_width(col, width)
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)
        self.setTabOrder(self.list.search, self.show_all)
        self.setTabOrder(self.show_all, self.import_button)
        self.setTabOrder(self.import_button, self.list.table)
        self._windows: list[QWidget] = []
        self._verified: dict[Any, str] = {}
        self._moving = False
        self._stale = False
        self._check: Any = None          # the open handover's check, as last loaded (what happens next)
        app.changed.connect(self._on_changes)
        self.list.table.setColumnHidden(3, True)   # "Came back because": an incoming handover never has one
        self.model.modelReset.connect(lambda: self.detail.view is None and self.detail.clear())
        self.detail.clear()
        # dialog factories: tests replace them
        self.make_accept_dialog: Callable[[], Any] = lambda: self._accept_dialog_factory()
        self.make_return_dialog: Callable[[], Any] = lambda: self._return_dialog_factory()

    # ---------------------------------------------------------------- list
    def _toggle_all(self, on: bool) -> None:
        self._open_only = not on
        self.model.reload()

    def reload(self) -> None:
        self.model.reload()

    def empty_text(self) -> str:
        """What the detail pane says while no handover is open: why the list is empty, when it is."""
        if self.model.rowCount() > 0:
            return ""
        if self._open_only:
            return ("No handover sent to your team needs acknowledging, accepting or returning. Tick “Show "
                    "accepted and closed handovers too” to see earlier ones.")
        return "No handover has been sent to your team yet."

    def _on_changes(self, changes: Changes) -> None:
        """Any operation on this machine: the list again, and the open handover as it is now."""
        if not changes or self._moving:
            return
        if not self.isVisible():          # not on screen (an autosave elsewhere): redraw when next shown
            self._stale = True
            return
        self.model.reload()
        if self.view is not None and (self.view.summary.case_id in changes.handovers or changes.protocol):
            self._load(self.view.summary.case_id)

    def showEvent(self, event: Any) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.model.reload()
            if self.view is not None:
                self._load(self.view.summary.case_id)

    # ---------------------------------------------------------------- one handover
    @property
    def view(self) -> Any:
        return self.detail.view

    def open_case(self, case_id: str) -> bool:
        if self.view is not None and self.view.summary.case_id == case_id:
            return True
        return self._load(case_id)

    def _load(self, case_id: str) -> bool:
        try:
            view = ops.open_case(self.app.ctx, case_id)
            # the file's check, and what the team database knows of these people (a re-referral, agencies
            # recorded elsewhere): the receiving team must see both (SPEC section 8)
            check = ops.check_stored(self.app.ctx, case_id, view.case)
            packs = ops.list_packs(self.app.ctx, case_id)
        except OperationError as e:
            self.detail.clear()
            self._check = None
            self.detail.callout.say(sentence(str(e)), problem=True)
            return False
        self.detail.callout.hide()
        self._verified.clear()
        self._check = check
        self.detail.show_view(view, check, packs)
        self.verify_selected()
        return True

    # ---------------------------------------------------------------- moves
    def _run(self, action: str, op: Callable[..., Any], *args: Any) -> Any:
        """A receiving move through the app's runner; its refusal, or what happens next, in the callout."""
        case_id = self.view.summary.case_id
        problems: list[str] = []
        self._moving = True
        try:
            result = self.app.run(op, case_id, *args, parent=self, errors=problems.append)
        finally:
            self._moving = False
        shown = self._load(case_id)
        self.model.reload()
        if result is None:
            extra = " The handover is shown as it is now." if shown and problems else ""
            self.detail.callout.say((problems[0] if problems else "That could not be done.") + extra, problem=True)
            return None
        if not shown:    # returned: it is the sending team's again, and no longer ours to see
            self.detail.clear()
        self.detail.callout.say(self.what_next(action, result))
        return result

    def what_next(self, action: str, result: Any) -> str:
        s = result.summary
        nxt = ops.next_deadline(self.app.ctx, self._check) if self._check is not None else None
        deadline = (f"Next deadline: {rule_label(nxt[0]).lower()} by {nice_date(nxt[1])}." if nxt
                    else "No deadline is open on this handover.")
        team = s.receiving_team or "your team"
        if action == "acknowledge":
            head = (f"Acknowledged. {team} has it now: hold the handover meeting and agree the lead professional, "
                    "then accept it (or return it with a reason).")
        elif action == "accept":
            head = f"Accepted. {team} leads the work with the family from here; the sending team has been told."
        elif action == "return":
            head = (f"Returned to {s.team or 'the sending team'}. They have it now, as a new draft "
                    f"(version {s.current_version}) with your reason and note.")
        else:
            head = f"Done: the handover is now {labels.state_label(s.state).lower()}."
        return f"{head} {deadline}"

    def acknowledge(self) -> Any:
        return self._run("acknowledge", ops.acknowledge, self.view.summary.row_version)

    def accept_with(self, details: Any) -> Any:
        return self._run("accept", ops.accept, details, self.view.summary.row_version)

    def return_with(self, reason_code: str, note: str) -> Any:
        return self._run("return", ops.return_handover, reason_code, note, self.view.summary.row_version)

    def _accept_dialog_factory(self) -> Any:
        from ui.dialogs.accept_dialog import AcceptDialog

        return AcceptDialog(self.app.today(), self.view.case, self)

    def _return_dialog_factory(self) -> Any:
        from ui.dialogs.return_dialog import ReturnDialog

        return ReturnDialog(self)

    def accept_dialog(self) -> Any:
        if self.view is None:
            return None
        dlg = self.make_accept_dialog()
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.accept_with(dlg.details())

    def return_dialog(self) -> Any:
        if self.view is None:
            return None
        dlg = self.make_return_dialog()
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.return_with(dlg.reason_code(), dlg.note_text())

    # ---------------------------------------------------------------- a signed pack from elsewhere
    def import_pack_dialog(self) -> Any:
        """Choose a signed pack (PDF) and import it; what happened is said in the page's message area."""
        from ui.qt import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import a signed pack", _documents(), "Signed packs (*.pdf)")
        return self.import_pack_from(path) if path else None

    def import_pack_from(self, path: str | Path) -> Any:
        """Import the signed pack at ``path``: the handover is opened and the page says it is in Incoming, or
        the refusal in one line (nothing was stored). Returns the imported pack, or None."""
        problems: list[str] = []
        self._moving = True
        try:
            got = self.app.run(ops.import_signed_pack, str(path), parent=self, errors=problems.append)
        finally:
            self._moving = False
        self.model.reload()
        if got is None:
            self.detail.callout.say(problems[0] if problems else "The pack could not be imported.", problem=True)
            return None
        self._select(got.case_id)          # which opens it, when it is on the list's page
        if self.view is None or self.view.summary.case_id != got.case_id:
            self._load(got.case_id)
        if got.unchanged:
            text = (f"{got.case_id} is already here with exactly what this pack carries: nothing new was "
                    "imported.")
        else:
            text = (f"Imported {got.case_id} from {got.signer or 'its signer'}: it is in Incoming, waiting for "
                    "your team to acknowledge it.")
        self.detail.callout.say(text)
        return got

    def _select(self, case_id: str) -> None:
        """Highlight ``case_id`` in the list when it is on the page shown."""
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).case_id == case_id:
                self.list.table.selectRow(row)
                return

    # ---------------------------------------------------------------- reading
    def read_full(self) -> QWidget | None:
        if self.view is None:
            return None
        from ui.editor import CaseEditor

        w = CaseEditor(as_of=self.app.today(), checker=self.app.ctx.check,
                       region=lambda: self.app.ctx.protocol().region)
        w.load_case(self.view.case)
        w.set_read_only(True)
        w.setWindowTitle(f"{self.view.summary.case_id} — read only")
        from ui.widgets.screen import fit_to_screen

        w.show()
        fit_to_screen(w, 1200, 850)
        self._windows.append(w)
        return w

    def show_changes(self) -> QWidget | None:
        if self.view is None:
            return None
        from ui.changes import ChangesDialog

        case_id = self.view.summary.case_id
        d = self.app.run(lambda ctx: ChangesDialog(self.app, case_id, self), parent=self)
        if d is None:                     # no longer ours to see: the runner said why
            return None
        d.show()
        self._windows.append(d)
        return d

    def _pack_bytes(self) -> bytes | None:
        pid = self.detail.packs.currentData()
        if self.view is None or pid is None:
            return None
        return self.app.run(ops.get_pack, self.view.summary.case_id, pid, parent=self)

    def verify_selected(self) -> str:
        pid = self.detail.packs.currentData()
        if pid is None:
            return self.detail.verify_text.text()
        if pid not in self._verified:
            try:
                data = self._pack_bytes()
                self._verified[pid] = (describe_verification(ops.verify_pack_bytes(self.app.ctx, data)) if data
                                       else "The pack could not be read.")
            except OperationError as e:
                self._verified[pid] = sentence(str(e))
        self.detail.verify_text.setText(self._verified[pid])
        return self._verified[pid]

    def show_pack(self) -> QWidget | None:
        data = self._pack_bytes()
        if not data:
            return None
        from ui.pack_preview import PackPreview

        w = PackPreview()
        w.setWindowTitle(f"Pack — {self.view.summary.case_id}")
        w.resize(900, 1000)
        w.load_bytes(data)
        w.show()
        self._windows.append(w)
        return w

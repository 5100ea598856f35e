"""Incoming handovers: the receiving team's inbox (UX.md: tell people what happens next).

Left, the handovers sent to my team (those still waiting for us first; accepted and closed ones on
request), each with its next deadline. Right, the open one: who sent it, its deadlines and check
summary, its stored packs with the signature verified in words, and the receiving team's moves —
Acknowledge, Accept… (meeting held, lead professional agreed), Return… (coded reason and note). After
each move the page says who has the handover now and what the next deadline is. When someone else got
there first, it says who and when, and shows the handover as it now is.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Callable

from handover.store.errors import Conflict, ServiceError
from ui.case_list import CaseListModel, CaseListView
from ui.qt import (QCheckBox, QComboBox, QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                   QSplitter, Qt, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget, QHeaderView)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["IncomingPage", "IncomingDetail", "describe_verification", "rule_label", "nice_date"]

_RULES = {"lead_professional_agreed": "Lead professional agreed", "pack_sent": "Pack sent",
          "handover_meeting": "Handover meeting held", "acknowledged": "Acknowledged by the receiving team",
          "csc_decision": "Front door decision", "referrer_informed": "Referrer told of the decision",
          "assessment_completed": "Assessment completed"}
_STATUS = {"met": "Met", "late": "Done late", "due": "Due", "overdue": "OVERDUE", "not_started": "Not started yet"}


def rule_label(rule: str) -> str:
    return _RULES.get(rule, rule.replace("_", " ").capitalize())


def nice_date(d: Any) -> str:
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return d
    return d.strftime("%-d %b %Y") if isinstance(d, date) else "—"


def describe_verification(result: Any) -> str:
    """A pack's signature check in words (handover.pack.verify.VerifyResult)."""
    if not result.signatures:
        return "This pack is not signed." + (" " + result.problems[0] if result.problems else "")
    lines = []
    for s in result.signatures:
        when = s.signing_time.strftime("%-d %b %Y %H:%M") if s.signing_time else "an unknown time"
        who = s.signer + (f" ({s.role})" if s.role else "")
        if s.ok:
            lines.append(f"✔ Signed by {who} on {when}: the signature is valid and the pack has not changed since.")
        else:
            why = "; ".join(s.problems) or "the signature does not check out"
            lines.append(f"✘ Signed by {who} on {when}, but it does not verify: {why}.")
    lines += [f"✘ {p}" for p in result.problems]
    head = ("The pack's signatures are intact." if result.ok else
            "WARNING: the pack was altered after signing, or a signature cannot be trusted.")
    return "\n".join([head] + lines)


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
            bits.append({"final": "Final pack", "family": "Family copy"}.get(str(v), str(v)))
        elif k == "created_at":
            bits.append(v.strftime("%-d %b %Y %H:%M") if hasattr(v, "strftime") else str(v))
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
        buttons = QHBoxLayout()
        for b in (self.ack_button, self.accept_button, self.return_button, self.read_button, self.changes_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.deadlines = QTreeWidget()
        self.deadlines.setAccessibleName("Deadlines")
        self.deadlines.setHeaderLabels(["Deadline", "Due", "Status", "Done"])
        self.deadlines.setRootIsDecorated(False)
        self.deadlines.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
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
        self.packs.currentIndexChanged.connect(lambda _i: page.verify_selected())
        pack_row = QHBoxLayout()
        packs_label = QLabel("Pack")
        packs_label.setBuddy(self.packs)
        pack_row.addWidget(packs_label)
        pack_row.addWidget(self.packs, 1)
        pack_row.addWidget(self.show_pack_button)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addWidget(self.callout)
        lay.addLayout(buttons)
        for text, w in (("Deadlines", self.deadlines), ("Checks", None)):
            lay.addWidget(heading(text, 1.15))
            if w is not None:
                lay.addWidget(w)
        lay.addWidget(self.checks)
        lay.addWidget(self.findings)
        lay.addWidget(heading("The pack", 1.15))
        lay.addLayout(pack_row)
        lay.addWidget(self.verify_text)
        lay.addStretch(1)
        self._enable(())

    def _enable(self, actions: tuple[str, ...]) -> None:
        self.ack_button.setVisible("acknowledge" in actions)
        self.accept_button.setVisible("accept" in actions)
        self.return_button.setVisible("return" in actions)
        has = self.view is not None
        self.read_button.setEnabled(has)
        self.changes_button.setEnabled(has and self.view.version > 1)
        self.show_pack_button.setEnabled(self.packs.count() > 0)

    def show_view(self, view: Any, check: Any, packs: list[Any]) -> None:
        self.view = view
        s = view.summary
        arrow = "↑ Step-up" if s.direction == "step_up" else "↓ Step-down"
        self.title.setText(f"{s.child or 'Unnamed child'} — {arrow}")
        self.subtitle.setText(f"{s.case_id} · from <b>{s.team or '—'}</b> to <b>{s.receiving_team or '—'}</b> · "
                              f"state: <b>{s.state.replace('_', ' ')}</b> · version {view.version}")
        self.deadlines.clear()
        for d in check.deadlines:
            item = QTreeWidgetItem([rule_label(d.rule), nice_date(d.due) if d.due else "—",
                                    _STATUS.get(d.status, d.status) + (f" ({d.working_days_overdue} working days)"
                                                                       if d.working_days_overdue else ""),
                                    nice_date(d.done) if d.done else ""])
            if d.status == "overdue":
                f = item.font(2)
                f.setBold(True)
                item.setFont(2, f)
            self.deadlines.addTopLevelItem(item)
        ne, nw = len(check.errors), len(check.warnings)
        self.checks.setText(("Complete: no errors." if not ne else f"{ne} error{'s' if ne != 1 else ''}")
                            + f", {nw} warning{'s' if nw != 1 else ''}." + (" The errors are listed below: "
                                                                          "ask the sending team about them."
                                                                          if ne else ""))
        import html

        items = [f"<li><b>{'Error' if f.is_error else 'Warning'}:</b> {html.escape(f.message)}</li>"
                 for f in list(check.errors) + list(check.warnings)]
        self.findings.setText("<ul style='margin-left:-20px'>" + "".join(items) + "</ul>" if items else "")
        self.findings.setVisible(bool(items))
        with _blocked(self.packs):
            self.packs.clear()
            for p in packs:
                self.packs.addItem(_pack_text(p), _pack_id(p))
        if not packs:
            self.verify_text.setText("No pack is stored with this handover yet: read the handover itself, or "
                                     "ask the sending team for the signed pack.")
        self._enable(view.allowed_actions)


class _blocked:
    def __init__(self, w: QWidget) -> None:
        self.w = w

    def __enter__(self) -> None:
        self.w.blockSignals(True)

    def __exit__(self, *exc: Any) -> None:
        self.w.blockSignals(False)


class IncomingPage(QWidget):
    """``IncomingPage(services, actor, parent=None)``: the receiving team's inbox."""

    def __init__(self, services: Any, actor: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.setStyleSheet(STYLE_SHEET)
        self._open_only = True
        self.model = CaseListModel(
            lambda o, n, q, k, d: services.incoming_page(actor, o, n, q, k, d, self._open_only),
            lambda q: services.incoming_count(actor, q, self._open_only))
        self.list = CaseListView(self.model, "Incoming handovers")
        self.list.table.setAccessibleName("Incoming handovers")
        self.show_all = QCheckBox("Show accepted and closed handovers too")
        self.show_all.setAccessibleName("Show accepted and closed handovers too")
        self.show_all.toggled.connect(self._toggle_all)
        self.list.layout().insertWidget(1, muted("Handovers sent to your team. Those waiting for you to "
                                                 "acknowledge, accept or return come first."))
        self.list.layout().insertWidget(2, self.show_all)
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
        for col, width in enumerate((140, 100, 110, 200, 240, 60)):
            self.list.table.setColumnWidth(col, width)
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)
        self.setTabOrder(self.list.search, self.show_all)
        self.setTabOrder(self.show_all, self.list.table)
        self._windows: list[QWidget] = []
        self._verified: dict[Any, str] = {}
        # dialog factories: tests replace them
        self.make_accept_dialog: Callable[[], Any] = lambda: self._accept_dialog_factory()
        self.make_return_dialog: Callable[[], Any] = lambda: self._return_dialog_factory()

    # ---------------------------------------------------------------- list
    def _toggle_all(self, on: bool) -> None:
        self._open_only = not on
        self.model.reload()

    def reload(self) -> None:
        self.model.reload()

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
            view = self.services.open_case(self.actor, case_id)
            check = self.services.check(view.case)
            packs = self.services.list_packs(self.actor, case_id)
        except ServiceError as e:
            self.detail.callout.say(_sentence(str(e)), problem=True)
            return False
        self.detail.callout.hide()
        self._verified.clear()
        self.detail.show_view(view, check, packs)
        self.verify_selected()
        return True

    # ---------------------------------------------------------------- moves
    def _run(self, action: str, op: Callable[[], Any]) -> Any:
        case_id = self.view.summary.case_id
        try:
            result = op()
        except Conflict as e:
            self._load(case_id)
            self.detail.callout.say(_sentence(str(e)) + " The handover is shown as it is now.", problem=True)
            self.model.reload()
            return None
        except ServiceError as e:
            self.detail.callout.say(_sentence(str(e)), problem=True)
            return None
        self._load(case_id)
        self.detail.callout.say(self.what_next(action, result))
        self.model.reload()
        return result

    def what_next(self, action: str, result: Any) -> str:
        s = result.summary
        nxt = self.services.next_deadline(s.case_id)
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
            head = f"Done: the handover is now {s.state.replace('_', ' ')}."
        return f"{head} {deadline}"

    def acknowledge(self) -> Any:
        v = self.view
        return self._run("acknowledge", lambda: self.services.move(
            self.actor, v.summary.case_id, "acknowledge", expected_version=v.summary.row_version))

    def accept_with(self, details: Any) -> Any:
        v = self.view
        return self._run("accept", lambda: self.services.accept(self.actor, v.summary.case_id, details,
                                                                v.summary.row_version))

    def return_with(self, reason_code: str, note: str) -> Any:
        v = self.view
        return self._run("return", lambda: self.services.return_handover(
            self.actor, v.summary.case_id, reason_code, note, v.summary.row_version))

    def _accept_dialog_factory(self) -> Any:
        from ui.dialogs.accept_dialog import AcceptDialog

        return AcceptDialog(self.services.today(), self.view.case, self)

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

    # ---------------------------------------------------------------- reading
    def read_full(self) -> QWidget | None:
        if self.view is None:
            return None
        from ui.editor import CaseEditor

        w = CaseEditor(as_of=self.services.today())
        w.load_case(self.view.case)
        w.set_read_only(True)
        w.setWindowTitle(f"{self.view.summary.case_id} — read only")
        w.resize(1200, 850)
        w.show()
        self._windows.append(w)
        return w

    def show_changes(self) -> QWidget | None:
        if self.view is None:
            return None
        from ui.changes import ChangesDialog

        d = ChangesDialog(self.services, self.actor, self.view.summary.case_id, self)
        d.show()
        self._windows.append(d)
        return d

    def _pack_bytes(self) -> bytes | None:
        pid = self.detail.packs.currentData()
        if self.view is None or pid is None:
            return None
        return self.services.get_pack(self.actor, self.view.summary.case_id, pid)

    def verify_selected(self) -> str:
        pid = self.detail.packs.currentData()
        if pid is None:
            return self.detail.verify_text.text()
        if pid not in self._verified:
            try:
                data = self._pack_bytes()
                self._verified[pid] = verify_bytes(data) if data else "The pack could not be read."
            except ServiceError as e:
                self._verified[pid] = _sentence(str(e))
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


def verify_bytes(data: bytes) -> str:
    """Verify a pack held in memory (written to a private temp file for pyHanko) and say it in words."""
    from handover.pack import PackError, verify_pack

    fd, name = tempfile.mkstemp(prefix="handover-verify-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            return describe_verification(verify_pack(Path(name)))
        except PackError as e:
            return f"The pack cannot be verified: {e}"
    finally:
        try:
            os.unlink(name)
        except OSError:
            pass


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


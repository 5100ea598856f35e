"""The case editor: task list, one page per section, findings, deadlines. Built from the form definition.

It edits a plain ``handover-case/1`` dict in place and reports every change (``changed``); storage is
the caller's business. Checks run ~150 ms after the last edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from handover import family
from handover.checks import CheckResult, check_case
from handover.forms import Form, Section, form_for
from handover.protocol import Protocol, default_protocol
from ui.editor.fields import EntryAction, FieldContext, FieldWidget
from ui.editor.lists import EntryWidget, ListField, blank_entry, build_field
from ui.editor.model import EditorModel, split_list_path
from ui.editor.panels import DeadlineStrip, FamilyPanel, FindingsPanel, NetworkGaps, TaskList
from ui.editor.status import SectionStatus, section_status, section_touched
from ui.qt import (
    QAction,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["CaseEditor", "SectionPage", "RECHECK_MS"]

RECHECK_MS = 150
#: below this height (logical pixels) the editor folds its deadline cards into one line
COMPACT_BELOW = 560
#: below this width (logical pixels) the findings sit under the form, not beside it
NARROW_BELOW = 960
_FROZEN = "This version has been authorised and is frozen: it cannot be changed. A change makes a new version."
_INDEX = re.compile(r"\[(\d+)\]")


class SectionPage(QWidget):
    """One section: heading, hint, and its fields (built the first time the page is shown)."""

    def __init__(self, section: Section, ctx: FieldContext, before: Callable[[str], QWidget | None],
                 go_on: Callable[[str], None] | None = None, last: bool = False) -> None:
        super().__init__()
        self._go_on = go_on
        self._last = last
        self.continue_button: QPushButton | None = None
        self.setObjectName("EditorPage")
        self.section = section
        self.ctx = ctx
        self._before = before
        self.fields: list[FieldWidget] = []
        self.built = False
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 24, 20, 48)
        column = QWidget()
        column.setObjectName("EditorPage")
        # a readable measure: long lines of form are hard to scan
        column.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 110)
        outer.addWidget(column, 1)
        outer.addStretch(0)
        self.lay = QVBoxLayout(column)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(28)

    def build(self) -> None:
        if self.built:
            return
        self.built = True
        top = QVBoxLayout()
        top.setSpacing(8)
        top.addWidget(heading(self.section.title, 1.7))
        if self.section.hint:
            hint = muted(self.section.hint)
            top.addWidget(hint)
        self.lay.addLayout(top)
        for f in self.section.fields:
            extra = self._before(f.key)
            if extra is not None:
                self.lay.addWidget(extra)
            w = build_field(f, self.ctx, lambda: "")
            self.fields.append(w)
            self.lay.addWidget(w)
        if self._go_on is not None:
            # GOV.UK question pages end with one button that saves and goes on; the last goes to the
            # Check your answers page (a reader just moves on)
            self.continue_button = QPushButton()
            self.continue_button.setObjectName("continueButton")
            self.continue_button.setProperty("role", "primary")
            self.continue_button.clicked.connect(lambda _=False: self._go_on(self.section.id))
            row = QHBoxLayout()
            row.addWidget(self.continue_button)
            row.addStretch(1)
            self.lay.addLayout(row)
            self.set_read_only(self.ctx.model.read_only)
        self.lay.addStretch(1)

    def set_read_only(self, read_only: bool) -> None:
        """The page's last button: a reader just moves on, and the last page has none for a reader."""
        b = self.continue_button
        if b is None:
            return
        word = ("Continue" if read_only else "Save and continue") if not self._last else \
            ("" if read_only else "Save and check your answers")
        b.setText(word)
        b.setAccessibleName(word)
        b.setVisible(bool(word))

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for w in self.fields:
            out.extend(w.focus_widgets())
        return out


class CaseEditor(QWidget):
    """Edit one handover case. See the module docstring and ``load_case``."""

    #: the document changed (every edit, undo and redo). The argument is the live case dict: save it
    #: (e.g. ``dump_case``) in the slot; do not keep or change it.
    changed = Signal(object)
    #: the checks ran: the :class:`handover.checks.CheckResult`
    checked = Signal(object)
    #: *Save and continue*: save what is pending now (the editor then shows the next section)
    save_requested = Signal()
    #: the last section's *Save and check your answers*
    answers_requested = Signal()
    #: print the letter of request for information N (its index): the window asks where and writes it
    letter_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, as_of: date | None = None,
                 protocol: Protocol | None = None, read_only: bool = False,
                 checker: Callable[[dict[str, Any]], CheckResult] | None = None,
                 region: Callable[[], str] | None = None) -> None:
        """``checker``: how the app checks a case (the operations layer's, under the database's protocol
        and today's date); without one (the stand-alone editor) the case is checked as of ``as_of`` under
        ``protocol`` (the bundled default when None). ``region``: the bank holidays' region, likewise."""
        super().__init__(parent)
        self.setObjectName("CaseEditor")
        self.setStyleSheet(STYLE_SHEET)
        self._as_of = as_of
        self.protocol = protocol
        self._checker = checker
        self._region = region
        self._database_findings: tuple[Any, ...] = ()
        #: who is signed in (their name goes into what they record, e.g. a request's "sent by")
        self.account_name: Callable[[], str] = lambda: ""
        self.model = EditorModel(self)
        self.model.document_changed.connect(self._document_changed)
        self.model.replaced.connect(self._replaced)
        self.model.value_changed.connect(self._value_changed)
        self.model.list_changed.connect(self._list_changed)
        self.model.path_touched.connect(self._path_touched)
        self.form: Form | None = None
        self.ctx: FieldContext | None = None
        self.pages: dict[str, SectionPage] = {}
        self.result: CheckResult | None = None
        self.network: NetworkGaps | None = None
        self.family_panels: list[FamilyPanel] = []
        self._touched: set[str] = set()
        self._sections: dict[str, Section | None] = {}
        self._inline_timer = QTimer(self)
        self._inline_timer.setSingleShot(True)
        self._inline_timer.setInterval(0)
        self._inline_timer.timeout.connect(self._apply_inline)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECHECK_MS)
        self._timer.timeout.connect(self.recheck_now)
        self._tab_timer = QTimer(self)
        self._tab_timer.setSingleShot(True)
        self._tab_timer.setInterval(0)
        self._tab_timer.timeout.connect(self._fix_tab_order)
        self._build_chrome()
        self.model.read_only = read_only

    # -- layout ----------------------------------------------------------------------------------------
    def _build_chrome(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        header = QFrame()
        header.setObjectName("header")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(20, 12, 20, 8)
        hl.setSpacing(12)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title = heading("", 1.45)
        self.subtitle = muted("")
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        hl.addLayout(titles, 1)
        self.saved = QLabel("")
        self.saved.setProperty("role", "saved")
        self.saved.setAccessibleName("Save status")
        hl.addWidget(self.saved, 0, Qt.AlignmentFlag.AlignVCenter)
        self.undo_button = QPushButton("Undo")
        self.redo_button = QPushButton("Redo")
        for b in (self.undo_button, self.redo_button):
            hl.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
        root.addWidget(header)

        self.banner = QFrame()
        self.banner.setProperty("role", "banner")
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(20, 8, 20, 8)
        self.banner_text = QLabel(_FROZEN)
        self.banner_text.setWordWrap(True)
        bl.addWidget(self.banner_text)
        self.banner.setVisible(False)
        root.addWidget(self.banner)

        self.deadlines = DeadlineStrip()
        self.deadlines.activated.connect(lambda p: self.focus_path(p))
        root.addWidget(self.deadlines)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        left = QFrame()
        left.setProperty("role", "panel")
        ll = QVBoxLayout(left)
        ll.setContentsMargins(12, 12, 0, 12)
        ll.setSpacing(6)
        ll.addWidget(heading("Sections", 1.25))
        self.task_host = ll
        self.tasks: TaskList | None = None
        self.splitter.addWidget(left)

        self.stack = QStackedWidget()
        self.stack.setObjectName("PageBody")
        self.scroll = QScrollArea()
        self.scroll.setObjectName("PageScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.stack)
        # the form, and under it the findings when the window is narrow (see resizeEvent)
        self.middle = QSplitter(Qt.Orientation.Vertical)
        self.middle.setChildrenCollapsible(False)
        self.middle.addWidget(self.scroll)
        self.splitter.addWidget(self.middle)

        right = QFrame()
        self.findings_pane = right
        right.setProperty("role", "panel")
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.findings = FindingsPanel()
        self.findings.activated.connect(self._finding_activated)
        self.findings.add_agency.connect(self._add_from_finding)
        rl.addWidget(self.findings)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        root.addWidget(self.splitter, 1)

        self.undo_action = QAction("Undo", self)
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = QAction("Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button.clicked.connect(self.redo)
        self.undo_button.setAccessibleName("Undo the last change (Ctrl+Z)")
        self.redo_button.setAccessibleName("Redo the change (Ctrl+Shift+Z)")
        stack = self.model.undo_stack
        stack.canUndoChanged.connect(self._undo_state)
        stack.canRedoChanged.connect(self._undo_state)
        self._undo_state()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        # a short window (a 768-pixel laptop at 150 %): the deadline cards fold into one line
        self.deadlines.set_compact(self.height() < COMPACT_BELOW)
        # a narrow one: the findings go under the form instead of beside it, so the form keeps its width
        self._set_narrow(self.width() < NARROW_BELOW)

    def _set_narrow(self, narrow: bool) -> None:
        if narrow == getattr(self, "_narrow", False):
            return
        self._narrow = narrow
        self.findings.title.setVisible(not narrow)     # under the form, its summary says enough
        if narrow:
            self.middle.addWidget(self.findings_pane)
            h = max(self.middle.height(), 300)
            self.middle.setSizes([int(h * 0.7), int(h * 0.3)])
            w = max(self.width(), 600)
            self.splitter.setSizes([int(w * 0.28), int(w * 0.72)])
        else:
            self.splitter.addWidget(self.findings_pane)
            w = max(self.width(), 800)
            self.splitter.setSizes([int(w * 0.2), int(w * 0.52), int(w * 0.28)])

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            w = max(self.width(), 600)
            narrow = getattr(self, "_narrow", False)
            self.splitter.setSizes([int(w * 0.28), int(w * 0.72)] if narrow else
                                   [int(w * 0.2), int(w * 0.52), int(w * 0.28)])

    def _undo_state(self, *_: Any) -> None:
        stack = self.model.undo_stack
        ro = self.model.read_only
        self.undo_button.setEnabled(stack.canUndo() and not ro)
        self.redo_button.setEnabled(stack.canRedo() and not ro)
        self.undo_action.setEnabled(stack.canUndo() and not ro)
        self.redo_action.setEnabled(stack.canRedo() and not ro)

    # -- public API ------------------------------------------------------------------------------------
    def set_database_findings(self, findings: Sequence[Any]) -> None:
        """Findings that come from the team database, not from the file (``known_elsewhere``, a re-referral:
        SPEC section 8), shown with the check's own until another handover is loaded."""
        self._database_findings = tuple(findings)
        self.recheck_now()

    def load_case(self, case: dict[str, Any]) -> None:
        """Edit ``case`` (a parsed handover-case/1 or /2 dict; edited in place). Clears undo history."""
        self._database_findings = ()
        self.model.load(case)
        self._touched = set()
        if self._show_document() and self.tasks is not None:
            self.tasks.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_document(self) -> bool:
        """Show the model's document: its form (built again when it is another one: a family's, or back
        to one child's), every field's value, the title and the findings. True when it chose the first
        section."""
        form = family.form_of(self.model.case)
        if form is not self.form:
            self._build_form(form)
        else:
            for page in self.pages.values():
                for w in page.fields:
                    w.load()
        self._update_title()
        self._apply_reveal()
        self.recheck_now()
        if self.tasks is not None and self.tasks.currentRow() < 0:
            self.tasks.setCurrentRow(0)
            return True
        return False

    def case(self) -> dict[str, Any]:
        """A copy of the case as it stands."""
        import copy

        return copy.deepcopy(self.model.case)

    def document(self) -> dict[str, Any]:
        """The live case dict being edited (do not change it behind the editor's back)."""
        return self.model.case

    def set_saved_at(self, when: datetime) -> None:
        self.saved.setText(f"Saved at {when:%H:%M}")

    def set_read_only(self, read_only: bool, why: str = "") -> None:
        """Frozen (authorised) versions: everything can be read and focused, nothing changed. ``why``:
        the banner's sentence (default: the version is authorised and frozen)."""
        self.model.read_only = read_only
        self.banner_text.setText(why or _FROZEN)
        self.banner.setVisible(read_only)
        for page in self.pages.values():
            page.set_read_only(read_only)
        for w in self._live_fields():
            w.set_read_only(read_only)
        for e in self._entries():
            e.set_read_only(read_only)
        for panel in self.family_panels:
            panel.read_only = read_only
            panel._shown = ()
        if self.network is not None:
            self.network.read_only = read_only
            self.network._shown = ()
            if self.result is not None:
                self.network.show_findings(list(self.result.findings))
        if self.result is not None:   # who is reading decides which findings wait (see _show_result)
            self._show_result()
        self._undo_state()

    def is_read_only(self) -> bool:
        return self.model.read_only

    def set_as_of(self, as_of: "date | Callable[[], date] | None") -> None:
        """The day the checks are as of: a date, or a function giving today (the app's, so that the
        deadline strip and the findings never disagree after midnight)."""
        self._as_of = as_of
        self.recheck_now()

    def as_of(self) -> date:
        if callable(self._as_of):
            return self._as_of()
        return self._as_of or date.today()

    def undo(self) -> None:
        if not self.model.read_only:
            self.model.undo_stack.undo()

    def redo(self) -> None:
        if not self.model.read_only:
            self.model.undo_stack.redo()

    def undo_stack(self):  # noqa: ANN201 - QUndoStack
        return self.model.undo_stack

    def current_section(self) -> str:
        page = self.stack.currentWidget()
        return page.section.id if isinstance(page, SectionPage) else ""

    def show_section(self, section_id: str) -> None:
        page = self.pages.get(section_id)
        if page is None:
            return
        page.build()
        if self.tasks is not None and self.tasks.currentItem() is not None \
                and self.current_section() != section_id:
            self.tasks.blockSignals(True)
            self.tasks.select(section_id)
            self.tasks.blockSignals(False)
        for p in self.pages.values():
            p.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.stack.setCurrentWidget(page)
        self.stack.adjustSize()
        self.scroll.verticalScrollBar().setValue(0)
        self._apply_reveal()
        self._apply_inline()
        self._tab_timer.start()

    def continue_from(self, section_id: str) -> None:
        """*Save and continue*: the section counts as visited (its errors now show), what is pending is
        saved, and the next section opens; after the last, the Check your answers page is asked for."""
        if self.form is None:
            return
        self._touched.add(section_id)
        if not self.model.read_only:
            self.save_requested.emit()
        ids = [s.id for s in self.form.sections]
        if self.result is not None:
            self._show_result()
        i = ids.index(section_id) if section_id in ids else -1
        if 0 <= i < len(ids) - 1:
            self.show_section(ids[i + 1])
            first = self.pages[ids[i + 1]].focus_widgets()[:1]
            (first[0] if first else self.tasks or self).setFocus(Qt.FocusReason.OtherFocusReason)
        elif not self.model.read_only:
            self.answers_requested.emit()

    def section_status(self, section_id: str) -> SectionStatus | None:
        return self.tasks.status_of(section_id) if self.tasks else None

    def widget_for(self, path: str, build: bool = True) -> QWidget | None:
        """The input widget a finding at ``path`` leads to (building its page or entry if needed)."""
        loc = self._locate(path, build)
        if loc is None:
            return None
        target, rest = loc
        if isinstance(target, EntryWidget):
            return target.toggle
        return target.focus_target(rest)

    def entry_widget(self, path: str, build: bool = True) -> EntryWidget | None:
        """The box of one list entry, e.g. ``agencies[2]`` (opened when ``build``)."""
        loc = self._locate(path, build)
        return loc[0] if loc and isinstance(loc[0], EntryWidget) and loc[1] == "" else None

    def field_widget(self, path: str, build: bool = True) -> FieldWidget | None:
        loc = self._locate(path, build)
        return loc[0] if loc and isinstance(loc[0], FieldWidget) else None

    def focus_path(self, path: str) -> bool:
        """Show the page holding ``path`` and put the keyboard focus on its widget."""
        if self.form is None or not path:
            return False
        section = self.form.section_of(path)
        if section is None:
            return False
        if self.current_section() != section.id:
            self.show_section(section.id)
        target = self.widget_for(path)
        if target is None:
            return False
        self.stack.currentWidget().layout().activate()
        self._apply_inline()
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        QTimer.singleShot(0, lambda t=target: self._reveal(t))
        self._reveal(target)
        return True

    def recheck_now(self) -> CheckResult | None:
        """Run the checks now (instead of waiting for the debounce)."""
        self._timer.stop()
        if self.form is None:
            return None
        if self._checker is not None:
            self.result = self._checker(self.model.case)
        else:
            self.result = check_case(self.model.case, self.as_of(), self.protocol)
        if self._database_findings:   # what the team database knows (SPEC section 8), after the file's own
            case = self.model.case    # an agency added since the handover opened answers its finding
            still = tuple(f for f in self._database_findings if f.code != "known_elsewhere" or not family.records_all(
                case, f.detail.get("ref"), f.detail.get("agency_types"), f.detail.get("risk_factors")))
            self.result = replace(self.result, findings=self.result.findings + still)
        self._show_result()
        self.checked.emit(self.result)
        return self.result

    # -- building ------------------------------------------------------------------------------------
    def _build_form(self, form: Form) -> None:
        self.form = form
        self._sections = {}
        self.model.describe = lambda p: (form.field_at(p).label if form.field_at(p) else p)
        for p in list(self.pages.values()):
            self.stack.removeWidget(p)
            p.deleteLater()
        self.pages = {}
        self.network = None
        self.family_panels = []
        self.ctx = FieldContext(model=self.model, form=form, household_names=self._household_names,
                                lawful_basis=self._lawful_basis, built=self._lazily_built, people=self._people,
                                entry_actions=self._entry_actions, ask_agency=lambda t: self.ask_agency(t))
        if self.tasks is not None:
            self.tasks.setParent(None)
            self.tasks.deleteLater()
        self.tasks = TaskList(form)
        self.tasks.section_chosen.connect(self.show_section)
        self.task_host.addWidget(self.tasks, 1)
        for s in form.sections:
            page = SectionPage(s, self.ctx, self._before_field, self.continue_from, last=s is form.sections[-1])
            page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            self.pages[s.id] = page
            self.stack.addWidget(page)

    def _before_field(self, key: str) -> QWidget | None:
        if key in ("household", "child.given_name"):   # the family: its children, and adding one
            panel = FamilyPanel(with_findings=key == "household")
            panel.read_only = self.model.read_only
            panel.member_to_child.connect(self.member_to_child)
            panel.add_child.connect(self.add_child)
            panel.show_findings(list(self.result.findings) if self.result is not None else [])
            self.family_panels.append(panel)
            return panel
        if key != "agencies":
            return None
        self.network = NetworkGaps()
        self.network.read_only = self.model.read_only
        self.network.add_agency.connect(self.add_agency)
        self.network.ask_agency.connect(lambda t, refs: self.ask_agency(t, about=refs or None))
        self.network.names = lambda: {p.ref: p.name for p in family.people(family.view(self.model.case))}
        if self.result is not None:
            self.network.show_findings(list(self.result.findings))
        return self.network

    def _lazily_built(self, _w: QWidget) -> None:
        self._tab_timer.start()
        self._inline_timer.start()
        self._apply_reveal()

    # -- helpers for fields --------------------------------------------------------------------------
    def _people(self) -> list[tuple[str, str]]:
        """(ref, name) of everyone in a family's document (none in a one-child document)."""
        case = self.model.case
        if not family.is_v2(case):
            return []
        return [(p.ref, p.name) for p in family.people(case)]

    def _children_field(self) -> Any:
        return family.family_form(form_for(self.model.case)).form.field_at("children")

    def add_child(self) -> None:
        """Another child of the family in this handover (a one-child handover becomes a family): one undo
        step, then their details open."""
        if self.model.read_only:
            return
        new, i = family.with_child(self.model.case, blank_entry(self._children_field()))
        self.model.replace_document(new, "adding a child to this handover")
        self.focus_path(f"children[{i}].given_name")

    def member_to_child(self, ref: str) -> None:
        """The household member with ``ref`` (under 18, the check says) becomes one of the children: their
        name, date of birth, ref and the agencies they are known to stay with them; whether their case
        moves is asked. One undo step."""
        if self.model.read_only:
            return
        agencies = self.form.field_at("agencies") if self.form is not None else None
        try:
            new, i = family.with_member_as_child(self.model.case, ref, blank_entry(self._children_field()),
                                                 blank_entry(agencies) if agencies is not None else None)
        except LookupError:   # moved already (a second press, or the list changed since)
            return
        self.model.replace_document(new, "adding a household member to this handover as a child")
        self.focus_path(f"children[{i}].moves")

    def _replaced(self) -> None:
        """The whole document changed (a child added, or its undo)."""
        self._sections = {}
        self._show_document()

    def _household_names(self) -> list[str]:
        out = []
        for m in self.model.case.get("household") or []:
            if isinstance(m, dict) and isinstance(m.get("name"), str) and m["name"].strip():
                out.append(m["name"].strip())
        return out

    def _lawful_basis(self, entry_path: str) -> None:
        from ui.dialogs.lawful_basis import ask_lawful_basis

        split = split_list_path(entry_path)
        if split is None or self.model.read_only:
            return
        basis = ask_lawful_basis(self, self.model.case, split[1])
        if basis is None:
            return
        with self.model.macro("Record the lawful basis for sharing"):
            for k in ("type", "gateway", "reason"):
                self.model.set_value(f"{entry_path}.sharing_basis.{k}", basis[k], from_widget=False)
        self.focus_path(f"{entry_path}.sharing_basis.type")

    def add_agency(self, agency_type: str) -> int:
        """Add an agency of this type to the network and mark it involved (one undo step)."""
        if self.form is None or self.model.read_only:
            return -1
        fld = self.form.field_at("agencies")
        entry = blank_entry(fld)
        entry["type"] = agency_type
        with self.model.macro("Add to the agency network"):
            index = self.model.append_entry("agencies", entry)
            self.model.set_value(f"agency_checks.{agency_type}", "involved", from_widget=False)
        self.recheck_now()
        self.focus_path(f"agencies[{index}].name")
        return index

    # -- requests for information (SPEC section 7) ---------------------------------------------------
    def _entry_actions(self, key: str) -> list[EntryAction]:
        if key == "agencies":
            return [EntryAction("Ask this agency for information", self._ask_from_network)]
        if key == "information_requests":
            return [EntryAction("Print the request letter…", self._print_letter),
                    EntryAction("Add this agency to the network", self._network_from_request,
                                lambda p: self._agency_from_request(p) is not None)]
        return []

    def _family_field(self, key: str) -> Any:
        return family.family_form(form_for(self.model.case)).form.field_at(key)

    def ask_agency(self, agency_type: str, agency_name: str = "", about: list[str] | None = None) -> int:
        """A request for information to this agency, sent today by who is signed in (a one-child handover
        becomes a family: requests are recorded in handover-case/2): one undo step; its priority opens."""
        if self.model.read_only:
            return -1
        case = self.model.case
        req = family.new_request(case, blank_entry(self._family_field("information_requests")),
                                 agency_type=agency_type, agency_name=agency_name, about=about,
                                 sent=self.as_of().isoformat(), sent_by=self.account_name())
        if family.is_v2(case):
            index = self.model.append_entry("information_requests", req)
        else:
            new = family.as_family(case)
            new.setdefault("information_requests", []).append(req)
            index = len(new["information_requests"]) - 1
            self.model.replace_document(new, "asking an agency for information")
        self.recheck_now()
        self.focus_path(f"information_requests[{index}].priority")
        return index

    def _ask_from_network(self, entry_path: str) -> None:
        a = self.model.get(entry_path, None)
        if not isinstance(a, dict) or not isinstance(a.get("type"), str) or not a["type"]:
            self.focus_path(f"{entry_path}.type")   # which agency: its type first
            return
        about = a.get("involved_with") if family.is_v2(self.model.case) else None
        self.ask_agency(a["type"], a.get("name") if isinstance(a.get("name"), str) else "", about)

    def _print_letter(self, entry_path: str) -> None:
        split = split_list_path(entry_path)
        if split is not None:
            self.letter_requested.emit(split[1])

    def _agency_from_request(self, entry_path: str) -> dict[str, Any] | None:
        split = split_list_path(entry_path)
        if split is None or self.form is None or self.form.field_at("agencies") is None:
            return None
        return family.agency_of_request(self.model.case, split[1], blank_entry(self.form.field_at("agencies")))

    def _network_from_request(self, entry_path: str) -> None:
        """An agency that answered "holds information" joins the network, involved with the people it was
        asked about (one undo step); its details open."""
        entry = self._agency_from_request(entry_path)
        if entry is None or self.model.read_only:
            return
        with self.model.macro("Add to the agency network"):
            index = self.model.append_entry("agencies", entry)
            self.model.set_value(f"agency_checks.{entry['type']}", "involved", from_widget=False)
        self.recheck_now()
        self.focus_path(f"agencies[{index}].contact")

    # -- reacting to the model -----------------------------------------------------------------------
    def _document_changed(self, case: dict[str, Any]) -> None:
        self.changed.emit(case)
        self._timer.start()

    def _value_changed(self, path: str) -> None:
        loc = self._locate(path, build=False)
        if loc is not None and isinstance(loc[0], FieldWidget):
            loc[0].load()
        self._apply_reveal()

    def _apply_reveal(self) -> None:
        """GOV.UK conditional reveal: a ``reveal`` field shows while its condition holds, or once it has
        an answer (nothing typed is hidden)."""
        from handover.case import get_path
        from handover.checks.walk import condition_holds
        from handover.dates import is_blank

        case = self.model.case
        for w in self._live_fields():
            f = w.field
            if not f.reveal or f.required_when is None:
                continue
            path = w.path
            last = None
            for m in _INDEX.finditer(path):
                last = m
            entry = get_path(case, path[:last.end()], None) if last else None
            value = get_path(case, path, None)
            shown = condition_holds(f.required_when, case, entry if isinstance(entry, dict) else None) \
                or not is_blank(value)
            if w.isHidden() == shown:
                w.setVisible(shown)

    def _list_changed(self, list_path: str, op: str, a: int, b: int) -> None:
        loc = self._locate(list_path, build=False)
        if loc is not None and isinstance(loc[0], ListField) and loc[1] == "":
            loc[0].apply_list_change(op, a, b)

    def _path_touched(self, path: str) -> None:
        if self.form is not None:
            s = self._section_of(path)
            if s is not None:
                self._touched.add(s.id)
        # entry headings show the entry's name: refresh the entries this path lies in
        for m in _INDEX.finditer(path):
            e = self._locate(path[:m.end()], build=False)
            if e is not None and isinstance(e[0], EntryWidget) and e[1] == "":
                e[0].refresh_title()
        if path.startswith(("child.", "children")):
            self._update_title()

    # -- finding widgets by path ---------------------------------------------------------------------
    def _locate(self, path: str, build: bool) -> tuple[Any, str] | None:
        if self.form is None:
            return None
        section = self._section_of(path)
        if section is None:
            return None
        page = self.pages[section.id]
        if not page.built:
            if not build:
                return None
            page.build()
        return self._locate_in(page.fields, path, build)

    def _section_of(self, path: str) -> Section | None:
        generic = _INDEX.sub("[]", path)
        if generic not in self._sections:
            self._sections[generic] = self.form.section_of(path) if self.form else None
        return self._sections[generic]

    def _locate_in(self, widgets: list[FieldWidget], path: str, build: bool) -> tuple[Any, str] | None:
        best: FieldWidget | None = None
        for w in widgets:
            p = w.path
            if path == p or path.startswith(p + ".") or path.startswith(p + "["):
                if best is None or len(p) > len(best.path):
                    best = w
        if best is not None:
            rest = path[len(best.path):]
            if isinstance(best, ListField) and rest.startswith("["):
                close = rest.index("]")
                idx = int(rest[1:close])
                after = rest[close + 1:]
                if idx >= len(best.entries):
                    return best, rest
                entry = best.entries[idx]
                if entry.body is None or not entry.expanded():
                    if not build and entry.body is None:
                        return entry, after
                    if build:
                        entry.expand()
                if not after:
                    return entry, ""
                return self._locate_in(entry.fields, path, build) or (entry, after)
            return best, rest
        for w in widgets:
            if w.path.startswith(path + "."):
                return w, ""
        return None

    def _live_fields(self) -> list[FieldWidget]:
        out: list[FieldWidget] = []

        def walk(ws: list[FieldWidget]) -> None:
            for w in ws:
                out.append(w)
                if isinstance(w, ListField):
                    for e in w.entries:
                        if e.body is not None:
                            walk(e.fields)

        for page in self.pages.values():
            if page.built:
                walk(page.fields)
        return out

    def _entries(self) -> list[EntryWidget]:
        return [e for w in self._live_fields() if isinstance(w, ListField) for e in w.entries]

    # -- showing the findings --------------------------------------------------------------------------
    def _show_result(self) -> None:
        r = self.result
        if r is None or self.form is None or self.tasks is None:
            return
        groups = {sid: found for sid, _, found in r.by_section()}
        visited = set()
        for s in self.form.sections:
            touched = s.id in self._touched or section_touched(s, self.model.case)
            if touched:
                visited.add(s.id)
            self.tasks.set_status(s.id, section_status(groups.get(s.id, []), touched))
        self.tasks.viewport().update()
        # UX: errors wait until the person has been there — a section nobody has opened or answered
        # shows no red findings, in the panel or beside its fields (the task list says "Not started")
        self._visited = visited | {sid for sid in groups if sid not in {s.id for s in self.form.sections}}
        if self.model.read_only:   # reading (a manager, the receiving team): everything, as it stands
            self._visited = set(groups)
        self.findings.show_result(r, self.form, visited=self._visited)
        region = self._region() if self._region is not None else (self.protocol or default_protocol()).region
        self.deadlines.show_deadlines(r.deadlines, self.as_of(), region, self._label_of)
        if self.network is not None:
            self.network.show_findings(list(r.findings))
        for panel in self.family_panels:
            panel.show_findings(list(r.findings))
        for w in self.ctx.involved if self.ctx else ():
            w.load()
        self._apply_inline()

    def _label_of(self, path: str) -> str:
        f = self.form.field_at(path) if self.form else None
        return f.label if f else path

    def _apply_inline(self) -> None:
        r = self.result
        if r is None:
            return
        assigned: dict[int, list] = {}
        per_entry: dict[str, list] = {}
        visited = getattr(self, "_visited", None)
        waiting = set() if visited is None else {
            id(f) for sid, _, found in r.by_section() if sid not in visited for f in found}
        for f in r.findings:
            if id(f) in waiting:
                continue
            loc = self._locate(f.path, build=False)
            if loc is not None and isinstance(loc[0], FieldWidget):
                assigned.setdefault(id(loc[0]), []).append((f, loc[1]))
            for m in _INDEX.finditer(f.path):
                per_entry.setdefault(f.path[:m.end()], []).append(f)
        for w in self._live_fields():
            w.set_findings(assigned.get(id(w), []))
            if isinstance(w, ListField):
                for e in w.entries:
                    e.set_problems(per_entry.get(e.path, []))

    def _add_from_finding(self, agency_type: str) -> None:
        """A missing agency is fixed in the network: add it there, filled in, and go to its name."""
        if self.model.read_only or self.add_agency(agency_type) < 0:
            if "agencies" in self.pages:
                self.show_section("agencies")

    def _finding_activated(self, path: str, section_id: str) -> None:
        if path and self.focus_path(path):
            return
        if section_id in self.pages:
            self.show_section(section_id)

    def _reveal(self, target: QWidget) -> None:
        if not target.isVisible():
            return
        field = target
        while field is not None and not isinstance(field, FieldWidget):
            field = field.parentWidget()
        self.scroll.ensureWidgetVisible(target, 40, 80)
        if field is not None and field.height() < self.scroll.viewport().height():
            self.scroll.ensureWidgetVisible(field, 20, 20)
            self.scroll.ensureWidgetVisible(target, 40, 40)

    def _update_title(self) -> None:
        c = self.model.case
        name = family.family_title(c)
        self.title.setText(name or "Child not named yet")
        form_title = self.form.title if self.form else ""
        self.subtitle.setText(f"{form_title} · {c.get('id', '')}")

    def _fix_tab_order(self) -> None:
        page = self.stack.currentWidget()
        if not isinstance(page, SectionPage) or self.tasks is None:
            return
        chain: list[QWidget] = [self.undo_button, self.redo_button, *self.deadlines.buttons, self.tasks]
        if self.network is not None and page.section.id == "agencies":
            for agency, b in self.network.buttons.items():
                chain.append(b)
                if agency in self.network.ask_buttons:
                    chain.append(self.network.ask_buttons[agency])
        chain.extend(page.focus_widgets())
        chain.append(self.findings.tree)
        chain = [w for w in chain if w is not None]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

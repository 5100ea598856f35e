"""The task list (left), the findings panel (right), the deadline strip (top) and the agency network's
"missing or likely" box. They show what the checks found; none of them decides anything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from handover.calendar import calendar_for
from handover.protocol import REQUEST_RULE
from handover import labels
from handover.forms import Form
from handover.vocab import vocab
from ui.editor.status import SectionStatus
from ui.qt import (
    QColor,
    QFontMetrics,
    QFrame,
    QGridLayout,
    QIcon,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPainter,
    QPushButton,
    QSizePolicy,
    QRect,
    QSize,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.widgets.flow import FlowLayout
from ui.widgets.icons import COLOURS, icon
from ui.widgets.style import heading, muted, scaled_font

if TYPE_CHECKING:
    from handover.checks import CheckResult, Finding
    from handover.deadlines import Deadline

__all__ = ["TaskList", "FindingsPanel", "DeadlineStrip", "NetworkGaps", "fmt_date", "deadline_words"]

STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole
SECTION_ROLE = Qt.ItemDataRole.UserRole + 2
#: on a finding whose fix is adding an agency to the network (agency_missing): the agency type
ADD_AGENCY_ROLE = Qt.ItemDataRole.UserRole + 3
#: on the one line that stands for several warnings of one kind: how many
GROUPED_ROLE = Qt.ItemDataRole.UserRole + 4
#: warnings of one kind in one section from this many on are one line
GROUP_WARNINGS_FROM = 3


def fmt_date(d: date | None) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}" if d else "no date"


def short_date(d: date | None, as_of: date) -> str:
    if d is None:
        return "no date"
    return f"{d:%a} {d.day} {d:%b}" if d.year == as_of.year else f"{d.day} {d:%b %Y}"


def _days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


class _TaskDelegate(QStyledItemDelegate):
    """Section title on one line; the status, in words with its icon, on the next."""

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[int, int, int]:
        fm = option.fontMetrics
        pad = max(6, fm.height() // 2)
        return fm.height(), pad, int(fm.height() * 1.1)

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802, ANN001
        line, pad, ic = self._metrics(option)
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        width = max(80, option.widget.viewport().width() - 2 * pad - 4 - 2 * option.widget.spacing()) \
            if option.widget else 200
        bold = scaled_font(option.widget, 1.0, bold=True) if option.widget else option.font
        h = QFontMetrics(bold).boundingRect(QRect(0, 0, width, 10000), Qt.TextFlag.TextWordWrap, title).height()
        return QSize(width, h + self._status_height(option, index, width) + 2 * pad + 4)

    def _status_height(self, option: QStyleOptionViewItem, index, width: int) -> int:  # noqa: ANN001
        """The status in words, wrapped ("Needs attention (1) · 6 warnings" is wider than a narrow list)."""
        line, _pad, ic = self._metrics(option)
        status: SectionStatus | None = index.data(STATUS_ROLE)
        if status is None:
            return line
        h = option.fontMetrics.boundingRect(QRect(0, 0, max(40, width - ic - 6), 10000), Qt.TextFlag.TextWordWrap,
                                            status.detail).height()
        return max(line + 2, h)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:  # noqa: ANN001
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        opt.text = ""
        opt.icon = QIcon()  # the style draws the background and selection only
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        line, pad, ic = self._metrics(option)
        status: SectionStatus | None = index.data(STATUS_ROLE)
        r = option.rect.adjusted(pad + 4, pad, -pad, -pad)
        painter.save()
        bold = scaled_font(opt.widget, 1.0, bold=True) if opt.widget else option.font
        painter.setFont(bold)
        painter.setPen(QColor(COLOURS["text"]))
        th = QFontMetrics(bold).boundingRect(QRect(0, 0, r.width(), 10000), Qt.TextFlag.TextWordWrap, title).height()
        painter.drawText(QRect(r.left(), r.top(), r.width(), th), Qt.TextFlag.TextWordWrap, title)
        if status is not None:
            y = r.top() + th + 4
            icon(status.kind, ic).paint(painter, QRect(r.left(), y, ic, ic))
            painter.setFont(option.font)
            colour = COLOURS["red"] if status.kind == "attention" else COLOURS["secondary"]
            painter.setPen(QColor(colour))
            sh = self._status_height(option, index, r.width())
            painter.drawText(QRect(r.left() + ic + 6, y, r.width() - ic - 6, sh),
                             Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, status.detail)
        painter.restore()


class TaskList(QListWidget):
    """The sections of the form, each with its status in words and an icon."""

    section_chosen = Signal(str)

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.setObjectName("taskList")
        self.setAccessibleName("Sections of the handover")
        self.setItemDelegate(_TaskDelegate(self))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setSpacing(1)
        for s in form.sections:
            it = QListWidgetItem(s.title)
            it.setData(SECTION_ROLE, s.id)
            self.addItem(it)
        self.currentRowChanged.connect(self._row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 26)

    def _row(self, row: int) -> None:
        if row >= 0:
            self.section_chosen.emit(self.item(row).data(SECTION_ROLE))

    def set_status(self, section_id: str, status: SectionStatus) -> None:
        for i in range(self.count()):
            it = self.item(i)
            if it.data(SECTION_ROLE) == section_id:
                it.setData(STATUS_ROLE, status)
                it.setData(Qt.ItemDataRole.AccessibleTextRole, f"{it.text()}: {status.detail}")
                it.setToolTip(status.detail)

    def status_of(self, section_id: str) -> SectionStatus | None:
        for i in range(self.count()):
            if self.item(i).data(SECTION_ROLE) == section_id:
                return self.item(i).data(STATUS_ROLE)
        return None

    def select(self, section_id: str) -> None:
        for i in range(self.count()):
            if self.item(i).data(SECTION_ROLE) == section_id:
                self.setCurrentRow(i)

    def resizeEvent(self, e) -> None:  # noqa: N802, ANN001
        super().resizeEvent(e)
        self.scheduleDelayedItemsLayout()


class _WrapDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802, ANN001
        view = option.widget
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        depth = 0
        p = index.parent()
        while p.isValid():
            depth += 1
            p = p.parent()
        ic = opt.decorationSize.width() + 8 if not opt.icon.isNull() else 0
        width = max(60, view.viewport().width() - view.indentation() * (depth + 1) - ic - 16) if view else 240
        fm = opt.fontMetrics
        h = fm.boundingRect(QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, opt.text).height()
        return QSize(width, max(h, opt.decorationSize.height()) + fm.height() // 2 + 6)


class _FindingTree(QTreeWidget):
    def resizeEvent(self, e) -> None:  # noqa: N802, ANN001
        super().resizeEvent(e)
        self.scheduleDelayedItemsLayout()


class FindingsPanel(QWidget):
    """Every finding, grouped by section, each a link to its field (click or Enter)."""

    activated = Signal(str, str)  # path, section id
    #: an agency type: the finding is fixed in the network ("Add Probation to the agency network"), so it
    #: opens there with that agency filled in — never at the tick box that made it (UX.md)
    add_agency = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(6)
        self.title = heading("Check before you send", 1.25)
        lay.addWidget(self.title)
        self.summary = muted("")
        # the summary keeps the height its wrapped lines need; the list below gives way on a short screen
        self.summary.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay.addWidget(self.summary)
        self.tree = _FindingTree()
        self.tree.setObjectName("findings")
        self.tree.setAccessibleName("Problems found in this handover")
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegate(_WrapDelegate(self.tree))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setVerticalScrollMode(QTreeWidget.ScrollMode.ScrollPerPixel)
        self.tree.setIndentation(self.fontMetrics().horizontalAdvance("0"))
        self.tree.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.tree.itemActivated.connect(self._go)
        self.tree.itemClicked.connect(self._go)
        lay.addWidget(self.tree, 1)
        self._shown: tuple = ()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 30)

    def _go(self, it: QTreeWidgetItem, _col: int = 0) -> None:
        agency = it.data(0, ADD_AGENCY_ROLE)
        if agency:
            self.add_agency.emit(agency)
            return
        path = it.data(0, PATH_ROLE)
        self.activated.emit(path or "", it.data(0, SECTION_ROLE) or "")

    def show_result(self, result: "CheckResult", form: Form, visited: set[str] | None = None) -> None:
        """The findings by section; with ``visited``, only those of the sections the person has been to
        (the rest wait, counted in one line: a new handover does not open with a wall of red)."""
        sections = [(sid, title, found) for sid, title, found in result.by_section()
                    if visited is None or sid in visited]
        waiting = sum(len(found) for sid, _, found in result.by_section() if visited is not None and sid not in visited)
        shown = [f for _, _, found in sections for f in found]
        key = tuple((f.code, f.path, f.message) for f in shown) + (waiting,)
        errors = sum(1 for f in shown if f.is_error)
        warnings = len(shown) - errors
        w_words = f"{warnings} warning{'s' if warnings != 1 else ''}"
        later = (f" The sections you have not started yet need answers too: what each needs is listed once "
                 f"you have been there." if waiting else "")
        if not shown and waiting:
            text = "Nothing to fix in what you have done so far." + later
        elif not shown:
            text = "No problems found: the handover is ready for a final pack."
        elif not errors:
            text = (f"No errors: the final pack can be made. {w_words} for you to judge. Choose one to go to it."
                    if not waiting else f"No errors so far; {w_words} for you to judge." + later)
        else:
            text = (f"{errors} error{'s' if errors != 1 else ''} and {w_words}: fix the errors before the final "
                    "pack; warnings are for you to judge." + later)
        self.summary.setText(text)
        if key == self._shown:
            return
        self._shown = key
        expanded = {self.tree.topLevelItem(i).data(0, SECTION_ROLE)
                    for i in range(self.tree.topLevelItemCount()) if not self.tree.topLevelItem(i).isExpanded()}
        self.tree.clear()
        bold = scaled_font(self.tree, 1.0, bold=True)
        for section_id, title, found in sections:
            n_err = sum(1 for f in found if f.is_error)
            n_warn = len(found) - n_err
            counts = ", ".join(x for x in (f"{n_err} error{'s' if n_err != 1 else ''}" if n_err else "",
                                           f"{n_warn} warning{'s' if n_warn != 1 else ''}" if n_warn else "") if x)
            group = QTreeWidgetItem([f"{title} ({counts})"])
            group.setFont(0, bold)
            group.setData(0, SECTION_ROLE, section_id)
            group.setData(0, PATH_ROLE, "")
            self.tree.addTopLevelItem(group)
            # warnings of one kind come as one line (15 "not checked yet" do not bury the two that
            # matter); the line opens to show each, and goes to the first
            kinds: dict[str, list] = {}
            for f in found:
                if not f.is_error:
                    kinds.setdefault(f.code, []).append(f)
            grouped = {code for code, fs in kinds.items() if len(fs) >= GROUP_WARNINGS_FROM}
            done: set[str] = set()
            for f in sorted(found, key=lambda f: (not f.is_error)):
                if f.code in grouped:
                    if f.code in done:
                        continue
                    done.add(f.code)
                    same = kinds[f.code]
                    head = self._item(f"Warning: {labels.finding_group(f.code, len(same))}", f, section_id,
                                      "warning")
                    head.setData(0, GROUPED_ROLE, len(same))
                    group.addChild(head)
                    for g in same:
                        head.addChild(self._item(f"Warning: {g.message}", g, section_id, "warning"))
                    continue
                word = "Error" if f.is_error else "Warning"
                group.addChild(self._item(f"{word}: {f.message}", f, section_id, "error" if f.is_error else "warning"))
            group.setExpanded(section_id not in expanded)

    @staticmethod
    def _item(text: str, f: "Finding", section_id: str, kind: str) -> QTreeWidgetItem:
        it = QTreeWidgetItem([text])
        it.setIcon(0, icon(kind))
        it.setData(0, PATH_ROLE, f.path)
        it.setData(0, SECTION_ROLE, section_id)
        if f.code == "agency_missing" and isinstance(f.detail, dict) and f.detail.get("agency_type"):
            it.setData(0, ADD_AGENCY_ROLE, f.detail["agency_type"])
        it.setData(0, Qt.ItemDataRole.AccessibleTextRole, text)
        it.setToolTip(0, text)
        return it

    def items(self) -> list[QTreeWidgetItem]:
        """One item per finding (those grouped under one line included; not the line itself)."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            g = self.tree.topLevelItem(i)
            for j in range(g.childCount()):
                it = g.child(j)
                if it.data(0, GROUPED_ROLE):
                    out.extend(it.child(k) for k in range(it.childCount()))
                else:
                    out.append(it)
        return out

    def lines(self) -> list[QTreeWidgetItem]:
        """What the list shows at its first level under each section: a finding, or one line for several."""
        return [self.tree.topLevelItem(i).child(j) for i in range(self.tree.topLevelItemCount())
                for j in range(self.tree.topLevelItem(i).childCount())]


def deadline_words(d: "Deadline", as_of: date, region: str, starts_label: str) -> tuple[str, str, str]:
    """(title, status in words, icon kind) for one deadline."""
    what = labels.rule_label(d.rule)
    title = what[0].upper() + what[1:]
    if d.rule == REQUEST_RULE and getattr(d, "agency_name", ""):   # which agency: the family has several
        title = f"Request to {d.agency_name}"
    if d.status == "not_started":
        return title, f"Not started: the clock starts with “{starts_label}”", "waiting"
    due = short_date(d.due, as_of)
    if d.status == "met":
        return title, f"Done on time, {short_date(d.done, as_of)} (due {due})", "met"
    if d.status == "late":
        return title, f"Done late, by {_days(d.working_days_overdue)} (due {due})", "late"
    if d.status == "overdue":
        return title, f"Overdue by {_days(d.working_days_overdue)} (due {due})", "overdue"
    left = calendar_for(region).working_days_between(as_of, d.due) if d.due else 0
    when = "due today" if left == 0 else f"{_days(left)} left"
    return title, f"Due {due}: {when}", "due"


class DeadlineStrip(QFrame):
    """Each deadline with its due date and the working days left or overdue, in words."""

    activated = Signal(str)  # the path of the field that meets the deadline

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "panel")
        self.lay = FlowLayout(self, spacing=10)
        self.lay.setContentsMargins(20, 8, 12, 8)
        self.head = QLabel("Deadlines")
        self.head.setFont(scaled_font(self.head, 1.0, bold=True))
        self.head.setMinimumHeight(self.head.fontMetrics().lineSpacing() * 2 + 12)
        self.lay.addWidget(self.head)
        self.buttons: list[QToolButton] = []
        self.empty = muted("None for this direction.")
        self.lay.addWidget(self.empty)
        # on a short screen (150 % scaling) the cards fold into one line that opens them
        self.toggle = QToolButton()
        self.toggle.setObjectName("deadlinesToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle.toggled.connect(lambda _on: self._apply())
        self.toggle.hide()
        self.lay.addWidget(self.toggle)
        self._compact = False
        self._counts = ""
        self._shown: tuple = ()

    def set_compact(self, compact: bool) -> None:
        if compact != self._compact:
            self._compact = compact
            self._apply()

    def _apply(self) -> None:
        open_ = not self._compact or self.toggle.isChecked()
        self.head.setVisible(not self._compact)
        self.toggle.setVisible(self._compact and bool(self.buttons))
        verb = "hide" if self.toggle.isChecked() else "show"
        self.toggle.setText(f"Deadlines: {self._counts} ({verb})")
        self.toggle.setAccessibleName(f"Deadlines: {self._counts}. Press to {verb} them")
        for b in self.buttons:
            b.setVisible(open_)

    def _card(self, kind: str, title: str, words: str, accessible: str, status: str, path: str,
              tip: str = "") -> None:
        """One deadline card, after the ones shown already; pressing it opens ``path``."""
        b = QToolButton()
        b.setObjectName("deadline")
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setIcon(icon(kind))
        b.setText(f"{title}\n{words}")
        b.setAccessibleName(accessible)
        if tip:
            b.setToolTip(tip)
        b.setProperty("status", status)
        b.clicked.connect(lambda _=False: self.activated.emit(path))
        self.lay.insertWidget(1 + len(self.buttons), b)
        self.buttons.append(b)

    def show_deadlines(self, deadlines: tuple["Deadline", ...], as_of: date, region: str,
                       label_of: Callable[[str], str]) -> None:
        # a request's card is named by its agency: a renamed agency is a new strip
        key = tuple((d.rule, d.status, d.due, d.done, d.working_days_overdue, d.path, d.agency_name)
                    for d in deadlines) + (as_of,)
        if key == self._shown:
            return
        self._shown = key
        for b in self.buttons:
            b.setParent(None)
            b.deleteLater()
        self.buttons = []
        self.empty.setVisible(not deadlines)
        # a family's requests for information answered on time are one card (the strip is for what needs
        # doing): the overdue, late and open ones keep a card each
        answered = [d for d in deadlines if d.rule == REQUEST_RULE and d.status == "met"]
        shown = [d for d in deadlines if len(answered) < 2 or d not in answered]
        if len(answered) >= 2:
            words = f"{len(answered)} answered on time"
            self._card("met", "Requests for information", words, f"Deadlines: requests for information. {words}",
                       "met", "information_requests")
        for d in shown:
            title, words, kind = deadline_words(d, as_of, region, label_of(d.starts_path))
            self._card(kind, title, words, f"Deadline: {title}. {words}", d.status, d.done_path,
                       f"Due {fmt_date(d.due)}. {d.basis}\nTimescale: {_days(d.working_days)}")
        counts: dict[str, int] = {}
        for d in deadlines:
            counts[d.status] = counts.get(d.status, 0) + 1
        order = ("overdue", "late", "due", "met", "not_started")
        self._counts = ", ".join(f"{counts[st]} {labels.status_label(st).lower()}" for st in order if st in counts)
        self._apply()


def _empty(lay: QVBoxLayout, keep: QWidget | None = None) -> None:
    """Take every widget out of a panel's layout (to be filled again), deleting all but ``keep``."""
    while lay.count():
        w = lay.takeAt(0).widget()
        if w is not None and w is not keep:
            w.setParent(None)
            w.deleteLater()


class NetworkGaps(QFrame):
    """Above the agency list: agencies missing from the network, agencies likely to be involved, and
    agencies other stored handovers record for these people (``known_elsewhere``, SPEC section 8)."""

    add_agency = Signal(str)
    ask_agency = Signal(str, list)     #: agency type, the refs of the people to ask about ([]: the children)

    def __init__(self) -> None:
        super().__init__()
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(12)
        self._shown: tuple = ()
        self.read_only = False
        self.buttons: dict[str, QPushButton] = {}
        self.ask_buttons: dict[str, QPushButton] = {}
        #: each person's ref → their name in this handover (set by the editor)
        self.names: Callable[[], dict[str, str]] = lambda: {}

    def _box(self, title: str, intro: str, role: str, rows: list[tuple[Any, ...]]) -> QFrame:
        box = QFrame()
        box.setProperty("role", role)
        v = QVBoxLayout(box)
        v.setContentsMargins(16, 12, 16, 12)
        v.setSpacing(8)
        v.addWidget(heading(title, 1.15))
        v.addWidget(muted(intro))
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        for r, (agency, text, *about) in enumerate(rows):
            name = QLabel(vocab().label("agency_types", agency))
            name.setFont(scaled_font(name, 1.0, bold=True))
            name.setWordWrap(True)
            why = QLabel(text)
            why.setWordWrap(True)
            col = QVBoxLayout()
            col.setSpacing(2)
            col.addWidget(name)
            col.addWidget(why)
            grid.addLayout(col, r, 0)
            b = QPushButton("Add to network")
            b.setAccessibleName(f"Add {vocab().label('agency_types', agency)} to the agency network")
            b.clicked.connect(lambda _=False, a=agency: self.add_agency.emit(a))
            b.setVisible(not self.read_only)
            self.buttons[agency] = b
            ask = QPushButton("Ask this agency")
            ask.setAccessibleName(f"Ask {vocab().label('agency_types', agency)} what it knows about the family")
            ask.clicked.connect(lambda _=False, a=agency, who=list(about[0] if about else []):
                                self.ask_agency.emit(a, who))
            ask.setVisible(not self.read_only)
            self.ask_buttons[agency] = ask
            pair = QVBoxLayout()
            pair.setSpacing(4)
            pair.addWidget(b)
            pair.addWidget(ask)
            grid.addLayout(pair, r, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        v.addLayout(grid)
        return box

    def show_findings(self, findings: list["Finding"]) -> None:
        missing = [f for f in findings if f.code == "agency_missing"]
        missing_types = {f.detail.get("agency_type") for f in missing}
        # adding a missing agency also settles it being likely: list it once
        likely = [f for f in findings if f.code == "agency_expected"
                  and f.detail.get("agency_type") not in missing_types]
        shown_types = missing_types | {f.detail.get("agency_type") for f in likely}
        elsewhere: dict[str, list[Any]] = {}       # agency type → the known_elsewhere findings naming it
        for f in findings:
            if f.code == "known_elsewhere":
                for code in f.detail.get("agency_types") or ():
                    if code not in shown_types:
                        elsewhere.setdefault(code, []).append(f)
        key = tuple((f.code, f.message) for f in missing + likely + [g for fs in elsewhere.values() for g in fs]) \
            + (self.read_only,)
        if key == self._shown:
            return
        self._shown = key
        _empty(self.lay)
        self.buttons = {}
        self.ask_buttons = {}
        if missing:
            rows = []
            for f in missing:
                text = f.message.split(": ", 1)[-1].split(". An agency")[0]
                rows.append((f.detail.get("agency_type", ""), text[0].upper() + text[1:] + "."))
            self.lay.addWidget(self._box(
                "Missing from the network",
                "These agencies hold information about the family but are not in the agency network.",
                "callout-red", rows))
        if likely:
            rows = [(f.detail.get("agency_type", ""),
                     "Likely because of " + " and ".join(dict.fromkeys(f.detail.get("because") or [])) + ".")
                    for f in likely]
            self.lay.addWidget(self._box(
                "Likely to be involved",
                "Add each one, or mark it “Not involved” in the checklist below once you have checked.",
                "callout", rows))
        if elsewhere:
            names = self.names()
            rows = []
            for code, found in elsewhere.items():
                refs = list(dict.fromkeys(str(f.detail.get("ref")) for f in found))
                who = " and ".join(names.get(r, "someone in this handover") for r in refs)
                n = max(int(f.detail.get("handovers") or 0) for f in found)
                rows.append((code, f"Recorded for {who} in {n} other handover{'s' if n != 1 else ''} "
                                   "of this council.", refs))
            self.lay.addWidget(self._box(
                "Recorded in other handovers",
                "Other handovers in this database record these agencies for people in this one. Ask each "
                "agency what it knows, or add it to the network.", "callout", rows))
        self.setVisible(bool(missing or likely or elsewhere))


class FamilyPanel(QFrame):
    """Before the household list (and the one child's details): the children of the household who are not
    in this handover, each with *Add to this handover as a child*, and *Add another child to this
    handover*. Which members count is the check's rule (``child_in_household_not_listed``)."""

    member_to_child = Signal(str)     #: a household member's ref
    add_child = Signal()

    def __init__(self, with_findings: bool) -> None:
        super().__init__()
        self.with_findings = with_findings
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(8)
        self.read_only = False
        self._shown: tuple = ()
        self.buttons: list[QPushButton] = []
        self.add_button = QPushButton("Add another child to this handover")
        self.add_button.setAccessibleName("Add another child of the family to this handover")
        self.add_button.clicked.connect(lambda _=False: self.add_child.emit())
        self.show_findings([])

    def show_findings(self, findings: list["Finding"]) -> None:
        found = [f for f in findings if f.code == "child_in_household_not_listed"] if self.with_findings else []
        key = tuple((f.path, f.message) for f in found) + (self.read_only,)
        if key == self._shown:
            return
        self._shown = key
        _empty(self.lay, keep=self.add_button)
        self.buttons = []
        if found:
            box = QFrame()
            box.setProperty("role", "callout-red")
            v = QVBoxLayout(box)
            v.setContentsMargins(16, 12, 16, 12)
            v.setSpacing(8)
            v.addWidget(heading("Children of the household not in this handover", 1.15))
            for f in found:
                ref = f.detail.get("ref")
                if not isinstance(ref, str) or not ref:
                    continue
                why = QLabel(f.message)
                why.setWordWrap(True)
                v.addWidget(why)
                b = QPushButton("Add to this handover as a child")
                name = f.detail.get("name") or "this person"
                b.setAccessibleName(f"Add {name} to this handover as a child")
                b.clicked.connect(lambda _=False, r=ref: self.member_to_child.emit(r))
                b.setVisible(not self.read_only)
                self.buttons.append(b)
                v.addWidget(b, 0, Qt.AlignmentFlag.AlignLeft)
            self.lay.addWidget(box)
        self.add_button.setVisible(not self.read_only)
        self.lay.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

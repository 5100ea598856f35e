"""Team and overdue: the managers' dashboard.

Counts by state and direction; every overdue (or late) deadline the manager may see, filtered by team,
direction, rule and worker and sorted in SQL a page at a time (a lazy model: the page opens at once on
100,000 handovers); escalations (waiting for acknowledgement, allocation or the front door's decision
longer than the protocol allows) in words and highlighted; two charts drawn with QPainter — the share of
deadlines met by month, and the overdue count by team — each with value labels on the bars, hatching
rather than colour alone, and a text alternative for screen readers; and exports to CSV and XLSX.

The charts load on a worker thread after the page is shown, so their queries never hold up the table.
"""

from __future__ import annotations

import html

import threading
from typing import Any, Callable

from handover import labels
from handover.app import OperationError as ServiceError
from handover.app.operations import ESCALATION_RULES, OVERDUE_COLUMNS, OVERDUE_HEADINGS, WAITING_STATES, OverdueFilter
from handover.workflow import STATES
from ui.operations import ops
from ui.inbox import nice_date, rule_label
from ui.qt import (QAbstractTableModel, QBrush, QCheckBox, QColor, QComboBox, QFileDialog, QFont, QFontMetrics,
                   QFrame, QHBoxLayout, QHeaderView, QLabel, QModelIndex, QObject, QPainter, QPen,
                   QPersistentModelIndex, QPushButton, QRectF, QScrollArea, QSizePolicy, QSplitter, Qt, QTableView, QTableWidget,
                   QTableWidgetItem, QTimer, QVBoxLayout, QWidget, Signal)
from ui.widgets.flow import FlowLayout
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["DashboardPage", "OverdueModel", "TimelinessChart", "TeamChart", "PAGE"]

PAGE = 200
_DIRECTIONS = {d: labels.direction_badge(d) for d in labels.directions()}
_STATES_WORDS = {s: labels.state_label(s) for s in STATES}
_INK = QColor("#0b0c0c")
_BLUE = QColor("#1d70b8")
_RED = QColor("#d4351c")
_GRID = QColor("#b1b4b6")
_ESCALATE_BG = QColor("#fde8e6")


# ---------------------------------------------------------------- the overdue table


class OverdueModel(QAbstractTableModel):
    """OverdueItem rows fetched a page at a time: ``fetch(filter, sort, desc, offset, limit)``, ``count(filter)``."""

    def __init__(self, fetch: Callable[..., list[Any]], count: Callable[[OverdueFilter], int],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch, self._count = fetch, count
        self.filter = OverdueFilter(statuses=("overdue",))
        self.sort_key, self.desc = "due", False     # oldest due first = most working days overdue first
        self._rows: list[Any] = []
        self.total = 0

    def reload(self) -> None:
        self.beginResetModel()
        self.total = self._count(self.filter)
        self._rows = self._fetch(self.filter, self.sort_key, self.desc, 0, PAGE)
        self.endResetModel()

    def set_filter(self, f: OverdueFilter) -> None:
        self.filter = f
        self.reload()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, i: int) -> Any:
        return self._rows[i]

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = self._fetch(self.filter, self.sort_key, self.desc, len(self._rows), PAGE)
        if not more:
            self.total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(OVERDUE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return OVERDUE_HEADINGS[OVERDUE_COLUMNS[section]]
        return None

    @staticmethod
    def escalation(item: Any) -> str | None:
        """Why this row is an escalation (waiting on the receiving side too long), or None."""
        if item.status == "overdue" and item.rule in ESCALATION_RULES and item.state in WAITING_STATES:
            return ESCALATION_RULES[item.rule]
        return None

    def text(self, item: Any, col: str) -> str:
        v = getattr(item, col)
        if col == "direction":
            return _DIRECTIONS.get(v) or labels.direction_badge(v)
        if col == "rule":
            return rule_label(v)
        if col == "state":
            return _STATES_WORDS.get(v) or labels.state_label(v)
        if col == "due":
            return v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else str(v or "")   # as people write it
        if col == "status":
            esc = self.escalation(item)
            word = labels.status_label(v)
            return f"{word} — escalate" if esc else word
        return str(v)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._rows[index.row()]
        col = OVERDUE_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(item, col)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            esc = self.escalation(item) if col == "status" else None
            return self.text(item, col) + (f": {esc} longer than the protocol allows" if esc else "")
        if role == Qt.ItemDataRole.BackgroundRole and self.escalation(item):
            return QBrush(_ESCALATE_BG)
        if role == Qt.ItemDataRole.FontRole and self.escalation(item) and col == "status":
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and col == "working_days_overdue":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == "status" and self.escalation(item):
            return f"Escalate: {self.escalation(item)} longer than the protocol allows."
        if role == Qt.ItemDataRole.ToolTipRole:     # a narrowed column's whole text
            return self.text(item, col)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = OVERDUE_COLUMNS[column]
        desc = order == Qt.SortOrder.DescendingOrder
        if (key, desc) == (self.sort_key, self.desc):
            return
        self.sort_key, self.desc = key, desc
        self.reload()


# ---------------------------------------------------------------- charts


def _hatch(i: int) -> Qt.BrushStyle:
    return (Qt.BrushStyle.SolidPattern, Qt.BrushStyle.BDiagPattern, Qt.BrushStyle.CrossPattern,
            Qt.BrushStyle.Dense4Pattern, Qt.BrushStyle.FDiagPattern, Qt.BrushStyle.DiagCrossPattern,
            Qt.BrushStyle.HorPattern)[i % 7]


class _Chart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.message = "Loading…"
        self.setMinimumHeight(QFontMetrics(self.font()).height() * 14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)   # reachable, so a screen reader reads its description
        self.setAccessibleName(title)

    def _frame(self, p: QPainter) -> QRectF:
        p.fillRect(self.rect(), QColor("white"))
        fm = QFontMetrics(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(_INK)
        p.drawText(QRectF(8, 4, self.width() - 16, fm.height() + 4), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(self.font())
        if self.hasFocus():
            p.setPen(QPen(_INK, 3))
            p.drawRect(self.rect().adjusted(1, 1, -2, -2))
        return QRectF(8, fm.height() * 2 + 4, self.width() - 16, self.height() - fm.height() * 2 - 12)

    def _say(self, p: QPainter, area: QRectF, text: str) -> None:
        p.setPen(QColor("#505a5f"))
        p.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)


class TimelinessChart(_Chart):
    """Share of deadlines met, by month (of the due date), for one rule or all: a bar per month with its
    percentage above and the number of settled deadlines below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Deadlines met on time, by month (n: deadlines that fell due)", parent)
        self.rows: list[Any] = []
        self.rule: str | None = None
        self.bars: list[tuple[str, int, int]] = []    # (month, met, settled)

    def set_data(self, rows: list[Any], rule: str | None = None) -> None:
        self.rows, self.rule = rows, rule
        by_month: dict[str, list[int]] = {}
        for r in rows:
            if rule and r.rule != rule:
                continue
            m = by_month.setdefault(r.month, [0, 0])
            m[0] += r.met
            m[1] += r.settled
        self.bars = [(m, v[0], v[1]) for m, v in sorted(by_month.items())]
        self.message = "" if self.bars else "No deadlines fell due in this period."
        what = rule_label(rule).lower() if rule else "all deadlines"
        desc = "; ".join(f"{_month(m)}: {round(100 * met / n)}% of {n} met" for m, met, n in self.bars if n)
        self.setAccessibleDescription(f"Share of {what} met on time by month. {desc}")
        self.setToolTip(f"Share of {what} met on time, by the month they fell due")
        self.update()

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._frame(p)
        if not self.bars:
            self._say(p, area, self.message)
            return
        fm = QFontMetrics(self.font())
        axis_w = fm.horizontalAdvance("100%") + 8
        top = area.top() + fm.height() + 4               # room for the value labels
        bottom = area.bottom() - 2 * fm.height() - 6      # room for month and n labels
        left = area.left() + axis_w
        h = max(10.0, bottom - top)
        p.setPen(QPen(_GRID, 1, Qt.PenStyle.DashLine))
        for pct in (0, 25, 50, 75, 100):
            y = bottom - h * pct / 100
            p.drawLine(int(left), int(y), int(area.right()), int(y))
            p.setPen(_INK)
            p.drawText(QRectF(area.left(), y - fm.height() / 2, axis_w - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{pct}%")
            p.setPen(QPen(_GRID, 1, Qt.PenStyle.DashLine))
        n = len(self.bars)
        slot = (area.right() - left) / n
        bw = max(4.0, slot * 0.62)
        for i, (month, met, settled) in enumerate(self.bars):
            share = met / settled if settled else 0.0
            x = left + i * slot + (slot - bw) / 2
            y = bottom - h * share
            p.setPen(QPen(_INK, 1))
            p.setBrush(QBrush(_BLUE))
            p.drawRect(QRectF(x, y, bw, bottom - y))
            label = f"{round(share * 100)}%"
            p.setPen(_INK)
            p.drawText(QRectF(x - slot, y - fm.height() - 2, bw + 2 * slot, fm.height()),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, label)
            p.drawText(QRectF(left + i * slot, bottom + 2, slot, fm.height()), Qt.AlignmentFlag.AlignHCenter,
                       _month(month, short=slot < fm.horizontalAdvance("Sep 26") + 4))
            p.setPen(QColor("#505a5f"))
            n_text = next((t for t in (f"n={settled:,}", f"{settled:,}", f"{settled / 1000:.1f}k")
                           if fm.horizontalAdvance(t) <= slot - 2), "")
            p.drawText(QRectF(left + i * slot, bottom + fm.height() + 4, slot, fm.height()),
                       Qt.AlignmentFlag.AlignHCenter, n_text)
        p.end()


def _month(m: str, short: bool = False) -> str:
    import calendar

    y, mo = m.split("-")
    name = calendar.month_abbr[int(mo)]
    return name if short else f"{name} {y[2:]}"


class TeamChart(_Chart):
    """Overdue deadlines now, by sending team: a horizontal bar per team, its name left and count right,
    each bar hatched differently so teams are told apart without colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Overdue now, by team", parent)
        self.counts: list[tuple[str, int]] = []

    def set_data(self, counts: dict[str, int]) -> None:
        self.counts = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        self.message = "" if self.counts else "Nothing is overdue."
        self.setAccessibleDescription("Overdue deadlines now by team. " +
                                      "; ".join(f"{t}: {n}" for t, n in self.counts))
        self.update()

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        p = QPainter(self)
        area = self._frame(p)
        if not self.counts:
            self._say(p, area, self.message)
            return
        fm = QFontMetrics(self.font())
        name_w = min(max(fm.horizontalAdvance(t) for t, _ in self.counts) + 10, area.width() * 0.45)
        num_w = fm.horizontalAdvance(f"{max(n for _, n in self.counts):,}") + 10
        row_h = min(fm.height() * 2.0, area.height() / len(self.counts))
        bar_h = max(4.0, min(row_h - 6, fm.height() * 1.3))
        top_n = max(n for _, n in self.counts) or 1
        span = area.width() - name_w - num_w
        for i, (team, n) in enumerate(self.counts):
            y = area.top() + i * row_h
            p.setPen(_INK)
            p.drawText(QRectF(area.left(), y, name_w - 8, row_h),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(team, Qt.TextElideMode.ElideRight, int(name_w - 8)))
            w = span * n / top_n
            rect = QRectF(area.left() + name_w, y + (row_h - bar_h) / 2, max(1.0, w), bar_h)
            p.fillRect(rect, QColor("white"))
            p.setBrush(QBrush(_RED, _hatch(i)))
            p.setPen(QPen(_INK, 1))
            p.drawRect(rect)
            p.setPen(_INK)
            p.drawText(QRectF(rect.right() + 6, y, num_w, row_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{n:,}")
        p.end()


# ---------------------------------------------------------------- the page


class _Loader(QObject):
    done = Signal(object)


class DashboardPage(QWidget):
    """``DashboardPage(app, parent=None, background=True)``: team and overdue.

    ``open_case(case_id)`` is emitted when a row of the overdue table is opened (double-click, or Enter
    on the selected row): the main window opens that handover.
    """

    open_case = Signal(str)

    def __init__(self, app: Any, parent: QWidget | None = None, *, background: bool = True) -> None:
        super().__init__(parent)
        self.app = app
        self.actor = actor = app.actor
        self.background = background
        self.setStyleSheet(STYLE_SHEET)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Dashboard message")

        # counts by state and direction
        self.counts = QTableWidget(len(STATES) + 1, 3)
        self.counts.setAccessibleName("Handovers by state and direction")
        self.counts.setHorizontalHeaderLabels([labels.direction_label("step_down"), labels.direction_label("step_up"),
                                               "Total"])
        self.counts.setVerticalHeaderLabels([_STATES_WORDS[s] for s in STATES] + ["Total"])
        self.counts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.counts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.counts.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.counts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # 3 stretched columns

        # charts
        self.timeliness = TimelinessChart()
        self.team_chart = TeamChart()
        self.chart_rule = QComboBox()
        self.chart_rule.setAccessibleName("Deadline shown in the timeliness chart")
        self.chart_rule.addItem("All deadlines", None)
        protocol_rules = {d: [r.rule for r in rules] for d, rules in ops.protocol(app.ctx).rules.items()}
        for direction, rules in protocol_rules.items():
            for r in rules:
                self.chart_rule.addItem(f"{rule_label(r)} ({labels.direction_label(direction).lower()})", r)
        self.chart_rule.currentIndexChanged.connect(
            lambda _i: self.timeliness.set_data(self.timeliness.rows, self.chart_rule.currentData()))

        # escalations
        self.escalations = QLabel("")
        self.escalations.setWordWrap(True)
        self.escalations.setAccessibleName("Escalations")
        self.escalation_frame = QFrame()
        self.escalation_frame.setProperty("role", "callout-red")
        self.show_escalations = QPushButton("Show only these")
        self.show_escalations.setAccessibleName("Show only the escalations")
        self.show_escalations.clicked.connect(lambda: self.only_escalations.setChecked(True))
        self.escalation_frame.hide()
        esc = QHBoxLayout(self.escalation_frame)
        esc.addWidget(self.escalations, 1)
        esc.addWidget(self.show_escalations)

        # requests for information unanswered past their deadline, by agency: which agency does not answer
        self.requests = QLabel("")
        self.requests.setWordWrap(True)
        self.requests.setAccessibleName("Requests for information overdue, by agency")
        self.requests_frame = QFrame()
        self.requests_frame.setProperty("role", "callout")
        self.requests_frame.hide()
        req = QVBoxLayout(self.requests_frame)
        req.addWidget(self.requests)

        # filters
        self.team = QComboBox()
        self.direction = QComboBox()
        self.rule = QComboBox()
        self.worker = QComboBox()
        self.status = QComboBox()
        self.only_escalations = QCheckBox("Escalations only")
        self.only_escalations.setAccessibleName("Show escalations only")
        for box, name in ((self.team, "Filter by sending team"), (self.direction, "Filter by direction"),
                          (self.rule, "Filter by deadline"), (self.worker, "Filter by worker"),
                          (self.status, "Which deadlines to show")):
            box.setAccessibleName(name)
        self.direction.addItem("Both directions", None)
        for d, label in _DIRECTIONS.items():
            self.direction.addItem(label, d)
        self.rule.addItem("All deadlines", None)
        for direction, rules in protocol_rules.items():
            for r in rules:
                self.rule.addItem(rule_label(r), r)
        self.status.addItem("Overdue now", "overdue")
        self.status.addItem(labels.status_label("late"), "late")
        self.status.addItem("Overdue now and done late", "overdue,late")
        self.team.addItem("All teams (whole council)", None)
        self.worker.addItem("All workers", None)
        try:
            for t in ops.teams(app.ctx):
                self.team.addItem(t.name, t.id)
            for uid, name, team in ops.workers(app.ctx):
                self.worker.addItem(f"{name} ({team})" if team else name, uid)
        except ServiceError as e:
            self.message.setText(str(e))

        self.model = OverdueModel(app.fetcher(ops.overdue_page, []), app.fetcher(ops.overdue_total, 0), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Overdue deadlines")
        self.table.setAccessibleDescription("Double-click a row, or press Enter on it, to open the handover.")
        self.table.setToolTip("Double-click a row, or press Enter, to open the handover")
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        # activated: a double-click, or Enter on the current row (Qt's way, also a single click where
        # the platform opens items on a single click)
        self.table.activated.connect(self._open_row)
        # the indicator first: enabling sorting sorts by it, which is the model's own order (no extra query)
        self.table.horizontalHeader().setSortIndicator(OVERDUE_COLUMNS.index("due"), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hdr.setStretchLastSection(True)
        fm = QFontMetrics(self.font())
        for col, sample in zip(OVERDUE_COLUMNS, ("DEMO-000000", "Willow Pennyfeather", "↓ Step-down",
                                                 "CSC Child in Need South", "Dana Whitfield",
                                                 "Awaiting authorisation", "Lead professional agreed",
                                                 "25/11/2026", "OVERDUE — escalate",
                                                 "Working days overdue")):
            self.table.setColumnWidth(OVERDUE_COLUMNS.index(col), fm.horizontalAdvance(sample) + 24)
        self._natural = [self.table.columnWidth(i) for i in range(len(OVERDUE_COLUMNS))]
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Number of rows")

        # exports
        self.export_overdue_csv = QPushButton("Export list as CSV…")
        self.export_overdue_xlsx = QPushButton("Export list as Excel…")
        self.export_all_csv = QPushButton("All transitions as CSV…")
        self.export_all_xlsx = QPushButton("All transitions as Excel…")
        for b, name, kind, fmt in (
                (self.export_overdue_csv, "Export the overdue list as CSV", "overdue", "csv"),
                (self.export_overdue_xlsx, "Export the overdue list as Excel", "overdue", "xlsx"),
                (self.export_all_csv, "Export all transitions as CSV (SSD fields)", "transitions", "csv"),
                (self.export_all_xlsx, "Export all transitions as Excel (SSD fields)", "transitions", "xlsx")):
            b.setAccessibleName(name)
            b.clicked.connect(lambda _=False, k=kind, f=fmt: self.export_overdue(f) if k == "overdue"
                              else self.export_transitions(f))
        self.choose_path: Callable[[str, str], str] = self._ask_path   # tests replace it

        # layout
        top = QSplitter(Qt.Orientation.Horizontal)
        counts_box = QWidget()
        cl = QVBoxLayout(counts_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(heading("Handovers by state", 1.15))
        cl.addWidget(self.counts, 1)
        time_box = QWidget()
        tl = QVBoxLayout(time_box)
        tl.setContentsMargins(0, 0, 0, 0)
        rule_row = QHBoxLayout()
        rule_lab = QLabel("Deadline:")
        rule_lab.setBuddy(self.chart_rule)
        rule_row.addWidget(rule_lab)
        rule_row.addWidget(self.chart_rule, 1)
        tl.addLayout(rule_row)
        tl.addWidget(self.timeliness, 1)
        top.addWidget(counts_box)
        top.addWidget(self.team_chart)
        top.addWidget(time_box)
        top.setSizes([330, 420, 560])

        # the filters and the exports flow onto more lines when the window is narrow (150 % scaling)
        filters_box = QWidget()
        filters = FlowLayout(filters_box, spacing=12)
        filters.setContentsMargins(0, 0, 0, 0)
        for text, w in (("Team", self.team), ("Direction", self.direction), ("Deadline", self.rule),
                        ("Worker", self.worker), ("Show", self.status)):
            cell = QWidget()
            cv = QVBoxLayout(cell)
            cv.setContentsMargins(0, 0, 0, 0)
            cv.setSpacing(2)
            lab = QLabel(text)
            lab.setBuddy(w)
            cv.addWidget(lab)
            cv.addWidget(w)
            filters.addWidget(cell)
        filters.addWidget(self.only_escalations)
        exports_box = QWidget()
        exports = FlowLayout(exports_box, spacing=8)
        exports.setContentsMargins(0, 0, 0, 0)
        exports.addWidget(self.count_label)
        for b in (self.export_overdue_csv, self.export_overdue_xlsx, self.export_all_csv, self.export_all_xlsx):
            exports.addWidget(b)
        for chart in (self.team_chart, time_box):
            chart.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("0") * 12)
        # the counts: its state names and three columns of numbers, whole
        self.counts.horizontalHeader().setMinimumSectionSize(QFontMetrics(self.font()).horizontalAdvance("00000"))
        counts_box.setMinimumWidth(self.counts.verticalHeader().sizeHint().width() + 3 * (
            QFontMetrics(self.font()).horizontalAdvance(labels.direction_label("step_down")) + 16) + 8)

        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(heading("Overdue and late deadlines", 1.15))
        bl.addWidget(self.escalation_frame)
        bl.addWidget(self.requests_frame)
        bl.addWidget(filters_box)
        bl.addWidget(exports_box)
        bl.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        # the page scrolls up and down on a short screen, never sideways
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("DashboardScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setMinimumHeight(QFontMetrics(self.font()).lineSpacing() * 34)
        self.scroll.setWidget(inner)
        outer.addWidget(self.scroll)
        lay = QVBoxLayout(inner)
        title = heading("Team and overdue", 1.5)
        lay.addWidget(title)
        lay.addWidget(muted(f"As of {nice_date(app.today())}. Working days exclude weekends and bank "
                            "holidays. Highlighted rows marked “escalate” have waited longer than the protocol "
                            "allows for acknowledgement, allocation or the front door's decision."))
        lay.addWidget(self.message)
        lay.addWidget(split, 1)

        for w in (self.team, self.direction, self.rule, self.worker, self.status):
            w.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.only_escalations.toggled.connect(lambda _b: self.apply_filters())
        order = [self.counts, self.team_chart, self.chart_rule, self.timeliness, self.show_escalations, self.team,
                 self.direction, self.rule, self.worker, self.status, self.only_escalations,
                 self.export_overdue_csv, self.export_overdue_xlsx, self.export_all_csv, self.export_all_xlsx,
                 self.table]
        for a, b in zip(order, order[1:]):
            self.setTabOrder(a, b)
        self._loader = _Loader(self)
        self._loader.done.connect(self._charts_loaded)
        self._stale = False
        app.changed.connect(self._on_changes)
        self.refresh()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_columns)

    def _fit_columns(self) -> None:
        """The overdue table's columns share the width there is (never a sideways scroll bar): their natural
        widths, narrowed in proportion when the window is narrow (the full text is in each cell's tip)."""
        room = self.table.viewport().width()
        total = sum(self._natural)
        if room <= 0 or total <= 0:
            return
        scale = min(1.0, (room - 2) / total)
        for i, w in enumerate(self._natural):
            self.table.setColumnWidth(i, max(24, int(w * scale)))

    def _on_changes(self, changes: Any) -> None:
        """Any operation on this machine: redraw now when on screen, else when next shown."""
        if not changes:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    # ---------------------------------------------------------------- data
    def _open_row(self, index: QModelIndex) -> None:
        """Open the handover of the row at ``index``."""
        if not index.isValid() or not 0 <= index.row() < self.model.rowCount():
            return
        case_id = getattr(self.model.row_at(index.row()), "id", None)
        if case_id:
            self.open_case.emit(str(case_id))

    def current_filter(self) -> OverdueFilter:
        return OverdueFilter(statuses=tuple((self.status.currentData() or "overdue").split(",")),
                             team_id=self.team.currentData(),
                             direction=self.direction.currentData(), rule=self.rule.currentData(),
                             owner_id=self.worker.currentData(), escalations_only=self.only_escalations.isChecked())

    def apply_filters(self) -> None:
        try:
            self.model.set_filter(self.current_filter())
        except ServiceError as e:
            self.message.setText(str(e))
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.total
        self.count_label.setText(f"{n:,} deadline{'s' if n != 1 else ''} in the list")

    def refresh(self) -> None:
        """Counts, escalations and the first page of the table now; the charts on a worker thread."""
        try:
            self._show_counts(ops.dashboard_counts(self.app.ctx))
            self.model.set_filter(self.current_filter())
        except ServiceError as e:
            self.message.setText(str(e))
            return
        self._update_count()
        if self.background:   # after the page has been drawn: the queries never hold up the table
            QTimer.singleShot(0, lambda: threading.Thread(target=self._load_charts, daemon=True).start())
        else:
            self._load_charts()

    def _load_charts(self) -> None:
        try:
            data: Any = (ops.timeliness(self.app.ctx), ops.overdue_by_team(self.app.ctx),
                         ops.escalation_counts(self.app.ctx), ops.overdue_requests_by_agency(self.app.ctx))
        except ServiceError as e:
            data = e
        try:
            self._loader.done.emit(data)
        except RuntimeError:   # the page was closed before the charts came back
            pass

    def _charts_loaded(self, data: Any) -> None:
        if isinstance(data, Exception):
            self.timeliness.message = self.team_chart.message = str(data)
            return
        rows, teams, escalations, requests = data
        self._show_escalations(escalations)
        self._show_requests(requests)
        self.timeliness.set_data(rows, self.chart_rule.currentData())
        self.team_chart.set_data(teams)

    def charts_ready(self) -> bool:
        return self.timeliness.message != "Loading…" and self.team_chart.message != "Loading…"

    def _show_counts(self, counts: dict[tuple[str, str], int]) -> None:
        totals = [0, 0]
        for r, state in enumerate(STATES):
            row = [counts.get((state, "step_down"), 0), counts.get((state, "step_up"), 0)]
            totals = [totals[0] + row[0], totals[1] + row[1]]
            for c, v in enumerate(row + [sum(row)]):
                self._cell(r, c, v)
        for c, v in enumerate(totals + [sum(totals)]):
            self._cell(len(STATES), c, v, bold=True)

    def _cell(self, r: int, c: int, v: int, bold: bool = False) -> None:
        item = QTableWidgetItem(f"{v:,}")
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if bold:
            f = item.font()
            f.setBold(True)
            item.setFont(f)
        self.counts.setItem(r, c, item)

    def _show_escalations(self, counts: dict[str, int]) -> None:
        parts = [f"{counts[r]:,} {why}" for r, why in ESCALATION_RULES.items() if counts.get(r)]
        self.escalation_frame.setVisible(bool(parts))
        self.escalations.setText("⚠ Escalate: " + "; ".join(parts) + " — longer than the protocol allows."
                                 if parts else "")

    def _show_requests(self, by_agency: list[Any]) -> None:
        lines = [labels.requests_overdue(a.agency_type, a.overdue, a.oldest_working_days) for a in by_agency]
        self.requests_frame.setVisible(bool(lines))
        self.requests.setText("<b>Requests for information not answered in time</b><br>" + "<br>".join(
            html.escape(x) for x in lines) if lines else "")

    def count(self, state: str, direction: str | None = None) -> int:
        """The number shown in the counts table (for tests and screen readers)."""
        r = STATES.index(state) if state != "total" else len(STATES)
        c = {"step_down": 0, "step_up": 1, None: 2}[direction]
        return int(self.counts.item(r, c).text().replace(",", ""))

    # ---------------------------------------------------------------- exports
    def _ask_path(self, fmt: str, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export", suggested,
                                              "CSV files (*.csv)" if fmt == "csv" else "Excel workbooks (*.xlsx)")
        if path and not path.lower().endswith("." + fmt):
            path += "." + fmt
        return path

    def export_overdue(self, fmt: str) -> int | None:
        path = self.choose_path(fmt, f"overdue-{self.app.today().isoformat()}.{fmt}")
        if not path:
            return None
        return self._export(lambda: ops.export_overdue(self.app.ctx, self.current_filter(), path,
                                                                 self.model.sort_key, self.model.desc), path)

    def export_transitions(self, fmt: str) -> int | None:
        path = self.choose_path(fmt, f"transitions-{self.app.today().isoformat()}.{fmt}")
        if not path:
            return None
        return self._export(lambda: ops.export_transitions(self.app.ctx, path), path)

    def _export(self, op: Callable[[], int], path: str) -> int | None:
        from ui.qt import QApplication

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            n = op()
        except ServiceError as e:
            self.message.setText(f"Not exported: {e}")
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.message.setText(f"Exported {n:,} rows to {path} (readable by you only).")
        return n

"""The handover list: a lazy table model over paged store queries (never the whole table in memory).

The model asks a ``fetch(offset, limit, search, sort_key, descending)`` callable for one page at a time
(``canFetchMore``/``fetchMore``), so the list opens at once on 100,000 handovers.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

__all__ = ["ListRow", "CaseListModel", "CaseListView", "COLUMNS", "COUNT_CAP", "handover_list_model"]

from handover import labels
from handover.app.operations import COUNT_CAP, ListRow

PAGE = 200


#: (header, sort key understood by the store query, accessor)
COLUMNS: Sequence[tuple[str, str, Callable[[ListRow], str]]] = (
    ("Child", "child", lambda r: r.child),
    ("Direction", "direction", lambda r: f"{labels.direction_arrow(r.direction)} {labels.direction_label(r.direction)}"),
    ("State", "state", lambda r: labels.state_label(r.state).capitalize()),
    ("Came back because", "", lambda r: r.note),
    ("From → to", "", lambda r: r.from_to),
    ("Next deadline", "due", lambda r: _deadline_text(r)),
    ("Errors", "errors", lambda r: str(r.errors) if r.errors else "None"),
    ("ID", "case_id", lambda r: r.case_id),
)

_STATUS_COLOURS = {"overdue": "#b10e1e", "due": "#1d4f91", "late": "#8a5300"}


def _day(iso: str) -> str:
    """A list's date as people read it: 19 Oct 2026 (the store gives ISO)."""
    from datetime import date

    try:
        return date.fromisoformat(iso).strftime("%d %b %Y").lstrip("0")
    except (TypeError, ValueError):
        return iso or ""


def _deadline_text(r: ListRow) -> str:
    if not r.next_rule:
        return "—"
    rule = labels.rule_label(r.next_rule).lower()
    status = labels.status_label(r.next_status)
    status = status if status.isupper() else status.lower()     # "OVERDUE" stands out; "due" does not shout
    return f"{status}: {rule}, {_day(r.next_due)}".strip(", ")


class CaseListModel(QAbstractTableModel):
    def __init__(self, fetch: Callable[[int, int, str, str, bool], list[ListRow]],
                 count: Callable[[str], int], parent: Any = None, *, count_cap: int | None = None) -> None:
        """``count(search)`` may stop counting above ``count_cap`` (it then returns more than the cap)."""
        super().__init__(parent)
        self._fetch = fetch
        self._count = count
        self._cap = count_cap
        self._rows: list[ListRow] = []
        self._total = 0
        self._more = False
        self._search = ""
        self._sort_key = "due"
        self._desc = False
        self.reload()

    # ---- paging
    def reload(self) -> None:
        self.beginResetModel()
        self._total = self._count(self._search)
        self._rows = self._fetch(0, PAGE, self._search, self._sort_key, self._desc)
        self._more = len(self._rows) == PAGE and (len(self._rows) < self._total or self.capped)
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = self._fetch(len(self._rows), PAGE, self._search, self._sort_key, self._desc)
        self._more = len(more) == PAGE
        if not more:
            if not self.capped:
                self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def set_search(self, text: str) -> None:
        self._search = text.strip()
        self.reload()

    @property
    def total(self) -> int:
        """The count (above the cap: the capped count, see :attr:`capped`)."""
        return self._total

    @property
    def capped(self) -> bool:
        """True when there are more than ``count_cap`` and counting stopped there."""
        return self._cap is not None and self._total > self._cap

    def total_text(self, noun: str = "handover") -> str:
        if self.capped:
            return f"more than {self._cap:,} {noun}s"
        return f"{self._total:,} {noun}{'s' if self._total != 1 else ''}"

    def row_at(self, row: int) -> ListRow:
        return self._rows[row]

    # ---- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        key = COLUMNS[col][1]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return COLUMNS[col][2](r)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "due" and r.next_status in _STATUS_COLOURS:
                return QBrush(QColor(_STATUS_COLOURS[r.next_status]))
            if key == "errors" and r.errors:
                return QBrush(QColor("#b10e1e"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "due" and r.next_rule:
                return f"{labels.rule_label(r.next_rule)}: due {_day(r.next_due)} ({labels.status_label(r.next_status)})"
            if COLUMNS[col][0] == "Came back because" and r.note:
                return r.note
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        desc = order == Qt.SortOrder.DescendingOrder
        if not key or (key, desc) == (self._sort_key, self._desc):
            return
        self._sort_key = key
        self._desc = desc
        self.reload()


class CaseListView(QWidget):
    """Search box, count and the table. Emits ``open_case(case_id)`` on double-click or Enter."""

    open_case = Signal(str)

    def __init__(self, model: CaseListModel, title: str = "My handovers", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        heading = QLabel(f"<h2>{title}</h2>")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by child's name or handover ID")
        self.search.setAccessibleName("Search handovers")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setAccessibleName(title)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSortIndicator(5, Qt.SortOrder.AscendingOrder)  # the model's own order
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        fm = self.fontMetrics()
        #: each column's width where there is room: sized to the words (two lines for the longer ones)
        self.preferred: dict[int, int] = {}
        for col, (name, _key, _get) in enumerate(COLUMNS):
            sample = {"Child": "Harvey Thistlewood", "Direction": "↓ Step-down", "State": "Awaiting authorisation",
                      "From → to": "CSC Assessment North →", "Next deadline": "OVERDUE: lead professional",
                      "Errors": "Errors", "ID": "DEMO-000000", "Came back because": "Returned by Sam Okafor"
                      }.get(name, name)
            self.preferred[col] = fm.horizontalAdvance(sample) + 24
        self._back = next(i for i, c in enumerate(COLUMNS) if c[0] == "Came back because")
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.viewport().installEventFilter(self)
        header.sectionResized.connect(self._resized_by_hand)
        self._fitting = False
        self._auto_hidden: list[int] = []   # columns _fit_columns hid for want of room (shown again with room)
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_columns)
        self._fit_columns()
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self._open_selected)
        self.table.doubleClicked.connect(lambda idx: self.open_case.emit(model.row_at(idx.row()).case_id))
        self.table.activated.connect(lambda idx: self.open_case.emit(model.row_at(idx.row()).case_id))

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(lambda: (model.set_search(self.search.text()), self._update_count()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(self.open_button)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        self._update_count()
        model.modelReset.connect(self._update_count)

    def _update_count(self) -> None:
        self.count.setText(self.model.total_text())

    # ---- columns that fit: no sideways scrolling on a 1366×768 laptop, nor at 150 % scaling
    def set_preferred_width(self, column: int, width: int) -> None:
        self.preferred[column] = width
        self._fit_timer.start()

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 — Qt's name
        from PySide6.QtCore import QEvent

        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize and not self._fitting:
            self._fit_timer.start()      # after the resize: hiding a column inside it is not safe
        return False

    def _resized_by_hand(self, column: int, _old: int, new: int) -> None:
        if not self._fitting:            # a person dragged a column's edge: keep it, and fit the others
            self.preferred[column] = new
            self._fit_timer.start()

    def _fit_columns(self) -> None:
        """Every shown column gets its preferred width when they all fit; otherwise each is narrowed in
        proportion (long cells wrap onto a second line, then end in "…" with the whole text as a tip).
        "Came back because" takes whatever room is left."""
        if self._fitting:
            return
        header = self.table.horizontalHeader()
        room = self.table.viewport().width()
        if room <= 0:
            return
        fm = header.fontMetrics()
        # never narrower than its heading (and the sort arrow): a heading cut to "rror" says nothing
        least_of = {c: min(self.preferred.get(c, 100), fm.horizontalAdvance(COLUMNS[c][0]) + 28)
                    for c in range(len(COLUMNS))}
        # where even the headings do not fit (a narrow pane at 150 %), the least needed columns step aside:
        # the ID (the open handover shows it, and search finds by it), then from → to, errors, direction
        self._fitting = True
        try:
            for c in self._auto_hidden:
                self.table.setColumnHidden(c, False)
            self._auto_hidden = []
            shown = [c for c in range(len(COLUMNS)) if not self.table.isColumnHidden(c)]
            for name in ("ID", "From → to", "Errors", "Direction"):
                if sum(least_of[c] for c in shown) <= room:
                    break
                c = next(i for i, col in enumerate(COLUMNS) if col[0] == name)
                if c in shown:
                    self.table.setColumnHidden(c, True)
                    self._auto_hidden.append(c)
                    shown.remove(c)
        finally:
            self._fitting = False
        room = self.table.viewport().width()
        if not shown:
            return
        want = {c: self.preferred.get(c, 100) for c in shown}
        least = {c: least_of[c] for c in shown}
        total = sum(want.values())
        scale = min(1.0, room / total) if total else 1.0
        widths = {c: max(least[c], int(w * scale)) for c, w in want.items()}
        over = sum(widths.values()) - room
        if over > 0:                     # the headings' minimums took room: narrow the others again
            give = {c: widths[c] - least[c] for c in shown if widths[c] > least[c]}
            room_to_give = sum(give.values())
            for c, g in give.items():
                widths[c] -= min(g, round(over * g / room_to_give)) if room_to_give else 0
        spare = room - sum(widths.values())
        if spare > 0:
            widths[self._back if self._back in widths else shown[-1]] += spare
        else:                            # rounding: take what is over from the columns with room to give
            for c in sorted(shown, key=lambda c: widths[c] - least[c], reverse=True):
                if spare >= 0:
                    break
                take = min(widths[c] - least[c], -spare)
                widths[c] -= take
                spare += take
        self._fitting = True
        try:
            for c, w in widths.items():
                if header.sectionSize(c) != w:
                    header.resizeSection(c, w)
        finally:
            self._fitting = False

    def _open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_case.emit(self.model.row_at(rows[0].row()).case_id)


def handover_list_model(app: Any, scope: str = "all") -> CaseListModel:
    """The main window's list of handovers (paged; the heading counts up to :data:`COUNT_CAP`)."""
    from handover.app import operations as ops

    page, count = app.fetcher(ops.list_page, []), app.fetcher(ops.count, 0)
    return CaseListModel(lambda o, n, q, k, d: page(scope, o, n, q, k, d),
                         lambda q: count(scope, q, cap=COUNT_CAP), count_cap=COUNT_CAP)

"""The lazy handover list and the lock screen (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit, QMainWindow, QWidget  # noqa: E402

from ui.case_list import PAGE, CaseListModel, CaseListView, ListRow  # noqa: E402
from ui.signin import LockScreen, SignInDialog  # noqa: E402


class FakeStore:
    """Counts what the model asks for: the point is that it never asks for everything."""

    def __init__(self, n: int) -> None:
        self.rows = [ListRow(f"H-{i:06d}", f"Child {i:06d}", "step_up" if i % 2 else "step_down", "draft",
                             "A → B", "pack_sent", f"2026-11-{1 + i % 28:02d}", "overdue" if i % 3 == 0 else "due",
                             i % 4) for i in range(n)]
        self.fetched = 0
        self.calls: list[tuple] = []

    def fetch(self, offset, limit, search, sort_key, desc):
        self.calls.append((offset, limit, search, sort_key, desc))
        rows = [r for r in self.rows if search.lower() in r.child.lower() or search in r.case_id]
        if sort_key == "child":
            rows.sort(key=lambda r: r.child, reverse=desc)
        page = rows[offset:offset + limit]
        self.fetched += len(page)
        return page

    def count(self, search):
        return sum(1 for r in self.rows if search.lower() in r.child.lower() or search in r.case_id)


def test_model_fetches_pages_not_everything(qtbot):
    store = FakeStore(100_000)
    model = CaseListModel(store.fetch, store.count)
    view = CaseListView(model)
    qtbot.addWidget(view)
    view.show()
    assert model.total == 100_000
    assert model.rowCount() <= 2 * PAGE
    assert store.fetched <= 2 * PAGE
    assert "100,000 handovers" in view.count.text()
    model.fetchMore()
    assert model.rowCount() >= PAGE * 2 - 1 or store.fetched <= 3 * PAGE


def test_a_capped_count_says_more_than_and_paging_goes_on(qtbot):
    store = FakeStore(3 * PAGE + 17)
    asked: list[str] = []

    def capped(search):
        asked.append(search)
        return min(store.count(search), PAGE + 1)          # stops counting above the cap, as the store does

    model = CaseListModel(store.fetch, capped, count_cap=PAGE)
    view = CaseListView(model)
    qtbot.addWidget(view)
    assert model.capped
    assert view.count.text() == f"more than {PAGE:,} handovers"
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 3 * PAGE + 17                 # the cap limits the heading, not the list
    view.search.setText("Child 00012")
    qtbot.waitUntil(lambda: not model.capped and model.total == 10, timeout=2000)
    assert view.count.text() == "10 handovers"
    assert not model.canFetchMore()


def test_columns_say_direction_and_deadline_in_words(qtbot):
    store = FakeStore(5)
    model = CaseListModel(store.fetch, store.count)
    assert model.data(model.index(1, 1)) == "↑ Step-up"
    assert model.data(model.index(0, 1)) == "↓ Step-down"
    assert model.data(model.index(0, 5)).startswith("OVERDUE: pack sent")
    assert model.data(model.index(0, 6)) == "None" and model.data(model.index(1, 6)) == "1"


def test_search_and_sort_go_to_the_query(qtbot):
    store = FakeStore(1000)
    model = CaseListModel(store.fetch, store.count)
    view = CaseListView(model)
    qtbot.addWidget(view)
    view.search.setText("Child 00012")
    qtbot.waitUntil(lambda: model.total == 10, timeout=2000)
    assert store.calls[-1][2] == "Child 00012"
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert store.calls[-1][3:] == ("child", True)
    assert model.row_at(0).child == "Child 000129"


def test_open_emits_case_id(qtbot):
    store = FakeStore(3)
    view = CaseListView(CaseListModel(store.fetch, store.count))
    qtbot.addWidget(view)
    view.table.selectRow(2)
    with qtbot.waitSignal(view.open_case) as sig:
        view.open_button.click()
    assert sig.args == ["H-000002"]


def _auth(username, password):
    return ({"name": username}, "") if password == "right horse battery" else (None, "That password is not right.")


def test_sign_in_dialog_reports_wrong_password(qtbot):
    d = SignInDialog(_auth)
    qtbot.addWidget(d)
    d.username.setText("jo")
    d.password.setText("wrong")
    d.try_sign_in()
    assert d.user is None and "not right" in d.error.text() and d.password.text() == ""
    d.password.setText("right horse battery")
    d.try_sign_in()
    assert d.user == {"name": "jo"}


def test_lock_screen_keeps_what_was_typed(qtbot):
    win = QMainWindow()
    central = QWidget()
    typed = QLineEdit(central)
    win.setCentralWidget(central)
    qtbot.addWidget(win)
    win.show()
    typed.setText("Half-written sentence about the child's")
    lock = LockScreen(central, lambda: "jo", _auth)
    lock.lock()
    assert lock.is_locked
    lock.password.setText("wrong")
    lock.try_unlock()
    assert lock.is_locked and lock.error.isVisible()
    lock.password.setText("right horse battery")
    with qtbot.waitSignal(lock.unlocked):
        lock.try_unlock()
    assert not lock.is_locked
    assert typed.text() == "Half-written sentence about the child's"

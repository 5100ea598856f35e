"""A demonstration database says so: in the window's title and on every page of every pack made from it
(its accounts share a public password, so nobody must mistake it for a real one)."""

from __future__ import annotations

import pytest
from store.store_cases import NOW

from handover.app import Gate
from handover.app import operations as ops

pytestmark = pytest.mark.gui


def _pages(path):
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages]


def test_a_demo_database_says_demo_on_the_window_and_every_pack_page(qtbot, store, tmp_path):
    from ui.main_window import MainWindow
    from ui.operations import UiApp

    gate = Gate(store, lambda: NOW)
    gate.create_first_admin("admin", "Ada Admin", "admin-password-1")
    assert gate.load_demo(12) == 12
    ctx = gate.sign_in("can1-prac1", "demo-password").context
    assert ops.is_demo(ctx)
    win = MainWindow(UiApp(ctx), lock_minutes=60)
    qtbot.addWidget(win)
    assert win.windowTitle().startswith("DEMONSTRATION DATA — ")
    case_id = ops.list_page(ctx, "all", 0, 1)[0].case_id
    ops.preview_builder(ctx, ops.open_case(ctx, case_id).case)(tmp_path / "p.pdf")
    pages = _pages(tmp_path / "p.pdf")
    assert pages and all("DEMO DATA" in p for p in pages)


def test_a_real_database_does_not(qtbot, world, tmp_path):
    from app.conftest import overdue_case
    from handover.case import dump_case

    prac = world.ctx("prac")
    assert not ops.is_demo(prac)
    path = tmp_path / "c.json"
    path.write_text(dump_case(overdue_case()), encoding="utf-8")
    ops.import_file(prac, str(path))
    ops.preview_builder(prac, ops.open_case(prac, "SD-P").case)(tmp_path / "p.pdf")
    assert not any("DEMO" in p for p in _pages(tmp_path / "p.pdf"))

"""The pack preview (pytest-qt, offscreen): every page shown, zoom from the keyboard, save, open, and the
temporary pack deleted on close."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from handover.case import load_case  # noqa: E402
from handover.resources import resource_path  # noqa: E402
from ui import pack_preview  # noqa: E402
from ui.pack_preview import PackPreview, build_preview, renderer_name  # noqa: E402

AS_OF = dt.date(2026, 11, 25)
pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(tmp_path):
    """A signed-in context on an empty database (the bundled protocol), its clock on the as-of date."""
    from handover.app import Context
    from handover.store import open_database
    from handover.store.errors import system_actor

    opened = open_database(f"sqlite:///{tmp_path / 'preview.sqlite3'}")
    assert opened.ok, opened.message
    yield Context(opened.store, system_actor("test"),
                  lambda: dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc))
    opened.store.close()


def _case(name: str = "step_down_complete") -> dict:
    return load_case(resource_path("examples", f"{name}.json"))


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def draft_pack(tmp_path_factory) -> Path:
    from handover.pack import build_pack

    p = tmp_path_factory.mktemp("pv") / "draft.pdf"
    build_pack(_case(), p, as_of=AS_OF, draft=True)
    return p


def _shown(qtbot, w: PackPreview, timeout: int = 20_000) -> None:
    """Wait until every page is rendered at the current zoom (the signal may already have gone)."""
    qtbot.waitUntil(lambda: not w.busy and w.page_count > 0 and w.pages_shown >= w.page_count, timeout=timeout)


needs_renderer = pytest.mark.skipif(renderer_name() is None, reason="neither QtPdf nor pdftoppm here")


def test_build_preview_is_private_and_discarded(ctx):
    from handover.app import operations as ops

    p = build_preview(ops.preview_builder(ctx, _case()))
    try:
        assert p.is_file() and stat.S_IMODE(os.stat(p).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(p.parent).st_mode) == 0o700
        assert p.read_bytes().startswith(b"%PDF-")
    finally:
        pack_preview.discard_preview(p)
    assert not p.exists() and not p.parent.exists()


@needs_renderer
def test_shows_one_page_widget_per_pack_page(qtbot, draft_pack):
    n = _pages(draft_pack)
    assert n >= 5
    w = PackPreview()
    qtbot.addWidget(w)
    w.resize(900, 700)
    w.show()
    with qtbot.waitSignal(w.page_count_changed, timeout=20_000) as counted:
        w.load(draft_pack)
    assert counted.args == [n]
    _shown(qtbot, w)
    labels = w.page_labels()
    assert len(labels) == n == w.page_count
    assert all(not lab.pixmap().isNull() for lab in labels)
    assert [lab.accessibleName() for lab in labels[:2]] == [f"Page 1 of {n}", f"Page 2 of {n}"]
    assert w.status.text().startswith(f"{n} pages")
    # a rendered page is A4-shaped and mostly white paper
    img = labels[0].pixmap().toImage()
    assert 1.35 < img.height() / img.width() < 1.48
    assert img.pixelColor(5, 5).lightness() > 240


@needs_renderer
@pytest.mark.parametrize("backend", ["QtPdf", "pdftoppm"])
def test_both_renderers_show_every_page(qtbot, draft_pack, backend):
    if backend == "QtPdf":
        pytest.importorskip("PySide6.QtPdf")
    elif not __import__("shutil").which("pdftoppm"):
        pytest.skip("no pdftoppm")
    w = PackPreview(renderer=backend)
    qtbot.addWidget(w)
    w.load(draft_pack)
    _shown(qtbot, w)
    assert len(w.page_labels()) == _pages(draft_pack)
    assert all(not lab.pixmap().isNull() for lab in w.page_labels())


@needs_renderer
def test_zoom_buttons_and_keys(qtbot, draft_pack):
    w = PackPreview()
    qtbot.addWidget(w)
    w.show()
    w.load(draft_pack)
    _shown(qtbot, w)
    width_100 = w.page_labels()[0].width()
    for b in (w.zoom_in_button, w.zoom_out_button, w.actual_size_button, w.save_button, w.open_button):
        assert b.accessibleName() and b.text() and b.focusPolicy() & Qt.FocusPolicy.TabFocus
    qtbot.mouseClick(w.zoom_in_button, Qt.MouseButton.LeftButton)
    assert w.zoom > 1.0 and w.zoom_label.text() == f"{round(w.zoom * 100)}%"
    assert w.page_labels()[0].width() > width_100        # scaled at once, before the sharp re-render
    _shown(qtbot, w)
    w.scroll.setFocus()
    qtbot.keyClick(w.scroll, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w.scroll, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert w.zoom < 1.0
    _shown(qtbot, w)
    assert w.page_labels()[0].width() < width_100
    qtbot.keyClick(w.scroll, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert w.zoom == 1.0
    _shown(qtbot, w)
    assert abs(w.page_labels()[0].width() - width_100) <= 1


@needs_renderer
def test_show_built_builds_in_the_background_and_deletes_on_close(qtbot, ctx):
    from handover.app import operations as ops

    w = PackPreview()
    qtbot.addWidget(w)
    w.show()
    w.show_built(ops.preview_builder(ctx, _case("step_up_with_gaps")))
    assert w.status.text() == "Making the pack…"       # returned at once: the build runs off the GUI thread
    _shown(qtbot, w, 30_000)
    path = w.path
    assert path is not None and path.is_file() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(w.page_labels()) == _pages(path)
    w.close()
    assert not path.exists() and not path.parent.exists()


def test_load_bytes_and_save_a_copy(qtbot, draft_pack, tmp_path):
    w = PackPreview()
    qtbot.addWidget(w)
    w.load_bytes(draft_pack.read_bytes())
    temp = w.path
    assert temp is not None and temp.read_bytes() == draft_pack.read_bytes()
    assert w.save_to(tmp_path / "copy") is None
    copy = tmp_path / "copy.pdf"
    assert copy.read_bytes() == draft_pack.read_bytes()
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert w.save_to(tmp_path / "no-such-folder" / "x.pdf").startswith("Could not save")
    w.cleanup()
    assert not temp.exists()
    assert draft_pack.exists()          # a file given by path is never deleted


def test_save_as_uses_the_file_dialog(qtbot, draft_pack, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = PackPreview()
    qtbot.addWidget(w)
    w.load(draft_pack)
    target = tmp_path / "chosen.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    w.save_as()
    assert target.read_bytes() == draft_pack.read_bytes()


def test_open_in_viewer_hands_the_file_to_the_desktop(qtbot, draft_pack, monkeypatch):
    opened = []
    monkeypatch.setattr(pack_preview.QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    w = PackPreview()
    qtbot.addWidget(w)
    w.load(draft_pack)
    qtbot.mouseClick(w.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(draft_pack)]


def test_says_so_when_nothing_can_render(qtbot, draft_pack):
    w = PackPreview(renderer=None)
    qtbot.addWidget(w)
    w.load(draft_pack)
    assert w.message.isVisibleTo(w) and "pdftoppm" in w.message.text()
    assert w.open_button.isEnabled() and w.save_button.isEnabled() and not w.zoom_in_button.isEnabled()


@needs_renderer
def test_a_damaged_file_is_a_message_not_a_crash(qtbot, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really\n")
    w = PackPreview()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.failed, timeout=20_000):
        w.load(bad)
    assert w.message.isVisibleTo(w)

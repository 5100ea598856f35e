"""The pack preview: a handover pack's pages in a scrollable column, with zoom, "Save as PDF…" and
"Open in PDF viewer" — the "check your answers" step before requesting authorisation (UX.md).

Above the pages, what the pack is, in words, from its own verification (SPEC.md section 9): who signed it
and whether the signature holds, and whether it carries its case file ("Carries its case file: yes,
matches"). A signed pack is saved with *Save the signed pack…*, to send by the council's secure email.

Pages are rendered off the GUI thread, one at a time, so the window never freezes: with Qt's own
QtPdf when the ``PySide6_Pdf`` wheel is installed, else with poppler's ``pdftoppm``; when neither is
there the widget says so and still offers to open the pack in the PDF viewer.

A draft made for previewing (:func:`build_preview`) lives in a private temporary folder (0700, the
file 0600) that is deleted when the widget closes, or at exit at the latest.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable

# ui.qt does not (yet) re-export these; they are only used here.
from PySide6.QtCore import QStandardPaths, QThread, QUrl
from PySide6.QtGui import QDesktopServices, QImage

from ui.operations import ops, sentence
from ui.qt import (
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPixmap,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["PackPreview", "build_preview", "discard_preview", "renderer_name", "ZOOM_LEVELS", "case_file_words",
           "describe_pack"]

#: zoom steps, as a fraction of the page's real size on screen (96 dpi at 100 %)
ZOOM_LEVELS = (0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
_SCREEN_DPI = 96.0
_PREFIX = "handover-preview-"
_OWNED: set[Path] = set()     # temp folders this process made; removed at exit if still there
_LIVE: set[Any] = set()       # render threads, kept referenced until finished (a QThread must not be freed running)


# ---------------------------------------------------------------- temp packs


def _private_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix=_PREFIX))   # mkdtemp makes it 0700
    _OWNED.add(d)
    return d


def build_preview(build: Callable[[Path], Any], *, draft: bool = True) -> Path:
    """Write a pack for previewing with ``build(path)`` (from ``ops.preview_builder``: the database's
    protocol and today's date) into a private temp file (0600) and return its path.

    Raises what ``build`` raises (an ``OperationError`` for a pack that cannot be made); nothing is left
    behind then. Remove the file with :func:`discard_preview` (the widget does it on close).
    """
    d = _private_dir()
    path = d / ("draft-pack.pdf" if draft else "pack.pdf")
    try:
        build(path)
    except BaseException:
        discard_preview(path)
        raise
    os.chmod(path, 0o600)
    return path


def discard_preview(path: str | Path) -> None:
    """Delete a preview made by :func:`build_preview` (its private folder too). Other files are left alone."""
    folder = Path(path).parent
    if folder in _OWNED:
        shutil.rmtree(folder, ignore_errors=True)
        _OWNED.discard(folder)


@atexit.register
def _remove_leftovers() -> None:
    for t in list(_LIVE):
        t.stop()
        t.wait(5000)
    _LIVE.clear()
    for d in list(_OWNED):
        shutil.rmtree(d, ignore_errors=True)
    _OWNED.clear()


# ---------------------------------------------------------------- what the pack is, in words


def case_file_words(embedded: Any) -> str:
    """Whether a pack carries its case file (its verification's ``embedded_case``), as a person reads it."""
    if not embedded.present:
        return "no"
    return "yes, matches" if embedded.matches_content_hash else "yes, but it does not match (do not rely on it)"


def _when(t: Any) -> str:
    return t.strftime("%d %b %Y").lstrip("0") if t is not None else "an unknown date"


def describe_pack(result: Any) -> tuple[str, bool]:
    """One or two sentences on a verified pack (``handover.pack.verify.VerifyResult``) and whether they
    warn: who signed it and whether that holds, then "Carries its case file: …"."""
    sigs = result.signatures
    if result.draft:
        head, bad = "Draft pack, not signed.", False
    elif not sigs:
        head, bad = ("Family copy, not signed." if result.family_copy else "Not signed."), False
    else:
        who = " and ".join(dict.fromkeys(f"{s.who} on {_when(s.signing_time)}" for s in sigs))
        bad = not all(s.ok for s in sigs)
        head = (f"Signed by {who}, but the signature does not hold: do not rely on this pack." if bad else
                f"Signed by {who}: the signature is valid and the pack has not changed since.")
    embedded = result.embedded_case
    bad = bad or (embedded.present and not embedded.matches_content_hash)
    return f"{head} Carries its case file: {case_file_words(embedded)}.", bad


# ---------------------------------------------------------------- rendering (off the GUI thread)


def _has_qtpdf() -> bool:
    try:
        import PySide6.QtPdf  # noqa: F401
    except ImportError:
        return False
    return True


def renderer_name() -> str | None:
    """"QtPdf", "pdftoppm", or None when this machine cannot render PDF pages."""
    if _has_qtpdf():
        return "QtPdf"
    if shutil.which("pdftoppm"):
        return "pdftoppm"
    return None


class _RenderThread(QThread):
    """Render every page at ``dpi`` and hand each one over as soon as it is ready."""

    counted = Signal(int)              # number of pages
    page = Signal(int, QImage)         # page index, image
    failed = Signal(str)               # one line for a person
    checked = Signal(object)           # the pack's verification, or one line saying why there is none

    def __init__(self, path: Path, dpi: float, backend: str, parent: Any = None,
                 build: Callable[[], Path] | None = None, verify: Callable[[Path], Any] | None = None) -> None:
        super().__init__(parent)
        self.path, self.dpi, self.backend, self.build, self.verify = path, dpi, backend, build, verify
        self.built: Path | None = None
        self._stop = False

    def stop(self) -> None:
        self._stop = True

    def run(self) -> None:  # noqa: D401 — QThread's entry point
        try:
            if self.build is not None:
                self.built = self.path = self.build()
            if self.verify is not None and not self._stop:
                self.checked.emit(_checked(self.verify, self.path))
            if self.backend == "QtPdf":
                self._qtpdf()
            else:
                self._pdftoppm()
        except Exception as e:  # an expected failure or not, it must not cross the thread as a traceback
            from handover.app import OperationError

            if isinstance(e, OperationError):
                self.failed.emit(sentence(str(e)))
            else:
                self.failed.emit(f"Could not show the pack: {type(e).__name__}: {e}".splitlines()[0])

    def _qtpdf(self) -> None:
        from PySide6.QtCore import QSize
        from PySide6.QtPdf import QPdfDocument

        doc = QPdfDocument()
        err = doc.load(str(self.path))
        if err != QPdfDocument.Error.None_:
            self.failed.emit(f"Could not read the pack ({err.name}).")
            return
        n = doc.pageCount()
        self.counted.emit(n)
        for i in range(n):
            if self._stop:
                break
            size = doc.pagePointSize(i)
            px = QSize(max(1, round(size.width() * self.dpi / 72)), max(1, round(size.height() * self.dpi / 72)))
            self.page.emit(i, _on_white(doc.render(i, px)))
        doc.close()

    def _pdftoppm(self) -> None:
        from pypdf import PdfReader

        n = len(PdfReader(str(self.path)).pages)
        self.counted.emit(n)
        with tempfile.TemporaryDirectory(prefix=_PREFIX) as tmp:
            for i in range(1, n + 1):     # a page at a time: the first appears at once, progress is real
                if self._stop:
                    break
                out = Path(tmp) / f"p{i}"
                r = subprocess.run(["pdftoppm", "-png", "-r", str(round(self.dpi)), "-f", str(i), "-l", str(i),
                                    "-singlefile", str(self.path), str(out)], capture_output=True, timeout=60)
                if r.returncode != 0:
                    self.failed.emit("pdftoppm could not render page "
                                     f"{i}: {r.stderr.decode(errors='replace').strip()[:200]}")
                    return
                self.page.emit(i - 1, QImage(str(out) + ".png"))


def _checked(verify: Callable[[Path], Any], path: Path) -> Any:
    """``verify(path)``, or the one line saying why the pack could not be verified."""
    from handover.app import OperationError

    try:
        return verify(path)
    except OperationError as e:
        return sentence(str(e))


def _on_white(img: QImage) -> QImage:
    """QtPdf leaves the paper transparent: put the page on white, as a reader shows it."""
    from PySide6.QtGui import QPainter

    out = QImage(img.size(), QImage.Format.Format_RGB32)
    out.fill(0xFFFFFFFF)
    p = QPainter(out)
    p.drawImage(0, 0, img)
    p.end()
    return out


# ---------------------------------------------------------------- the widget

_SAVE_TIP = "Save a copy of this pack as a PDF file"
_SAVE_SIGNED_TIP = "Save the signed pack as a PDF file (readable by you only), to send by your council's secure email"


def _safe_name(text: str) -> str:
    """A handover id as part of a file name (nothing that names a folder)."""
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text).strip(".") or "handover"


class PackPreview(QWidget):
    """Shows a pack's pages. ``load(path)``, ``load_bytes(data)`` or ``show_built(build)``.

    Signals: ``page_count_changed(int)`` once the number of pages is known; ``rendered(int)`` when
    every page is shown; ``failed(str)`` with a one-line message.
    """

    page_count_changed = Signal(int)
    rendered = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, renderer: str | None = "auto",
                 verify: Callable[[Path], Any] | None = ops.verify_pack_file) -> None:
        super().__init__(parent)
        self.setObjectName("PackPreview")
        self.setAccessibleName("Pack preview")
        self._backend = renderer_name() if renderer == "auto" else renderer
        self._verify = verify
        self.verification: Any = None           # the shown pack's verification, once known
        self._facts_known = False               # verified (or said why not) since the pack was loaded
        self._path: Path | None = None
        self._owned: Path | None = None         # a preview file we made and must delete
        self._pages: list[QLabel] = []
        self._images: dict[int, tuple[QImage, float]] = {}    # each page's latest image and its dpi
        self._zoom_index = ZOOM_LEVELS.index(1.0)
        self._thread: _RenderThread | None = None
        self._old_threads: list[_RenderThread] = []
        self._count = 0
        self._done = 0

        bar = QHBoxLayout()
        self.status = QLabel("No pack to show yet.")
        self.status.setAccessibleName("Preview status")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.status, 1)
        self.zoom_out_button = self._button("Zoom out", "Zoom out (Ctrl+minus)", self.zoom_out)
        self.zoom_label = QLabel("100%")
        self.zoom_label.setAccessibleName("Zoom level")
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("200%") + 8)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._button("Zoom in", "Zoom in (Ctrl+plus)", self.zoom_in)
        self.actual_size_button = self._button("Actual size", "Zoom to 100% (Ctrl+0)", self.zoom_reset)
        self.save_button = self._button("Save as PDF…", _SAVE_TIP, self.save_as)
        self.open_button = self._button("Open in PDF viewer", "Open this pack in your usual PDF viewer",
                                        self.open_external)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.actual_size_button):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.save_button)
        bar.addWidget(self.open_button)

        self.column = QWidget()
        self.column.setObjectName("PageColumn")
        self.column.setStyleSheet("QWidget#PageColumn { background: #6f777d; }")
        self.column_layout = QVBoxLayout(self.column)
        self.column_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.column_layout.setSpacing(12)
        self.column_layout.setContentsMargins(12, 12, 12, 12)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("QLabel { background: white; padding: 12px; }")
        self.message.setAccessibleName("Preview message")
        self.message.hide()
        self.column_layout.addWidget(self.message)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.column)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAccessibleName("Pages of the pack")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # arrows and Page Up/Down scroll it

        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setAccessibleName("About this pack")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.hide()

        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.facts)
        lay.addWidget(self.scroll, 1)

        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (((QKeySequence.StandardKey.ZoomIn, "Ctrl+="), self.zoom_in),
                           ((QKeySequence.StandardKey.ZoomOut,), self.zoom_out), (("Ctrl+0",), self.zoom_reset)):
            for k in keys:
                sc = QShortcut(QKeySequence(k), self)
                sc.setContext(ctx)
                sc.activated.connect(slot)
        self._set_enabled(False)

    def _on_checked(self, result: Any) -> None:
        """What the pack is, in words, above its pages; a signed pack is saved as the signed pack."""
        from ui.widgets.style import C

        self.verification = result if not isinstance(result, str) else None
        self._facts_known = True
        text, bad = (result, True) if isinstance(result, str) else describe_pack(result)
        self.facts.setStyleSheet(f"QLabel {{ color: {C['red']}; font-weight: bold; }}" if bad else "")
        self.facts.setText(text)
        self.facts.setAccessibleDescription(text)
        self.facts.show()
        signed = self.verification is not None and bool(result.signatures) and not result.draft
        self._set_save_label(signed)

    def _set_save_label(self, signed: bool) -> None:
        text, tip = ("Save the signed pack…", _SAVE_SIGNED_TIP) if signed else ("Save as PDF…", _SAVE_TIP)
        self.save_button.setText(text)
        self.save_button.setAccessibleName(text.rstrip("…"))
        self.save_button.setToolTip(tip)
        self.save_button.setAccessibleDescription(tip)

    def _button(self, text: str, tip: str, slot: Callable[[], Any]) -> QPushButton:
        b = QPushButton(text)
        b.setAccessibleName(text.rstrip("…"))
        b.setToolTip(tip)
        b.setAccessibleDescription(tip)
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------ what is shown

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def page_count(self) -> int:
        return self._count

    @property
    def zoom(self) -> float:
        return ZOOM_LEVELS[self._zoom_index]

    @property
    def busy(self) -> bool:
        """Still making or rendering the pack."""
        return self._thread is not None

    @property
    def pages_shown(self) -> int:
        return self._done

    def page_labels(self) -> list[QLabel]:
        return list(self._pages)

    def load(self, path: str | Path, *, delete_on_close: bool = False) -> None:
        """Show the PDF at ``path``. With ``delete_on_close`` the file (and, if it was made by
        :func:`build_preview`, its folder) is removed when the widget closes or shows something else."""
        self._reset()
        self._path = Path(path)
        if delete_on_close:
            self._owned = self._path
        self._start()

    def load_bytes(self, data: bytes) -> None:
        """Show a PDF held in memory (written to a private temp file, removed on close)."""
        d = _private_dir()
        p = d / "pack.pdf"
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        self.load(p, delete_on_close=True)

    def show_built(self, build: Callable[[Path], Any], *, draft: bool = True) -> None:
        """Make a pack in the background with ``build(path)`` (``ops.preview_builder``) and show it."""
        self._reset()
        self.status.setText("Making the pack…")
        self._start(build=lambda: build_preview(build, draft=draft))

    # ------------------------------------------------------------ rendering

    def _dpi(self) -> float:
        return _SCREEN_DPI * self.zoom * self.devicePixelRatioF()

    def _start(self, build: Callable[[], Path] | None = None) -> None:
        if self._backend is None:
            self._show_message("This computer cannot show PDF pages here: install poppler-utils (for pdftoppm) "
                               "or the PySide6_Pdf package. You can still open the pack in your PDF viewer.")
            if build is not None:
                try:
                    self._path = self._owned = build()
                except Exception as e:  # noqa: BLE001 — shown, never raised from a slot
                    self._fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
                    return
            self._set_enabled(self._path is not None, zoom=False)
            if self._path is not None and self._verify is not None:
                self._on_checked(_checked(self._verify, self._path))
            return
        if self._path is not None:        # the file is there already: it can be saved or opened at once
            self._set_enabled(True, zoom=False)
        self._render(build)

    def _render(self, build: Callable[[], Path] | None = None) -> None:
        self._stop_thread()
        self._done = 0
        verify = None if self._facts_known else self._verify      # once per pack, not again on each zoom
        t = _RenderThread(self._path or Path(), self._dpi(), self._backend, build=build, verify=verify)
        t.counted.connect(self._on_count)
        t.page.connect(self._on_page)
        t.failed.connect(self._fail)
        t.checked.connect(self._on_checked)
        t.finished.connect(self._on_finished)     # a method, so it runs on the GUI thread
        self._thread = t
        for old in [x for x in _LIVE if x.isFinished()]:
            _LIVE.discard(old)
        _LIVE.add(t)
        t.start()

    def _stop_thread(self) -> None:
        t = self._thread
        self._thread = None
        if t is not None:
            t.stop()
            for sig in (t.counted, t.page, t.failed, t.checked):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
            if t.isRunning():
                self._old_threads.append(t)   # until it has finished (see _LIVE)
            elif t.built is not None and t.built != self._owned:
                discard_preview(t.built)

    def _on_finished(self) -> None:
        t = self.sender()
        _LIVE.discard(t)
        if t in self._old_threads:
            self._old_threads.remove(t)
            if t.built is not None and t.built != self._owned:
                discard_preview(t.built)      # made for a preview that was replaced meanwhile
            return
        if t is not self._thread:
            return
        self._thread = None
        if t.built is not None:
            self._path = self._owned = t.built
        if self._path is not None and abs(t.dpi - self._dpi()) > 0.5:
            self._render()          # the zoom changed while the pack was being made
        elif self._count and self._done >= self._count:
            self.rendered.emit(self._count)

    def _on_count(self, n: int) -> None:
        t = self._thread
        if t is not None and t.built is not None:
            self._path = self._owned = t.built
        if n != self._count or len(self._pages) != n:
            self._clear_pages()
            self._count = n
            for i in range(n):
                lab = QLabel()
                lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
                lab.setAccessibleName(f"Page {i + 1} of {n}")
                lab.setStyleSheet("QLabel { background: white; border: 1px solid #3b4147; }")
                w, h = self._page_size_px()
                lab.setFixedSize(w, h)
                lab.setText(f"Page {i + 1}…")
                self.column_layout.addWidget(lab, 0, Qt.AlignmentFlag.AlignHCenter)
                self._pages.append(lab)
            self.page_count_changed.emit(n)
        self.message.hide()
        self._set_enabled(True)
        self._update_status()

    def _page_size_px(self) -> tuple[int, int]:
        z = self.zoom * _SCREEN_DPI / 72
        return round(595.3 * z), round(841.9 * z)          # A4 until the real size is known

    def _on_page(self, i: int, img: QImage) -> None:
        if i >= len(self._pages) or img.isNull():
            return
        self._images[i] = (img, self._thread.dpi if self._thread else self._dpi())
        pm = QPixmap.fromImage(img)
        pm.setDevicePixelRatio(self.devicePixelRatioF())
        lab = self._pages[i]
        lab.setText("")
        lab.setFixedSize(round(img.width() / self.devicePixelRatioF()), round(img.height() / self.devicePixelRatioF()))
        lab.setPixmap(pm)
        self._done += 1
        self._update_status()

    def _update_status(self) -> None:
        n = self._count
        pages = f"{n} page{'s' if n != 1 else ''}"
        if self._done < n:
            self.status.setText(f"{pages} — showing page {self._done + 1} of {n}…")
        else:
            self.status.setText(pages + (f" · {self._path.name}" if self._path else ""))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.status.setText(text.split(":")[0] + ".")

    def _fail(self, text: str) -> None:
        self._show_message(text)
        self.status.setText("The pack could not be shown.")
        self.failed.emit(text)

    def _set_enabled(self, on: bool, *, zoom: bool = True) -> None:
        for b in (self.zoom_in_button, self.zoom_out_button, self.actual_size_button):
            b.setEnabled(on and zoom)
        for b in (self.save_button, self.open_button):
            b.setEnabled(on)
        if on and zoom:
            self.zoom_in_button.setEnabled(self._zoom_index < len(ZOOM_LEVELS) - 1)
            self.zoom_out_button.setEnabled(self._zoom_index > 0)

    def _clear_pages(self) -> None:
        for lab in self._pages:
            self.column_layout.removeWidget(lab)
            lab.deleteLater()
        self._pages.clear()
        self._images.clear()
        self._count = 0
        self._done = 0

    def _reset(self) -> None:
        self._stop_thread()
        self._clear_pages()
        self._discard_owned()
        self._path = None
        self.message.hide()
        self.verification = None
        self._facts_known = False
        self.facts.hide()
        self._set_save_label(False)
        self._set_enabled(False)

    # ------------------------------------------------------------ zoom

    def set_zoom(self, level: float) -> None:
        idx = min(range(len(ZOOM_LEVELS)), key=lambda k: abs(ZOOM_LEVELS[k] - level))
        if idx == self._zoom_index:
            return
        self._zoom_index = idx
        self.zoom_label.setText(f"{round(self.zoom * 100)}%")
        self.zoom_label.setAccessibleDescription(f"Zoom {round(self.zoom * 100)} percent")
        self._set_enabled(bool(self._count))
        if not self._pages:
            return
        # show the pages scaled at once (maybe soft), then re-render them sharp in the background
        for i, lab in enumerate(self._pages):
            got = self._images.get(i)
            if got is None:
                lab.setFixedSize(*self._page_size_px())
                continue
            img, dpi = got
            factor = self._dpi() / dpi
            w, h = round(img.width() * factor), round(img.height() * factor)
            pm = QPixmap.fromImage(img.scaled(w, h, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.FastTransformation))
            pm.setDevicePixelRatio(self.devicePixelRatioF())
            lab.setFixedSize(round(w / self.devicePixelRatioF()), round(h / self.devicePixelRatioF()))
            lab.setPixmap(pm)
        if self._path is not None and self._backend is not None:
            self._render()

    def zoom_in(self) -> None:
        if self._zoom_index < len(ZOOM_LEVELS) - 1:
            self.set_zoom(ZOOM_LEVELS[self._zoom_index + 1])

    def zoom_out(self) -> None:
        if self._zoom_index > 0:
            self.set_zoom(ZOOM_LEVELS[self._zoom_index - 1])

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    # ------------------------------------------------------------ save / open

    def save_to(self, dest: str | Path) -> str | None:
        """Copy the pack to ``dest`` (readable by its owner only). Returns an error line, or None."""
        if self._path is None:
            return "There is no pack to save."
        dest = Path(dest)
        if dest.suffix.lower() != ".pdf":
            dest = dest.with_name(dest.name + ".pdf")
        try:
            tmp = dest.with_name("." + dest.name + ".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, open(self._path, "rb") as src:
                shutil.copyfileobj(src, out)
            os.replace(tmp, dest)
        except OSError as e:
            return f"Could not save {dest.name}: {e.strerror or e}"
        self.status.setText(f"Saved a copy as {dest}")
        return None

    def suggested_name(self) -> str:
        """The file name "Save" offers: a signed pack's names its handover ("SU-2026-0142-signed-pack.pdf")."""
        v = self.verification
        if v is not None and v.case_id and v.signatures and not v.draft:
            return f"{_safe_name(v.case_id)}-signed-pack.pdf"
        return self._path.name if self._owned is None and self._path is not None else "handover-pack-draft.pdf"

    def save_as(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        if self._path is None:
            return
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        dest, _ = QFileDialog.getSaveFileName(self, self.save_button.text().rstrip("…"),
                                              str(Path(start) / self.suggested_name()), "PDF files (*.pdf)")
        if not dest:
            return
        err = self.save_to(dest)
        if err:
            QMessageBox.warning(self, "Could not save the pack", err)

    def open_external(self) -> bool:
        if self._path is None:
            return False
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._path)))
        if not ok:
            self.status.setText("No PDF viewer could be started; use “Save as PDF…” and open the copy.")
        return bool(ok)

    # ------------------------------------------------------------ closing

    def _discard_owned(self) -> None:
        if self._owned is not None:
            p = self._owned
            self._owned = None
            if p.parent in _OWNED:
                discard_preview(p)
            else:
                try:
                    p.unlink()
                except OSError:
                    pass

    def cleanup(self) -> None:
        """Stop rendering and delete the temporary pack (called on close)."""
        self._stop_thread()
        for t in list(self._old_threads) + ([self._thread] if self._thread else []):
            t.wait(5000)
        self._discard_owned()

    def resize(self, *size: Any) -> None:  # noqa: D401 — QWidget.resize, kept on the screen
        """As a window (its callers ask for 900×1000): never taller or wider than the screen it opens on."""
        if self.isWindow() and len(size) == 2:
            from ui.widgets.screen import room

            space = room(self)
            if space is not None:
                size = (min(size[0], space[0]), min(size[1], space[1]))
        super().resize(*size)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 — Qt's name
        self.cleanup()
        super().closeEvent(event)


def _main() -> None:  # pragma: no cover — `python -m ui.pack_preview PACK.pdf` to look at a pack
    import sys

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    w = PackPreview()
    w.resize(1000, 900)
    w.load(sys.argv[1])
    w.show()
    app.exec()
    w.cleanup()


if __name__ == "__main__":  # pragma: no cover
    _main()

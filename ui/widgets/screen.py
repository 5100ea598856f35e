"""Windows that fit the screen they open on (a council laptop is 1366×768, often at 150 % scaling)."""

from __future__ import annotations

from ui.qt import QGuiApplication, QWidget

__all__ = ["fit_to_screen", "room"]


def _screen(widget: QWidget):  # noqa: ANN202 - QScreen
    """The screen a window opens on: the primary one. (Not ``widget.screen()``: with PySide6 6.11 the
    wrapper it returns for a window not shown yet can take the QScreen with it when collected, and the
    app crashes later.)"""
    return QGuiApplication.primaryScreen()


def room(widget: QWidget) -> tuple[int, int] | None:
    """The available width and height (logical pixels) of the screen ``widget`` opens on, or None."""
    screen = _screen(widget)
    if screen is None:
        return None
    geo = screen.availableGeometry()
    return (geo.width(), geo.height()) if geo.width() > 0 and geo.height() > 0 else None


def fit_to_screen(widget: QWidget, width: int | None = None, height: int | None = None) -> None:
    """Size a window to ``width``×``height`` (default: its current size) where there is room, never larger
    than the screen's available area, and move it back onto the screen if it hangs off an edge."""
    space = room(widget)
    w, h = width or widget.width(), height or widget.height()
    if space is None:
        widget.resize(w, h)
        return
    widget.resize(min(w, space[0]), min(h, space[1]))
    geo = _screen(widget).availableGeometry()
    frame = widget.frameGeometry()
    x = min(max(frame.x(), geo.x()), geo.x() + max(0, geo.width() - frame.width()))
    y = min(max(frame.y(), geo.y()), geo.y() + max(0, geo.height() - frame.height()))
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)

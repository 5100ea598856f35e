"""Status and severity icons drawn in code, each a different *shape* so nothing relies on colour alone.

The words always travel with the icon (in the item text or the accessible name); the shapes are a
second cue and the colours a third.
"""

from __future__ import annotations

from ui.qt import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPointF, QPolygonF, QRectF, Qt

__all__ = ["icon", "ICON_KINDS", "COLOURS"]

#: GOV.UK palette
COLOURS = {
    "text": "#0b0c0c",
    "secondary": "#505a5f",
    "border": "#b1b4b6",
    "light": "#f3f2f1",
    "blue": "#1d70b8",
    "green": "#00703c",
    "red": "#d4351c",
    "amber": "#f47738",
    "yellow": "#ffdd00",
}

ICON_KINDS = ("not_started", "in_progress", "attention", "complete", "error", "warning", "met", "due",
              "overdue", "late", "waiting", "info")

_cache: dict[tuple[str, int], QIcon] = {}


def _pixmap(kind: str, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    m = s * 0.08
    box = QRectF(m, m, s - 2 * m, s - 2 * m)
    pen_w = max(1.5, s / 10)

    def circle(fill: str | None, outline: str) -> None:
        p.setPen(QPen(QColor(outline), pen_w))
        p.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
        p.drawEllipse(box.adjusted(pen_w / 2, pen_w / 2, -pen_w / 2, -pen_w / 2))

    def glyph(text: str, colour: str = "white") -> None:
        f = QFont()
        f.setBold(True)
        f.setPixelSize(max(6, int(s * 0.62)))  # drawn into an icon that itself follows the font size
        p.setFont(f)
        p.setPen(QColor(colour))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def tick(colour: str = "white") -> None:
        p.setPen(QPen(QColor(colour), pen_w * 1.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        path = QPainterPath(QPointF(s * 0.30, s * 0.52))
        path.lineTo(QPointF(s * 0.45, s * 0.67))
        path.lineTo(QPointF(s * 0.72, s * 0.36))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)

    def triangle(fill: str) -> None:
        p.setPen(QPen(QColor(fill), pen_w / 2))
        p.setBrush(QColor(fill))
        p.drawPolygon(QPolygonF([QPointF(s / 2, m), QPointF(s - m, s - m), QPointF(m, s - m)]))

    c = COLOURS
    if kind == "not_started":
        circle(None, c["secondary"])
    elif kind == "in_progress":
        circle(None, c["blue"])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(c["blue"]))
        p.drawPie(box.adjusted(pen_w, pen_w, -pen_w, -pen_w), 90 * 16, 180 * 16)
    elif kind in ("attention", "error", "overdue"):
        circle(c["red"], c["red"])
        glyph("!")
    elif kind in ("warning", "late"):
        triangle(c["amber"])
        p.translate(0, s * 0.08)
        glyph("!", c["text"])
    elif kind in ("complete", "met"):
        circle(c["green"], c["green"])
        tick()
    elif kind == "due":
        circle(None, c["blue"])
        p.setPen(QPen(QColor(c["blue"]), pen_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(s / 2, s / 2), QPointF(s / 2, s * 0.26))
        p.drawLine(QPointF(s / 2, s / 2), QPointF(s * 0.68, s / 2))
    elif kind == "waiting":
        p.setPen(QPen(QColor(c["secondary"]), pen_w, Qt.PenStyle.DotLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(box.adjusted(pen_w, pen_w, -pen_w, -pen_w))
    else:  # info
        circle(c["blue"], c["blue"])
        glyph("i")
    p.end()
    return pm


def icon(kind: str, size: int = 0) -> QIcon:
    """A status icon (see :data:`ICON_KINDS`); ``size`` defaults to a little more than the text height."""
    if size <= 0:
        from ui.qt import QApplication, QFontMetrics

        size = max(12, int(QFontMetrics(QApplication.font()).height() * 1.1))
    key = (kind, size)
    if key not in _cache:
        ic = QIcon()
        for scale in (1, 2):
            pm = _pixmap(kind, size * scale)
            pm.setDevicePixelRatio(scale)
            ic.addPixmap(pm)
        _cache[key] = ic
    return _cache[key]

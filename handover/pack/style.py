"""Fonts, paragraph styles, colours and value formatting shared by the pack's pages."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any
from html import escape as _html_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["fonts", "styles", "P", "escape", "markup_text", "fmt_date", "INK", "MUTED", "RULE", "HEAD_BG", "ALERT",
           "ZEBRA", "PAGE_MARGIN"]

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6470")
RULE = colors.HexColor("#c5cbd3")
HEAD_BG = colors.HexColor("#2f4858")
ZEBRA = colors.HexColor("#f2f4f7")
ALERT = colors.HexColor("#b00020")
OK = colors.HexColor("#1e6b3a")
PAGE_MARGIN = 18 * mm

# Full Unicode text (names such as Zoë, Łukasz, Ngọc) needs a TrueType font. DejaVu ships with
# Debian (fonts-dejavu-core); reportlab's own Vera covers Latin-1 when DejaVu is absent.
_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                "/Library/Fonts", "C:/Windows/Fonts")


@cache
def fonts() -> dict[str, str]:
    """Register the pack's fonts once; returns {"regular", "bold", "italic", "bolditalic"} font names."""
    faces = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "italic": "DejaVuSans-Oblique.ttf",
             "bolditalic": "DejaVuSans-BoldOblique.ttf"}
    for d in _DEJAVU_DIRS:
        if all((Path(d) / f).is_file() for f in faces.values()):
            paths = {k: Path(d) / f for k, f in faces.items()}
            prefix = "HODejaVu"
            break
    else:
        import reportlab

        base = Path(reportlab.__file__).parent / "fonts"
        paths = {"regular": base / "Vera.ttf", "bold": base / "VeraBd.ttf", "italic": base / "VeraIt.ttf",
                 "bolditalic": base / "VeraBI.ttf"}
        prefix = "HOVera"
    names = {k: f"{prefix}-{k}" for k in paths}
    for k, p in paths.items():
        if names[k] not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(names[k], str(p)))
    pdfmetrics.registerFontFamily(prefix, normal=names["regular"], bold=names["bold"], italic=names["italic"],
                                  boldItalic=names["bolditalic"])
    return names


@cache
def styles() -> dict[str, ParagraphStyle]:
    f = fonts()
    base = ParagraphStyle("body", fontName=f["regular"], fontSize=9.5, leading=12.5, textColor=INK,
                          alignment=TA_LEFT, spaceAfter=3)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cellbold": ParagraphStyle("cellbold", parent=base, fontName=f["bold"], fontSize=8, leading=10,
                                   spaceAfter=0),
        "head": ParagraphStyle("head", parent=base, fontName=f["bold"], fontSize=8, leading=10,
                               textColor=colors.white, spaceAfter=0),
        "headsmall": ParagraphStyle("headsmall", parent=base, fontName=f["bold"], fontSize=7, leading=8.5,
                                    textColor=colors.white, spaceAfter=0),
        "label": ParagraphStyle("label", parent=base, fontName=f["bold"], fontSize=8.5, leading=11,
                                textColor=MUTED, spaceAfter=0),
        "none": ParagraphStyle("none", parent=base, fontName=f["italic"], textColor=MUTED, fontSize=8.5),
        "h1": ParagraphStyle("h1", parent=base, fontName=f["bold"], fontSize=14, leading=18, spaceBefore=4,
                             spaceAfter=6, textColor=HEAD_BG),
        "h2": ParagraphStyle("h2", parent=base, fontName=f["bold"], fontSize=10.5, leading=14, spaceBefore=8,
                             spaceAfter=3, textColor=HEAD_BG),
        "title": ParagraphStyle("title", parent=base, fontName=f["bold"], fontSize=18, leading=23,
                                spaceAfter=4, textColor=HEAD_BG),
        "child": ParagraphStyle("child", parent=base, fontName=f["bold"], fontSize=22, leading=27, spaceAfter=2),
        "notice": ParagraphStyle("notice", parent=base, fontSize=9, leading=12, textColor=INK),
    }


@cache
def _para_class() -> type:
    from reportlab.platypus import Paragraph

    class Para(Paragraph):
        """A Paragraph that keeps its line breaking for the width it was last given. A table asks every cell
        for its size three or four times at the same width (column sizes, row heights, splitting, drawing);
        reportlab breaks the lines again each time, which was most of a pack's layout time."""

        _wrapped: tuple | None = None

        def wrap(self, availWidth, availHeight):  # noqa: N803 — reportlab's names
            w = self._wrapped
            if w is not None and w[0] == availWidth:
                self.width, self.height, self.blPara, self._wrapWidths = w[1:]
                return self.width, self.height
            got = super().wrap(availWidth, availHeight)
            if getattr(self, "blPara", None) is not None and got == (self.width, self.height):
                self._wrapped = (availWidth, self.width, self.height, self.blPara, self._wrapWidths)
            return got

    return Para


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities (what ``xml.sax.saxutils.escape`` does, without importing urllib)."""
    return _html_escape(text, quote=False)


def markup_text(text: str) -> str:
    """Plain text as paragraph markup: escaped, its line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def P(text: str, style: str = "body", *, markup: bool = False):  # noqa: N802 — reads like a tag
    """A Paragraph of plain text (escaped, line breaks kept) unless ``markup``."""
    return _para_class()(text if markup else markup_text(text), styles()[style])


def fmt_date(value: Any) -> str:
    """``2026-03-12`` → ``12 Mar 2026``; anything that is not a real date is shown as written."""
    if isinstance(value, dt.date):
        return value.strftime("%d %b %Y").lstrip("0")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).strftime("%d %b %Y").lstrip("0")
        except ValueError:
            return value
    return "" if value is None else str(value)

"""The form's sections laid out for reading: label/value tables, flowing free text, and a table per list
field whose columns come from the list's item fields (handover.forms). Nothing here names a field of
the case: a council that edits its form YAML gets a pack that follows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from handover.case import MISSING, get_path
from handover.dates import is_blank
from handover.forms import Field, Form, Section
from handover.pack.style import HEAD_BG, RULE, ZEBRA, P, escape, fmt_date, markup_text, styles
from handover.vocab import vocab

__all__ = ["RenderContext", "format_value", "section_flowables", "fields_table", "NONE_RECORDED", "cell_text",
           "cell_para", "fit_lines", "clip", "CELL_MAX_HEIGHT", "ref_name"]

NONE_RECORDED = "None recorded"
_LABEL_W = 58 * mm
#: relative column weight per field type in list tables
_WEIGHT = {"date": 1.0, "bool": 0.75, "choice": 1.5, "text": 1.6, "longtext": 3.0, "multichoice": 2.0,
           "names": 1.8, "involved_with": 1.6, "list": 4.5, "nhs_number": 1.2, "upn": 1.3, "postcode": 1.0}
_MIN_W = {"date": 20.5 * mm, "bool": 17 * mm}
_WIDE = {"longtext", "multichoice", "list"}
_MAX_COLUMNS = 6


@dataclass
class RenderContext:
    case: dict[str, Any]
    family_copy: bool
    width: float                      #: frame width in points
    hidden: frozenset[str] = frozenset()  #: generic paths not shown, besides what the form hides
    form: Form | None = None          #: the case's form (names the child)
    #: a handover-case/2 document's refs → people's names ("c1" → "Mia Testcase"); None for /1
    names: dict[str, str] | None = None

    def shows(self, f: Field, path: str = "") -> bool:
        """A family copy shows neither ``family: false`` fields nor the flags that leave entries out of it."""
        if self.family_copy and (not f.family or f.family_hides_entry):
            return False
        return not path or path not in self.hidden

    @property
    def child_name(self) -> str:
        """The child's given name (the first of the form's ``child_name`` fields)."""
        given = self.form.value_of(self.case, self.form.child_name[:1]) if self.form else ""
        return clip(given, 100) or "the child"


def format_value(f: Field, value: Any, ctx: RenderContext) -> str:
    """A field's value as a person reads it; "" when nothing is recorded."""
    if value is MISSING or is_blank(value):
        if f.type == "refs" and ctx.names is not None and value is not MISSING:
            return "The whole family"
        return ""
    v = vocab()
    t = f.type
    if t == "date":
        return fmt_date(value)
    if t == "bool":
        return "Yes" if value is True else "No" if value is False else str(value)
    if t == "choice":
        return _label(f.vocab, value)
    if t == "multichoice":
        items = value if isinstance(value, list) else [value]
        return "; ".join(_label(f.vocab, c) for c in items)
    if t in ("involved_with", "refs") and ctx.names is not None:
        items = value if isinstance(value, list) else [value]
        return ", ".join(ref_name(x, ctx.names) for x in items)
    if t == "involved_with":
        items = value if isinstance(value, list) else [value]
        return ", ".join(f"the child ({ctx.child_name})" if x == "child" else str(x) for x in items)
    if t == "names":
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(x) for x in items)
    if t == "agency_checklist" and isinstance(value, dict):
        return "; ".join(f"{v.label('agency_types', k)}: {v.label('agency_check', s)}" for k, s in value.items())
    if isinstance(value, (dict, list)):
        return str(value)
    return str(value)


def ref_name(ref: Any, names: dict[str, str]) -> str:
    """A ref as the person's name; a ref that names nobody as written, saying so (the checks report it)."""
    if isinstance(ref, str) and ref in names:
        return names[ref]
    return f"{ref} (names nobody in the handover)"


def _label(vocab_name: str | None, code: Any) -> str:
    label = vocab().label(vocab_name or "", code)
    if vocab().shows_code(vocab_name) and label != str(code):
        return f"{code} {label}"
    return label


#: reportlab lays out one paragraph in time that grows faster than its length: longer runs of text
#: are cut into several paragraphs at a space, so even a pasted-in document flows in linear time
PARA_CHARS = 1500
#: a table cell cannot break across pages: text longer than this is shortened there, saying so
CELL_CHARS = 1200
#: nor can a table row be taller than the page (the body frame is about 745 points high, and a table
#: split across pages repeats its header row): a cell's text is shortened further, measured at the
#: cell's width, until its paragraph is at most this tall (points)
CELL_MAX_HEIGHT = 360.0
#: one cell's text is never measured or drawn longer than this, whatever else (a pasted document)
_HARD_CHARS = 4 * CELL_CHARS


def _chunks(text: str, size: int = PARA_CHARS) -> list[str]:
    out = []
    while len(text) > size:
        cut = text.rfind(" ", size // 2, size)
        cut = cut if cut > 0 else size
        out.append(text[:cut])
        text = text[cut:].lstrip()
    return out + ([text] if text else [])


def _text_blocks(text: str, style: str = "body") -> list[Flowable]:
    """Free text as paragraphs (a blank line starts a new one), so long text flows across pages."""
    out = []
    for para in [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]:
        for chunk in _chunks(para):
            out.append(P(chunk, style))
    return out


def _cut_at(text: str, n: int) -> int:
    """Where to cut ``text`` to keep at most ``n`` characters: at a space in the second half, else at ``n``."""
    cut = text.rfind(" ", n // 2, n)
    return cut if cut > 0 else n


def _shortened(text: str, cut: int) -> str:
    rest = text[cut:].split()
    more = f"{len(rest):,} more words" if len(rest) > 1 else f"{len(text) - cut:,} more characters"
    return f"{text[:cut].rstrip()} … [shortened here: {more} are in the case file]"


def cell_text(text: str) -> str:
    """Text for a table cell, shortened (and saying so) when it could not fit on a page."""
    if len(text) <= CELL_CHARS:
        return text
    return _shortened(text, _cut_at(text, CELL_CHARS))


def _may_be_taller(text: str, width: float, style: str, max_height: float) -> bool:
    """False when ``text`` certainly fits in ``max_height`` at ``width`` (no need to lay it out to know):
    every character as wide as the widest glyph, every line at least half full, every break a line."""
    st = styles()[style]
    lines = text.count("\n") + 1 + 2 * len(text) * 1.2 * st.fontSize / max(width, 1.0)
    return lines * st.leading > max_height


def cell_para(text: str, width: float | None, style: str = "cell", *, prefix: str = "",
              max_height: float = CELL_MAX_HEIGHT) -> Flowable:
    """A table cell's paragraph of plain ``text`` (``prefix``: markup before it), shortened at a word,
    saying so, until it is at most ``max_height`` tall at ``width`` (the room inside the cell's padding).
    An unbreakable word is broken across lines by reportlab; a cell never outgrows the page."""
    def para(t: str) -> Flowable:
        return P(prefix + markup_text(t), style, markup=True) if prefix else P(t, style)

    if width is None or width <= 0:
        return para(cell_text(text))
    if len(text) > _HARD_CHARS:
        text = _shortened(text, _cut_at(text, _HARD_CHARS))
    if not _may_be_taller(text, width, style, max_height):
        return para(text)
    p = para(text)
    if p.wrap(width, 1e9)[1] <= max_height:
        return p
    lo, hi = 0, len(text)          # a cut at lo fits (nothing but the note), one at hi does not
    while hi - lo > 16:
        mid = (lo + hi) // 2
        if para(_shortened(text, _cut_at(text, mid))).wrap(width, 1e9)[1] <= max_height:
            lo = mid
        else:
            hi = mid
    return para(_shortened(text, _cut_at(text, lo)))


def clip(text: str, n: int = 200) -> str:
    """Plain text of at most ``n`` characters (cut with "…"): a name or a date in a list within a cell."""
    return text if len(text) <= n else text[: n - 1] + "…"


def fit_lines(lines: list[str], width: float, style: str = "cell", *, more: str = "and {n} more",
              max_height: float = CELL_MAX_HEIGHT) -> Flowable:
    """One paragraph of ``lines`` (markup, one a line; each :func:`clip`-ped by the caller), as many as
    fit in ``max_height`` at ``width``, then "and N more"."""
    def para(k: int) -> Flowable:
        shown = lines[:k] + ([escape(more.format(n=len(lines) - k))] if k < len(lines) else [])
        return P("<br/>".join(shown), style, markup=True)

    p = para(len(lines))
    if not _may_be_taller("\n".join(lines), width, style, max_height) or p.wrap(width, 1e9)[1] <= max_height:
        return p
    lo, hi = 0, len(lines)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if para(mid).wrap(width, 1e9)[1] <= max_height:
            lo = mid
        else:
            hi = mid
    return para(lo)


def _none(style: str = "none") -> Paragraph:
    return P(NONE_RECORDED, style)


def fields_table(rows: list[tuple[str, Any]], width: float) -> Table:
    """Label | value rows; a value is text or a flowable."""
    data = []
    for label, value in rows:
        cell = (value if not isinstance(value, str) else
                cell_para(value, width - _LABEL_W - 8) if value else _none("cell"))
        data.append([P(label, "label"), cell])
    t = Table(data, colWidths=[_LABEL_W, width - _LABEL_W], hAlign="LEFT", splitInRow=1)
    t.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t


def section_flowables(section: Section, ctx: RenderContext) -> list[Flowable]:
    """The body of one form section (without its heading)."""
    out: list[Flowable] = []
    pending: list[tuple[str, Any]] = []

    def flush() -> None:
        if pending:
            out.append(fields_table(list(pending), ctx.width))
            out.append(Spacer(1, 4))
            pending.clear()

    for f in section.fields:
        if not ctx.shows(f):
            continue
        value = get_path(ctx.case, f.key)
        if f.is_list:
            flush()
            if len(section.fields) > 1:
                out.append(P(f.label, "h2"))
            out.extend(list_flowables(f, value if isinstance(value, list) else [], ctx))
        elif f.type == "agency_checklist":
            flush()
            out.append(P(f.label, "h2"))
            out.append(checklist_table(value if isinstance(value, dict) else {}, ctx))
        elif f.type == "longtext" and not is_blank(value) and len(str(value)) > 300:
            # long free text flows as paragraphs under its label rather than in a table cell
            flush()
            out.append(P(f.label, "label"))
            out.extend(_text_blocks(str(value)))
            out.append(Spacer(1, 3))
        else:
            pending.append((f.label, format_value(f, value, ctx)))
    flush()
    return out


def checklist_table(value: dict[str, Any], ctx: RenderContext) -> Table:
    v = vocab()
    items = [(v.label("agency_types", k), v.label("agency_check", value.get(k, "not_checked")) if k in value
              else "Not recorded") for k in v.codes("agency_types")]
    half = (len(items) + 1) // 2
    rows = []
    for i in range(half):
        left = items[i]
        right = items[i + half] if i + half < len(items) else ("", "")
        rows.append([P(left[0], "cell"), P(left[1], "cell"), P(right[0], "cell"), P(right[1], "cell")])
    w = ctx.width
    t = Table(rows, colWidths=[w * 0.3, w * 0.2, w * 0.3, w * 0.2], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                           ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


# ---------------------------------------------------------------- list fields as tables


@dataclass
class _Column:
    label: str
    fields: list[Field]          # one, or several sharing a key prefix (sharing_basis.type/.gateway/.reason)
    weight: float
    wide: bool


def _columns(f: Field, ctx: RenderContext) -> list[_Column]:
    cols: list[_Column] = []
    by_prefix: dict[str, _Column] = {}
    for sub in f.fields:
        if not ctx.shows(sub, f"{f.key}[].{sub.key}"):
            continue
        prefix = sub.key.split(".")[0] if "." in sub.key else None
        if prefix and prefix in by_prefix:
            col = by_prefix[prefix]
            col.fields.append(sub)
            col.weight = max(col.weight, _WEIGHT.get(sub.type, 1.5)) + 0.4
            col.wide = col.wide or sub.type in _WIDE
            continue
        col = _Column(sub.label, [sub], _WEIGHT.get(sub.type, 1.5), sub.type in _WIDE)
        cols.append(col)
        if prefix:
            by_prefix[prefix] = col
    return cols


def _cell_text(col: _Column, item: dict[str, Any], ctx: RenderContext) -> str:
    parts = []
    for i, sub in enumerate(col.fields):
        text = format_value(sub, get_path(item, sub.key), ctx)
        if text:
            parts.append(text if i == 0 or len(col.fields) == 1 else f"{sub.label}: {text}")
    return "\n".join(parts)


def _cell(col: _Column, item: dict[str, Any], ctx: RenderContext, width: float) -> Any:
    if len(col.fields) == 1 and col.fields[0].is_list:
        sub = col.fields[0]
        items = get_path(item, sub.key)
        items = items if isinstance(items, list) else []
        if not items:
            return _none("cell")
        return _list_table(sub, items, ctx, width - 6, nested=True)
    text = _cell_text(col, item, ctx)
    return cell_para(text, width - 6) if text else P("—", "cell")


def _sort_items(f: Field, items: list[Any]) -> list[Any]:
    """Chronological lists (a required date field first) read best in date order."""
    first = f.fields[0] if f.fields else None
    if first is not None and first.type == "date":
        return sorted(items, key=lambda it: str(get_path(it, first.key, "") or "9999") if isinstance(it, dict)
                      else "9999")
    return items


def list_flowables(f: Field, items: list[Any], ctx: RenderContext) -> list[Flowable]:
    items = [it for it in items if isinstance(it, dict)]
    if not items:
        return [_none()]
    return [_list_table(f, _sort_items(f, items), ctx, ctx.width), Spacer(1, 6)]


#: a cell's left and right padding in list tables, and a little room so a word is never broken by rounding
_PAD = 3 + 3 + 1.5


def _room_for_headings(widths: list[float], headings: list[str], style: str, total: float) -> list[float]:
    """Column widths (summing to ``total``) in which no heading's word is broken across lines ("Has
    parental r/esponsibil/ity"): a column narrower than its longest word widens, the others give up
    room in proportion; when the words cannot all fit, the widths as they were."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    st = styles()[style]
    need = [max((stringWidth(w, st.fontName, st.fontSize) for w in h.split()), default=0.0) + _PAD
            for h in headings]
    if sum(need) > total:
        return widths
    out = list(widths)
    for _ in range(len(out)):
        fixed = [i for i, w in enumerate(out) if w <= need[i] + 1e-6]
        short = [i for i, w in enumerate(out) if w < need[i] - 1e-6]
        if not short:
            break
        free = [i for i in range(len(out)) if i not in fixed]
        room = total - sum(max(need[i], out[i]) if i in fixed else 0.0 for i in range(len(out)))
        have = sum(out[i] for i in free)
        if not free or have <= 0:
            return widths
        for i in fixed:
            out[i] = max(need[i], out[i])
        for i in free:
            out[i] = out[i] * room / have
    return out


def _list_table(f: Field, items: list[dict[str, Any]], ctx: RenderContext, width: float, *,
                nested: bool = False) -> Table:
    cols = _columns(f, ctx)
    detail: list[_Column] = []
    if len(cols) > _MAX_COLUMNS:
        detail = [c for c in cols if c.wide]
        cols = [c for c in cols if not c.wide]
    total = sum(c.weight for c in cols) or 1
    widths = [max(_MIN_W.get(c.fields[0].type, 0), width * c.weight / total) for c in cols]
    scale = width / sum(widths)
    widths = [w * scale for w in widths]
    head_style = "head" if not nested else "cellbold"
    if not nested and any(w < 20 * mm for w in widths):
        head_style = "headsmall"
    widths = _room_for_headings(widths, [c.label for c in cols], head_style, width)
    data: list[list[Any]] = [[P(c.label, head_style) for c in cols]]
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if not nested:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    else:
        style.append(("BACKGROUND", (0, 0), (-1, 0), ZEBRA))
    for n, item in enumerate(items):
        r = len(data)
        data.append([_cell(c, item, ctx, w) for c, w in zip(cols, widths)])
        if n % 2 == 1 and not nested:
            style.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
        for c in detail:
            text = _cell_text(c, item, ctx)
            dr = len(data)
            label = f"<b>{markup_text(c.label)}:</b> "
            data.append([cell_para(text or NONE_RECORDED.lower(), width - 6, prefix=label)] + [""] * (len(cols) - 1))
            style.append(("SPAN", (0, dr), (-1, dr)))
            style.append(("LINEABOVE", (0, dr), (-1, dr), 0.2, colors.white))
            if n % 2 == 1 and not nested:
                style.append(("BACKGROUND", (0, dr), (-1, dr), ZEBRA))
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=0 if detail else 1)
    t.setStyle(TableStyle(style))
    return t


def keep(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))


__all__ += ["list_flowables", "checklist_table", "keep"]

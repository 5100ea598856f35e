"""The one-page "who knows what": a swimlane timeline (reportlab graphics) above a table with one row per
agency that holds information — in the network, in a household member's ``known_to``, or a chronology
source — so that what several agencies each saw over the same weeks can be seen at a glance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from handover.case import get_path
from handover.dates import parse_iso
from handover.family import is_v2, people, view
from handover.forms import form_for
from handover.pack.sections import cell_para, clip, fit_lines, ref_name
from handover.pack.style import ALERT, HEAD_BG, MUTED, OK, RULE, ZEBRA, P, escape, fmt_date, fonts
from handover.vocab import vocab

__all__ = ["AgencyRow", "agency_rows", "who_knows_what", "short_agency_label", "lane_labels", "swimlanes"]

_MAX_ENTRIES = 3
_BRIEF = 60
#: lanes in the timeline at most (a drawing cannot break across pages; 40 lanes are about 440 points)
MAX_LANES = 40


@dataclass
class AgencyRow:
    type: str
    names: list[str] = field(default_factory=list)
    involved_with: list[str] = field(default_factory=list)
    entries: list[tuple[dt.date | None, str]] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)     #: informed dates ("" when an agency was not told)
    in_network: bool = False
    missing: bool = False                                 #: an agency_missing finding names it
    transition_service: bool = False
    asked: list[str] = field(default_factory=list)        #: handover-case/2: each request (markup)
    elsewhere: list[str] = field(default_factory=list)    #: people other stored handovers record it for (SPEC 8)


def short_agency_label(code: str) -> str:
    """"Child and adolescent mental health service (CAMHS)" → "CAMHS"; "GP (general practice)" → "GP"."""
    label = vocab().label("agency_types", code)
    if label.endswith(")") and "(" in label:
        head, _, tail = label[:-1].partition("(")
        head, tail = head.strip(), tail.strip()
        return min((head, tail), key=len) if head and tail else label
    return label


def agency_rows(case: dict[str, Any], missing: set[str], statuses: dict[int, str] | None = None,
                elsewhere: Sequence[Any] = ()) -> list[AgencyRow]:
    """``statuses``: each request for information's deadline status by its index (handover-case/2);
    ``elsewhere``: the team database's ``known_elsewhere`` findings (SPEC section 8): an agency another
    stored handover records for one of these people is listed, "recorded elsewhere"."""
    v = vocab()
    rows: dict[str, AgencyRow] = {}

    def row(code: Any) -> AgencyRow | None:
        if not isinstance(code, str) or not code:
            return None
        return rows.setdefault(code, AgencyRow(type=code))

    form = form_for(case)
    child = form.value_of(case, form.child_name[:1]) or "child"
    names = {p.ref: p.name for p in people(case)} if is_v2(case) else None
    for a in get_path(case, "agencies", []) or []:
        if not isinstance(a, dict):
            continue
        r = row(a.get("type"))
        if r is None:
            continue
        r.in_network = True
        if a.get("name"):
            r.names.append(str(a["name"]))
        for who in a.get("involved_with") or []:
            if names is not None:
                name = ref_name(who, names)
            else:
                name = f"{child} (child)" if who == "child" else str(who)
            if name not in r.involved_with:
                r.involved_with.append(name)
        r.informed.append(str(a.get("informed_date") or ""))
    for person in get_path(case, "household", []) or []:
        if not isinstance(person, dict):
            continue
        for code in person.get("known_to") or []:
            r = row(code)
            if r is not None and person.get("name") and str(person["name"]) not in r.involved_with:
                r.involved_with.append(str(person["name"]))
    for e in get_path(case, "chronology", []) or []:
        if not isinstance(e, dict):
            continue
        r = row(e.get("source"))
        if r is not None:
            r.entries.append((parse_iso(e.get("date")), str(e.get("event") or "").strip()))
    if names is not None:
        reqs = get_path(case, "information_requests", []) or []
        for i, q in enumerate(reqs if isinstance(reqs, list) else []):
            if isinstance(q, dict):
                r = row(q.get("agency_type"))
                if r is not None:
                    r.asked.append(_asked(q, (statuses or {}).get(i)))
    if elsewhere:
        everyone = {p.ref: p.name for p in people(view(case))}
        for f in elsewhere:
            who = everyone.get(f.detail.get("ref"), "someone in this handover")
            for code in f.detail.get("agency_types") or ():
                r = row(code)
                if r is not None and who not in r.elsewhere:
                    r.elsewhere.append(who)
    services = set(v.transition_services)
    order = {c: i for i, c in enumerate(v.codes("agency_types"))}
    out = sorted(rows.values(), key=lambda r: order.get(r.type, len(order)))
    for r in out:
        r.entries.sort(key=lambda x: x[0] or dt.date.max)
        r.missing = r.type in missing
        r.transition_service = r.type in services
    return out


def _asked(q: dict[str, Any], status: str | None) -> str:
    """One request, as the "Asked" column shows it: "Red, 30 Mar 2026: holds information"."""
    v = vocab()
    head = ", ".join(x for x in (v.label("request_priority", q.get("priority") or ""),
                                 fmt_date(q.get("sent")) if q.get("sent") else "") if x) or "asked"
    resp = q.get("response")
    if isinstance(resp, dict):
        tail = escape(v.label("request_outcome", resp.get("outcome") or "") or "answered")
        if status == "late":
            tail += " <font color='#8a5a00'>(late)</font>"
    elif status == "overdue":
        tail = "<font color='#b00020'><b>no answer yet (overdue)</b></font>"
    else:
        tail = "no answer yet"
    return f"{escape(clip(head, 60))}: {tail}"


def _brief(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _BRIEF else text[: _BRIEF - 1].rstrip() + "…"


def _table(rows: list[AgencyRow], width: float, asked: bool = False) -> Table:
    v = vocab()
    head = ["Agency", "Involved with", "Chronology (in brief)", "Told of the transition", "In the network"]
    if asked:
        head.insert(3, "Asked")
    data: list[list[Any]] = [[P(h, "head") for h in head]]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    w = width
    widths = ([w * 0.22, w * 0.17, w * 0.37, w * 0.12, w * 0.12] if not asked else
              [w * 0.18, w * 0.15, w * 0.27, w * 0.17, w * 0.12, w * 0.11])
    inner = [c - 6 for c in widths]          # the cells' padding is 3 points each side
    for i, r in enumerate(rows, start=1):
        name = v.label("agency_types", r.type)
        # a cell never outgrows the page: 60 agencies of one type list as many names as fit, then "and N more"
        agency = fit_lines([f"<b>{escape(clip(name))}</b>"] + [escape(clip(n)) for n in r.names], inner[0],
                           more="and {n} more (see the agency network)")
        entries = [f"{fmt_date(d) if d else 'no date'}: {escape(_brief(t))}" for d, t in r.entries[:_MAX_ENTRIES]]
        if len(r.entries) > _MAX_ENTRIES:
            entries.append(f"and {len(r.entries) - _MAX_ENTRIES} more")
        if r.in_network:
            told = [escape(clip(fmt_date(d))) if d else "<font color='#b00020'><b>Not told</b></font>"
                    for d in r.informed]
            informed = fit_lines(told, inner[4 if asked else 3])
        elif r.transition_service:
            informed = P("—", "cell")
        else:
            informed = P("No (not in the network)", "cell")
        if r.missing:
            net = "<font color='#b00020'><b>MISSING from the network</b></font>"
        elif r.in_network:
            net = "Yes"
        elif r.transition_service:
            net = "Transition service"
        else:
            net = "No"
        involved = [clip(x) for x in r.involved_with] + [f"{clip(x)} (recorded elsewhere)" for x in r.elsewhere
                                                         if x not in r.involved_with]
        if r.elsewhere and not r.in_network and not r.missing and not r.transition_service:
            net = "<font color='#8a5a00'><b>No: recorded elsewhere</b></font>"
        cells = [agency, cell_para(", ".join(involved) or "—", inner[1]),
                 P("<br/>".join(entries) or "none recorded", "cell", markup=True),
                 informed, P(net, "cell", markup=True)]
        if asked:
            cells.insert(3, fit_lines(r.asked, inner[3]) if r.asked else P("Not asked", "cell"))
        data.append(cells)
        if r.missing:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fde8ea")))
        elif i % 2 == 0:
            style.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return t


def _month_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months <= 14 else 3 if months <= 48 else 12
    d = dt.date(start.year, start.month, 1)
    out = []
    while d <= end:
        if d >= start and (d.month - 1) % step == 0:
            out.append(d)
        d = dt.date(d.year + (d.month // 12), d.month % 12 + 1, 1)
    return out


_LABEL_MIN = 26 * mm
_LABEL_MAX_SHARE = 0.3      #: the label column takes at most this share of the width


def _fit_words(words: list[str], font: str, size: float, room: float) -> str:
    """As many whole words as fit (with "…" when some are left out); a single long word is cut."""
    out = ""
    for k, w in enumerate(words):
        trial = f"{out} {w}".strip()
        more = "…" if k < len(words) - 1 else ""
        if stringWidth(trial + more, font, size) > room:
            break
        out = trial
    else:
        return out
    if not out:                                   # not even the first word fits: cut it
        out = words[0][: int(room / 1.5) + 2]     # no glyph is narrower than 1.5 points at these sizes
        while len(out) > 2 and stringWidth(out + "…", font, size) > room:
            out = out[:-1]
    return out.rstrip(" ,;") + "…"


def lane_labels(rows: list[AgencyRow], width: float) -> tuple[list[list[str]], float, float]:
    """Each lane's label as one or two lines, the font size and the label column's width.

    The column is as wide as the longest label needs (within 26 mm and 30 % of the width); a label
    still too long wraps onto a second line at word boundaries (its lane grows), and only then loses its last words to "…", never a word cut in the middle unless one word alone is too long.
    """
    f = fonts()
    size = 7.0
    texts = [(short_agency_label(r.type), f["bold"] if r.missing else f["regular"]) for r in rows]
    need = max((stringWidth(t, font, size) for t, font in texts), default=0) + 6
    label_w = min(max(need, _LABEL_MIN), width * _LABEL_MAX_SHARE)
    room = label_w - 6
    out: list[list[str]] = []
    for text, font in texts:
        if stringWidth(text, font, size) <= room:
            out.append([text])
            continue
        words = text.split()
        first = _fit_words(words, font, size, room).removesuffix("…")
        rest = words[len(first.split()):]
        if first and rest:
            out.append([first, _fit_words(rest, font, size, room)])
        else:
            out.append([_fit_words(words, font, size, room)])
    if any(len(x) > 1 for x in out):
        size = 6.3          # two lines share one lane
    return out, size, label_w


def swimlanes(rows: list[AgencyRow], width: float, decision: dt.date | None,
              meeting: tuple[str, dt.date] | None) -> Drawing:
    """One lane per agency, a mark per chronology entry, the decision and the handover meeting marked."""
    f = fonts()
    labels, size, label_w = lane_labels(rows, width)
    lane_h = 15 if any(len(x) > 1 for x in labels) else 13 if len(rows) <= 12 else 10
    top, bottom = 22, 16
    height = top + bottom + lane_h * max(len(rows), 1)
    d = Drawing(width, height)
    dates = [x for r in rows for x, _ in r.entries if x]
    marks = [x for x in (decision, meeting[1] if meeting else None) if x]
    span = dates + marks
    plot_x0, plot_x1 = label_w, width - 6
    if not span:
        d.add(String(plot_x0, height / 2, "No dated chronology entries to show.", fontName=f["italic"],
                     fontSize=8, fillColor=MUTED))
        return d
    lo, hi = min(span), max(span)
    pad = max(3, (hi - lo).days // 20)
    lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)
    days = max((hi - lo).days, 1)

    def x(day: dt.date) -> float:
        return plot_x0 + (plot_x1 - plot_x0) * (day - lo).days / days

    y_top = height - top
    for i, r in enumerate(rows):
        y = y_top - lane_h * (i + 0.5)
        if i % 2 == 0:
            d.add(Rect(0, y - lane_h / 2, width, lane_h, fillColor=ZEBRA, strokeColor=None))
        lines = labels[i]
        font = f["bold"] if r.missing else f["regular"]
        first = y - size * 0.35 + (len(lines) - 1) * size * 0.55     # centred on the lane
        for k, text in enumerate(lines):
            d.add(String(2, first - k * size * 1.1, text, fontName=font, fontSize=size,
                         fillColor=ALERT if r.missing else colors.black))
        d.add(Line(plot_x0, y, plot_x1, y, strokeColor=RULE, strokeWidth=0.5))
        for day, _text in r.entries:
            if day:
                d.add(Circle(x(day), y, 2.6, fillColor=ALERT if r.missing else HEAD_BG, strokeColor=colors.white,
                             strokeWidth=0.4))
    y_bottom = y_top - lane_h * len(rows)
    d.add(Line(plot_x0, y_bottom, plot_x1, y_bottom, strokeColor=MUTED, strokeWidth=0.6))
    for t in _month_ticks(lo, hi):
        d.add(Line(x(t), y_bottom, x(t), y_bottom - 3, strokeColor=MUTED, strokeWidth=0.5))
        d.add(String(x(t) + 1, y_bottom - 10, t.strftime("%b %y"), fontName=f["regular"], fontSize=6.5,
                     fillColor=MUTED))
    for label, day, colour in (("Decision", decision, ALERT),
                               (meeting[0] if meeting else "", meeting[1] if meeting else None, OK)):
        if not day:
            continue
        xx = x(day)
        d.add(Line(xx, y_bottom, xx, y_top + 2, strokeColor=colour, strokeWidth=1, strokeDashArray=[3, 2]))
        text = f"{label} {fmt_date(day)}"
        tw = stringWidth(text, f["bold"], 7)
        anchor = "end" if xx + tw > width else "start"
        d.add(String(xx + (2 if anchor == "start" else -2), y_top + 5 + (8 if colour == OK else 0), text,
                     fontName=f["bold"], fontSize=7, fillColor=colour, textAnchor=anchor))
    return d


def who_knows_what(case: dict[str, Any], missing: set[str], width: float,
                   statuses: dict[int, str] | None = None, elsewhere: Sequence[Any] = ()) -> list[Flowable]:
    """``statuses``: for a handover-case/2 document, each request for information's deadline status by
    its index; the table then has the column "Asked". ``elsewhere``: see :func:`agency_rows`."""
    rows = agency_rows(case, missing, statuses, elsewhere)
    out: list[Flowable] = []
    if not rows:
        return [P("None recorded: no agency is in the network, in a household member's agencies, or in the "
                  "chronology.", "none")]
    decision = parse_iso(get_path(case, "transition.decision_date"))
    held = parse_iso(get_path(case, "plan.handover_meeting.held_date"))
    planned = parse_iso(get_path(case, "plan.handover_meeting.planned_date"))
    meeting = ("Handover meeting", held) if held else ("Handover meeting (planned)", planned) if planned else None
    lanes = rows
    if len(rows) > MAX_LANES:     # the drawing cannot break across pages: the agencies with entries first
        lanes = sorted(rows, key=lambda r: not (r.missing or r.entries))[:MAX_LANES]
        lanes.sort(key=rows.index)
    out.append(swimlanes(lanes, width, decision, meeting))
    if len(lanes) < len(rows):
        out.append(P(f"The timeline shows {len(lanes)} of the {len(rows)} agencies; the table below lists them all.",
                     "small"))
    out.append(Spacer(1, 6))
    out.append(_table(rows, width, asked=is_v2(case)))
    n_missing = sum(r.missing for r in rows)
    if n_missing:
        out.append(Spacer(1, 4))
        out.append(P(f"<font color='#b00020'><b>{n_missing} agenc{'y holds' if n_missing == 1 else 'ies hold'} "
                     f"information but {'is' if n_missing == 1 else 'are'} not in the agency network.</b></font>",
                     "body", markup=True))
    return out

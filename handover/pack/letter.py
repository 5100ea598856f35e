"""The request-for-information letter: one A4 page to the agency a ``handover-case/2`` request asks
(SPEC.md section 7.1, ``information_requests[]``), from the council, dated the day it was sent.

It names the people asked about (name, date of birth, place in the family), says why we ask and the law
that allows it (the agency network's lawful basis for that agency, else ``default_gateway``; the
gateways' plain-English explanations of ``resources/vocab.yaml``), the priority in words and the date
to reply by (the request's deadline, :func:`handover.deadlines.compute_deadlines`, counted with the
protocol's bank holidays), and the answers the agency can give. Every fixed word is in
``resources/letters.yaml``; the labels of codes are the vocabularies'. However long the names or many the
people, the page is shrunk to fit, never cut.

Expected failures (no such request, a request with no date sent or no priority the protocol knows) are
:class:`~handover.pack.errors.PackError`, one line. A ref that names nobody is printed as "a person not
named in this handover" rather than refused.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepInFrame, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle)

from handover.dates import parse_iso
from handover.deadlines import Deadline, compute_deadlines
from handover.family import name_key, people, view
from handover.labels import join
from handover.pack.errors import PackError
from handover.pack.sections import clip, fields_table
from handover.pack.style import ALERT, HEAD_BG, MUTED, PAGE_MARGIN, RULE, P, escape, fonts, styles
from handover.resources import load_yaml, resource_path
from handover.vocab import vocab

__all__ = ["request_letter", "letter_words", "spoken_long", "sending_service"]

_W, _H = A4
_TOP, _BOTTOM = 20 * mm, 16 * mm
#: the text a letter fills in is never longer than this (a name pasted in with a whole document)
_MAX_NAME = 300
#: the network's reason for sharing is shortened, saying so, past this height (points)


# ---------------------------------------------------------------- the wording (resources/letters.yaml)

#: the keys ``request`` must have in letters.yaml (each read below)
_REQUEST_KEYS = ("marking", "title", "to", "from", "date", "reference", "priority", "sent_by", "reply_by",
                 "timescale", "greeting", "opening", "people_heading", "people_columns", "child",
                 "unknown_person", "not_recorded", "why_heading", "consent", "gateway_explanations",
                 "reply_heading", "reply_intro", "replies", "urgent", "closing", "sign", "default_gateway")


@cache
def letter_words() -> dict[str, Any]:
    """The request letter's wording (``request`` of ``resources/letters.yaml``), checked for every key."""
    with open(resource_path("letters.yaml"), encoding="utf-8") as f:
        raw = load_yaml(f) or {}
    words = raw.get("request") if isinstance(raw, dict) else None
    if not isinstance(words, dict):
        raise ValueError("letters.yaml: 'request' must be a mapping of the letter's wording")
    missing = [k for k in _REQUEST_KEYS if k not in words]
    if missing:
        raise ValueError(f"letters.yaml: request has no {missing[0]!r}")
    unknown = sorted(set(words) - set(_REQUEST_KEYS))
    if unknown:
        raise ValueError(f"letters.yaml: request has an unknown key {unknown[0]!r}")
    for key, keys in (("timescale", ("zero", "one", "many")), ("replies", ())):
        if not isinstance(words[key], dict) or any(k not in words[key] for k in keys):
            of = f" of {', '.join(keys)}" if keys else ""
            raise ValueError(f"letters.yaml: request.{key} must be a mapping{of}")
    return words


class _Blank(dict):
    def __missing__(self, key: str) -> str:   # a placeholder the letter does not fill is left as written
        return "{" + key + "}"


def _fill(text: Any, **values: Any) -> str:
    """Wording with its placeholders filled in (wording whose braces are not placeholders, as written)."""
    text = str(text or "").strip()
    try:
        return text.format_map(_Blank(values))
    except (ValueError, IndexError):
        return text


def spoken_long(d: date, *, weekday: bool = True) -> str:
    """A date as a letter says it: "Tuesday 29 December 2026" ("29 December 2026" without the weekday)."""
    day = f"{d.day} {d:%B} {d.year}"
    return f"{d:%A} {day}" if weekday else day


# ---------------------------------------------------------------- what the letter says


def _request(doc: dict[str, Any], index: int) -> dict[str, Any]:
    reqs = doc.get("information_requests")
    reqs = reqs if isinstance(reqs, list) else []
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(reqs) \
            or not isinstance(reqs[index], dict):
        held = f"{len(reqs)}" if reqs else "none"
        raise PackError(f"there is no request for information number {_number(index)}: this handover records {held}")
    return reqs[index]


def _number(index: Any) -> str:
    """A request's number as people count (from 1)."""
    return str(index + 1) if isinstance(index, int) and not isinstance(index, bool) else repr(index)


def _deadline(doc: dict[str, Any], index: int, req: dict[str, Any], protocol: Any, as_of: date | None) -> Deadline:
    """The request's deadline as the checks count it (SPEC.md section 7.3)."""
    sent = parse_iso(req.get("sent"))
    agency = clip(str(req.get("agency_name") or "").strip(), 80)
    to = f" (to {agency})" if agency else ""
    if sent is None:
        raise PackError(f"request for information {_number(index)}{to} has no date it was sent: record the date, "
                        "then print its letter")
    path = f"information_requests[{index}]"
    found = next((d for d in compute_deadlines(doc, as_of or sent, protocol) if d.path == path), None)
    if found is None or found.due is None:
        v = vocab()
        names = join([v.label("request_priority", p) for p in v.codes("request_priority")])
        raise PackError(f"request for information {_number(index)}{to} has no priority the protocol sets a time "
                        f"for: choose {names}")
    return found


def _timescale(words: dict[str, Any], n: int) -> str:
    t = words["timescale"]
    return _fill(t["zero"] if n == 0 else t["one"] if n == 1 else t["many"], n=n)


def _people_rows(doc: dict[str, Any], about: Any, words: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, date of birth, place in the family) of each person asked about, in the request's order; the
    whole family when it names nobody in particular; a ref that names nobody as "a person not named"."""
    everyone = people(doc)
    by_ref = {p.ref: p for p in everyone}
    refs = list(dict.fromkeys(r for r in about if isinstance(r, str))) if isinstance(about, list) else []
    chosen = [by_ref.get(r) for r in refs] if refs else everyone
    rows = []
    for p in chosen:
        if p is None:
            rows.append((_fill(words["unknown_person"]), "", ""))
            continue
        dob = p.entry.get("date_of_birth")
        born = parse_iso(dob)
        dob_text = spoken_long(born, weekday=False) if born else str(dob or "").strip()
        place = _fill(words["child"]) if p.kind == "child" else str(p.entry.get("relationship") or "").strip()
        rows.append((clip(p.name, _MAX_NAME), clip(dob_text, 60) or _fill(words["not_recorded"]),
                     clip(place, 80)))
    return rows


def _bold(text: str) -> Flowable:
    return P(f"<b>{escape(text)}</b>", markup=True)


def _sharing_basis(doc: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """The agency network's lawful basis for sharing with the agency asked: the network's entry of the same
    type and name; {} when the network has none (another organisation of the same type is not this one)."""
    network = doc.get("agencies") if isinstance(doc.get("agencies"), list) else []
    same_type = [a for a in network if isinstance(a, dict) and a.get("type") == req.get("agency_type")]
    named = [a for a in same_type if name_key(a.get("name")) == name_key(req.get("agency_name"))]
    entry = named[0] if named else {}
    basis = entry.get("sharing_basis")
    return basis if isinstance(basis, dict) else {}


def _why(doc: dict[str, Any], req: dict[str, Any], words: dict[str, Any], width: float) -> list[Flowable]:
    """The lawful basis by name and in plain English. The network's own reason for sharing is a professional
    record that can name other people's risks (it is written for the pack, not for the agency): never in
    the letter, which says only what the agency needs to answer."""
    v = vocab()
    basis = _sharing_basis(doc, req)
    if basis.get("type") == "consent":
        return [_bold(v.label("sharing_type", "consent")), P(_fill(words["consent"]))]
    gateway = basis.get("gateway") if basis.get("type") == "without_consent" else None
    if gateway not in v.codes("gateways"):
        gateway = words["default_gateway"]
    own = words.get("gateway_explanations") or {}
    explanation = own[gateway] if gateway in own else v.explanation(gateway)
    out: list[Flowable] = [_bold(v.label("gateways", gateway))]
    if str(explanation or "").strip():
        out.append(P(str(explanation).strip()))
    return out


def _people_table(rows: list[tuple[str, str, str]], words: dict[str, Any], width: float) -> Table:
    heads = [str(h) for h in words["people_columns"]][:3]
    widths = [width * 0.5, width * 0.25, width * 0.25]
    data: list[list[Any]] = [[P(h, "head") for h in heads]]
    data += [[P(name, "cellbold"), P(born, "cell"), P(place, "cell")] for name, born, place in rows]
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return t


def _replies(words: dict[str, Any]) -> list[Flowable]:
    """Each answer the agency can give (``request_outcome``, in its order): its label, then what to send."""
    v = vocab()
    said = words["replies"] or {}
    style = ParagraphStyle("reply", parent=styles()["body"], leftIndent=12, bulletIndent=2)
    out: list[Flowable] = []
    for code in v.codes("request_outcome"):
        text = _fill(said.get(code))
        out.append(Paragraph(f"<b>{escape(v.label('request_outcome', code))}</b>"
                             + (f": {escape(text)}" if text else ""), style, bulletText="•"))
    return out


def _story(doc: dict[str, Any], req: dict[str, Any], deadline: Deadline, council: str, width: float) -> list[Flowable]:
    words = letter_words()
    v = vocab()
    reference = clip(str(doc.get("id") or "").strip(), 80) or _fill(words["not_recorded"])
    agency = clip(str(req.get("agency_name") or "").strip(), _MAX_NAME)
    agency_type = v.label("agency_types", req.get("agency_type")) if req.get("agency_type") else ""
    sent_by = clip(str(req.get("sent_by") or "").strip(), _MAX_NAME)
    council = clip(council.strip(), _MAX_NAME)
    priority = f"{v.label('request_priority', deadline.priority)}: {_timescale(words, deadline.working_days)}"
    to = agency if name_key(agency_type) == name_key(agency) else "\n".join(x for x in (agency, agency_type) if x)
    facts = [(_fill(words["to"]), to), (_fill(words["from"]), council),
             (_fill(words["date"]), spoken_long(deadline.starts)), (_fill(words["reference"]), reference),
             (_fill(words["sent_by"]), sent_by), (_fill(words["priority"]), priority)]
    reply_by = _fill(words["reply_by"], date=spoken_long(deadline.due))
    out: list[Flowable] = [
        P(council or _fill(words["not_recorded"]), "title"),
        P(_fill(words["title"]), "h1"),
        fields_table(facts, width),
        Spacer(1, 6),
        P(f"<font color='#{ALERT.hexval()[2:]}'>{escape(reply_by)}</font>" if deadline.working_days == 0
          else escape(reply_by), "h1", markup=True),
        P(_fill(words["greeting"])),
        P(_fill(words["opening"])),
        P(_fill(words["people_heading"]), "h2"),
        _people_table(_people_rows(doc, req.get("about"), words), words, width),
        P(_fill(words["why_heading"]), "h2"),
        *_why(doc, req, words, width),
        P(_fill(words["reply_heading"]), "h2"),
        P(_fill(words["reply_intro"], council=council, reference=reference)),
        *_replies(words),
        P(_fill(words["urgent"]), "notice"),
        Spacer(1, 6),
        P(_fill(words["closing"])),
        P(_fill(words["sign"])),
        P("\n".join(x for x in (sent_by, council) if x), "body"),
    ]
    return out


# ---------------------------------------------------------------- the page


def _furniture(marking: str, reference: str):
    f = fonts()

    def draw(canv: Any, _doc: Any) -> None:
        canv.saveState()
        canv.setFillColor(ALERT)
        canv.setFont(f["bold"], 8.5)
        canv.drawCentredString(_W / 2, _H - 11 * mm, marking)
        canv.drawCentredString(_W / 2, 8 * mm, marking)
        canv.setFillColor(MUTED)
        canv.setFont(f["regular"], 7.5)
        canv.drawString(PAGE_MARGIN, 8 * mm, reference)
        canv.restoreState()

    return draw


def sending_service(case: dict[str, Any]) -> str:
    """Who a letter is from when no council is named: the service the handover comes from ("" if none)."""
    transition = case.get("transition")
    value = transition.get("from_service") if isinstance(transition, dict) else None
    return value.strip() if isinstance(value, str) else ""


def request_letter(doc: dict[str, Any], index: int, *, protocol: Any, council: str,
                   as_of: date | None = None) -> bytes:
    """The letter for ``doc``'s request for information ``index`` (its place in ``information_requests``,
    from 0; messages count from 1), from ``council``, as one A4 page of PDF. ``protocol``: the local
    protocol (None: the default one), whose ``information_requests`` timescales and bank holidays give the
    date to reply by; ``as_of``: the date the deadline's status is counted at (default: the day sent).
    Raises :class:`PackError` for a request that does not exist or cannot be dated."""
    doc = view(doc)
    req = _request(doc, index)
    deadline = _deadline(doc, index, req, protocol, as_of)
    words = letter_words()
    width = _W - 2 * PAGE_MARGIN
    height = _H - _TOP - _BOTTOM
    reference = f"{_fill(words['reference'])} {clip(str(doc.get('id') or ''), 80)}".strip()
    buf = io.BytesIO()
    pdf = BaseDocTemplate(buf, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=_TOP,
                          bottomMargin=_BOTTOM, title=_fill(words["title"]), author=str(council or ""),
                          creator="transition handover tool", invariant=1)
    frame = Frame(pdf.leftMargin, pdf.bottomMargin, width, height, id="letter", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    pdf.addPageTemplates([PageTemplate(id="letter", frames=[frame],
                                       onPage=_furniture(_fill(words["marking"]), reference))])
    pdf.build([_fitted(lambda w: _story(doc, req, deadline, str(council or ""), w), width, height - 2)])
    return buf.getvalue()


def _fitted(story: Any, width: float, height: float) -> Flowable:
    """``story(width)`` shrunk as a whole until it fits one frame: long names and many people make the
    letter smaller, never cut. When it must shrink it is laid out again, wider, so that once shrunk its
    tables still span the page; a layout whose tables would run past the margin is never kept."""
    canv = Canvas(io.BytesIO(), pagesize=A4)

    def attempt(laid: float) -> tuple[Flowable, float, bool]:
        fit = KeepInFrame(width, height, story(laid), mode="shrink")
        _, h = fit.wrapOn(canv, width, height)
        drawn = laid / max(getattr(fit, "_scale", 1.0), 1.0)   # reportlab's own measure of how far it shrinks
        return fit, drawn, h <= height + 0.5 and drawn <= width + 0.5

    # laid out at the frame's own width, shrinking never makes a table wider than the page
    best, drawn, _ = attempt(width)
    lo, hi = width, width * width / drawn
    laid = hi
    for _ in range(6):          # the widest layout whose tables, shrunk, still fit
        if drawn >= width * 0.99:
            break
        fit, d, ok = attempt(laid)
        if ok:
            best, drawn, lo = fit, d, laid
        else:
            hi = laid
        laid = (lo + hi) / 2
    return best

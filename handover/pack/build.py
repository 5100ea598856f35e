"""Build the handover pack PDF (SPEC.md section 5): cover, who knows what, each form section in form
order, deadlines, the sign-off page with its signature boxes, and an appendix with the content hash.

Every page carries the child's initials and ID, OFFICIAL-SENSITIVE and "Page X of Y"; a draft is
watermarked DRAFT on every page. The reportlab output is finished with pyHanko: the case file the
pack carries (``handover-case.json``, SPEC.md section 9; :mod:`handover.pack.embedded`), empty signature
fields placed over the sign-off page's boxes, the ``/HandoverPack`` marker that ``verify`` looks for,
and optional AES-256 password protection.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageBreak,
                                PageTemplate, Spacer, Table, TableStyle)

import handover
from handover import labels, workflow
from handover.case import canonical_json, content_hash, get_path
from handover.checks import CheckResult, check_case
from handover.forms import Form, form_for
from handover.pack import PACK_FORMAT, SIGNATURE_FIELDS
from handover.pack.errors import PackError, PackRefused
from handover.family import family_form, is_v2
from handover.pack.children import HIDDEN, child_sections, children_table, family_name, initials_and_ids, names_of
from handover.pack.children import requests_table
from handover.pack.embedded import CASE_FILE, embed_case
from handover.pack.family import redact_for_family
from handover.pack.fileio import atomic_output, check_output_path
from handover.pack.places import where
from handover.pack.sections import RenderContext, cell_para, clip, fields_table, format_value, section_flowables
from handover.pack.style import ALERT, HEAD_BG, MUTED, PAGE_MARGIN, RULE, ZEBRA, P, escape, fmt_date, fonts
from handover.pack.whoknows import who_knows_what
from handover.vocab import vocab

__all__ = ["PackResult", "build_pack", "render_pdf", "pack_story", "PackStory", "doc_template"]

_W, _H = A4
_FRAME_W = _W - 2 * PAGE_MARGIN
_SIG_BOX = (82 * mm, 26 * mm)


@dataclass(frozen=True)
class PackResult:
    path: Path
    pages: int
    content_hash: str      #: of the document the pack carries (a family copy: the family-copy document)
    draft: bool
    family_copy: bool
    errors: int
    warnings: int
    omitted: tuple[str, ...] = ()                      #: what a family copy leaves out
    signature_boxes: dict[str, tuple[int, tuple[float, float, float, float]]] = field(default_factory=dict)
    encrypted: bool = False


# ---------------------------------------------------------------- page furniture


def _case_id(case: dict[str, Any]) -> str:
    """The handover's ID ("" when it has none)."""
    return str(case.get("id") or "")


def _name_parts(case: dict[str, Any], form: Form) -> list[str]:
    """The child's name, part by part (the form's ``child_name`` fields)."""
    return [form.value_of(case, (k,)) for k in form.child_name]


def _initials(case: dict[str, Any], form: Form) -> str:
    return "".join(p[0].upper() + "." for p in _name_parts(case, form) if p) or "?"


def _child_id(case: dict[str, Any], form: Form) -> str:
    """The sending service's ID for the child, else the other service's (the form's ``child_ids``, in
    order), else the handover's own."""
    return form.value_of(case, form.child_ids) or _case_id(case) or "no ID"


def _family_left(case: dict[str, Any], form: Form) -> str:
    """The page furniture's left text for a family: each moving child's initials and ID, then the
    handover's; shorter forms (initials only, then cut) when that would run into "OFFICIAL-SENSITIVE"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    f = fonts()
    room = _W / 2 - PAGE_MARGIN - stringWidth("OFFICIAL-SENSITIVE", f["bold"], 8.5) / 2 - 8
    hid = clip(_case_id(case), 40) or "?"
    with_ids = initials_and_ids(case, form.child_ids)
    bare = initials_and_ids(case, ())
    for text in (f"{with_ids} · handover {hid}", f"{with_ids} · {hid}", f"{bare} · handover {hid}",
                 f"{bare} · {hid}"):
        if stringWidth(text, f["regular"], 7.5) <= room:
            return text
    text = f"{bare} · {hid}"
    while len(text) > 8 and stringWidth(text + "…", f["regular"], 7.5) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _direction_words(case: dict[str, Any]) -> tuple[str, str]:
    """The direction's label and long label ("Step-down", "Step-down (children's social care to early
    help)"); a direction without a form as it is written (the checks report it)."""
    d = case.get("direction", "")
    if d in labels.directions():
        return labels.direction_label(d), labels.direction_long_label(d)
    return str(d), str(d)


@dataclass
class _Furniture:
    left: str          #: "E.B. · CSC-448812 · handover SD-2026-0142"
    right: str         #: "Step-down handover pack" / "... family copy"
    draft: bool
    pages: int = 0     #: set when the document is saved


def _canvas_class(furn: _Furniture):
    f = fonts()

    class NumberedCanvas(Canvas):
        """Holds every page until the end, so each can say "Page X of Y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 — reportlab's name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = furn.pages = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            self.saveState()
            self.setFillColor(ALERT)
            self.setFont(f["bold"], 8.5)
            self.drawCentredString(_W / 2, _H - 11 * mm, "OFFICIAL-SENSITIVE")
            self.drawCentredString(_W / 2, 8 * mm, "OFFICIAL-SENSITIVE")
            self.setFillColor(MUTED)
            self.setFont(f["regular"], 7.5)
            self.drawString(PAGE_MARGIN, _H - 11 * mm, furn.left)
            self.drawRightString(_W - PAGE_MARGIN, _H - 11 * mm, furn.right)
            self.drawString(PAGE_MARGIN, 8 * mm, furn.left)
            self.drawRightString(_W - PAGE_MARGIN, 8 * mm, f"Page {self._pageNumber} of {total}")
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(PAGE_MARGIN, _H - 13 * mm, _W - PAGE_MARGIN, _H - 13 * mm)
            self.line(PAGE_MARGIN, 11.5 * mm, _W - PAGE_MARGIN, 11.5 * mm)
            self.restoreState()

    return NumberedCanvas


def _watermark(canv: Canvas, _doc: Any) -> None:
    f = fonts()
    canv.saveState()
    canv.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.13))
    canv.setFont(f["bold"], 130)
    canv.translate(_W / 2, _H / 2)
    canv.rotate(50)
    canv.drawCentredString(0, -45, "DRAFT")
    canv.restoreState()


def _no_mark(_canv: Canvas, _doc: Any) -> None:
    return None


class SignatureBox(Flowable):
    """A reserved, framed box where a digital signature's appearance goes; records where it was drawn."""

    def __init__(self, name: str, sink: dict[str, tuple[int, tuple[float, float, float, float]]]) -> None:
        super().__init__()
        self.name = name
        self.sink = sink
        self.width, self.height = _SIG_BOX

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(HEAD_BG)
        c.setLineWidth(0.8)
        c.setDash(2, 2)
        c.rect(0, 0, self.width, self.height)
        c.restoreState()
        x0, y0 = c.absolutePosition(0, 0)
        x1, y1 = c.absolutePosition(self.width, self.height)
        self.sink[self.name] = (c.getPageNumber(), (x0 + 2, y0 + 2, x1 - 2, y1 - 2))


# ---------------------------------------------------------------- pages


def _as_the_form_says(case: dict[str, Any], form: Form, path: str) -> list[tuple[str, str]]:
    """A key fact worded as the form words it: the field's label and its value as the sections show it
    (none when the form has no such field)."""
    f = form.field_at(path)
    if f is None:
        return []
    ctx = RenderContext(case=case, family_copy=False, width=_FRAME_W, form=form)
    return [(f.label, format_value(f, get_path(case, path), ctx))]


def _kv(rows: list[tuple[str, str]]) -> Table:
    return fields_table(rows, _FRAME_W)


def _cover(case: dict[str, Any], form: Form, result: CheckResult, *, draft: bool, family_copy: bool,
           state: str | None, as_of: dt.date, redaction: Any) -> list[Flowable]:
    v = vocab()
    family = is_v2(case)
    name = (family_name(case) if family else " ".join(_name_parts(case, form)).strip() or "Name not recorded")
    out: list[Flowable] = [P(form.title, "title")]
    kind = ("DRAFT handover pack — not for sending" if draft else "Handover pack")
    if family_copy:
        kind += " — family copy"
    out.append(P(kind, "h2"))
    out.append(Spacer(1, 4))
    out.append(P(clip(name, 300), "child"))
    if family:      # the pack of a family (SPEC.md section 7.4): every child, moving or not
        out.append(children_table(case, _FRAME_W))
    else:
        dob = get_path(case, "child.date_of_birth")
        bits = [f"Born {fmt_date(dob)}" if dob else "Date of birth not recorded",
                v.label("gender", get_path(case, "child.gender", "")) or "",
                f"NHS number {get_path(case, 'child.nhs_number')}" if get_path(case, "child.nhs_number", "") else ""]
        out.append(P(" · ".join(b for b in bits if b), "body"))
    out.append(Spacer(1, 8))

    t = case.get("transition") or {}
    meeting = get_path(case, "plan.handover_meeting.held_date") or get_path(case, "plan.handover_meeting.planned_date")
    meeting_label = ("Handover meeting held" if get_path(case, "plan.handover_meeting.held_date")
                     else "Handover meeting planned")
    rows = [("Direction", _direction_words(case)[1]),
            ("From", str(t.get("from_service") or "")), ("To", str(t.get("to_service") or "")),
            ("Decision", " ".join(x for x in (fmt_date(t.get("decision_date")) if t.get("decision_date") else "",
                                              f"by {t['decision_by']}" if t.get("decision_by") else "") if x))]
    rows += _as_the_form_says(case, form, "transition.current_plan")
    if form.field_at("transition.referral_date"):       # a referral (step-up): when it was made, and the risk
        rows.append(("Referral made", fmt_date(t.get("referral_date"))))
    if form.field_at("transition.immediate_risk"):
        risk = t.get("immediate_risk")
        rows.append(("Immediate risk of harm", "Yes" if risk is True else "No" if risk is False else ""))
    rows += [(meeting_label, fmt_date(meeting)),
             ("Lead professional", ", ".join(str(x) for x in (get_path(case, "plan.lead_professional.name", ""),
                                                              get_path(case, "plan.lead_professional.agency", ""))
                                             if x)),
             ("First review", fmt_date(get_path(case, "plan.review_date"))),
             ("State", labels.state_label(state or ("draft" if draft else "final"))),
             ("Handover ID", _case_id(case)),
             ("Checked as of", fmt_date(as_of))]
    out.append(P("Key facts", "h2"))
    out.append(_kv(rows))
    out.append(Spacer(1, 8))

    out.append(P("Check summary", "h2"))
    n_err, n_warn = len(result.errors), len(result.warnings)
    if n_err:
        verdict = (f"<font color='#b00020'><b>{n_err} error{'s' if n_err != 1 else ''}</b></font> and "
                   f"{n_warn} warning{'s' if n_warn != 1 else ''}: this handover is not complete.")
    else:
        verdict = (f"<font color='#1e6b3a'><b>Complete</b></font>: no errors; {n_warn} "
                   f"warning{'s' if n_warn != 1 else ''}.")
    out.append(P(verdict, "body", markup=True))
    summary = [[P(h, "head") for h in ("Section", "Errors", "Warnings")]]
    for _sid, title, fs in result.by_section():
        summary.append([P(title, "cell"), P(str(sum(f.is_error for f in fs)), "cell"),
                        P(str(sum(not f.is_error for f in fs)), "cell")])
    if len(summary) > 1:
        tbl = Table(summary, colWidths=[_FRAME_W * 0.6, _FRAME_W * 0.2, _FRAME_W * 0.2], hAlign="LEFT")
        tbl.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
                                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        out.append(tbl)
    late = [d for d in result.deadlines if d.status in ("overdue", "late")]
    if late:
        out.append(Spacer(1, 3))
        out.append(P("Deadlines missed: " + "; ".join(
            f"{labels.rule_label(d.rule)}"
            + (f", {clip(d.agency_name, 80)}" if getattr(d, "path", "") and getattr(d, "agency_name", "") else "")
            + f" ({deadline_status(d)})" for d in late) + ".", "body"))
    if family_copy and redaction is not None:
        out.append(Spacer(1, 8))
        left = list(redaction.omitted_fields)
        if redaction.confidential_entries:
            left.append(f"{redaction.confidential_entries} chronology entr"
                        f"{'y' if redaction.confidential_entries == 1 else 'ies'} marked confidential")
        if getattr(redaction, "confidential_answers", 0):
            n = redaction.confidential_answers
            left.append(f"what the agency said in {n} answer{'s' if n != 1 else ''} to requests for information "
                        "marked confidential")
        body = ("<b>This is the family copy.</b> Some information is held back because it is about other "
                "people or could put someone at risk. Left out of this copy: " + "; ".join(escape(x) for x in left)
                + ". The practitioners' copy has everything; ask the lead professional if you have questions.")
        box = Table([[P(body, "notice", markup=True)]], colWidths=[_FRAME_W])
        box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, HEAD_BG), ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                                 ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 6)]))
        out.append(box)
    return out


def _finding_place(form: Form, case: dict[str, Any], f: Any, *, grouped: bool) -> str:
    """Where a finding is, in people's words (never its path or code): the list entry's name and the
    field's label, after the form's section unless the row is ``grouped`` under it already; a deadline's
    finding also names the deadline."""
    place = where(form, case, f.path, section_title=not grouped)
    rule = f.detail.get("rule") if isinstance(f.detail, dict) else None
    if isinstance(rule, str) and rule:
        place += f"\nDeadline: {labels.rule_label(rule)}"
    return place


def _findings(result: CheckResult, form: Form, case: dict[str, Any]) -> list[Flowable]:
    out: list[Flowable] = [P("Check findings", "h2")]
    if not result.findings:
        return out + [P("None: every check passed.", "none")]
    data: list[list[Any]] = [[P(h, "head") for h in ("", "What to do", "Where")]]
    style = [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for sid, title, fs in result.by_section():
        r = len(data)
        data.append([P(title, "cellbold"), "", ""])
        style += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), ZEBRA)]
        for f in fs:
            mark = ("<font color='#b00020'><b>Error</b></font>" if f.is_error else "Warning")
            data.append([P(mark, "cell", markup=True), cell_para(f.message, _FRAME_W * 0.57 - 12),
                         cell_para(_finding_place(form, case, f, grouped=sid != "other"),
                                   _FRAME_W * 0.32 - 12, "small")])
    t = Table(data, colWidths=[_FRAME_W * 0.11, _FRAME_W * 0.57, _FRAME_W * 0.32], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return out + [t]


def _working_days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def deadline_status(d: Any) -> str:
    """Where a deadline stands, as the dashboard words it (``deadline_statuses`` of labels.yaml), with
    how far past it is: "OVERDUE by 11 working days", "Done late by 1 working day", "Due", "Met"."""
    status = labels.status_label(d.status)
    if d.working_days_overdue:
        status += f" by {_working_days(d.working_days_overdue)}"
    return status


def _deadlines(result: CheckResult) -> list[Flowable]:
    out: list[Flowable] = [P("Deadlines", "h1")]
    if not result.deadlines:
        return out + [P("None recorded.", "none")]
    head = ("Deadline", "Clock starts", "Due", "Done", "Status", "Basis")
    data: list[list[Any]] = [[P(h, "head") for h in head]]
    style = [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for i, d in enumerate(result.deadlines, start=1):
        status = deadline_status(d)
        colour = "#b00020" if d.status == "overdue" else "#8a5a00" if d.status == "late" else "#1b1f24"
        wd = f" (within {_working_days(d.working_days)})" if d.working_days else ""
        if getattr(d, "path", "") and getattr(d, "agency_name", ""):     # a request for information
            wd += f": {clip(d.agency_name, 80)}"
        data.append([P(labels.rule_label(d.rule) + wd, "cell"), P(fmt_date(d.starts) or "not started", "cell"),
                     P(fmt_date(d.due) or "—", "cell"), P(fmt_date(d.done) or "—", "cell"),
                     P(f"<font color='{colour}'>{escape(status)}</font>", "cell", markup=True),
                     P(d.basis or "", "small")])
    w = _FRAME_W
    t = Table(data, colWidths=[w * 0.22, w * 0.13, w * 0.13, w * 0.13, w * 0.17, w * 0.22], repeatRows=1,
              hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return out + [t]


def _sign_off(form: Form, ctx: RenderContext, boxes: dict[str, Any]) -> list[Flowable]:
    out: list[Flowable] = [PageBreak()]
    try:
        section = form.section("sign_off")
    except KeyError:
        section = None
    out.append(P(section.title if section else "Sign-off", "h1"))
    if section is not None:
        out.extend(section_flowables(section, ctx))
    out.append(Spacer(1, 8))
    out.append(P("Signatures", "h2"))
    out.append(P("Each signature below is a digital signature (PAdES). Any PDF reader's signature panel, or "
                 "<i>handover verify</i>, shows who signed, when, and whether anything changed since. The "
                 "sending manager's signature covers the whole pack, the practitioner's sign-off recorded here "
                 "included: in the app only the manager signs, so the practitioner's box is left empty unless "
                 "the pack was also signed for them (<i>handover pack --sign</i>).", "small", markup=True))
    out.append(Spacer(1, 6))
    case = ctx.case
    who = {"preparer": (get_path(case, "sign_off.prepared_by.name", ""),
                        get_path(case, "sign_off.prepared_by.role", ""),
                        get_path(case, "sign_off.prepared_by.date")),
           "manager": (get_path(case, "sign_off.sending_manager.name", ""), "Sending manager",
                       get_path(case, "sign_off.sending_manager.date"))}
    cells = []
    for name, label in SIGNATURE_FIELDS:
        person, role, date = who.get(name, ("", "", None))
        lines = [P(label, "cellbold"),   # the signature boxes stay together on one page: names kept short
                 cell_para(" · ".join(str(x) for x in (person or "name not recorded", role) if x),
                           _FRAME_W / 2 - 12, max_height=60),
                 P(f"Dated {fmt_date(date)}" if date else "Date not recorded", "cell"), Spacer(1, 4),
                 SignatureBox(name, boxes)]
        cells.append(lines)
    t = Table([cells], colWidths=[_FRAME_W / 2] * 2, hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    out.append(KeepTogether([t]))
    return out


def _appendix(case: dict[str, Any], form: Form, *, chash: str, as_of: dt.date, draft: bool,
              family_copy: bool, generated_at: dt.datetime | None) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(90 * mm), Spacer(1, 10), P("Appendix: about this pack", "h1")]
    rows = [("Handover ID", _case_id(case)),
            ("Form", form.title),
            ("Checked as of", fmt_date(as_of)),
            ("Copy", ("Family copy" if family_copy else "Practitioners' copy") + (" — DRAFT" if draft else "")),
            ("Made by", f"transition handover tool {getattr(handover, '__version__', '')}".strip())]
    if generated_at is not None:
        rows.append(("Generated", f"{fmt_date(generated_at.date())} at {generated_at.strftime('%H:%M %Z').strip()}"))
    out.append(P("Content hash", "label"))
    out.append(P(f"<font name='Courier' size='8.5'>{chash}</font>", "body", markup=True))
    out.append(Spacer(1, 2))
    out.append(_kv(rows))
    out.append(Spacer(1, 4))
    fmt = clip(str(case.get("format") or ""), 40)
    if family_copy:
        about = (f"The content hash is the SHA-256 of the family copy of the case file ({fmt}, canonical JSON): "
                 "the case file this pack was made from, without what the family copy leaves out. The pack "
                 f"carries it as the attached file {CASE_FILE}, and the same case always gives the same hash.")
    else:
        about = (f"The content hash is the SHA-256 of the case file ({fmt}, canonical JSON) this pack was made "
                 f"from, which it carries as the attached file {CASE_FILE}. The same case always gives the same "
                 "hash, so the pack can be matched to the stored version of the handover.")
    out.append(P(about, "small"))
    return out


# ---------------------------------------------------------------- assembling


@dataclass
class PackStory:
    """The pack's flowables and page set-up, before reportlab lays them out (see :func:`render_pdf`)."""

    story: list[Flowable]
    furniture: _Furniture
    draft: bool
    title: str
    boxes: dict[str, Any]
    omitted: tuple[str, ...]
    result: CheckResult
    #: the document the pack shows and carries as its case file: the case, or for a family copy the
    #: family-copy document (what the family copy leaves out is not in it either)
    carried: dict[str, Any]
    content_hash: str          #: of ``carried``: what the appendix prints and the marker records


def pack_story(case: dict[str, Any], *, as_of: dt.date, draft: bool = False, family_copy: bool = False,
               state: str | None = None, protocol: Any = None, result: CheckResult | None = None,
               generated_at: dt.datetime | None = None, demo: bool = False, elsewhere: Sequence[Any] = ()) -> PackStory:
    """The flowables of the pack, in order (single use: reportlab consumes them when it builds).
    ``demo``: made from a demonstration database — every page says so. ``elsewhere``: the team database's
    ``known_elsewhere`` findings (SPEC section 8), in who knows what; never in the family copy."""
    fonts()
    form = form_for(case)
    family = is_v2(case)
    fam = family_form(form) if family else None
    pform = fam.form if fam is not None else form        # the form the sections come from
    result = result or check_case(case, as_of, protocol)
    redaction = redact_for_family(case, pform) if family_copy else None
    shown = redaction.case if redaction else case
    chash = content_hash(shown)
    ctx = RenderContext(case=shown, family_copy=family_copy, width=_FRAME_W, form=pform,
                        hidden=HIDDEN if family else frozenset(), names=names_of(case) if family else None)
    statuses: dict[int, str] = {}
    for d in result.deadlines:          # each request for information's deadline, by its index
        p = getattr(d, "path", "") or ""
        if p.startswith("information_requests[") and p.endswith("]") and p[21:-1].isdigit():
            statuses[int(p[21:-1])] = d.status
    if family_copy:
        # what the family may see: agencies missing judged from the redacted case only
        missing = {str(f.detail.get("agency_type")) for f in check_case(shown, as_of, protocol).findings
                   if f.code == "agency_missing"}
    else:
        missing = {str(f.detail.get("agency_type")) for f in result.findings if f.code == "agency_missing"}

    boxes: dict[str, Any] = {}
    story: list[Flowable] = _cover(case, pform, result, draft=draft, family_copy=family_copy, state=state,
                                   as_of=as_of, redaction=redaction)
    if not family_copy and result.findings:
        story += [CondPageBreak(45 * mm), Spacer(1, 6)] + _findings(result, pform, case)
    intro = ("Every agency that holds information about the child or the household: in the network, known to "
             "a household member, or the source of a chronology entry.")
    if family:
        intro = ("Every agency that holds information about the children or the household: in the network, known "
                 "to a household member, the source of a chronology entry, or asked for information.")
    story += [PageBreak(), P("Who knows what", "h1"), P(intro, "small"), Spacer(1, 4)]
    story += who_knows_what(shown, missing, _FRAME_W, statuses if family else None,
                            () if family_copy else elsewhere)
    story.append(PageBreak())
    first = True
    for section in pform.sections:
        if section.id == "sign_off":
            continue
        if fam is not None and section.id == fam.children_key:     # a section for each child who moves
            story += child_sections(fam, ctx)
            continue
        if not first:
            story.append(CondPageBreak(40 * mm))
        first = False
        if family and section.id == "information_requests":
            body = requests_table(fam, ctx, statuses)
        else:
            body = section_flowables(section, ctx)
        head = [P(section.title, "h1")]
        story += [KeepTogether(head + body[:1])] + body[1:] if body else head + [P("None recorded.", "none")]
        story.append(Spacer(1, 6))
    story.append(CondPageBreak(60 * mm))
    story += _deadlines(result)
    story += _sign_off(pform, ctx, boxes)
    story += _appendix(case, form, chash=chash, as_of=as_of, draft=draft, family_copy=family_copy,
                       generated_at=generated_at)

    kind = "handover pack" if not family_copy else "handover pack — family copy"
    if family:
        left = _family_left(case, pform)
    else:
        left = (f"{clip(_initials(case, form), 12)} · {clip(_child_id(case, form), 40)} · "
                f"handover {clip(_case_id(case), 40) or '?'}")
    furn = _Furniture(left=left,
                      right=("DEMO DATA · " if demo else "") + ("DRAFT " if draft else "") + _direction_words(case)[0]
                      + " " + kind, draft=draft)
    omitted: tuple[str, ...] = ()
    if redaction is not None:
        omitted = redaction.omitted_fields + ((f"{redaction.confidential_entries} confidential chronology "
                                               "entries",) if redaction.confidential_entries else ())
        if redaction.confidential_answers:
            omitted += (f"{redaction.confidential_answers} confidential answers to requests for information",)
    return PackStory(story=story, furniture=furn, draft=draft, title=f"Handover pack {_case_id(case)}".strip(),
                     boxes=boxes, omitted=omitted, result=result, carried=shown, content_hash=chash)


def doc_template(buf: Any, title: str, *, draft: bool) -> BaseDocTemplate:
    """The pack's A4 page set-up: margins, one body frame, the DRAFT watermark on a draft."""
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
                          topMargin=18 * mm, bottomMargin=16 * mm, title=title,
                          author="transition handover tool", subject=PACK_FORMAT,
                          creator="transition handover tool", keywords=[PACK_FORMAT], invariant=1)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_watermark if draft else _no_mark)])
    return doc


def render_pdf(case: dict[str, Any], *, as_of: dt.date, draft: bool = False, family_copy: bool = False,
               state: str | None = None, protocol: Any = None, result: CheckResult | None = None,
               generated_at: dt.datetime | None = None) -> tuple[bytes, dict[str, Any], tuple[str, ...], CheckResult]:
    """The reportlab document (no refusal, no signature fields): bytes, signature boxes, omitted, checks."""
    pdf, ps = _render(case, as_of=as_of, draft=draft, family_copy=family_copy, state=state, protocol=protocol,
                      result=result, generated_at=generated_at)
    return pdf, ps.boxes, ps.omitted, ps.result


def _render(case: dict[str, Any], **kwargs: Any) -> tuple[bytes, PackStory]:
    ps = pack_story(case, **kwargs)
    buf = io.BytesIO()
    doc = doc_template(buf, ps.title, draft=ps.draft)
    doc.build(ps.story, canvasmaker=_canvas_class(ps.furniture))
    return buf.getvalue(), ps


def _finish(pdf: bytes, out: Any, *, case: dict[str, Any], chash: str, carried: bytes, draft: bool,
            family_copy: bool, boxes: dict[str, Any], password: bytes | None, audit_head: str | None = None) -> None:
    """Add the case file the pack carries (``carried``, whose hash is ``chash``), the pack marker and empty
    signature fields (and encryption) with pyHanko: all before any signature, so signing covers them."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    reader = PdfFileReader(io.BytesIO(pdf))
    w = _copy_unsigned(reader) if draft else None
    if w is None:
        w = copy_into_new_writer(reader)
    info = generic.DictionaryObject({
        generic.pdf_name("/Title"): generic.TextStringObject(f"Handover pack {_case_id(case)}".strip()),
        generic.pdf_name("/Creator"): generic.TextStringObject("transition handover tool"),
        generic.pdf_name("/Subject"): generic.TextStringObject(PACK_FORMAT),
    })
    w.set_info(info)
    # AuditHead: the database's audit trail head when the pack was built for signing, "<count>:<hash>"
    w.root["/HandoverPack"] = generic.DictionaryObject({
        generic.pdf_name("/Format"): generic.TextStringObject(PACK_FORMAT),
        generic.pdf_name("/CaseID"): generic.TextStringObject(_case_id(case)),
        generic.pdf_name("/ContentHash"): generic.TextStringObject(chash),
        generic.pdf_name("/Copy"): generic.TextStringObject("family" if family_copy else "full"),
        generic.pdf_name("/Draft"): generic.BooleanObject(draft),
        **({generic.pdf_name("/AuditHead"): generic.TextStringObject(audit_head)} if audit_head else {}),
    })
    w.update_root()
    embed_case(w, carried, description=("The family copy of the handover case file this pack was made from"
                                        if family_copy else "The handover case file this pack was made from"))
    if not draft:
        # pyhanko.sign pulls in its whole signing stack (aiohttp included): only a final pack needs it
        from pyhanko.sign.fields import SigFieldSpec, append_signature_field

        for name, _label in SIGNATURE_FIELDS:
            if name in boxes:
                page, box = boxes[name]
                append_signature_field(w, SigFieldSpec(sig_field_name=name, on_page=page - 1,
                                                       box=tuple(int(round(v)) for v in box)))
    if password:
        w.encrypt(password, pdf_mac=False)
    w.write(out)


def _copy_unsigned(reader: Any) -> Any:
    """pyHanko's ``copy_into_new_writer`` without its first step, which looks for signatures to carry over
    and for that imports pyHanko's whole signing stack (≈0.3 s at start-up). reportlab's output has no
    signatures. Uses a private pyHanko class: on any surprise, None (the caller uses the public way)."""
    try:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.writer import PdfFileWriter, _ObjectImporter

        w = PdfFileWriter(init_page_tree=False, stream_xrefs=False)
        root_ref = w.root_ref
        importer = _ObjectImporter(source=reader, target=w, obj_stream=None, reference_map={
            reader.root_ref: generic.IndirectObject(idnum=root_ref.idnum, generation=root_ref.generation, pdf=w)})
        w.objects[(root_ref.generation, root_ref.idnum)] = importer.import_object(reader.root)
        return w
    except Exception:  # noqa: BLE001 — a pyHanko version without this internal: fall back
        return None


def build_pack(case: dict[str, Any], out_path: str | Path, *, as_of: dt.date, draft: bool = False,
               family_copy: bool = False, state: str | None = None, protocol: Any = None,
               encrypt_password: bytes | None = None, generated_at: dt.datetime | None = None,
               demo: bool = False, audit_head: str | None = None, elsewhere: Sequence[Any] = ()) -> PackResult:
    """Write the pack for a parsed case. ``elsewhere``: the team database's ``known_elsewhere`` findings
    (warnings: in the findings and who knows what of the professionals' pack, never the family copy). A final pack (``draft=False``) with error findings raises
    :class:`PackRefused` and writes nothing; a path that cannot be written raises :class:`PackError`.
    Only a final pack gets signature boxes (a draft is never signed)."""
    check_output_path(out_path)
    if encrypt_password is not None and not encrypt_password:
        raise PackError("the password for the pack is empty")
    result = check_case(case, as_of, protocol)
    stopping = workflow.stops(result.errors, case)
    if not draft and stopping:
        raise PackRefused(stopping)
    if elsewhere and not family_copy:
        result = replace(result, findings=result.findings + tuple(elsewhere))
    pdf, ps = _render(case, as_of=as_of, draft=draft, family_copy=family_copy, state=state, protocol=protocol,
                      result=result, generated_at=generated_at, demo=demo, elsewhere=elsewhere)
    boxes, omitted, result, pages, chash = ps.boxes, ps.omitted, ps.result, ps.furniture.pages, ps.content_hash
    with atomic_output(out_path) as out:   # every pack, a draft too, carries its case file (SPEC.md section 9)
        _finish(pdf, out, case=case, chash=chash, carried=canonical_json(ps.carried), draft=draft,
                family_copy=family_copy, boxes=boxes, password=encrypt_password, audit_head=audit_head)
    return PackResult(path=Path(out_path), pages=pages, content_hash=chash, draft=draft, family_copy=family_copy,
                      errors=len(result.errors), warnings=len(result.warnings), omitted=omitted,
                      signature_boxes=dict(boxes), encrypted=bool(encrypt_password))

"""The pack of a family (SPEC.md section 7.4): what a ``handover-case/2`` pack has that a /1 pack has not —
the children on the cover, a section of their own for each child who moves, and the requests for
information. People are named, never by their refs."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from handover.case import get_path
from handover.family import FamilyForm, people
from handover.forms import Field, Section
from handover.pack.sections import RenderContext, cell_para, clip, format_value, ref_name, section_flowables
from handover.pack.style import HEAD_BG, RULE, ZEBRA, P, escape, fmt_date
from handover.vocab import vocab

__all__ = ["names_of", "children_of", "family_name", "children_table", "child_sections", "requests_table",
           "HIDDEN"]

#: what the pack never shows of a /2 document: the refs themselves
HIDDEN = frozenset({"children[].ref", "household[].ref"})


def names_of(case: dict[str, Any]) -> dict[str, str]:
    """Each ref's person's name."""
    return {p.ref: p.name for p in people(case)}


def children_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    kids = case.get("children")
    return [c for c in kids if isinstance(c, dict)] if isinstance(kids, list) else []


def _full_name(child: dict[str, Any], i: int) -> str:
    parts = [child.get("given_name"), child.get("family_name")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or f"Child {i + 1} (name not recorded)"


def family_name(case: dict[str, Any]) -> str:
    """Whose handover this is: the children who move, as people say them ("Ellie and Rory Brennan",
    :func:`handover.family.family_title`, the editor's heading too); every child when none who moves is named."""
    from handover.family import family_title

    title = family_title(case)
    if title:
        return title
    kids = children_of(case)
    if not kids:
        return "No children recorded"
    return ", ".join(_full_name(c, i) for i, c in enumerate(kids))


def initials_and_ids(case: dict[str, Any], ids: tuple[str, ...]) -> str:
    """"M.T. EH-91210, K.T. EH-92210": each moving child's initials and first ID filled (``ids``: the
    family form's ``child_ids``, for the first child)."""
    out = []
    for c in children_of(case):
        if c.get("moves") is False:
            continue
        ini = "".join(str(c.get(k) or "").strip()[:1].upper() + "." for k in ("given_name", "family_name")
                      if str(c.get(k) or "").strip()) or "?"
        cid = ""
        for p in ids:
            key = p.split("].", 1)[1] if "]." in p else p
            cid = str(get_path(c, key, "") or "").strip()
            if cid:
                break
        out.append(f"{ini} {cid}".strip())
    return ", ".join(out) or "?"


def children_table(case: dict[str, Any], width: float) -> Table:
    """Every child: name, date of birth, whether their case moves, and why not."""
    data: list[list[Any]] = [[P(h, "head") for h in ("Child", "Date of birth", "Case moves", "Why not")]]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    widths = [width * 0.3, width * 0.17, width * 0.13, width * 0.4]
    for i, c in enumerate(children_of(case)):
        moves = c.get("moves")
        reason = str(c.get("reason_not_moving") or "").strip()
        data.append([cell_para(clip(_full_name(c, i), 120), widths[0] - 12, "cellbold"),
                     P(fmt_date(c.get("date_of_birth")) or "not recorded", "cell"),
                     P("Yes" if moves is True else "No" if moves is False else "not recorded", "cell"),
                     cell_para(reason if moves is False else "—", widths[3] - 12, max_height=120)
                     if (moves is not False or reason) else
                     P("<font color='#b00020'>reason not recorded</font>", "cell", markup=True)])
        if i % 2 == 1:
            style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), ZEBRA))
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle(style))
    return t


def _groups(entry: tuple[Field, ...]) -> list[tuple[str, tuple[Field, ...]]]:
    """A child's fields as the pack shows them: identity, plan and risk factors, voice (not the ref, nor
    whether they move: the section is for a child who moves)."""
    ident: list[Field] = []
    plan: list[Field] = []
    voice: list[Field] = []
    for f in entry:
        if f.key in ("ref", "moves", "reason_not_moving"):
            continue
        if f.key.startswith("child_voice."):
            voice.append(f)
        elif f.key in ("current_plan", "risk_factors"):
            plan.append(f)
        else:
            ident.append(f)
    return [("Identity", tuple(ident)), ("Plan and risk factors", tuple(plan)), ("{name}'s voice", tuple(voice))]


def child_sections(fam: FamilyForm, ctx: RenderContext) -> list[Flowable]:
    """A section of its own for each child whose case moves."""
    try:
        field = fam.form.section(fam.children_key).fields[0]
    except (KeyError, IndexError):
        return []
    out: list[Flowable] = []
    kids = children_of(ctx.case)
    moving = [(i, c) for i, c in enumerate(kids) if c.get("moves") is not False]
    for n, (i, c) in enumerate(moving):
        name = _full_name(c, i)
        given = str(c.get("given_name") or "").strip() or "The child"
        sub = RenderContext(case=c, family_copy=ctx.family_copy, width=ctx.width, form=ctx.form, names=ctx.names)
        head = [P(clip(name, 200), "h1"),
                P(f"Child {n + 1} of {len(moving)} whose case makes this transition", "small")]
        first = True
        for title, fields in _groups(field.fields):
            fields = tuple(f for f in fields if sub.shows(f))
            if not fields:
                continue
            body = section_flowables(Section(id=f"child{i}", title=title, hint="", fields=fields), sub)
            h2 = P(clip(title.format(name=given), 140), "h2")
            if first:
                out.append(KeepTogether(head + [h2] + body[:1]))
                first = False
            else:
                out.append(KeepTogether([h2] + body[:1]))
            out += body[1:]
        if first:
            out += head
        out.append(Spacer(1, 8))
    not_moving = [(i, c) for i, c in enumerate(kids) if c.get("moves") is False]
    if not_moving:
        out.append(P("Children whose case is not moving", "h2"))
        for i, c in not_moving:
            reason = str(c.get("reason_not_moving") or "").strip() or "reason not recorded"
            out.append(P(f"<b>{escape(clip(_full_name(c, i), 120))}</b>: {escape(reason)}", "body", markup=True))
        out.append(Spacer(1, 6))
    return out


def _request_field(fam: FamilyForm, key: str) -> Field | None:
    return fam.form.field_at(f"information_requests[].{key}")


def requests_table(fam: FamilyForm, ctx: RenderContext, statuses: dict[int, str]) -> list[Flowable]:
    """One row per request: agency, about whom, priority, sent (and by whom), the answer or "no answer
    yet" (red when overdue), and what the agency said below it. A family copy leaves out what the agency
    said when the answer is confidential (and every answer the form keeps from the family)."""
    v = vocab()
    reqs = [(i, r) for i, r in enumerate(get_path(ctx.case, "information_requests", []) or [])
            if isinstance(r, dict)]
    if not reqs:
        return [P("None recorded: no agency has been asked what it knows about the family.", "none")]
    w = ctx.width
    widths = [w * 0.27, w * 0.2, w * 0.1, w * 0.17, w * 0.26]
    data: list[list[Any]] = [[P(h, "head") for h in ("Agency", "About", "Priority", "Sent", "Answer")]]
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.3, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    summary_f = _request_field(fam, "response.summary")
    show_summary = summary_f is None or ctx.shows(summary_f)
    about_f = _request_field(fam, "about")
    reqs.sort(key=lambda x: str(x[1].get("sent") or "9999"))
    for n, (i, r) in enumerate(reqs):
        agency = "\n".join(x for x in (str(r.get("agency_name") or "").strip(),
                                       v.label("agency_types", r.get("agency_type") or "")) if x)
        about = format_value(about_f, r.get("about"), ctx) if about_f is not None else ""
        if not about and ctx.names is not None:
            about = ", ".join(ref_name(x, ctx.names) for x in (r.get("about") or []))
        sent = " by ".join(x for x in (fmt_date(r.get("sent")) or "date not recorded",
                                       str(r.get("sent_by") or "").strip()) if x)
        resp = r.get("response")
        if isinstance(resp, dict):
            outcome = v.label("request_outcome", resp.get("outcome") or "") or "answered"
            answer = P(escape(f"{outcome}, {fmt_date(resp.get('date'))}" if resp.get("date") else outcome)
                       + (" <font color='#8a5a00'>(late)</font>" if statuses.get(i) == "late" else ""),
                       "cell", markup=True)
        elif statuses.get(i) == "overdue":
            answer = P("<font color='#b00020'><b>No answer yet — overdue</b></font>", "cell", markup=True)
        else:
            answer = P("No answer yet", "cell")
        r0 = len(data)
        data.append([cell_para(agency, widths[0] - 6), cell_para(about or "—", widths[1] - 6),
                     P(v.label("request_priority", r.get("priority") or "") or "—", "cell"),
                     cell_para(sent, widths[3] - 6), answer])
        if n % 2 == 1:
            style.append(("BACKGROUND", (0, r0), (-1, r0), ZEBRA))
        said = str(resp.get("summary") or "").strip() if isinstance(resp, dict) else ""
        if said and show_summary:
            conf = isinstance(resp, dict) and resp.get("confidential") is True
            label = "<b>What the agency said" + (" (confidential: not in the family copy)" if conf else "") + ":</b> "
            d = len(data)
            data.append([cell_para(said, w - 6, prefix=label)] + [""] * 4)
            style += [("SPAN", (0, d), (-1, d))]
            if n % 2 == 1:
                style.append(("BACKGROUND", (0, d), (-1, d), ZEBRA))
    t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=0)
    t.setStyle(TableStyle(style))
    return [t, Spacer(1, 6)]

"""Exports for managers and council analysts: the overdue list and the transitions list, as CSV or XLSX.

No Qt here: the dashboard and the command line call the same functions. Files are written whole or
not at all, readable by the owner only (0600): they hold children's names.

**The overdue list** has the columns of the dashboard's table and of ``handover overdue --format csv``
(:data:`handover.store.queries.OVERDUE_COLUMNS`), in that order.

**The transitions list** has one row per handover. Its first columns follow the Standard Safeguarding
Dataset (Data to Insight's ``ssd-data-model``: ``ssd_person``, ``ssd_early_help_episodes``,
``ssd_cin_episodes``) where a handover holds the same fact, so that analysts can join it to the tables
behind their returns; the rest are the handover's own. The mapping:

============================  =====================================================================
column                        from the handover
============================  =====================================================================
pers_person_id                ``child.local_ids.csc`` (the case management system's person ID;
                              ``child.local_ids.early_help`` when there is no CSC ID)
pers_common_child_id          ``child.nhs_number`` (SSD PERS013A, "Common Child Identifier")
pers_dob                      ``child.date_of_birth``
pers_gender                   ``child.gender`` as the SSD/CIN code: 01 male, 02 female, 09 other,
                              00 not stated or unknown (SSD PERS003A)
pers_ethnicity                ``child.ethnicity`` as recorded (free text; a DfE code when one was used)
pers_upn                      ``child.upn``
earl_episode_id               step-down: the handover ID (the early help episode it starts)
earl_person_id                step-down: as pers_person_id
earl_episode_start_date       step-down: ``plan.lead_professional.agreed_date`` (early help starts
                              when the lead professional is agreed)
earl_episode_reason           step-down: ``transition.reason``
earl_episode_organisation     step-down: the receiving team
earl_episode_worker_id        step-down: ``plan.lead_professional.name`` (SSD expects a worker ID;
                              the handover holds a name)
cine_referral_id              step-up: the handover ID (the referral to children's social care)
cine_person_id                step-up: as pers_person_id
cine_referral_date            step-up: ``transition.referral_date``
cine_referral_source_desc     step-up: "Early help: <sending team>" (the sending service's label)
cine_referral_team            step-up: the receiving (front door) team
cine_close_date               step-down: ``transition.decision_date`` (children's social care closes)
============================  =====================================================================

then ``handover_id, direction, state, sending_team, receiving_team, owner, decision_date,
current_plan, pack_sent, acknowledged, handover_meeting_held, lead_professional_agency,
receiving_decision, next_rule, next_due, overdue_count``. No SSD field exists for those. Codes the
handover does not hold (CIN referral source code, closure reason, primary need) are left out rather
than guessed.

**CSV and workbook.** The CSV is for scripts and analysts: its header row is the column codes above
and its cells hold the codes (``step_down``, ``awaiting_authorisation``, ISO dates), exactly as SPEC
section 6 gives them. The workbook (XLSX) is for people: the headings of ``columns`` in
``resources/labels.yaml`` ("Deadline" for ``rule``), codes in words ("Step-down", "Awaiting
authorisation", the deadline rules' labels, the vocabularies' labels) and dates as real Excel dates shown
DD/MM/YYYY.

"Step-down" above is any direction whose form's ``to_service`` is early help, "step-up" any whose
``to_service`` is children's social care (``resources/forms/<direction>.yaml``); another direction fills
neither.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Callable, Iterable, Iterator, Sequence

from handover import labels
from handover.store.queries import OVERDUE_COLUMNS, OverdueItem
from handover.vocab import vocab

__all__ = ["ExportError", "Table", "OVERDUE_COLUMNS", "OVERDUE_HEADINGS", "TRANSITION_COLUMNS", "overdue_table",
           "transitions_table", "transition_row", "write_csv", "write_xlsx", "write_table", "FORMATS",
           "FORMULA_TRIGGERS", "neutralise", "cell_text", "write_csv_stream", "heading", "people_value"]

FORMATS = ("csv", "xlsx")



class _Headings(Mapping[str, str]):
    """The headings people read for :data:`OVERDUE_COLUMNS` (``columns`` of resources/labels.yaml), read
    when asked, so that importing this module reads no file."""

    def __getitem__(self, column: str) -> str:
        if column not in OVERDUE_COLUMNS:
            raise KeyError(column)
        return labels.column_label(column)

    def __iter__(self) -> Iterator[str]:
        return iter(OVERDUE_COLUMNS)

    def __len__(self) -> int:
        return len(OVERDUE_COLUMNS)


#: the dashboard's (and the workbook's) headings for :data:`OVERDUE_COLUMNS`
OVERDUE_HEADINGS: Mapping[str, str] = _Headings()

SSD_COLUMNS = ("pers_person_id", "pers_common_child_id", "pers_dob", "pers_gender", "pers_ethnicity", "pers_upn",
               "earl_episode_id", "earl_person_id", "earl_episode_start_date", "earl_episode_reason",
               "earl_episode_organisation", "earl_episode_worker_id",
               "cine_referral_id", "cine_person_id", "cine_referral_date", "cine_referral_source_desc",
               "cine_referral_team", "cine_close_date")
OWN_COLUMNS = ("handover_id", "direction", "state", "sending_team", "receiving_team", "owner", "decision_date",
               "current_plan", "pack_sent", "acknowledged", "handover_meeting_held", "lead_professional_agency",
               "receiving_decision", "next_rule", "next_due", "overdue_count")
TRANSITION_COLUMNS = SSD_COLUMNS + OWN_COLUMNS

_GENDER = {"male": "01", "female": "02", "other": "09", "not_stated": "00", "unknown": "00"}


class ExportError(Exception):
    """The file could not be written; ``str()`` is one line."""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: Iterable[Sequence[Any]]      #: may be a generator (written as it streams)


# ---------------------------------------------------------------- the overdue list


def overdue_table(items: Iterable[OverdueItem]) -> Table:
    """The overdue list as on the dashboard: :data:`OVERDUE_COLUMNS`, dates as dates."""
    return Table(tuple(OVERDUE_COLUMNS), ([getattr(i, c) for c in OVERDUE_COLUMNS] for i in items))


# ---------------------------------------------------------------- the transitions list


def _get(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def _d(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def transition_row(case: dict[str, Any], *, state: str, sending_team: str, receiving_team: str, owner: str,
                   next_rule: str = "", next_due: date | None = None, overdue_count: int = 0) -> list[Any]:
    """One row of the transitions list (:data:`TRANSITION_COLUMNS`) from a case document."""
    direction = case.get("direction", "")
    # the SSD table a handover fills follows the service that receives it: early help starts an episode
    # (a step-down); children's social care receives a referral (a step-up)
    receiving_service = labels.receiving_service(direction) if isinstance(direction, str) else None
    down, up = receiving_service == "early_help", receiving_service == "children_social_care"
    sender = labels.sending_service(direction) if up else None
    referrer = vocab().label("agency_types", sender) if sender else ""
    person = _s(_get(case, "child.local_ids.csc")) or _s(_get(case, "child.local_ids.early_help"))
    hid = _s(case.get("id"))
    decision = _d(_get(case, "transition.decision_date"))
    receiving = _get(case, "sign_off.receiving.decision")
    values = {
        "pers_person_id": person, "pers_common_child_id": _s(_get(case, "child.nhs_number")),
        "pers_dob": _d(_get(case, "child.date_of_birth")),
        "pers_gender": _GENDER.get(_s(_get(case, "child.gender")), ""),
        "pers_ethnicity": _s(_get(case, "child.ethnicity")), "pers_upn": _s(_get(case, "child.upn")),
        "earl_episode_id": hid if down else "", "earl_person_id": person if down else "",
        "earl_episode_start_date": _d(_get(case, "plan.lead_professional.agreed_date")) if down else None,
        "earl_episode_reason": _s(_get(case, "transition.reason")) if down else "",
        "earl_episode_organisation": receiving_team if down else "",
        "earl_episode_worker_id": _s(_get(case, "plan.lead_professional.name")) if down else "",
        "cine_referral_id": hid if up else "", "cine_person_id": person if up else "",
        "cine_referral_date": _d(_get(case, "transition.referral_date")) if up else None,
        "cine_referral_source_desc": f"{referrer}: {sending_team}" if referrer and sending_team else referrer,
        "cine_referral_team": receiving_team if up else "",
        "cine_close_date": decision if down else None,
        "handover_id": hid, "direction": direction, "state": state, "sending_team": sending_team,
        "receiving_team": receiving_team, "owner": owner, "decision_date": decision,
        "current_plan": _s(_get(case, "transition.current_plan")),
        "pack_sent": _d(_get(case, "events.pack_sent")), "acknowledged": _d(_get(case, "events.acknowledged")),
        "handover_meeting_held": _d(_get(case, "plan.handover_meeting.held_date")),
        "lead_professional_agency": _s(_get(case, "plan.lead_professional.agency")),
        "receiving_decision": receiving if isinstance(receiving, str) else "",
        "next_rule": next_rule, "next_due": next_due, "overdue_count": overdue_count,
    }
    return [values[c] for c in TRANSITION_COLUMNS]


def transitions_table(store: Any, actor: Any, as_of: date, *, batch: int = 2000) -> Table:
    """Every handover the actor may see, one row each, streamed from the database in batches.

    Reads each handover's current version (the SSD fields live in the document), its next open deadline
    and its number of overdue deadlines — three queries per batch, not per handover.
    """
    from sqlalchemy import func, select
    from sqlalchemy.orm import aliased

    from handover.store.models import DeadlineRow, Handover, Team, User, Version
    from handover.store.access import list_scope

    def rows() -> Iterator[list[Any]]:
        with store.read() as s:
            _who, vis = list_scope(s, actor)
            sending, receiving, owner = aliased(Team), aliased(Team), aliased(User)
            q = (select(Handover.id, Handover.state, sending.name, receiving.name, owner.display_name, Version.document)
                 .join(Version, (Version.handover_id == Handover.id) & (Version.number == Handover.current_version))
                 .outerjoin(sending, sending.id == Handover.team_id)
                 .outerjoin(receiving, receiving.id == Handover.receiving_team_id)
                 .outerjoin(owner, owner.id == Handover.owner_id)
                 .order_by(Handover.id))
            if vis is not None:
                q = q.where(vis)
            result = s.execute(q.execution_options(yield_per=batch))
            for part in result.partitions(batch):
                ids = [r[0] for r in part]
                nxt: dict[int, tuple[str, date]] = {}
                for hid, rule, due in s.execute(
                        select(DeadlineRow.handover_id, DeadlineRow.rule, DeadlineRow.due)
                        .where(DeadlineRow.handover_id.in_(ids), DeadlineRow.done.is_(None),
                               DeadlineRow.due.is_not(None))
                        .order_by(DeadlineRow.handover_id, DeadlineRow.due)):
                    nxt.setdefault(hid, (rule, due))
                over = dict(s.execute(select(DeadlineRow.handover_id, func.count())
                                      .where(DeadlineRow.handover_id.in_(ids), DeadlineRow.done.is_(None),
                                             DeadlineRow.due < as_of)
                                      .group_by(DeadlineRow.handover_id)).all())
                for hid, state, team, recv, own, document in part:
                    rule, due = nxt.get(hid, ("", None))
                    yield transition_row(json.loads(document), state=state, sending_team=team or "",
                                         receiving_team=recv or "", owner=own or "", next_rule=rule, next_due=due,
                                         overdue_count=int(over.get(hid, 0)))

    return Table(TRANSITION_COLUMNS, rows())


# ---------------------------------------------------------------- writing


#: a cell starting with one of these is run as a formula (or a DDE command such as ``=cmd|' /c calc'!A1``)
#: by spreadsheets (OWASP "CSV injection"; ASVS 1.2.10 adds NUL; the full-width forms are read as the
#: ASCII ones by some spreadsheets in East Asian locales)
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will never run it: a single quote before a leading ``= + - @``, tab or
    line break (what OWASP advises; the quote shows in a text editor, which is the lesser harm)."""
    return "'" + text if text[:1] in FORMULA_TRIGGERS else text


def cell_text(value: Any) -> str:
    """A value as the text of one CSV cell: dates in ISO form, None as empty, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return neutralise(str(value))


def write_csv_stream(stream: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """CSV (header row, then ``rows``) onto a text stream such as standard output, every cell through
    :func:`cell_text`; returns the number of data rows. What ``handover overdue --format csv`` needs."""
    w = csv.writer(stream, lineterminator="\n")
    w.writerow(columns)
    n = 0
    for row in rows:
        w.writerow([cell_text(v) for v in row])
        n += 1
    return n


def _open(path: str | Path) -> Any:
    from handover.files import atomic_output

    return atomic_output(path, error=ExportError, what="the export")


def write_csv(path: str | Path, table: Table) -> int:
    """Write ``table`` as UTF-8 CSV with a header row (mode 0600); returns the number of data rows."""
    n = 0
    with _open(path) as f:
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        w = csv.writer(text)
        w.writerow(table.columns)
        for row in table.rows:
            w.writerow([cell_text(v) for v in row])
            n += 1
        text.flush()
        text.detach()
    return n


def _gender(code: Any) -> str:
    """An SSD gender code (01, 02, 09, 00) as the handover's vocabulary words it."""
    words = [vocab().label("gender", g) for g, c in _GENDER.items() if c == code]
    return f"{words[0]} or {' or '.join(w.lower() for w in words[1:])}" if len(words) > 1 else "".join(words)


def _vocab(name: str) -> Callable[[Any], str]:
    return lambda code: vocab().label(name, code)


#: how a column's codes read in a workbook (the CSV keeps the codes: SPEC section 6); a column not here
#: holds names, free text, numbers or dates already
_PEOPLE: dict[str, Callable[[Any], str]] = {
    "direction": labels.direction_label, "state": labels.state_label, "rule": labels.rule_label,
    "next_rule": labels.rule_label, "status": labels.status_label, "pers_gender": _gender,
    "current_plan": _vocab("current_plan"), "receiving_decision": _vocab("receiving_decision"),
    "lead_professional_agency": _vocab("agency_types"), "agency_type": _vocab("agency_types"),
}


def heading(column: str) -> str:
    """A column's heading as people read it in a workbook: "Deadline" for ``rule`` (labels.yaml)."""
    return labels.column_label(column)


def people_value(column: str, value: Any) -> Any:
    """A cell's value as people read it in a workbook: "Awaiting authorisation" for the state
    ``awaiting_authorisation``, "Step-down" for ``step_down``; anything else as it is."""
    words = _PEOPLE.get(column)
    if words is None or not isinstance(value, str) or not value:
        return value
    return words(value)


#: dates in a workbook as people in England write them
XLSX_DATE_FORMAT = "dd/mm/yyyy"


def write_xlsx(path: str | Path, table: Table, *, sheet: str = "Export") -> int:
    """Write ``table`` as an Excel workbook for people (mode 0600): one sheet, headings and codes in
    words (:func:`heading`, :func:`people_value`), dates as real dates shown DD/MM/YYYY. The CSV of the
    same table keeps the codes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    headings = [cell_text(heading(c)) for c in table.columns]
    for i, text in enumerate(headings, start=1):   # wide enough for its heading and a date or a name
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(text) + 3, 13), 40)
    header = []
    for text in headings:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    for row in table.rows:
        out = []
        for c, v in zip(table.columns, row):
            v = people_value(c, v)
            if isinstance(v, date) and not isinstance(v, datetime):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = XLSX_DATE_FORMAT
                out.append(cell)
            elif v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(v)
            else:   # text is text, never a formula: neutralised, and typed as a string explicitly
                cell = WriteOnlyCell(ws, value=cell_text(v))
                cell.data_type = "s"
                out.append(cell)
        ws.append(out)
        n += 1
    with _open(path) as f:
        wb.save(f)
    return n


def write_table(path: str | Path, table: Table, fmt: str | None = None) -> int:
    """CSV or XLSX by ``fmt`` or by the file's extension."""
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt == "csv":
        return write_csv(path, table)
    if fmt == "xlsx":
        return write_xlsx(path, table)
    raise ExportError(f"cannot export as {fmt!r} (use .csv or .xlsx)")

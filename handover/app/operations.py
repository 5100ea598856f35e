"""One operation per thing a person does, for the app (and, in time, the command line).

Each takes the signed-in person's :class:`~handover.app.context.Context` first. The store checks access
on every call, from the actor as the database knows them now, and each write is one transaction. An
operation that changes something returns :class:`~handover.app.context.Done` — its value and the
:class:`~handover.app.context.Changes` every open screen redraws from; a read returns its value.
Expected refusals raise :class:`~handover.app.errors.OperationError` (one line); anything else is a bug.

Every check, preview and pack here uses ``ctx.protocol()`` and ``ctx.today()``: the database's protocol
and the same date, by construction.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from handover.app.context import Changes, Context, Done
from handover.app.errors import Invalid, OperationError, Refused
from handover.store import service as svc

__all__ = [
    # the lists
    "ListRow", "list_page", "count", "COUNT_CAP",
    # one handover
    "open_case", "check", "check_answers", "team_named_in", "CheckedAnswers", "request_letter", "create", "create_for_same_child", "import_file", "export", "save", "history", "versions",
    "diff_versions", "receiving_teams", "assign_receiving_team", "next_deadline",
    # moves
    "move", "request_authorisation", "send_back", "authorise", "send", "acknowledge", "accept", "return_handover",
    "close", "AcceptDetails",
    # packs
    "preview_builder", "sign_pack", "list_packs", "get_pack", "signed_pack_for", "verify_pack_bytes",
    # dashboards and exports
    "dashboard_counts", "overdue_page", "overdue_total", "escalation_counts", "timeliness", "overdue_by_team",
    "workers", "teams", "export_overdue", "export_transitions", "OverdueFilter",
    # administration
    "list_users", "create_team", "create_user", "set_role", "set_active", "reset_password", "protocol",
    "set_protocol", "database_location", "is_demo",
]

from handover.store.admin import SERVICES  # noqa: E402 — re-exported: the services a team can belong to
from handover.store.models import ROLES  # noqa: E402 — re-exported: the app roles an account can have
from handover.store.receiving import AcceptDetails  # noqa: E402 — re-exported: the accept dialog fills one
from handover.export import OVERDUE_COLUMNS, OVERDUE_HEADINGS  # noqa: E402 — the overdue table's columns
from handover.store.reports import ESCALATION_RULES, WAITING_STATES, OverdueFilter  # noqa: E402 — the dashboard's

#: the list's heading counts exactly up to this many, then says "more than" (a region has a million)
COUNT_CAP = 10_000
_SORT = {"child": "child", "direction": "direction", "state": "state", "case_id": "case_id", "due": "due",
         "errors": "errors"}


# ================================================================ the lists


@dataclass(frozen=True)
class ListRow:
    """One row of a list of handovers, as a person reads it."""

    case_id: str
    child: str
    direction: str          #: a direction code (the list shows its label)
    state: str
    from_to: str
    next_rule: str          #: "" when no open deadline
    next_due: str           #: ISO date or ""
    next_status: str        #: due | overdue | ""
    errors: int
    note: str = ""          #: why it came back (sent back or returned), for whoever has it again


def _filters(scope: str, search: str, open_only: bool) -> svc.Filters:
    if scope == "to_authorise":    # a manager's queue: their team's handovers put forward to them
        return svc.Filters(search=search, scope="team", states=("awaiting_authorisation",))
    states = WAITING_STATES if scope == "incoming" and open_only else ()
    return svc.Filters(search=search, scope=scope, states=states)


def list_page(ctx: Context, scope: str, offset: int, limit: int, search: str = "", sort_key: str = "",
              descending: bool = True, *, open_only: bool = False) -> list[ListRow]:
    """One page of the handovers the person may see: ``scope`` "all", "mine", "team", "incoming" or
    "to_authorise" (a manager's team's handovers awaiting authorisation)
    (``open_only``: of the incoming, those still waiting for the team: sent or acknowledged)."""
    rows = svc.list_handovers(ctx.store, ctx.actor, _filters(scope, search, open_only),
                              sort=_SORT.get(sort_key, "updated_at"), descending=descending, offset=offset,
                              limit=limit)
    today = ctx.today()
    back = svc.reasons_back(ctx.store, ctx.actor, [r.case_id for r in rows if r.state == "draft"])
    out = []
    for r in rows:
        due = r.next_due
        out.append(ListRow(case_id=r.case_id, child=r.child, direction=r.direction, state=r.state,
                           from_to=f"{r.team or '—'} → {r.receiving_team or '—'}", next_rule=r.next_rule or "",
                           next_due=due.isoformat() if due else "",
                           next_status="" if due is None else ("overdue" if due < today else "due"),
                           errors=r.error_count, note=reason_text(back.get(r.case_id))))
    return out


def count(ctx: Context, scope: str, search: str = "", *, open_only: bool = False, cap: int | None = COUNT_CAP) -> int:
    return svc.count_handovers(ctx.store, ctx.actor, _filters(scope, search, open_only), cap=cap)


def reason_text(back: Any) -> str:
    """"Sent back by Sam Manager: …" / "Returned by Erin Receiver (Information is missing…): …", or ""."""
    if back is None:
        return ""
    from handover import labels

    how = labels.action_past(back.action).capitalize()
    why = f" ({labels.return_reason_label(back.reason_code)})" if back.reason_code else ""
    return f"{how} by {back.by or 'someone'}{why}: {back.note}".strip()


# ================================================================ one handover


def open_case(ctx: Context, case_id: str, version: int | None = None) -> svc.CaseView:
    """Open a case (the reading is recorded in the audit trail)."""
    return svc.get_handover(ctx.store, ctx.actor, case_id, now=ctx.now(), version=version)


def team_named_in(case: dict[str, Any], teams: Sequence[Any]) -> int | None:
    """The id of the team the form's "To" names (``transition.to_service``: "Early Help East" or "early
    help east team"), when exactly one of ``teams`` matches; else None."""
    from handover.case import get_path

    said = " ".join(str(get_path(case, "transition.to_service", "") or "").casefold().split())
    if not said:
        return None
    exact = [t.id for t in teams if " ".join(t.name.casefold().split()) == said]
    within = [t.id for t in teams if " ".join(t.name.casefold().split()) in said]
    found = exact or within
    return found[0] if len(found) == 1 else None


def check(ctx: Context, case: dict[str, Any]) -> Any:
    """Findings and deadlines of a case today, under the database's protocol."""
    return ctx.check(case)


@dataclass(frozen=True)
class CheckedAnswers:
    """The "Check your answers" page of one handover before a move: every answer, the check, and the
    errors that stop the move (:func:`handover.workflow.blocking`: the same rule the store applies)."""
    sections: tuple[Any, ...]      #: :class:`handover.answers.SectionAnswers`, in form order
    result: Any                    #: the :class:`handover.checks.CheckResult` as of today
    blocking: tuple[Any, ...]      #: the error findings that stop ``action``; empty: it may go ahead
    action: str


def check_answers(ctx: Context, case: dict[str, Any], action: str) -> CheckedAnswers:
    """What the practitioner (or the manager, before authorising) reviews before ``action``."""
    from handover import workflow
    from handover.answers import answers

    if action == "request_authorisation":    # checked as the move will record it (the preparer filled in)
        import copy

        case = copy.deepcopy(case)
        a = ctx.actor
        workflow.record_preparer(case, a.display_name, a.role, a.team_name, ctx.today().isoformat())
    result = ctx.check(case)
    return CheckedAnswers(tuple(answers(case)), result, tuple(workflow.blocking(action, result.errors, case)),
                          action)


def _created(summary: svc.HandoverSummary) -> Done:
    return Done(summary, Changes.of(summary.case_id))


def create(ctx: Context, direction: str, case_id: str) -> Done:
    """A new, blank handover in draft, owned by the person and sent by their team."""
    from handover.case import blank_case

    case_id = (case_id or "").strip()
    if not case_id:
        raise Invalid("give the handover an ID (the one your case system uses)")
    return _created(svc.create_handover(ctx.store, ctx.actor, blank_case(direction, case_id), now=ctx.now()))


def create_for_same_child(ctx: Context, source_id: str, direction: str, case_id: str) -> Done:
    """A new handover for the child of ``source_id``: child, household, agencies and chronology copied,
    so nothing is typed twice (every agency must be told of the new transition again)."""
    from handover.case import copy_for_new_handover

    case_id = (case_id or "").strip()
    if not case_id:
        raise Invalid("give the handover an ID (the one your case system uses)")
    previous = open_case(ctx, source_id)
    new = copy_for_new_handover(previous.case, direction, case_id)
    return _created(svc.create_handover(ctx.store, ctx.actor, new, now=ctx.now()))


def import_file(ctx: Context, path: str | Path) -> Done:
    """Import a case file: a new handover, or a new version of the one with its id."""
    from handover.files import read_input

    data = read_input(str(path), what="the case file", error=Refused)
    result = svc.import_case(ctx.store, ctx.actor, data, now=ctx.now(), source=Path(path).name)
    return Done(result, Changes() if result.unchanged else Changes.of(result.case_id))


def export(ctx: Context, case_id: str, version: int | None = None) -> str:
    """The stored text of the current version (or ``version``); the export is audited."""
    return svc.export_document(ctx.store, ctx.actor, case_id, now=ctx.now(), version=version)


def save(ctx: Context, case_id: str, case: dict[str, Any], expected_version: int) -> Done:
    """Autosave: amends the person's own unfrozen draft version, else writes a new version."""
    summary = svc.save_version(ctx.store, ctx.actor, case_id, case, expected_version, now=ctx.now(), amend=True)
    return Done(summary, Changes.of(case_id))


def history(ctx: Context, case_id: str) -> list[svc.HistoryItem]:
    return svc.history(ctx.store, ctx.actor, case_id)


def versions(ctx: Context, case_id: str) -> list[svc.VersionInfo]:
    return svc.versions(ctx.store, ctx.actor, case_id)


def diff_versions(ctx: Context, case_id: str, old: int, new: int) -> list[svc.Change]:
    return svc.diff_versions(ctx.store, ctx.actor, case_id, old, new)


def receiving_teams(ctx: Context, direction: str) -> list[svc.TeamInfo]:
    """Teams that can receive a handover going this way (the service its form says receives it), the
    person's own team left out; every other team when none is of that service."""
    from handover import labels

    service = labels.receiving_service(direction)
    teams = svc.list_teams(ctx.store, ctx.actor)
    others = [t for t in teams if t.id != ctx.actor.team_id]
    return [t for t in others if t.service == service] or others


def assign_receiving_team(ctx: Context, case_id: str, team_id: int) -> Done:
    summary = svc.assign(ctx.store, ctx.actor, case_id, now=ctx.now(), receiving_team_id=team_id)
    return Done(summary, Changes.of(case_id))


def next_deadline(ctx: Context, check_result: Any) -> tuple[str, date] | None:
    """The earliest deadline not yet done in a check's result (rule, due)."""
    pending = [d for d in check_result.deadlines if d.done is None and d.due is not None]
    if not pending:
        return None
    d = min(pending, key=lambda d: d.due)
    return d.rule, d.due


# ================================================================ moves


def move(ctx: Context, case_id: str, action: str, *, reason_code: str | None = None, note: str | None = None,
         expected_version: int | None = None) -> Done:
    """One workflow move (SPEC section 2); refused with a reason a person can act on."""
    if action == "send":
        return send(ctx, case_id, expected_version)
    result = svc.move(ctx.store, ctx.actor, case_id, action, now=ctx.now(), reason_code=reason_code, note=note,
                      expected_version=expected_version)
    return Done(result, Changes.of(case_id))


def request_authorisation(ctx: Context, case_id: str, expected_version: int) -> Done:
    return move(ctx, case_id, "request_authorisation", expected_version=expected_version)


def send_back(ctx: Context, case_id: str, reasons: str, expected_version: int) -> Done:
    """A manager sends a handover back to draft; the reasons reach the practitioner (banner and list)."""
    if not (reasons or "").strip():
        raise Invalid("say why you are sending it back, so the practitioner knows what to change")
    return move(ctx, case_id, "send_back", note=reasons, expected_version=expected_version)


def authorise(ctx: Context, case_id: str, expected_version: int) -> Done:
    """The sending manager's sign-off: freezes the version (refused while the checks find any error in
    it under the database's protocol). Sign its pack next with :func:`sign_pack`."""
    return move(ctx, case_id, "authorise", expected_version=expected_version)


def send(ctx: Context, case_id: str, expected_version: int, receiving_team_id: int | None = None) -> Done:
    """Send the authorised handover with its signed pack (choosing the receiving team, when it has none,
    in the same transaction). Refused while no signed pack of the authorised version is kept: SPEC's
    ``authorised`` means the sending manager signed and the signed pack is frozen."""
    view = open_case(ctx, case_id)
    authorised = view.summary.authorised_version
    if authorised is not None and not [p for p in list_packs(ctx, case_id)
                                       if p.version == authorised and p.kind == "final"]:
        raise Refused(f"{case_id} has no signed pack yet: the authorising manager signs it (Sign pack) before "
                      "it is sent")
    result = svc.move(ctx.store, ctx.actor, case_id, "send", now=ctx.now(), expected_version=expected_version,
                      receiving_team_id=receiving_team_id)
    return Done(result, Changes.of(case_id))


def acknowledge(ctx: Context, case_id: str, expected_version: int) -> Done:
    return move(ctx, case_id, "acknowledge", expected_version=expected_version)


def accept(ctx: Context, case_id: str, details: AcceptDetails, expected_version: int) -> Done:
    """Record the handover meeting and the lead professional, then accept."""
    from handover.store import receiving

    result = receiving.accept(ctx.store, ctx.actor, case_id, details, now=ctx.now(),
                              expected_version=expected_version, today=ctx.today())
    return Done(result, Changes.of(case_id))


def return_handover(ctx: Context, case_id: str, reason_code: str, note: str, expected_version: int) -> Done:
    """Return it to the sending team with a coded reason and a note (both required)."""
    from handover.store import receiving

    result = receiving.return_handover(ctx.store, ctx.actor, case_id, reason_code, note, now=ctx.now(),
                                       expected_version=expected_version)
    return Done(result, Changes.of(case_id))


def close(ctx: Context, case_id: str, expected_version: int) -> Done:
    return move(ctx, case_id, "close", expected_version=expected_version)


# ================================================================ packs


def preview_builder(ctx: Context, case: dict[str, Any], state: str | None = None, *, draft: bool = True
                    ) -> Callable[[Path], Any]:
    """A function that writes the (draft) pack of ``case`` to a path — under the database's protocol and
    today's date, both read now, so it can run on another thread without touching the database."""
    doc, as_of, protocol, demo = json.loads(json.dumps(case)), ctx.today(), ctx.protocol(), is_demo(ctx)
    elsewhere = _known_elsewhere_or_none(ctx, doc.get("id"))

    def build(path: Path) -> Any:
        return _build_pack(doc, path, as_of=as_of, draft=draft, state=state, protocol=protocol, demo=demo,
                           elsewhere=elsewhere)

    return build


def _known_elsewhere_or_none(ctx: Context, case_id: Any) -> list[Any]:
    """The ``known_elsewhere`` findings a pack of a stored handover shows in who knows what (SPEC section
    8); none for a case not stored (yet) or that this person may not match."""
    if not isinstance(case_id, str) or not case_id:
        return []
    try:
        return known_elsewhere(ctx, case_id)
    except OperationError:
        return []


def _build_pack(case: dict[str, Any], path: Path, **kwargs: Any) -> Any:
    """:func:`handover.pack.build_pack`, its expected failures as a :class:`Refused` (one line)."""
    from handover.pack import PackError, PackRefused, build_pack

    try:
        return build_pack(case, path, **kwargs)
    except PackRefused as e:
        raise Refused(_refusal_line(e)) from None
    except PackError as e:
        raise Refused(str(e)) from None


def request_letter(ctx: Context, case: dict[str, Any], index: int, path: str | Path) -> Path:
    """The one-page letter for the handover's request for information ``index`` (from 0), written to
    ``path`` (readable by its owner only), from the service the handover comes from (else the signed-in
    person's team), with the reply-by date of the database's protocol."""
    from handover.files import atomic_output
    from handover.pack.errors import PackError
    from handover.pack.letter import request_letter as letter, sending_service

    council = sending_service(case) or ctx.actor.team_name or ""
    if not council:
        raise Refused("the handover does not say which service it comes from: fill in “From” first")
    try:
        pdf = letter(case, index, protocol=ctx.protocol(), council=council)
    except PackError as e:
        raise Refused(str(e)) from None
    with atomic_output(path, error=Refused, what="the letter") as f:
        f.write(pdf)
    return Path(path)


def _refusal_line(e: Any) -> str:
    n = len(e.errors)
    first = e.errors[0].message if e.errors else ""
    return (f"the pack cannot be final while {n} error{'s' if n != 1 else ''} remain{'s' if n == 1 else ''}"
            f"{': ' + first if first else ''}{' (and more)' if n > 1 else ''}")


def _authorised_on(case: dict[str, Any], fallback: date) -> date:
    """The date the sending manager signed off (the pack records the handover as authorised then)."""
    from handover.case import get_path
    from handover.dates import parse_iso

    raw = get_path(case, "sign_off.sending_manager.date", None)
    try:
        return parse_iso(raw) or fallback if isinstance(raw, str) else fallback
    except ValueError:
        return fallback


def sign_pack(ctx: Context, case_id: str, certificate: str | Path, passphrase: str | bytes) -> Done:
    """Build the final pack of the stored authorised version, sign the manager's box with the person's
    certificate, check in the core that the signed PDF carries that version's content hash, and keep it.

    The pack is built from the version as stored (never from what a screen holds), under the database's
    protocol, as of the day the manager signed off. A wrong passphrase, an expired certificate or a pack
    that cannot be final is an ordinary :class:`Refused`; nothing is stored then.
    """
    from handover.pack import PackError, sign_pack as pdf_sign, verify_pack

    view = open_case(ctx, case_id)
    if not view.frozen:
        raise Refused(f"{case_id} is not authorised: only the pack of an authorised version is signed")
    if not view.can_sign:
        raise Refused("only a manager of the sending team signs the authorised pack")
    pw = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
    if not pw:
        raise Refused("type the certificate's passphrase")
    as_of = _authorised_on(view.case, ctx.today())
    from handover import audit

    with ctx.store.read() as s:   # the trail's head now: the pack anchors the history before its signing
        head = audit.head_text(*audit.read_head(s))
    with tempfile.TemporaryDirectory(prefix="handover-sign-") as tmp:   # 0700; removed whatever happens
        unsigned, signed = Path(tmp) / "unsigned.pdf", Path(tmp) / "signed.pdf"
        _build_pack(view.case, unsigned, as_of=as_of, state=view.summary.state, protocol=ctx.protocol(),
                    demo=is_demo(ctx), audit_head=head, elsewhere=_known_elsewhere_or_none(ctx, case_id))
        data = unsigned.read_bytes()
        unsigned.unlink()             # the unsigned pack is on disk only while it is built; signed from memory
        try:
            pdf_sign(data, signed, certificate, pw, field_name="manager", timestamp=ctx.now())
        except PackError as e:
            raise Refused(str(e)) from None
        checked = verify_pack(signed)
        if not checked.ok or checked.draft or checked.content_hash != view.content_hash:
            raise Refused("the signed pack does not match the authorised version: nothing was kept; try again")
        pdf = signed.read_bytes()
    signer = next((s.signer for s in checked.signatures if s.field_name == "manager"), ctx.actor.display_name)
    info = svc.store_pack(ctx.store, ctx.actor, case_id, view.version, pdf, kind="final", now=ctx.now(),
                          signers=signer, content_hash=checked.content_hash)
    return Done(info, Changes.of(case_id))


def verify_pack_bytes(ctx: Context, data: bytes) -> Any:
    """Check a pack's signatures (a PDF held in memory; written to a private temp file for pyHanko)."""
    from handover.pack import PackError, verify_pack

    with tempfile.TemporaryDirectory(prefix="handover-verify-") as tmp:
        path = Path(tmp) / "pack.pdf"
        path.write_bytes(data)
        path.chmod(0o600)
        try:
            return verify_pack(path)
        except PackError as e:
            raise Refused(f"the pack cannot be verified: {e}") from None


def list_packs(ctx: Context, case_id: str) -> list[Any]:
    return svc.list_packs(ctx.store, ctx.actor, case_id)


def get_pack(ctx: Context, case_id: str, pack_id: int) -> bytes:
    """A stored pack's bytes (the reading is audited)."""
    return svc.get_pack(ctx.store, ctx.actor, case_id, pack_id, now=ctx.now())


def signed_pack_for(ctx: Context, case_id: str, version: int | None = None) -> tuple[Any, ...]:
    """The newest stored signed pack of ``version`` (any version when None) and its bytes; ``()`` when
    none — never a superseded version's pack in place of the one asked for."""
    packs = list_packs(ctx, case_id)
    mine = [p for p in packs if version is None or p.version == version]
    if not mine:
        return ()
    return mine[-1], get_pack(ctx, case_id, mine[-1].id)


# ================================================================ dashboards and exports


def dashboard_counts(ctx: Context) -> dict[tuple[str, str], int]:
    return svc.dashboard_counts(ctx.store, ctx.actor)


def overdue_page(ctx: Context, f: OverdueFilter, sort: str, descending: bool, offset: int, limit: int) -> list[Any]:
    from handover.store import reports

    return reports.overdue_page(ctx.store, ctx.actor, ctx.today(), f, sort=sort, descending=descending,
                                offset=offset, limit=limit)


def overdue_total(ctx: Context, f: OverdueFilter) -> int:
    from handover.store import reports

    return reports.overdue_total(ctx.store, ctx.actor, ctx.today(), f)


def escalation_counts(ctx: Context) -> dict[str, int]:
    from handover.store import reports

    return reports.escalation_counts(ctx.store, ctx.actor, ctx.today())


def timeliness(ctx: Context, months: int = 12) -> list[Any]:
    from handover.store import reports

    return reports.timeliness_by_month(ctx.store, ctx.actor, ctx.today(), months=months)


def overdue_by_team(ctx: Context) -> dict[str, int]:
    from handover.store import reports

    return reports.overdue_by_team(ctx.store, ctx.actor, ctx.today())


def overdue_requests_by_agency(ctx: Context) -> list[Any]:
    """Per agency type, the requests for information unanswered past their deadline (SPEC section 7.3)."""
    from handover.store import reports

    return reports.overdue_requests_by_agency(ctx.store, ctx.actor, ctx.today())


def workers(ctx: Context) -> list[tuple[int, str, str]]:
    from handover.store import reports

    return reports.workers(ctx.store, ctx.actor)


def teams(ctx: Context) -> list[svc.TeamInfo]:
    return svc.list_teams(ctx.store, ctx.actor)


def _written(write: Callable[[], int]) -> int:
    from handover.export import ExportError

    try:
        return write()
    except ExportError as e:
        raise Refused(str(e)) from None


def export_overdue(ctx: Context, f: OverdueFilter, path: str, sort: str = "due", descending: bool = False) -> int:
    """Every overdue row matching the dashboard's filters, in its order, to CSV or XLSX; rows written."""
    from handover import export
    from handover.store import reports

    items = reports.overdue_page(ctx.store, ctx.actor, ctx.today(), f, sort=sort, descending=descending, limit=None)
    return _written(lambda: export.write_table(path, export.overdue_table(items)))


def export_transitions(ctx: Context, path: str) -> int:
    from handover import export

    return _written(lambda: export.write_table(path, export.transitions_table(ctx.store, ctx.actor, ctx.today())))


# ================================================================ administration


def list_users(ctx: Context) -> list[svc.UserInfo]:
    return svc.list_users(ctx.store, ctx.actor)


def _people(value: Any) -> Done:
    return Done(value, Changes(people=True))


def create_team(ctx: Context, name: str, service: str) -> Done:
    return _people(svc.create_team(ctx.store, ctx.actor, name, service, now=ctx.now()))


def create_user(ctx: Context, username: str, display_name: str, role: str, team_id: int | None,
                password: str) -> Done:
    return _people(svc.create_user(ctx.store, ctx.actor, username, display_name, role, team_id, password,
                                   now=ctx.now()))


def set_role(ctx: Context, username: str, role: str, team_id: int | None) -> Done:
    return _people(svc.set_role(ctx.store, ctx.actor, username, role, team_id, now=ctx.now()))


def set_active(ctx: Context, username: str, active: bool) -> Done:
    fn = svc.enable_user if active else svc.disable_user
    return _people(fn(ctx.store, ctx.actor, username, now=ctx.now()))


def reset_password(ctx: Context, username: str, password: str) -> Done:
    return _people(svc.reset_password(ctx.store, ctx.actor, username, password, now=ctx.now()))


def protocol(ctx: Context) -> Any:
    """The database's active protocol (what every check, deadline and pack uses)."""
    return ctx.protocol()


def set_protocol(ctx: Context, new: Any) -> Done:
    """An administrator's new timescales: stored, every deadline recomputed, and from now on what every
    open editor, preview, pack, list and report shows. The value is how many handovers were recomputed."""
    from handover.protocol import ProtocolError, parse_protocol

    if isinstance(new, dict):
        try:
            new = parse_protocol(new, "the protocol")
        except ProtocolError as e:
            raise Invalid(str(e).replace("the protocol: ", "")) from None
    n = svc.set_protocol(ctx.store, ctx.actor, new, now=ctx.now())
    ctx.forget_protocol()
    return Done(n, Changes(protocol=True))


def is_demo(ctx: Context) -> bool:
    """A demonstration database (synthetic data, public passwords): the window and every pack say so."""
    from handover.demo import DEMO_MARK
    from handover.store.models import Setting

    with ctx.store.read() as s:
        return s.get(Setting, DEMO_MARK) is not None


def database_location(ctx: Context) -> str:
    """Where the database is, with any password left out."""
    return ctx.store.display_url


def with_summary(view: svc.CaseView, summary: svc.HandoverSummary) -> svc.CaseView:
    """An open case's view after a save: the new row version and version number."""
    return replace(view, summary=summary, version=summary.current_version)



# ================================================================ signed packs from other organisations (SPEC 9)

__all__ += ["known_elsewhere", "previous_handovers", "database_findings", "check_stored"]
__all__ += ["ImportedPack", "import_signed_pack", "trusted_authorities", "add_trusted_authority",
            "remove_trusted_authority", "verify_pack_file"]

#: where an administrator keeps the authorities whose packs the team accepts (what a refusal points to)
_TRUST_PLACE = "Administration, Trusted authorities"


@dataclass(frozen=True)
class ImportedPack:
    """A signed pack imported from another organisation: the handover it is now and who signed it."""

    case_id: str
    version: int
    signer: str                  #: "Pat Manager, Exampleton Council" (the last signature's certificate)
    unchanged: bool              #: already stored with exactly this content: nothing was written


def import_signed_pack(ctx: Context, path: str | Path) -> Done:
    """Verify a signed pack (a PDF file) against the team's trusted authorities and store it as a handover
    received from its signer, under the signed-in person's team's Incoming. A draft, an unsigned, a broken
    or an untrusted pack (naming its signer) and one whose case file does not match is refused in one line,
    with nothing stored — and every pack while no authority is trusted yet."""
    from asn1crypto import x509

    from handover.files import read_input
    from handover.store.admin import list_trusted_authorities
    from handover.store.packs import MAX_PACK_BYTES
    from handover.store.received import NotReceived, Unusable, import_pack

    name = Path(path).name
    data = read_input(path, what="a PDF", error=Refused, limit=MAX_PACK_BYTES)
    checked = verify_pack_file(path)        # who signed it, for what is said; import_pack checks ``data`` itself
    signer = checked.signatures[-1].who if checked.signatures else ""
    anchors = [x509.Certificate.load(a.der) for a in list_trusted_authorities(ctx.store, ctx.actor)]
    if not anchors:
        raise Refused(f"{name} was not imported: {f'it is signed by {signer}, but ' if signer else ''}your team "
                      f"trusts no authority's packs yet: an administrator adds the certificate of each authority "
                      f"whose packs you accept ({_TRUST_PLACE})")
    try:
        result = import_pack(ctx.store, ctx.actor, data, now=ctx.now(), trust=anchors, source=name)
    except Unusable as e:
        raise Refused(str(e)) from None
    except NotReceived as e:
        if "not from a trusted certificate authority" not in str(e):
            raise
        raise NotReceived(f"{e}: if your team accepts their packs, an administrator adds their authority's "
                          f"certificate ({_TRUST_PLACE})") from None
    return Done(ImportedPack(result.case_id, result.version, signer, result.unchanged), Changes.of(result.case_id))


def trusted_authorities(ctx: Context) -> list[Any]:
    """The authorities whose signed packs the team accepts (name, valid until, fingerprint), by name."""
    from handover.store.admin import list_trusted_authorities

    return list_trusted_authorities(ctx.store, ctx.actor)


def add_trusted_authority(ctx: Context, pem_path: str | Path) -> Done:
    """Trust the certificate authority (or authorities) in a PEM or DER file: administrators only. The value
    is the list of authorities added."""
    from handover.files import read_input
    from handover.store import admin

    data = read_input(pem_path, what="a certificate", error=Refused, limit=admin.MAX_TRUST_FILE)
    return Done(admin.add_trusted_authority(ctx.store, ctx.actor, data, now=ctx.now(), source=Path(pem_path).name),
                Changes())


def remove_trusted_authority(ctx: Context, fingerprint: str) -> Done:
    """Stop trusting an authority (by its fingerprint): administrators only. Packs already imported stay."""
    from handover.store import admin

    return Done(admin.remove_trusted_authority(ctx.store, ctx.actor, fingerprint, now=ctx.now()), Changes())


def verify_pack_file(path: str | Path) -> Any:
    """A pack file's verification, for the pack viewer, which checks whatever it shows on its own thread: no
    database and no person are involved, so it takes no context. :class:`Refused` for a file that is no pack."""
    from handover.pack import PackError, verify_pack

    try:
        return verify_pack(path)
    except PackError as e:
        raise Refused(f"the pack cannot be verified: {e}") from None


# ================================================================ known elsewhere (SPEC section 8)


def known_elsewhere(ctx: Context, case_id: str) -> list[Any]:
    """The ``known_elsewhere`` warnings of a stored handover for the signed-in person: what other stored
    handovers record for its people (counts and codes only), each showing in the audit trail; none for an
    administrator (:func:`handover.store.elsewhere.known_elsewhere`)."""
    from handover.store import elsewhere

    return elsewhere.known_elsewhere(ctx.store, ctx.actor, case_id, now=ctx.now())


def database_findings(ctx: Context, case_id: str) -> list[Any]:
    """What the team database knows of a stored handover's people beyond its file (SPEC section 8): the
    ``known_elsewhere`` and ``re_referral`` warnings, shown beside the check's own; each showing is in the
    audit trail. None for an administrator."""
    from handover.store import elsewhere

    return elsewhere.store_findings(ctx.store, ctx.actor, case_id, now=ctx.now())


def check_stored(ctx: Context, case_id: str, case: dict[str, Any]) -> Any:
    """:func:`check` of a stored handover's document, with :func:`database_findings` after the file's own
    (the receiving team's view)."""
    from handover.store import elsewhere

    return elsewhere.with_store_findings(ctx.store, ctx.actor, case_id, check(ctx, case), now=ctx.now())


def previous_handovers(ctx: Context, case_id: str) -> Any:
    """The same children's earlier handovers that the person may open, and the ``re_referral`` warnings
    (:class:`handover.store.elsewhere.Previous`)."""
    from handover.store import elsewhere

    return elsewhere.previous_handovers(ctx.store, ctx.actor, case_id, now=ctx.now())

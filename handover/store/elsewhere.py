"""Known elsewhere: the people of one stored handover matched against every other stored handover
(SPEC.md section 8), and the same child's earlier handovers.

**The matching rule** (one definition, :func:`handover.store.pg_access.same_person`, used by every
query here and compiled into the PostgreSQL function ``handover_access.known_elsewhere``, so it lives
beside that function): two rows of the ``people`` index are the
same person when they have the same NHS number (both given), or the same full name (case, spacing and
punctuation ignored: :func:`handover.family.person_key`) and the same date of birth (both given), unless
both have NHS numbers and they differ. Rows of the same handover are never matched.

**What a user learns** (:func:`known_elsewhere`): for each person of a handover they may open, how many
other handovers the person appears in, and the agency types and risk-factor codes those handovers record
for them that this handover does not: never the other handovers' names, ids or content. On SQLite (and
the owner's PostgreSQL connection) the query runs here; on a person's own PostgreSQL connection row-level
security hides the other handovers' people rows, so the same query runs inside the ``SECURITY DEFINER``
function, which checks the caller may open the handover and returns only counts and codes
(:func:`handover.store.pg_access.known_elsewhere_rows`). Administrators see no matches. Every showing
of matches is in the audit trail (``known_elsewhere_shown``: the refs, counts and codes shown).

**Earlier handovers of the same child** (:func:`previous_handovers`) are listed only from handovers
the user may open, with their direction, state, dates and how they ended; one that was closed or
returned in the 12 months before this handover's decision is a ``re_referral`` warning.

Neither is a check of the file alone (the same file gives the same findings, section 4): both live in
the store. :func:`check_stored` is ``handover check --stored``: the file's check plus these findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from handover import audit, family
from handover.dates import spoken
from handover.checks import CheckResult, Finding
from handover.store.access import current_actor, load_handover, visible_filter
from handover.store.database import Store
from handover.store.errors import Actor
from handover.store.models import Handover, PersonRow, Version, WorkflowEvent
from handover.store.pg_access import is_person, known_elsewhere_rows, match_select, same_person
from handover.store.sync import local_date

__all__ = ["STORE_CODES", "StoreFinding", "Match", "PreviousHandover", "Previous", "match_rows", "known_elsewhere",
           "previous_handovers", "store_findings", "check_stored", "with_store_findings",
           "SHOWN_ACTION", "PREVIOUS_ACTION", "RE_REFERRAL_MONTHS"]

#: the findings of the store (SPEC.md section 8), beside those of the file (handover.checks.CODES)
STORE_CODES: dict[str, str] = {"known_elsewhere": "warning", "re_referral": "warning"}
SHOWN_ACTION = "known_elsewhere_shown"          #: the audit action of a showing of matches
PREVIOUS_ACTION = "previous_handovers_shown"    #: … and of a listing of the same child's earlier handovers
RE_REFERRAL_MONTHS = 12


@dataclass(frozen=True)
class StoreFinding(Finding):
    """A finding of the store: the same fields, its severity from :data:`STORE_CODES`."""

    severity = property(lambda self: STORE_CODES[self.code])            # type: ignore[assignment]
    is_error = property(lambda self: STORE_CODES[self.code] == "error")  # type: ignore[assignment]


# ================================================================ known elsewhere


@dataclass(frozen=True)
class Match:
    """What the other handovers record for one person of this handover, less what this one records."""

    ref: str
    handovers: int
    agency_types: tuple[str, ...]
    risk_factors: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "handovers": self.handovers, "agency_types": list(self.agency_types),
                "risk_factors": list(self.risk_factors)}


def _codes(words: str | None) -> set[str]:
    return set((words or "").split())


def match_rows(s: Session, handover_id: int) -> list[tuple[str, int, str, str]]:
    """(ref, other handovers, agency types, risk factors) of each person of the handover: the matching rule's
    one query, here or (a person's own PostgreSQL connection) inside ``handover_access.known_elsewhere``.
    Access is the caller's to check."""
    if is_person(s):
        return known_elsewhere_rows(s, handover_id)
    if s.get_bind().dialect.name == "postgresql":   # as the function does (handover.store.pg_access)
        s.execute(text("SET LOCAL jit = off"))
    return [tuple(r) for r in s.execute(_match_statement(), {"h": handover_id})]  # type: ignore[misc]


@cache
def _match_statement() -> Any:
    """:func:`match_select` built once (building it and its cache key each call cost more than running it)."""
    return match_select(bindparam("h"))


def _document(s: Session, h: Handover) -> dict[str, Any]:
    raw = s.scalar(select(Version.document).where(Version.handover_id == h.id,
                                                  Version.number == h.current_version))
    return json.loads(raw) if raw else {}


def _person_path(p: family.Person, v2: bool) -> str:
    return p.path if v2 else family.to_v1_path(p.path)


def _label(table: str, code: str) -> str:
    from handover.vocab import vocab

    return vocab().label(table, code)


def _elsewhere_message(name: str, m: Match) -> str:
    from handover.labels import join

    other = "1 other handover" if m.handovers == 1 else f"{m.handovers} other handovers"
    said = []
    if m.agency_types:
        said.append("as known to " + join([_label("agency_types", a) for a in m.agency_types], "and"))
    if m.risk_factors:
        words = [f"{c} ({_label('risk_factors', c)})" for c in m.risk_factors]
        said.append(("with the risk factor " if len(words) == 1 else "with the risk factors ") + join(words, "and"))
    ask = "ask these agencies what they know" if m.agency_types else "ask the agencies involved what they know"
    return f"{name} is recorded in {other} {' and '.join(said)}, which this handover does not record for them: {ask}."


def _matches(doc: dict[str, Any], rows: Sequence[tuple[str, int, str, str]]) -> list[tuple[family.Person, Match]]:
    v = family.view(doc)
    own = family.records_for(v)
    people = {p.ref[:16]: p for p in family.people(v)}
    out = []
    for ref, n, agencies, risks in rows:
        p = people.get(ref)
        if p is None or not n:
            continue
        mine_a, mine_r = own.get(p.ref, (frozenset(), frozenset()))
        new_a, new_r = sorted(_codes(agencies) - mine_a), sorted(_codes(risks) - mine_r)
        if new_a or new_r:
            out.append((p, Match(ref=p.ref, handovers=int(n), agency_types=tuple(new_a), risk_factors=tuple(new_r))))
    return out


def _known_elsewhere(s: Session, actor: Actor, h: Handover, doc: dict[str, Any], now: datetime) -> list[Finding]:
    if actor.role == "administrator" and not actor.system:
        return []
    found = _matches(doc, match_rows(s, h.id))
    if not found:
        return []
    v2 = family.is_v2(doc)
    findings: list[Finding] = [StoreFinding("known_elsewhere", _person_path(p, v2), _elsewhere_message(p.name, m),
                                            m.to_json()) for p, m in found]
    audit.append(s, actor=actor.username, action=SHOWN_ACTION, case_id=h.case_id, now=now,
                 detail={"matches": [m.to_json() for _p, m in found]})
    return findings


def known_elsewhere(store: Store, actor: Actor, case_id: str, *, now: datetime) -> list[Finding]:
    """The ``known_elsewhere`` warnings of a stored handover's current version for ``actor`` (SPEC
    section 8): one per person here whom other stored handovers record as known to agency types, or with
    risk factors, that this one does not record for them. ``detail``: ``ref`` (the person's ref here),
    ``handovers`` (how many other handovers hold them), ``agency_types``, ``risk_factors`` (codes).

    A handover the actor may not open is :class:`~handover.store.errors.NotFound`; an administrator
    sees no matches (an empty list). Matches shown are recorded in the audit trail."""
    with store.write() as s:
        actor = current_actor(s, actor)
        if actor.role == "administrator" and not actor.system:
            return []
        h = load_handover(s, actor, case_id)
        return _known_elsewhere(s, actor, h, _document(s, h), now)


# ================================================================ the same child's earlier handovers


@dataclass(frozen=True)
class PreviousHandover:
    """An earlier handover of a child of this one, which the user may open."""

    ref: str                    #: the child's ref in *this* handover
    child: str                  #: the child's name in this handover
    case_id: str
    direction: str
    state: str
    decision_date: date | None
    created_on: date
    ended: str                  #: "closed", "returned" or "" (still open)
    ended_on: date | None
    return_reason: str | None   #: a code of workflow.RETURN_REASONS when it was returned

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "case_id": self.case_id, "direction": self.direction, "state": self.state,
                "decision_date": self.decision_date.isoformat() if self.decision_date else None,
                "created_on": self.created_on.isoformat(), "ended": self.ended,
                "ended_on": self.ended_on.isoformat() if self.ended_on else None,
                "return_reason": self.return_reason}


@dataclass(frozen=True)
class Previous:
    """The earlier handovers of this handover's children, oldest first, and the ``re_referral`` warnings."""

    handovers: tuple[PreviousHandover, ...]
    findings: tuple[Finding, ...]


def _minus_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    m += 1
    from calendar import monthrange

    return date(y, m, min(d.day, monthrange(y, m)[1]))


def _months_between(a: date, b: date) -> int:
    n = (b.year - a.year) * 12 + b.month - a.month
    return n - 1 if b.day < a.day else n


def _ago(months: int) -> str:
    if months <= 0:
        return "less than a month ago"
    return "1 month ago" if months == 1 else f"{months} months ago"


def _endings(s: Session, ids: Sequence[int]) -> dict[int, tuple[str, datetime, str | None]]:
    """Handover id → (the last of its close, return or send events: action, time, reason code)."""
    last = (select(WorkflowEvent.handover_id, func.max(WorkflowEvent.id).label("last_id"))
            .where(WorkflowEvent.handover_id.in_(ids), WorkflowEvent.action.in_(("close", "return", "send")))
            .group_by(WorkflowEvent.handover_id).subquery())
    q = (select(WorkflowEvent.handover_id, WorkflowEvent.action, WorkflowEvent.at, WorkflowEvent.reason_code)
         .join(last, last.c.last_id == WorkflowEvent.id))
    return {hid: (action, at, reason) for hid, action, at, reason in s.execute(q)}


def _previous(s: Session, actor: Actor, h: Handover, doc: dict[str, Any]) -> list[PreviousHandover]:
    p, o = PersonRow.__table__.alias("p"), PersonRow.__table__.alias("o")
    q = (select(p.c.ref, Handover.id, Handover.case_id, Handover.direction, Handover.state, Handover.decision_date,
                Handover.created_at, Handover.updated_at)
         .select_from(p).join(o, or_(*same_person(p, o))).join(Handover, Handover.id == o.c.handover_id)
         .where(p.c.handover_id == h.id, o.c.handover_id != h.id, p.c.kind == "child", o.c.kind == "child")
         .distinct())
    visible = visible_filter(actor)
    if visible is not None:
        q = q.where(visible)
    rows = list(s.execute(q))
    if not rows:
        return []
    mine = h.decision_date or h.created_at.date()
    endings = _endings(s, sorted({r.id for r in rows}))
    names = {c.ref[:16]: c for c in family.people(family.view(doc)) if c.kind == "child"}
    out = []
    for r in rows:
        theirs = r.decision_date or r.created_at.date()
        if (theirs, r.created_at) >= (mine, h.created_at) or r.ref not in names:
            continue
        action, at, reason = endings.get(r.id, ("", None, None))
        ended, ended_on = "", None
        if action == "close" or (r.state == "closed" and action != "return"):
            ended, ended_on = "closed", local_date(at or r.updated_at)
        elif action == "return":
            ended, ended_on = "returned", local_date(at)
        child = names[r.ref]
        out.append(PreviousHandover(ref=child.ref, child=child.name, case_id=r.case_id, direction=r.direction,
                                    state=r.state, decision_date=r.decision_date, created_on=r.created_at.date(),
                                    ended=ended, ended_on=ended_on,
                                    return_reason=reason if ended == "returned" else None))
    out.sort(key=lambda x: (x.decision_date or x.created_on, x.case_id, x.ref))
    return out


def _re_referral_message(prev: PreviousHandover, today: date) -> str:
    from handover.labels import return_reason_label

    from handover.forms import form_for

    moved = (form_for({"direction": prev.direction}).label or "handover").lower()
    when = prev.decision_date or prev.created_on
    how = "closed"
    if prev.ended == "returned":
        why = return_reason_label(prev.return_reason) if prev.return_reason else ""
        how = f"returned ({why[:1].lower() + why[1:]})" if why else "returned"
    return (f"{prev.child} had a {moved} {_ago(_months_between(when, today))} (handover {prev.case_id}), "
            f"{how} on {spoken(prev.ended_on) if prev.ended_on else 'an unknown date'}: a re-referral within "
            f"{RE_REFERRAL_MONTHS} months. The receiving team must see this.")


def _re_referrals(h: Handover, doc: dict[str, Any], previous: Sequence[PreviousHandover],
                  today: date) -> list[Finding]:
    decided = h.decision_date or today
    since = _minus_months(decided, RE_REFERRAL_MONTHS)
    v2 = family.is_v2(doc)
    paths = {c.ref: _person_path(c, v2) for c in family.people(family.view(doc))}
    out: list[Finding] = []
    for prev in previous:
        if prev.ended and prev.ended_on is not None and since <= prev.ended_on <= decided:
            out.append(StoreFinding("re_referral", paths.get(prev.ref, "children"), _re_referral_message(prev, today),
                                    {"ref": prev.ref, "case_id": prev.case_id, "direction": prev.direction,
                                     "ended": prev.ended, "ended_on": prev.ended_on.isoformat(),
                                     "return_reason": prev.return_reason}))
    return out


def _previous_handovers(s: Session, actor: Actor, h: Handover, doc: dict[str, Any], now: datetime) -> Previous:
    if actor.role == "administrator" and not actor.system:
        return Previous((), ())
    previous = _previous(s, actor, h, doc)
    found = _re_referrals(h, doc, previous, local_date(now))
    if found:    # what is shown: the re-referral warnings (the earlier handovers they name)
        audit.append(s, actor=actor.username, action=PREVIOUS_ACTION, case_id=h.case_id, now=now,
                     detail={"handovers": sorted({f.detail["case_id"] for f in found})})
    return Previous(tuple(previous), tuple(found))


def previous_handovers(store: Store, actor: Actor, case_id: str, *, now: datetime) -> Previous:
    """The earlier handovers of the same children (by the matching rule, children on both sides) that
    ``actor`` may open, and a ``re_referral`` warning for each that was closed or returned within
    :data:`RE_REFERRAL_MONTHS` before this handover's decision date (today's, without one). The listing
    is recorded in the audit trail (the case ids shown, which the actor may open)."""
    with store.write() as s:
        actor = current_actor(s, actor)
        if actor.role == "administrator" and not actor.system:
            return Previous((), ())
        h = load_handover(s, actor, case_id)
        return _previous_handovers(s, actor, h, _document(s, h), now)


# ================================================================ together


def store_findings(store: Store, actor: Actor, case_id: str, *, now: datetime) -> list[Finding]:
    """The store's findings of a stored handover: ``known_elsewhere`` then ``re_referral`` (one
    transaction; each showing recorded as in :func:`known_elsewhere` and :func:`previous_handovers`)."""
    with store.write() as s:
        actor = current_actor(s, actor)
        if actor.role == "administrator" and not actor.system:
            return []
        h = load_handover(s, actor, case_id)
        doc = _document(s, h)
        return [*_known_elsewhere(s, actor, h, doc, now), *_previous_handovers(s, actor, h, doc, now).findings]


def check_stored(store: Store, actor: Actor, case_id: str, *, now: datetime, as_of: date | None = None) -> CheckResult:
    """``handover check --stored``: the current version of a stored handover checked as of ``as_of`` (the
    local date of ``now`` by default) with the database's protocol, as ``actor`` (its reading recorded as
    a view), plus the store's findings (:func:`store_findings`). Warnings only: ``complete`` is the
    file's."""
    from handover.checks import check_case
    from handover.store.service import get_handover
    from handover.store.sync import active_protocol

    view = get_handover(store, actor, case_id, now=now)
    with store.read() as s:
        protocol = active_protocol(s)
    return with_store_findings(store, actor, case_id, check_case(view.case, as_of or local_date(now), protocol),
                               now=now)


def with_store_findings(store: Store, actor: Actor, case_id: str, result: CheckResult, *,
                        now: datetime) -> CheckResult:
    """``result`` (the check of the handover's document) with :func:`store_findings` after its own."""
    from dataclasses import replace

    extra = store_findings(store, actor, case_id, now=now)
    return replace(result, findings=result.findings + tuple(extra)) if extra else result

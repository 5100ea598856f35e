"""Checking the stored records themselves (``handover audit verify``): the audit chain; every version
against its content hash; every signed pack against its SHA-256 and the version it was built from; and
the trail against every table whose change matters. A pack received from another organisation is verified
again (its signature, and the case file it carries against the version stored from it): on PostgreSQL a
person's own role stores one through a database function that cannot check a signature.

A version whose document no longer hashes to its ``content_hash`` was changed outside the tool (or the
disk damaged it); so was a pack whose bytes no longer match. The trail must describe what is stored: an
empty trail beside stored handovers, versions, packs or accounts is broken; so is a handover, a version,
a pack or an account that no entry created, a state, a team, a role, an active flag or a password hash
that is not the one the trail's last entry about it says, and workflow events that are not the moves the
trail recorded. Deadline rows and the case list's columns are recomputed from the current version under
the active protocol. Each signed pack carries the trail's head at signing (``AuditHead`` in its
``/HandoverPack`` marker): the stored packs, and any pack given with ``--against``, must find the same
hash at that entry, so history rewritten before a signing is found even with the chain recomputed.

Every table is read once (streamed, no query per row), so a database of 100,000 handovers is checked
in well under a minute, not held in memory beyond a few small tuples per handover.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handover.audit import AuditReport, credential_fingerprint, parse_head, verify as verify_audit
from handover.case import content_hash
from handover.store.database import Store
from handover.store.models import (AuditEntry, DeadlineRow, Handover, Pack, ProtocolVersion, Setting, User,
                                   Version, WorkflowEvent)

__all__ = ["IntegrityReport", "verify_store", "verify_session", "verify_versions", "verify_packs",
           "read_audit_head"]


@dataclass
class IntegrityReport:
    audit: AuditReport
    versions: int = 0
    packs: int = 0
    problems: list[str] = field(default_factory=list)   #: the audit trail's problems first
    notes: list[str] = field(default_factory=list)      #: not problems (a pack made before the audit head)
    anchors: int = 0                                     #: signed packs whose audit head was checked

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.ok:
            anchored = f"; history matches the audit head of {self.anchors} signed packs" if self.anchors else ""
            return (f"{self.audit.message}; {self.versions} versions and {self.packs} signed packs match "
                    f"their hashes and the trail{anchored}")
        if not self.audit.ok:
            return self.audit.message
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        return f"stored records changed: {self.problems[0]}{more}"


def verify_versions(session: Session, max_problems: int = 20) -> tuple[int, list[str]]:
    """(versions checked, problems): each stored document must hash to its ``content_hash``."""
    problems: list[str] = []
    count = 0
    q = (select(Handover.case_id, Version.number, Version.document, Version.content_hash)
         .join(Handover, Handover.id == Version.handover_id).order_by(Version.id)
         .execution_options(yield_per=1000))
    for case_id, number, document, stored in session.execute(q):
        count += 1
        try:
            actual = content_hash(json.loads(document))
        except ValueError:
            actual = None
        if actual != stored:
            what = "is no longer valid JSON" if actual is None else "no longer matches its content hash"
            problems.append(f"version {number} of {case_id} {what} (changed outside the tool?)")
            if len(problems) >= max_problems:
                break
    return count, problems


def verify_packs(session: Session, max_problems: int = 20) -> tuple[int, list[str]]:
    """(packs checked, problems): bytes against their SHA-256, and the hash of the version built from."""
    from handover.store.packs import pack_sha256

    problems: list[str] = []
    count = 0
    q = (select(Pack.id, Handover.case_id, Pack.version, Pack.pdf, Pack.sha256, Pack.content_hash,
                Version.content_hash, Version.frozen)
         .join(Handover, Handover.id == Pack.handover_id)
         .outerjoin(Version, (Version.handover_id == Pack.handover_id) & (Version.number == Pack.version))
         .order_by(Pack.id).execution_options(yield_per=20))
    for pid, case_id, number, pdf, sha, built_from, version_hash, frozen in session.execute(q):
        count += 1
        if pack_sha256(pdf) != sha:
            problems.append(f"signed pack {pid} of {case_id} (version {number}) no longer matches its SHA-256")
        elif built_from != version_hash or not frozen:
            problems.append(f"signed pack {pid} of {case_id} no longer belongs to an authorised version {number} "
                            "with the hash it was built from")
        if len(problems) >= max_problems:
            break
    return count, problems


def _stored_packs(session: Session, problems: "_Problems", notes: list[str], anchors: list["_Anchor"]
                  ) -> list[tuple[int, int, str, int, str, str, str]]:
    """Every stored pack: its bytes against its SHA-256, the version it was built from, and the audit head
    its marker carries (an anchor for the trail's pass). Returns the rows for the trail's cross-check."""
    from handover.store.packs import pack_sha256
    from handover.store.received import RECEIVED_KIND, stored_pack_problem

    out = []
    old = 0
    q = (select(Pack.id, Pack.handover_id, Handover.case_id, Pack.version, Pack.kind, Pack.pdf, Pack.sha256,
                Pack.content_hash, Version.content_hash, Version.frozen, Pack.signers)
         .join(Handover, Handover.id == Pack.handover_id)
         .outerjoin(Version, (Version.handover_id == Pack.handover_id) & (Version.number == Pack.version))
         .order_by(Pack.id).execution_options(yield_per=20))
    for pid, hid, case_id, number, kind, pdf, sha, built_from, version_hash, frozen, signers in session.execute(q):
        out.append((pid, hid, case_id, number, kind, sha, built_from))
        if pack_sha256(pdf) != sha:
            problems.add(f"signed pack {pid} of {case_id} (version {number}) no longer matches its SHA-256")
            continue
        if built_from != version_hash or not frozen:
            problems.add(f"signed pack {pid} of {case_id} no longer belongs to an authorised version {number} "
                         "with the hash it was built from")
        if kind == RECEIVED_KIND:   # the database could not check its signature when it was stored: checked here
            why = stored_pack_problem(pdf, case_id, version_hash, signers, f"received pack {pid} of {case_id}")
            if why:
                problems.add(why)
        if kind != "final":
            continue
        head = read_audit_head(pdf)
        if head is None:
            old += 1
        elif isinstance(head, str):
            problems.add(f"signed pack {pid} of {case_id}: {head}")
        else:
            anchors.append(_Anchor(f"signed pack {pid} of {case_id}", head[0], head[1], pack=pid))
    if old:
        notes.append(f"{old} stored signed pack{'s were' if old != 1 else ' was'} made before packs carried the "
                     "audit head")
    return out


def verify_session(session: Session, max_problems: int = 20, against: Iterable[str | Path] = ()
                   ) -> IntegrityReport:
    """The chain, the trail against every table, and the trail against the audit head of each stored
    signed pack and of each pack file in ``against``."""
    from handover.store import pg_access

    problems, notes, anchors = _Problems(max_problems), [], []   # type: ignore[var-annotated]
    for path in against:
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            problems.add(f"{path}: cannot be read ({e.strerror or e})")
            continue
        a = _pack_anchor(str(path), data, notes, problems)
        if a is not None:
            anchors.append(a)
    person = session.get_bind().dialect.name == "postgresql" and pg_access.is_person(session)
    stored_packs = _stored_packs(session, problems, notes, anchors)
    trail = _Trail(anchors)
    audit = verify_audit(session, max_problems, visit=trail.visit)
    report = IntegrityReport(audit=audit, packs=len(stored_packs), notes=notes)
    # the trail's own problems: its chain, its emptiness, and history against the packs' audit heads
    counts = {
        "handovers": session.scalar(select(func.count()).select_from(Handover)) or 0,
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
        "workflow events": session.scalar(select(func.count()).select_from(WorkflowEvent)) or 0,
        "signed packs": len(stored_packs),
    }
    if audit.ok and audit.entries == 0 and any(counts.values()):
        held = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        audit.problems.append(f"the trail is empty but the database holds {held} (entries deleted?)")
    for a in anchors:
        if a.count > audit.entries:
            audit.problems.append(f"{a.label} was signed when the trail had {a.count} entries; it now has "
                                  f"{audit.entries} (entries deleted?)")
        elif a.found != a.head_hash:
            audit.problems.append(f"history before {a.label} was rewritten: entry {a.count} no longer hashes to "
                                  f"the head the pack recorded at signing ({a.head_hash})")
        else:
            report.anchors += 1
        if a.pack is not None:
            stored_at = next((c.packs[a.pack][0] for c in trail.cases.values() if a.pack in c.packs), None)
            if stored_at is not None and a.count >= stored_at:
                audit.problems.append(f"{a.label} names audit entry {a.count} as before its signing, but it "
                                      f"was stored at entry {stored_at}")
    audit.ok = not audit.problems
    report.problems.extend(audit.problems)
    report.problems.extend(problems)
    if person:
        notes.append("the trail was checked against the tables only as far as your own role sees them: "
                     "run audit verify with the owner's URL to check everything")
    if person or not audit.ok:
        report.versions, version_problems = verify_versions(session, max_problems)
        report.problems.extend(version_problems)
        return report
    rest = _Problems(max_problems)
    done: dict[str, int] = {}
    cross_check(session, trail, rest, done, stored_packs)
    report.versions = done.get("versions", 0)
    report.problems.extend(rest)
    return report


def verify_store(store: Store, max_problems: int = 20, against: Iterable[str | Path] = ()) -> IntegrityReport:
    """Check the audit chain, every version, every pack, the trail against every table, and the trail's
    history against the audit head of each signed pack (stored, and the files in ``against``); read only."""
    with store.read() as s:
        return verify_session(s, max_problems, against)


# ====================================================================== the trail against the tables
#
# The audit trail already holds facts about what it records: the version an import, a save or a move
# wrote (and an import's content hash), each stored pack's SHA-256 and content hash, every workflow move
# in order with its target state, each account's role, team and active flag, the fingerprint of its
# password hash, every protocol stored. ``cross_check`` reads the trail once (during the chain's pass)
# and then each table once, and reports a stored row that the trail does not describe. What the trail
# cannot describe, the rows derived from the current version (deadline rows, summary columns, the next
# deadline), is recomputed from the version and the active protocol and compared. Handovers and accounts
# that ``handover demo`` wrote in bulk (named by its ``demo_generate`` entries) have no entries of their
# own: their versions and moves are checked for consistency with each other, not with the trail.

_VERSION_ACTIONS = ("create", "import", "import_pack", "save")
_NO_HEAD = "this pack was made before packs carried the audit head"


class _Case:
    __slots__ = ("created", "team", "versions", "moves", "last_to", "authorised", "packs")

    def __init__(self) -> None:
        self.created = False
        self.team: Any = _UNKNOWN
        self.versions: dict[int, str | None] = {}
        self.moves: list[str] = []
        self.last_to: str | None = None
        self.authorised: set[int] = set()
        self.packs: dict[int, tuple[int, Any, Any, Any, Any]] = {}


class _User:
    __slots__ = ("role", "team", "active", "credential", "pg_managed")

    def __init__(self) -> None:
        self.role: Any = _UNKNOWN
        self.team: Any = _UNKNOWN
        self.active: Any = _UNKNOWN
        self.credential: Any = _UNKNOWN   # the last fingerprint, None when the last change recorded none
        self.pg_managed = False


_UNKNOWN = object()


@dataclass
class _Anchor:
    label: str
    count: int
    head_hash: str
    pack: int | None = None      #: a stored pack's id
    found: str | None = None


class _Trail:
    """The facts the audit entries hold, gathered entry by entry (the ``visit`` of the chain's pass)."""

    def __init__(self, anchors: list[_Anchor]) -> None:
        self.cases: dict[str, _Case] = {}
        self.users: dict[str, _User] = {}
        self.demo: list[tuple[str, str]] = []
        self.protocol_sets: list[dict[str, Any]] = []
        self.protocol_ids: set[int] = set()
        self.problems: list[str] = []
        self.anchors: dict[int, list[_Anchor]] = {}
        for a in anchors:
            self.anchors.setdefault(a.count, []).append(a)

    def case(self, case_id: str) -> _Case:
        c = self.cases.get(case_id)
        if c is None:
            c = self.cases[case_id] = _Case()
        return c

    def user(self, username: str) -> _User:
        u = self.users.get(username)
        if u is None:
            u = self.users[username] = _User()
        return u

    def is_demo(self, case_id: str) -> bool:
        return case_id.startswith("DEMO-") and any(a <= case_id <= b for a, b in self.demo)

    def visit(self, e: AuditEntry) -> None:
        for a in self.anchors.get(e.seq, ()):
            a.found = e.entry_hash
        action = e.action
        if action in ("view", "export", "pack_view", "sign_in_failed", "sign_in_refused", "team_create", "assign"):
            return
        try:
            d = json.loads(e.detail or "{}")
        except ValueError:
            d = {}
        if not isinstance(d, dict):
            d = {}
        if e.case_id is not None:
            c = self.case(e.case_id)
            version = d.get("version")
            if action in ("create", "import", "import_pack") and version == 1:
                c.created = True
                if action == "create":
                    who = self.users.get(e.actor)
                    if who is not None and who.team is not _UNKNOWN:
                        c.team = who.team
            if action in _VERSION_ACTIONS or action.startswith("move:"):
                if isinstance(version, int):
                    if action in ("import", "import_pack"):
                        c.versions[version] = d.get("hash")
                    elif action == "save" or version not in c.versions:
                        c.versions[version] = None
                    if action == "import_pack":   # received as a signed pack: authorised by its signer
                        c.authorised.add(version)
            if action.startswith("move:"):
                c.moves.append(action[5:])
                c.last_to = d.get("to")
                if action == "move:authorise" and isinstance(version, int):
                    c.authorised.add(version)
            elif action == "pack_store" and isinstance(d.get("pack"), int):
                c.packs[d["pack"]] = (e.seq, d.get("version"), d.get("kind"), d.get("sha256"), d.get("content_hash"))
            return
        if action in ("user_create", "user_role"):
            u = self.user(str(d.get("user")))
            u.role, u.team = d.get("role"), d.get("team_id")
            if action == "user_create":
                u.active = True
        elif action in ("user_disable", "user_enable"):
            self.user(str(d.get("user"))).active = action == "user_enable"
        if action in ("user_create", "password_reset") or (action == "sign_in" and "credential" in d):
            u = self.user(e.actor if action == "sign_in" else str(d.get("user")))
            u.credential = d.get("credential")
        if action == "protocol_set":
            self.protocol_sets.append(d)
        elif action == "protocol_store" and isinstance(d.get("protocol"), int):
            self.protocol_ids.add(d["protocol"])
        elif action == "demo_generate" and d.get("handovers"):
            self.demo.append((str(d.get("first")), str(d.get("last"))))


def read_audit_head(pdf: bytes) -> tuple[int, str] | None | str:
    """The ``AuditHead`` of a pack's ``/HandoverPack`` marker: (entries, head hash); None when the pack has
    none (made before packs carried it); a string saying why when the file cannot be read as a pack."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(pdf))
        marker = reader.trailer["/Root"].get("/HandoverPack")
        marker = marker.get_object() if marker is not None else None
    except Exception as e:  # noqa: BLE001 — any unreadable file is one line
        return f"it cannot be read as a PDF ({type(e).__name__})"
    if marker is None:
        return "it is not a handover pack (no /HandoverPack marker)"
    value = marker.get("/AuditHead")
    if value is None:
        return None
    parsed = parse_head(str(value))
    return parsed if parsed is not None else f"its AuditHead {str(value)!r} is not <entries>:<hash>"


def _pack_anchor(label: str, pdf: bytes, notes: list[str], problems: list[str]) -> _Anchor | None:
    head = read_audit_head(pdf)
    if head is None:
        notes.append(f"{label}: {_NO_HEAD}")
        return None
    if isinstance(head, str):
        problems.append(f"{label}: {head}")
        return None
    return _Anchor(label, head[0], head[1])


def _events(session: Session) -> dict[int, tuple[list[str], str]]:
    """Handover id → (workflow actions in order, the last event's target state): one ordered read."""
    out: dict[int, tuple[list[str], str]] = {}
    q = (select(WorkflowEvent.handover_id, WorkflowEvent.action, WorkflowEvent.to_state)
         .order_by(WorkflowEvent.handover_id, WorkflowEvent.id).execution_options(yield_per=5000))
    for hid, action, to_state in session.execute(q):
        got = out.get(hid)
        if got is None:
            out[hid] = ([action], to_state)
        else:
            got[0].append(action)
            out[hid] = (got[0], to_state)
    return out


def _deadlines(session: Session) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    q = (select(DeadlineRow.handover_id, DeadlineRow.rule, DeadlineRow.team_id, DeadlineRow.working_days,
                DeadlineRow.starts, DeadlineRow.due, DeadlineRow.done, DeadlineRow.late)
         .execution_options(yield_per=5000))
    for hid, *row in session.execute(q):
        out.setdefault(hid, []).append((row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6])))
    return out


_PERSON_COLUMNS = ("ref", "kind", "moves", "given_name", "family_name", "name_key", "dob", "nhs_number",
                   "agency_types", "risk_factors")


def _people(session: Session) -> dict[int, list[tuple[Any, ...]]]:
    """Each handover's people rows (migration 0005), as comparable tuples."""
    from handover.store.models import PersonRow

    out: dict[int, list[tuple[Any, ...]]] = {}
    q = (select(PersonRow.handover_id, *(getattr(PersonRow, c) for c in _PERSON_COLUMNS))
         .execution_options(yield_per=5000))
    for hid, *row in session.execute(q):
        out.setdefault(hid, []).append(tuple(bool(v) if c == "moves" else v for c, v in zip(_PERSON_COLUMNS, row)))
    return out


_SUMMARY = ("direction", "child_given_name", "child_family_name", "child_dob", "child_nhs_number", "decision_date",
            "child_names")


class _Problems(list):  # type: ignore[type-arg]
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    def add(self, message: str) -> None:
        if len(self) < self.limit:
            self.append(message)


def _fmt(v: Any) -> str:
    return "none" if v is None else str(v)


def cross_check(session: Session, trail: _Trail, problems: _Problems, counts: dict[str, int],
                stored_packs: list[tuple[int, int, str, int, str, str, str]]) -> None:
    """Each table against the trail's facts (one read of each table); see the comment above."""
    from handover.store import pg_access
    from handover.store.sync import active_protocol, next_deadline, people_rows, summary_columns

    protocol = active_protocol(session)
    expected_rows = _RowMaker(protocol)
    handovers: dict[int, tuple[Any, ...]] = {}
    cols = [Handover.id, Handover.case_id, Handover.state, Handover.team_id, Handover.current_version,
            Handover.authorised_version, Handover.next_rule, Handover.next_due] + [getattr(Handover, k) for k in _SUMMARY]
    for row in session.execute(select(*cols).execution_options(yield_per=5000)):
        handovers[row[0]] = tuple(row)
    counts["handovers"] = len(handovers)
    events = _events(session)
    stored_rows = _deadlines(session)
    stored_people = _people(session)

    # ---- handovers against their moves and the trail's facts
    for hid, (_, case_id, state, team_id, current, authorised, *_rest) in handovers.items():
        if problems.full:
            return
        demo = trail.is_demo(case_id)
        c = trail.cases.get(case_id) or _Case()
        actions, last_to = events.get(hid, ([], None))
        if not demo and not c.created:
            problems.add(f"handover {case_id} has no create or import entry in the audit trail "
                         "(added outside the tool, or its entries removed)")
        final = last_to or "draft"
        if final != state:
            problems.add(f"handover {case_id} is {state} but its workflow events end in {final} "
                         "(state or events changed outside the tool?)")
        moves = actions[len(actions) - len(c.moves):] if demo else actions
        if moves != c.moves:
            problems.add(f"the workflow events of {case_id} ({', '.join(actions) or 'none'}) are not the moves "
                         f"the audit trail recorded ({', '.join(c.moves) or 'none'})")
        elif c.moves and c.last_to != state:
            problems.add(f"handover {case_id} is {state} but the audit trail's last move took it to {c.last_to}")
        if c.team is not _UNKNOWN and c.team != team_id:
            problems.add(f"handover {case_id} belongs to team {_fmt(team_id)} but was created by a member of "
                         f"team {_fmt(c.team)} (team changed outside the tool?)")
    for case_id in trail.cases.keys() - {h[1] for h in handovers.values()}:
        if trail.cases[case_id].created:
            problems.add(f"handover {case_id} is in the audit trail but not in the database (deleted?)")
            break

    # ---- versions: content hashes, the versions the trail wrote, what was authorised, the derived rows
    by_case = {h[1]: h for h in handovers.values()}
    q = (select(Version.handover_id, Version.number, Version.document, Version.content_hash, Version.frozen)
         .order_by(Version.handover_id, Version.number).execution_options(yield_per=1000))
    group: list[tuple[int, bool, bool]] = []   # (number, frozen, hash ok) of the current handover
    group_hid: int | None = None
    versions = 0

    def finish(hid: int | None) -> None:
        if hid is None or hid not in handovers:
            return
        h = handovers[hid]
        case_id, current, authorised = h[1], h[4], h[5]
        demo = trail.is_demo(case_id)
        c = trail.cases.get(case_id) or _Case()
        numbers = [n for n, _f, _ok in group]
        if numbers != list(range(1, len(numbers) + 1)) or (numbers and numbers[-1] != current):
            problems.add(f"the versions of {case_id} ({', '.join(map(str, numbers)) or 'none'}) do not run from 1 "
                         f"to its current version {current} (deleted or added outside the tool?)")
        for n, frozen, _ok in group:
            if demo and n == 1:
                continue
            if n not in c.versions:
                problems.add(f"version {n} of {case_id} has no audit entry (added outside the tool?)")
            elif frozen != (n in c.authorised):
                problems.add(f"version {n} of {case_id} is {'' if frozen else 'not '}marked authorised, but the "
                             f"audit trail {'has no' if frozen else 'records an'} authorisation of it")
        for n in sorted(set(c.versions) - set(numbers)):
            problems.add(f"version {n} of {case_id} is in the audit trail but not in the database (deleted?)")
            break
        if authorised is not None and not any(n == authorised and f for n, f, _ok in group):
            problems.add(f"{case_id} names version {authorised} as authorised, but that version is not frozen")

    for hid, number, document, stored, frozen in session.execute(q):
        if hid != group_hid:
            finish(group_hid)
            group, group_hid = [], hid
        versions += 1
        try:
            case = json.loads(document)
            actual = content_hash(case)
        except ValueError:
            case, actual = None, None
        ok = actual == stored
        group.append((number, bool(frozen), ok))
        h = handovers.get(hid)
        if h is None:
            problems.add(f"version {number} belongs to no handover (id {hid})")
            continue
        case_id = h[1]
        if not ok:
            what = "is no longer valid JSON" if actual is None else "no longer matches its content hash"
            problems.add(f"version {number} of {case_id} {what} (changed outside the tool?)")
            continue
        c = trail.cases.get(case_id)
        recorded = c.versions.get(number) if c is not None else None
        if recorded is not None and recorded != stored:
            problems.add(f"version {number} of {case_id} is not the version the audit trail recorded "
                         f"({recorded}; the database holds {stored})")
        if number != h[4] or not isinstance(case, dict):
            continue
        # the current version: the rows and columns derived from it
        summary = summary_columns(case)
        changed = [k for i, k in enumerate(_SUMMARY) if h[8 + i] != summary[k]]
        if changed:
            problems.add(f"handover {case_id}'s {', '.join(changed)} no longer match{'es' if len(changed) == 1 else ''}"
                         " its current version (changed outside the tool?)")
        rows = expected_rows(case, hid, h[3])
        want = sorted((r["rule"], r["team_id"], r["working_days"], r["starts"], r["due"], r["done"], r["late"])
                      for r in rows)
        have = sorted(stored_rows.get(hid, ()))
        if want != have:
            diff = next((f"{w[0]} due {_fmt(w[4])}" for w in want if w not in have), None)
            problems.add(f"the deadline rows of {case_id} are not those of its current version under the active "
                         f"protocol{f' (expected {diff})' if diff else ''} (changed outside the tool?)")
        elif (h[6], h[7]) != next_deadline(rows):
            problems.add(f"handover {case_id}'s next deadline is not that of its deadline rows (changed outside "
                         "the tool?)")
        # the people index (SPEC section 8: matching and search rest on it): exactly its current version's
        expected_people = sorted(tuple(r[c] for c in _PERSON_COLUMNS) for r in people_rows(case, hid))
        if expected_people != sorted(stored_people.get(hid, ())):
            problems.add(f"the people of {case_id} in the search and matching index are not those of its current "
                         "version (changed outside the tool?)")
        if problems.full:
            return
    finish(group_hid)
    counts["versions"] = versions

    # ---- stored packs against the trail's pack_store entries
    seen_packs: set[tuple[str, int]] = set()
    for pid, hid, case_id, version, kind, sha, chash in stored_packs:
        c = trail.cases.get(case_id)
        recorded = c.packs.get(pid) if c is not None else None
        seen_packs.add((case_id, pid))
        if recorded is None:
            problems.add(f"signed pack {pid} of {case_id} has no pack_store entry in the audit trail "
                         "(added outside the tool?)")
        elif recorded[1:] != (version, kind, sha, chash):
            problems.add(f"signed pack {pid} of {case_id} is not the pack the audit trail recorded (version, kind "
                         "or hashes changed outside the tool?)")
    for case_id, c in trail.cases.items():
        for pid in c.packs:
            if (case_id, pid) not in seen_packs:
                problems.add(f"signed pack {pid} of {case_id} is in the audit trail but not in the database (deleted?)")

    # ---- accounts: role, team, active and password hash as the trail's last word on each
    demo_people: frozenset[str] = frozenset()
    if trail.demo or session.get(Setting, "demo") is not None:
        from handover.demo import demo_usernames

        demo_people = demo_usernames()
    postgres = session.get_bind().dialect.name == "postgresql"
    demo_hashes: dict[str, bool] = {}
    users = 0
    for username, role, team_id, active, pw_hash in session.execute(
            select(User.username, User.role, User.team_id, User.active, User.password_hash).order_by(User.id)):
        users += 1
        u = trail.users.get(username)
        if u is None or u.role is _UNKNOWN:
            if username in demo_people:   # written in bulk by the demo: its password is the demo's
                if u is None or u.credential is _UNKNOWN:
                    if pw_hash not in demo_hashes:
                        demo_hashes[pw_hash] = pw_hash == pg_access.PG_PASSWORD_HASH or _is_demo_hash(pw_hash)
                    if not demo_hashes[pw_hash]:
                        problems.add(f"{username}'s password hash was changed outside the tool")
                    continue
            else:
                problems.add(f"user {username} has no audit entry creating them (added outside the tool?)")
                continue
        if u.role is not _UNKNOWN and (role, team_id) != (u.role, u.team):
            problems.add(f"{username} is {role} of team {_fmt(team_id)} but the audit trail made them {u.role} "
                         f"of team {_fmt(u.team)} (changed outside the tool?)")
        if u.active is not _UNKNOWN and bool(active) != u.active:
            problems.add(f"{username} is {'active' if active else 'disabled'} but the audit trail "
                         f"{'enabled' if u.active else 'disabled'} them last (changed outside the tool?)")
        if isinstance(u.credential, str):
            if credential_fingerprint(pw_hash) != u.credential:
                problems.add(f"{username}'s password hash is not the one the audit trail recorded "
                             "(changed outside the tool?)")
        elif u.credential is None and postgres and pw_hash != pg_access.PG_PASSWORD_HASH \
                and not _is_argon2(pw_hash):
            problems.add(f"{username}'s password hash was changed outside the tool")
    counts["users"] = users
    names = set(session.scalars(select(User.username))) if trail.users else set()
    for username, u in trail.users.items():
        if u.role is not _UNKNOWN and username not in names:
            problems.add(f"user {username} is in the audit trail but not in the database (deleted?)")
            break

    # ---- protocols: one protocol_set entry per stored protocol, the newest as the trail names it
    protocols = session.execute(select(ProtocolVersion.id, ProtocolVersion.document)
                                .order_by(ProtocolVersion.id)).all()
    if len(protocols) != len(trail.protocol_sets):
        problems.add(f"the database holds {len(protocols)} protocols but the audit trail records "
                     f"{len(trail.protocol_sets)} (added or removed outside the tool?)")
    elif protocols:
        try:
            doc = json.loads(protocols[-1][1])
        except ValueError:
            doc = {}
        last = trail.protocol_sets[-1]
        if (doc.get("name"), doc.get("region")) != (last.get("name"), last.get("region")):
            problems.add("the active protocol is not the one the audit trail recorded (changed outside the tool?)")
    missing = trail.protocol_ids - {p[0] for p in protocols}
    if missing:
        problems.add(f"protocol {min(missing)} is in the audit trail but not in the database (deleted?)")


class _RowMaker:
    """:func:`handover.store.sync.deadline_rows` (what a save stores), with the due dates memoised: the
    same start and working days give the same due date, and the calendar walk was most of the time."""

    def __init__(self, protocol: Any) -> None:
        from handover.calendar import calendar_for

        self.protocol = protocol
        self.cal = calendar_for(protocol.region)
        self.due: dict[tuple[Any, int], Any] = {}

    def __call__(self, case: dict[str, Any], hid: int, team_id: int | None) -> list[dict[str, Any]]:
        from handover.case import get_path
        from handover.dates import parse_iso
        from handover.deadlines import due_date

        rows = []
        for rule in self.protocol.rules_for(case.get("direction")):
            starts = parse_iso(get_path(case, rule.starts))
            done = parse_iso(get_path(case, rule.done))
            due = None
            if starts is not None:
                key = (starts, rule.working_days)
                due = self.due.get(key)
                if due is None:
                    due = self.due[key] = due_date(self.cal, starts, rule.working_days)
            rows.append({"handover_id": hid, "team_id": team_id, "rule": rule.rule,
                         "working_days": rule.working_days, "starts": starts, "due": due, "done": done,
                         "late": bool(due and done and done > due)})
        if case.get("information_requests"):   # a family's requests (few): as a save stores them
            from handover.store.sync import deadline_rows

            rows += [r for r in deadline_rows(case, self.protocol, hid, team_id) if r["path"]]
        return rows


def _is_argon2(pw_hash: str) -> bool:
    return (pw_hash or "").startswith("$argon2")


def _is_demo_hash(pw_hash: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    from handover.demo import DEMO_PASSWORD

    try:
        return PasswordHasher().verify(pw_hash, DEMO_PASSWORD)
    except (VerificationError, InvalidHashError):
        return False

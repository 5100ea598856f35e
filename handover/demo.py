"""Synthetic demonstration data: realistic-looking handovers for trying the app and for benchmarks.

Everything is invented: names from short lists, NHS numbers in the 999 test range (valid modulus 11),
postcodes of a valid UK format (a few fixed outward codes, random ``9XX`` inward codes). Decision dates
spread over the two years before ``today``; older handovers have mostly run their course, recent ones
sit in every state, and some deadlines are missed. Each handover's dates tell one consistent story up
to its state (nothing after ``today``), and the stored version was saved on the day of the last move
that recorded something in it.

Handovers that were authorised (authorised, sent, acknowledged, accepted, closed) are complete: the
checks found no error on the day they were authorised, as the workflow requires; later missed
deadlines (``overdue`` as of a later save) and ``late`` warnings remain, as in real life. Drafts have
realistic gaps (an agency that knows the family left out, no child's voice, no lawful basis...).
The stored error and warning counts are those of :func:`handover.checks.check_case` on the save date:
for complete cases they are derived from the deadline rows (cheap; tested equal on samples), for the
few drafts and cases awaiting authorisation the checks are run. Rows go in with bulk inserts.

Demo data goes only into an empty database or one already marked as a demo, so it never mixes with
real records: a database holding a handover or an account that is not the demo's own is refused, one
line and nothing written (the one exception: the administrator the app's first run has just created).
Demo accounts all share the password :data:`DEMO_PASSWORD`. On PostgreSQL each table's id sequence is
moved past the rows the demo inserted with ids of its own.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from handover import audit
from handover.calendar import calendar_for
from handover.case import FORMAT, content_hash, get_path
from handover.dates import parse_iso
from handover.protocol import Protocol
from handover.store import pg_access
from handover.store.database import Store
from handover.store.errors import Invalid
from handover.store.models import (AuditEntry, DeadlineRow, Handover, PersonRow, Setting, Team, User, Version,
                                   WorkflowEvent)
from handover.store.sync import active_protocol, check_counts, next_deadline, people_rows, summary_columns
from handover.vocab import AGENCY_TYPES

__all__ = ["generate", "DemoResult", "DEMO_PASSWORD", "nhs_number", "DEMO_TEAMS", "demo_usernames"]

DEMO_PASSWORD = "demo-password"

#: (name, service, sends, receives)
DEMO_TEAMS = (
    ("CSC Front Door (MASH)", "children_social_care", "", "step_up"),
    ("CSC Assessment North", "children_social_care", "step_down", ""),
    ("CSC Child in Need South", "children_social_care", "step_down", ""),
    ("CSC Child Protection West", "children_social_care", "step_down", ""),
    ("Early Help East", "early_help", "step_up", "step_down"),
    ("Early Help West", "early_help", "step_up", "step_down"),
    ("Early Help Central", "early_help", "step_up", "step_down"),
)

GIVEN = ("Amara", "Ben", "Chloe", "Dylan", "Ella", "Finley", "Grace", "Harvey", "Isla", "Jacob", "Kai", "Layla",
         "Mason", "Nia", "Oscar", "Poppy", "Reuben", "Sofia", "Theo", "Una", "Vinnie", "Willow", "Yusuf", "Zara",
         "Aisha", "Callum", "Darcy", "Eli", "Freya", "Idris", "Maya", "Noah", "Ruby", "Sami", "Tilly", "Zain")
FAMILY = ("Ashworth", "Brightwell", "Carraway", "Dunmore", "Elsworth", "Fairbrook", "Greywell", "Hollins",
          "Ingleby", "Jessop", "Kettering", "Larkspur", "Merriweather", "Northcote", "Oakridge", "Pennyfeather",
          "Quarry", "Rookwood", "Saltmarsh", "Thistlewood", "Underhill", "Vantage", "Whitmore", "Yardley")
STREETS = ("Example Street", "Sample Road", "Fictional Avenue", "Testing Lane", "Demo Close", "Imaginary Way")
STAFF = ("Alex Rowe", "Bobbie Kaur", "Charlie Osei", "Dana Whitfield", "Eden Marsh", "Frankie Lowe", "Gabi Nunes",
         "Harper Quinn", "Jordan Blake", "Kit Moreno", "Lee Ashdown", "Morgan Tate", "Nico Ferris", "Remy Cole",
         "Sam Okafor", "Toni Reyes", "Vic Laine", "Wren Hadley")
RISKS = ("1B", "2B", "3A", "3B", "4A", "4B", "15A", "16A", "17A", "10A", "21")
AGENCIES = ("gp", "education", "police", "health_visitor", "camhs", "housing", "drug_alcohol_service",
            "adult_mental_health", "school_nurse", "domestic_abuse_service")
#: outward codes of the synthetic postcodes (real-format districts; the inward codes are made up)
OUTWARD = ("EX1", "EX2", "EX4", "SF2", "SF7", "DT3", "TQ9")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
GAPS = ("agency_missing", "child_voice", "sharing_basis", "not_checked", "consent", "concerns")
ORDER = ("draft", "awaiting_authorisation", "authorised", "sent", "acknowledged", "accepted", "closed")
MOVES = ("request_authorisation", "authorise", "send", "acknowledge", "accept", "close")


def nhs_number(rng: random.Random) -> str:
    """A valid NHS number in the 999 test range (modulus 11)."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1)))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


@dataclass(frozen=True)
class DemoResult:
    handovers: int
    first_id: str
    last_id: str


class _Dates:
    """add_working_days with a cache (the demo asks the same questions many times)."""

    def __init__(self, protocol: Protocol) -> None:
        self.cal = calendar_for(protocol.region)
        self.cache: dict[tuple[date, int], date] = {}

    def add(self, d: date, n: int) -> date:
        key = (d, n)
        got = self.cache.get(key)
        if got is None:
            got = self.cache[key] = self.cal.add_working_days(d, n)
        return got

    def rows(self, case: dict[str, Any], protocol: Protocol, hid: int, team: int) -> list[dict[str, Any]]:
        """What :func:`handover.store.sync.deadline_rows` gives, with cached dates (tested equal)."""
        out = []
        for rule in protocol.rules_for(case["direction"]):
            starts = parse_iso(get_path(case, rule.starts))
            done = parse_iso(get_path(case, rule.done))
            due = self.add(starts, rule.working_days) if starts else None
            out.append({"handover_id": hid, "team_id": team, "rule": rule.rule, "working_days": rule.working_days,
                        "starts": starts, "due": due, "done": done, "late": bool(due and done and done > due)})
        return out


def _demo_people() -> list[tuple[str, str, str, str | None]]:
    """(username, display name, role, team name) of every demo account."""
    rng = random.Random(7)
    wanted: list[tuple[str, str, str, str | None]] = [("admin", "Demo Administrator", "administrator", None)]
    for i, (name, _service, sends, receives) in enumerate(DEMO_TEAMS):
        slug = "".join(w[0] for w in name.replace("(", "").split()).lower() + str(i)
        if sends:
            wanted += [(f"{slug}-prac{j}", rng.choice(STAFF), "practitioner", name) for j in (1, 2, 3)]
        wanted.append((f"{slug}-mgr", rng.choice(STAFF), "manager", name))
        if receives:
            wanted += [(f"{slug}-recv{j}", rng.choice(STAFF), "receiver", name) for j in (1, 2)]
    return wanted


def demo_usernames() -> frozenset[str]:
    """The usernames of the demo's own accounts (all with the public :data:`DEMO_PASSWORD`)."""
    return frozenset(u for u, _d, _r, _t in _demo_people())


#: the settings that mark a demo database, and the first administrator a first run made before its demo data
DEMO_MARK, FIRST_ADMIN_MARK = "demo", "demo_first_admin"
_REFUSED = "demo data goes only into an empty or demo database"


def _refuse_real_data(s: Session) -> str | None:
    """Refuse (:class:`Invalid`, one line, before anything is written) a database holding anything
    that is not the demo's own: a handover not made by the demo, or a user who is not a demo account.

    A demo account is one of :func:`demo_usernames` in a database already marked as a demo. The one
    exception is the app's first run, which creates its administrator and then offers demo data: a
    database whose only user is an administrator and whose audit trail holds nothing but that
    account's creation by the first run. That administrator is returned (and remembered, so that
    later demo runs accept them too); None otherwise.
    """
    marked = s.get(Setting, DEMO_MARK) is not None
    kept = s.get(Setting, FIRST_ADMIN_MARK)
    allowed = set(demo_usernames()) if marked else set()
    if kept is not None:
        allowed.add(kept.value)
    real = select(func.count()).select_from(Handover)
    if marked:
        real = real.where(Handover.case_id.not_like("DEMO-%"))
    real_handovers = s.scalar(real) or 0
    if real_handovers:
        raise Invalid(f"this database holds real handovers: {_REFUSED}")
    others = [u for u in s.scalars(select(User.username)) if u not in allowed]
    if not others:
        return None
    if not marked and len(others) == 1:
        user = s.scalar(select(User).where(User.username == others[0]))
        trail = s.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.detail).limit(2)).all()
        if (user is not None and user.role == "administrator" and len(trail) == 1
                and trail[0].action == "user_create" and trail[0].actor == "first-run"
                and json.loads(trail[0].detail or "{}").get("user") == user.username):
            return user.username
    raise Invalid(f"this database has accounts that are not demo accounts ({len(others)}): {_REFUSED}")


#: the tables the demo writes with ids of its own (a PostgreSQL sequence must then be moved past them)
_ID_TABLES = ("teams", "users", "handovers", "versions", "deadlines", "workflow_events")


def _move_sequences(s: Session) -> None:
    """On PostgreSQL, move each table's id sequence past the largest id: rows inserted with explicit ids
    do not move it, and the next ordinary insert would collide with a demo row."""
    if s.get_bind().dialect.name != "postgresql":
        return
    for table in _ID_TABLES:
        s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) "
                       f"FROM (SELECT max(id) AS m FROM {table}) AS x WHERE m IS NOT NULL"))


def _ensure_people(s: Session, store: Store, now: datetime) -> dict[str, Any]:
    teams: dict[str, int] = {}
    for name, service, _sends, _receives in DEMO_TEAMS:
        tid = s.scalar(select(Team.id).where(Team.name == name))
        if tid is None:
            t = Team(name=name, service=service, created_at=now)
            s.add(t)
            s.flush()
            tid = t.id
        teams[name] = tid
    pw = store.hasher.hash(DEMO_PASSWORD)
    existing = set(s.scalars(select(User.username)))
    people: dict[str, list[int]] = {}
    wanted = _demo_people()
    rows = [{"username": u, "display_name": d, "role": r, "team_id": teams.get(t) if t else None,
             "password_hash": pw, "active": True, "failed_count": 0, "created_at": now}
            for u, d, r, t in wanted if u not in existing]
    if rows:
        s.execute(insert(User), rows)
    for uid, tid, role in s.execute(select(User.id, User.team_id, User.role)):
        if role == "practitioner":
            people.setdefault(f"prac:{tid}", []).append(uid)
    return {"teams": teams, "people": people,
            "names": dict(s.execute(select(User.id, User.display_name)).all())}


def _final_state(rng: random.Random, age: int) -> str:
    r = rng.random()
    if age > 90:
        return "closed" if r < 0.86 else ("accepted" if r < 0.92 else rng.choice(ORDER[:5]))
    if age > 25:
        return rng.choice(("closed", "accepted", "accepted", "acknowledged", "sent", "authorised", "draft"))
    return rng.choice(ORDER[:6])


@dataclass
class _Timeline:
    """The dates of one handover's story, consistent with its state (nothing after ``today``)."""

    rank: int                     #: ORDER index of the state reached
    returned: bool
    request: date
    authorise: date
    send: date
    acknowledge: date             #: step-down: the pack acknowledged; step-up: the front door's decision
    informed: date                #: step-up: the referrer told of the decision
    agreed: date                  #: lead professional agreed
    accept: date                  #: the handover meeting held / the referral accepted
    assessed: date                #: step-up: the assessment completed
    close: date
    back: date                    #: returned on

    def move_dates(self) -> list[tuple[str, date]]:
        if self.returned:
            return [("request_authorisation", self.request), ("authorise", self.authorise), ("send", self.send),
                    ("return", self.back)]
        stages = (self.request, self.authorise, self.send, self.acknowledge, self.accept, self.close)
        return list(zip(MOVES, stages))[:self.rank]

    def saved(self, direction: str, draft_saved: date) -> date:
        """When the stored version was written: the last move that records something in the case."""
        if self.returned:
            return self.back
        step_down = direction == "step_down"
        return {0: draft_saved, 1: self.request, 2: self.authorise,
                3: self.send if step_down else self.authorise, 4: self.acknowledge, 5: self.accept,
                6: self.accept if step_down else self.assessed}[self.rank]


def _timeline(rng: random.Random, direction: str, decision: date, state: str, dates: _Dates,
              today: date) -> _Timeline:
    def wd(start: date, lo: int, hi: int, late: tuple[int, int] | None = None) -> date:
        """lo..hi working days after start; one in six (with ``late``) takes late[0]..late[1] instead."""
        n = rng.randint(*late) if late and rng.random() < 1 / 6 else rng.randint(lo, hi)
        return dates.add(start, n) if n else start

    d = decision
    if direction == "step_down":
        # authorised before the pack and the lead professional are due (5 working days), so complete
        authorise = wd(d, 0, 4)
        send = max(wd(authorise, 0, 1), wd(d, 1, 5, (6, 8)))
        ack = wd(send, 0, 2, (3, 5))
        agreed = wd(d, 2, 5, (6, 8))
        accept = max(wd(d, 5, 10, (11, 14)), ack, agreed)
        informed = assessed = accept
        close = accept + timedelta(days=rng.randint(3, 40))
    else:
        # the front door decides within a working day of the referral: authorised on the day or the next
        authorise = wd(d, 0, 1)
        send = authorise
        ack = max(send, wd(d, 0, 1, (2, 3)))
        informed = wd(ack, 0, 1, (2, 3))
        agreed = accept = informed
        assessed = max(accept, wd(d, 25, 45, (46, 55)))
        close = assessed + timedelta(days=rng.randint(0, 10))
    request = d + timedelta(days=rng.randint(0, (authorise - d).days))
    rank = ORDER.index(state)
    stage = (request, request, authorise, send, ack, accept, close)
    while rank > 0 and (stage[rank] > today or (rank == 6 and assessed > today)):
        rank -= 1
    back = send + timedelta(days=rng.randint(0, 3))
    returned = rank == 0 and (today - d).days > 10 and back <= today and rng.random() < 0.4
    return _Timeline(rank, returned, request, authorise, send, ack, informed, agreed, accept, assessed, close, back)


def _postcode(rng: random.Random) -> str:
    """A synthetic postcode in a valid UK format: a few fixed outward codes, a random 9XX inward code."""
    return f"{rng.choice(OUTWARD)} 9{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"


def _case(rng: random.Random, case_id: str, direction: str, decision: date, t: _Timeline,
          complete: bool) -> dict[str, Any]:
    """A synthetic case at the point of its timeline. ``complete``: no error finding but those of
    deadlines missed by the save date; otherwise one to three realistic gaps."""
    rank, returned = t.rank, t.returned
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    dob = decision - timedelta(days=rng.randrange(60, 17 * 365))
    parent = f"{rng.choice(GIVEN)} {family}"
    iso = date.isoformat

    risks = sorted(set(rng.sample(RISKS, rng.randint(1, 3))))
    agencies = rng.sample(AGENCIES, rng.randint(2, 4))
    agency_rows = [{"type": a, "name": f"{a.replace('_', ' ').title()} (demo)", "contact": "01632 960000",
                    "involved_with": ["child"], "informed_date": iso(decision),
                    "sharing_basis": {"type": "consent", "gateway": "", "reason": ""},
                    "continues_involvement": rng.random() < 0.6, "attends_handover": rng.random() < 0.7}
                   for a in agencies]
    chronology = [{"date": (decision - timedelta(days=rng.randrange(5, 300))).isoformat(),
                   "source": rng.choice(agencies), "event": "Contact recorded (synthetic demo entry)",
                   "impact_on_child": "Described in the synthetic demo narrative", "confidential": False}
                  for _ in range(rng.randint(2, 5))]
    involved = set(agencies) | {"children_social_care", "early_help"}
    signed = rank >= 2 or returned
    case: dict[str, Any] = {
        "format": FORMAT, "id": case_id, "direction": direction,
        "child": {"given_name": given, "family_name": family, "date_of_birth": dob.isoformat(),
                  "gender": rng.choice(("male", "female", "not_stated")), "nhs_number": nhs_number(rng),
                  "address": f"{rng.randint(1, 199)} {rng.choice(STREETS)}, Demo Town", "postcode": _postcode(rng),
                  "upn": "", "setting": "none" if dob > decision - timedelta(days=4 * 365) else "Demo Primary School",
                  "ethnicity": "Not recorded (demo)", "first_language": "English",
                  "disability_or_sen": rng.choice(("None known (demo)", "Speech and language support (demo)")),
                  "local_ids": {"csc": f"CSC{rng.randint(100000, 999999)}", "early_help": f"EH{rng.randint(10000, 99999)}"}},
        "household": [{"name": parent, "relationship": "mother" if rng.random() < 0.7 else "father",
                       "date_of_birth": (dob - timedelta(days=rng.randrange(18 * 365 + 5, 40 * 365))).isoformat(),
                       "lives_with_child": True, "parental_responsibility": True, "joined_household": None,
                       "left_household": None, "known_to": rng.sample(agencies, 1),
                       "risk_factors": [r for r in risks if r.endswith("B")]}],
        "transition": {"from_service": "children_social_care" if direction == "step_down" else "early_help",
                       "to_service": "early_help" if direction == "step_down" else "children_social_care",
                       "decision_date": decision.isoformat(), "decision_by": rng.choice(STAFF),
                       "reason": "Synthetic demonstration handover", "current_plan":
                           rng.choice(("child_in_need", "child_protection")) if direction == "step_down" else "early_help",
                       "what_has_changed": "Synthetic text: circumstances have changed."},
        "needs_and_risks": {"summary": "Synthetic summary of needs.", "risk_factors": risks,
                            "strengths": "Synthetic strengths.",
                            "outstanding_concerns": "Synthetic concerns that remain.",
                            "escalation_plan": "Step back if concerns return (synthetic)."},
        "child_voice": {"views": "Synthetic views of the child.", "how_obtained": "spoken",
                        "last_seen": (decision - timedelta(days=rng.randrange(1, 20))).isoformat()},
        "family": {"views": "Synthetic views of the family.",
                   "consent": {"status": "given", "given_by": parent, "date": decision.isoformat(), "how": "verbal",
                               "reason_not_sought": ""}},
        "agencies": agency_rows,
        "agency_checks": {a: ("involved" if a in involved else "not_involved") for a in AGENCY_TYPES},
        "chronology": sorted(chronology, key=lambda c: c["date"]),
        "plan": {"lead_professional": {"name": rng.choice(STAFF), "agency": "early_help", "contact": "01632 960001",
                                       "agreed_date": iso(t.agreed) if rank >= 5 else None},
                 "outcomes": [{"need": "Synthetic need", "outcome": "Synthetic outcome",
                               "actions": [{"action": "Synthetic action", "who": rng.choice(STAFF),
                                            "by": (decision + timedelta(days=30)).isoformat()}]}],
                 "handover_meeting": {"planned_date": (decision + timedelta(days=10)).isoformat(),
                                      "held_date": iso(t.accept) if rank >= 5 else None,
                                      "attendees": [rng.choice(STAFF), parent]},
                 "review_date": (decision + timedelta(days=90)).isoformat()},
        "sign_off": {"prepared_by": {"name": rng.choice(STAFF), "role": "practitioner", "date": decision.isoformat()},
                     "sending_manager": {"name": rng.choice(STAFF) if signed else "",
                                         "date": iso(t.authorise) if signed else None},
                     "receiving": {"name": rng.choice(STAFF) if rank >= 5 or returned else "",
                                   "date": iso(t.accept) if rank >= 5 else (iso(t.back) if returned else None),
                                   "decision": "accepted" if rank >= 5 else ("returned" if returned else None),
                                   "reason": "missing_information: synthetic note" if returned else ""}},
    }
    if direction == "step_down":
        case["events"] = {"pack_sent": iso(t.send) if rank >= 3 or returned else None,
                          "acknowledged": iso(t.acknowledge) if rank >= 4 else None}
    else:
        case["transition"].update({"referral_date": decision.isoformat(), "immediate_risk": False,
                                   "emergency_action": ""})
        case["needs_and_risks"]["early_help_work"] = "Synthetic account of early help work."
        case["events"] = {"csc_decision": iso(t.acknowledge) if rank >= 4 else None,
                          "referrer_informed": iso(t.informed) if rank >= 5 else None,
                          "assessment_completed": iso(t.assessed) if rank >= 6 else None}
    if not complete:
        _add_gaps(rng, case)
    return case


def _add_gaps(rng: random.Random, case: dict[str, Any]) -> None:
    """What drafts realistically lack: an agency that knows the family, the child's voice, a lawful basis."""
    for gap in rng.sample(GAPS, rng.randint(1, 3)):
        if gap == "agency_missing":
            known = case["household"][0]["known_to"][0]
            case["agencies"] = [a for a in case["agencies"] if a["type"] != known]
            case["agency_checks"][known] = "not_checked"
        elif gap == "child_voice":
            case["child_voice"].update(views="", how_obtained=None)
        elif gap == "sharing_basis":
            case["agencies"][0]["sharing_basis"] = {"type": None, "gateway": "", "reason": ""}
        elif gap == "not_checked":
            others = [a for a, v in case["agency_checks"].items() if v == "not_involved"]
            for a in rng.sample(others, min(len(others), rng.randint(2, 5))):
                case["agency_checks"][a] = "not_checked"
        elif gap == "consent":
            case["family"]["consent"].update(status="not_sought", given_by="", date=None, how="",
                                             reason_not_sought="")
        elif gap == "concerns":
            case["needs_and_risks"]["outstanding_concerns"] = ""


def _counts(case: dict[str, Any], rows: list[dict[str, Any]], as_of: date, complete: bool,
            protocol: Protocol) -> tuple[int, int]:
    """(errors, warnings) as check_case gives them on ``as_of``: derived from the deadline rows for a
    complete case (made so that missed deadlines and, before authorisation, the manager's missing
    sign-off are its only errors), checked in full for a case with gaps."""
    if not complete:
        return check_counts(case, protocol, as_of)
    overdue = sum(1 for r in rows if r["done"] is None and r["due"] is not None and r["due"] < as_of)
    late = sum(1 for r in rows if r["late"])
    from_cp = case["direction"] == "step_down" and case["transition"]["current_plan"] == "child_protection"
    unsigned = not case["sign_off"]["sending_manager"]["name"]   # awaiting authorisation
    return overdue + unsigned, late + from_cp + _unevidenced(case, as_of)


def _unevidenced(case: dict[str, Any], as_of: date) -> int:
    """The ``agency_check_unevidenced`` warnings of a complete demo case: agencies its risk factors or the
    child's age make likely that the checklist marks not involved (a demo case asks no agency)."""
    from handover.checks.agencies import expected_agencies, network_types
    from handover.family import view

    doc = view(case)
    present = network_types(doc)
    checks = case["agency_checks"]
    return sum(1 for a in expected_agencies(doc, as_of) if a not in present and checks.get(a) == "not_involved")


def generate(store: Store, n: int, *, today: date, now: datetime, seed: int = 20261125,
             batch: int = 5000) -> DemoResult:
    """Add ``n`` synthetic handovers (and the demo teams and users when missing)."""
    if n < 0:
        raise Invalid("the number of cases cannot be negative")
    rng = random.Random(seed)
    with store.write() as s:
        first_admin = _refuse_real_data(s)
        if s.get(Setting, DEMO_MARK) is None:
            s.add(Setting(key=DEMO_MARK, value="true"))
        if first_admin is not None:
            s.add(Setting(key=FIRST_ADMIN_MARK, value=first_admin))
        ctx = _ensure_people(s, store, now)
        pg_access.provision_demo_roles(s, DEMO_PASSWORD)   # PostgreSQL: each demo account signs in as its own role
        protocol = active_protocol(s)
        next_id = (s.scalar(select(func.max(Handover.id))) or 0) + 1
        start_number = (s.scalar(select(func.count()).select_from(Handover).where(Handover.case_id.like("DEMO-%")))
                        or 0) + 1
        rng.seed(seed + start_number)
        dates = _Dates(protocol)
        sd_senders = [ctx["teams"][t[0]] for t in DEMO_TEAMS if t[2] == "step_down"]
        su_senders = [ctx["teams"][t[0]] for t in DEMO_TEAMS if t[2] == "step_up"]
        eh_receivers = [ctx["teams"][t[0]] for t in DEMO_TEAMS if t[3] == "step_down"]
        front_door = next(ctx["teams"][t[0]] for t in DEMO_TEAMS if t[3] == "step_up")
        names = ctx["names"]
        buf: dict[str, list[dict[str, Any]]] = {"h": [], "v": [], "d": [], "e": [], "p": []}
        first = last = ""
        for k in range(n):
            hid = next_id + k
            case_id = f"DEMO-{start_number + k:06d}"
            first = first or case_id
            last = case_id
            direction = "step_down" if rng.random() < 0.6 else "step_up"
            decision = today - timedelta(days=rng.randint(1, 730))
            if decision.weekday() >= 5:
                decision -= timedelta(days=decision.weekday() - 4)
            age = (today - decision).days
            t = _timeline(rng, direction, decision, _final_state(rng, age), dates, today)
            rank = t.rank
            state = ORDER[rank]
            # authorised and later: complete (authorising requires it); awaiting: mostly; drafts: gaps
            complete = rank >= 2 or (rank == 1 and rng.random() < 0.7)
            case = _case(rng, case_id, direction, decision, t, complete)
            team = rng.choice(sd_senders if direction == "step_down" else su_senders)
            receiving = rng.choice(eh_receivers) if direction == "step_down" else front_door
            owner = rng.choice(ctx["people"].get(f"prac:{team}", [None]))
            saved_on = t.saved(direction, min(today, decision + timedelta(days=rng.randint(0, 3))))
            created = datetime.combine(decision, time(9, rng.randrange(60)), tzinfo=timezone.utc)
            saved_at = max(created, datetime.combine(saved_on, time(15, rng.randrange(60)), tzinfo=timezone.utc))
            rows = dates.rows(case, protocol, hid, team)
            errors, warnings = _counts(case, rows, saved_on, complete, protocol)
            next_rule, next_due = next_deadline(rows)
            text = json.dumps(case, ensure_ascii=False) + "\n"   # one line: the C encoder, 5x faster
            moves = t.move_dates()
            last_move = (datetime.combine(moves[-1][1], time(9 + len(moves), rng.randrange(60)), tzinfo=timezone.utc)
                         if moves else saved_at)
            buf["h"].append({"id": hid, "case_id": case_id, "state": state, "team_id": team,
                             "receiving_team_id": receiving, "owner_id": owner, "current_version": 1,
                             "authorised_version": 1 if rank >= 2 else None, "row_version": 1,
                             "created_at": created, "updated_at": max(saved_at, last_move),
                             "error_count": errors, "warning_count": warnings, "checked_on": saved_on,
                             "next_rule": next_rule, "next_due": next_due, **summary_columns(case)})
            buf["v"].append({"handover_id": hid, "number": 1, "document": text, "content_hash": content_hash(case),
                             "frozen": rank >= 2, "created_by": "demo", "created_at": saved_at, "note": "synthetic"})
            buf["d"].extend(rows)
            buf["p"].extend(people_rows(case, hid))     # the search and matching index, as a save makes it
            actor_name = names.get(owner, "Demo user") if owner else "Demo user"
            for i, (action, day) in enumerate(moves):
                src = "sent" if action == "return" else ORDER[MOVES.index(action)]
                dst = "draft" if action == "return" else ORDER[MOVES.index(action) + 1]
                buf["e"].append({"handover_id": hid, "action": action, "from_state": src, "to_state": dst,
                                 "actor": "demo", "actor_name": actor_name,
                                 "at": datetime.combine(day, time(9 + i, rng.randrange(60)), tzinfo=timezone.utc),
                                 "reason_code": "missing_information" if action == "return" else None,
                                 "note": "Synthetic note" if action == "return" else "", "version": 1})
            if len(buf["h"]) >= batch:
                _flush(s, buf)
        _flush(s, buf)
        _move_sequences(s)
        audit.append(s, actor="demo", action="demo_generate", now=now,
                     detail={"handovers": n, "first": first, "last": last, "seed": seed})
        return DemoResult(n, first, last)


def _flush(s: Session, buf: dict[str, list[dict[str, Any]]]) -> None:
    for key, table in (("h", Handover.__table__), ("v", Version.__table__), ("d", DeadlineRow.__table__),
                       ("e", WorkflowEvent.__table__), ("p", PersonRow.__table__)):
        if buf[key]:
            s.execute(insert(table), buf[key])
            buf[key] = []

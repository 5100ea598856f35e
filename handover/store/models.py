"""Typed SQLAlchemy models of the shared database (one module, small tables).

Times are stored as naive UTC and read back as aware UTC (:class:`UTCDateTime`); the core never reads
the clock: callers pass ``now``. Handovers carry searchable summary columns beside the versioned case
JSON; deadline rows store each rule's start, due and done dates so that the overdue list is one
indexed query (status depends on the as-of date and is computed in SQL).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "Team", "User", "Handover", "Version", "DeadlineRow", "WorkflowEvent", "AuditEntry",
           "AuditHead", "ProtocolVersion", "Setting", "Pack", "PersonRow", "UTCDateTime", "ROLES", "PACK_KINDS"]

ROLES = ("practitioner", "manager", "receiver", "administrator")
PACK_KINDS = ("final", "family", "received")   # received: a signed pack from another organisation

NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
          "pk": "pk_%(table_name)s"}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC stored, aware UTC out (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store: pass an aware datetime (UTC)")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), date: Date()}


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    service: Mapped[str] = mapped_column(String(40), default="")   # children_social_care | early_help | ""
    created_at: Mapped[datetime]


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id"))
    # deferred (loaded when first used): on a shared PostgreSQL database people may read the other
    # columns of users (names, roles, teams) but not these (column privileges, handover.store.pg_access;
    # administrators may read the lock's two)
    password_hash: Mapped[str] = mapped_column(String(200), deferred=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0, deferred=True, deferred_group="lock")
    locked_until: Mapped[Optional[datetime]] = mapped_column(deferred=True, deferred_group="lock")
    created_at: Mapped[datetime]
    team: Mapped[Optional[Team]] = relationship(lazy="joined")


class Handover(Base):
    """A handover: state, teams, and columns copied from its current version for the case list.

    ``error_count`` / ``warning_count`` are the check findings of the current version with the active
    protocol *as of* ``checked_on`` (the local date of the last save): findings that depend on the date,
    such as ``overdue``, are not brought up to date as days pass; the app re-checks a case it opens.
    ``next_rule`` / ``next_due``: the earliest due date among the deadline rows not yet done (and its
    rule; NULL when there is none), for the list's "next deadline" column.
    """

    __tablename__ = "handovers"
    __table_args__ = (Index("ix_handovers_next_due", "next_due", "id"),
                      Index("ix_handovers_error_count", "error_count", "id"),
                      Index("ix_handovers_state_direction", "state", "direction"))   # 0004
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(String(200), unique=True)
    direction: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), index=True)
    child_given_name: Mapped[str] = mapped_column(String(200), default="")
    child_family_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    child_dob: Mapped[Optional[date]]
    child_nhs_number: Mapped[str] = mapped_column(String(20), default="")
    #: the names of the children who move, joined with ", " (one child: "Kara Testcase"): the list's and the
    #: overdue report's "child" (SPEC section 6); the ``child_*`` columns are the first moving child's (0005)
    child_names: Mapped[str] = mapped_column(String(400), default="")
    decision_date: Mapped[Optional[date]]
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id"), index=True)
    receiving_team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    authorised_version: Mapped[Optional[int]]
    row_version: Mapped[int] = mapped_column(Integer, default=1)   # optimistic concurrency counter
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    checked_on: Mapped[Optional[date]]
    next_rule: Mapped[Optional[str]] = mapped_column(String(40))
    next_due: Mapped[Optional[date]]


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("handover_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"))
    number: Mapped[int]
    document: Mapped[str] = mapped_column(Text)          # the handover-case/1 text exactly as stored
    content_hash: Mapped[str] = mapped_column(String(80))
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)   # authorised: never changed again
    created_by: Mapped[str] = mapped_column(String(100))           # username, or "cli:<name>"
    created_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(500), default="")


class DeadlineRow(Base):
    """One rule of one handover; status is computed against an as-of date in SQL."""

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("handover_id", "rule", "path"),    # 0005: one row per request for information
        Index("ix_deadlines_open", "done", "due", "team_id"),
        Index("ix_deadlines_late", "late", "team_id"),
        Index("ix_deadlines_due_rule", "due", "rule", "done"),                      # 0004: timeliness
        Index("ix_deadlines_open_rule", "done", "rule", "due", "handover_id"),      # 0004: escalations
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"))
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("teams.id"))   # the sending team, copied
    rule: Mapped[str] = mapped_column(String(40))
    working_days: Mapped[int]
    starts: Mapped[Optional[date]]
    due: Mapped[Optional[date]]
    done: Mapped[Optional[date]]
    late: Mapped[bool] = mapped_column(Boolean, default=False)   # done > due (does not depend on as-of)
    # 0005, a request for information (SPEC section 7.3): which one, the agency asked, its priority; "" and
    # NULL for the other rules
    path: Mapped[str] = mapped_column(String(40), default="")
    agency_type: Mapped[Optional[str]] = mapped_column(String(60))
    priority: Mapped[Optional[str]] = mapped_column(String(10))


class PersonRow(Base):
    """A person of a handover's current version (0005): each child (``kind`` "child") and household member
    ("member"), for finding a handover by any child's name or NHS number, and for matching people across
    handovers (SPEC section 8). ``name_key`` is the full name with case, spacing and punctuation ignored;
    ``agency_types`` and ``risk_factors`` are space-separated codes this handover records for the person.
    Replaced with the deadline rows on every save."""

    __tablename__ = "people"
    __table_args__ = (Index("ix_people_name_dob", "name_key", "dob"),
                      Index("ix_people_nhs", "nhs_number"),
                      Index("ix_people_handover", "handover_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"))
    ref: Mapped[str] = mapped_column(String(16), default="")
    kind: Mapped[str] = mapped_column(String(10))                  # "child" | "member"
    moves: Mapped[bool] = mapped_column(Boolean, default=False)
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(400), default="")
    dob: Mapped[Optional[date]]
    nhs_number: Mapped[str] = mapped_column(String(20), default="")
    agency_types: Mapped[str] = mapped_column(Text, default="")
    risk_factors: Mapped[str] = mapped_column(Text, default="")


class WorkflowEvent(Base):
    __tablename__ = "workflow_events"
    __table_args__ = (Index("ix_workflow_events_handover", "handover_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]
    reason_code: Mapped[Optional[str]] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int]


class AuditEntry(Base):
    """Append-only; ``entry_hash`` covers the fields and ``prev_hash`` (see handover.audit)."""

    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[Optional[str]] = mapped_column(String(200), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(80))
    entry_hash: Mapped[str] = mapped_column(String(80))


class AuditHead(Base):
    """The last entry's number and hash, so that deleting the newest entries is detected too."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)   # always 1
    seq: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(String(80))


class ProtocolVersion(Base):
    __tablename__ = "protocols"
    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(Text)     # JSON of Protocol.to_dict()
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Pack(Base):
    """A signed PDF pack, frozen with the authorised version it was built from (never changed)."""

    __tablename__ = "packs"
    __table_args__ = (Index("ix_packs_handover", "handover_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"))
    version: Mapped[int]                                         # the version's number
    kind: Mapped[str] = mapped_column(String(10))                # "final" | "family"
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(80))              # "sha256:<hex>" of the pdf bytes
    content_hash: Mapped[str] = mapped_column(String(80))        # of the case version it was built from
    signers: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

"""Checking the stored records themselves: the audit chain, every version against its content hash, and
every signed pack against its SHA-256 and the version it was built from (``handover audit verify``).

A version whose document no longer hashes to its ``content_hash`` was changed outside the tool (or the
disk damaged it); so was a pack whose bytes no longer match. Everything is streamed, so a database of
100,000 handovers is checked in seconds, not held in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from handover.audit import AuditReport, verify as verify_audit
from handover.case import content_hash
from handover.store.database import Store
from handover.store.models import Handover, Pack, Version

__all__ = ["IntegrityReport", "verify_store", "verify_session", "verify_versions", "verify_packs"]


@dataclass
class IntegrityReport:
    audit: AuditReport
    versions: int = 0
    packs: int = 0
    problems: list[str] = field(default_factory=list)   #: the audit trail's problems first

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.ok:
            return (f"{self.audit.message}; {self.versions} versions and {self.packs} signed packs match "
                    "their hashes")
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


def verify_session(session: Session, max_problems: int = 20) -> IntegrityReport:
    report = IntegrityReport(audit=verify_audit(session, max_problems))
    report.problems.extend(report.audit.problems)
    report.versions, problems = verify_versions(session, max_problems)
    report.problems.extend(problems)
    report.packs, problems = verify_packs(session, max_problems)
    report.problems.extend(problems)
    return report


def verify_store(store: Store, max_problems: int = 20) -> IntegrityReport:
    """Check the audit chain, every version and every pack (read only)."""
    with store.read() as s:
        return verify_session(s, max_problems)

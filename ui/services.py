"""What the windows ask of the core, in one place: the store service, the clock, and the result shapes
the widgets show. No business rule here: each method is a call into ``handover.*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from sqlalchemy import func, select

from handover.store import service as svc
from handover.store.errors import Actor, ServiceError
from handover.store.models import DeadlineRow, Handover
from ui.case_list import ListRow

__all__ = ["AppServices", "ServiceError"]

_SORT = {"child": "child", "direction": "direction", "state": "state", "case_id": "case_id",
         "due": "updated_at", "errors": "updated_at"}


@dataclass
class AppServices:
    store: svc.Store
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    # ---------------------------------------------------------------- time
    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone().date()

    # ---------------------------------------------------------------- people
    def authenticate(self, username: str, password: str) -> tuple[Actor | None, str]:
        r = svc.authenticate(self.store, username, password, now=self.now())
        return (r.actor, "") if r.ok else (None, r.message[:1].upper() + r.message[1:] + ".")

    def first_run_needed(self) -> bool:
        return svc.first_run_needed(self.store)

    def create_first_admin(self, username: str, display_name: str, password: str) -> None:
        svc.create_first_admin(self.store, username, display_name, password, now=self.now())

    def load_demo(self, n: int) -> int:
        from handover import demo

        return demo.generate(self.store, n, today=self.today(), now=self.now()).handovers

    def smoke_actor(self) -> Actor:
        """For the start-up benchmark: the first manager if any, else the command-line actor."""
        from handover.store.models import User

        with self.store.read() as s:
            u = s.scalars(select(User).where(User.role == "manager", User.active.is_(True)).limit(1)).first()
            if u is not None:
                from handover.users import actor_for

                return actor_for(u)
        return svc.system_actor("gui")

    # ---------------------------------------------------------------- the list
    def list_page(self, actor: Actor, offset: int, limit: int, search: str, sort_key: str, desc: bool,
                  scope: str = "all") -> list[ListRow]:
        filters = svc.Filters(search=search, scope=scope)
        rows = svc.list_handovers(self.store, actor, filters, sort=_SORT.get(sort_key, "updated_at"),
                                  descending=desc if sort_key in _SORT and sort_key not in ("due", "errors")
                                  else True, offset=offset, limit=limit)
        nxt = self._next_deadlines([r.case_id for r in rows])
        today = self.today()
        out = []
        for r in rows:
            rule, due = nxt.get(r.case_id, ("", None))
            status = "" if due is None else ("overdue" if due < today else "due")
            out.append(ListRow(case_id=r.case_id, child=r.child, direction=r.direction, state=r.state,
                               from_to=f"{r.team or '—'} → {r.receiving_team or '—'}", next_rule=rule,
                               next_due=due.isoformat() if due else "", next_status=status,
                               errors=getattr(r, "error_count", 0) or 0))
        return out

    def count(self, actor: Actor, search: str, scope: str = "all") -> int:
        return svc.count_handovers(self.store, actor, svc.Filters(search=search, scope=scope))

    def _next_deadlines(self, case_ids: list[str]) -> dict[str, tuple[str, date]]:
        """The earliest open deadline of each listed handover: one query for the page."""
        if not case_ids:
            return {}
        with self.store.read() as s:
            q = (select(Handover.case_id, DeadlineRow.rule, DeadlineRow.due)
                 .join(DeadlineRow, DeadlineRow.handover_id == Handover.id)
                 .where(Handover.case_id.in_(case_ids), DeadlineRow.done.is_(None), DeadlineRow.due.is_not(None))
                 .order_by(Handover.case_id, DeadlineRow.due))
            out: dict[str, tuple[str, date]] = {}
            for case_id, rule, due in s.execute(q):
                out.setdefault(case_id, (rule, due))
            return out

    # ---------------------------------------------------------------- one handover
    def open_case(self, actor: Actor, case_id: str) -> svc.CaseView:
        return svc.get_handover(self.store, actor, case_id, now=self.now())

    def save(self, actor: Actor, case_id: str, case: dict[str, Any], expected_version: int) -> svc.HandoverSummary:
        """Autosave: amends the actor's own unfrozen draft version, else writes a new version."""
        return svc.save_version(self.store, actor, case_id, case, expected_version, now=self.now(), amend=True)

    def create(self, actor: Actor, case: dict[str, Any]) -> Any:
        return svc.create_handover(self.store, actor, case, now=self.now())

    def import_file(self, actor: Actor, data: bytes, source: str) -> svc.ImportResult:
        return svc.import_case(self.store, actor, data, now=self.now(), source=source)

    def move(self, actor: Actor, case_id: str, action: str, reason_code: str | None = None,
             note: str | None = None, expected_version: int | None = None) -> svc.MoveResult:
        return svc.move(self.store, actor, case_id, action, now=self.now(), reason_code=reason_code, note=note,
                        expected_version=expected_version)

    def previous_case_of(self, actor: Actor, nhs_or_name: str) -> str | None:
        """The newest handover of the same child (by NHS number or name), to copy from."""
        with self.store.read() as s:
            q = select(Handover.case_id).where(func.lower(Handover.child_family_name) == nhs_or_name.lower()) \
                .order_by(Handover.updated_at.desc()).limit(1)
            return s.scalar(q)

    # ---------------------------------------------------------------- packs
    def store_pack(self, actor: Actor, case_id: str, version: int, pdf: bytes, content_hash: str,
                   signers: str = "", kind: str = "final") -> Any:
        return svc.store_pack(self.store, actor, case_id, version, pdf, kind=kind, now=self.now(),
                              signers=signers, content_hash=content_hash)

    def list_packs(self, actor: Actor, case_id: str) -> list[Any]:
        return svc.list_packs(self.store, actor, case_id)

    def get_pack(self, actor: Actor, case_id: str, pack_id: int) -> bytes:
        return svc.get_pack(self.store, actor, case_id, pack_id)

    # ---------------------------------------------------------------- teams
    def receiving_teams(self, actor: Actor, direction: str) -> list[Any]:
        """Teams that can receive a handover going this way (early help for a step-down, and so on)."""
        service = "early_help" if direction == "step_down" else "children_social_care"
        teams = svc.list_teams(self.store, actor)
        return [t for t in teams if t.service == service and t.id != actor.team_id] or \
            [t for t in teams if t.id != actor.team_id]

    def assign_receiving_team(self, actor: Actor, case_id: str, team_id: int) -> Any:
        return svc.assign(self.store, actor, case_id, now=self.now(), receiving_team_id=team_id)


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
from handover.store.models import Handover
from ui.case_list import ListRow

__all__ = ["AppServices", "ServiceError"]

_SORT = {"child": "child", "direction": "direction", "state": "state", "case_id": "case_id",
         "due": "due", "errors": "errors"}


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
                                  descending=desc, offset=offset, limit=limit)
        return self._rows(actor, rows)

    def _rows(self, actor: Actor, rows: list[svc.HandoverSummary]) -> list[ListRow]:
        """List rows for one page: the stored next deadline in words, and the reason for any return."""
        today = self.today()
        notes = self.return_notes(actor, [r.case_id for r in rows if r.state == "draft"])
        out = []
        for r in rows:
            rule, due = r.next_rule or "", r.next_due
            status = "" if due is None else ("overdue" if due < today else "due")
            out.append(ListRow(case_id=r.case_id, child=r.child, direction=r.direction, state=r.state,
                               from_to=f"{r.team or '—'} → {r.receiving_team or '—'}", next_rule=rule,
                               next_due=due.isoformat() if due else "", next_status=status,
                               errors=r.error_count, note=notes.get(r.case_id, "")))
        return out

    def count(self, actor: Actor, search: str, scope: str = "all", cap: int | None = None) -> int:
        return svc.count_handovers(self.store, actor, svc.Filters(search=search, scope=scope), cap=cap)

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


    # ---------------------------------------------------------------- packs
    def store_pack(self, actor: Actor, case_id: str, version: int, pdf: bytes, content_hash: str,
                   signers: str = "", kind: str = "final") -> Any:
        return svc.store_pack(self.store, actor, case_id, version, pdf, kind=kind, now=self.now(),
                              signers=signers, content_hash=content_hash)

    def list_packs(self, actor: Actor, case_id: str) -> list[Any]:
        return svc.list_packs(self.store, actor, case_id)

    def get_pack(self, actor: Actor, case_id: str, pack_id: int) -> bytes:
        return svc.get_pack(self.store, actor, case_id, pack_id, now=self.now())

    # ---------------------------------------------------------------- teams
    def receiving_teams(self, actor: Actor, direction: str) -> list[Any]:
        """Teams that can receive a handover going this way (early help for a step-down, and so on)."""
        service = "early_help" if direction == "step_down" else "children_social_care"
        teams = svc.list_teams(self.store, actor)
        return [t for t in teams if t.service == service and t.id != actor.team_id] or \
            [t for t in teams if t.id != actor.team_id]

    def assign_receiving_team(self, actor: Actor, case_id: str, team_id: int) -> Any:
        return svc.assign(self.store, actor, case_id, now=self.now(), receiving_team_id=team_id)


    # ================================================================ added for issue 6: the receiving
    # team's inbox, the managers' dashboard, exports and administration (each a call into handover.*)

    # ---------------------------------------------------------------- incoming
    def incoming_page(self, actor: Actor, offset: int, limit: int, search: str, sort_key: str, desc: bool,
                      open_only: bool = True) -> list[ListRow]:
        """Handovers sent to the actor's team; ``open_only``: those still waiting for us (sent, acknowledged).

        Newest first by default; most urgent first when the store keeps each handover's next due date.
        """
        from handover.store import service as s

        states = ("sent", "acknowledged") if open_only else ()
        sort, descending = _SORT.get(sort_key, "updated_at"), desc
        rows = s.list_handovers(self.store, actor, s.Filters(search=search, scope="incoming", states=states),
                                sort=sort, descending=descending, offset=offset, limit=limit)
        return self._rows(actor, rows)

    def incoming_count(self, actor: Actor, search: str, open_only: bool = True) -> int:
        states = ("sent", "acknowledged") if open_only else ()
        return svc.count_handovers(self.store, actor, svc.Filters(search=search, scope="incoming", states=states))

    def accept(self, actor: Actor, case_id: str, details: Any, expected_version: int) -> svc.MoveResult:
        from handover.store import receiving

        return receiving.accept(self.store, actor, case_id, details, now=self.now(),
                                expected_version=expected_version, today=self.today())

    def return_handover(self, actor: Actor, case_id: str, reason_code: str, note: str,
                        expected_version: int) -> svc.MoveResult:
        from handover.store import receiving

        return receiving.return_handover(self.store, actor, case_id, reason_code, note, now=self.now(),
                                         expected_version=expected_version)

    def next_deadline(self, case_id: str) -> tuple[str, date] | None:
        from handover.store import receiving

        return receiving.next_deadline(self.store, case_id, self.today())

    def protocol(self) -> Any:
        return svc.get_protocol(self.store)

    def check(self, case: dict[str, Any]) -> Any:
        """Findings and deadlines of a case today, under the active protocol."""
        from handover.checks import check_case

        return check_case(case, self.today(), self.protocol())

    def history(self, actor: Actor, case_id: str) -> list[svc.HistoryItem]:
        return svc.history(self.store, actor, case_id)

    def versions(self, actor: Actor, case_id: str) -> list[svc.VersionInfo]:
        return svc.versions(self.store, actor, case_id)

    def diff_versions(self, actor: Actor, case_id: str, old: int, new: int) -> list[svc.Change]:
        return svc.diff_versions(self.store, actor, case_id, old, new)

    def return_notes(self, actor: Actor, case_ids: list[str]) -> dict[str, str]:
        """For the sender's list: case id → "Returned: <reason> — <note>" for handovers whose last move
        was a return (one query for the page)."""
        from handover.store.models import WorkflowEvent
        from handover.store.receiving import REASON_LABELS

        if not case_ids:
            return {}
        with self.store.read() as s:
            last = (select(WorkflowEvent.handover_id, func.max(WorkflowEvent.id).label("last_id"))
                    .join(Handover, Handover.id == WorkflowEvent.handover_id)
                    .where(Handover.case_id.in_(case_ids)).group_by(WorkflowEvent.handover_id).subquery())
            q = (select(Handover.case_id, WorkflowEvent.reason_code, WorkflowEvent.note)
                 .join(last, last.c.handover_id == Handover.id)
                 .join(WorkflowEvent, WorkflowEvent.id == last.c.last_id)
                 .where(WorkflowEvent.action == "return", Handover.state == "draft"))
            return {cid: f"returned: {REASON_LABELS.get(code or '', code or '')} — {note}"
                    for cid, code, note in s.execute(q)}

    # ---------------------------------------------------------------- dashboard
    def dashboard_counts(self, actor: Actor) -> dict[tuple[str, str], int]:
        return svc.dashboard_counts(self.store, actor)

    def overdue_page(self, actor: Actor, f: Any, sort: str, desc: bool, offset: int, limit: int) -> list[Any]:
        from handover.store import reports

        return reports.overdue_page(self.store, actor, self.today(), f, sort=sort, descending=desc, offset=offset,
                                    limit=limit)

    def overdue_total(self, actor: Actor, f: Any) -> int:
        from handover.store import reports

        return reports.overdue_total(self.store, actor, self.today(), f)

    def escalation_counts(self, actor: Actor) -> dict[str, int]:
        from handover.store import reports

        return reports.escalation_counts(self.store, actor, self.today())

    def timeliness(self, actor: Actor, months: int = 12) -> list[Any]:
        from handover.store import reports

        return reports.timeliness_by_month(self.store, actor, self.today(), months=months)

    def overdue_by_team(self, actor: Actor) -> dict[str, int]:
        from handover.store import reports

        return reports.overdue_by_team(self.store, actor, self.today())

    def workers(self, actor: Actor) -> list[tuple[int, str, str]]:
        from handover.store import reports

        return reports.workers(self.store, actor)

    def teams(self, actor: Actor) -> list[svc.TeamInfo]:
        return svc.list_teams(self.store, actor)

    def export_overdue(self, actor: Actor, f: Any, path: str, sort: str = "due", desc: bool = False) -> int:
        """Every overdue row matching the dashboard's filters, in its order, to CSV or XLSX."""
        from handover import export
        from handover.store import reports

        items = reports.overdue_page(self.store, actor, self.today(), f, sort=sort, descending=desc, limit=None)
        return export.write_table(path, export.overdue_table(items))

    def export_transitions(self, actor: Actor, path: str) -> int:
        from handover import export

        return export.write_table(path, export.transitions_table(self.store, actor, self.today()))

    # ---------------------------------------------------------------- administration
    def list_users(self, actor: Actor) -> list[svc.UserInfo]:
        return svc.list_users(self.store, actor)

    def create_team(self, actor: Actor, name: str, service: str) -> svc.TeamInfo:
        return svc.create_team(self.store, actor, name, service, now=self.now())

    def create_user(self, actor: Actor, username: str, display_name: str, role: str, team_id: int | None,
                    password: str) -> svc.UserInfo:
        return svc.create_user(self.store, actor, username, display_name, role, team_id, password, now=self.now())

    def set_role(self, actor: Actor, username: str, role: str, team_id: int | None) -> svc.UserInfo:
        return svc.set_role(self.store, actor, username, role, team_id, now=self.now())

    def set_active(self, actor: Actor, username: str, active: bool) -> svc.UserInfo:
        fn = svc.enable_user if active else svc.disable_user
        return fn(self.store, actor, username, now=self.now())

    def reset_password(self, actor: Actor, username: str, password: str) -> svc.UserInfo:
        return svc.reset_password(self.store, actor, username, password, now=self.now())

    def set_protocol(self, actor: Actor, protocol: Any) -> int:
        return svc.set_protocol(self.store, actor, protocol, now=self.now())

    def database_location(self) -> str:
        return self.store.display_url

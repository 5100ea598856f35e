"""A small fixed dataset for the inbox, dashboard and administration tests (synthetic, no real data).

As of Wednesday 25 November 2026, with the default protocol (England and Wales, no bank holiday in
November), the deadlines are, hand-computed:

=====  ==========  ===================================  =========================================
case   direction   dates                                overdue / late (working days)
=====  ==========  ===================================  =========================================
SD-A   step-down   decision Mon 2 Nov; nothing done     lead professional due 9 Nov: overdue 12;
       draft                                            pack sent due 9 Nov: overdue 12;
                                                        handover meeting due 16 Nov: overdue 7
SD-B   step-down   decision 2 Nov; pack sent 4 Nov;     lead professional overdue 12; meeting overdue 7;
       sent        acknowledged 10 Nov                  acknowledged due Fri 6 Nov, done 10 Nov: late 2
SD-D   step-down   decision 2 Nov; pack sent Thu 5 Nov  lead professional overdue 12; meeting overdue 7;
       sent                                             acknowledged due Mon 9 Nov: overdue 12
SU-C   step-up     referral Fri 20 Nov                  front door decision due Mon 23 Nov: overdue 2
       draft
=====  ==========  ===================================  =========================================

Escalations (overdue while the receiving team has it, state sent or acknowledged): SD-B lead
professional, SD-D lead professional, SD-D acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from store.store_cases import FAST_HASHER, NOW, complete_step_down, step_down, step_up

from handover.case import dump_case
from handover.store import open_database
from handover.store import service as sv

AS_OF = date(2026, 11, 25)
#: the fixed "now" every context of the dataset uses (Wednesday 25 November 2026, 10:00 UTC)
CLOCK_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def fixed_clock() -> datetime:
    return CLOCK_NOW

#: (id, rule, status, working days overdue)
EXPECTED_OVERDUE = {
    ("SD-A", "lead_professional_agreed", "overdue", 12), ("SD-A", "pack_sent", "overdue", 12),
    ("SD-A", "handover_meeting", "overdue", 7),
    ("SD-B", "lead_professional_agreed", "overdue", 12), ("SD-B", "handover_meeting", "overdue", 7),
    ("SD-D", "lead_professional_agreed", "overdue", 12), ("SD-D", "handover_meeting", "overdue", 7),
    ("SD-D", "acknowledged", "overdue", 12),
    ("SU-C", "csc_decision", "overdue", 2),
}
EXPECTED_LATE = {("SD-B", "acknowledged", "late", 2)}


@dataclass
class Data:
    store: sv.Store
    clock: Callable[[], datetime]
    admin: sv.Actor
    prac: sv.Actor          # CSC North practitioner (sends step-downs)
    mgr: sv.Actor           # CSC North manager
    recv: sv.Actor          # EH East receiver
    eh_mgr: sv.Actor        # EH East manager (a second person on the receiving team)
    eh_prac: sv.Actor       # EH West practitioner (sends step-ups)
    teams: dict[str, int]

    def now(self) -> datetime:
        return self.clock()

    def ctx(self, actor: sv.Actor):
        """The operations layer's context of ``actor`` on this database, at the dataset's fixed time."""
        from handover.app import Context

        return Context(self.store, actor, self.clock)

    def app(self, actor: sv.Actor):
        """The app object (``ui.operations.UiApp``) the pages take, signed in as ``actor``."""
        from ui.operations import UiApp

        return UiApp(self.ctx(actor))


def build(tmp_path) -> Data:
    result = open_database(f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    assert result.ok, result.message
    store = result.store
    store.hasher = FAST_HASHER
    sv.create_first_admin(store, "admin", "Ada Admin", "admin-password-1", now=NOW)
    admin = sv.authenticate(store, "admin", "admin-password-1", now=NOW).actor
    teams = {}
    for name, service in (("CSC North", "children_social_care"), ("Early Help East", "early_help"),
                          ("Early Help West", "early_help"), ("Front Door", "children_social_care")):
        teams[name] = sv.create_team(store, admin, name, service, now=NOW).id
    people = {"prac": ("practitioner", "CSC North", "Pat Practitioner"),
              "mgr": ("manager", "CSC North", "Max Manager"),
              "recv": ("receiver", "Early Help East", "Rita Receiver"),
              "eh_mgr": ("manager", "Early Help East", "Erin Manager"),
              "eh_prac": ("practitioner", "Early Help West", "Wes Worker")}
    actors = {}
    for user, (role, team, name) in people.items():
        sv.create_user(store, admin, user, name, role, teams[team], f"{user}-password", now=NOW)
        actors[user] = sv.authenticate(store, user, f"{user}-password", now=NOW).actor
    system = sv.system_actor("test")

    def add(case, team, receiving, owner, moves=()):
        """Import, assign, move; a handover that must be sent is authorised while complete (authorising
        refuses a case with errors) and then given its back-dated dates as a new version."""
        first = complete_step_down(case["id"]) if moves else case
        sv.import_case(store, system, dump_case(first), now=NOW, team=team, receiving_team=receiving)
        sv.assign(store, system, case["id"], now=NOW, owner_username=owner)
        for m in moves:
            sv.move(store, system, case["id"], m, now=NOW)
        if moves:
            final = complete_step_down(case["id"])
            final["transition"]["decision_date"] = case["transition"]["decision_date"]
            final["events"] = dict(case["events"])
            row = sv.get_handover(store, system, case["id"], now=NOW).summary.row_version
            sv.save_version(store, system, case["id"], final, row, now=NOW, note="dates for the test")

    send = ("request_authorisation", "authorise", "send")
    add(step_down("SD-A", "2026-11-02"), "CSC North", "Early Help East", "prac")
    add(step_down("SD-B", "2026-11-02", pack_sent="2026-11-04", acknowledged="2026-11-10"), "CSC North",
        "Early Help East", "prac", send)
    add(step_down("SD-D", "2026-11-02", pack_sent="2026-11-05"), "CSC North", "Early Help East", "prac", send)
    add(step_up("SU-C", "2026-11-20"), "Early Help West", "Front Door", "eh_prac")
    return Data(store=store, clock=fixed_clock, admin=admin, teams=teams, **actors)


_TEMPLATE: dict[str, object] = {}


def fresh(tmp_path, tmp_path_factory) -> Data:
    """The dataset in a new database file: built once per test session, copied per test (fast)."""
    import shutil
    from dataclasses import replace

    if "data" not in _TEMPLATE:
        folder = tmp_path_factory.mktemp("receiving-template")
        d = build(folder)
        d.store.close()
        _TEMPLATE.update(data=d, path=folder / "ui.sqlite3")
    src = _TEMPLATE["path"]
    dest = tmp_path / "data.sqlite3"
    shutil.copyfile(src, dest)
    result = open_database(f"sqlite:///{dest}")
    assert result.ok, result.message
    store = result.store
    store.hasher = FAST_HASHER
    return replace(_TEMPLATE["data"], store=store, clock=fixed_clock)

"""Fixtures for the operations layer: a world of teams, people and keys on SQLite and on PostgreSQL.

The database fixtures are the storage tests' own (a fresh database per test on both engines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dialog_guard import _check_your_answers_never_blocks  # noqa: F401 — autouse, shared
from store.conftest import _pg_template, _sqlite_template, db_url, store  # noqa: F401 — the same databases
from store.store_cases import NOW, complete_step_down

from handover.app import Context, Gate
from handover.store import service as sv

PASSPHRASE = "correct horse 1"


@dataclass
class World:
    store: Any
    teams: dict[str, int]
    actors: dict[str, Any]
    keys: dict[str, Path] = field(default_factory=dict)

    def ctx(self, who: str) -> Context:
        return Context(self.store, self.actors[who], lambda: NOW)


def overdue_case(case_id: str = "SD-P") -> dict[str, Any]:
    """A step-down decided on 2 Nov 2026, otherwise complete: under the bundled protocol (5 and 10 working
    days) three deadlines are overdue on 25 Nov; with 40 working days they are due on 30 Dec."""
    c = complete_step_down(case_id)
    c["transition"]["decision_date"] = "2026-11-02"
    return c


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory) -> dict[str, Path]:
    from handover.keys import init_ca, issue_user

    d = tmp_path_factory.mktemp("keys")
    init_ca(d / "ca", "Exampleton Council", b"ca-passphrase-1", now=NOW - dt.timedelta(days=400))
    issue_user(d / "ca", b"ca-passphrase-1", "Max Manager", "Team manager", d / "max.p12", PASSPHRASE.encode(),
               now=NOW - dt.timedelta(days=1))
    return {"ca": d / "ca" / "ca.pem", "manager": d / "max.p12"}


@pytest.fixture
def world(store, signing_keys) -> World:  # noqa: F811 — the storage tests' fixture, used here
    sv.create_first_admin(store, "admin", "Ada Admin", "admin-password-1", now=NOW)
    admin = sv.authenticate(store, "admin", "admin-password-1", now=NOW).actor
    teams = {name: sv.create_team(store, admin, name, service, now=NOW).id
             for name, service in (("CSC North", "children_social_care"), ("Early Help East", "early_help"),
                                   ("CSC South", "children_social_care"))}
    actors = {"admin": admin}
    for user, name, role, team in (("prac", "Pat Practitioner", "practitioner", "CSC North"),
                                   ("mgr", "Max Manager", "manager", "CSC North"),
                                   ("recv", "Rae Receiver", "receiver", "Early Help East"),
                                   ("other", "Olu Other", "practitioner", "CSC South")):
        sv.create_user(store, admin, user, name, role, teams[team], f"{user}-password-1", now=NOW)
        actors[user] = Gate(store, lambda: NOW).sign_in(user, f"{user}-password-1").context.actor
    return World(store, teams, actors, signing_keys)


def forty_days(ctx: Context) -> dict[str, Any]:
    """The database's protocol with the three step-down timescales at 40 working days."""
    d = ctx.protocol().to_dict()
    for e in d["rules"]["step_down"]:
        if e["rule"] in ("lead_professional_agreed", "pack_sent", "handover_meeting"):
            e["working_days"] = 40
    return d


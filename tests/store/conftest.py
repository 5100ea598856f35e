"""Storage fixtures: a fresh database per test, on SQLite and on PostgreSQL, and a small cast of users."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass

import pytest
from store.store_cases import FAST_HASHER, NOW

from handover.store import open_database
from handover.store import service as sv


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """An SQLite file migrated to the newest schema once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    result = open_database(f"sqlite:///{path}")
    assert result.ok, result.message
    result.store.close()
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_server):
    """A PostgreSQL database migrated once; each test empties its tables (TRUNCATE is much faster than
    creating a database per test)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"handover_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    result = open_database(make_url(pg_server).set(database=name).render_as_string(hide_password=False))
    assert result.ok, result.message
    result.store.close()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A database at the newest schema (fresh per test), on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        os.chmod(path, 0o600)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from handover.store.models import Base

    url = make_url(request.getfixturevalue("pg_server")).set(database=request.getfixturevalue("_pg_template"))
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("TRUNCATE " + ", ".join(t.name for t in Base.metadata.sorted_tables)
                       + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def store(db_url):
    result = open_database(db_url)
    assert result.ok, result.message
    st = result.store
    st.hasher = FAST_HASHER
    yield st
    st.close()


@dataclass
class Cast:
    """Teams: CSC (sends step-downs), EH (receives them), OTHER (an unrelated early help team)."""

    admin: sv.Actor
    prac: sv.Actor          # CSC practitioner
    mgr: sv.Actor           # CSC manager
    recv: sv.Actor          # EH receiver
    eh_mgr: sv.Actor        # EH manager
    eh_prac: sv.Actor       # EH practitioner
    other_prac: sv.Actor    # OTHER practitioner
    other_recv: sv.Actor    # OTHER receiver
    other_mgr: sv.Actor     # OTHER manager
    csc: int
    eh: int
    other: int

    def all(self) -> dict[str, sv.Actor]:
        return {k: v for k, v in vars(self).items() if isinstance(v, sv.Actor)}


def make_cast(store) -> Cast:
    sv.create_first_admin(store, "admin", "Ada Admin", "admin-password-1", now=NOW)
    admin = sv.authenticate(store, "admin", "admin-password-1", now=NOW).actor
    csc = sv.create_team(store, admin, "CSC North", "children_social_care", now=NOW).id
    eh = sv.create_team(store, admin, "Early Help East", "early_help", now=NOW).id
    other = sv.create_team(store, admin, "Early Help West", "early_help", now=NOW).id
    people = {"prac": ("practitioner", csc), "mgr": ("manager", csc), "recv": ("receiver", eh),
              "eh_mgr": ("manager", eh), "eh_prac": ("practitioner", eh), "other_prac": ("practitioner", other),
              "other_recv": ("receiver", other), "other_mgr": ("manager", other)}
    actors = {}
    for name, (role, team) in people.items():
        sv.create_user(store, admin, name, f"{name.title()} Example", role, team, f"{name}-password", now=NOW)
        actors[name] = sv.authenticate(store, name, f"{name}-password", now=NOW).actor
    return Cast(admin=admin, csc=csc, eh=eh, other=other, **actors)


@pytest.fixture
def cast(store) -> Cast:
    return make_cast(store)

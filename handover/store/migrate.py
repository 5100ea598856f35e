"""Alembic, run from code: the schema revision of a database, upgrading it, refusing a newer one."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

__all__ = ["alembic_config", "head_revision", "known_revisions", "current_revision", "upgrade",
           "SchemaState", "schema_state"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: the newest revision in migrations/versions (a test keeps it equal to Alembic's head), so that
#: opening an up-to-date database does not import Alembic at all (a sixth of the app's start-up)
HEAD = "0005"


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    return frozenset(r.revision for r in _script().walk_revisions())


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _fast_revision(conn: Connection) -> str | None:
    """The stored revision read with plain SQL (None when there is no version table)."""
    try:
        with conn.begin_nested() if conn.in_transaction() else conn.begin():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


class SchemaState:
    EMPTY = "empty"           #: no tables: a new database
    CURRENT = "current"
    OLDER = "older"           #: our schema, an earlier revision: upgrade it
    NEWER = "newer"           #: a revision this tool does not know: written by a newer version
    FOREIGN = "foreign"       #: tables but no alembic revision: not a handover database


def schema_state(conn: Connection) -> tuple[str, str | None]:
    if _fast_revision(conn) == HEAD:
        return SchemaState.CURRENT, HEAD
    rev = current_revision(conn)
    if rev is None:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        return (SchemaState.FOREIGN if tables else SchemaState.EMPTY), None
    if rev == head_revision():
        return SchemaState.CURRENT, rev
    if rev in known_revisions():
        return SchemaState.OLDER, rev
    return SchemaState.NEWER, rev


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Run the migrations on an open connection (committed by the caller's ``begin``)."""
    from alembic import command

    command.upgrade(alembic_config(conn), revision)

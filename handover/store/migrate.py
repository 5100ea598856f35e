"""Alembic, run from code: the schema revision of a database, upgrading it, refusing a newer one."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

__all__ = ["alembic_config", "head_revision", "known_revisions", "current_revision", "upgrade",
           "SchemaState", "schema_state"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    return frozenset(r.revision for r in _script().walk_revisions())


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


class SchemaState:
    EMPTY = "empty"           #: no tables: a new database
    CURRENT = "current"
    OLDER = "older"           #: our schema, an earlier revision: upgrade it
    NEWER = "newer"           #: a revision this tool does not know: written by a newer version
    FOREIGN = "foreign"       #: tables but no alembic revision: not a handover database


def schema_state(conn: Connection) -> tuple[str, str | None]:
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
    command.upgrade(alembic_config(conn), revision)

"""Opening a database: connect, refuse what cannot be used, back up and upgrade an older schema.

:func:`open_database` never raises for an expected failure (unreachable server, bad URL, a database
from a newer version of the tool): it returns an :class:`OpenResult` whose ``message`` is one line
the app or the CLI can show.
"""

from __future__ import annotations

import sqlite3
from glob import escape as glob_escape
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from handover.store.engine import WRITE, ensure_private_file, make_engine, resolve_url, safe_url, sqlite_path
from handover.store.migrate import SchemaState, head_revision, schema_state, upgrade

__all__ = ["Store", "OpenResult", "open_database", "backup_sqlite", "BackupError", "install_access",
           "prune_upgrade_backups", "KEEP_UPGRADE_BACKUPS"]


class BackupError(Exception):
    """A backup could not be made; ``str()`` is one line."""


class Store:
    """An open database: an engine and two session factories (read, and write transactions)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        self._write = sessionmaker(bind=engine.execution_options(**{WRITE: True}), expire_on_commit=False)
        #: argon2 hasher for passwords (tests may set a cheaper one)
        self.hasher = PasswordHasher()

    @property
    def display_url(self) -> str:
        return safe_url(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end."""
        try:
            with self._read() as s:
                try:
                    yield s
                finally:
                    s.rollback()
        except DBAPIError as e:
            _raise_refusal(e)
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite): committed on success, rolled back on error.

        On a shared PostgreSQL database, what the database refuses a person (a privilege, a row-level
        security policy, a guard of :mod:`handover.store.pg_access`) is
        :class:`~handover.store.errors.Denied`, one line, like the core's own refusals."""
        try:
            with self._write() as s, s.begin():
                yield s
        except DBAPIError as e:
            _raise_refusal(e)
            raise

    def close(self) -> None:
        self.engine.dispose()


@dataclass
class OpenResult:
    """What :func:`open_database` gives back. ``ok`` → ``store`` is usable; else ``message`` says why."""

    ok: bool
    #: "ok", "bad_url", "unreachable", "newer", "foreign", "needs_upgrade", "backup_failed", "upgrade_failed";
    #: PostgreSQL: "needs_password" (none given, none in ~/.pgpass...), "wrong_password"
    status: str
    message: str = ""
    store: Store | None = None
    upgraded_from: str | None = None  #: the revision the database had before an upgrade ("" when new)
    backup: Path | None = None        #: the copy taken before migrating an SQLite file


def _raise_refusal(e: DBAPIError) -> None:
    """Raise :class:`Denied` for PostgreSQL's refusal of a person's statement (SQLSTATE 42501: no
    privilege, a row-level security policy, or a ``handover:`` guard); return for anything else."""
    if getattr(e.orig, "sqlstate", None) != "42501":
        return
    from handover.store.errors import Denied

    line = _first_line(e)
    if line.startswith("handover: "):
        raise Denied(line[len("handover: "):]) from None
    raise Denied(f"the shared database does not allow this ({line})") from None


def _first_line(e: BaseException) -> str:
    orig = getattr(e, "orig", None) or e
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def open_database(url: str | None = None, *, upgrade_schema: bool = True, create: bool = True) -> OpenResult:
    """Open (and if needed create or upgrade) the database at ``url`` (see :func:`resolve_url`)."""
    url = resolve_url(url)
    shown = safe_url(url)
    try:
        path = sqlite_path(url)
        if path is not None and not create and not path.exists():
            return OpenResult(False, "unreachable", f"there is no database at {shown}")
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as e:
        return OpenResult(False, "bad_url", f"{shown!r} is not a database URL this tool can use ({_first_line(e)})")
    except OSError as e:
        return OpenResult(False, "unreachable", f"cannot create the database {shown}: {e.strerror or e}")
    person = None
    try:
        with engine.connect() as conn:
            state, rev = schema_state(conn)
            if engine.dialect.name == "postgresql":
                from handover.store.pg_access import session_person

                person = session_person(conn)
    except DBAPIError as e:
        engine.dispose()
        from handover.store.pg_access import auth_status

        status = auth_status(e) if engine.dialect.name == "postgresql" else None
        if status == "needs_password":
            return OpenResult(False, status, f"the database {shown} asks for a password: keep it in ~/.pgpass, "
                              "PGPASSFILE or a service file (never on the command line), or run this in a "
                              "terminal to be asked for it")
        if status == "wrong_password":
            return OpenResult(False, status, f"cannot sign in to {shown}: the username or password is wrong")
        return OpenResult(False, "unreachable", f"cannot reach the database {shown}: {_first_line(e)}")
    if state == SchemaState.NEWER:
        engine.dispose()
        return OpenResult(False, "newer", f"the database {shown} was written by a newer version of the handover "
                          f"tool (schema revision {rev}); install the newer version to open it")
    if state == SchemaState.FOREIGN:
        engine.dispose()
        return OpenResult(False, "foreign", f"{shown} holds tables but is not a handover database")
    result = OpenResult(True, "ok")
    if state in (SchemaState.EMPTY, SchemaState.OLDER):
        if person is not None:   # a person's own role has no DDL: the owner upgrades the shared database
            engine.dispose()
            return OpenResult(False, "needs_upgrade", f"the database {shown} needs `handover db upgrade` with its "
                              f"owner's URL (schema revision {rev or 'none'}, this tool uses {head_revision()})")
        if not upgrade_schema:
            engine.dispose()
            return OpenResult(False, "needs_upgrade", f"the database {shown} needs `handover db upgrade` "
                              f"(schema revision {rev or 'none'}, this tool uses {head_revision()})")
        if state == SchemaState.OLDER and path is not None:
            try:
                result.backup = backup_sqlite(engine, _backup_name(path, rev or "0"))
                prune_upgrade_backups(path)
            except BackupError as e:
                engine.dispose()
                return OpenResult(False, "backup_failed", f"not upgrading {shown}: {e}")
        try:
            with engine.connect() as conn:
                upgrade(conn)
                conn.commit()
                if engine.dialect.name == "postgresql":   # a shared database: PostgreSQL enforces access
                    from handover.store.pg_access import install

                    install(conn)
                    conn.commit()
        except DBAPIError as e:
            engine.dispose()
            return OpenResult(False, "upgrade_failed", f"upgrading {shown} failed: {_first_line(e)}")
        result.upgraded_from = rev or ""
    result.store = Store(engine, url)
    return result


def install_access(store: Store) -> bool:
    """On PostgreSQL, with the owner's connection: set up (again) the roles, grants, row-level security and
    functions by which PostgreSQL enforces access (:func:`handover.store.pg_access.install`, idempotent).
    False on SQLite. Raises :class:`~handover.store.errors.Denied` for a person's connection."""
    if store.is_sqlite:
        return False
    from handover.store.pg_access import install

    with store.engine.connect() as conn:
        install(conn)
        conn.commit()
    return True


def _backup_name(path: Path, rev: str) -> Path:
    base = path.with_name(f"{path.name}.rev{rev}.bak")
    n = 1
    while base.exists():
        n += 1
        base = path.with_name(f"{path.name}.rev{rev}.{n}.bak")
    return base


def backup_sqlite(engine: Engine, dest: str | Path) -> Path:
    """Copy a live SQLite database with SQLite's online backup API into a new 0600 file, whole or not at
    all: it is written as a hidden part file beside ``dest`` and linked into place only when complete,
    so a killed backup never leaves an empty or half-written file under the final name (the next
    backup tidies an old part file away)."""
    import os
    import tempfile

    from handover.files import tidy_stale_parts

    dest = Path(dest)
    if engine.dialect.name != "sqlite":
        raise BackupError("online backup is for SQLite files; back up PostgreSQL with pg_dump "
                          "(see docs/storage.md)")
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new file name")
    folder = dest.parent if str(dest.parent) else Path(".")
    tidy_stale_parts(folder, dest.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + dest.name + ".", suffix=".part", dir=folder)
        os.close(fd)                   # mkstemp made it 0600; SQLite writes into it
        target = sqlite3.connect(tmp)
    except OSError as e:
        raise BackupError(f"cannot write {dest}: {e.strerror or e}") from None
    part = Path(tmp)
    try:
        try:
            raw = engine.raw_connection()
            try:
                raw.driver_connection.backup(target)   # type: ignore[union-attr]
            finally:
                raw.close()
        finally:
            target.close()
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.link(part, dest)            # never over an existing file (a concurrent backup of the same name)
    except FileExistsError:
        raise BackupError(f"{dest} already exists; choose a new file name") from None
    except sqlite3.Error as e:
        raise BackupError(f"backup to {dest} failed: {e}") from None
    except OSError as e:
        raise BackupError(f"backup to {dest} failed: {e.strerror or e}") from None
    finally:
        part.unlink(missing_ok=True)
    return dest


#: how many copies made before upgrades are kept beside an SQLite file (the newest)
KEEP_UPGRADE_BACKUPS = 3


def prune_upgrade_backups(path: Path, keep: int = KEEP_UPGRADE_BACKUPS) -> list[Path]:
    """Remove all but the newest ``keep`` pre-upgrade copies of ``path`` (``<file>.rev*.bak``): every
    upgrade attempt made another full copy (138 MB each on a large file). Returns what was removed."""
    copies = sorted(path.parent.glob(glob_escape(path.name) + ".rev*.bak"), key=lambda p: p.stat().st_mtime)
    gone = copies[:-keep] if keep > 0 else copies
    for old in gone:
        old.unlink(missing_ok=True)
    return gone

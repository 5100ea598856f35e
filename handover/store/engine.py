"""Where the database is and how to connect: URL resolution, engine set-up, private SQLite files.

Override chain for the URL: ``--db`` argument, then ``HANDOVER_DB``, then an SQLite file in the
user's data folder (``platformdirs.user_data_dir("handover")``). SQLite files are created readable by
their owner only (0600; SQLite gives its WAL and shared-memory files the same mode), opened in WAL
mode with foreign keys on; write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue
instead of failing half-way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

__all__ = ["resolve_url", "default_url", "safe_url", "sqlite_path", "make_engine", "ensure_private_file",
           "WRITE"]

DB_FILENAME = "handover.sqlite3"
#: execution option that makes an SQLite transaction ``BEGIN IMMEDIATE`` (see :func:`make_engine`)
WRITE = "handover_write"


def default_url() -> str:
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("handover", appauthor=False))
    return f"sqlite:///{folder / DB_FILENAME}"


def resolve_url(url: str | None = None) -> str:
    """``url`` if given, else ``HANDOVER_DB``, else the default SQLite file."""
    return url or os.environ.get("HANDOVER_DB") or default_url()


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it without anything after an '@'
        text = str(url)
        return text.split("@")[-1] if "@" in text else text


def sqlite_path(url: str | URL) -> Path | None:
    """The file of an SQLite URL, or None (another database, or in memory)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" \
            or u.database.startswith("file:"):
        return None
    return Path(u.database)


def ensure_private_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) when missing; never loosen an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and immediate write transactions."""
    u = make_url(url)
    # an error must never print a statement's parameters: they are children's names, dates and NHS numbers
    kw.setdefault("hide_parameters", True)
    if u.get_backend_name() != "sqlite":
        kw.setdefault("pool_pre_ping", True)
        return create_engine(u, **kw)
    path = sqlite_path(u)
    if path is not None:
        ensure_private_file(path)
    engine = create_engine(u, connect_args={"timeout": 30}, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None   # we issue BEGIN ourselves (pysqlite's own is broken)
        cur = dbapi_conn.cursor()
        if path is not None:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine

"""Shared test setup: Qt offscreen before anything imports it; every path the app writes under tmp_path."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_paths(tmp_path, monkeypatch):
    """No test writes into the user's real data folder or the repository."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("HANDOVER_DB", raising=False)
    yield


# ---------------------------------------------------------------- PostgreSQL for storage tests
#
# `pg_server` gives the URL of a PostgreSQL server for the whole session: HANDOVER_TEST_PG_URL when set,
# else a throwaway server started here (initdb + pg_ctl, run as the postgres user when we are root,
# a random loopback port, fsync off, the socket inside the temporary folder), stopped at the end.
# When no server can be had the tests that need one are skipped, or fail loudly when CI=true.
# `pg_database_url` creates a fresh database per test and drops it afterwards.

import glob  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"PostgreSQL is required in CI but unavailable: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason} (set HANDOVER_TEST_PG_URL or install postgresql)")


def _pg_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return os.path.dirname(found[0])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """A server-level SQLAlchemy URL (``postgresql+psycopg://user@host:port/postgres``)."""
    url = os.environ.get("HANDOVER_TEST_PG_URL")
    if url:
        yield url
        return
    bindir = _pg_bindir()
    if bindir is None:
        _pg_unavailable("initdb not found")
    root = tempfile.mkdtemp(prefix="handover-pg-")
    data, sock, log = os.path.join(root, "data"), os.path.join(root, "sock"), os.path.join(root, "log")
    os.mkdir(sock)
    prefix: list[str] = []
    if os.geteuid() == 0:   # initdb and pg_ctl refuse to run as root
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            _pg_unavailable("running as root and there is no postgres user")
        os.chmod(root, 0o755)
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    started = False
    try:
        subprocess.run(prefix + [f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                 "--no-sync", "--no-instructions"],
                       check=True, capture_output=True, timeout=120)
        # the superuser (the tests' owner of every database) needs no password; every other role signs in
        # with its SCRAM password, as people's own roles do on a council's server (tests/store/test_pg_roles.py)
        hba = os.path.join(data, "pg_hba.conf")
        with open(hba, "w", encoding="utf-8") as f:
            f.write("local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                    "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n")
        if prefix:
            os.chown(hba, pw.pw_uid, pw.pw_gid)
        opts = (f"-c listen_addresses=127.0.0.1 -p {port} -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c unix_socket_directories={sock} -c max_connections=50")
        subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start"],
                       check=True, capture_output=True, timeout=90)
        started = True
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        detail = getattr(e, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        _pg_unavailable(f"could not start a throwaway server ({e}; {detail.decode(errors='replace')[-300:]})")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(prefix + [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_new_database(pg_server):
    """A factory: ``pg_new_database(template=None)`` makes a new database and returns its URL.

    Every database it made is dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def new(template: str | None = None, name: str | None = None) -> str:
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        try:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        except Exception as e:  # noqa: BLE001
            _pg_unavailable(f"cannot create a test database on {make_url(pg_server).render_as_string()}: {e}")
        made.append(name)
        return make_url(pg_server).set(database=name).render_as_string(hide_password=False)

    yield new
    with admin.connect() as c:
        for name in made:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_database_url(pg_new_database):
    """A new, empty database on the session's server; dropped after the test."""
    return pg_new_database()

"""The command line's boundary (issue 14): input only from regular files, read within a size limit; a full
disk and a failing or vanishing database each give SPEC's one line (exit 2), never a traceback, and never
a statement's parameters — they are children's names, dates of birth and NHS numbers.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from handover.cli import main
from handover.files import read_input

from casefiles import EXAMPLES, example

GOOD = EXAMPLES / "step_down_complete.json"
CHILD = "Ellie"          # the example child's given name: must never reach the terminal in an error


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(code: int, out: str, err: str) -> None:
    assert code == 2, (code, err)
    assert out == "" and "Traceback" not in err and err.count("\n") == 1 and err.endswith("\n"), err


# ---------------------------------------------------------------- not a regular file


def _commands(path: Path, tmp_path: Path) -> list[list[str]]:
    return [["check", str(path)],
            ["pack", str(path), "-o", str(tmp_path / "p.pdf"), "--draft"],
            ["import", str(path), "--db", f"sqlite:///{tmp_path / 'db.sqlite'}"],
            ["verify", str(path)],
            ["check", str(GOOD), "--protocol", str(path)]]


def _bounded(args: list[str], unblock: Path | None = None, seconds: float = 10.0) -> tuple[int | None, str]:
    """main(args) on a thread, given ``seconds``: a command that blocks (on a FIFO) fails the test instead
    of hanging it, and the FIFO is then opened for writing so that the thread can end."""
    import contextlib
    import io

    result: dict[str, object] = {}

    def work() -> None:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            result["code"] = main(args)
        result["err"] = err.getvalue()

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        if unblock is not None:
            fd = os.open(unblock, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
            t.join(5)
        pytest.fail(f"`handover {' '.join(args[:1])}` blocked for {seconds:.0f} s on a FIFO")
    return result.get("code"), str(result.get("err", ""))  # type: ignore[return-value]


@pytest.mark.timeout(60)
def test_a_fifo_is_refused_at_once(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    fifo = work / "case.json"
    os.mkfifo(fifo)
    for args in _commands(fifo, work):
        started = time.monotonic()
        code, err = _bounded(args, unblock=fifo)
        assert time.monotonic() - started < 5
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, (args, err)
        assert "named pipe" in err, err
    assert [p.name for p in work.iterdir()] == ["case.json"]     # nothing written, no database made


@pytest.mark.timeout(60)
def test_dev_zero_and_other_devices_are_refused_at_once(tmp_path):
    for device in ("/dev/zero", "/dev/urandom", "/dev/null"):
        if not os.path.exists(device):
            continue
        for args in _commands(Path(device), tmp_path):
            started = time.monotonic()
            code, err = _bounded(args)
            assert time.monotonic() - started < 5
            assert code == 2 and err.count("\n") == 1 and "is a device" in err, (args, err)


@pytest.mark.timeout(60)
def test_read_input_refuses_what_is_not_a_regular_file(tmp_path):
    import socket

    class Refused(Exception):
        pass

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for path, words in ((fifo, "named pipe"), ("/dev/zero", "device"), (sock_path, "socket"),
                            (tmp_path, "folder"), (tmp_path / "missing", "no such file")):
            with pytest.raises(Refused, match=words):
                read_input(path, what="a case file", error=Refused)
    finally:
        sock.close()


def test_read_input_reads_at_most_the_limit(tmp_path, monkeypatch):
    """A file growing while it is read (its size said small) is cut off at limit + 1 bytes and refused."""
    class Refused(Exception):
        pass

    p = tmp_path / "big"
    p.write_bytes(b"x" * 5000)
    assert read_input(p, what="x", error=Refused, limit=5000) == b"x" * 5000
    with pytest.raises(Refused, match="too large"):
        read_input(p, what="x", error=Refused, limit=4999)
    reads: list[int] = []
    real_read, real_fstat = os.read, os.fstat

    def counting_read(fd, n):
        reads.append(n)
        return real_read(fd, n)

    class Small:       # what fstat said before the file grew
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 10

    monkeypatch.setattr(os, "read", counting_read)
    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    with pytest.raises(Refused, match="too large"):
        read_input(p, what="x", error=Refused, limit=100)
    assert sum(reads) <= 101 + 1


# ---------------------------------------------------------------- a full disk


def test_full_disk_while_writing_a_pack_or_an_export(tmp_path, capsys, monkeypatch):
    """ENOSPC surfacing where the data reaches the disk (fsync): one line, and no part file left."""
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = tmp_path / "out"
    out.mkdir()
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert _run(capsys, "import", GOOD, "--db", db)[0] == 0
    monkeypatch.setattr(os, "fsync", full)
    try:
        for args in (["pack", GOOD, "-o", out / "pack.pdf", "--draft"],
                     ["export", "SD-2026-0142", "-o", out / "case.json", "--db", db]):
            code, o, err = _run(capsys, *args)
            _one_line(code, o, err)
            assert "No space left" in err or "no space" in err.lower()
            assert list(out.iterdir()) == []
    finally:
        monkeypatch.setattr(os, "fsync", real_fsync)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs (needs root and mount rights; skipped where they are missing)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_really_full_disk(tiny_disk, tmp_path, capsys):
    """On a real 1 MB file system: the database fills up mid-import, the pack cannot be written."""
    db = f"sqlite:///{tiny_disk / 'db.sqlite'}"
    assert _run(capsys, "db", "init", "--db", db)[0] == 0
    big = example("step_down_complete")
    big["needs_and_risks"]["summary"] = "words " * 300_000            # 1.8 MB: fits no more on this disk
    case = tmp_path / "big.json"
    case.write_text(json.dumps(big))
    code, out, err = _run(capsys, "import", case, "--db", db)
    _one_line(code, out, err)
    assert "full" in err and CHILD not in err
    code, out, err = _run(capsys, "overdue", "--db", db, "--format", "json", "--as-of", "2026-11-20")
    assert code == 0 and json.loads(out) == []                        # nothing half-stored
    with open(tiny_disk / "filler", "wb") as f:                      # fill what is left
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    code, out, err = _run(capsys, "pack", GOOD, "-o", tiny_disk / "pack.pdf", "--draft")
    _one_line(code, out, err)
    assert not (tiny_disk / "pack.pdf").exists() and not list(tiny_disk.glob(".pack.pdf.*"))


# ---------------------------------------------------------------- database failures: one line, no parameters


def test_sqlalchemy_errors_never_show_parameters(tmp_path):
    from sqlalchemy import text

    from handover.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE t (name TEXT UNIQUE)"))
        c.execute(text("INSERT INTO t VALUES (:n)"), {"n": CHILD})
    with pytest.raises(Exception) as e, engine.begin() as c:
        c.execute(text("INSERT INTO t VALUES (:n)"), {"n": CHILD})
    assert CHILD not in str(e.value) and "parameters hidden" in str(e.value)
    engine.dispose()


def test_a_database_error_in_any_command_is_one_line_without_case_data(tmp_path, capsys, monkeypatch):
    """Whatever the database raises inside a command (here the INSERT of an import), the command says one
    line naming the database's own reason, not the statement or its values."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from handover.store import service

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    for exc in (IntegrityError("INSERT INTO handovers (child_given_name) VALUES (?)", (CHILD,),
                               Exception("UNIQUE constraint failed: handovers.case_id")),
                OperationalError("INSERT INTO handovers (child_given_name) VALUES (?)", (CHILD,),
                                 Exception("server closed the connection unexpectedly"))):
        def failing(*a, exc=exc, **k):
            raise exc

        monkeypatch.setattr(service, "import_case", failing)
        code, out, err = _run(capsys, "import", GOOD, "--db", db)
        _one_line(code, out, err)
        assert CHILD not in err and "INSERT" not in err and "parameters" not in err
        assert "UNIQUE constraint failed" in err or "connection" in err


def test_an_unexpected_failure_is_one_line_and_logged_without_case_data(tmp_path, capsys, monkeypatch):
    from handover import checks

    def broken(*a, **k):
        raise KeyError(CHILD)    # a bug whose message would hold case data

    monkeypatch.setattr(checks, "check_case", broken)
    code, out, err = _run(capsys, "check", GOOD)
    _one_line(code, out, err)
    assert "internal error (KeyError)" in err and CHILD not in err
    log = Path(err.rsplit(" in ", 1)[1].strip())
    assert log.is_file() and oct(log.stat().st_mode & 0o777) == "0o600"
    text = log.read_text()
    assert "KeyError" in text and CHILD not in text and "cli.py" in text


# ---------------------------------------------------------------- on PostgreSQL


@pytest.mark.postgres
def test_postgres_refuses_an_over_long_id_and_a_nul_before_the_insert(pg_database_url, tmp_path, capsys):
    assert _run(capsys, "db", "init", "--db", pg_database_url)[0] == 0
    for case_id in ("S" * 201, "SD\u00000142"):
        doc = example("step_down_complete")
        doc["id"] = case_id
        p = tmp_path / "case.json"
        p.write_text(json.dumps(doc))
        code, out, err = _run(capsys, "import", p, "--db", pg_database_url)
        _one_line(code, out, err)
        assert "'id'" in err and CHILD not in err
    doc = example("step_down_complete")
    doc["id"] = "S" * 200                          # the longest id the column holds
    p.write_text(json.dumps(doc))
    code, out, err = _run(capsys, "import", p, "--db", pg_database_url)
    assert code == 0 and out.strip() == "S" * 200, err


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_postgres_connection_lost_mid_command(pg_database_url, capsys):
    """The server ends the command's connection in the middle of `demo` (as a fast shutdown does): one line,
    exit 2, and the demo's transaction leaves nothing behind."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert _run(capsys, "db", "init", "--db", pg_database_url)[0] == 0
    name = make_url(pg_database_url).database
    admin = create_engine(make_url(pg_database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    killed: list[int] = []

    def kill_when_busy() -> None:
        deadline = time.monotonic() + 60
        with admin.connect() as c:
            while time.monotonic() < deadline and not killed:
                time.sleep(0.3)
                rows = c.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND state <> 'idle' "
                                      "AND pid <> pg_backend_pid()"), {"d": name}).scalars().all()
                if rows:
                    time.sleep(0.5)
                    c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d "
                                   "AND pid <> pg_backend_pid()"), {"d": name})
                    killed.extend(rows)

    t = threading.Thread(target=kill_when_busy, daemon=True)
    t.start()
    code, out, err = _run(capsys, "demo", "--db", pg_database_url, "--cases", "20000")
    t.join(10)
    admin.dispose()
    assert killed, "the demo ended before its connection could be ended"
    _one_line(code, out, err)
    assert "connection" in err.lower() and "Traceback" not in err
    code, out, err = _run(capsys, "overdue", "--db", pg_database_url, "--format", "json", "--as-of", "2026-11-20")
    assert code == 0 and json.loads(out) == []


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ids.sqlite'}"
    return request.getfixturevalue("pg_database_url")


def test_the_service_refuses_ids_the_database_cannot_hold(any_db):
    """The app saves through the service, not the command line: the same limits, as a one-line Invalid
    before any INSERT (a 201-character id used to fail on PostgreSQL with the row's values printed)."""
    from datetime import datetime, timezone

    from handover.store import open_database
    from handover.store import service as sv

    store = open_database(any_db).store
    now = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
    try:
        actor = sv.system_actor("test")
        for case_id in ("S" * 201, "SD\x000142", "SD\n0142"):
            doc = example("step_down_complete")
            doc["id"] = case_id
            with pytest.raises(sv.Invalid) as e:
                sv.create_handover(store, actor, doc, now=now)
            assert "'id'" in str(e.value) and "\n" not in str(e.value) and CHILD not in str(e.value)
        doc = example("step_down_complete")
        doc["id"] = "S" * 200
        sv.create_handover(store, actor, doc, now=now)
    finally:
        store.close()

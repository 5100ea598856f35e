"""Reading the files people give us and writing the files we make, in one place.

Every file the tool writes holds a child's information, so it is written whole or not at all (a
hidden temp file in the same folder, renamed over the target) and readable by its owner only. Every
failure is raised as the caller's own error class with a one-line message, so each command keeps
its exit status and wording.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

__all__ = ["read_input", "require_regular_file", "MAX_INPUT", "check_output_path", "atomic_output", "write_private", "tidy_stale_parts",
           "STALE_SECONDS"]

#: a writer killed outright (SIGKILL, power cut) leaves its hidden part file: tidied once this old
STALE_SECONDS = 600


#: what :func:`read_input` reads at most when the caller names no smaller limit (a signed pack of a very
#: large case is a few megabytes): a device or a file that keeps growing cannot fill the memory
MAX_INPUT = 64 * 1024 * 1024

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _not_a_file(mode: int) -> str | None:
    """What a file of this mode is, when it is not a regular file; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _megabytes(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def require_regular_file(path: str | Path, *, what: str, error: type[Exception], folders: bool = True) -> None:
    """Refuse, without opening it, a path that exists and is not a regular file (a FIFO would block the
    command for ever, ``/dev/zero`` would never end). A missing path (and, with ``folders=False``, a
    folder) is left to the reader to report in its own words."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not folders and stat.S_ISDIR(mode):
        return
    kind = _not_a_file(mode)
    if kind is not None:
        raise error(f"{path} is {kind}, not {what}")


def read_input(path: str | Path, *, what: str, error: type[Exception], limit: int = MAX_INPUT,
               too_large: str | None = None) -> bytes:
    """The bytes of a file the user named, or ``error`` saying in one line why not.

    Only a regular file is read (a FIFO, a device, a socket or a folder is refused at once, before
    anything could block), and never more than ``limit`` bytes: a file larger than that, or one that
    grows past it while it is read, is refused with ``too_large`` (default: "PATH is too large ..."), in
    which ``{size}`` becomes the size in megabytes.
    """
    if too_large is None:
        too_large = f"{path} is too large (at most {_megabytes(limit)} for {what})"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        require_regular_file(path, what=what, error=error)
        fd = os.open(path, flags)   # O_NONBLOCK: a FIFO swapped in after the check still cannot block
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not {what}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        kind = _not_a_file(st.st_mode)
        if kind is not None:
            raise error(f"{path} is {kind}, not {what}")
        if st.st_size > limit:
            raise error(too_large.replace("{size}", f"{st.st_size / 1e6:.1f}"))
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise error(too_large.replace("{size}", f"more than {got / 1e6:.1f}"))
        return b"".join(chunks)
    except OSError as e:
        if isinstance(e, error):
            raise
        raise error(f"{path}: cannot read ({e.strerror or e})") from None
    finally:
        os.close(fd)


def check_output_path(path: str | Path, *, error: type[Exception], what: str = "the file") -> Path:
    """Refuse, before any work, an output path that cannot be written."""
    p = Path(path)
    if p.is_dir():
        raise error(f"{p} is a folder; give a file name for {what}")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise error(f"{folder}: no such folder for the output")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"{folder}: cannot write there (permission denied)")
    if p.exists() and not os.access(p, os.W_OK):
        raise error(f"{p}: cannot replace it (permission denied)")
    return p


#: the hidden leftovers a killed writer of ``NAME`` can leave beside it: part files (and the private part
#: folders `handover pack --sign` builds in), and what earlier versions' `pack --sign` left: the whole
#: unsigned pack as ``.NAME.*.unsigned``, and the part file of that as ``..NAME.*.unsigned.*.part``
_STALE_PATTERNS = (".{name}.*.part", ".{name}.*.unsigned", "..{name}.*.unsigned.*.part")


def _remove_stale_parts(folder: Path, name: str) -> None:
    """Remove the hidden leftovers of killed writes of ``name`` once they are :data:`STALE_SECONDS` old
    (a fresh one may belong to a write still under way). A part folder goes with what is in it; a
    symbolic link is removed itself, never followed."""
    now = time.time()
    for pattern in _STALE_PATTERNS:
        for part in folder.glob(pattern.format(name=glob.escape(name))):
            try:
                st = part.lstat()
                if now - st.st_mtime <= STALE_SECONDS:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(part)
                else:
                    part.unlink()
            except OSError:
                pass


def tidy_stale_parts(folder: Path, name: str) -> None:
    """Public for writers outside this module (the database backup): see :func:`_remove_stale_parts`."""
    _remove_stale_parts(folder, name)


@contextmanager
def atomic_output(path: str | Path, *, error: type[Exception], mode: int = 0o600,
                  what: str = "the file") -> Iterator[BinaryIO]:
    """``with atomic_output(p, error=E) as f: f.write(...)``: on any failure nothing is left behind."""
    p = check_output_path(path, error=error, what=what)
    folder = p.parent if str(p.parent) else Path(".")
    _remove_stale_parts(folder, p.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + p.name + ".", suffix=".part", dir=folder)
    except OSError as e:
        raise error(f"{folder}: cannot write there ({e.strerror or e})") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w+b") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError) and not isinstance(e, error):
            raise error(f"{p}: cannot write ({e.strerror or e})") from None
        raise


def write_private(path: str | Path, data: bytes, *, error: type[Exception], overwrite: bool = True) -> None:
    """Write ``data`` whole, readable by its owner only."""
    p = Path(path)
    if not overwrite and p.exists():
        raise error(f"{p} already exists; not overwriting it")
    with atomic_output(p, error=error) as f:
        f.write(data)

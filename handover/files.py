"""Reading the files people give us and writing the files we make, in one place.

Every file the tool writes holds a child's information, so it is written whole or not at all (a
hidden temp file in the same folder, renamed over the target) and readable by its owner only. Every
failure is raised as the caller's own error class with a one-line message, so each command keeps
its exit status and wording.
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

__all__ = ["read_input", "check_output_path", "atomic_output", "write_private", "STALE_SECONDS"]

#: a writer killed outright (SIGKILL, power cut) leaves its hidden part file: tidied once this old
STALE_SECONDS = 600


def read_input(path: str | Path, *, what: str, error: type[Exception]) -> bytes:
    """The bytes of a file the user named, or ``error`` saying in one line why not."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not {what}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({e.strerror or e})") from None


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


def _remove_stale_parts(folder: Path, name: str) -> None:
    for part in folder.glob(f".{name}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()
        except OSError:
            pass


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

"""Write a file whole or not at all: a temp file in the same folder, renamed over the target."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from handover.pack.errors import PackError

__all__ = ["atomic_output", "check_output_path"]


def check_output_path(path: str | Path) -> Path:
    """Refuse, before any work, an output path that cannot be written."""
    p = Path(path)
    if p.is_dir():
        raise PackError(f"{p} is a folder; give a file name for the pack")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise PackError(f"{folder}: no such folder for the output")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PackError(f"{folder}: cannot write there (permission denied)")
    if p.exists() and not os.access(p, os.W_OK):
        raise PackError(f"{p}: cannot replace it (permission denied)")
    return p


STALE_SECONDS = 600


def _remove_stale_parts(folder: Path, name: str) -> None:
    """A writer killed outright (SIGKILL, power cut) leaves its hidden ``.NAME.*.part``: tidy old ones."""
    import time

    for part in folder.glob(f".{name}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > STALE_SECONDS:
                part.unlink()
        except OSError:
            pass


@contextmanager
def atomic_output(path: str | Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """``with atomic_output(p) as f: f.write(...)`` — on any failure nothing is left behind."""
    p = check_output_path(path)
    folder = p.parent if str(p.parent) else Path(".")
    _remove_stale_parts(folder, p.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + p.name + ".", suffix=".part", dir=folder)
    except OSError as e:
        raise PackError(f"{folder}: cannot write there ({e.strerror or e})") from None
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
        if isinstance(e, OSError) and not isinstance(e, PackError):
            raise PackError(f"{p}: cannot write ({e.strerror or e})") from None
        raise

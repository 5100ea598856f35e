"""Pack files are written whole or not at all (see :mod:`handover.files`), failing as PackError."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from handover import files
from handover.pack.errors import PackError

__all__ = ["atomic_output", "check_output_path"]


def check_output_path(path: str | Path) -> Path:
    """Refuse, before any work, an output path that cannot be written."""
    return files.check_output_path(path, error=PackError, what="the pack")


@contextmanager
def atomic_output(path: str | Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """``with atomic_output(p) as f: f.write(...)`` — on any failure nothing is left behind."""
    with files.atomic_output(path, error=PackError, mode=mode, what="the pack") as f:
        yield f

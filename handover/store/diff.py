"""What changed between two versions of a case: a flat list of paths with old and new values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Change", "diff_cases"]

_ABSENT = None


@dataclass(frozen=True)
class Change:
    path: str          #: e.g. ``agencies[2].sharing_basis.type``
    old: Any           #: None when the path did not exist
    new: Any           #: None when the path was removed
    kind: str          #: "changed", "added" or "removed"


def diff_cases(old: Any, new: Any, path: str = "") -> list[Change]:
    """Leaf-level differences, in document order (keys of ``new`` first, then removed keys)."""
    out: list[Change] = []
    _walk(old, new, path, out, True, True)
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(old: Any, new: Any, path: str, out: list[Change], has_old: bool, has_new: bool) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for k in new:
            _walk(old.get(k), new[k], _join(path, k), out, k in old, True)
        for k in old:
            if k not in new:
                _walk(old[k], None, _join(path, k), out, True, False)
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            _walk(old[i] if i < len(old) else None, new[i] if i < len(new) else None, f"{path}[{i}]", out,
                  i < len(old), i < len(new))
        return
    if has_old and has_new and old == new and type(old) is type(new):
        return
    kind = "changed" if has_old and has_new else ("added" if has_new else "removed")
    out.append(Change(path or "(the whole case)", old if has_old else _ABSENT, new if has_new else _ABSENT, kind))

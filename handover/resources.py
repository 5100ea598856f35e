"""Where the bundled resources (forms, vocabularies, protocols, schema, examples) live.

One function resolves them, from a source checkout or an installed wheel, so that no module does
its own ``Path(__file__)`` arithmetic.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

__all__ = ["resource_path", "resources_root", "load_yaml"]


@cache
def resources_root() -> Path:
    candidates = [
        Path(__file__).resolve().parent.parent / "resources",  # source checkout / editable install
        Path(sys.prefix) / "share" / "handover" / "resources",  # wheel data files
    ]
    for c in candidates:
        if (c / "vocab.yaml").is_file():
            return c
    raise FileNotFoundError("the handover resources folder (forms, vocabularies) is missing")


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)


def load_yaml(stream):
    """``yaml.safe_load`` with libyaml's C parser when PyYAML has it (the forms load 5× faster)."""
    import yaml

    return yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 — a safe loader

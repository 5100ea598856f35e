"""Test helpers: the synthetic example cases and the as-of date the tests use."""

import json
from datetime import date
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
AS_OF = date(2026, 11, 20)


def example(name: str) -> dict:
    """A fresh copy of resources/examples/NAME.json."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))

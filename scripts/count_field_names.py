#!/usr/bin/env python3
"""Count the case-format field names spelled as string literals in Python code.

The field names of the handover-case/1 format are collected from the form definitions
(``resources/forms/*.yaml`` through :mod:`handover.forms`: every field path and every part of it) and
from the JSON schema's property names (``resources/schema/*.json``). A string literal counts when its
value is one of those names, or a dotted path whose every part is one (``"nhs_number"``,
``"transition.decision_date"``, ``"household[].known_to"``). Docstrings, other bare string statements
and comments are not counted, nor the fixed text of f-strings.

    python scripts/count_field_names.py [--top N] [--names] [FOLDER ...]   (default: ui handover/pack)

prints, per folder, the total (and how many are dotted paths, which are never anything else) and the
files with the most, with the names found in each (``--names``). A single name can also be other
words spelled the same: "date" is a field (``sign_off.prepared_by.date``) and a field type, "family" a
section and the pack's copy marker; they are counted all the same, so compare counts over time rather
than reading each as a field.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_INDEX = re.compile(r"\[\d*\]")


def field_names() -> set[str]:
    """Every field path and path part of the case format: the forms' fields and the schema's properties."""
    from handover import forms
    from handover.resources import resource_path

    names: set[str] = set()
    every = forms.directions() if hasattr(forms, "directions") else forms.DIRECTIONS
    for d in every:
        for path, _field in forms.load_form(d).all_fields():
            names.update(p for p in _INDEX.sub("", path).split(".") if p)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(str(k) for k in props)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for schema in sorted(resource_path("schema").glob("*.json")):
        walk(json.loads(schema.read_text(encoding="utf-8")))
    return names


def is_field_name(text: str, names: set[str]) -> bool:
    parts = _INDEX.sub("", text).split(".")
    return bool(text) and all(p in names for p in parts)


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of string constants that are whole statements (docstrings, bare strings) or f-string text."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            skip.add(id(node.value))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values if isinstance(v, ast.Constant))
    return skip


def literals_in(path: Path, names: set[str]) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as e:
        print(f"  (skipped {path}: {e})", file=sys.stderr)
        return []
    skip = _docstring_nodes(tree)
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
            and is_field_name(n.value, names)]


def count(folder: Path, names: set[str]) -> Counter[Path]:
    per_file: Counter[Path] = Counter()
    found: dict[Path, Counter[str]] = {}
    for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder]:
        hits = literals_in(path, names)
        if hits:
            per_file[path] = len(hits)
            found[path] = Counter(hits)
    count.found = found  # type: ignore[attr-defined]
    return per_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", default=["ui", "handover/pack"])
    ap.add_argument("--top", type=int, default=10, help="how many files to list per folder (default 10)")
    ap.add_argument("--names", action="store_true", help="list the names found in each file")
    args = ap.parse_args(argv)
    names = field_names()
    print(f"{len(names)} case-format field names (forms and schema)")
    for name in args.folders:
        folder = Path(name) if Path(name).is_absolute() else Path.cwd() / name
        if not folder.exists():
            folder = ROOT / name
        if not folder.exists():
            print(f"\n{name}: no such folder")
            continue
        per_file = count(folder, names)
        found = count.found  # type: ignore[attr-defined]
        dotted = sum(n for hits in found.values() for k, n in hits.items() if "." in k)
        print(f"\n{name}: {sum(per_file.values())} literals in {len(per_file)} files "
              f"({dotted} of them dotted paths such as \"transition.decision_date\")")
        for path, n in per_file.most_common(args.top):
            rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            line = f"  {n:5d}  {rel}"
            if args.names:
                line += "  " + ", ".join(f"{k}×{v}" if v > 1 else k for k, v in sorted(found[path].items()))
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The domain core never imports Qt or the app (ARCHITECTURE.md): checked on the source, not by hope."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "handover"


def test_core_imports_neither_qt_nor_ui():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE.parent)}: {n}" for n in names
                          if n.split(".")[0] in ("PySide6", "shiboken6", "ui")]
    assert offenders == []

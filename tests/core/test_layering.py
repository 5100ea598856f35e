"""The layers of ARCHITECTURE.md, checked on the source, not by hope:

- the domain core never imports Qt or the app — except that ``handover gui`` hands over to ``ui.app`` by
  name (``importlib.import_module``), which this test sees and allows in that one place only;
- the app (``ui/``) reaches the store, the pack, the keys and every other part with I/O or rules of its
  own only through the operations layer ``handover.app``: it imports nothing from ``handover.store``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE, UI = ROOT / "handover", ROOT / "ui"

#: the core's modules the app may import besides handover.app: pure data and functions, no I/O, no access
PURE = {"handover", "handover.app", "handover.labels", "handover.forms", "handover.case", "handover.vocab",
        "handover.dates", "handover.calendar", "handover.checks", "handover.deadlines", "handover.protocol",
        "handover.workflow", "handover.family"}
#: the one place the core names the app: the `gui` command
ALLOWED_CORE_TO_UI = {("handover/cli.py", "ui.app")}


def imports(path: Path) -> list[str]:
    """Every module a file imports: at the top, inside functions, and by name through importlib."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names if node.module == "handover"]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("import_module", "__import__")))):
            names.append(node.args[0].value)
    return names


def test_core_imports_neither_qt_nor_ui_except_the_gui_command():
    found = set()
    for path in CORE.rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        found |= {(rel, n) for n in imports(path) if n.split(".")[0] in ("PySide6", "shiboken6", "ui")}
    assert found == ALLOWED_CORE_TO_UI


def test_the_gui_commands_lazy_import_is_seen():
    """The check above would pass vacuously if it could not see importlib; it can."""
    assert "ui.app" in imports(CORE / "cli.py")


def test_ui_imports_nothing_from_the_store():
    offenders = [f"{p.relative_to(ROOT)}: {n}" for p in UI.rglob("*.py") for n in imports(p)
                 if n == "handover.store" or n.startswith("handover.store.")]
    assert offenders == []


def test_ui_reaches_the_core_only_through_the_operations_layer_or_pure_modules():
    offenders = []
    for p in UI.rglob("*.py"):
        for n in imports(p):
            if n.split(".")[0] != "handover":
                continue
            top = ".".join(n.split(".")[:2])
            if top not in PURE and n not in PURE:
                offenders.append(f"{p.relative_to(ROOT)}: {n}")
    assert offenders == []

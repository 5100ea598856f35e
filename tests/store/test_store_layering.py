"""The store's layering, read from its source with ``ast`` (nothing is imported).

- No module of ``handover/store/`` imports a private (``_x``) name from another ``handover`` module,
  or reaches one through a module it imported (``svc._load``): shared rules have public names, the
  access rules in :mod:`handover.store.access`.
- ``packs.py`` and ``reports.py`` do not import the service layer (which re-exports them), and no
  store module imports one that imports it back, even inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import handover

ROOT = Path(handover.__file__).resolve().parent.parent
STORE = ROOT / "handover" / "store"
MODULES = sorted(STORE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _from_module(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module of a ``from ... import``, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = _name(path).split(".") if path.name == "__init__.py" else _name(path).split(".")[:-1]
    package = package[:len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _imports(path: Path, src: str) -> list[tuple[int, str, str | None, str]]:
    """(line, module, imported name or None for ``import x``, bound name) of every import, anywhere."""
    out = []
    for node in ast.walk(ast.parse(src, str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, None, a.asname or a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _from_module(node, path)
            out += [(node.lineno, module, a.name, a.asname or a.name) for a in node.names]
    return out


def _in_handover(module: str) -> bool:
    return module == "handover" or module.startswith("handover.")


def private_uses(path: Path, src: str) -> list[str]:
    """Private names of other ``handover`` modules that this module imports or reaches through a module."""
    own, bad, modules = _name(path), [], {}
    for line, module, name, bound in _imports(path, src):
        if not _in_handover(module):
            continue
        if name is None:                                   # import handover.x.y [as z]
            modules[bound] = module
            continue
        if _is_module(f"{module}.{name}"):                 # from handover.store import service as svc
            modules[bound] = f"{module}.{name}"
        if name.startswith("_") and module != own:
            bad.append(f"line {line}: from {module} import {name}")
    for node in ast.walk(ast.parse(src, str(path))):       # svc._load, handover.store.service._fresh
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in modules:
                bad.append(f"line {node.lineno}: {ast.unparse(node)}")
    return bad


def service_imports(path: Path, src: str) -> list[str]:
    """Every import of :mod:`handover.store.service` in the module."""
    return [f"line {line}: {module}" + (f" import {name}" if name else "")
            for line, module, name, _ in _imports(path, src)
            if module == "handover.store.service" or module.startswith("handover.store.service.")
            or (module == "handover.store" and name == "service")]


def store_deps(path: Path, src: str) -> set[str]:
    """The ``handover.store`` modules this module imports (at the top or inside a function)."""
    deps = set()
    for _, module, name, _ in _imports(path, src):
        if not module.startswith("handover.store"):
            continue
        if name is not None and _is_module(f"{module}.{name}"):
            deps.add(f"{module}.{name}")
        elif module != "handover.store":
            deps.add(module)
    return deps - {_name(path)}


def cycles(graph: dict[str, set[str]]) -> list[str]:
    found, state = [], {}           # state: 1 on the current path, 2 done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                found.append(" -> ".join(trail[trail.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def _src(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_store_has_its_modules():
    names = {_name(p) for p in MODULES}
    assert {"handover.store.service", "handover.store.access", "handover.store.packs", "handover.store.reports",
            "handover.store.receiving", "handover.store.admin", "handover.store.queries"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(STORE)))
def test_no_private_name_comes_from_another_module(path):
    bad = private_uses(path, _src(path))
    assert not bad, f"{path.relative_to(ROOT)} uses private names of other modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("module", ["packs.py", "reports.py"])
def test_packs_and_reports_do_not_import_the_service_layer(module):
    bad = service_imports(STORE / module, _src(STORE / module))
    assert not bad, f"{module} imports the service layer:\n" + "\n".join(bad)


def test_no_import_cycle_within_the_store():
    graph = {_name(p): store_deps(p, _src(p)) for p in MODULES}
    for module in ("service", "packs", "reports", "receiving", "admin"):
        assert "handover.store.access" in graph[f"handover.store.{module}"], module
    found = cycles(graph)
    assert not found, "import cycles in handover/store:\n" + "\n".join(found)


def test_the_checks_catch_what_they_are_for():
    """The checkers on made-up source placed (virtually) as packs.py: they are not vacuous."""
    at = STORE / "packs.py"
    src = ("from handover.store.service import _fresh, get_handover\n"
           "from . import service as svc\n"
           "import handover.store.reports\n"
           "def f():\n"
           "    from .access import load_handover, _NO_CASE_RECORDS\n"
           "    return svc._load, handover.store.reports._lister, svc.move, svc.__name__\n")
    assert private_uses(at, src) == ["line 1: from handover.store.service import _fresh",
                                     "line 5: from handover.store.access import _NO_CASE_RECORDS",
                                     "line 6: svc._load", "line 6: handover.store.reports._lister"]
    assert len(service_imports(at, src)) == 3     # two names on line 1, the module on line 2
    assert store_deps(at, src) == {"handover.store.service", "handover.store.reports", "handover.store.access"}
    assert private_uses(at, "from handover.store.packs import _info\n") == []     # its own: fine
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert cycles({"a": {"b"}, "b": set()}) == []

"""The project as a real (non-editable) wheel: what it contains, and that its commands work once installed.

The slow test builds the wheel from a copy of the checkout (so no build/ or *.egg-info is left in the
repository), installs it with its dependencies into a fresh virtual environment, and runs ``handover``
from a folder outside the checkout, so that the checkout's ``resources/`` cannot be found by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from handover.resources import load_yaml, resource_path, resources_root

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "resources" / "examples" / "step_down_complete.json"

# The environment as it was when this module was collected, before the autouse fixture pointed HOME
# and XDG_CACHE_HOME into tmp_path: pip reads its configuration and reuses its download cache from it.
_REAL_ENV = dict(os.environ)

# What the wheel must hold (besides every .py file of handover/ and ui/).
REQUIRED_FILES = [
    "handover/_resources/vocab.yaml",
    "handover/_resources/forms/step_down.yaml",
    "handover/_resources/forms/step_up.yaml",
    "handover/_resources/protocols/default.yaml",
    "handover/_resources/schema/handover-case-1.schema.json",
    "handover/_resources/examples/step_down_complete.json",
    "handover/store/migrations/env.py",
    "handover/store/migrations/script.py.mako",
]


def test_resources_are_found():
    assert resource_path("vocab.yaml").is_file()
    for parts in [("forms", "step_down.yaml"), ("forms", "step_up.yaml"), ("protocols", "default.yaml"),
                  ("schema", "handover-case-1.schema.json")]:
        assert resource_path(*parts).is_file(), parts
    with open(resource_path("vocab.yaml"), encoding="utf-8") as f:
        assert isinstance(load_yaml(f), dict)


def test_checkout_reads_its_own_resources_folder():
    """From the checkout (editable install) the top-level resources/ is the one read, not a copy."""
    import handover

    if Path(handover.__file__).resolve().parents[1] != REPO:
        pytest.skip("handover is imported from an installed wheel, not from this checkout")
    assert resources_root() == REPO / "resources"


# ---------------------------------------------------------------------------------------- the wheel


def _pip_env() -> dict[str, str]:
    env = {k: v for k, v in _REAL_ENV.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    if "PIP_CACHE_DIR" not in env:
        cache = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path(env.get("HOME", "~")) / ".cache"
        env["PIP_CACHE_DIR"] = str((cache / "pip").expanduser())
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd, *, cwd, env, timeout, what):
    p = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{what} failed ({p.returncode}):\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}"
    return p


def _copy_checkout(dest: Path) -> Path:
    """The files a build reads, without the virtual environment, git, caches or earlier build output."""
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        "tests", "results", "tmp", "*.sqlite*"))
    return dest


def _build_wheel(src: Path, out: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out]
    try:  # this environment's setuptools builds it without downloading one when it is recent enough
        recent = int(version("setuptools").split(".")[0]) >= 77
    except Exception:  # noqa: BLE001 — no setuptools here: isolated build
        recent = False
    if recent:
        cmd.append("--no-build-isolation")
    _run([*cmd, src], cwd=out.parent, env=_pip_env(), timeout=300, what="pip wheel")
    wheels = sorted(out.glob("handover-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _check_contents(names: set[str], src: Path) -> None:
    """``src``: the copy of the checkout that the wheel was built from."""
    missing = [n for n in REQUIRED_FILES if n not in names]
    assert not missing, f"not in the wheel: {missing}"
    versions = {n for n in names if n.startswith("handover/store/migrations/versions/") and n.endswith(".py")}
    expected = {f"handover/store/migrations/versions/{p.name}"
                for p in (src / "handover" / "store" / "migrations" / "versions").glob("*.py")}
    assert expected <= versions and len(expected) >= 2, sorted(expected - versions)
    # every module of the two installed packages, including subpackages added later (with or without
    # an __init__.py): the package list is found, not written by hand
    sources = {p.relative_to(src).as_posix()
               for top in ("handover", "ui") for p in (src / top).rglob("*.py") if "__pycache__" not in p.parts}
    assert not sources - names, f"modules left out of the wheel: {sorted(sources - names)}"
    resources = {"handover/_resources/" + p.relative_to(src / "resources").as_posix()
                 for p in (src / "resources").rglob("*") if p.is_file()}
    assert not resources - names, f"resources left out of the wheel: {sorted(resources - names)}"
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"handover", "ui"}, tops  # no bench/, tests/ or a top-level resources/


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_wheel_installs_and_runs(tmp_path):
    started = time.monotonic()
    src = _copy_checkout(tmp_path / "src")
    dist = tmp_path / "dist"
    dist.mkdir()
    wheel = _build_wheel(src, dist)
    with zipfile.ZipFile(wheel) as z:
        _check_contents(set(z.namelist()), src)
        metadata = z.read("handover-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: pyHanko>=" in metadata and "[crypto]" not in metadata

    # A fresh environment (not the one running the tests, which has the editable install), filled by
    # this environment's pip: no pip of its own to bootstrap, and pip's cache makes the dependencies quick.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path, env=_pip_env(), timeout=120,
         what="python -m venv")
    py = venv / "bin" / "python"
    install = _run([sys.executable, "-m", "pip", "--python", py, "install", wheel], cwd=tmp_path,
                   env=_pip_env(), timeout=600, what="pip install (the wheel and its dependencies)")
    assert "does not provide the extra" not in install.stdout + install.stderr
    built = time.monotonic()

    # Run from a folder outside the checkout, with the private HOME/XDG folders of the autouse fixture.
    run = tmp_path / "run"
    run.mkdir()
    case = shutil.copy(EXAMPLE, run / EXAMPLE.name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    handover = venv / "bin" / "handover"

    def cli(*args, ok=(0,)):
        p = subprocess.run([str(handover), *map(str, args)], cwd=run, env=env, capture_output=True, text=True,
                           timeout=180)
        assert p.returncode in ok, f"handover {' '.join(map(str, args))} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
        assert "Traceback" not in p.stderr, p.stderr
        return p

    where = subprocess.run([str(py), "-c", "from handover.resources import resources_root; print(resources_root())"],
                           cwd=run, env=env, capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()) == venv.joinpath(
        "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages", "handover",
        "_resources"), where.stdout

    helped = cli("--help")
    assert "check" in helped.stdout and "WARNING" not in helped.stderr, helped.stderr

    checked = cli("check", case, "--as-of", "2026-11-20", "--format", "json", ok=(0, 1))
    doc = json.loads(checked.stdout)
    assert {"id", "findings", "deadlines"} <= set(doc) and doc["id"] == "SD-2026-0142"

    cli("pack", case, "-o", "out.pdf", "--draft")
    assert (run / "out.pdf").read_bytes().startswith(b"%PDF-")

    db = f"sqlite:///{run / 'store.sqlite'}"
    made = cli("db", "init", "--db", db)  # the alembic migrations (env.py, script.py.mako, versions/)
    assert "schema revision" in made.stdout, made.stdout

    print(f"\nwheel built and installed in {built - started:.0f} s; commands run in {time.monotonic() - built:.0f} s")

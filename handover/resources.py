"""Where the bundled resources (forms, vocabularies, protocols, schema, examples) live.

One function resolves them, from an installed wheel or a source checkout, so that no module does its
own ``Path(__file__)`` arithmetic.

The files are kept in the repository's top-level ``resources/`` folder. The build (``setup.py`` and
``[tool.setuptools.package-dir]`` in ``pyproject.toml``) maps that folder to the data-only package
``handover._resources``, so a wheel installs them as ``site-packages/handover/_resources/…`` and
``importlib.resources`` finds them there. A source checkout or an editable install has no such
package (setuptools' editable finder does not import a mapped folder without ``__init__.py``), so
there they are read from ``../resources`` beside this file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as _importlib_resources
from pathlib import Path

__all__ = ["resource_path", "resources_root", "load_yaml"]

RESOURCES_PACKAGE = "handover._resources"
_MARKER = "vocab.yaml"  # a resources folder without it is not the real one


def _from_package() -> Path | None:
    try:
        root = _importlib_resources.files(RESOURCES_PACKAGE)
    except ModuleNotFoundError:  # a source checkout or an editable install
        return None
    # The package has no __init__.py, so ``files`` may give a MultiplexedPath (a namespace package);
    # joining a name that exists gives the real file's Path either way. A zipped install gives no Path
    # and is not supported: the forms and the schema are opened as files.
    marker = root.joinpath(_MARKER)
    if isinstance(marker, Path) and marker.is_file():
        return marker.parent
    return None


@cache
def resources_root() -> Path:
    """The folder holding ``vocab.yaml``, ``forms/``, ``protocols/``, ``schema/`` and ``examples/``."""
    found = _from_package()
    if found is not None:
        return found
    checkout = Path(__file__).resolve().parent.parent / "resources"  # source checkout / editable install
    if (checkout / _MARKER).is_file():
        return checkout
    raise FileNotFoundError(
        f"the handover resources folder (forms, vocabularies) is missing: neither the package "
        f"{RESOURCES_PACKAGE} nor {checkout} holds {_MARKER}; reinstall handover"
    )


def resource_path(*parts: str) -> Path:
    return resources_root().joinpath(*parts)


def load_yaml(stream):
    """``yaml.safe_load`` with libyaml's C parser when PyYAML has it (the forms load 5× faster)."""
    import yaml

    return yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 — a safe loader

"""A council's third direction: a copy of the resources folder with one more form, made the app's resources.

Used by tests/core/test_third_direction.py and tests/pack/test_third_direction_pack.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import handover.resources
from handover import labels
from handover.resources import resource_path

DIRECTION = "step_across"
LABEL = "Step-across"
ARROW = "→"
LONG_LABEL = "Step-across (children's social care to another council's children's social care)"


def clear_resource_caches() -> None:
    """Forget everything read from the resources folder."""
    from handover import case, protocol

    labels.clear_cache()          # labels.yaml, the forms, the vocabularies
    protocol.default_protocol.cache_clear()
    case._validator.cache_clear()


def install_third_direction(tmp_path: Path, monkeypatch) -> Path:
    """Copy resources/ to tmp, add ``forms/step_across.yaml`` (the step-down form under another name and
    label), point the resources there and clear the caches. Undone by monkeypatch (call
    :func:`clear_resource_caches` again after)."""
    root = tmp_path / "resources"
    shutil.copytree(resource_path(), root)
    text = (root / "forms" / "step_down.yaml").read_text(encoding="utf-8")
    head = {"form: step_down\n": f"form: {DIRECTION}\n",
            "order: 1\n": "order: 3\n",
            "label: Step-down\n": f"label: {LABEL}\n",
            'arrow: "↓"\n': f'arrow: "{ARROW}"\n',
            "long_label: \"Step-down (children's social care to early help)\"\n": f'long_label: "{LONG_LABEL}"\n',
            "to_service: early_help\n": "to_service: children_social_care\n"}
    for old, new in head.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (root / "forms" / f"{DIRECTION}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(handover.resources, "resources_root", lambda: root)
    clear_resource_caches()
    return root

"""The pack reads its words from resources/: a third direction's form names it on every page, and the
deadlines carry the rules' labels (resources/labels.yaml)."""

from __future__ import annotations

import pytest

from handover import labels
from handover.pack import build_pack
from tests.core.third_direction import DIRECTION, LABEL, LONG_LABEL, clear_resource_caches, install_third_direction
from tests.pack.conftest import AS_OF, example, pdf_text


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


@pytest.fixture
def third(tmp_path, monkeypatch):
    root = install_third_direction(tmp_path, monkeypatch)
    yield root
    clear_resource_caches()


@pytest.mark.parametrize("family", [False, True])
def test_a_pack_of_the_third_direction(third, tmp_path, family):
    case = example("step_down_complete")
    case["direction"] = DIRECTION
    out = tmp_path / "across.pdf"
    result = build_pack(case, out, as_of=AS_OF, draft=True, family_copy=family)
    pages = pdf_text(out)
    text = flat(pages)
    assert LONG_LABEL in text                                   # the cover's direction
    assert all(f"DRAFT {LABEL} handover pack" in p for p in pages)  # every page's header
    assert "Deadline" in text and result.pages == len(pages)
    assert ("2 chronology entries marked confidential" in text) is family


def test_the_deadlines_carry_the_rules_labels(tmp_path):
    out = tmp_path / "up.pdf"
    build_pack(example("step_up_with_gaps"), out, as_of=AS_OF, draft=True)
    text = flat(pdf_text(out))
    for rule in ("csc_decision", "referrer_informed", "assessment_completed"):
        assert labels.rule_label(rule) in text, rule
    assert "Csc decision" not in text
    assert "Deadlines missed: Front door decision (Done late by 1 working day)" in text

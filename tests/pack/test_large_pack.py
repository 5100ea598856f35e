"""Any case packs (issue 14): a long-open family's 60 agencies and 500 chronology entries, a pasted-in
5,000-word note and a 50,000-character word with no break in it all lay out — cells are shortened at a
word (saying so) when they would outgrow a page, long words are broken across lines, lists in a cell
show as many items as fit and say how many more — with the page furniture on every page.
"""

from __future__ import annotations

import re
import time

import pytest

from handover.pack import build_pack
from handover.vocab import AGENCY_TYPES
from tests.pack.conftest import AS_OF, example, pdf_text
from tests.ui.conftest import large_case

WORDS = " ".join(f"word{i % 97}" for i in range(5000))     # a pasted-in note of 5,000 words
UNBREAKABLE = "x" * 50_000                                  # a 50,000-character "word"


def _furniture(pages: list[str], initials: str, child_id: str) -> None:
    n = len(pages)
    for i, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, i
        assert initials in page and child_id in page, i
        assert f"Page {i} of {n}" in page, i


def _hostile_large_case() -> dict:
    case = large_case(example("step_down_complete"), agencies=60, events=500)
    case["chronology"][0]["event"] = WORDS
    case["chronology"][1]["impact_on_child"] = UNBREAKABLE
    case["agencies"][0]["name"] = UNBREAKABLE                 # a table cell on the who-knows-what page too
    case["agencies"][1]["contact"] = WORDS
    case["agencies"][2]["sharing_basis"]["reason"] = UNBREAKABLE
    case["household"][0]["name"] = WORDS
    case["needs_and_risks"]["summary"] = UNBREAKABLE
    case["plan"]["outcomes"][0]["actions"][0]["action"] = UNBREAKABLE
    case["sign_off"]["prepared_by"]["name"] = UNBREAKABLE      # the signature boxes stay on one page
    return case


@pytest.mark.parametrize("family_copy", [False, True], ids=["full", "family"])
def test_large_hostile_case_packs_with_page_furniture(tmp_path, family_copy):
    out = tmp_path / "large.pdf"
    started = time.perf_counter()
    result = build_pack(_hostile_large_case(), out, as_of=AS_OF, draft=True, family_copy=family_copy)
    took = time.perf_counter() - started
    print(f"\n60 agencies, 500 entries, a 5,000-word and a 50,000-character cell: {result.pages} pages in {took:.1f} s")
    assert took < 60
    pages = pdf_text(out)
    assert len(pages) == result.pages >= 10
    _furniture(pages, "E.B.", "CSC-448812")
    text = "\n".join(pages)
    assert "shortened here" in text and "are in the case file" in text
    assert "DRAFT" in text


def test_sixty_agencies_of_one_type_and_a_long_finding(tmp_path):
    """One agency row holding 60 names, and a check finding naming 500 chronology entries: each was a cell
    taller than a page (reportlab's LayoutError, exit 1)."""
    case = large_case(example("step_down_complete"), agencies=60, events=500)
    for i, a in enumerate(case["agencies"]):
        a["type"] = "gp"
        a["name"] = f"General practice surgery number {i + 1} of the north locality"
    out = tmp_path / "gp.pdf"
    result = build_pack(case, out, as_of=AS_OF, draft=True)
    pages = pdf_text(out)
    _furniture(pages, "E.B.", "CSC-448812")
    text = " ".join(" ".join(pages).split())
    assert "more (see the agency network)" in text
    assert result.pages == len(pages)


def test_the_final_large_case_packs_too(tmp_path):
    """Not only drafts: a complete large case makes a final pack with its signature boxes."""
    case = large_case(example("step_down_complete"), agencies=60, events=500)
    for a in case["agencies"]:
        a["informed_date"] = "2026-10-06"
    case["agency_checks"] = {t: "involved" for t in AGENCY_TYPES}
    for i, e in enumerate(case["chronology"]):
        e["source"] = AGENCY_TYPES[i % len(AGENCY_TYPES)]
    out = tmp_path / "final.pdf"
    result = build_pack(case, out, as_of=AS_OF)
    assert not result.draft and set(result.signature_boxes) == {"preparer", "manager"}
    _furniture(pdf_text(out), "E.B.", "CSC-448812")


def test_many_agency_types_keep_the_timeline_on_one_page(tmp_path):
    """500 agencies of 500 different (unknown) types: the swimlane drawing cannot break across pages, so
    it shows 40 lanes and says so; the table lists every one."""
    case = large_case(example("step_down_complete"), agencies=500, events=50)
    for i, a in enumerate(case["agencies"]):
        a["type"] = f"local_service_{i:03d}"
    out = tmp_path / "types.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    text = " ".join(" ".join(pdf_text(out)).split())
    assert re.search(r"The timeline shows 40 of the 5\d\d agencies", text)
    assert "local_service_499" in text

"""The pack's content and layout, read back with pdftotext: sections, key values, page furniture,
the draft watermark, the family copy's omissions, refusal of a final pack with errors."""

from __future__ import annotations

import re
import subprocess

import pytest

from handover.case import content_hash
from handover.forms import load_form
from handover.pack import PackError, PackRefused, build_pack
from tests.pack.conftest import AS_OF, example, pdf_text


def flat(pages: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(pages))


def test_every_section_and_key_value_is_in_the_pack(packs):
    pages = pdf_text(packs["final"])
    text = flat(pages)
    for section in load_form("step_down").sections:
        assert section.title in text, section.title
    case = example("step_down_complete")
    for value in ("Ellie Brennan", "9990000018", "CSC-448812", "Little Acorns Nursery", "Dana Brennan",
                  "Lee Harker", "Exampleshire Police", "Without consent", "Children Act 2004",
                  "Sam Example", "Speech and", "Monthly joint", "Who knows what", "Deadlines",
                  "Check summary", "Lawful basis for sharing", "Priya Natt", content_hash(case)):
        assert value in text, value
    assert "2B Drug misuse" in text                     # risk factors with their census codes
    assert "treatment programme" in text                # a confidential entry stays in the full copy
    assert "5 Oct 2026" in text                         # the decision date, readable


def test_every_page_has_initials_id_marking_and_page_x_of_y(packs):
    pages = pdf_text(packs["final"])
    n = len(pages)
    assert n >= 5
    for i, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page
        assert "E.B." in page and "CSC-448812" in page
        assert f"Page {i} of {n}" in page


def test_final_pack_with_errors_is_refused_and_leaves_nothing(tmp_path):
    out = tmp_path / "pack.pdf"
    with pytest.raises(PackRefused) as e:
        build_pack(example("step_up_with_gaps"), out, as_of=AS_OF)
    assert "refused" in str(e.value) and len(e.value.errors) > 0
    assert all(f.is_error for f in e.value.errors)
    assert [p for p in tmp_path.iterdir() if p.name != "home"] == []


def test_draft_is_watermarked_on_every_page_and_lists_findings(packs):
    pages = pdf_text(packs["draft"])
    for page in pages:
        assert "DRAFT" in page
    text = flat(pages)
    assert "Check findings" in text and "The NHS number 9990000027 is not valid" in text
    assert "nhs_number_invalid" not in text                 # where and what, in words: never a code
    assert "MISSING from the network" in text           # who knows what names the missing agency


def test_final_pack_has_no_draft_watermark(packs):
    assert not any("DRAFT" in p for p in pdf_text(packs["final"]))


def test_family_copy_leaves_out_what_the_family_must_not_see_and_says_so(packs):
    text = flat(pdf_text(packs["family"]))
    case = example("step_down_complete")
    assert "family copy" in text and "Left out of this copy" in text
    assert "Known to these agencies" in text and "2 chronology entries marked confidential" in text
    for a in case["agencies"]:                          # contact details
        assert a["contact"] not in text
        reason = a["sharing_basis"]["reason"]
        if reason:                                      # sharing reasons
            assert reason[:40] not in text
    assert "treatment programme" not in text            # confidential chronology entries
    assert "Police called by a neighbour" not in text
    assert "2B Drug misuse" not in text                 # risk factors
    assert "Health visitor found the home" in text      # not confidential: kept
    full = flat(pdf_text(packs["final"]))
    assert case["agencies"][0]["contact"] in full       # and the practitioners' copy has them


def _base_case():
    case = example("step_down_complete")
    case["chronology"] = []
    case["plan"]["outcomes"] = []
    return case


def test_empty_optional_sections_say_none_recorded(tmp_path):
    out = tmp_path / "p.pdf"
    build_pack(_base_case(), out, as_of=AS_OF, draft=True)
    text = flat(pdf_text(out))
    assert "Chronology" in text and text.count("None recorded") >= 2


def test_long_text_flows_and_long_tables_repeat_their_header(tmp_path):
    case = example("step_down_complete")
    words = " ".join(f"word{i}" for i in range(2500))
    case["transition"]["reason"] = words + " THE-END-OF-THE-REASON"
    case["chronology"] = [{"date": f"2026-0{1 + i % 9}-1{i % 10}", "source": "gp",
                           "event": f"GP appointment number {i} " + "detail " * 30,
                           "impact_on_child": "None seen.", "confidential": False} for i in range(60)]
    out = tmp_path / "long.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    pages = pdf_text(out)
    text = flat(pages)
    assert "THE-END-OF-THE-REASON" in text and "word1999" in text
    assert "GP appointment number 59" in text
    with_header = [p for p in pages if "What happened" in p and "Impact on the child" in p]
    assert len(with_header) >= 2                        # the chronology table's header repeats
    assert len(pages) >= 10


def test_non_ascii_names_render(tmp_path):
    case = example("step_down_complete")
    case["child"]["given_name"] = "Zoë"
    case["household"][0]["name"] = "Łucja Nowak-Brennan"
    out = tmp_path / "u.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    text = flat(pdf_text(out))
    assert "Zoë Brennan" in text and "Łucja Nowak-Brennan" in text


def test_unwritable_output_is_refused_before_any_work(tmp_path):
    with pytest.raises(PackError):
        build_pack(example("step_down_complete"), tmp_path / "missing" / "p.pdf", as_of=AS_OF)
    with pytest.raises(PackError):
        build_pack(example("step_down_complete"), tmp_path, as_of=AS_OF)


def test_step_up_pack(packs):
    text = flat(pdf_text(packs["step_up"]))
    for section in load_form("step_up").sections:
        assert section.title in text
    assert "Referral made" in text and "Immediate risk of harm" in text


def test_rendered_cover_page_regression(packs, tmp_path):
    """Coarse: page count, the cover's text, and a rendered page that is neither blank nor very different
    in ink from the stored reference render (tests/pack/data/step_down_cover.png), not pixel equality."""
    from pathlib import Path

    from PIL import Image, ImageChops, ImageStat

    pages = pdf_text(packs["final"])
    assert 6 <= len(pages) <= 10
    cover = flat(pages[:1])
    for value in ("Step-down handover", "Ellie Brennan", "Key facts", "Check summary", "Complete"):
        assert value in cover
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", "-gray", str(packs["final"]),
                    str(tmp_path / "cover")], check=True)
    img = Image.open(next(tmp_path.glob("cover*.png"))).convert("L")
    ref = Image.open(Path(__file__).parent / "data" / "step_down_cover.png").convert("L")
    assert img.size == ref.size
    ink = 255 - ImageStat.Stat(img).mean[0]
    assert ink > 5                                       # not blank
    coarse = (32, 45)
    diff = ImageChops.difference(img.resize(coarse), ref.resize(coarse))
    assert ImageStat.Stat(diff).mean[0] < 12, "the cover page looks very different from the reference"


@pytest.mark.parametrize("name,family", [("step_down_complete", False), ("step_down_complete", True),
                                         ("step_up_with_gaps", False)])
def test_remembered_line_breaking_changes_no_byte_of_the_pack(name, family, monkeypatch):
    """The pack's paragraphs keep their line breaking between a table's passes (a speed-up): the PDF must be
    byte for byte what reportlab's own Paragraph gives."""
    import copy
    import datetime as dt

    from reportlab.platypus import Paragraph

    from handover.pack import style
    from handover.pack.build import render_pdf

    case = example(name)
    case["chronology"] = [copy.deepcopy(e) for e in case.get("chronology", []) * 12]   # tables over several pages
    at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
    ours = render_pdf(case, as_of=AS_OF, draft=True, family_copy=family, generated_at=at)[0]
    assert style._para_class() is not Paragraph
    monkeypatch.setattr(style, "_para_class", lambda: Paragraph)
    plain = render_pdf(case, as_of=AS_OF, draft=True, family_copy=family, generated_at=at)[0]
    assert ours.count(b"/Type /Page\n") >= 3 or ours.count(b"/Type /Page") >= 3
    assert ours == plain

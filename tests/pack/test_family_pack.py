"""The pack of a family (SPEC.md section 7.4): a handover-case/2 document built, signed and verified."""

from __future__ import annotations

import re

import pytest

from handover.cli import main
from handover.pack import PackRefused, build_pack, sign_pack, verify_pack
from tests.pack.conftest import AS_OF, USER_PASS, example, pdf_text

SECRET = "Kara is linked to a county line"


@pytest.fixture(scope="module")
def family_packs(tmp_path_factory):
    d = tmp_path_factory.mktemp("family")
    case = example("family_step_up")
    out = {k: d / f"{k}.pdf" for k in ("final", "draft", "family")}
    build_pack(case, out["final"], as_of=AS_OF)
    build_pack(case, out["draft"], as_of=AS_OF, draft=True)
    build_pack(case, out["family"], as_of=AS_OF, family_copy=True)
    return out


def _text(path) -> str:
    return "\n".join(pdf_text(path))


def test_the_pack_names_both_children_and_has_the_new_sections(family_packs):
    for kind in ("final", "draft", "family"):
        text = _text(family_packs[kind])
        assert "Mia Testcase" in text and "Kara Testcase" in text, kind
        assert "Requests for information" in text and "Sharing decisions" in text, kind
        # people by name, never by ref; dates as people read them, never a path
        assert not re.search(r"\b[cp]\d\b", text), kind
        assert not re.search(r"\b\w+\[\d*\]", text), kind
        assert not re.search(r"\b(children|household|information_requests)\.\w", text), kind
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), kind


def test_each_moving_child_has_a_section_and_the_cover_lists_every_child(tmp_path):
    case = example("family_step_up")
    case["children"].append({"ref": "c3", "given_name": "Noah", "family_name": "Testcase",
                             "date_of_birth": "2019-03-03", "moves": False,
                             "reason_not_moving": "Noah lives with his grandmother and his case stays with her team."})
    out = tmp_path / "p.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    pages = pdf_text(out)
    cover = pages[0]
    assert "Mia Testcase" in cover and "Kara Testcase" in cover and "Noah Testcase" in cover
    assert "3 Mar 2019" in cover and "grandmother" in cover
    text = "\n".join(pages)
    assert "Kara's voice" in text and "Mia's voice" in text and "Noah's voice" not in text
    assert "Child 2 of 2 whose case makes this transition" in text


def test_who_knows_what_names_people_and_shows_what_was_asked(family_packs):
    page = next(p for p in pdf_text(family_packs["final"]) if p.lstrip().startswith("Who knows what")
                or "\nWho knows what" in p)
    assert "Alex Testcase" in page and "Sam Testcase" in page
    assert "Asked" in page and "Nothing held" in page and "Housing" in page


def test_an_unanswered_request_says_so(tmp_path):
    case = example("family_step_up")
    case["information_requests"][3]["response"] = None
    out = tmp_path / "p.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    assert "No answer yet" in _text(out) or "no answer yet" in _text(out)


def test_the_family_copy_leaves_out_a_confidential_answer(tmp_path, family_packs):
    assert SECRET in _text(family_packs["final"])
    case = example("family_step_up")
    case["information_requests"][1]["response"]["confidential"] = True
    case["information_requests"][1]["response"]["summary"] = "Alex's licence was recalled in March."
    out = tmp_path / "fam.pdf"
    build_pack(case, out, as_of=AS_OF, family_copy=True)
    text = _text(out)
    assert SECRET not in text and "licence was recalled" not in text
    assert "family copy" in text
    # and the risk factors of the children and the adults are not in it either
    assert "Child criminal exploitation" not in text


def test_a_final_family_pack_is_refused_while_errors_remain(tmp_path):
    case = example("family_step_up")
    case["children"][1]["child_voice"]["views"] = ""
    with pytest.raises(PackRefused):
        build_pack(case, tmp_path / "p.pdf", as_of=AS_OF)
    assert not (tmp_path / "p.pdf").exists()


def test_a_signed_family_pack_verifies(family_packs, keys, tmp_path, capsys):
    signed = tmp_path / "signed.pdf"
    sign_pack(family_packs["final"], signed, keys.manager, USER_PASS, field_name="manager")
    r = verify_pack(signed, keys.ca_pem)
    assert r.ok
    capsys.readouterr()
    assert main(["verify", str(signed), "--trust", str(keys.ca_pem)]) == 0
    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert main(["verify", str(bad), "--trust", str(keys.ca_pem)]) == 1


def test_the_cli_builds_every_kind(tmp_path, capsys):
    from handover.resources import resource_path

    src = str(resource_path("examples", "family_step_up.json"))
    for extra in ([], ["--draft"], ["--family-copy"]):
        out = tmp_path / f"p{len(extra)}{''.join(extra)}.pdf"
        assert main(["pack", src, "-o", str(out), "--as-of", "2026-11-25", *extra]) == 0
        assert out.exists()


def test_the_family_copy_leaves_out_what_was_withheld_and_why(family_packs):
    """A decision not to share can name a parent's risks: what and why stay in the practitioners' copy."""
    full, family = _text(family_packs["final"]), _text(family_packs["family"])
    withheld = "licence conditions"
    assert withheld in full and "more detrimental" in " ".join(full.split())
    assert withheld not in family and "more detrimental" not in " ".join(family.split())

"""The request-for-information letter (issue 17): one A4 page to the agency a handover-case/2 request asks,
naming the people by name and date of birth, the law that allows it, and the date to reply by."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from handover.cli import main
from handover.pack.errors import PackError
from handover.pack.letter import letter_words, request_letter
from handover.vocab import vocab
from tests.pack.conftest import example, pdf_text

COUNCIL = "Sampleford Council"
#: what a person must never read in a letter: codes, refs, ISO dates
RAW = re.compile(r"\b(red|amber|green|holds_information|nothing_held|declined|c[0-9]|p[0-9])\b|_|\d{4}-\d{2}-\d{2}")


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes, tmp_path, name: str = "letter.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    got = pdf_text(path)
    assert len(got) == 1
    return got[0]


def flat(text: str) -> str:
    """Text without white space: a name wrapped across lines still matches."""
    return "".join(text.split())


def letter(doc: dict, index: int, **kwargs) -> bytes:
    return request_letter(doc, index, protocol=None, council=kwargs.pop("council", COUNCIL), **kwargs)


def test_letter_to_the_police_names_the_agency_the_people_the_law_and_the_reply_date(tmp_path):
    doc = example("family_step_up")
    pdf = letter(doc, 0)          # police, about Kara and Alex, red, sent Monday 30 March 2026
    assert pages(pdf) == 1
    text = text_of(pdf, tmp_path)
    v = vocab()
    for words in ("Sampleshire Police Exploitation Team", v.label("agency_types", "police"), COUNCIL,
                  "Kara Testcase", "2 June 2011", "Alex Testcase", "21 September 1986", "Father",
                  "Monday 30 March 2026", "Please reply by Monday 30 March 2026", "SU-2026-0142", "Chris Demo",
                  v.label("request_priority", "red"), v.label("gateways", "children_act_2004_s16la"),
                  *(v.label("request_outcome", c) for c in v.codes("request_outcome"))):
        assert flat(words) in flat(text), words
    # the network's own reason for sharing is a professional record (it can name other people's risks):
    # it stays in the pack, never in a letter to an agency
    assert flat("Risk of criminal exploitation and domestic abuse") not in flat(text)
    assert flat(v.explanation("children_act_2004_s16la")) in flat(text)
    assert "Mia" not in text and "Sam Testcase" not in text      # only the people asked about
    assert "county line" not in text                              # nor what any agency answered
    assert not RAW.search(text), RAW.search(text)


def test_a_request_sent_on_christmas_eve_at_amber_is_due_after_the_bank_holidays(tmp_path):
    doc = example("family_step_up")
    doc["information_requests"][1].update(sent="2026-12-24", priority="amber", response=None)
    text = text_of(letter(doc, 1), tmp_path)
    assert "Thursday 24 December 2026" in text                   # dated the day it was sent
    assert "Please reply by Tuesday 29 December 2026" in text    # Christmas Day, the weekend, Boxing Day (Mon 28)
    assert flat(vocab().label("request_priority", "amber")) in flat(text)


def test_a_red_request_sent_on_a_saturday_is_due_on_the_monday(tmp_path):
    doc = example("family_step_up")
    doc["information_requests"][0].update(sent="2026-11-07", priority="red")
    text = text_of(letter(doc, 0), tmp_path)
    assert "Please reply by Monday 9 November 2026" in text


def test_the_protocol_sets_the_reply_date(tmp_path):
    from handover.protocol import default_protocol, parse_protocol

    raw = default_protocol().to_dict()
    raw["information_requests"] = {"working_days": {"red": 0, "amber": 1, "green": 10}, "basis": "local: test"}
    doc = example("family_step_up")        # housing, green, sent Monday 30 March 2026
    pdf = request_letter(doc, 3, protocol=parse_protocol(raw, "test"), council=COUNCIL)
    text = text_of(pdf, tmp_path)          # ten working days, past Good Friday and Easter Monday
    assert "Please reply by Wednesday 15 April 2026" in text and "within 10 working days" in text


def test_six_people_with_very_long_names_still_fit_one_page(tmp_path):
    doc = example("family_step_up")
    long = ["Maximiliana Wilhelmina Bartholomew-Featherstonehaugh Cholmondeley-Testcase the Younger",
            "Aurelio Konstantin Ngọc Zoë Łukasz Ffoulkes-Marjoribanks of Sampleford-upon-Example",
            "Christabel Evangeline Persephone Ottoline Wrottesley-Testcase Montgomery-Smythe",
            "Bartholomew Aloysius Ignatius Fitzwilliam Testcase-Postlethwaite Wolstenholme",
            "Wilhelmina Anastasia Theodora Featherstone-Testcase Haverford-Westmacott",
            "Sebastian Peregrine Leopold Augustus Testcase-Throckmorton-Fiennes Saint-John"]
    doc["household"] = [{**doc["household"][0], "ref": f"p{i + 1}", "name": n, "relationship": "Relative"}
                        for i, n in enumerate(long)]
    req = doc["information_requests"][0]
    req.update(about=[f"p{i + 1}" for i in range(6)],
               agency_name="Sampleshire Police Child Exploitation, Missing Children and Domestic Abuse Safeguarding "
                           "Hub (Northern, Eastern and Central Localities)",
               sent_by="Christopher Alexander Demonstration-Testcase, Senior Practitioner, Front Door")
    doc["agencies"][3]["name"] = req["agency_name"]
    doc["agencies"][3]["sharing_basis"]["reason"] = "Risk of harm. " * 120   # never printed (see above)
    pdf = letter(doc, 0)
    assert pages(pdf) == 1
    text = flat(text_of(pdf, tmp_path))
    for name in long + [req["agency_name"], req["sent_by"], "Please reply by Monday 30 March 2026"]:
        assert flat(name) in text, name
    assert "Riskofharm" not in text


def test_a_letter_never_borrows_another_organisations_basis(tmp_path):
    """A request to a probation area that is not the one in the network gets the default duty to share,
    not the network's probation entry's basis (nor its reason)."""
    doc = example("family_step_up")
    net = next(a for a in doc["agencies"] if a["type"] == "probation")
    net["sharing_basis"] = {"type": "without_consent", "gateway": "crime_and_disorder_act_1998_s115",
                            "reason": "Sam fears Alex; CAMHS say Kara self-harms."}
    req = next(i for i, r in enumerate(doc["information_requests"]) if r["agency_type"] == "probation")
    doc["information_requests"][req]["agency_name"] = "Another Probation Area"
    text = flat(text_of(letter(doc, req), tmp_path))
    v = vocab()
    assert flat(v.label("gateways", "children_act_2004_s16la")) in text
    assert flat(v.label("gateways", "crime_and_disorder_act_1998_s115")) not in text
    assert "self-harm" not in text


def test_twelve_people_shrink_the_letter_but_nothing_runs_past_the_margins(tmp_path):
    """Shrunk to fit one page, the tables are laid out again so that they still span the page, and never
    wider than it: every word's box lies inside the margins."""
    from handover.pack.style import PAGE_MARGIN

    doc = example("family_step_up")
    name = "Maximiliana Wilhelmina Bartholomew-Featherstonehaugh Cholmondeley-Testcase of Sampleford-upon-Example"
    doc["household"] = [{**doc["household"][0], "ref": f"p{i + 1}", "name": f"{name} {i + 1}"} for i in range(12)]
    doc["information_requests"][0]["about"] = [f"p{i + 1}" for i in range(12)]
    path = tmp_path / "twelve.pdf"
    path.write_bytes(letter(doc, 0))
    assert len(pdf_text(path)) == 1
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout.decode()
    page_w = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]
    left = [float(x) for x in re.findall(r'xMin="([\d.]+)"', html)]
    assert max(right) <= page_w - PAGE_MARGIN + 1 and min(left) >= PAGE_MARGIN - 1
    assert max(right) >= page_w - PAGE_MARGIN - 20     # the tables still span the page


def test_a_ref_that_names_nobody_is_printed_kindly(tmp_path):
    doc = example("family_step_up")
    doc["information_requests"][0]["about"] = ["c2", "zz9"]
    text = text_of(letter(doc, 0), tmp_path)
    assert flat(letter_words()["unknown_person"]) in flat(text) and "Kara Testcase" in text
    assert "zz9" not in text


def test_a_request_about_nobody_in_particular_asks_about_the_whole_family(tmp_path):
    doc = example("family_step_up")
    doc["information_requests"][0]["about"] = []
    text = text_of(letter(doc, 0), tmp_path)
    assert all(n in text for n in ("Mia Testcase", "Kara Testcase", "Sam Testcase", "Alex Testcase"))


def test_the_lawful_basis_is_the_networks_for_that_agency(tmp_path):
    v = vocab()
    doc = example("family_step_up")
    gp = doc["information_requests"][0]
    gp.update(agency_type="gp", agency_name="Sampleford Health Centre")        # shared with consent
    text = flat(text_of(letter(doc, 0), tmp_path, "gp.pdf"))
    assert flat(v.label("sharing_type", "consent")) in text
    assert flat(v.label("gateways", "children_act_2004_s16la")) not in text
    # housing is not in the network: the letter names the default duty to share
    text = flat(text_of(letter(example("family_step_up"), 3), tmp_path, "housing.pdf"))
    assert flat(v.label("gateways", letter_words()["default_gateway"])) in text


@pytest.mark.parametrize("index", [4, -1, 99])
def test_no_such_request_is_one_line(index):
    with pytest.raises(PackError, match=r"no request for information number .*: this handover records 4$"):
        letter(example("family_step_up"), index)


def test_a_request_with_no_date_sent_or_no_known_priority_is_refused():
    doc = example("family_step_up")
    doc["information_requests"][0]["sent"] = ""
    with pytest.raises(PackError, match="has no date it was sent"):
        letter(doc, 0)
    doc = example("family_step_up")
    doc["information_requests"][0]["priority"] = "purple"
    with pytest.raises(PackError, match="no priority the protocol sets a time for"):
        letter(doc, 0)


# ---------------------------------------------------------------- the command


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_handover_letter_writes_the_pdf(capsys, tmp_path):
    from casefiles import EXAMPLES

    out = tmp_path / "letter.pdf"
    code, stdout, err = run(capsys, "letter", EXAMPLES / "family_step_up.json", "--request", 2, "-o", out)
    assert (code, stdout, err) == (0, "", "")
    text = pdf_text(out)
    assert len(text) == 1 and "Sampleshire Probation Service" in text[0]
    assert "Sampleford Early Help Hub" in text[0]          # from the service the handover comes from
    code, _, _ = run(capsys, "letter", EXAMPLES / "family_step_up.json", "--request", 2, "-o", out,
                     "--council", "Exampleton Council")
    assert code == 0 and "Exampleton Council" in pdf_text(out)[0]


@pytest.mark.parametrize("request_number, says", [("5", "no request for information number 5"),
                                                   ("0", "not a request number"),
                                                   ("two", "not a request number")])
def test_handover_letter_with_a_bad_request_number_exits_2_in_one_line(capsys, tmp_path, request_number, says):
    from casefiles import EXAMPLES

    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "letter.pdf"
    code, stdout, err = run(capsys, "letter", EXAMPLES / "family_step_up.json", "--request", request_number,
                            "-o", out)
    assert code == 2 and stdout == ""
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert list(out.parent.iterdir()) == []        # nothing written, no part file left behind

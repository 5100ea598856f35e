"""The who-knows-what swimlanes: every lane label readable — shown whole, or wrapped at word boundaries,
never cut mid-word, never running into the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from reportlab.graphics.shapes import String
from reportlab.pdfbase.pdfmetrics import stringWidth

from handover.pack.style import fonts
from handover.pack.whoknows import AgencyRow, lane_labels, short_agency_label, swimlanes
from handover.vocab import vocab
from tests.pack.conftest import AS_OF, example, pdf_text

WIDTH = 493.0       # the pack's frame width (A4 less two 18 mm margins)


def _rows(codes) -> list[AgencyRow]:
    return [AgencyRow(type=c, entries=[(dt.date(2026, 3, 1 + i % 27), "seen")]) for i, c in enumerate(codes)]


def _label_strings(drawing, x0: float) -> list[String]:
    return [s for s in drawing.contents if isinstance(s, String) and s.x < x0]


def test_every_agency_type_label_is_shown_whole():
    codes = vocab().codes("agency_types")
    d = swimlanes(_rows(codes), WIDTH, dt.date(2026, 10, 5), None)
    _, _, label_w = lane_labels(_rows(codes), WIDTH)
    shown = [s.text for s in _label_strings(d, label_w)]
    for code in codes:
        assert short_agency_label(code) in shown, code
    assert "Adult mental health service" in shown
    assert not any("…" in t for t in shown)


def test_labels_never_run_into_the_timeline():
    f = fonts()
    codes = vocab().codes("agency_types")
    rows = _rows(codes)
    rows[3].missing = True                    # bold is wider
    d = swimlanes(rows, WIDTH, dt.date(2026, 10, 5), None)
    _, _, label_w = lane_labels(rows, WIDTH)
    for s in _label_strings(d, label_w):
        assert s.x + stringWidth(s.text, s.fontName, s.fontSize) <= label_w - 2, s.text


def test_a_very_long_label_wraps_at_words(monkeypatch):
    long = "Integrated community perinatal and infant mental health partnership service"
    real = short_agency_label
    monkeypatch.setattr("handover.pack.whoknows.short_agency_label",
                        lambda code: long if code == "other" else real(code))
    rows = _rows(["gp", "other", "police"])
    labels, size, label_w = lane_labels(rows, WIDTH)
    assert label_w <= WIDTH * 0.3 + 0.01
    first, *rest = labels[1]
    assert rest, "a label too long for one line wraps onto a second"
    words = set(long.split())
    for line in labels[1]:
        assert all(w in words for w in line.removesuffix("…").split()), line   # whole words only
    f = fonts()
    assert all(stringWidth(t, f["regular"], size) <= label_w - 6 for t in labels[1])
    assert labels[0] == ["GP"] and labels[2] == ["Police"]


def test_pack_page_shows_the_full_name(tmp_path):
    from handover.pack import build_pack

    case = example("step_down_complete")
    base = dict(case["agencies"][0])
    case["agencies"].append(dict(base, type="adult_mental_health", name="Exampleton Adult Mental Health Team"))
    case["chronology"].append({"date": "2026-03-02", "event": "Assessment by the community team",
                               "source": "adult_mental_health"})
    out = tmp_path / "p.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True)
    page = next(p for p in pdf_text(out) if "Who knows what" in p)
    lane_part = page.split("Agency")[0]         # the timeline comes before the table's header
    assert "Adult mental health service" in lane_part
    assert "ser…" not in page and "Adult mental health ser\u2026" not in page


def test_what_another_handover_records_is_in_who_knows_what_but_not_the_family_copy(tmp_path):
    """SPEC section 8: the father is recorded in another stored handover as known to youth justice, which
    this one does not record: the professionals' pack lists it ("recorded elsewhere"), the family copy,
    which leaves out who knows each person, does not."""
    from handover.pack import build_pack
    from handover.pack.whoknows import agency_rows
    from handover.store.elsewhere import StoreFinding

    case = example("family_step_up")
    father = next(m for m in case["household"] if m["relationship"] == "Father")
    found = StoreFinding("known_elsewhere", "household[1]", "recorded elsewhere",
                         {"ref": father["ref"], "handovers": 2, "agency_types": ["youth_justice"], "risk_factors": []})
    row = next(r for r in agency_rows(case, set(), None, [found]) if r.type == "youth_justice")
    assert row.elsewhere == [father["name"]] and not row.in_network
    out = tmp_path / "p.pdf"
    build_pack(case, out, as_of=AS_OF, draft=True, elsewhere=[found])
    page = " ".join(next(p for p in pdf_text(out) if "Who knows what" in p).split())
    assert f"{father['name']} (recorded elsewhere)" in page and "No: recorded elsewhere" in page
    family = tmp_path / "f.pdf"
    build_pack(case, family, as_of=AS_OF, draft=True, family_copy=True, elsewhere=[found])
    assert "recorded elsewhere" not in " ".join(pdf_text(family))

"""Generated from the form definitions: build the editor for every form, fill every field through its
widget, and check the case holds every value and nothing is reported as required any more."""

from __future__ import annotations

import pytest

from handover.case import blank_case, get_path, iter_paths
from handover.checks import check_case
from handover.dates import is_blank
from handover.forms import load_form_file
from handover.resources import resource_path
from handover.vocab import AGENCY_TYPES
from ui.editor.fields import (
    BoolField,
    ChecklistField,
    ChoiceField,
    DateField,
    InvolvedWithField,
    LineField,
    LongTextField,
    MultiChoiceField,
    NamesField,
)
from ui.editor.lists import ListField
from ui.qt import QApplication, Qt

from .conftest import AS_OF

FORM_FILES = sorted(resource_path("forms").glob("*.yaml"))

TEXT = {"nhs_number": "9434765919", "upn": "A801200300001", "postcode": "SW1A 1AA"}


def fill(qtbot, w, typed: dict) -> None:
    """Fill one field widget the way a person would, by its type; recurse into list entries."""
    if isinstance(w, ListField):
        before = len(w.entries)
        qtbot.mouseClick(w.add, Qt.MouseButton.LeftButton)
        assert len(w.entries) == before + 1, f"{w.path}: Add did not add an entry"
        entry = w.entries[-1]
        assert entry.expanded() and entry.fields
        for sub in entry.fields:
            fill(qtbot, sub, typed)
        return
    path = w.path
    if isinstance(w, (LineField,)):
        text = TEXT.get(w.field.type, f"Sample {w.field.key}")
        qtbot.keyClicks(w.edit, text)
        typed[path] = text
    elif isinstance(w, LongTextField):
        text = f"Several words about {w.field.label.lower()}"
        qtbot.keyClicks(w.edit, text)
        typed[path] = text
    elif isinstance(w, DateField):
        qtbot.keyClicks(w.edit, "2026-11-20")
        typed[path] = "2026-11-20"
    elif isinstance(w, BoolField):
        qtbot.mouseClick(w.buttons[0], Qt.MouseButton.LeftButton)
        typed[path] = True
    elif isinstance(w, ChoiceField):
        w.combo.setFocus()
        qtbot.keyClick(w.combo, Qt.Key.Key_Down)  # "Choose…" → the first real choice
        typed[path] = w.combo.currentData()
        assert typed[path], f"{path}: no choice was made"
    elif isinstance(w, InvolvedWithField):
        w.list.item(0).setCheckState(Qt.CheckState.Checked)
        typed[path] = ["child"]
    elif isinstance(w, MultiChoiceField):
        item = w.list.item(0)
        item.setCheckState(Qt.CheckState.Checked)
        typed[path] = [item.data(Qt.ItemDataRole.UserRole)]
    elif isinstance(w, NamesField):
        qtbot.keyClicks(w.new, "Alex Example")
        qtbot.mouseClick(w.add, Qt.MouseButton.LeftButton)
        typed[path] = ["Alex Example"]
    elif isinstance(w, ChecklistField):
        for agency in AGENCY_TYPES:
            qtbot.mouseClick(w.rows[agency][1][0], Qt.MouseButton.LeftButton)
        typed[path] = {a: "involved" for a in AGENCY_TYPES}
    else:  # pragma: no cover - a new field type needs a filler here
        raise AssertionError(f"no filler for {type(w).__name__} ({w.field.type}) at {path}")


@pytest.mark.parametrize("form_file", FORM_FILES, ids=[p.stem for p in FORM_FILES])
def test_fill_every_field_through_the_widgets(qtbot, make_editor, form_file):
    form = load_form_file(form_file)
    case = blank_case(form.direction, "TEST-FILL-1")
    ed = make_editor(case, show=True)
    assert [s.id for s in form.sections] == list(ed.pages), "one page per section, in form order"
    before = check_case(case, AS_OF)
    assert any(f.code == "required" for f in before.findings)

    typed: dict[str, object] = {}
    for section in form.sections:
        ed.show_section(section.id)
        page = ed.pages[section.id]
        assert len(page.fields) == len(section.fields)
        for w in page.fields:
            fill(qtbot, w, typed)
    QApplication.processEvents()
    doc = ed.document()

    # every value typed or chosen is in the dict, at its path
    for path, value in typed.items():
        assert get_path(doc, path) == value, path
    # and every field the form defines has a value
    for generic, f in form.all_fields():
        concrete = list(iter_paths(doc, generic))
        assert concrete, f"no value at all for {generic}"
        for path, value in concrete:
            assert not is_blank(value), f"{path} ({f.type}) is still empty"
    result = ed.recheck_now()
    assert [f.path for f in result.findings if f.code == "required"] == []
    # the editor's own view of the result agrees with a fresh check of its document
    assert result.findings == check_case(ed.case(), AS_OF).findings

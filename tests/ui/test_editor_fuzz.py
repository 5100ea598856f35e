"""Property-based: whatever a tired user types into the form's text and date boxes, the editor keeps it as
typed, the checks run, and nothing raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handover.case import blank_case
from handover.dates import parse_person_date
from ui.editor.fields import DateField, LineField, LongTextField

PATHS = ["child.given_name", "child.nhs_number", "child.postcode", "child.upn", "child.date_of_birth",
         "child.address", "transition.decision_date", "transition.reason", "child_voice.last_seen"]

typed = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), typed), min_size=1, max_size=6))
def test_typing_anything_is_kept_and_checked(qtbot, make_editor, entries):
    ed = make_editor(blank_case("step_down", "FUZZ-1"), show=False)
    for path, text in entries:
        w = ed.field_widget(path)
        box = w.edit
        box.clear() if isinstance(w, (LineField, DateField)) else box.setPlainText("")
        if isinstance(w, LongTextField):
            box.insertPlainText(text)
        else:
            box.setText(text)
            box.textEdited.emit(text)
        got = ed.document()
        for key in path.split("."):
            got = got[key]
        if isinstance(w, LongTextField):
            text = text.replace("\xa0", " ")   # QPlainTextEdit.toPlainText gives a no-break space as a space
        assert (got or "") == text or (isinstance(w, DateField) and (got or "") == text.strip()) or \
            (isinstance(w, DateField) and parse_person_date(text) and got == parse_person_date(text).isoformat())
    result = ed.recheck_now()
    assert result is not None and result.case_id == "FUZZ-1"

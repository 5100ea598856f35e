"""The agency checklist made for its job: warnings of one kind as one line, and "mark every remaining
agency not involved" with one confirmation, as one undo step."""

from __future__ import annotations

from ui.qt import QMessageBox


def _unchecked(case):
    case["agency_checks"] = {a: s for a, s in case["agency_checks"].items() if s != "not_checked"}
    keep = dict(list(case["agency_checks"].items())[:2])
    case["agency_checks"] = keep
    return case


def test_many_warnings_of_one_kind_are_one_line_that_opens_to_each(make_editor, complete_case):
    from ui.editor.panels import GROUPED_ROLE

    ed = make_editor(_unchecked(complete_case))
    ed.set_read_only(True)                # a reader sees every finding
    not_checked = [f for f in ed.result.findings if f.code == "agency_not_checked"]
    assert len(not_checked) >= 3
    lines = ed.findings.lines()
    grouped = [it for it in lines if it.data(0, GROUPED_ROLE)]
    assert len(grouped) == 1 and grouped[0].data(0, GROUPED_ROLE) == len(not_checked)
    assert grouped[0].text(0) == f"Warning: {len(not_checked)} agencies in the checklist are not checked yet"
    assert grouped[0].childCount() == len(not_checked)
    assert len(lines) == len(ed.result.findings) - len(not_checked) + 1
    assert len(ed.findings.items()) == len(ed.result.findings)     # each one is still there, one level down


def test_mark_every_remaining_agency_not_involved_asks_once_and_undoes_in_one_step(make_editor, complete_case,
                                                                                 monkeypatch):
    case = _unchecked(complete_case)
    answered = dict(case["agency_checks"])
    ed = make_editor(case)
    ed.show_section(ed.form.section_of("agency_checks").id)
    checklist = ed.field_widget("agency_checks")
    rest = checklist.remaining()
    assert rest and not set(rest) & set(answered)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    checklist.rest_button.click()
    assert len(asked) == 1 and ed.document()["agency_checks"] == answered          # No: nothing changes
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    checklist.rest_button.click()
    checks = ed.document()["agency_checks"]
    assert all(checks[a] == "not_involved" for a in rest) and {a: checks[a] for a in answered} == answered
    # what the case says is involved is never marked "not involved" in bulk: the network's agencies, those
    # known to the family or in the chronology, and the two services making the transition stay unanswered
    in_network = {a["type"] for a in case["agencies"]}
    assert in_network and not in_network & set(rest)
    assert {"children_social_care", "early_help"}.isdisjoint(rest)
    assert set(checks) == set(rest) | set(answered)
    ed.recheck_now()
    assert not [f for f in ed.result.findings if f.code == "agency_not_checked" and f.path.split(".")[-1] in rest]
    ed.undo()        # one step, and the keys it added are gone again (not left behind as placeholders)
    assert ed.document()["agency_checks"] == answered

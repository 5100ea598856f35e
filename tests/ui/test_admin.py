"""Administration: protocol edits change deadlines; invalid values refused with a message; people and
teams; certificates (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("PySide6")

from receiving_data import AS_OF  # noqa: E402

from handover.store import reports  # noqa: E402
from handover.store import service as sv  # noqa: E402


@pytest.fixture
def page(qtbot, data):
    from ui.admin import AdminPage

    p = AdminPage(data.app(data.admin))
    qtbot.addWidget(p)
    return p


def _due(data, case_id, rule):
    items = reports.overdue_page(data.store, data.mgr, AS_OF, reports.OverdueFilter(statuses=("overdue", "late")),
                                 limit=None)
    found = [i for i in items if (i.id, i.rule) == (case_id, rule)]
    return found[0] if found else None


def test_protocol_edit_changes_deadlines(page, data):
    tab = page.protocol
    before = _due(data, "SD-A", "pack_sent")
    assert (before.due, before.working_days_overdue) == (date(2026, 11, 9), 12)
    tab.days_box("pack_sent").setValue(7)
    assert tab.save_protocol()
    assert "recomputed" in tab.status.text() and "4 handovers" in tab.status.text()
    after = _due(data, "SD-A", "pack_sent")
    assert (after.due, after.working_days_overdue) == (date(2026, 11, 11), 10)
    assert sv.get_protocol(data.store).rules_for("step_down")[1].working_days == 7
    # a timescale long enough puts the deadline in the future: no longer overdue
    tab.days_box("csc_decision").setValue(5)
    assert tab.save_protocol()
    assert _due(data, "SU-C", "csc_decision") is None


def test_bank_holiday_region_is_part_of_the_protocol(page, data):
    tab = page.protocol
    tab.region.setCurrentIndex(tab.region.findData("scotland"))
    assert tab.save_protocol()
    assert sv.get_protocol(data.store).region == "scotland"
    # no Scottish bank holiday falls between 2 and 25 November, so the figures stay the same
    assert _due(data, "SD-A", "pack_sent").working_days_overdue == 12


@pytest.mark.parametrize("edit, message", [
    (lambda tab: tab.days_box("pack_sent").setValue(-1),
     "working_days for pack_sent must be a whole number from 0 to 260"),
    (lambda tab: tab.days_box("assessment_completed").setValue(400), "must be a whole number from 0 to 260, not 400"),
    (lambda tab: tab.basis_box("acknowledged").setText("  "), "acknowledged needs a 'basis'"),
])
def test_invalid_protocol_values_are_refused_with_a_message(page, data, edit, message):
    tab = page.protocol
    edit(tab)
    assert not tab.save_protocol()
    assert tab.status.text().startswith("Not saved:") and message in tab.status.text()
    assert tab.status.property("role") == "error"
    assert sv.get_protocol(data.store).rules_for("step_down")[1].working_days == 5     # nothing saved
    assert _due(data, "SD-A", "pack_sent").due == date(2026, 11, 9)


def test_people_and_teams(page, data):
    tab = page.users
    tab.team_name.setText("Early Help North")
    assert tab.create_team()
    team_id = [t.id for t in sv.list_teams(data.store, data.admin) if t.name == "Early Help North"][0]
    tab.username.setText("newbie")
    tab.display.setText("New Person")
    tab.new_role.setCurrentIndex(tab.new_role.findData("receiver"))
    tab.new_team.setCurrentIndex(tab.new_team.findData(team_id))
    tab.password.setText("newbie-password")
    assert tab.create_user()
    assert tab.selected_user().username == "newbie"
    assert sv.authenticate(data.store, "newbie", "newbie-password", now=data.now()).ok
    tab.role.setCurrentIndex(tab.role.findData("manager"))
    assert tab.change_role()
    tab.new_password.setText("another-password-2")
    assert tab.reset_password()
    assert tab.toggle()
    users = {u.username: u for u in sv.list_users(data.store, data.admin)}
    assert (users["newbie"].role, users["newbie"].active) == ("manager", False)
    assert not sv.authenticate(data.store, "newbie", "another-password-2", now=data.now()).ok
    # refusals are shown on the tab: a duplicate username
    tab.username.setText("newbie")
    tab.password.setText("whatever-password")
    assert not tab.create_user()
    assert "already a user 'newbie'" in tab.status.text()


def test_database_location_is_shown(page, data):
    assert page.database.location.text() == data.store.display_url
    assert page.database.location.isReadOnly()


def test_certificates_local_ca_issue_and_import(page, tmp_path):
    tab = page.certificates
    tab.ca_dir.setText(str(tmp_path / "ca"))
    tab.ca_org.setText("Demo Council")
    tab.ca_pass.setText("ca-passphrase")
    assert tab.create_ca(), tab.status.text()
    tab.person.setText("Max Manager")
    tab.person_role.setText("Team manager")
    tab.out_p12.setText(str(tmp_path / "max.p12"))
    tab.person_pass.setText("max-passphrase")
    assert tab.issue(), tab.status.text()
    tab.p12_path.setText(str(tmp_path / "max.p12"))
    tab.p12_pass.setText("wrong-passphrase")
    assert tab.import_p12() is None
    assert "wrong passphrase" in tab.status.text()
    tab.p12_pass.setText("max-passphrase")
    dest = tab.import_p12()
    assert dest is not None and dest.exists() and (dest.stat().st_mode & 0o777) == 0o600
    assert "Max Manager" in tab.status.text()


def test_every_control_has_an_accessible_name(page, qtbot):
    from ui.qt import QComboBox, QLineEdit, QPushButton, QSpinBox

    for w in page.findChildren(QLineEdit) + page.findChildren(QComboBox) + page.findChildren(QSpinBox):
        if w.parent() is not None and isinstance(w.parent(), (QComboBox, QSpinBox)):
            continue   # a combo box's or spin box's own line edit
        assert w.accessibleName(), w
    for b in page.findChildren(QPushButton):
        assert b.accessibleName() or b.text(), b


def test_a_certificate_named_without_a_folder_goes_to_the_certificates_folder_not_the_working_directory():
    from ui.admin import CertificatesTab, certificates_folder

    got = CertificatesTab._in_certificates("  sam.p12 ")
    assert got == certificates_folder() / "sam.p12" and got.is_absolute()
    assert CertificatesTab._in_certificates("/tmp/elsewhere/sam.p12").as_posix() == "/tmp/elsewhere/sam.p12"
    assert CertificatesTab._in_certificates("") is None

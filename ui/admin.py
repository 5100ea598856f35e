"""Administration: people and teams, the local protocol, the database, signing certificates, and the
authorities whose signed packs the team accepts (SPEC.md section 9).

Each tab lays out; every change is one operation of :mod:`handover.app.operations` (or
:mod:`handover.app.signing` for certificates) run through the app's runner, and any refusal is shown in
words on the tab itself (no dialog to dismiss).
The protocol editor has the operations layer validate the whole protocol (`ops.set_protocol`) before
saving; saving recomputes every handover's deadlines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from handover import labels
from handover.calendar import REGIONS
from handover.app import OperationError as ServiceError
from handover.app.operations import ROLES, SERVICES
from ui.operations import ops, sentence
from ui.inbox import rule_label
from ui.qt import (QComboBox, QFileDialog, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                   QLineEdit, QPushButton, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget, Qt,
                   QVBoxLayout, QWidget)
from ui.widgets.style import STYLE_SHEET, heading, muted

__all__ = ["AdminPage", "UsersTab", "ProtocolTab", "DatabaseTab", "CertificatesTab", "TrustTab", "REGION_LABELS"]

REGION_LABELS = {code: label for code, (_subdiv, label) in REGIONS.items()}


def _service_label(code: str) -> str:
    """A team's service in words: the agency type's label from the vocabulary ("" is any other service)."""
    from handover.vocab import vocab

    return vocab().label("agency_types", code) if code else "Other service"


def _field_label(direction: str, path: str) -> str:
    """The question a protocol's clock starts from, as the form asks it (never the raw path)."""
    from handover.forms import FormError, load_form

    try:
        f = load_form(direction).field_at(path)
    except FormError:
        return path
    return f.label if f is not None else path


class _Status(QLabel):
    def __init__(self) -> None:
        super().__init__("")
        self.setWordWrap(True)
        self.setAccessibleName("Result")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def ok(self, text: str) -> None:
        self.setProperty("role", "")
        self._set(text)

    def problem(self, text: str) -> None:
        self.setProperty("role", "error")
        self._set(sentence(text))

    def _set(self, text: str) -> None:
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.setAccessibleDescription(text)


def _labelled(form: QFormLayout, text: str, w: QWidget, name: str | None = None) -> QWidget:
    form.addRow(text, w)
    w.setAccessibleName(name or text)
    lab = form.labelForField(w)
    if isinstance(lab, QLabel):
        lab.setBuddy(w)
    return w


# ---------------------------------------------------------------- people and teams


class UsersTab(QWidget):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app, self.actor = app, app.actor
        self.status = _Status()
        self.users = QTableWidget(0, 5)
        self.users.setAccessibleName("Users")
        self.users.setHorizontalHeaderLabels(["Username", "Name", "Role", "Team", "Account"])
        self.users.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.users.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.users.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.users.verticalHeader().setVisible(False)
        self.users.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users.itemSelectionChanged.connect(self._selected)

        # the selected user
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(labels.role_label(r), r)
        self.team = QComboBox()
        self.save_role = QPushButton("Change role and team")
        self.toggle_active = QPushButton("Disable account")
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset = QPushButton("Reset password")
        edit = QGroupBox("Selected person")
        ef = QFormLayout(edit)
        _labelled(ef, "Role", self.role)
        _labelled(ef, "Team", self.team)
        ef.addRow(self.save_role)
        _labelled(ef, "New password", self.new_password)
        ef.addRow(self.reset)
        ef.addRow(self.toggle_active)
        for b, name in ((self.save_role, "Change role and team"), (self.reset, "Reset password"),
                        (self.toggle_active, "Disable or enable the account")):
            b.setAccessibleName(name)
        self.save_role.clicked.connect(self.change_role)
        self.toggle_active.clicked.connect(self.toggle)
        self.reset.clicked.connect(self.reset_password)

        # a new person
        self.username = QLineEdit()
        self.display = QLineEdit()
        self.new_role = QComboBox()
        for r in ROLES:
            self.new_role.addItem(r.capitalize(), r)
        self.new_team = QComboBox()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_user = QPushButton("Add person")
        self.add_user.setAccessibleName("Add person")
        self.add_user.clicked.connect(self.create_user)
        new = QGroupBox("Add a person")
        nf = QFormLayout(new)
        _labelled(nf, "Username", self.username)
        _labelled(nf, "Full name", self.display)
        _labelled(nf, "Role", self.new_role, "Role of the new person")
        _labelled(nf, "Team", self.new_team, "Team of the new person")
        _labelled(nf, "Password", self.password, "Password of the new person")
        nf.addRow(self.add_user)

        # teams
        self.teams = QTableWidget(0, 2)
        self.teams.setAccessibleName("Teams")
        self.teams.setHorizontalHeaderLabels(["Team", "Service"])
        self.teams.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.teams.verticalHeader().setVisible(False)
        self.teams.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.team_name = QLineEdit()
        self.team_service = QComboBox()
        for code in SERVICES:
            self.team_service.addItem(_service_label(code), code)
        self.add_team = QPushButton("Add team")
        self.add_team.setAccessibleName("Add team")
        self.add_team.clicked.connect(self.create_team)
        tbox = QGroupBox("Teams")
        tl = QVBoxLayout(tbox)
        tl.addWidget(self.teams, 1)
        tf = QFormLayout()
        _labelled(tf, "New team's name", self.team_name)
        _labelled(tf, "Service", self.team_service, "New team's service")
        tl.addLayout(tf)
        tl.addWidget(self.add_team)

        right = QVBoxLayout()
        right.addWidget(edit)
        right.addWidget(new)
        right.addStretch(1)
        row = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.users, 3)
        left.addWidget(tbox, 2)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addLayout(row, 1)
        self.refresh()

    def refresh(self) -> None:
        try:
            users = ops.list_users(self.app.ctx)
            teams = ops.teams(self.app.ctx)
        except ServiceError as e:
            self.status.problem(str(e))
            return
        self._users = users
        self.users.setRowCount(len(users))
        for r, u in enumerate(users):
            for c, v in enumerate((u.username, u.display_name, u.role.capitalize(), u.team or "—",
                                   "Active" if u.active else "Disabled")):
                self.users.setItem(r, c, QTableWidgetItem(v))
        self.teams.setRowCount(len(teams))
        for r, t in enumerate(teams):
            self.teams.setItem(r, 0, QTableWidgetItem(t.name))
            self.teams.setItem(r, 1, QTableWidgetItem(_service_label(t.service)))
        for box in (self.team, self.new_team):
            current = box.currentData()
            box.clear()
            box.addItem("No team (administrators)", None)
            for t in teams:
                box.addItem(t.name, t.id)
            i = box.findData(current)
            box.setCurrentIndex(max(0, i))
        self._selected()

    def selected_user(self) -> Any:
        rows = self.users.selectionModel().selectedRows()
        return self._users[rows[0].row()] if rows else None

    def select(self, username: str) -> None:
        for r, u in enumerate(self._users):
            if u.username == username:
                self.users.selectRow(r)

    def _selected(self) -> None:
        u = self.selected_user()
        for w in (self.role, self.team, self.save_role, self.toggle_active, self.new_password, self.reset):
            w.setEnabled(u is not None)
        if u is None:
            return
        self.role.setCurrentIndex(max(0, self.role.findData(u.role)))
        self.team.setCurrentIndex(max(0, self.team.findData(u.team_id)))
        self.toggle_active.setText("Disable account" if u.active else "Enable account")

    def _do(self, op: Callable[..., Any], *args: Any, done: str, keep: str | None = None) -> bool:
        if self.app.run(op, *args, parent=self, errors=self.status.problem) is None:
            return False
        self.refresh()
        if keep:
            self.select(keep)
        self.status.ok(done)
        return True

    def change_role(self) -> bool:
        u = self.selected_user()
        role, team = self.role.currentData(), self.team.currentData()
        return self._do(ops.set_role, u.username, role, team, done=f"{u.display_name} is now a {role}.",
                        keep=u.username)

    def toggle(self) -> bool:
        u = self.selected_user()
        return self._do(ops.set_active, u.username, not u.active,
                        done=f"{u.display_name}'s account is now {'enabled' if not u.active else 'disabled'}.",
                        keep=u.username)

    def reset_password(self) -> bool:
        u = self.selected_user()
        pw = self.new_password.text()
        ok = self._do(ops.reset_password, u.username, pw,
                      done=f"{u.display_name}'s password was reset; any lock is cleared. Tell them in person.",
                      keep=u.username)
        if ok:
            self.new_password.clear()
        return ok

    def create_user(self) -> bool:
        name = self.username.text().strip()
        ok = self._do(ops.create_user, name, self.display.text().strip(), self.new_role.currentData(),
                      self.new_team.currentData(), self.password.text(), done=f"Added {name}.", keep=name)
        if ok:
            for w in (self.username, self.display, self.password):
                w.clear()
        return ok

    def create_team(self) -> bool:
        name = self.team_name.text().strip()
        ok = self._do(ops.create_team, name, self.team_service.currentData(), done=f"Added the team {name}.")
        if ok:
            self.team_name.clear()
        return ok


# ---------------------------------------------------------------- the protocol


class ProtocolTab(QWidget):
    """Timescales per rule (working days, basis) and the bank-holiday region, validated before saving."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app, self.actor = app, app.actor
        self.status = _Status()
        self.name = QLineEdit()
        self.region = QComboBox()
        for code in REGIONS:
            self.region.addItem(REGION_LABELS.get(code, code), code)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName("Deadline rules")
        self.table.setHorizontalHeaderLabels(["Direction", "Deadline", "Clock starts at", "Working days",
                                              "Basis (where the timescale comes from)"])
        self.table.verticalHeader().setVisible(False)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.save = QPushButton("Check and save the protocol")
        self.save.setProperty("role", "primary")
        self.save.setAccessibleName("Check and save the protocol")
        self.save.clicked.connect(self.save_protocol)
        self.revert = QPushButton("Undo my edits")
        self.revert.setAccessibleName("Undo my edits to the protocol")
        self.revert.clicked.connect(self.load)
        form = QFormLayout()
        _labelled(form, "Protocol name", self.name)
        _labelled(form, "Bank holidays of", self.region, "Bank-holiday region")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.revert)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(muted("Each deadline is due on the Nth working day after the date that starts its clock. "
                            "Statutory timescales come from Working Together to Safeguard Children; step-down "
                            "timescales are local. Saving recomputes the deadlines of every handover."))
        lay.addWidget(self.status)
        lay.addLayout(form)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self.load()

    def load(self) -> None:
        p = ops.protocol(self.app.ctx)
        self.protocol = p
        self.name.setText(p.name)
        self.region.setCurrentIndex(max(0, self.region.findData(p.region)))
        rows = [(d, r) for d, rules in p.rules.items() for r in rules]
        self.table.setRowCount(len(rows))
        self._rows = rows
        for i, (d, r) in enumerate(rows):
            for c, text in enumerate((labels.direction_badge(d), rule_label(r.rule), _field_label(d, r.starts))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, c, item)
            days = QSpinBox()
            days.setRange(-1, 999)        # out-of-range values are refused with a message, not clamped silently
            days.setValue(r.working_days)
            days.setAccessibleName(f"Working days for {rule_label(r.rule)}")
            self.table.setCellWidget(i, 3, days)
            basis = QLineEdit(r.basis)
            basis.setAccessibleName(f"Basis for {rule_label(r.rule)}")
            self.table.setCellWidget(i, 4, basis)
        self.status.ok("")

    def days_box(self, rule: str) -> QSpinBox:
        for i, (_d, r) in enumerate(self._rows):
            if r.rule == rule:
                return self.table.cellWidget(i, 3)
        raise KeyError(rule)

    def basis_box(self, rule: str) -> QLineEdit:
        for i, (_d, r) in enumerate(self._rows):
            if r.rule == rule:
                return self.table.cellWidget(i, 4)
        raise KeyError(rule)

    def edited(self) -> dict[str, Any]:
        d = self.protocol.to_dict()
        d["name"] = self.name.text().strip() or self.protocol.name
        d["region"] = self.region.currentData()
        for i, (direction, r) in enumerate(self._rows):
            for entry in d["rules"][direction]:
                if entry["rule"] == r.rule:
                    entry["working_days"] = self.table.cellWidget(i, 3).value()
                    entry["basis"] = self.table.cellWidget(i, 4).text()
        return d

    def save_protocol(self) -> bool:
        """Check the whole protocol and save it (the operation refuses a typo, naming it)."""
        n = self.app.run(ops.set_protocol, self.edited(), parent=self,
                         errors=lambda m: self.status.problem(f"Not saved: {m[:1].lower() + m[1:]}"))
        if n is None:
            return False
        self.load()
        self.status.ok(f"Saved. The deadlines of {n:,} handover{'s' if n != 1 else ''} were recomputed.")
        return True


# ---------------------------------------------------------------- the database


class DatabaseTab(QWidget):
    def __init__(self, app: Any) -> None:
        super().__init__()
        self.location = QLineEdit(ops.database_location(app.ctx))
        self.location.setReadOnly(True)
        self.location.setAccessibleName("Database location")
        form = QFormLayout()
        _labelled(form, "Database in use", self.location, "Database location")
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(muted("To use another database, start the app with --db URL or set HANDOVER_DB: a file path "
                            "for one computer (sqlite:////path/handover.sqlite3), or a PostgreSQL URL for a team "
                            "sharing one database. Back it up with “handover db backup”. Passwords in a URL are "
                            "never shown."))
        lay.addStretch(1)


# ---------------------------------------------------------------- signing certificates


def certificates_folder() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("handover", appauthor=False)) / "certificates"


class CertificatesTab(QWidget):
    """Import a council's PKCS#12, or make a local certificate authority and issue a person's certificate."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.status = _Status()
        # import
        self.p12_path = QLineEdit()
        self.p12_pass = QLineEdit()
        self.p12_pass.setEchoMode(QLineEdit.EchoMode.Password)
        browse = QPushButton("Choose…")
        browse.setAccessibleName("Choose a certificate file")
        browse.clicked.connect(lambda: self._browse(self.p12_path, "Certificates (*.p12 *.pfx)"))
        self.import_button = QPushButton("Check and import")
        self.import_button.setAccessibleName("Check and import the certificate")
        self.import_button.clicked.connect(self.import_p12)
        imp = QGroupBox("Import a certificate (PKCS#12 from your council)")
        f1 = QFormLayout(imp)
        row = QHBoxLayout()
        row.addWidget(self.p12_path, 1)
        row.addWidget(browse)
        f1.addRow("Certificate file", row)
        self.p12_path.setAccessibleName("Certificate file")
        _labelled(f1, "Its passphrase", self.p12_pass, "Certificate passphrase")
        f1.addRow(self.import_button)
        # local CA
        self.ca_dir = QLineEdit(str(certificates_folder() / "local-ca"))
        self.ca_org = QLineEdit()
        self.ca_pass = QLineEdit()
        self.ca_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.ca_button = QPushButton("Create the certificate authority")
        self.ca_button.setAccessibleName("Create the local certificate authority")
        self.ca_button.clicked.connect(self.create_ca)
        ca = QGroupBox("Local certificate authority (small teams, and trying the tool out)")
        f2 = QFormLayout(ca)
        f2.addRow("Folder", self._with_chooser(self.ca_dir, "Choose a folder for the certificate authority",
                                               lambda: self._choose_folder(self.ca_dir)))
        self.ca_dir.setAccessibleName("Certificate authority folder")
        _labelled(f2, "Organisation", self.ca_org, "Organisation name")
        _labelled(f2, "CA passphrase", self.ca_pass, "Certificate authority passphrase")
        f2.addRow(self.ca_button)
        # issue
        self.person = QLineEdit()
        self.person_role = QLineEdit()
        self.out_p12 = QLineEdit()
        self.out_p12.setPlaceholderText("Choose… (saved in your certificates folder)")
        self.person_pass = QLineEdit()
        self.person_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.issue_button = QPushButton("Issue certificate")
        self.issue_button.setAccessibleName("Issue a person's certificate")
        self.issue_button.clicked.connect(self.issue)
        iss = QGroupBox("Issue a person's signing certificate from the local authority")
        f3 = QFormLayout(iss)
        _labelled(f3, "Person's name", self.person)
        _labelled(f3, "Their role", self.person_role, "Person's role")
        f3.addRow("Save as", self._with_chooser(self.out_p12, "Choose where to save the certificate",
                                                lambda: self._choose_save(self.out_p12)))
        self.out_p12.setAccessibleName("Certificate file to create")
        _labelled(f3, "Their passphrase", self.person_pass, "Passphrase of the new certificate")
        f3.addRow(self.issue_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addWidget(imp)
        lay.addWidget(ca)
        lay.addWidget(iss)
        lay.addStretch(1)

    @staticmethod
    def _with_chooser(edit: QLineEdit, name: str, choose: Callable[[], None]) -> QHBoxLayout:
        """A file or folder box with its own "Choose…" button (nobody types a path by hand)."""
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        button = QPushButton("Choose…")
        button.setAccessibleName(name)
        button.clicked.connect(choose)
        row.addWidget(button)
        return row

    def _choose_folder(self, edit: QLineEdit) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder", edit.text().strip())
        if path:
            edit.setText(path)

    @staticmethod
    def _in_certificates(text: str) -> Path | None:
        """A bare file name ("sam.p12") goes in the certificates folder, never the program's working directory."""
        text = text.strip()
        if not text:
            return None
        p = Path(text).expanduser()
        return p if p.is_absolute() else certificates_folder() / p

    def _choose_save(self, edit: QLineEdit) -> None:
        start = self._in_certificates(edit.text()) or certificates_folder()
        path, _ = QFileDialog.getSaveFileName(self, "Save the certificate as", str(start),
                                              "Certificates (*.p12)")
        if path:
            edit.setText(path if path.lower().endswith((".p12", ".pfx")) else path + ".p12")

    def _browse(self, edit: QLineEdit, filt: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", "", filt)
        if path:
            edit.setText(path)

    def import_p12(self) -> Path | None:
        from handover.app import signing
        from ui.dialogs.sign_dialog import SETTINGS_KEY
        from ui.qt import QSettings

        src = Path(self.p12_path.text().strip())
        try:
            dest, summary = signing.import_certificate(src, self.p12_pass.text(), certificates_folder(),
                                                       self.app.now())
        except ServiceError as e:
            self.status.problem(f"Not imported: {e}")
            return None
        QSettings().setValue(SETTINGS_KEY, str(dest))
        self.p12_pass.clear()
        self.status.ok(f"Imported: {summary.line()}. Stored in {dest} (readable by you only); the signing "
                       "dialog now offers it.")
        return dest

    def create_ca(self) -> bool:
        from handover.app import signing

        try:
            ca = signing.create_authority(self.ca_dir.text().strip(), self.ca_org.text(), self.ca_pass.text(),
                                          self.app.now())
        except ServiceError as e:
            self.status.problem(f"Not created: {e}")
            return False
        self.status.ok(f"Created the certificate authority “{ca.name}” in "
                       f"{self.ca_dir.text().strip()}. Give ca.pem to whoever verifies packs; keep the "
                       "passphrase safe.")
        return True

    def issue(self) -> bool:
        from handover.app import signing

        out = self._in_certificates(self.out_p12.text())
        if out is not None:
            self.out_p12.setText(str(out))
        try:
            cert = signing.issue_certificate(self.ca_dir.text().strip(), self.ca_pass.text(), self.person.text(),
                                             self.person_role.text(), self.out_p12.text().strip(),
                                             self.person_pass.text(), self.app.now())
        except ServiceError as e:
            self.status.problem(f"Not issued: {e}")
            return False
        self.person_pass.clear()
        self.status.ok(f"Issued a certificate for {self.person.text().strip()}, valid until "
                       f"{cert.expires.strftime('%d %b %Y').lstrip('0')}, saved to {self.out_p12.text().strip()}.")
        return True


# ---------------------------------------------------------------- trusted authorities


def _day(d: Any) -> str:
    return d.strftime("%d %b %Y").lstrip("0")


def _button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(name)
    b.clicked.connect(slot)
    return b


class TrustTab(QWidget):
    """The authorities whose signed packs the team accepts: a list, *Add a certificate…*, *Remove…*."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.status = _Status()
        self._authorities: list[Any] = []
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName("Trusted authorities")
        self.table.setHorizontalHeaderLabels(["Authority", "Valid until"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = muted("No authority is trusted yet, so no signed pack can be imported into Incoming.")
        self.add_button = _button("Add a certificate…", "Add an authority's certificate", self.add_dialog)
        self.remove_button = _button("Remove…", "Remove the chosen authority", self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("The chosen authority")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(muted("A team imports a signed pack from an organisation that does not share this database "
                            "(a neighbouring council, say) only when it is signed under an authority listed here. "
                            "Ask them for their authority's certificate (ca.pem). Once added, choose it in the list "
                            "and check its fingerprint with them by phone."))
        lay.addWidget(self.status)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.details)
        lay.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        found = self.app.run(ops.trusted_authorities, parent=self, errors=self.status.problem)
        self._authorities = list(found or [])
        self.table.setRowCount(len(self._authorities))
        for r, a in enumerate(self._authorities):
            tip = (f"SHA-256 fingerprint: {a.fingerprint}" +
                   (f"\nAdded by {a.added_by} on {_day(a.added_at)}" if a.added_at else ""))
            for c, text in enumerate((a.name, _day(a.valid_until))):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not self._authorities)
        self._selected()

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self._authorities[rows[0].row()] if rows else None

    def _selected(self) -> None:
        a = self.selected()
        self.remove_button.setEnabled(a is not None)
        self.details.setVisible(a is not None)
        if a is not None:
            added = f", added by {a.added_by} on {_day(a.added_at)}" if a.added_at else ""
            self.details.setText(f"{a.name}{added}. Its fingerprint (SHA-256), to check with them: {a.fingerprint}")

    def add_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self, "Add an authority's certificate", str(Path.home()),
                                              "Certificates (*.pem *.crt *.cer *.der)")
        return self.add_from(path) if path else False

    def add_from(self, path: str | Path) -> bool:
        added = self.app.run(ops.add_trusted_authority, str(path), parent=self, errors=self.status.problem)
        if added is None:
            return False
        self.refresh()
        names = " and ".join(f"{a.name} (valid until {_day(a.valid_until)})" for a in added)
        self.status.ok(f"Now trusted: {names}. Signed packs under {'it' if len(added) == 1 else 'them'} can be "
                       "imported into Incoming.")
        return True

    def remove_selected(self) -> bool:
        from ui.qt import QMessageBox

        a = self.selected()
        if a is None:
            return False
        answer = QMessageBox.question(self, "Remove a trusted authority",
                                      f"Stop accepting signed packs from {a.name}? Handovers already imported "
                                      "from them stay.")
        if answer != QMessageBox.StandardButton.Yes:
            return False
        gone = self.app.run(ops.remove_trusted_authority, a.fingerprint, parent=self, errors=self.status.problem)
        if gone is None:
            return False
        self.refresh()
        self.status.ok(f"Removed {gone.name}: signed packs under it are refused from now on.")
        return True


# ---------------------------------------------------------------- the page


def _scrolling(tab: QWidget) -> QScrollArea:
    """A tab that scrolls up and down when the window is short (150 % scaling), never sideways."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(tab)
    return area


class AdminPage(QWidget):
    """``AdminPage(app, parent=None)``: the administrator's page."""

    def __init__(self, app: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(STYLE_SHEET)
        self.users = UsersTab(app)
        self.protocol = ProtocolTab(app)
        self.database = DatabaseTab(app)
        self.certificates = CertificatesTab(app)
        self.trust = TrustTab(app)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Administration")
        for w, title in ((self.users, "People and teams"), (self.protocol, "Protocol and bank holidays"),
                         (self.database, "Database"), (self.certificates, "Signing certificates"),
                         (self.trust, "Trusted authorities")):
            self.tabs.addTab(_scrolling(w), title)
        lay = QVBoxLayout(self)
        lay.addWidget(heading("Administration", 1.5))
        lay.addWidget(self.tabs, 1)




"""The sign dialog (pytest-qt, offscreen): whom the certificate names, one-line refusals, a pack that
verifies, and a passphrase that is never stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QLineEdit  # noqa: E402

from handover.case import load_case  # noqa: E402
from handover.resources import resource_path  # noqa: E402
from handover.app.signing import describe_certificate  # noqa: E402
from ui.dialogs.sign_dialog import SETTINGS_KEY, SignDialog  # noqa: E402

AS_OF = dt.date(2026, 11, 25)
# verify_pack checks certificates at the real time, so the certificates are issued relative to it
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
ISSUED = NOW - dt.timedelta(days=1)
CA_PASS = b"ca-passphrase-1"
PASS = "correct horse 1"
pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Path]:
    from handover.keys import init_ca, issue_user

    d = tmp_path_factory.mktemp("keys")
    init_ca(d / "ca", "Exampleton Council", CA_PASS, now=NOW - dt.timedelta(days=400))
    issue_user(d / "ca", CA_PASS, "Priya Natt", "Team manager", d / "priya.p12", PASS.encode(), now=ISSUED)
    issue_user(d / "ca", CA_PASS, "Zoë Sample", "Social worker", d / "zoe.p12", PASS.encode(), now=ISSUED)
    issue_user(d / "ca", CA_PASS, "Old Cert", "Social worker", d / "old.p12", PASS.encode(), days=30,
               now=NOW - dt.timedelta(days=200))
    return {"ca": d / "ca" / "ca.pem", "manager": d / "priya.p12", "preparer": d / "zoe.p12", "expired": d / "old.p12"}


@pytest.fixture(scope="module")
def final_pack(tmp_path_factory) -> Path:
    from handover.pack import build_pack

    p = tmp_path_factory.mktemp("pack") / "final.pdf"
    build_pack(load_case(resource_path("examples", "step_down_complete.json")), p, as_of=AS_OF)
    return p


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def file_signer(pdf_in: Path, pdf_out: Path, role: str):
    """A ``sign`` callback for the dialog, as the app's (``ops.sign_pack`` through the runner) behaves, on
    a pack file: sign the ``role`` box of ``pdf_in`` into ``pdf_out``; a refusal goes to the dialog's own
    error line and the callback returns None (nothing written)."""
    from handover.pack import PackError, sign_pack
    from ui.operations import sentence

    def sign(p12: str, passphrase: str, show_error):
        try:
            return sign_pack(pdf_in, pdf_out, p12, passphrase.encode("utf-8"), field_name=role, timestamp=NOW)
        except PackError as e:
            show_error(sentence(str(e)))
            return None

    return sign


def _dialog(qtbot, final_pack, out, settings, role="manager", **kw) -> SignDialog:
    d = SignDialog(file_signer(final_pack, out, role), NOW, role=role, settings=settings, **kw)
    qtbot.addWidget(d)
    return d


def test_describe_certificate_names_signer_role_and_expiry(keys):
    s = describe_certificate(keys["manager"], PASS, NOW)
    assert (s.name, s.role, s.organisation) == ("Priya Natt", "Team manager", "Exampleton Council")
    assert s.expires == (ISSUED + dt.timedelta(days=365)).date()
    assert "Priya Natt · Team manager" in s.line()


def test_shows_whom_the_certificate_names_before_signing(qtbot, keys, final_pack, tmp_path, settings):
    out = tmp_path / "signed.pdf"
    d = _dialog(qtbot, final_pack, out, settings)
    assert d.pass_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not d.sign_button.isEnabled()
    d.cert_edit.setText(str(keys["manager"]))
    qtbot.keyClicks(d.pass_edit, PASS)
    qtbot.mouseClick(d.check_button, Qt.MouseButton.LeftButton)
    assert "Priya Natt" in d.who.text() and "Team manager" in d.who.text()
    assert f"Valid until {(ISSUED + dt.timedelta(days=365)).strftime('%-d %b %Y')}" in d.who.text()
    assert d.sign_button.isEnabled() and not d.error.isVisibleTo(d)
    assert not out.exists()                   # checking signs nothing


def test_wrong_passphrase_gives_one_line_and_no_file(qtbot, keys, final_pack, tmp_path, settings):
    out = tmp_path / "signed.pdf"
    d = _dialog(qtbot, final_pack, out, settings)
    d.cert_edit.setText(str(keys["manager"]))
    qtbot.keyClicks(d.pass_edit, "not the passphrase")
    qtbot.keyClick(d.pass_edit, Qt.Key.Key_Return)
    assert d.error.isVisibleTo(d)
    assert "wrong passphrase" in d.error.text().lower() and "\n" not in d.error.text()
    assert not d.sign_button.isEnabled()
    assert d.sign() is False                  # even if asked to sign anyway
    assert not out.exists() and d.result() != QDialog.DialogCode.Accepted
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*")) == []


def test_expired_certificate_is_refused(qtbot, keys, final_pack, tmp_path, settings):
    out = tmp_path / "signed.pdf"
    d = _dialog(qtbot, final_pack, out, settings)
    d.cert_edit.setText(str(keys["expired"]))
    d.pass_edit.setText(PASS)
    assert d.check_certificate() is False
    assert "expired on" in d.error.text() and "Old Cert" in d.error.text()
    assert not d.sign_button.isEnabled() and not out.exists()


def test_correct_passphrase_signs_a_pack_that_verifies(qtbot, keys, final_pack, tmp_path, settings):
    from handover.pack import verify_pack

    out = tmp_path / "signed.pdf"
    d = _dialog(qtbot, final_pack, out, settings, expected_name="Priya Natt")
    d.cert_edit.setText(str(keys["manager"]))
    d.pass_edit.setText(PASS)
    assert d.check_certificate()
    assert "but the sign-off names" not in d.who.text()
    with qtbot.waitSignal(d.signed, timeout=20_000) as got:
        qtbot.mouseClick(d.sign_button, Qt.MouseButton.LeftButton)
    assert d.result() == QDialog.DialogCode.Accepted
    res = got.args[0]
    assert res is d.result_info and res.field_name == "manager" and res.signer == "Priya Natt"
    assert d.pass_edit.text() == ""           # the passphrase does not outlive the signature
    v = verify_pack(out, keys["ca"])
    assert v.ok and v.status == "intact"
    (sig,) = v.signatures
    assert sig.signer == "Priya Natt" and sig.intact and sig.trusted and sig.field_name == "manager"


def test_warns_when_the_certificate_names_someone_else(qtbot, keys, final_pack, tmp_path, settings):
    d = _dialog(qtbot, final_pack, tmp_path / "s.pdf", settings, expected_name="Priya Natt")
    d.cert_edit.setText(str(keys["preparer"]))
    d.pass_edit.setText(PASS)
    assert d.check_certificate()
    assert "names Zoë Sample, but the sign-off names Priya Natt" in d.who.text()


def test_remembers_the_certificate_path_never_the_passphrase(qtbot, keys, final_pack, tmp_path, settings):
    d = _dialog(qtbot, final_pack, tmp_path / "s.pdf", settings)
    d.cert_edit.setText(str(keys["manager"]))
    d.pass_edit.setText(PASS)
    assert d.check_certificate()
    settings.sync()
    assert settings.value(SETTINGS_KEY) == str(keys["manager"].resolve())
    stored = Path(settings.fileName()).read_text(encoding="utf-8")
    assert PASS not in stored and "passphrase" not in stored.lower()
    d.reject()
    again = _dialog(qtbot, final_pack, tmp_path / "s.pdf", settings)
    assert again.cert_edit.text() == str(keys["manager"].resolve()) and again.pass_edit.text() == ""


def test_choose_uses_a_file_dialog_and_exec_never_blocks(qtbot, keys, final_pack, tmp_path, settings,
                                                         monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(keys["preparer"]), "")))
    d = _dialog(qtbot, final_pack, tmp_path / "s.pdf", settings, role="preparer")
    qtbot.mouseClick(d.browse_button, Qt.MouseButton.LeftButton)
    assert d.cert_edit.text() == str(keys["preparer"])

    def fake_exec(self):                      # what a caller does: exec, then read the result
        self.pass_edit.setText(PASS)
        return self.sign() and QDialog.DialogCode.Accepted

    monkeypatch.setattr(SignDialog, "exec", fake_exec)
    assert d.exec() == QDialog.DialogCode.Accepted
    assert d.result_info.field_name == "preparer" and d.result_info.signer == "Zoë Sample"


def test_sign_file_preparer_then_manager(keys, final_pack, tmp_path):
    """The core's signing of a pack file (what ``ops.sign_pack`` uses for the manager's box): the preparer,
    then the manager; a box already signed and a box the pack has not are refused, writing nothing."""
    from handover.pack import PackError, sign_pack, verify_pack

    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    r1 = sign_pack(final_pack, one, keys["preparer"], PASS.encode(), field_name="preparer", timestamp=NOW)
    r2 = sign_pack(one, two, keys["manager"], PASS.encode(), field_name="manager",
                   timestamp=NOW + dt.timedelta(seconds=1))
    assert (r1.signer, r2.signer) == ("Zoë Sample", "Priya Natt")
    v = verify_pack(two, keys["ca"])
    assert v.ok and [s.field_name for s in v.signatures] == ["preparer", "manager"]
    with pytest.raises(PackError, match="already signed"):
        sign_pack(two, tmp_path / "three.pdf", keys["manager"], PASS.encode(), field_name="manager", timestamp=NOW)
    with pytest.raises(PackError, match="no signature box"):
        sign_pack(final_pack, tmp_path / "x.pdf", keys["manager"], PASS.encode(), field_name="witness")
    assert not (tmp_path / "three.pdf").exists() and not (tmp_path / "x.pdf").exists()


def test_a_refused_signature_is_one_line_in_the_dialog_and_nothing_is_accepted(qtbot, keys, final_pack,
                                                                              tmp_path, settings):
    """When ``sign`` refuses (here: the manager's box is already signed), the dialog shows why in its error
    line, stays open and is not accepted."""
    from handover.pack import sign_pack

    signed = tmp_path / "signed-once.pdf"
    sign_pack(final_pack, signed, keys["manager"], PASS.encode(), field_name="manager", timestamp=NOW)
    out = tmp_path / "again.pdf"
    d = _dialog(qtbot, signed, out, settings)
    d.cert_edit.setText(str(keys["manager"]))
    d.pass_edit.setText(PASS)
    assert d.check_certificate()
    assert d.sign() is False
    assert d.error.isVisibleTo(d) and "already signed" in d.error.text() and "\n" not in d.error.text()
    assert not d.sign_button.isEnabled() and d.result() != QDialog.DialogCode.Accepted
    assert d.result_info is None and not out.exists()
    with pytest.raises(ValueError):
        SignDialog(file_signer(final_pack, out, "witness"), NOW, role="witness", settings=settings)

"""A signed pack from another organisation, in the app (SPEC.md section 9, issue 18): Incoming's *Import a
signed pack…*, the pack viewer's "Carries its case file" line and *Save the signed pack…*, and the
administrator's trusted authorities (pytest-qt, offscreen, on the small fixed SQLite dataset)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("PySide6")

from sqlalchemy import func, select  # noqa: E402

from handover.app import operations as ops  # noqa: E402
from handover.pack import build_pack, sign_pack  # noqa: E402
from handover.pack.embedded import NOT_CARRIED, EmbeddedCase  # noqa: E402
from handover.store.models import Handover  # noqa: E402
from tests.pack.conftest import AS_OF, USER_PASS, example, keys  # noqa: E402,F401 — keys: the session's CA
from ui.qt import QFileDialog, QMessageBox, Qt  # noqa: E402

pytestmark = pytest.mark.gui
SIGNER = "Priya Natt, Exampleton Council"


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys) -> Path:  # noqa: F811
    """The step-down example's final pack, signed by its manager under the Exampleton Council CA."""
    d = tmp_path_factory.mktemp("import-ui")
    build_pack(example("step_down_complete"), d / "unsigned.pdf", as_of=AS_OF)
    sign_pack(d / "unsigned.pdf", d / "SD-2026-0142.pdf", keys.manager, USER_PASS, field_name="manager")
    return d / "SD-2026-0142.pdf"


def _case_id(signed: Path) -> str:
    return signed.stem


def _trust(data, pem: Path) -> None:
    ops.add_trusted_authority(data.ctx(data.admin), pem)


def _handovers(data) -> int:
    with data.store.read() as s:
        return s.scalar(select(func.count()).select_from(Handover))


def _incoming(qtbot, data, actor=None):
    from ui.inbox import IncomingPage

    page = IncomingPage(data.app(actor or data.recv))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    return page


def _choose(monkeypatch, path: Path) -> list[str]:
    """The file chooser answers with ``path``; returns the titles it was opened with."""
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda parent, title="", *a, **k: asked.append(title) or (str(path), "")))
    return asked


def _listed(page) -> list[str]:
    return [page.model.row_at(i).case_id for i in range(page.model.rowCount())]


# ---------------------------------------------------------------- Incoming: Import a signed pack…


def test_a_good_pack_is_imported_said_in_one_line_and_listed(qtbot, data, signed, keys, monkeypatch):  # noqa: F811
    _trust(data, keys.ca_pem)
    page = _incoming(qtbot, data)
    assert _case_id(signed) not in _listed(page)
    asked = _choose(monkeypatch, signed)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert asked == ["Import a signed pack"]
    said = page.detail.callout.label.text()
    assert said == (f"Imported {_case_id(signed)} from {SIGNER}: it is in Incoming, waiting for your team to "
                    "acknowledge it.")
    assert page.detail.callout.property("role") == "callout"
    assert _case_id(signed) in _listed(page)                   # the list was refreshed
    assert page.view is not None and page.view.summary.case_id == _case_id(signed)
    assert page.detail.ack_button.isVisibleTo(page)            # the receiving team's next move
    assert "Signed pack received" in page.detail.packs.currentText()
    assert "Carries its case file: yes, matches." in page.detail.verify_text.text()
    # the same pack again: nothing new, and it says so
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert "already here with exactly what this pack carries" in page.detail.callout.label.text()


def test_an_untrusted_signer_is_refused_by_name_nothing_stored(qtbot, data, signed, keys, monkeypatch):  # noqa: F811
    _trust(data, keys.other_ca_pem)                            # Elsewhere Council's authority only
    before = _handovers(data)
    page = _incoming(qtbot, data)
    _choose(monkeypatch, signed)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    said = page.detail.callout.label.text()
    assert said.startswith(f"{signed.name} was not imported: the signature of {SIGNER} is not from a trusted")
    assert "an administrator adds their authority's certificate (Administration, Trusted authorities)" in said
    assert len(said.splitlines()) == 1
    assert page.detail.callout.property("role") == "callout-red"
    assert _handovers(data) == before and _case_id(signed) not in _listed(page)


def test_with_no_authority_trusted_every_pack_is_refused_naming_its_signer(qtbot, data, signed, monkeypatch):
    before = _handovers(data)
    page = _incoming(qtbot, data, data.eh_mgr)                 # a manager of the receiving team imports too
    _choose(monkeypatch, signed)
    page.import_pack_dialog()
    said = page.detail.callout.label.text()
    assert f"it is signed by {SIGNER}, but your team trusts no authority's packs yet" in said
    assert _handovers(data) == before


def test_what_is_no_pack_is_refused_in_one_line(qtbot, data, keys, tmp_path, monkeypatch):  # noqa: F811
    _trust(data, keys.ca_pem)
    page = _incoming(qtbot, data)
    not_a_pack = tmp_path / "notes.pdf"
    not_a_pack.write_text("meeting notes")
    _choose(monkeypatch, not_a_pack)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert page.detail.callout.label.text() == "The pack cannot be verified: notes.pdf is not a PDF."
    # choosing nothing does nothing
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    assert page.import_pack_dialog() is None


# ---------------------------------------------------------------- the pack viewer


def _viewer(qtbot, data: bytes):
    from ui.pack_preview import PackPreview

    w = PackPreview()
    qtbot.addWidget(w)
    w.load_bytes(data)
    qtbot.waitUntil(lambda: w.facts.isVisibleTo(w), timeout=20_000)
    return w


def test_the_viewer_says_the_signed_pack_carries_its_case_file_and_saves_it(qtbot, signed, tmp_path, monkeypatch):
    w = _viewer(qtbot, signed.read_bytes())
    when = w.verification.signatures[0].signing_time.strftime("%d %b %Y").lstrip("0")
    assert w.facts.text() == (f"Signed by {SIGNER} on {when}: the signature is valid and the pack has not changed "
                              "since. Carries its case file: yes, matches.")
    assert "sha256" not in w.facts.text()                      # in words, no raw hashes
    assert w.save_button.text() == "Save the signed pack…"
    assert w.suggested_name() == "SD-2026-0142-signed-pack.pdf"
    offered: list[str] = []
    target = tmp_path / "to-send.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, title, start, *a, **k: offered.append((title, Path(start).name))
                                     or (str(target), "")))
    qtbot.waitUntil(lambda: w.save_button.isEnabled(), timeout=20_000)
    qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    assert offered == [("Save the signed pack", "SD-2026-0142-signed-pack.pdf")]
    assert target.read_bytes() == signed.read_bytes()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600     # owner-only, like every export
    w.cleanup()


def test_a_draft_is_saved_as_a_draft(qtbot, tmp_path):
    draft = tmp_path / "draft.pdf"
    build_pack(example("step_down_complete"), draft, as_of=AS_OF, draft=True)
    w = _viewer(qtbot, draft.read_bytes())
    assert w.facts.text() == "Draft pack, not signed. Carries its case file: yes, matches."
    assert w.save_button.text() == "Save as PDF…" and w.suggested_name() == "handover-pack-draft.pdf"
    w.cleanup()


def _result(embedded, *, ok=True):
    sig = SimpleNamespace(who=SIGNER, signing_time=None, ok=ok)
    return SimpleNamespace(draft=False, family_copy=False, signatures=(sig,), embedded_case=embedded)


@pytest.mark.parametrize("embedded, words, warns", [
    (EmbeddedCase(present=True, sha256="sha256:ab", matches_content_hash=True), "yes, matches", False),
    (NOT_CARRIED, "no", False),
    (EmbeddedCase(present=True, sha256="sha256:ab", matches_content_hash=False),
     "yes, but it does not match (do not rely on it)", True),
])
def test_the_case_file_line_in_words(embedded, words, warns):
    from ui.pack_preview import describe_pack

    text, bad = describe_pack(_result(embedded))
    assert text.endswith(f"Carries its case file: {words}.") and bad is warns
    assert "sha256" not in text


def test_a_broken_signature_warns(qtbot):
    from ui.pack_preview import describe_pack

    text, bad = describe_pack(_result(NOT_CARRIED, ok=False))
    assert bad and "the signature does not hold: do not rely on this pack" in text


def test_incoming_shows_the_received_pack_with_its_case_file_line(qtbot, data, signed, keys, monkeypatch):  # noqa: F811
    _trust(data, keys.ca_pem)
    page = _incoming(qtbot, data)
    page.import_pack_from(signed)
    qtbot.mouseClick(page.detail.show_pack_button, Qt.MouseButton.LeftButton)
    w = page._windows[-1]
    qtbot.waitUntil(lambda: w.facts.isVisibleTo(w), timeout=20_000)
    assert w.facts.text().endswith("Carries its case file: yes, matches.")
    assert w.save_button.text() == "Save the signed pack…"
    w.close()


# ---------------------------------------------------------------- Administration: trusted authorities


@pytest.fixture
def admin_page(qtbot, data):
    from ui.admin import AdminPage

    page = AdminPage(data.app(data.admin))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    return page


def _rows(tab) -> list[tuple[str, str]]:
    return [(tab.table.item(r, 0).text(), tab.table.item(r, 1).text()) for r in range(tab.table.rowCount())]


def test_an_administrator_adds_and_removes_an_authority(qtbot, admin_page, data, keys, monkeypatch):  # noqa: F811
    tab = admin_page.trust
    assert _rows(tab) == [] and tab.empty.isVisibleTo(tab) and not tab.remove_button.isEnabled()
    _choose(monkeypatch, keys.ca_pem)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    [(name, until)] = _rows(tab)
    authority = ops.trusted_authorities(data.ctx(data.admin))[0]
    assert name == "Exampleton Council handover signing CA"
    assert until == authority.valid_until.strftime("%d %b %Y").lstrip("0")
    assert authority.fingerprint in tab.table.item(0, 0).toolTip()
    assert tab.status.text().startswith("Now trusted: Exampleton Council handover signing CA (valid until")
    assert not tab.empty.isVisibleTo(tab)
    # adding it again is refused on the tab, in words
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.status.text() == "Exampleton Council handover signing CA is trusted already."
    assert tab.status.property("role") == "error" and len(_rows(tab)) == 1
    # the chosen authority's fingerprint, to check with them by phone (reachable from the keyboard, not a tip only)
    assert not tab.details.isVisibleTo(tab)
    tab.table.selectRow(0)
    assert tab.details.isVisibleTo(tab) and authority.fingerprint in tab.details.text()
    # remove: asked first; No keeps it
    assert tab.remove_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda parent, title, text, *a, **k: asked.append(text)
                                     or QMessageBox.StandardButton.No))
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert len(_rows(tab)) == 1
    assert asked == ["Stop accepting signed packs from Exampleton Council handover signing CA? Handovers already "
                     "imported from them stay."]
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert _rows(tab) == [] and tab.status.text().startswith("Removed Exampleton Council handover signing CA")
    assert ops.trusted_authorities(data.ctx(data.admin)) == []


def test_a_file_that_is_no_authority_is_refused_on_the_tab(qtbot, admin_page, keys, signed, monkeypatch):  # noqa: F811
    tab = admin_page.trust
    _choose(monkeypatch, signed)
    assert not tab.add_dialog()
    assert tab.status.text() == f"{signed.name} is not a certificate (a PEM or DER file, such as ca.pem)."
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    assert not tab.add_dialog() and _rows(tab) == []


def test_only_administrators_change_the_trusted_authorities(data, keys):  # noqa: F811
    from handover.app import Denied

    for who in (data.recv, data.mgr, data.prac):
        with pytest.raises(Denied, match="only an administrator can do this"):
            ops.add_trusted_authority(data.ctx(who), keys.ca_pem)
    _trust(data, keys.ca_pem)
    fingerprint = ops.trusted_authorities(data.ctx(data.recv))[0].fingerprint   # everyone may read the list
    with pytest.raises(Denied, match="only an administrator can do this"):
        ops.remove_trusted_authority(data.ctx(data.recv), fingerprint)

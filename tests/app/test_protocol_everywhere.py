"""An administrator's protocol change is what every screen and paper shows: the open editor, the pack
preview, the signed pack, the list and the overdue report — on SQLite and on PostgreSQL.

Before the operations layer the editor, the preview and the signed pack used the bundled protocol
("due 9 Nov, overdue") while the list and the authorise check used the database's ("due 30 Dec"), and
signing after authorising was refused with an exception that escaped the Qt slot."""

from __future__ import annotations

import re
from datetime import date

import pytest
from app.conftest import PASSPHRASE, forty_days, overdue_case

from handover.app import Refused
from handover.app import context as app_context
from handover.app import operations as ops
from handover.case import dump_case

pytestmark = pytest.mark.gui

DUE_NOW = date(2026, 12, 30)     # 40 working days after 2 Nov 2026 (Christmas and Boxing Day excluded)
DUE_BEFORE = date(2026, 11, 9)   # 5 working days after it: the bundled protocol


@pytest.fixture(autouse=True)
def _no_protocol_cache_delay(monkeypatch):
    """An open app sees another machine's change within seconds; here at once."""
    monkeypatch.setattr(app_context, "PROTOCOL_RECHECK_SECONDS", 0.0)


def _pdf_text(data: bytes, tmp_path) -> str:
    from pypdf import PdfReader

    path = tmp_path / "pack.pdf"
    path.write_bytes(data)
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


def _pack_sent(deadlines):
    return next(d for d in deadlines if d.rule == "pack_sent")


def test_the_protocol_change_reaches_editor_preview_list_report_and_signed_pack(qtbot, world, tmp_path):
    from ui.main_window import MainWindow
    from ui.operations import UiApp

    prac, mgr, admin = world.ctx("prac"), world.ctx("mgr"), world.ctx("admin")
    ops.import_file(prac, _write(tmp_path, overdue_case()))

    # the practitioner has the handover open in the editor before the administrator changes anything
    win = MainWindow(UiApp(prac), lock_minutes=60)
    qtbot.addWidget(win)
    win.open_case("SD-P")
    before = win.workspace.editor.recheck_now()
    assert _pack_sent(before.deadlines).due == DUE_BEFORE and _pack_sent(before.deadlines).status == "overdue"

    done = ops.set_protocol(admin, forty_days(admin))
    assert done.changes.protocol and done.value == 1

    # the open editor: the database's protocol at the next check
    after = win.workspace.editor.recheck_now()
    assert (_pack_sent(after.deadlines).due, _pack_sent(after.deadlines).status) == (DUE_NOW, "due")
    assert not [f for f in after.findings if f.code == "overdue"]
    strip = " ".join(b.toolTip() for b in win.workspace.editor.deadlines.buttons)
    assert "30 Dec 2026" in strip and "9 Nov" not in strip and "40 working days" in strip

    # the preview, from what the editor holds
    build = ops.preview_builder(prac, win.workspace.editor.case(), "draft")
    result = build(tmp_path / "preview.pdf")
    assert result.errors == len(after.errors) == 1        # only the manager's sign-off, still to come
    text = _pdf_text((tmp_path / "preview.pdf").read_bytes(), tmp_path)
    assert "30 Dec 2026" in text and not re.search(r"\b9 Nov 2026", text)

    # the list and the overdue report
    row = next(r for r in ops.list_page(prac, "all", 0, 50) if r.case_id == "SD-P")
    assert (row.next_due, row.next_status) == (DUE_NOW.isoformat(), "due")
    report = ops.overdue_page(mgr, ops.OverdueFilter(statuses=("overdue", "late")), "due", False, 0, 100)
    assert not [i for i in report if i.id == "SD-P"]

    # authorise (the core accepts under the database's protocol) and sign: the signed pack agrees
    view = ops.open_case(prac, "SD-P")
    ops.request_authorisation(prac, "SD-P", view.summary.row_version)
    view = ops.open_case(mgr, "SD-P")
    ops.authorise(mgr, "SD-P", view.summary.row_version)
    info = ops.sign_pack(mgr, "SD-P", world.keys["manager"], PASSPHRASE).value
    assert info.kind == "final" and info.signers == "Max Manager"
    _, pdf = ops.signed_pack_for(mgr, "SD-P")
    signed = _pdf_text(pdf, tmp_path)
    assert "30 Dec 2026" in signed and not re.search(r"\b9 Nov 2026", signed)
    checked = ops.verify_pack_bytes(mgr, pdf)
    assert checked.ok and checked.content_hash == ops.open_case(mgr, "SD-P").content_hash


def test_under_the_bundled_protocol_the_same_handover_cannot_be_authorised(world, tmp_path):
    """The other half: the 40 days are what let it through, not a check that was skipped."""
    from handover.app import Invalid

    prac, mgr = world.ctx("prac"), world.ctx("mgr")
    ops.import_file(prac, _write(tmp_path, overdue_case()))
    ops.request_authorisation(prac, "SD-P", ops.open_case(prac, "SD-P").summary.row_version)   # lateness: no gate
    with pytest.raises(Invalid, match="cannot authorise: 3 errors"):
        ops.authorise(mgr, "SD-P", ops.open_case(mgr, "SD-P").summary.row_version)
    report = ops.overdue_page(mgr, ops.OverdueFilter(statuses=("overdue",)), "due", False, 0, 100)
    assert {(i.id, i.rule) for i in report} >= {("SD-P", "pack_sent")}


def test_a_refused_pack_is_an_ordinary_refusal(world, tmp_path):
    """A final pack that the checks refuse is a Refused (one line), never an exception from reportlab."""
    prac = world.ctx("prac")
    build = ops.preview_builder(prac, overdue_case(), "draft", draft=False)
    with pytest.raises(Refused, match=r"^the pack cannot be final while 4 errors remain"):
        build(tmp_path / "final.pdf")
    assert not (tmp_path / "final.pdf").exists()


def _write(tmp_path, case) -> str:
    path = tmp_path / f"{case['id']}.json"
    path.write_text(dump_case(case), encoding="utf-8")
    return str(path)

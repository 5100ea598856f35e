"""A tour of every page and dialog, as each demo role sees it: for screenshots and the layout test.

``python scripts/tour.py OUTDIR`` (``scripts/tour.sh OUTDIR`` runs it on a 1366×768 virtual screen) builds a
fresh SQLite database of demonstration data in a temporary folder (never the person's data folder),
plays a short story on it through the operations layer (a step-down prepared, authorised, signed and
sent; one returned with a reason; one awaiting authorisation; a step-up with gaps), then signs in as
each role, shows every page and dialog in turn and saves a picture of each as ``ROLE-PAGE.png``. It
writes ``report.txt`` beside them with what :func:`layout_problems` and :func:`raw_ids` found on each,
and exits non-zero on any Python exception (in a slot or in the tour itself).

The same stops drive ``tests/ui/test_layout.py``: :data:`STOPS` names them, :class:`TourWorld` makes the
data, :class:`RoleSession` shows one stop at a time and returns the windows to look at.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

# run by path (scripts/tour.py): the checkout's packages come first
_sys.path.insert(0, str(_Path(__file__).resolve().parents[1]))

import copy
import datetime as dt
import json
import os
import re
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

__all__ = ["STOPS", "ROLES", "TourWorld", "RoleSession", "layout_problems", "raw_ids", "visible_texts", "main"]

#: the tour's fixed clock (the tests' date): the pictures are the same on every run
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
PASSWORD = "demo-password"
CERT_PASSPHRASE = "tour-certificate-passphrase"

#: the cases the story makes (see TourWorld.story)
SENT = "TOUR-SD-SENT"            # sent to Early Help East with a signed pack; two versions
RETURNED = "TOUR-SD-RETURNED"    # returned by Early Help East with a reason: a draft again, banner
AWAITING = "TOUR-SD-AWAITING"    # awaiting the manager's authorisation
GAPS = "TOUR-SU-GAPS"            # a step-up draft with gaps (the findings panel has work)
FAMILY = "TOUR-SU-FAMILY"        # a family of two children (handover-case/2), with requests for information

#: the sections of a family's handover the tour shows (the family form's own, and the shared ones that
#: look different with refs)
FAMILY_SECTIONS = ("children", "household", "agencies", "information_requests", "sharing_decisions", "chronology")

SECTIONS = ("child", "household", "transition", "needs_and_risks", "child_voice", "family", "agencies",
            "chronology", "plan", "sign_off", "events")

#: role in the picture names → (demo username, what the role is)
ROLES: dict[str, tuple[str | None, str]] = {
    "start": (None, "before anyone signs in"),
    "practitioner": ("can1-prac1", "practitioner, CSC Assessment North (step-downs)"),
    "eh-practitioner": ("ehe4-prac1", "practitioner, Early Help East (step-ups)"),
    "manager": ("can1-mgr", "manager, CSC Assessment North"),
    "receiver": ("ehe4-recv1", "receiving team, Early Help East"),
    "csc-receiver": ("cfdm0-recv1", "receiving team, CSC Front Door (MASH)"),
    "admin": ("admin", "administrator"),
}

#: (role, page) of every stop, in the order the tour makes them
STOPS: tuple[tuple[str, str], ...] = (
    ("start", "signin"), ("start", "signin-error"), ("start", "first-run"),
    ("practitioner", "list"),
    *(("practitioner", f"section-{s}") for s in SECTIONS),
    ("practitioner", "new-handover"), ("practitioner", "preview"), ("practitioner", "changes"),
    ("practitioner", "lawful-basis-1"), ("practitioner", "lawful-basis-2"), ("practitioner", "lawful-basis-3"),
    ("practitioner", "lawful-basis-4"), ("practitioner", "lock"), ("practitioner", "check-answers"),
    ("eh-practitioner", "list"),
    *(("eh-practitioner", f"section-{s}") for s in SECTIONS),
    *(("eh-practitioner", f"family-{s}") for s in FAMILY_SECTIONS),
    ("manager", "list"), ("manager", "incoming"), ("manager", "dashboard"), ("manager", "dashboard-bottom"),
    ("manager", "awaiting"), ("manager", "check-answers"), ("manager", "sign"), ("manager", "send-back"),
    ("receiver", "list"), ("receiver", "incoming"), ("receiver", "accept"), ("receiver", "return"),
    ("receiver", "read-full"), ("receiver", "pack"), ("receiver", "changes"), ("receiver", "incoming-all"),
    ("csc-receiver", "incoming"),
    ("admin", "people"), ("admin", "protocol"), ("admin", "database"), ("admin", "certificates"),
)


# ================================================================ the data


@dataclass
class TourWorld:
    """A fresh demo database in ``folder`` with the story's handovers, and a certificate for the manager."""

    folder: Path
    demo_cases: int = 60
    gate: Any = None
    p12: Path | None = None

    def build(self) -> "TourWorld":
        from handover import demo
        from handover.app import Gate
        from handover.store import service as svc

        self.folder.mkdir(parents=True, exist_ok=True)
        store = svc.open_database(f"sqlite:///{self.folder / 'tour.sqlite'}").store
        demo.generate(store, self.demo_cases, today=NOW.date(), now=NOW)
        self.gate = Gate(store, clock=lambda: NOW)
        self._keys()
        self.story()
        return self

    def _keys(self) -> None:
        from handover.keys import init_ca, issue_user

        ca = self.folder / "ca"
        init_ca(ca, "Exampleton Council (demonstration)", b"tour-ca-passphrase", now=NOW - dt.timedelta(days=30))
        self.p12 = self.folder / "manager.p12"
        issue_user(ca, b"tour-ca-passphrase", self.ctx("manager").actor.display_name, "Team manager", self.p12,
                   CERT_PASSPHRASE.encode(), now=NOW - dt.timedelta(days=1))

    def ctx(self, role: str) -> Any:
        username = ROLES[role][0]
        r = self.gate.sign_in(username, PASSWORD)
        if r.context is None:
            raise RuntimeError(f"cannot sign in as {username}: {r.message}")
        return r.context

    def story(self) -> None:
        from handover.app import operations as ops
        from handover.case import load_case
        from handover.resources import resource_path

        prac, mgr, recv = self.ctx("practitioner"), self.ctx("manager"), self.ctx("receiver")
        east = next(t.id for t in ops.teams(mgr) if t.name == "Early Help East")

        def step_down(case_id: str) -> dict[str, Any]:
            c = copy.deepcopy(load_case(resource_path("examples", "step_down_complete.json")))
            c["id"] = case_id
            c["transition"]["decision_date"] = "2026-11-16"
            c["plan"]["lead_professional"]["agreed_date"] = "2026-11-17"
            c["plan"]["handover_meeting"].update(planned_date="2026-11-19", held_date="2026-11-19")
            for a in c["agencies"]:
                a["informed_date"] = "2026-11-17"
            c["family"]["consent"]["date"] = "2026-11-13"
            c["sign_off"]["prepared_by"] = {"name": prac.actor.display_name, "role": "Social worker",
                                            "date": "2026-11-17"}
            c["sign_off"].pop("sending_manager", None)
            c["events"] = {"pack_sent": None, "acknowledged": None}
            return c

        def created(ctx: Any, case: dict[str, Any]) -> Any:
            from handover.store import service as svc

            return svc.create_handover(ctx.store, ctx.actor, case, now=NOW)

        def authorised_and_signed(case_id: str) -> None:
            v = ops.open_case(prac, case_id).summary.row_version
            ops.request_authorisation(prac, case_id, v)
            v = ops.open_case(mgr, case_id).summary.row_version
            ops.authorise(mgr, case_id, v)
            ops.sign_pack(mgr, case_id, str(self.p12), CERT_PASSPHRASE)

        def sent(case_id: str) -> None:
            authorised_and_signed(case_id)
            ops.send(prac, case_id, ops.open_case(prac, case_id).summary.row_version, east)

        # sent, with two versions (the child's school changed before it went)
        case = step_down(SENT)
        s = created(prac, case)
        case["child"]["setting"] = "Exampleton Academy (Year 8)"
        ops.save(prac, SENT, case, s.row_version)
        sent(SENT)
        # returned by the receiving team: a draft again, with the reason in a banner
        created(prac, step_down(RETURNED))
        sent(RETURNED)
        ops.return_handover(recv, RETURNED, "missing_information",
                            "The GP practice and the school nurse are not in the agency network: add them, and "
                            "say who told the family about the handover meeting.",
                            ops.open_case(recv, RETURNED).summary.row_version)
        # awaiting the manager
        created(prac, step_down(AWAITING))
        ops.request_authorisation(prac, AWAITING, ops.open_case(prac, AWAITING).summary.row_version)
        # a step-up with gaps, in early help
        gaps = copy.deepcopy(load_case(resource_path("examples", "step_up_with_gaps.json")))
        gaps["id"] = GAPS
        created(self.ctx("eh-practitioner"), gaps)
        # a whole family, with a teenager in the household not yet in the handover (Review K)
        fam = copy.deepcopy(load_case(resource_path("examples", "family_step_up.json")))
        fam["id"] = FAMILY
        fam["household"].append({"ref": "p3", "name": "Jay Testcase", "relationship": "Brother",
                                 "date_of_birth": "2011-03-02", "lives_with_child": True,
                                 "parental_responsibility": False, "joined_household": None,
                                 "left_household": None, "known_to": ["police"], "risk_factors": []})
        created(self.ctx("eh-practitioner"), fam)
        # another family whose lodger is the same Alex Testcase, known to housing (SPEC section 8)
        other = copy.deepcopy(load_case(resource_path("examples", "family_step_up.json")))
        other["id"] = "TOUR-SU-OTHER"
        for child, given, nhs in zip(other["children"], ("Noor", "Zed"), ("9990000069", "9990000077")):
            child.update(given_name=given, family_name="Sample", nhs_number=nhs)
        other["household"][0].update(name="Jo Sample", date_of_birth="1992-01-01", known_to=[])
        other["household"][1].update(relationship="Lodger", known_to=["housing"])
        created(self.ctx("eh-practitioner"), other)


# ================================================================ one role's windows


def _app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance()


def settle(ms: int = 30) -> None:
    """Let queued events and timers run (layouts, lazy pages, debounced searches)."""
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop, QThread

    end = QDeadlineTimer(ms)
    while not end.hasExpired():
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        QThread.msleep(2)
    QCoreApplication.processEvents()


def wait_until(done: Callable[[], bool], timeout_ms: int = 30_000) -> bool:
    from PySide6.QtCore import QDeadlineTimer

    end = QDeadlineTimer(timeout_ms)
    while not end.hasExpired():
        if done():
            return True
        settle(20)
    return done()


class RoleSession:
    """One signed-in person's main window (or, for ``start``, nothing yet) on a screen of ``screen`` logical
    pixels. :meth:`show` puts one stop on screen and returns the windows to look at, the one to picture
    first; :meth:`dismiss` closes what that stop opened."""

    def __init__(self, world: TourWorld, role: str, screen: tuple[int, int] = (1366, 768)) -> None:
        self.world, self.role, self.screen = world, role, screen
        self.win: Any = None
        self.transient: list[Any] = []
        if ROLES[role][0] is not None:
            from ui.main_window import MainWindow
            from ui.operations import UiApp

            self.win = MainWindow(UiApp(world.ctx(role)), gate=world.gate, lock_minutes=600)
            self.win.move(0, 0)            # sized by the window itself, to the screen it is on
            self.win.show()
            settle()

    def close(self) -> None:
        self.dismiss()
        if self.win is not None:
            self.win.close()
            self.win.deleteLater()
            self.win = None
        settle()

    def dismiss(self) -> None:
        for w in self.transient:
            try:
                if hasattr(w, "cleanup"):
                    w.cleanup()
                w.close()
                w.deleteLater()
            except RuntimeError:          # already deleted by Qt
                pass
        self.transient = []
        if self.win is not None and self.win.lock_screen.is_locked:
            self.win.lock_screen.hide()
            self.win._unlocked()
        settle()

    def _keep(self, w: Any) -> Any:
        self.transient.append(w)
        return w

    def _dialog(self, d: Any) -> list[Any]:
        """Show a dialog without blocking (as ``exec`` would place it) and look at it over its window."""
        self._keep(d)
        d.show()
        settle(60)
        return [d] + ([self.win] if self.win is not None else [])

    def _window(self, w: Any) -> list[Any]:
        """A separate top-level window (pack preview, read-only handover), placed as it opens."""
        self._keep(w)
        if not w.isVisible():
            w.show()
        settle(60)
        return [w]

    # ------------------------------------------------------------ the stops

    def show(self, page: str) -> list[Any]:
        self.dismiss()
        name = "_" + page.replace("-", "_")
        if page.startswith("section-"):
            return self._section(page[len("section-"):])
        if page.startswith("family-"):
            return self._section(page[len("family-"):], FAMILY)
        if page.startswith("lawful-basis-"):
            return self._lawful_basis(int(page.rsplit("-", 1)[1]))
        return getattr(self, name)()

    # before signing in
    def _signin(self, error: str = "") -> list[Any]:
        from ui.signin import SignInDialog

        d = SignInDialog(lambda u, p: (None, error))
        d.username.setText("can1-prac1")
        if error:
            d.password.setText("wrong")
            d.try_sign_in()
        return self._dialog(d)

    def _signin_error(self) -> list[Any]:
        return self._signin("The username or password is wrong. After 5 wrong tries in a row the account is "
                            "locked for 15 minutes.")

    def _first_run(self) -> list[Any]:
        from handover.app import open_gate
        from ui.first_run import FirstRunDialog

        gate, message = open_gate(f"sqlite:///{self.world.folder / 'first-run.sqlite'}")
        if gate is None:
            raise RuntimeError(message)
        d = FirstRunDialog(gate)
        d.demo.setChecked(True)
        return self._dialog(d)

    # every role with a list
    def _list(self) -> list[Any]:
        self.win.show_list()
        self.win.nav.setCurrentRow(0)
        settle()
        return [self.win]

    def _open(self, case_id: str) -> Any:
        self.win.open_case(case_id)
        settle()
        return self.win.workspace

    def _case_for_role(self) -> str:
        return GAPS if self.role == "eh-practitioner" else RETURNED

    def _section(self, section: str, case_id: str | None = None) -> list[Any]:
        ws = self._open(case_id or self._case_for_role())
        ws.editor.show_section(section)
        settle(60)
        return [self.win]

    def _new_handover(self) -> list[Any]:
        from PySide6.QtWidgets import QInputDialog

        d = QInputDialog(self.win)
        d.setWindowTitle("New handover")
        d.setLabelText("Handover ID (from your case system):")
        return self._dialog(d)

    def _preview(self) -> list[Any]:
        self._open(RETURNED)
        self.win.preview_pack()
        p = self._keep(self.win._preview)
        wait_until(lambda: not p.busy and p.pages_shown > 0, 60_000)
        settle(100)
        return [p]

    def _changes(self) -> list[Any]:
        from ui.changes import ChangesDialog

        case_id = SENT if self.role == "receiver" else RETURNED
        return self._dialog(ChangesDialog(self.win.app, case_id, self.win))

    def _lawful_basis(self, step: int) -> list[Any]:
        from ui.dialogs.lawful_basis import LawfulBasisDialog

        ws = self._open(self._case_for_role())
        d = LawfulBasisDialog(ws.editor.case(), 0, self.win)
        out = self._dialog(d)
        if step >= 2:
            d.go_next()
        if step >= 3:
            d.without_consent.setChecked(True)
            d.go_next()
        if step >= 4:
            next(iter(d.gateway_buttons.values())).setChecked(True)
            d.reason.setPlainText("The child has told their teacher about bruising; asking the father for consent "
                                  "would put the child at greater risk.")
            d.go_next()
        settle(60)
        return out

    def _lock(self) -> list[Any]:
        self._open(self._case_for_role())
        self.win.lock()
        settle()
        return [self.win]

    # the manager
    def _awaiting(self) -> list[Any]:
        self._open(AWAITING)
        return [self.win]

    def _check_answers(self) -> list[Any]:
        """Check your answers: the practitioner's on the returned handover (its error summary refuses
        the move), the manager's on the one awaiting them (nothing stops it)."""
        from handover.app import operations as ops
        from ui.check_answers import CheckAnswersDialog

        manager = self.win.actor.role == "manager"
        self._open(AWAITING if manager else RETURNED)
        action = "authorise" if manager else "request_authorisation"
        ws = self.win.workspace
        checked = ops.check_answers(self.win.app.ctx, ws.editor.case(), action)
        d = CheckAnswersDialog(checked, can_change=bool(ws.view.can_edit), preview=lambda: None, parent=self.win)
        return self._dialog(d)

    def _sign(self) -> list[Any]:
        from ui.dialogs.sign_dialog import SignDialog

        self._open(AWAITING)
        d = SignDialog(lambda *a: None, self.win.app.now, subject=f"the authorised pack of {AWAITING}, version 1",
                       role="manager", expected_name=self.win.actor.display_name, parent=self.win)
        d.cert_edit.setText(str(self.world.p12))
        return self._dialog(d)

    def _send_back(self) -> list[Any]:
        from PySide6.QtWidgets import QInputDialog

        self._open(AWAITING)
        d = QInputDialog(self.win)
        d.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        d.setWindowTitle("Send back")
        d.setLabelText("Say why, for the sending practitioner (they see this when they open the handover):")
        return self._dialog(d)

    def _incoming(self, case_id: str | None = None, show_all: bool = False) -> list[Any]:
        page = self.win.page("incoming")
        self.win.nav.setCurrentRow(1)
        self.win.pages.setCurrentWidget(page)
        page.show_all.setChecked(show_all)
        settle()
        if case_id is None and page.model.rowCount() > 0:
            case_id = page.model.row_at(0).case_id
        if case_id is not None:
            page.open_case(case_id)
        settle(60)
        return [self.win]

    def _incoming_all(self) -> list[Any]:
        return self._incoming(SENT, show_all=True)

    def _dashboard(self, bottom: bool = False) -> list[Any]:
        page = self.win.page("dashboard")
        self.win.nav.setCurrentRow(2)
        self.win.pages.setCurrentWidget(page)
        settle(300)
        from PySide6.QtWidgets import QScrollArea

        for area in page.findChildren(QScrollArea):
            area.verticalScrollBar().setValue(area.verticalScrollBar().maximum() if bottom else 0)
        settle(60)
        return [self.win]

    def _dashboard_bottom(self) -> list[Any]:
        return self._dashboard(bottom=True)

    # the receiving team
    def _receiver_page(self) -> Any:
        self._incoming(SENT)
        return self.win.page("incoming")

    def _accept(self) -> list[Any]:
        page = self._receiver_page()
        return self._dialog(page.make_accept_dialog())

    def _return(self) -> list[Any]:
        page = self._receiver_page()
        return self._dialog(page.make_return_dialog())

    def _read_full(self) -> list[Any]:
        page = self._receiver_page()
        return self._window(page.read_full())

    def _pack(self) -> list[Any]:
        page = self._receiver_page()
        p = page.show_pack()
        if p is None:
            raise RuntimeError("no stored pack to show in Incoming")
        self._keep(p)
        wait_until(lambda: not p.busy and p.pages_shown > 0, 60_000)
        settle(100)
        return [p]

    # the administrator
    def _admin(self, tab: int) -> list[Any]:
        page = self.win.page("admin")
        self.win.pages.setCurrentWidget(page)
        page.tabs.setCurrentIndex(tab)
        settle(60)
        return [self.win]

    def _people(self) -> list[Any]:
        return self._admin(0)

    def _protocol(self) -> list[Any]:
        return self._admin(1)

    def _database(self) -> list[Any]:
        return self._admin(2)

    def _certificates(self) -> list[Any]:
        return self._admin(3)


# ================================================================ what is wrong on a screen


def _describe(w: Any) -> str:
    """A widget in words a reader can find: its class, accessible name or text, and its window."""
    bits = [type(w).__name__]
    label = ""
    for getter in ("accessibleName", "text", "title", "objectName", "windowTitle"):
        try:
            label = getattr(w, getter)()
        except (AttributeError, TypeError):
            continue
        if label:
            break
    if label:
        label = re.sub(r"<[^>]+>", "", str(label)).replace("\n", " ").strip()
        bits.append(repr(label[:60] + ("…" if len(label) > 60 else "")))
    return " ".join(bits)


def _shown(w: Any) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _clipped_by_ancestor(w: Any) -> str:
    """Where ``w`` runs past the edge of a widget that holds it (not a scroll area: that scrolls)."""
    from PySide6.QtWidgets import QAbstractScrollArea

    rect = w.rect()
    child = w
    parent = w.parentWidget()
    while parent is not None and not child.isWindow():
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            return ""
        if isinstance(parent, QAbstractScrollArea):
            return ""
        rect = rect.translated(child.pos())
        inner = parent.rect()
        over_right = rect.right() - inner.right()
        over_bottom = rect.bottom() - inner.bottom()
        if over_right > 2 or rect.left() < -2:
            return f"runs {max(over_right, -rect.left())} px past the side of {_describe(parent)}"
        if over_bottom > 2:
            return f"runs {over_bottom} px past the bottom of {_describe(parent)}"
        child, parent = parent, parent.parentWidget()
    return ""


def layout_problems(windows: list[Any], screen: tuple[int, int]) -> list[str]:
    """What a person would see wrong on these windows at a screen of ``screen`` logical pixels:

    - a window or dialog larger than the screen, or one that cannot be made as small as the screen;
    - sideways scrolling: any visible scroll area whose content is wider than it (a visible horizontal
      scroll bar, or content hidden past a scroll bar turned off);
    - a label (not word-wrapped) or a button whose text needs more width than it has, a word-wrapped
      label whose lines need more height than it has, or either running past the edge of what holds it;
    - tabs that do not fit their bar (Qt then hides some behind arrows).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QTabBar

    sw, sh = screen
    out: list[str] = []
    seen: set[int] = set()
    for top in windows:
        if top is None or not _shown(top):
            continue
        where = _describe(top)
        frame = top.frameGeometry()
        if frame.width() > sw or frame.height() > sh:
            out.append(f"{where}: the window is {frame.width()}×{frame.height()}, larger than the "
                       f"{sw}×{sh} screen")
        need = top.minimumSizeHint().expandedTo(top.minimumSize())
        if need.width() > sw or need.height() > sh:
            out.append(f"{where}: cannot be made smaller than {need.width()}×{need.height()} "
                       f"(the screen is {sw}×{sh})")
        for area in top.findChildren(QAbstractScrollArea):
            if id(area) in seen or not _shown(area) or area.window() is not top:
                continue
            seen.add(id(area))
            bar = area.horizontalScrollBar()
            if bar.maximum() > 0:
                hidden = area.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
                out.append(f"{where}: {_describe(area)} " + (
                    f"hides {bar.maximum()} px of its content past the right edge" if hidden else
                    f"scrolls sideways ({bar.maximum()} px more than it shows)"))
        for label in top.findChildren(QLabel):
            if id(label) in seen or not _shown(label) or label.window() is not top or not label.text().strip():
                continue
            seen.add(id(label))
            if label.wordWrap():
                need_h = label.heightForWidth(label.width())
                if need_h > label.height() + 2:
                    out.append(f"{where}: {_describe(label)} is cut off at the bottom (needs {need_h} px "
                               f"of height, has {label.height()})")
            else:
                need_w = label.sizeHint().width()
                if need_w > label.width() + 2:
                    out.append(f"{where}: {_describe(label)} is cut off (needs {need_w} px, has "
                               f"{label.width()})")
            clip = _clipped_by_ancestor(label)
            if clip:
                out.append(f"{where}: {_describe(label)} {clip}")
        for button in top.findChildren(QAbstractButton):
            if (id(button) in seen or not _shown(button) or button.window() is not top
                    or not button.text().strip()):
                continue
            seen.add(id(button))
            need_w = button.sizeHint().width()
            if need_w > button.width() + 2:
                out.append(f"{where}: {_describe(button)} is too narrow for its text (needs {need_w} px, "
                           f"has {button.width()})")
            clip = _clipped_by_ancestor(button)
            if clip:
                out.append(f"{where}: {_describe(button)} {clip}")
        for bar in top.findChildren(QTabBar):
            if id(bar) in seen or not _shown(bar) or bar.window() is not top:
                continue
            seen.add(id(bar))
            if bar.sizeHint().width() > bar.width() + 2:
                out.append(f"{where}: the tabs of {_describe(bar.parentWidget())} do not fit ({bar.sizeHint().width()} "
                           f"px for {bar.width()})")
    return out


def visible_texts(windows: list[Any]) -> Iterator[tuple[str, str]]:
    """(where, text) of every visible piece of text: labels, buttons, tabs, headings, cells, list items."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QGroupBox, QHeaderView, QLabel,
                                   QLineEdit, QTabBar)

    for top in windows:
        if top is None or not _shown(top):
            continue
        yield "window title", top.windowTitle()
        for w in top.findChildren(QLabel):
            if _shown(w):
                yield _describe(w), re.sub(r"<[^>]+>", " ", w.text())
        for w in top.findChildren(QAbstractButton):
            if _shown(w):
                yield _describe(w), w.text()
        for w in top.findChildren(QGroupBox):
            if _shown(w):
                yield _describe(w), w.title()
        for w in top.findChildren(QTabBar):
            if _shown(w):
                for i in range(w.count()):
                    yield "tab", w.tabText(i)
        for w in top.findChildren(QComboBox):
            if _shown(w):
                yield _describe(w), w.currentText()
        for w in top.findChildren(QLineEdit):
            if _shown(w) and w.echoMode() == QLineEdit.EchoMode.Normal:
                yield _describe(w), w.text() + " " + w.placeholderText()
        for w in top.findChildren(QAbstractItemView):
            if not _shown(w) or isinstance(w, QHeaderView) or w.model() is None:
                continue
            m = w.model()
            root = QModelIndex()
            try:
                cols = m.columnCount(root)
            except TypeError:              # a list model: one column
                cols = 1
            for c in range(min(cols, 12)):
                yield "column heading", str(m.headerData(c, Qt.Orientation.Horizontal) or "")
            for r in range(min(m.rowCount(root), 25)):
                for c in range(min(cols, 12)):
                    v = m.data(m.index(r, c, root))
                    if isinstance(v, str):
                        yield _describe(w), v


#: what a person should never read: a snake_case code, a list index, a dotted field path
_RAW = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b\w+\[\d+\]|\b[a-z_]+\.[a-z_]+(?:\.[a-z_]+)*\b"
                  r"|\b\d{4}-\d{2}-\d{2}\b")
_NOT_RAW = re.compile(r"@|://|\.(?:pdf|p12|pem|json|sqlite|csv|xlsx|png)\b|^[\w.-]+\.(?:uk|com|org)$")


def raw_ids(windows: list[Any]) -> list[str]:
    """Raw codes, field paths and ISO dates shown to people (``csc_decision``, ``household[0]``,
    ``child.name``, ``2026-06-01`` where 01/06/2026 is meant)."""
    found: dict[str, str] = {}
    for where, text in visible_texts(windows):
        for m in _RAW.finditer(text or ""):
            word = m.group(0)
            start = max(0, m.start() - 30)
            context = text[start:m.end() + 30]
            if _NOT_RAW.search(context) or re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", word):
                continue
            found.setdefault(word, f"{where}: “{word}” in “…{context.strip()}…”")
    return list(found.values())


# ================================================================ the tour itself


@dataclass
class Failures:
    """Every exception the tour met: in a slot (through sys.excepthook) or in a stop."""

    items: list[str] = field(default_factory=list)

    def hook(self, kind: type, value: BaseException, tb: Any) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        self.items.append(text)
        print(text, file=sys.stderr, flush=True)


def _no_blocking(said: list[str]) -> None:
    """Message boxes are noted in the report instead of waiting for a click."""
    from PySide6.QtWidgets import QMessageBox

    for name in ("information", "warning", "critical", "question"):
        def shown(parent: Any, title: str, text: str, *a: Any, _n: str = name, **k: Any) -> Any:
            said.append(f"{_n}: {title}: {text}")
            return QMessageBox.StandardButton.Ok
        setattr(QMessageBox, name, staticmethod(shown))


def _grab(windows: list[Any]) -> Any:
    """The screen as the person sees it (on a real X screen), else the window's own picture."""
    from PySide6.QtGui import QGuiApplication

    app = _app()
    top = windows[0]
    screen = QGuiApplication.primaryScreen()
    if app.platformName() == "xcb" and screen is not None:
        top.raise_()
        settle(60)
        pix = screen.grabWindow(0)
        if not pix.isNull():
            return pix
    return top.grab()


def run_tour(out: Path | None, *, screen: tuple[int, int], suffix: str = "", only: set[str] | None = None,
             results: Path | None = None) -> int:
    """Every stop: pictures in ``out`` (unless None), ``report.txt`` there, and ``results`` (JSON: each
    stop's layout problems, raw ids, message boxes and exceptions) for the layout test."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Transition handovers (tour)")
    app.setOrganizationName("handover-tour")
    failures = Failures()
    sys.excepthook = failures.hook
    said: list[str] = []
    _no_blocking(said)
    ratio = app.primaryScreen().devicePixelRatio() if app.primaryScreen() else 1.0
    report: list[str] = [f"Tour on a {screen[0]}×{screen[1]} screen (logical pixels; device pixel ratio {ratio}), "
                         f"platform {app.platformName()}", ""]
    found: dict[str, dict[str, list[str]]] = {}
    pictures = 0
    with tempfile.TemporaryDirectory(prefix="handover-tour-") as tmp:
        world = TourWorld(Path(tmp) / "data").build()
        session: RoleSession | None = None
        for role, page in STOPS:
            if only and role not in only and f"{role}-{page}" not in only:
                continue
            if session is None or session.role != role:
                if session is not None:
                    session.close()
                session = RoleSession(world, role, screen)
            name = f"{role}-{page}"
            before, said_before = len(failures.items), len(said)
            problems: list[str] = []
            ids: list[str] = []
            try:
                windows = session.show(page)
                problems = layout_problems(windows, screen)
                ids = raw_ids(windows)
                if out is not None:
                    _grab(windows).save(str(out / f"{name}{suffix}.png"))
                    pictures += 1
            except Exception:  # noqa: BLE001 — a failing stop is reported and fails the tour
                failures.hook(*sys.exc_info())
            found[name] = {"layout": problems, "raw_ids": ids, "messages": said[said_before:],
                           "exceptions": failures.items[before:]}
            report.append(f"== {name}{suffix}.png ({ROLES[role][1]})")
            report += [f"  layout: {p}" for p in problems]
            report += [f"  raw id: {p}" for p in ids]
            report += [f"  message box: {m}" for m in said[said_before:]]
            if len(failures.items) > before:
                report.append(f"  EXCEPTION: {len(failures.items) - before} (see the end)")
            print(f"{name}: {len(problems)} layout, {len(ids)} raw ids", flush=True)
        if session is not None:
            session.close()
        world.gate.store.close()
    if failures.items:
        report += ["", "== exceptions"] + failures.items
    if results is not None:
        results.write_text(json.dumps({"screen": list(screen), "stops": found}, indent=1), encoding="utf-8")
    if out is not None:
        (out / f"report{suffix}.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
        print(f"{pictures} pictures in {out}; report in {out / f'report{suffix}.txt'}", flush=True)
    print(f"{len(failures.items)} exception(s)", flush=True)
    return 1 if failures.items else 0


def _private_environment(home: Path) -> None:
    """Everything the app writes (settings, data folder, logs) goes under ``home``."""
    os.environ["HOME"] = str(home)
    for var, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        os.environ[var] = str(home / sub)
    os.environ.pop("HANDOVER_DB", None)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="scripts/tour.py", description=__doc__.split("\n\n")[0])
    p.add_argument("outdir", type=Path, nargs="?", help="where the pictures go (none: no pictures)")
    p.add_argument("--results", type=Path, help="write each stop's findings here (JSON), for the layout test")
    p.add_argument("--only", action="append", help="a role, or ROLE-PAGE (repeatable)")
    args = p.parse_args(argv)
    # a name of digits and hex letters only: mkdtemp's random part can hold "_", and the folder shows on
    # the certificates page, where "ab_cd" reads to the raw-id check as a code
    import secrets

    home = Path(tempfile.gettempdir()) / f"handover-tour-home-{os.getpid()}-{secrets.token_hex(4)}"
    home.mkdir(mode=0o700)
    _private_environment(home)
    try:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([sys.argv[0]])
        screen = app.primaryScreen()
        geo = screen.availableGeometry()
        ratio = screen.devicePixelRatio()
        suffix = "" if abs(ratio - 1.0) < 0.01 else f"-{round(ratio * 100)}"
        if args.outdir is not None:
            args.outdir.mkdir(parents=True, exist_ok=True)
        return run_tour(args.outdir, screen=(geo.width(), geo.height()), suffix=suffix,
                        only=set(args.only or ()) or None, results=args.results)
    finally:
        import shutil

        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

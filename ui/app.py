"""The desktop app: QApplication, first run, sign-in, the main window.

``handover gui`` and ``handover-gui`` both come here. The window holds no business rule: every
decision is an operation of :mod:`handover.app` (the gate before sign-in, then the signed-in context).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["run_app", "main"]

#: time.perf_counter() when a smoke run's window was on screen (read by the start-up benchmark)
shown_at: float | None = None


class _Opening:
    """Opens the database, and imports what the main window needs, on a thread of its own, so the first
    window (sign-in) shows while SQLAlchemy and the store load (about half a second that the person
    spends typing their name). ``get()`` waits for it; the thread touches no widget."""

    def __init__(self, db_url: str | None, *, preload_window: bool = True) -> None:
        import threading

        self._db_url = db_url
        self._preload_window = preload_window
        self._error: BaseException | None = None
        self.message = ""
        self.gate: Any = None
        self.first_run = False
        self._thread = threading.Thread(target=self._run, name="open-database", daemon=True)

    def start(self) -> None:
        """Begin opening (once). Started after the sign-in window is up, so the two do not share the start."""
        if self._thread.ident is None:
            self._thread.start()

    def _run(self) -> None:
        try:
            from handover.app import open_gate

            self.gate, self.message = open_gate(self._db_url)
            if self.gate is not None:
                self.first_run = self.gate.first_run_needed()
                if self._preload_window:
                    import argon2  # noqa: F401 — the password check's library, before the first sign-in
                    import ui.main_window  # noqa: F401 — module code only: no widget is made off the GUI thread
        except BaseException as e:  # noqa: BLE001 — handed to the GUI thread by get()
            self._error = e

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def get(self) -> "_Opening":
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self

    @property
    def usable(self) -> bool:
        return self.gate is not None

    @property
    def ready_to_sign_in(self) -> bool:
        """Opened, and someone exists to sign in as (not a first run)."""
        return self.usable and not self.first_run


def run_app(db_url: str | None = None, smoke: bool | str = False, argv: list[str] | None = None) -> int:
    """The app. ``smoke=True`` shows the main window (first page of the list painted) and quits;
    ``smoke="signin"`` shows the first window a person sees (sign-in) and quits: both for benchmarks."""
    import os

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    install_failure_boundary()
    app.setApplicationName("Transition handovers")
    app.setOrganizationName("handover")
    opening = _Opening(db_url, preload_window=smoke is not True)

    def cannot_open() -> int:
        message = opening.message or "the database cannot be opened"
        if smoke:
            print(f"handover gui: {message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "The database cannot be opened", message)
        return 2

    if smoke is True:
        # Start to an interactive window with the first page of the list painted, then quit: for benchmarks.
        if not opening.get().usable:
            return cannot_open()
        from ui.main_window import MainWindow
        from ui.operations import UiApp

        gate = opening.gate
        win = MainWindow(UiApp(gate.smoke_context()), gate=gate)
        win.show()
        QTimer.singleShot(0, app.quit)
        app.exec()
        _mark_shown()
        print(f"smoke: window shown, {win.case_list.model.total_text()} listed")
        return 0

    from ui.signin import SignInDialog

    app.setQuitOnLastWindowClosed(False)   # signing out closes the window but not the app
    early = True                           # the first sign-in shows while the database is still opening
    while True:
        interrupted: list[bool] = []

        def authenticate(username: str, password: str, dialog: Any = None) -> tuple[Any, str]:
            o = opening.get()
            if not o.ready_to_sign_in:
                interrupted.append(True)
                QTimer.singleShot(0, dialog.reject)
                return None, "Just a moment: the database is not ready for signing in."
            r = o.gate.sign_in(username, password)
            return r.context, r.message

        if early and opening.done:
            early = False                  # opened already (or failed): go the plain way
        if not early:
            if not opening.get().usable:
                return cannot_open()
            from ui.first_run import ensure_first_user

            if not ensure_first_user(opening.gate):
                return 0
            opening.first_run = False
        dialog = SignInDialog(lambda u, p: authenticate(u, p, dialog))
        if os.environ.get("HANDOVER_GUI_USER"):  # for screenshots and demos on a virtual screen
            dialog.username.setText(os.environ["HANDOVER_GUI_USER"])
        if early:
            QTimer.singleShot(0, opening.start)

            def check_opened() -> None:
                if opening.done and dialog.isVisible() and not opening.ready_to_sign_in:
                    interrupted.append(True)
                    dialog.reject()        # the loop goes on the plain way: an error, or first run

            watch = QTimer(dialog)
            watch.timeout.connect(check_opened)
            watch.start(25)
        if smoke == "signin":
            QTimer.singleShot(0, lambda: (_mark_shown(), dialog.reject()))
            dialog.exec()
            opening.get()                  # the database finishes opening before the process ends
            print("smoke: sign-in shown")
            return 0
        accepted = dialog.exec() == dialog.DialogCode.Accepted
        was_early, early = early, False
        if was_early and interrupted:
            continue
        if not accepted:
            return 0
        from ui.main_window import MainWindow
        from ui.operations import UiApp

        win = MainWindow(UiApp(dialog.user), gate=opening.gate)
        win.show()
        win.installEventFilter(_QuitOnClose(app))
        app.exec()
        if not win.signed_out:
            return 0
        win.deleteLater()


def install_failure_boundary() -> None:
    """The app's last line: an unexpected failure in any slot is told in one line (never its message,
    which may hold a child's data), logged without case data, and the app carries on; work is saved on
    every change, so nothing typed before it is lost."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from handover.app.errors import log_failure

    def hook(kind: type, value: BaseException, tb: Any) -> None:
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            sys.__excepthook__(kind, value, tb)
            return
        value.__traceback__ = tb
        path = log_failure(value)
        where = f" Details, without case data, are in {path}." if path else ""
        parent = QApplication.activeWindow()
        QMessageBox.critical(parent, "Something went wrong",
                             f"Something went wrong in the app ({kind.__name__}); please report it. Everything "
                             f"up to your last change is saved.{where}")

    sys.excepthook = hook


def _mark_shown() -> None:
    import time

    global shown_at
    shown_at = time.perf_counter()


def _QuitOnClose(app: Any) -> Any:  # noqa: N802 - builds a QObject; Qt is imported only when the app runs
    """Ends the event loop when the main window closes, whether to quit or to sign out."""
    from PySide6.QtCore import QEvent, QObject

    class QuitOnClose(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Close:
                app.quit()
            return False

    return QuitOnClose(app)


def main() -> Any:
    import argparse

    p = argparse.ArgumentParser(prog="handover-gui")
    p.add_argument("--db", metavar="URL")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--smoke-signin", action="store_true")
    args = p.parse_args()
    sys.exit(run_app(db_url=args.db, smoke="signin" if args.smoke_signin else args.smoke))

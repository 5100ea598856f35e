"""The desktop app: QApplication, first run, sign-in, the main window.

``handover gui`` and ``handover-gui`` both come here. The window holds no business rule: every
decision is a call into ``handover.*`` through :mod:`ui.services`.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["run_app", "main"]


def run_app(db_url: str | None = None, smoke: bool = False, argv: list[str] | None = None) -> int:
    import os

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from handover.store.database import open_database

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Transition handovers")
    app.setOrganizationName("handover")
    opened = open_database(db_url)
    if not opened.ok or opened.store is None:
        if smoke:
            print(f"handover gui: {opened.message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "The database cannot be opened", opened.message)
        return 2
    from ui.services import AppServices

    services = AppServices(opened.store)
    if smoke:
        # Start to an interactive window with the first page of the list painted, then quit: for benchmarks.
        from ui.main_window import MainWindow

        actor = services.smoke_actor()
        win = MainWindow(services, actor)
        win.show()
        QTimer.singleShot(0, app.quit)
        app.exec()
        print(f"smoke: window shown, {win.case_list.model.total} handovers listed")
        return 0

    from ui.first_run import ensure_first_user
    from ui.main_window import MainWindow
    from ui.signin import SignInDialog

    if not ensure_first_user(services):
        return 0
    app.setQuitOnLastWindowClosed(False)   # signing out closes the window but not the app
    while True:
        dialog = SignInDialog(services.authenticate)
        if os.environ.get("HANDOVER_GUI_USER"):  # for screenshots and demos on a virtual screen
            dialog.username.setText(os.environ["HANDOVER_GUI_USER"])
        if dialog.exec() != dialog.DialogCode.Accepted:
            return 0
        win = MainWindow(services, dialog.user)
        win.show()
        win.installEventFilter(_QuitOnClose(app))
        app.exec()
        if not win.signed_out:
            return 0
        win.deleteLater()


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
    args = p.parse_args()
    sys.exit(run_app(db_url=args.db, smoke=args.smoke))

"""Demo: open the editor on a case file. ``python -m ui.editor resources/examples/step_up_with_gaps.json``

Options: ``--as-of YYYY-MM-DD``, ``--read-only``, ``--section ID`` (page to show first),
``--screenshot FILE`` (save a picture of the window and quit; works offscreen too).
Changes are not written anywhere: storage is the main window's business.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from handover.case import CaseError, load_case


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ui.editor", description="Open the case editor on a case file.")
    ap.add_argument("case", help="a handover-case/1 JSON file")
    ap.add_argument("--as-of", type=date.fromisoformat, default=None, help="check as of this date (default today)")
    ap.add_argument("--read-only", action="store_true", help="open as a frozen (authorised) version")
    ap.add_argument("--section", default=None, help="section to show first")
    ap.add_argument("--focus", default=None, help="a finding path to focus, e.g. agencies[0].sharing_basis")
    ap.add_argument("--screenshot", default=None, help="save a PNG of the window and quit")
    ap.add_argument("--size", default="1440x900", help="window size, WIDTHxHEIGHT")
    args = ap.parse_args(argv)
    try:
        case = load_case(args.case)
    except CaseError as e:
        print(f"handover: {e}", file=sys.stderr)
        return 2

    from ui.editor import CaseEditor
    from ui.qt import QApplication, QMainWindow, QTimer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    win = QMainWindow()
    editor = CaseEditor(as_of=args.as_of, read_only=args.read_only)
    editor.load_case(case)
    editor.set_read_only(args.read_only)
    # stand-in for the database: pretend every change is saved at once
    editor.changed.connect(lambda _case: editor.set_saved_at(datetime.now()))
    win.setCentralWidget(editor)
    w, h = (int(x) for x in args.size.lower().split("x"))
    win.resize(w, h)
    win.setWindowTitle(f"Handover editor · {case.get('id', '')}")
    win.show()
    if args.section:
        editor.show_section(args.section)
    if args.focus:
        editor.focus_path(args.focus)
    if args.screenshot:
        def shoot() -> None:
            win.grab().save(args.screenshot)
            app.quit()

        QTimer.singleShot(400, shoot)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())

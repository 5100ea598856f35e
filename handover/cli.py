"""The ``handover`` command (SPEC.md section 6).

Exit status: 0 nothing wrong; 1 the command worked and found errors; 2 unusable input or arguments,
with a one-line message on stderr and no traceback. Each family of subcommands registers itself from
its own module (``cli_store``, ``cli_pack``); heavy imports happen inside the handlers, so that
``handover check`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any, Callable, NoReturn, Sequence

__all__ = ["main", "UsageError", "parse_date_arg", "load_inputs", "EXIT_OK", "EXIT_FOUND", "EXIT_USAGE"]

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Unusable input or arguments: printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def parse_date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


# ---------------------------------------------------------------- check


def load_inputs(args: argparse.Namespace) -> tuple[dict[str, Any], Any]:
    """The case file and the optional --protocol of a command, or a UsageError naming the problem."""
    from handover.case import CaseError, load_case
    from handover.protocol import ProtocolError, load_protocol

    try:
        case = load_case(args.case)
        protocol = load_protocol(args.protocol) if args.protocol else None
    except (CaseError, ProtocolError) as e:
        raise UsageError(str(e)) from None
    return case, protocol


def _cmd_check(args: argparse.Namespace) -> int:
    from handover.checks import check_case

    case, protocol = load_inputs(args)
    as_of = args.as_of or date.today()
    result = check_case(case, as_of, protocol)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_check_text(result))
    return EXIT_OK if result.complete else EXIT_FOUND


def format_check_text(result: Any) -> str:
    """The plain-English report: findings grouped by section, then the deadlines."""
    from handover.vocab import vocab

    v = vocab()
    lines = [f"Handover {result.case_id or '(no id)'} — {v.label('directions', result.direction)}",
             f"Checked as of {result.as_of.isoformat()}: "
             f"{len(result.errors)} error(s), {len(result.warnings)} warning(s)."]
    if result.complete:
        lines.append("Complete: nothing blocks a final pack.")
    for _sid, title, findings in result.by_section():
        lines.append("")
        lines.append(f"{title}")
        for f in findings:
            mark = "ERROR  " if f.is_error else "warning"
            lines.append(f"  {mark} {f.message}  [{f.code} at {f.path}]")
    if result.deadlines:
        lines.append("")
        lines.append("Deadlines")
        for d in result.deadlines:
            due = d.due.isoformat() if d.due else "—"
            status = d.status.replace("_", " ")
            extra = f", {d.working_days_overdue} working day(s) over" if d.working_days_overdue else ""
            done = f", done {d.done.isoformat()}" if d.done else ""
            lines.append(f"  {d.rule.replace('_', ' '):<26} due {due:<10}  {status}{extra}{done}")
    return "\n".join(lines)


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="handover", description="Step-up and step-down handovers: check, pack, sign, store.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    c = sub.add_parser("check", help="check a case file for what is missing, wrong or late")
    c.add_argument("case", metavar="CASE.json")
    c.add_argument("--as-of", type=parse_date_arg, help="the date to check against (default: today)")
    c.add_argument("--protocol", metavar="FILE", help="a local protocol file (default: the bundled one)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(handler=_cmd_check)

    from handover import cli_pack, cli_store

    cli_pack.register(sub)
    cli_store.register(sub)

    g = sub.add_parser("gui", help="the desktop app")
    g.add_argument("--db", metavar="URL")
    g.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    g.set_defaults(handler=_cmd_gui)
    return p


def _cmd_gui(args: argparse.Namespace) -> int:
    import os

    if sys.platform.startswith("linux") and not any(os.environ.get(v) for v in
                                                    ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise UsageError("the desktop app needs a display (run it on a desktop, or under xvfb-run)")
    import importlib

    try:  # the core never imports the app; the command hands over to it by name
        app = importlib.import_module("ui.app")
    except ImportError as e:  # a missing Qt system library is an environment problem, said in one line
        raise UsageError(f"the desktop app cannot start: {e}") from None
    return app.run_app(db_url=args.db, smoke=args.smoke)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UsageError as e:
        print(f"handover: {e}".replace("handover: handover", "handover"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("handover: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

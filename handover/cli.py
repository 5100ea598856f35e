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

    if args.stored is not None or args.db is not None:
        result = _check_stored(args)
    else:
        if args.case is None:
            raise UsageError("check: the case file is required (or --db URL --stored ID)")
        case, protocol = load_inputs(args)
        result = check_case(case, args.as_of or date.today(), protocol)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_check_text(result))
    return EXIT_OK if result.complete else EXIT_FOUND


def _check_stored(args: argparse.Namespace) -> Any:
    """``check --db URL --stored ID``: the current version of a stored handover as the signed-in user (on
    SQLite and the owner's URL, the local user as the command line's system actor), with the store's
    ``known_elsewhere`` and ``re_referral`` findings (SPEC section 8)."""
    if args.stored is None or args.case is not None or args.protocol:
        raise UsageError("check: --stored ID goes with --db, instead of a case file and --protocol")
    from handover.cli_store import _actor, _now, _open
    from handover.store.elsewhere import check_stored
    from handover.store.errors import ServiceError

    store = _open(args)
    try:
        return check_stored(store, _actor(), args.stored, now=_now(), as_of=args.as_of)
    except ServiceError as e:
        raise UsageError(str(e)) from None
    finally:
        store.close()


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
            what = d.rule.replace('_', ' ')
            if getattr(d, "agency_type", None):   # a request for information: which agency was asked
                what = f"{what} ({d.agency_name or v.label('agency_types', d.agency_type)})"
            lines.append(f"  {what:<26} due {due:<10}  {status}{extra}{done}")
    return "\n".join(lines)


# ---------------------------------------------------------------- upgrade


def _cmd_upgrade(args: argparse.Namespace) -> int:
    """A handover-case/1 file as handover-case/2 (SPEC.md section 7.1), written whole or not at all."""
    from handover.case import CaseError, dump_case, load_case
    from handover.family import is_v2, upgrade_report
    from handover.files import atomic_output

    try:
        case = load_case(args.case)
    except CaseError as e:
        raise UsageError(str(e)) from None
    was_v2 = is_v2(case)
    upgraded, unmatched = upgrade_report(case)
    with atomic_output(args.output, error=UsageError, what="the upgraded case") as f:
        f.write(dump_case(upgraded).encode("utf-8"))
    for path, name in unmatched:
        print(_one_line(f"handover: note: {path} names {name!r}, who matches nobody in the household: kept as "
                        "written; `handover check` reports it"), file=sys.stderr)
    if was_v2:
        print("handover: note: the file is already handover-case/2; written unchanged", file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="handover", description="Step-up and step-down handovers: check, pack, sign, store.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    c = sub.add_parser("check", help="check a case file for what is missing, wrong or late")
    c.add_argument("case", metavar="CASE.json", nargs="?")
    c.add_argument("--as-of", type=parse_date_arg, help="the date to check against (default: today)")
    c.add_argument("--protocol", metavar="FILE", help="a local protocol file (default: the bundled one)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--db", metavar="URL", help="with --stored: the team database (default: HANDOVER_DB, then the "
                   "local file)")
    c.add_argument("--stored", metavar="ID", help="check a stored handover instead of a file, with what other "
                   "stored handovers know (known_elsewhere)")
    c.set_defaults(handler=_cmd_check)

    u = sub.add_parser("upgrade", help="write a handover-case/1 file as handover-case/2 (a whole family)")
    u.add_argument("case", metavar="CASE.json")
    u.add_argument("-o", "--output", metavar="OUT.json", required=True, help="where to write the upgraded file")
    u.set_defaults(handler=_cmd_upgrade)

    from handover import cli_pack, cli_store

    cli_pack.register(sub)
    cli_store.register(sub)
    from handover import cli_letter

    cli_letter.register(sub)

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


#: arguments that name a file the command reads: a FIFO there would block the command for ever, and
#: ``/dev/zero`` would never end, so anything but a regular file is refused before the command starts
_INPUT_ARGS = ("case", "protocol", "pack", "sign", "cert", "trust")


def _refuse_unreadable_inputs(args: argparse.Namespace) -> None:
    from handover.files import require_regular_file

    for name in _INPUT_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            require_regular_file(value, what="a file", error=UsageError, folders=False)


def _one_line(text: str, limit: int = 1000) -> str:
    """A message as one line: line breaks and other control characters as spaces, not endless."""
    import re

    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failure(e: BaseException) -> str:
    """One line for an unexpected failure, with no case data in it (no statement parameters, no values)."""
    import errno

    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    if isinstance(e, DBAPIError):
        orig = e.orig if e.orig is not None else e
        # the driver's own first line (never the statement or its parameters, which hold children's data;
        # PostgreSQL puts the row it refused on a later DETAIL line)
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        if e.connection_invalidated or "connection" in first.lower() or "server" in first.lower():
            return (f"the connection to the database was lost ({_one_line(first, 200)}): the command stopped, "
                    "and its unfinished change was not saved")
        return f"the database refused the change ({_one_line(first, 200)}); nothing was written"
    if isinstance(e, SQLAlchemyError):
        return f"the database failed ({type(e).__name__}); nothing was written"
    if isinstance(e, OSError):
        where = f" ({e.filename})" if getattr(e, "filename", None) else ""
        if e.errno == errno.ENOSPC:
            return f"no space left on the disk{where}: free some space and try again"
        return f"{e.strerror or type(e).__name__}{where}"
    if isinstance(e, MemoryError):
        return "not enough memory for this input"
    if isinstance(e, RecursionError):
        return "the input is nested too deeply"
    log = _log_failure(e)
    return (f"internal error ({type(e).__name__}): please report it"
            + (f"; details, without case data, in {log}" if log else ""))


def _log_failure(e: BaseException) -> str | None:
    from handover.failures import log_failure

    return log_failure(e)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        _refuse_unreadable_inputs(args)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UsageError as e:
        print(_one_line(f"handover: {e}".replace("handover: handover", "handover")), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("handover: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 — SPEC section 6: one line on stderr, never a traceback
        print(f"handover: {_failure(e)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

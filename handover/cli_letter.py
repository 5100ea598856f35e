"""`handover letter CASE.json --request N -o LETTER.pdf`: a request for information as a one-page letter to
the agency asked (:mod:`handover.pack.letter`).

Exit status: 0 written; 2 unusable input (no such request, a request with no date sent or no priority the
protocol knows, an unwritable output), one line on stderr. Reportlab loads inside the handler.
"""

from __future__ import annotations

import argparse

from handover.cli import EXIT_OK, UsageError, load_inputs

__all__ = ["register"]


def _cmd_letter(args: argparse.Namespace) -> int:
    from handover.files import atomic_output, check_output_path
    from handover.pack.errors import PackError
    from handover.pack.letter import request_letter, sending_service

    check_output_path(args.output, error=UsageError, what="the letter")
    case, protocol = load_inputs(args)
    council = (args.council or "").strip() or sending_service(case)
    if not council:
        raise UsageError("the handover names no service it comes from: say who the letter is from with --council NAME")
    try:
        pdf = request_letter(case, args.request - 1, protocol=protocol, council=council)
    except PackError as e:
        raise UsageError(str(e)) from None
    with atomic_output(args.output, error=UsageError, what="the letter") as f:
        f.write(pdf)
    return EXIT_OK


def _request_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a request number (the first request is 1)")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("letter", help="print a request for information as a one-page letter to the agency")
    p.add_argument("case", metavar="CASE.json")
    p.add_argument("--request", type=_request_number, required=True, metavar="N",
                   help="which request for information, counting from 1 in the order the handover lists them")
    p.add_argument("-o", "--output", metavar="LETTER.pdf", required=True, help="where to write the letter")
    p.add_argument("--council", metavar="NAME",
                   help="who the letter is from (default: the service the handover comes from)")
    p.add_argument("--protocol", metavar="FILE", help="a local protocol file (default: the bundled one)")
    p.set_defaults(handler=_cmd_letter)

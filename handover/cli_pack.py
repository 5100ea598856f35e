"""`handover pack`, `sign`, `verify`, `extract` and `keys`: the signed PDF handover pack (SPEC.md sections 5,
6 and 9).

Exit status: 0 done / all signatures intact (and trusted, with --trust); 1 a final pack refused for its
errors, a broken, altered or untrusted signature, or a carried case file that does not match the content
hash; 2 unusable input (wrong passphrase, expired or non-signing certificate, unwritable output, a PDF
that is not a pack, a pack that carries no case file to extract), one line on stderr.
Heavy libraries load inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from handover.cli import EXIT_FOUND, EXIT_OK, UsageError, load_inputs, parse_date_arg

__all__ = ["register"]


def _passphrase(path: str | None, prompt: str, *, confirm: bool = False) -> bytes:
    """From --passphrase-file, else a prompt on the terminal; never from the command line itself."""
    from handover.keys import KeysError, read_passphrase_file

    if path:
        try:
            return read_passphrase_file(path)
        except KeysError as e:
            raise UsageError(str(e)) from None
    if not sys.stdin.isatty():
        raise UsageError(f"{prompt.rstrip(': ').lower()} needed: give it with a passphrase file "
                         "(no terminal to ask on)")
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise UsageError("the two passphrases differ")
    if not first:
        raise UsageError("the passphrase is empty")
    return first.encode("utf-8")


# ---------------------------------------------------------------- pack


def _cmd_pack(args: argparse.Namespace) -> int:
    from handover.pack.errors import PackError, PackRefused

    if args.sign and args.draft:
        raise UsageError("a draft pack cannot be signed: drop --draft or --sign")
    if args.passphrase_file and not args.sign:
        raise UsageError("--passphrase-file is for --sign")
    case, protocol = load_inputs(args)
    as_of = args.as_of or date.today()
    pdf_password = (_passphrase(args.encrypt_passphrase_file, "Password for the PDF: ", confirm=True)
                    if args.encrypt_passphrase_file is not None else None)
    passphrase = None
    if args.sign:
        from handover.keys import KeysError, check_signing_cert, load_p12

        passphrase = _passphrase(args.passphrase_file, f"Passphrase for {Path(args.sign).name}: ")
        try:  # refuse a bad certificate before building anything
            check_signing_cert(load_p12(args.sign, passphrase).cert, _now())
        except KeysError as e:
            raise UsageError(str(e)) from None

    from handover.pack.build import build_pack
    from handover.pack.fileio import check_output_path

    out = Path(args.output)
    work: Path | None = None
    try:
        check_output_path(out)
        target = out
        if args.sign:
            # The unsigned pack is built in a private (0700) hidden part folder beside the output, read
            # back and the folder removed before signing, which is done in memory: the only file left
            # behind is the signed pack. A run killed while building leaves the folder; as a part file it
            # is tidied by the next write of this name once it is old (handover.files.STALE_SECONDS).
            work = Path(tempfile.mkdtemp(prefix="." + out.name + ".", suffix=".part",
                                         dir=out.parent if str(out.parent) else "."))
            target = work / out.name
        result = build_pack(case, target, as_of=as_of, draft=args.draft, family_copy=args.family_copy,
                            protocol=protocol, encrypt_password=pdf_password)
        signed = None
        if args.sign:
            from handover.pack.sign import sign_pack  # cryptography's X.509 stack: only when signing

            unsigned = target.read_bytes()
            shutil.rmtree(work)
            work = None
            signed = sign_pack(unsigned, out, args.sign, passphrase, field_name=args.sign_as,
                               pdf_password=pdf_password)
    except PackRefused as e:
        print(f"handover: refused: {len(e.errors)} error{'s' if len(e.errors) != 1 else ''} must be fixed "
              f"before a final pack (or make a --draft):", file=sys.stderr)
        for f in e.errors:
            print(f"  ERROR {f.message}  [{f.code} at {f.path}]", file=sys.stderr)
        return EXIT_FOUND
    except PackError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"{out}: {e.strerror or e}") from None
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    kind = "draft" if result.draft else "final"
    if result.family_copy:
        kind += " family copy"
    line = f"Wrote {out}: {kind} pack, {result.pages} pages, {result.errors} error(s), {result.warnings} warning(s)"
    if signed:
        line += f"; signed by {signed.signer} ({signed.field_name})"
    if result.encrypted:
        line += "; password-protected"
    print(line)
    return EXIT_OK


def _now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


# ---------------------------------------------------------------- sign


def _cmd_sign(args: argparse.Namespace) -> int:
    from handover.pack.errors import PackError
    from handover.pack.sign import sign_pack

    passphrase = _passphrase(args.passphrase_file, f"Passphrase for {Path(args.cert).name}: ")
    pdf_password = (_passphrase(args.pdf_passphrase_file, "Password of the PDF: ")
                    if args.pdf_passphrase_file else None)
    out = args.output or args.pack
    try:
        r = sign_pack(args.pack, out, args.cert, passphrase, field_name=args.sign_as, reason=args.reason,
                      location=args.location, pdf_password=pdf_password)
    except PackError as e:
        raise UsageError(str(e)) from None
    print(f"Signed {out} as {r.field_name}: {r.signer}{f' ({r.role})' if r.role else ''}, "
          f"{r.signing_time.strftime('%Y-%m-%d %H:%M %Z')}")
    return EXIT_OK


# ---------------------------------------------------------------- verify


def _cmd_verify(args: argparse.Namespace) -> int:
    from handover.pack.errors import PackError
    from handover.pack.verify import format_verify_text, verify_pack

    password = _passphrase(args.passphrase_file, "Password of the PDF: ") if args.passphrase_file else None
    try:
        result = verify_pack(args.pack, args.trust, password=password)
    except PackError as e:
        raise UsageError(str(e)) from None
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(format_verify_text(result))
    return EXIT_OK if result.ok else EXIT_FOUND


# ---------------------------------------------------------------- extract


def _cmd_extract(args: argparse.Namespace) -> int:
    """The case file a pack carries (SPEC.md section 9), written byte for byte (readable by its owner only)."""
    from handover.files import atomic_output, read_input
    from handover.pack.embedded import CASE_FILE, read_embedded, sha256_of
    from handover.pack.errors import PackError

    name = Path(args.pack).name
    password = _passphrase(args.passphrase_file, "Password of the PDF: ") if args.passphrase_file else None
    data = read_input(args.pack, what="a PDF", error=UsageError)
    try:
        carried = read_embedded(data, password)
    except PackError as e:
        raise UsageError(f"{name}: {e}") from None
    if carried is None:
        raise UsageError(f"{name} carries no case file ({CASE_FILE}): it is not a handover pack, or was made "
                         "before packs carried one")
    with atomic_output(args.output, error=UsageError, what="the case file") as f:
        f.write(carried)
    print(f"Wrote {args.output}: the case file {name} carries ({len(carried)} bytes, {sha256_of(carried)})")
    return EXIT_OK


# ---------------------------------------------------------------- keys


def _cmd_keys_init(args: argparse.Namespace) -> int:
    from handover.keys import CA_CERT, KeysError, init_ca

    passphrase = _passphrase(args.passphrase_file, "New passphrase for the CA key: ", confirm=True)
    try:
        cert = init_ca(args.out, args.org, passphrase, days=args.days)
    except KeysError as e:
        raise UsageError(str(e)) from None
    print(f"Created the certificate authority for {args.org} in {args.out} "
          f"(valid to {cert.not_valid_after_utc.date().isoformat()}).")
    print(f"Give {Path(args.out) / CA_CERT} to whoever verifies packs (handover verify --trust). "
          f"Keep the folder and its passphrase safe.")
    return EXIT_OK


def _cmd_keys_issue(args: argparse.Namespace) -> int:
    from handover.keys import KeysError, issue_user

    ca_pass = _passphrase(args.ca_passphrase_file, "Passphrase of the CA key: ")
    passphrase = _passphrase(args.passphrase_file, f"New passphrase for {Path(args.out).name}: ", confirm=True)
    try:
        cert = issue_user(args.ca, ca_pass, args.name, args.role, args.out, passphrase, days=args.days,
                          email=args.email)
    except KeysError as e:
        raise UsageError(str(e)) from None
    print(f"Issued a signing certificate for {args.name} ({args.role}) in {args.out}, "
          f"valid to {cert.not_valid_after_utc.date().isoformat()}.")
    return EXIT_OK


# ---------------------------------------------------------------- parser


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the `handover` parser."""
    p = sub.add_parser("pack", help="make the PDF handover pack (optionally signed)")
    p.add_argument("case", metavar="CASE.json")
    p.add_argument("-o", "--output", required=True, metavar="PACK.pdf")
    p.add_argument("--draft", action="store_true", help="a draft watermarked DRAFT (made even with errors)")
    p.add_argument("--family-copy", action="store_true", help="leave out what the family must not see")
    p.add_argument("--as-of", type=parse_date_arg, help="the date to check against (default: today)")
    p.add_argument("--protocol", metavar="FILE", help="a local protocol file (default: the bundled one)")
    p.add_argument("--sign", metavar="CERT.p12", help="sign the pack with this certificate")
    p.add_argument("--sign-as", choices=("preparer", "manager"), help="which signature box (default: the first free)")
    p.add_argument("--passphrase-file", metavar="F", help="the certificate's passphrase (first line of F)")
    p.add_argument("--encrypt-passphrase-file", metavar="F",
                   help="protect the PDF with this password (AES-256), for sending by email")
    p.set_defaults(handler=_cmd_pack)

    s = sub.add_parser("sign", help="add a signature to a pack (the preparer, then the authorising manager)")
    s.add_argument("pack", metavar="PACK.pdf")
    s.add_argument("--cert", required=True, metavar="CERT.p12")
    s.add_argument("--passphrase-file", metavar="F")
    s.add_argument("--as", dest="sign_as", choices=("preparer", "manager"),
                   help="which signature box (default: the first free)")
    s.add_argument("-o", "--output", metavar="OUT.pdf", help="write here instead of signing in place")
    s.add_argument("--reason", help="the reason recorded in the signature")
    s.add_argument("--location", help="where it was signed")
    s.add_argument("--pdf-passphrase-file", metavar="F", help="the password of a password-protected pack")
    s.set_defaults(handler=_cmd_sign)

    v = sub.add_parser("verify", help="check a pack's signatures: who, when, intact or altered")
    v.add_argument("pack", metavar="PACK.pdf")
    v.add_argument("--trust", metavar="CA.pem", help="the certificate authority the signers must chain to")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.add_argument("--passphrase-file", metavar="F", help="the password of a password-protected pack")
    v.set_defaults(handler=_cmd_verify)

    x = sub.add_parser("extract", help="write the case file a pack carries")
    x.add_argument("pack", metavar="PACK.pdf")
    x.add_argument("-o", "--output", required=True, metavar="CASE.json")
    x.add_argument("--passphrase-file", metavar="F", help="the password of a password-protected pack")
    x.set_defaults(handler=_cmd_extract)

    k = sub.add_parser("keys", help="a local certificate authority and user certificates")
    ks = k.add_subparsers(dest="keys_command", metavar="init|issue", parser_class=type(k))
    ks.required = True
    ki = ks.add_parser("init", help="create a local organisation certificate authority")
    ki.add_argument("--org", required=True, metavar="NAME")
    ki.add_argument("--out", required=True, metavar="DIR")
    ki.add_argument("--passphrase-file", metavar="F", help="the passphrase that protects the CA key")
    ki.add_argument("--days", type=int, default=3650, help=argparse.SUPPRESS)
    ki.set_defaults(handler=_cmd_keys_init)
    kx = ks.add_parser("issue", help="issue a user's signing certificate (PKCS#12)")
    kx.add_argument("--name", required=True)
    kx.add_argument("--role", required=True)
    kx.add_argument("--ca", required=True, metavar="DIR")
    kx.add_argument("--out", required=True, metavar="FILE.p12")
    kx.add_argument("--email")
    kx.add_argument("--passphrase-file", metavar="F", help="the new certificate's passphrase")
    kx.add_argument("--ca-passphrase-file", metavar="F", help="the CA key's passphrase")
    kx.add_argument("--days", type=int, default=365)
    kx.set_defaults(handler=_cmd_keys_issue)

"""Store subcommands: import (a case, or a signed pack from another organisation), export (a case, or a
stored signed pack), overdue, demo, db init|upgrade|backup,
audit verify.

Each opens the database from ``--db`` / ``HANDOVER_DB`` / the default file (upgrading an older schema
after backing up an SQLite file). On SQLite, and with a PostgreSQL database's owner URL, it acts as the
command line's system actor (whoever holds the file, or the owner's credentials, holds the data). With a
person's PostgreSQL URL (``postgresql+psycopg://alice@host/db``) it connects as that person's own
database role and can do only what they may: the password comes from ``~/.pgpass``, ``PGPASSFILE`` or a
service file, or is asked for when the command runs in a terminal, never from the command line (where
``ps`` shows it to every local user); without one the command stops with one line. Heavy imports stay
inside the handlers so that ``handover check`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timezone
from typing import Any

from handover.cli import EXIT_FOUND, EXIT_OK, UsageError, parse_date_arg

__all__ = ["register"]


def _refusals(handler: Any) -> Any:
    """A command whose refusals by the store (or by a shared database, for a person's own role) are one
    line and exit 2, like every other unusable request."""
    import functools

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from handover.store.errors import ServiceError

        try:
            return handler(args)
        except ServiceError as e:
            raise UsageError(str(e)) from None

    return run


def _now() -> datetime:
    return datetime.now(timezone.utc)   # the CLI is the edge: it reads the clock and passes it in


def _open(args: argparse.Namespace, *, upgrade: bool = True) -> Any:
    result = _open_result(args.db, upgrade=upgrade)
    if not result.ok:
        raise UsageError(result.message)
    if result.upgraded_from:
        extra = f" (backup: {result.backup})" if result.backup else ""
        print(f"handover: upgraded the database from schema revision {result.upgraded_from}{extra}",
              file=sys.stderr)
    return result.store


def _open_result(db: str | None, *, upgrade: bool = True) -> Any:
    """open_database, asking for a PostgreSQL password at the terminal when the database wants one that
    libpq did not find (``~/.pgpass``, ``PGPASSFILE``, a service file)."""
    from handover.store import open_database
    from handover.store.engine import resolve_url

    url = resolve_url(db)
    result = open_database(url, upgrade_schema=upgrade)
    if result.status == "needs_password" and sys.stdin.isatty():
        import getpass

        from sqlalchemy.engine import make_url

        u = make_url(url)
        who = u.username or getpass.getuser()
        try:
            password = getpass.getpass(f"password for {who} on {u.host or 'localhost'}/{u.database}: ")
        except (EOFError, KeyboardInterrupt):
            raise UsageError("no password given") from None
        result = open_database(u.set(username=who, password=password).render_as_string(hide_password=False),
                               upgrade_schema=upgrade)
    return result


def _actor() -> Any:
    import getpass

    from handover.store.errors import system_actor

    try:
        name = getpass.getuser()
    except Exception:
        name = "unknown"
    return system_actor(name)


def _cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from handover.case import MAX_BYTES, CaseError, parse_case
    from handover.store.errors import ServiceError
    from handover.store.service import import_case

    p = Path(args.case)
    if _is_pdf(p):
        return _import_pack(args, p)
    if args.trust and p.exists():
        raise UsageError("--trust goes with a signed pack (a PDF), not a case file")
    try:   # read and shape-check before touching the database: a bad file writes nothing
        if p.is_file() and p.stat().st_size > MAX_BYTES:
            raise CaseError(f"{p.name} is too large (a case file is at most {MAX_BYTES // (1024 * 1024)} MB)")
        data = p.read_bytes()
        parse_case(data, p.name)
    except CaseError as e:
        raise UsageError(str(e)) from None
    except OSError as e:
        raise UsageError(f"{args.case}: {e.strerror or e}") from None
    store = _open(args)
    try:
        result = import_case(store, _actor(), data, now=_now(), source=p.name, team=args.team,
                             receiving_team=args.to_team)
    except ServiceError as e:
        raise UsageError(str(e)) from None
    finally:
        store.close()
    print(result.case_id)
    if args.verbose:
        what = "new handover" if result.created else ("unchanged" if result.unchanged else "new version")
        print(f"{what}: version {result.version}", file=sys.stderr)
    return EXIT_OK


def _is_pdf(p: Any) -> bool:
    """Whether the file starts as a PDF does (its first bytes, not its name's extension)."""
    try:
        if not p.is_file():
            return False
        with open(p, "rb") as f:
            return f.read(5) == b"%PDF-"
    except OSError:
        return False     # the case file's reading says why


def _import_pack(args: argparse.Namespace, p: Any) -> int:
    """`handover import PACK.pdf`: a signed pack from another organisation (SPEC section 9). A refused pack is
    one line and exit 1, with nothing stored; input that is no pack at all is exit 2."""
    from handover.files import read_input
    from handover.store.packs import MAX_PACK_BYTES
    from handover.store.received import NotReceived, Unusable, import_pack

    if args.to_team and args.team and args.to_team != args.team:
        raise UsageError("a received pack has one team here, the receiving one: give --team (or --to-team), once")
    data = read_input(p, what="a PDF", error=UsageError, limit=MAX_PACK_BYTES)
    store = _open(args)
    try:
        result = import_pack(store, _actor(), data, now=_now(), trust=args.trust, source=p.name,
                             receiving_team=args.team or args.to_team)
    except Unusable as e:
        raise UsageError(str(e)) from None
    except NotReceived as e:
        print(f"handover: {e}", file=sys.stderr)
        return EXIT_FOUND
    finally:
        store.close()
    print(result.case_id)
    if result.unchanged:
        print(f"unchanged: version {result.version} already holds what {p.name} carries", file=sys.stderr)
    elif args.verbose:
        print(f"new handover received: version {result.version}", file=sys.stderr)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from handover.store.errors import ServiceError
    from handover.store.service import export_document

    store = _open(args)
    try:
        if args.pack:
            data = _stored_pack(store, args)
        else:
            data = export_document(store, _actor(), args.id, now=_now(), version=args.version).encode("utf-8")
    except ServiceError as e:
        raise UsageError(str(e)) from None
    finally:
        store.close()
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return EXIT_OK
    from handover.files import write_private

    write_private(args.output, data, error=UsageError)   # a child's record: whole, and private
    return EXIT_OK


def _stored_pack(store: Any, args: argparse.Namespace) -> bytes:
    """The newest stored pack of the kind asked for (of ``--version N``, if given)."""
    from handover.store.packs import get_pack, list_packs

    actor = _actor()
    packs = [p for p in list_packs(store, actor, args.id)
             if p.kind == args.kind and (args.version is None or p.version == args.version)]
    if not packs:
        which = f" of version {args.version}" if args.version is not None else ""
        raise UsageError(f"there is no stored {args.kind} pack{which} for {args.id}")
    return get_pack(store, actor, args.id, packs[-1].id, now=_now())


def _cmd_overdue(args: argparse.Namespace) -> int:
    import json

    from handover.store.queries import OVERDUE_COLUMNS, overdue_items, team_id_by_name

    as_of = args.as_of or date.today()
    store = _open(args)
    try:
        with store.read() as s:
            team_id = None
            if args.team is not None:
                team_id = team_id_by_name(s, args.team)
                if team_id is None:
                    raise UsageError(f"there is no team called {args.team!r}")
            items = overdue_items(s, as_of, team_id)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([i.to_json() for i in items], indent=2, ensure_ascii=False))
    elif args.format == "csv":    # the app's export's neutralising: no cell a spreadsheet would run
        from handover.export import write_csv_stream

        write_csv_stream(sys.stdout, OVERDUE_COLUMNS, ([i.to_json()[c] for c in OVERDUE_COLUMNS] for i in items))
    else:
        print(_overdue_text(items, as_of))
    return EXIT_FOUND if items else EXIT_OK


def _overdue_text(items: list[Any], as_of: date) -> str:
    from handover.vocab import vocab

    if not items:
        return f"Nothing overdue or late as of {as_of.isoformat()}."
    n_over = sum(1 for i in items if i.status == "overdue")
    lines = [f"{n_over} overdue and {len(items) - n_over} late deadline(s) as of {as_of.isoformat()}", ""]
    head = ("due", "status", "days", "rule", "agency", "id", "child", "direction", "team", "state", "owner")
    rows = [(i.due.isoformat(), i.status, str(i.working_days_overdue), i.rule,
             vocab().label("agency_types", i.agency_type) if i.agency_type else "", i.id, i.child,
             i.direction, i.team, i.state, i.owner) for i in items]
    widths = [min(40, max(len(h), *(len(r[k]) for r in rows))) for k, h in enumerate(head)]
    for r in [head, *rows]:
        lines.append("  ".join(c[:40].ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def _cmd_demo(args: argparse.Namespace) -> int:
    import time

    from handover import demo
    from handover.store.errors import ServiceError

    if args.cases < 0:
        raise UsageError("--cases must be 0 or more")
    store = _open(args)
    started = time.perf_counter()
    try:
        now = _now()
        result = demo.generate(store, args.cases, today=now.date(), now=now, seed=args.seed)
    except ServiceError as e:
        raise UsageError(str(e)) from None
    finally:
        store.close()
    took = time.perf_counter() - started
    span = f" ({result.first_id} to {result.last_id})" if result.handovers else ""
    print(f"added {result.handovers} synthetic handovers{span} in {took:.1f} s to {store.display_url}")
    print(f"demo accounts (for example 'admin', 'can1-prac1', 'can1-mgr', 'ehe4-recv1') have the password "
          f"'{demo.DEMO_PASSWORD}'")
    return EXIT_OK


def _cmd_db(args: argparse.Namespace) -> int:
    from handover.store import open_database
    from handover.store.database import BackupError, backup_sqlite
    from handover.store.migrate import head_revision

    if args.action in ("init", "upgrade"):
        if args.admin and args.action != "init":
            raise UsageError("--admin goes with `db init`")
        password = _admin_password(args) if args.admin else None   # asked before anything is written
        result = _open_result(args.db, upgrade=True)
        if not result.ok:
            raise UsageError(result.message)
        assert result.store is not None
        store = result.store
        shown = store.display_url
        try:
            notes = _shared_access(store, args, password)
        finally:
            store.close()
        if result.upgraded_from is None:
            print(f"{shown} is up to date (schema revision {head_revision()})")
        elif result.upgraded_from == "":
            print(f"created {shown} (schema revision {head_revision()})")
        else:
            extra = f"; backup before upgrading: {result.backup}" if result.backup else ""
            print(f"upgraded {shown} from schema revision {result.upgraded_from} to {head_revision()}{extra}")
        for note in notes:
            print(note)
        return EXIT_OK
    store = _open(args)
    try:
        if not store.is_sqlite:
            raise UsageError("`db backup` copies SQLite files; back up PostgreSQL with pg_dump "
                             "(see docs/storage.md)")
        out = args.output or _default_backup_name(store.url)
        try:
            dest = backup_sqlite(store.engine, out)
        except BackupError as e:
            raise UsageError(str(e)) from None
    finally:
        store.close()
    print(f"backed up {store.display_url} to {dest}")
    return EXIT_OK


def _admin_password(args: argparse.Namespace) -> str:
    """The first administrator's password: typed twice at a terminal, or one line on stdin with
    ``--password-stdin``; never an argument."""
    import getpass

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        try:
            password = getpass.getpass(f"password for the administrator {args.admin}: ")
            again = getpass.getpass("the same password again: ")
        except (EOFError, KeyboardInterrupt):
            raise UsageError("no password given") from None
        if again != password:
            raise UsageError("the two passwords differ")
    else:
        raise UsageError("give the administrator's password at a terminal, or on stdin with --password-stdin")
    from handover.store.errors import Invalid
    from handover.users import check_password_rules

    try:
        check_password_rules(password)
    except Invalid as e:
        raise UsageError(str(e)) from None
    return password


def _shared_access(store: Any, args: argparse.Namespace, password: str | None) -> list[str]:
    """`db init` / `db upgrade`: on PostgreSQL, (re)install the access rules with the owner's connection and
    make the first administrator's role (``--admin``); elsewhere the first administrator's account. Lines
    to print."""
    from sqlalchemy import func, select

    from handover.store import pg_access
    from handover.store.admin import create_first_admin
    from handover.store.database import install_access
    from handover.store.errors import ServiceError
    from handover.store.models import User

    notes: list[str] = []
    try:
        if install_access(store):
            notes.append("PostgreSQL enforces access: group roles, grants, row-level security and functions are "
                         "in place (people sign in with their own database roles)")
            with store.engine.connect() as conn:
                if not pg_access.owner_can_create_roles(conn):
                    notes.append("warning: the owner role lacks CREATEROLE, so administrators cannot make people's "
                                 "database roles (ALTER ROLE ... CREATEROLE, as a superuser)")
        if args.admin:
            with store.read() as s:
                existing = s.scalar(select(User.role).where(User.username == args.admin))
                admins = s.scalar(select(func.count()).select_from(User).where(User.role == "administrator"))
            if existing == "administrator" and not store.is_sqlite:
                with store.write() as s:   # an existing database: its administrator signs in with a role now
                    if pg_access.has_role(s, args.admin):
                        notes.append(f"the administrator {args.admin} exists already: not changed")
                    else:
                        pg_access.provision_role(s, args.admin, "administrator", password=password)
                        notes.append(f"the administrator {args.admin} exists already: gave them their database "
                                     "role with this password")
            elif existing == "administrator":
                notes.append(f"the administrator {args.admin} exists already: not changed")
            elif admins:
                raise UsageError("there is already an administrator: sign in as them to add users")
            else:
                create_first_admin(store, args.admin, args.admin_name or args.admin, password or "", now=_now(),
                                   database_role=not store.is_sqlite)
                notes.append(f"created the administrator {args.admin}"
                             + ("" if store.is_sqlite else " and their database role"))
        elif not store.is_sqlite:
            with store.read() as s:
                if not s.scalar(select(func.count()).select_from(User).where(User.role == "administrator")):
                    notes.append("no administrator yet: run `handover db init --admin USERNAME` with this owner URL")
    except ServiceError as e:
        raise UsageError(str(e)) from None
    return notes


def _default_backup_name(url: str) -> str:
    from handover.store.engine import sqlite_path

    path = sqlite_path(url)
    if path is None:
        raise UsageError("give the backup file with -o FILE")
    return str(path.with_name(f"{path.name}.backup-{_now().strftime('%Y%m%d-%H%M%S')}"))


def _cmd_audit(args: argparse.Namespace) -> int:
    from handover.store.integrity import verify_store

    store = _open(args)
    try:
        report = verify_store(store, against=args.against or ())
    finally:
        store.close()
    print(report.message)
    for note in report.notes:
        print(note)
    if report.ok:
        return EXIT_OK
    for p in report.problems:
        print(f"  {p}")
    return EXIT_FOUND


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's subcommands to the `handover` parser."""
    db_help = "database URL (default: HANDOVER_DB, else a file in your data folder)"

    i = sub.add_parser("import", help="store a case file (a new handover, or a new version of one), or a signed "
                                      "pack (PDF) from another organisation as a handover received")
    i.add_argument("case", metavar="CASE.json|PACK.pdf")
    i.add_argument("--db", metavar="URL", help=db_help)
    i.add_argument("--team", metavar="NAME", help="the sending team of a new handover (created if missing); for a "
                                                  "signed pack, the receiving team (default: your own)")
    i.add_argument("--to-team", metavar="NAME", help="the receiving team of a new handover")
    i.add_argument("--trust", action="append", metavar="CA.pem",
                   help="a signed pack: the certificate authority its signers must chain to (repeatable)")
    i.add_argument("-v", "--verbose", action="store_true", help="say whether a version was added")
    i.set_defaults(handler=_refusals(_cmd_import))

    e = sub.add_parser("export", help="write a stored handover as a handover-case/1 file (or its signed pack)")
    e.add_argument("id", metavar="ID")
    e.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write ('-': stdout)")
    e.add_argument("--db", metavar="URL", help=db_help)
    e.add_argument("--version", type=int, metavar="N", help="an earlier version (default: the current one)")
    e.add_argument("--pack", action="store_true", help="write the stored signed pack (PDF) instead of the case")
    e.add_argument("--kind", choices=("final", "family", "received"), default="final",
                   help="which pack (with --pack; received: the signed pack it was imported from)")
    e.set_defaults(handler=_refusals(_cmd_export))

    o = sub.add_parser("overdue", help="every overdue or late deadline in the database")
    o.add_argument("--db", metavar="URL", help=db_help)
    o.add_argument("--as-of", type=parse_date_arg, help="the date to check against (default: today)")
    o.add_argument("--team", metavar="NAME", help="only this sending team")
    o.add_argument("--format", choices=("text", "csv", "json"), default="text")
    o.set_defaults(handler=_refusals(_cmd_overdue))

    d = sub.add_parser("demo", help="fill a database with synthetic handovers")
    d.add_argument("--db", metavar="URL", help=db_help)
    d.add_argument("--cases", type=int, default=1000, metavar="N", help="how many (default 1000)")
    d.add_argument("--seed", type=int, default=20261125, help=argparse.SUPPRESS)
    d.set_defaults(handler=_refusals(_cmd_demo))

    db = sub.add_parser("db", help="create, upgrade or back up the database (on PostgreSQL, with the owner's URL: "
                                   "also the access rules PostgreSQL enforces)")
    db.add_argument("action", choices=("init", "upgrade", "backup"))
    db.add_argument("--db", metavar="URL", help=db_help)
    db.add_argument("-o", "--output", metavar="FILE", help="backup file (default: beside the database)")
    db.add_argument("--admin", metavar="USERNAME", help="init: create the first administrator (on PostgreSQL "
                    "with their own database role); the password is asked for, or read from stdin")
    db.add_argument("--admin-name", metavar="NAME", help="init --admin: the administrator's display name")
    db.add_argument("--password-stdin", action="store_true",
                    help="init --admin: read the administrator's password from the first line of stdin")
    db.set_defaults(handler=_refusals(_cmd_db))

    a = sub.add_parser("audit", help="check the audit trail's hash chain, every version's content hash and every "
                                     "stored pack (exit 1 if anything was changed)")
    a.add_argument("action", choices=("verify",))
    a.add_argument("--db", metavar="URL", help=db_help)
    a.add_argument("--against", action="append", metavar="PACK.pdf",
                   help="a signed pack (repeatable): the trail's history up to the audit head the pack recorded at "
                        "signing must be unchanged")
    a.set_defaults(handler=_refusals(_cmd_audit))

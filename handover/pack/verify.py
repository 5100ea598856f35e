"""Verify a handover pack's signatures (pyHanko): who signed, when, and whether anything changed since.

A pack is ``ok`` when it has at least one signature, every signature is intact and cryptographically
valid, nothing but signing happened after each earlier signature, the last signature covers the whole
file (a byte appended or changed after it makes the pack *altered*), and — when a trust anchor is
given — every signer's certificate chains to it. A signature's own bytes are checked too: its
``/Contents`` must be exactly the CMS object and zero padding, and its ``/ByteRange`` must leave out
exactly that string (otherwise: :data:`CHANGED_INSIDE_SIGNATURE`). The case file the pack carries
(``handover-case.json``, SPEC.md section 9) must hash to the content hash its appendix prints; a pack
without one (made before packs carried it) is reported as such and is not failed for it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from handover.pack.embedded import CASE_FILE, NOT_CARRIED, EmbeddedCase, case_file_of, embedded_case
from handover.pack.errors import PackError

__all__ = ["SignatureInfo", "VerifyResult", "verify_pack", "CHANGED_INSIDE_SIGNATURE"]

#: the result's problem when a signature's own bytes (its /Contents string, the padding in it, or the
#: ranges it leaves unsigned) were changed: the CMS check alone reads only the DER at the front
CHANGED_INSIDE_SIGNATURE = "the file was changed after signing (inside the signature)"


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer: str                 #: certificate common name
    role: str                   #: certificate title, if any
    signing_time: dt.datetime | None
    intact: bool                #: the signed bytes are unchanged
    valid: bool                 #: the cryptographic signature checks out
    trusted: bool | None        #: chains to the trust anchor (None: no anchor given)
    coverage: str               #: ENTIRE_FILE, ENTIRE_REVISION, ...
    modification_level: str | None  #: what was done after this signature: NONE, FORM_FILLING, OTHER, ...
    ok: bool
    problems: tuple[str, ...] = ()
    organisation: str = ""      #: certificate organisation (O), if any

    @property
    def who(self) -> str:
        """Whom the certificate names, as people read it: "Sam Manager, Testshire Council"."""
        from handover.labels import name_with_organisation

        return name_with_organisation(self.signer if self.signer != "?" else "", self.organisation) or self.signer

    def to_json(self) -> dict[str, Any]:
        """The JSON of `handover verify --format json`: as it always was (``signer`` the common name)."""
        d = asdict(self)
        d.pop("organisation")
        d["signing_time"] = self.signing_time.isoformat() if self.signing_time else None
        d["problems"] = list(self.problems)
        return d


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    case_id: str
    content_hash: str
    family_copy: bool
    draft: bool
    signatures: tuple[SignatureInfo, ...]
    unsigned_fields: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())
    #: the case file the pack carries, against its content hash
    embedded_case: EmbeddedCase = NOT_CARRIED

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(s.ok for s in self.signatures)

    @property
    def status(self) -> str:
        if not self.signatures:
            return "not signed"
        return "intact" if self.ok else "altered or not trusted"

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "ok": self.ok, "status": self.status, "case_id": self.case_id,
                "content_hash": self.content_hash, "family_copy": self.family_copy, "draft": self.draft,
                "signatures": [s.to_json() for s in self.signatures],
                "unsigned_fields": list(self.unsigned_fields), "problems": list(self.problems),
                "embedded_case": self.embedded_case.to_json()}


def _damaged(path: Path, why: str) -> VerifyResult:
    return VerifyResult(path=path, case_id="", content_hash="", family_copy=False, draft=False, signatures=(),
                        unsigned_fields=(), problems=(f"the file is damaged or was altered: {why}",))


def _text(obj: Any) -> str:
    try:
        return str(obj) if obj is not None else ""
    except Exception:
        return ""


def _validation_context(trust_pem: str | Path | None):
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko_certvalidator import ValidationContext

    if trust_pem is None:
        return ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")
    try:
        roots = list(load_certs_from_pemder([str(trust_pem)]))
    except FileNotFoundError:
        raise PackError(f"{trust_pem}: no such certificate file") from None
    except (OSError, ValueError) as e:
        raise PackError(f"{trust_pem} is not a PEM or DER certificate ({type(e).__name__})") from None
    if not roots:
        raise PackError(f"{trust_pem} holds no certificate")
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def verify_pack(path: str | Path, trust_pem: str | Path | None = None, *,
                password: bytes | None = None) -> VerifyResult:
    """Check every signature of a pack. PackError when the file is not a PDF or not a handover pack."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko.sign.diff_analysis import ModificationLevel

    from handover.files import read_input

    p = Path(path)
    data = read_input(path, what="a PDF", error=PackError)
    if b"%PDF-" not in data[:1024]:
        raise PackError(f"{p.name} is not a PDF")
    looks_like_pack = b"/HandoverPack" in data
    vc = _validation_context(trust_pem)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            if password is None:
                raise PackError(f"{p.name} is password-protected; give its password to verify it")
            from pyhanko.pdf_utils.crypt import AuthStatus

            if reader.decrypt(password).status == AuthStatus.FAILED:
                raise PackError(f"wrong password for {p.name}")
        root = reader.root
        is_pack = "/HandoverPack" in root
    except PackError:
        raise
    except Exception as e:  # a damaged file: pyHanko raises PdfReadError, KeyError, ValueError...
        if looks_like_pack:
            return _damaged(p, str(e).splitlines()[0] if str(e) else type(e).__name__)
        raise PackError(f"{p.name} cannot be read as a PDF") from None
    if not is_pack:
        raise PackError(f"{p.name} is not a handover pack (made by `handover pack`)")

    meta = root["/HandoverPack"]
    def entry(key: str) -> Any:
        try:
            return meta[key] if key in meta else None
        except Exception:
            return None

    case_id = _text(entry("/CaseID"))
    chash = _text(entry("/ContentHash"))
    family = _text(entry("/Copy")) == "family"
    draft = bool(entry("/Draft"))

    kus = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    problems: list[str] = []
    try:
        fields = list(enumerate_sig_fields(reader))
        embedded = list(reader.embedded_regular_signatures)
    except Exception as e:
        return _damaged(p, str(e).splitlines()[0] if str(e) else type(e).__name__)
    unsigned = tuple(str(name) for name, value, _ref in fields if value is None)
    infos: list[SignatureInfo] = []
    last = len(embedded) - 1
    container_changed = False
    for i, sig in enumerate(embedded):
        name = str(sig.field_name)
        sig_problems: list[str] = []
        # pyHanko's CMS check reads only the DER at the front of /Contents: a change in its zero padding,
        # in the case of its hex text or around the signed ranges passes it
        why = _container_problem(data, sig, last=i == last)
        if why is not None:
            container_changed = True
            sig_problems.append(f"the signature's own bytes were changed after signing: {why}")
        try:
            with _quiet_pyhanko():
                status = validate_pdf_signature(sig, signer_validation_context=vc, key_usage_settings=kus)
        except Exception as e:  # a mangled signature container, a broken byte range...
            infos.append(SignatureInfo(field_name=name, signer="?", role="", signing_time=None, intact=False,
                                       valid=False, trusted=False if trust_pem else None, coverage="UNCLEAR",
                                       modification_level=None, ok=False,
                                       problems=(*sig_problems, f"the signature cannot be checked: "
                                                 f"{str(e).splitlines()[0] if str(e) else type(e).__name__}")))
            continue
        cert = status.signing_cert
        signer, role, organisation = _names(cert)
        coverage = status.coverage
        mod = status.modification_level
        if not status.intact:
            sig_problems.append("the signed content was changed after signing (digest mismatch)")
        elif not status.valid:
            sig_problems.append("the signature value does not match the signer's certificate")
        if i == last:
            if coverage != SignatureCoverageLevel.ENTIRE_FILE:
                sig_problems.append("content was added to the file after the last signature")
        else:
            if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
                sig_problems.append("the signature does not cover its revision of the file")
            elif mod is None or mod > ModificationLevel.FORM_FILLING or status.docmdp_ok is False:
                sig_problems.append("the file was changed after this signature other than by signing it")
        trusted = None
        if trust_pem is not None:
            trusted = bool(status.trusted)
            if not trusted and status.intact and status.valid:
                sig_problems.append("the signer's certificate is not issued by the trusted authority "
                                    "(or has expired or been revoked)")
        infos.append(SignatureInfo(
            field_name=name, signer=signer, role=role, signing_time=status.signer_reported_dt,
            intact=bool(status.intact) and why is None, valid=bool(status.valid), trusted=trusted,
            coverage=coverage.name if coverage is not None else "UNCLEAR",
            modification_level=mod.name if mod is not None else None, ok=not sig_problems,
            problems=tuple(sig_problems), organisation=organisation))
    if container_changed:
        problems.append(CHANGED_INSIDE_SIGNATURE)
    if not embedded:
        problems.append("the pack is not signed")
    elif len(data) and not _ends_cleanly(data):
        problems.append("content was added to the file after the last signature")
    carried, why_not = _carried(reader, chash)
    if why_not:
        problems.append(why_not)
    return VerifyResult(path=p, case_id=case_id, content_hash=chash, family_copy=family, draft=draft,
                        signatures=tuple(infos), unsigned_fields=unsigned, problems=tuple(problems),
                        embedded_case=carried)


def _carried(reader: Any, chash: str) -> tuple[EmbeddedCase, str | None]:
    """The case file the pack carries against its content hash, and the problem (one line) if any."""
    try:
        found = embedded_case(case_file_of(reader), chash)
    except PackError as e:      # there, but damaged or altered
        return EmbeddedCase(present=True, sha256=None, matches_content_hash=False), str(e)
    if found.present and not found.matches_content_hash:
        return found, (f"the case file the pack carries ({CASE_FILE}, {found.sha256}) does not match the content "
                       f"hash in its appendix ({chash or 'none'})")
    return found, None


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for an untrusted chain; the result already says so. Keep stderr clean."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


_HEX = re.compile(rb"(?:[0-9a-f]{2})*|(?:[0-9A-F]{2})*")


def _container_problem(data: bytes, sig: Any, *, last: bool) -> str | None:
    """Why this signature's own bytes cannot be the ones the signer wrote, or None.

    The signed ranges (``/ByteRange``) must be the standard two: from the start of the file to the
    ``/Contents`` string and from just after it to the end of the file (for the last signature) or of
    its revision, so the one gap is exactly ``<hex>``. That hex text must be plain hex digits of one
    case (a letter's case changed leaves the decoded bytes alike, but is a changed byte), decode to the
    string pyHanko read as ``/Contents``, and be exactly the DER of one CMS object followed by nothing
    but zero bytes: the padding the signer reserved. Any byte in that padding changed, or anything
    after the end, is caught here; changes inside the DER are the CMS check's.
    """
    from asn1crypto import parser

    try:
        br = [int(v) for v in sig.sig_object.raw_get("/ByteRange")]
    except Exception:
        return "its /ByteRange cannot be read"
    if len(br) != 4 or br[0] != 0 or min(br) < 0:
        return "its /ByteRange is not the standard two ranges from the start of the file"
    _zero, gap_start, gap_end, tail_len = br
    end = gap_end + tail_len
    if not gap_start < gap_end <= end <= len(data):
        return "its /ByteRange does not fit the file"
    if last and end != len(data):
        return "its /ByteRange does not reach the end of the file"
    gap = data[gap_start:gap_end]
    if len(gap) < 2 or gap[:1] != b"<" or gap[-1:] != b">":
        return "its /ByteRange leaves out more than the signature's /Contents"
    text = gap[1:-1]
    if not _HEX.fullmatch(text):
        return "its /Contents is not plain hex text"
    raw = bytes.fromhex(text.decode("ascii"))
    try:
        if raw != bytes(sig.pkcs7_content):
            return "its /ByteRange does not leave out its /Contents"
        _cls, _method, _tag, header, body, trailer = parser.parse(raw)
    except Exception:
        return "its /Contents does not hold a CMS object"
    der_len = len(header) + len(body) + len(trailer)
    if any(raw[der_len:]):
        return "the padding after the CMS object in its /Contents is not all zero bytes"
    return None


def _ends_cleanly(data: bytes) -> bool:
    """After the last signature pyHanko's coverage check covers the bytes it reads; also refuse junk
    after the final %%EOF (anything but whitespace)."""
    i = data.rfind(b"%%EOF")
    return i >= 0 and not data[i + 5:].strip()


def _names(cert) -> tuple[str, str, str]:
    """The certificate's common name, title (role) and organisation."""
    if cert is None:
        return "?", "", ""
    subject = cert.subject.native

    def one(key: str, default: str = "") -> str:
        v = subject.get(key, default)
        return str(v[0] if isinstance(v, list) and v else v)

    return one("common_name", "?"), one("title"), one("organization_name")


def format_verify_text(result: VerifyResult) -> str:
    """What `handover verify` prints."""
    kind = "family copy" if result.family_copy else "pack"
    lines = [f"{result.path.name}: handover {kind} {result.case_id or '(no id)'}"
             f"{' (DRAFT)' if result.draft else ''}, case content {result.content_hash or 'unknown'}"]
    carried = result.embedded_case
    lines.append("  carries its case file: " + ("no" if not carried.present else "yes, matches"
                                                if carried.matches_content_hash else "yes, does not match"))
    for s in result.signatures:
        when = s.signing_time.astimezone(dt.timezone.utc).strftime("%d %b %Y %H:%M UTC").lstrip("0") if s.signing_time else "?"
        role = f" ({s.role})" if s.role else ""
        state = "intact" if s.ok else "ALTERED" if not s.intact or "added" in " ".join(s.problems) else "INVALID"
        trust = "" if s.trusted is None else (", trusted" if s.trusted else ", NOT trusted")
        lines.append(f"  {s.field_name}: signed by {s.who}{role} at {when} — {state}{trust}")
        for prob in s.problems:
            lines.append(f"    {prob}")
    for name in result.unsigned_fields:
        lines.append(f"  {name}: not signed yet")
    for prob in result.problems:
        lines.append(f"  {prob}")
    lines.append("Result: " + ("signatures intact" + (" and trusted" if any(s.trusted for s in result.signatures)
                                                      else "") if result.ok else
                               "NOT signed" if not result.signatures else "FAILED — do not rely on this pack"))
    return "\n".join(lines)

"""Sign a handover pack: a PAdES signature appended as an incremental update (pyHanko).

The pack is built with empty signature fields placed in the boxes of its sign-off page (see
:data:`handover.pack.SIGNATURE_FIELDS`); signing fills one of them, so the preparer and then the
authorising manager can each sign the same file and both signatures stay verifiable.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from handover.keys import KeysError, check_signing_cert, load_p12
from handover.pack import SIGNATURE_FIELDS
from handover.pack.errors import PackError
from handover.pack.fileio import atomic_output, check_output_path

__all__ = ["SignResult", "sign_pack", "pack_fields"]

_STAMP_TEXT = "Digitally signed by %(who)s\n%(role)s\n%(when)s\nReason: %(reason)s"


@dataclass(frozen=True)
class SignResult:
    path: Path
    field_name: str
    signer: str          #: the certificate's common name
    role: str            #: the certificate's title (role), if any
    signing_time: dt.datetime
    organisation: str = ""   #: the certificate's organisation (O), if any

    @property
    def who(self) -> str:
        """Whom the certificate names, as people read it: "Sam Manager, Testshire Council"."""
        from handover.labels import name_with_organisation

        return name_with_organisation(self.signer, self.organisation) or self.signer


def _pdfdoc_safe(text: str) -> str:
    """The stamp uses a standard PDF font: keep Latin-1 letters, fold anything else to its base letter."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(base or "?")
    return "".join(out)


def _open_writer(f, password: bytes | None):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError

    try:
        w = IncrementalPdfFileWriter(f, strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        raise PackError("this file is not a readable PDF") from None
    if w.prev.encrypted:
        if password is None:
            raise PackError("the pack is password-protected; give its password to sign it")
        from pyhanko.pdf_utils.crypt import AuthStatus

        try:
            result = w.encrypt(password)
        except Exception:  # pyHanko raises several types for a bad password or an unknown handler
            raise PackError("the pack's password is wrong") from None
        if result.status == AuthStatus.FAILED:
            raise PackError("the pack's password is wrong")
    return w


def pack_fields(reader) -> dict[str, bool]:
    """The pack's signature fields and whether each is signed; PackError when it is not a handover pack."""
    from pyhanko.sign.fields import enumerate_sig_fields

    root = reader.root
    if "/HandoverPack" not in root:
        raise PackError("this PDF is not a handover pack (made by `handover pack`)")
    return {name: value is not None for name, value, _ref in enumerate_sig_fields(reader)}


def sign_pack(in_path: str | Path | bytes, out_path: str | Path, p12_path: str | Path, passphrase: bytes | None, *,
              field_name: str | None = None, reason: str | None = None, location: str | None = None,
              timestamp: dt.datetime | None = None, pdf_password: bytes | None = None) -> SignResult:
    """Sign ``in_path`` into ``out_path`` (may be the same file) with the key in a PKCS#12 file.

    ``in_path`` may also be the pack itself (``bytes``): it is signed in memory, so an unsigned copy never
    has to be written anywhere (what `handover pack --sign` does).
    ``field_name``: which signature box to fill (``preparer`` or ``manager``); by default the first
    one not yet signed. ``timestamp``: the signing time to claim (default: now) — the certificate must
    be valid then. ``pdf_password``: for a password-protected pack.
    """
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import TextStampStyle
    from pyhanko.pdf_utils.text import TextBoxStyle

    check_output_path(out_path)
    try:
        cred = load_p12(p12_path, passphrase)
    except KeysError as e:
        raise PackError(str(e)) from None
    when = timestamp or dt.datetime.now(dt.timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    try:
        check_signing_cert(cred.cert, when)
    except KeysError as e:
        raise PackError(str(e)) from None

    from cryptography.x509.oid import NameOID

    from handover.labels import name_with_organisation

    titles = cred.cert.subject.get_attributes_for_oid(NameOID.TITLE)
    role = str(titles[0].value) if titles else ""
    signer_name = cred.common_name
    orgs = cred.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    organisation = str(orgs[0].value) if orgs else ""
    # the signature's appearance names the signer as people write it: "Sam Manager, Testshire Council"
    # (never an RFC 4514 string, which is what a certificate without a common name gives otherwise)
    cns = cred.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    who = name_with_organisation(str(cns[0].value) if cns else "", organisation) or signer_name

    if isinstance(in_path, (bytes, bytearray, memoryview)):
        data, in_name = bytes(in_path), "the pack"
    else:
        in_name = Path(in_path).name
        try:
            data = Path(in_path).read_bytes()
        except FileNotFoundError:
            raise PackError(f"{in_path}: no such file") from None
        except OSError as e:
            raise PackError(f"{in_path}: cannot read ({e.strerror or e})") from None
    if not data.startswith(b"%PDF-"):
        raise PackError(f"{in_name} is not a PDF")

    import io

    buf = io.BytesIO(data)
    w = _open_writer(buf, pdf_password)
    fields = pack_fields(w.prev)
    order = [name for name, _label in SIGNATURE_FIELDS]
    if field_name is None:
        free = [n for n in order if n in fields and not fields[n]]
        if not free:
            raise PackError("every signature box of this pack is already signed")
        field_name = free[0]
    if field_name not in fields:
        raise PackError(f"this pack has no signature box {field_name!r} (it has: {', '.join(fields) or 'none'})")
    if fields[field_name]:
        raise PackError(f"the {field_name!r} signature box is already signed")

    signer = _signer(cred)
    reason = reason or ("Prepared the handover" if field_name == "preparer" else "Authorised the handover")
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, location=location,
                                        name=signer_name, md_algorithm="sha256",
                                        subfilter=SigSeedSubFilter.PADES)
    style = TextStampStyle(stamp_text=_STAMP_TEXT, border_width=0,
                           text_box_style=TextBoxStyle(font_size=8))
    pdf_signer = _FixedTimeSigner(meta, signer=signer, stamp_style=style, system_time=when)
    params = {"who": _pdfdoc_safe(who), "role": _pdfdoc_safe(role),
              "when": when.astimezone(dt.timezone.utc).strftime("%d %b %Y %H:%M UTC").lstrip("0"),
              "reason": _pdfdoc_safe(reason)}
    with atomic_output(out_path) as out:
        try:
            pdf_signer.sign_pdf(w, existing_fields_only=True, appearance_text_params=params, output=out)
        except PackError:
            raise
        except Exception as e:  # pyHanko's SigningError and friends: report, never a traceback
            raise PackError(f"signing failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    return SignResult(path=Path(out_path), field_name=field_name, signer=signer_name, role=role,
                      signing_time=when, organisation=organisation)


def _signer(cred):
    """pyHanko's signer from the credential load_p12 has already decrypted and checked (decrypting the
    PKCS#12 file a second time, as ``SimpleSigner.load_pkcs12_data`` would, costs as much again)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = cred.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    cert = asn1_x509.Certificate.load(cred.cert.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in cred.chain]
    return signers.SimpleSigner(signing_key=asn1_keys.PrivateKeyInfo.load(der), signing_cert=cert,
                                cert_registry=SimpleCertificateStore.from_certs(chain))


def _fixed_time_class():
    from pyhanko.sign.signers.pdf_signer import PdfSigner

    class FixedTimeSigner(PdfSigner):
        """A PdfSigner whose signing time is given, not read from the clock (STYLE.md: inject time)."""

        def __init__(self, *args, system_time: dt.datetime, **kwargs):
            super().__init__(*args, **kwargs)
            self._system_time = system_time

        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            session.system_time = self._system_time
            return session

    return FixedTimeSigner


def _FixedTimeSigner(*args, **kwargs):  # noqa: N802 — a lazy class, built when first used
    return _fixed_time_class()(*args, **kwargs)

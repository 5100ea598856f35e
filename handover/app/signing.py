"""Certificates as a person meets them: whom a PKCS#12 file names, importing a council's certificate,
a local certificate authority for small teams. Pure core (no Qt); the app's dialogs show the results.

Every expected failure is a :class:`~handover.app.errors.Refused` with one line for a person.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handover.app.errors import Refused

__all__ = ["CertificateSummary", "describe_certificate", "import_certificate", "create_authority",
           "issue_certificate", "signature_roles"]


def signature_roles() -> dict[str, str]:
    """Signature box → what the signer does, as the pack's sign-off page says it."""
    from handover.pack import SIGNATURE_FIELDS

    return dict(SIGNATURE_FIELDS)


@dataclass(frozen=True)
class CertificateSummary:
    """Whom a certificate names, in people's words (never an RFC 4514 string)."""

    name: str                  #: the certificate's common name (CN)
    role: str                  #: its title
    organisation: str          #: its organisation (O)
    expires: dt.date
    issuer: str                #: the authority that issued it: "Name, Organisation"

    @property
    def who(self) -> str:
        """The name and the organisation as people write them: "Sam Manager, Testshire Council"."""
        from handover.labels import name_with_organisation

        return name_with_organisation(self.name, self.organisation)

    def line(self) -> str:
        bits = [self.name, self.role, self.organisation]
        return " · ".join(b for b in bits if b) + f" — valid until {self.expires.strftime('%d %b %Y').lstrip('0')}"


def _pw(passphrase: str | bytes) -> bytes:
    return passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase


def _attr(name: Any, oid: Any) -> str:
    v = name.get_attributes_for_oid(oid)
    return str(v[0].value) if v else ""


def _summary(cert: Any, common_name: str) -> CertificateSummary:
    """Whom ``cert`` names and who issued it, each as "Name, Organisation" (CN, O) — never as an RFC 4514
    string ("CN=Sam Manager,O=Testshire Council"), which is what a name without a CN reads as elsewhere."""
    from cryptography.x509.oid import NameOID

    from handover.labels import name_with_organisation

    subj = cert.subject
    organisation = _attr(subj, NameOID.ORGANIZATION_NAME)
    if "=" in common_name and not _attr(subj, NameOID.COMMON_NAME):   # no CN: the RFC 4514 string
        common_name = ""
    return CertificateSummary(name=common_name or organisation or "an unnamed person",
                              role=_attr(subj, NameOID.TITLE), organisation=organisation,
                              expires=cert.not_valid_after_utc.date(),
                              issuer=name_with_organisation(_attr(cert.issuer, NameOID.COMMON_NAME),
                                                            _attr(cert.issuer, NameOID.ORGANIZATION_NAME))
                              or "an unnamed authority")


def describe_certificate(p12: str | Path, passphrase: str | bytes, at: dt.datetime) -> CertificateSummary:
    """Whom a PKCS#12 file names, checked for signing at ``at``; :class:`Refused` says in one line why
    it cannot be used (wrong passphrase, not a certificate file, expired, a CA, not for signing)."""
    from handover.keys import KeysError, check_signing_cert, load_p12

    pw = _pw(passphrase)
    if not pw:
        raise Refused("type the certificate's passphrase")
    if not str(p12).strip():
        raise Refused("choose your certificate file first")
    try:
        cred = load_p12(p12, pw)
        check_signing_cert(cred.cert, at)
    except KeysError as e:
        raise Refused(str(e)) from None
    return _summary(cred.cert, cred.common_name)


def import_certificate(src: str | Path, passphrase: str | bytes, folder: Path, at: dt.datetime
                       ) -> tuple[Path, CertificateSummary]:
    """Check a council's PKCS#12 file and keep a private copy (0600) in ``folder`` (0700)."""
    src = Path(src)
    summary = describe_certificate(src, passphrase, at)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        dest = folder / src.name
        shutil.copyfile(src, dest)
        dest.chmod(0o600)
    except OSError as e:
        raise Refused(f"the certificate could not be kept in {folder}: {e.strerror or e}") from None
    return dest, summary


def create_authority(folder: str | Path, organisation: str, passphrase: str | bytes, at: dt.datetime
                     ) -> CertificateSummary:
    """A local certificate authority for a small team (or to try the tool out)."""
    from handover.keys import KeysError, init_ca

    try:
        cert = init_ca(str(folder).strip(), organisation, _pw(passphrase), now=at)
    except KeysError as e:
        raise Refused(str(e)) from None
    from cryptography.x509.oid import NameOID

    return _summary(cert, _attr(cert.subject, NameOID.COMMON_NAME) or organisation)


def issue_certificate(authority: str | Path, authority_passphrase: str | bytes, name: str, role: str,
                      out_p12: str | Path, passphrase: str | bytes, at: dt.datetime) -> CertificateSummary:
    """A person's signing certificate from the local authority, saved as a PKCS#12 file."""
    from handover.keys import KeysError, issue_user

    try:
        cert = issue_user(str(authority).strip(), _pw(authority_passphrase), name, role, str(out_p12).strip(),
                          _pw(passphrase), now=at)
    except KeysError as e:
        raise Refused(str(e)) from None
    return _summary(cert, name.strip())

"""A local organisation certificate authority and user signing certificates (SPEC.md section 5).

Real deployments import the council's own PKCS#12 files; this is for small teams and for trying the
tool out. A CA folder holds ``ca.pem`` (the certificate, to give to whoever verifies packs) and
``ca-key.pem`` (its private key, encrypted with the CA passphrase, readable by the owner only). A
user's certificate and key go into one PKCS#12 file protected by the user's passphrase.

Every expected failure (wrong passphrase, a missing or unreadable file, an existing CA in the way)
raises :class:`KeysError`, whose ``str()`` is one line for a person.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from handover import files

__all__ = ["KeysError", "CA_CERT", "CA_KEY", "DOCUMENT_SIGNING_EKU", "init_ca", "load_ca", "issue_user",
           "load_p12", "SigningCredential", "read_passphrase_file", "write_private"]

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
#: Microsoft "Document Signing" extended key usage, recognised by Acrobat and others
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
MIN_PASSPHRASE = 8


class KeysError(ValueError):
    """A certificate or key that cannot be used; ``str()`` is one line."""


@dataclass(frozen=True)
class SigningCredential:
    """What a PKCS#12 file holds: the key, its certificate and any chain certificates."""

    key: object
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def common_name(self) -> str:
        return _cn(self.cert.subject)


def _cn(name: x509.Name) -> str:
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now(dt.timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)


def read_passphrase_file(path: str | Path) -> bytes:
    """The first line of a passphrase file, without its line ending."""
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
    except FileNotFoundError:
        raise KeysError(f"{path}: no such passphrase file") from None
    except IsADirectoryError:
        raise KeysError(f"{path} is a folder, not a passphrase file") from None
    except PermissionError:
        raise KeysError(f"{path}: permission denied") from None
    except OSError as e:
        raise KeysError(f"{path}: {e.strerror or e}") from None
    line = data.splitlines()[0] if data.splitlines() else b""
    if not line:
        raise KeysError(f"{path}: the passphrase file is empty")
    return line


def write_private(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write a file readable by its owner only (0600), atomically."""
    files.write_private(path, data, error=KeysError, overwrite=overwrite)


def _check_passphrase(passphrase: bytes, what: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeysError(f"the {what} passphrase is too short (at least {MIN_PASSPHRASE} characters)")


def init_ca(out_dir: str | Path, org: str, passphrase: bytes, *, days: int = 3650,
            now: dt.datetime | None = None) -> x509.Certificate:
    """Create a local organisation CA in ``out_dir`` (created if needed; refuses to replace a CA)."""
    org = org.strip()
    if not org:
        raise KeysError("the organisation name is empty")
    _check_passphrase(passphrase, "CA")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise KeysError(f"{out} exists and is not a folder")
    for name in (CA_CERT, CA_KEY):
        if (out / name).exists():
            raise KeysError(f"{out / name} already exists; a CA is already there (not replacing it)")
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as e:
        raise KeysError(f"{out}: cannot create the folder ({e.strerror or e})") from None
    now = _now(now)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{org} handover signing CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(passphrase))
    write_private(out / CA_KEY, key_pem, overwrite=False)
    write_private(out / CA_CERT, cert.public_bytes(serialization.Encoding.PEM), overwrite=False)
    os.chmod(out / CA_CERT, 0o644)  # the certificate is public: verifiers need it
    return cert


def load_ca(ca_dir: str | Path, passphrase: bytes) -> tuple[x509.Certificate, object]:
    """The CA certificate and its private key."""
    d = Path(ca_dir)
    try:
        cert_pem = (d / CA_CERT).read_bytes()
        key_pem = (d / CA_KEY).read_bytes()
    except FileNotFoundError as e:
        raise KeysError(f"{d} is not a CA folder ({Path(e.filename).name} is missing)") from None
    except OSError as e:
        raise KeysError(f"{d}: cannot read the CA ({e.strerror or e})") from None
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise KeysError(f"{d / CA_CERT} is not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=passphrase)
    except (ValueError, TypeError):
        raise KeysError("wrong CA passphrase (or the CA key is damaged)") from None
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        raise KeysError(f"{d}: the CA key does not match the CA certificate")
    return cert, key


def issue_user(ca_dir: str | Path, ca_passphrase: bytes, name: str, role: str, out_p12: str | Path,
               passphrase: bytes, *, days: int = 365, email: str | None = None,
               now: dt.datetime | None = None) -> x509.Certificate:
    """Issue a signing certificate for one person and write it with its key as a PKCS#12 file."""
    name, role = name.strip(), role.strip()
    if not name:
        raise KeysError("the person's name is empty")
    if not role:
        raise KeysError("the person's role is empty")
    if days < 1:
        raise KeysError("--days must be at least 1")
    _check_passphrase(passphrase, "certificate")
    ca_cert, ca_key = load_ca(ca_dir, ca_passphrase)
    now = _now(now)
    not_after = min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc)
    key = ec.generate_private_key(ec.SECP256R1())
    org_attrs = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.TITLE, role)]
    if org_attrs:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(org_attrs[0].value)))
    subject = x509.Name(attrs)
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(ca_cert.subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]),
                              critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
                              critical=False))
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    data = pkcs12.serialize_key_and_certificates(name.encode("utf-8"), key, cert, [ca_cert],
                                                 serialization.BestAvailableEncryption(passphrase))
    write_private(Path(out_p12), data)
    return cert


def load_p12(path: str | Path, passphrase: bytes | None) -> SigningCredential:
    """Read a PKCS#12 file (ours or a council's own)."""
    p = Path(path)
    data = files.read_input(path, what="a certificate file", error=KeysError)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as e:
        if "password" in str(e).lower() or "mac" in str(e).lower() or passphrase:
            raise KeysError(f"{p.name}: wrong passphrase, or not a PKCS#12 certificate file") from None
        raise KeysError(f"{p.name} is not a PKCS#12 certificate file") from None
    except TypeError:
        raise KeysError(f"{p.name} is protected by a passphrase; give it with --passphrase-file") from None
    if key is None or cert is None:
        raise KeysError(f"{p.name} does not hold both a private key and its certificate")
    return SigningCredential(key=key, cert=cert, chain=tuple(chain or ()))


def check_signing_cert(cert: x509.Certificate, at: dt.datetime) -> None:
    """Refuse a certificate that cannot sign a pack at ``at``: expired, not yet valid, or not for signing."""
    at = _now(at)
    who = _cn(cert.subject)
    if at > cert.not_valid_after_utc:
        raise KeysError(f"the certificate of {who} expired on {cert.not_valid_after_utc.date().isoformat()}")
    if at < cert.not_valid_before_utc:
        raise KeysError(f"the certificate of {who} is not valid until "
                        f"{cert.not_valid_before_utc.date().isoformat()}")
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            raise KeysError(f"the certificate of {who} is a certificate authority, not a signing certificate")
    except x509.ExtensionNotFound:
        pass
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (ku.digital_signature or ku.content_commitment):
        raise KeysError(f"the certificate of {who} is not for signing (its key usage excludes signatures)")

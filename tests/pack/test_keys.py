"""The local certificate authority and user certificates."""

from __future__ import annotations

import stat

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from handover.keys import DOCUMENT_SIGNING_EKU, KeysError, init_ca, issue_user, load_p12
from tests.pack.conftest import CA_PASS, USER_PASS


def test_ca_files_are_private_and_key_encrypted(keys):
    key = keys.dir / "ca" / "ca-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    ca = x509.load_pem_x509_certificate(keys.ca_pem.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_user_certificate(keys):
    assert stat.S_IMODE(keys.preparer.stat().st_mode) == 0o600
    cred = load_p12(keys.preparer, USER_PASS)
    cert = cred.cert
    assert cred.common_name == "Zoë Sample"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Social worker"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku and DOCUMENT_SIGNING_EKU in eku
    assert cred.chain and cred.chain[0].subject == cert.issuer


def test_wrong_passphrases(keys, tmp_path):
    with pytest.raises(KeysError, match="passphrase"):
        load_p12(keys.preparer, b"wrong-passphrase")
    with pytest.raises(KeysError, match="CA passphrase"):
        issue_user(keys.dir / "ca", b"wrong-passphrase", "A", "B", tmp_path / "a.p12", USER_PASS)
    assert not (tmp_path / "a.p12").exists()


def test_existing_ca_is_not_replaced(keys):
    before = keys.ca_pem.read_bytes()
    with pytest.raises(KeysError, match="already"):
        init_ca(keys.dir / "ca", "Another", CA_PASS)
    assert keys.ca_pem.read_bytes() == before


def test_short_passphrase_refused(tmp_path):
    with pytest.raises(KeysError, match="too short"):
        init_ca(tmp_path / "ca", "Org", b"short")

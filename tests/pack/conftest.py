"""Keys and packs made once per session: the CA, users' certificates and the example packs."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from handover.case import load_case
from handover.resources import resource_path

AS_OF = date(2026, 11, 25)
CA_PASS = b"ca-passphrase-1"
USER_PASS = b"user-passphrase-1"


@dataclass(frozen=True)
class Keys:
    dir: Path
    ca_pem: Path
    preparer: Path
    manager: Path
    expired: Path
    ca_as_signer: Path
    other_ca_pem: Path


def example(name: str) -> dict:
    return copy.deepcopy(load_case(resource_path("examples", f"{name}.json")))


def pdf_text(path: Path, password: str | None = None) -> list[str]:
    """Text of each page (pdftotext, layout off)."""
    args = ["pdftotext", "-raw", "-enc", "UTF-8"] + (["-upw", password] if password else []) + [str(path), "-"]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdfsig(path: Path, password: str | None = None) -> str:
    args = ["pdfsig"] + (["-upw", password] if password else []) + [str(path)]
    r = subprocess.run(args, capture_output=True)
    return r.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> Keys:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from handover.keys import init_ca, issue_user, load_ca

    d = tmp_path_factory.mktemp("keys")
    init_ca(d / "ca", "Exampleton Council", CA_PASS)
    issue_user(d / "ca", CA_PASS, "Zoë Sample", "Social worker", d / "zoe.p12", USER_PASS)
    issue_user(d / "ca", CA_PASS, "Priya Natt", "Team manager", d / "priya.p12", USER_PASS)
    issue_user(d / "ca", CA_PASS, "Old Cert", "Social worker", d / "expired.p12", USER_PASS, days=30,
               now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    cert, key = load_ca(d / "ca", CA_PASS)
    (d / "ca-signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"ca", key, cert, None, serialization.BestAvailableEncryption(USER_PASS)))
    init_ca(d / "other", "Elsewhere Council", CA_PASS)
    return Keys(dir=d, ca_pem=d / "ca" / "ca.pem", preparer=d / "zoe.p12", manager=d / "priya.p12",
                expired=d / "expired.p12", ca_as_signer=d / "ca-signer.p12", other_ca_pem=d / "other" / "ca.pem")


@pytest.fixture(scope="session")
def packs(tmp_path_factory, keys) -> dict[str, Path]:
    """final, draft (with errors), family copy, signed once, signed twice — made once."""
    from handover.pack import build_pack, sign_pack

    d = tmp_path_factory.mktemp("packs")
    out = {name: d / f"{name}.pdf" for name in ("final", "draft", "family", "signed1", "signed2", "step_up")}
    build_pack(example("step_down_complete"), out["final"], as_of=AS_OF)
    build_pack(example("step_up_with_gaps"), out["draft"], as_of=AS_OF, draft=True)
    build_pack(example("step_down_complete"), out["family"], as_of=AS_OF, family_copy=True)
    build_pack(example("step_up_complete"), out["step_up"], as_of=AS_OF)
    sign_pack(out["final"], out["signed1"], keys.preparer, USER_PASS)
    sign_pack(out["signed1"], out["signed2"], keys.manager, USER_PASS, field_name="manager")
    return out

"""The handover pack: a PDF built from the form definition, signed and verified (SPEC.md section 5).

In-process API for the CLI and the desktop app::

    build_pack(case, out_path, *, as_of, draft=False, family_copy=False, ...) -> PackResult
    sign_pack(in_path, out_path, p12_path, passphrase, *, field_name=None, reason=None, ...) -> SignResult
    verify_pack(path, trust_pem=None, *, password=None) -> VerifyResult
    read_embedded(pdf_bytes, password=None) -> bytes | None     the case file a pack carries (SPEC.md 9)

Expected failures are :class:`PackError` (unusable input: exit 2 in the CLI), :class:`PackRefused`
(a final pack while error findings remain: exit 1). Heavy libraries (reportlab, pyHanko) load only
when these functions are called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handover.pack.errors import PackError, PackRefused

if TYPE_CHECKING:  # pragma: no cover
    from handover.pack.build import PackResult, build_pack
    from handover.pack.sign import SignResult, sign_pack
    from handover.pack.embedded import EmbeddedCase, read_embedded
    from handover.pack.verify import SignatureInfo, VerifyResult, verify_pack

__all__ = ["PackError", "PackRefused", "build_pack", "PackResult", "sign_pack", "SignResult", "verify_pack",
           "VerifyResult", "SignatureInfo", "read_embedded", "EmbeddedCase", "SIGNATURE_FIELDS", "PACK_FORMAT"]

#: the pack's signature fields, in signing order: (field name, who signs)
SIGNATURE_FIELDS: tuple[tuple[str, str], ...] = (("preparer", "Prepared by"),
                                                 ("manager", "Authorised by (sending manager)"))
PACK_FORMAT = "handover-pack/1"

_LAZY = {"build_pack": "build", "PackResult": "build", "sign_pack": "sign", "SignResult": "sign",
         "verify_pack": "verify", "VerifyResult": "verify", "SignatureInfo": "verify",
         "read_embedded": "embedded", "EmbeddedCase": "embedded"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"handover.pack.{_LAZY[name]}"), name)
    raise AttributeError(name)

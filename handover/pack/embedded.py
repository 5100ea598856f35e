"""The case file a pack carries (SPEC.md section 9): ``handover-case.json``, embedded as an associated
file of the document (PDF/A-3 style: in the catalog's ``/AF`` with relationship ``/Source``, type
``application/json``) and listed in the ``/EmbeddedFiles`` name tree, so a PDF reader shows it as an
attachment.

The pack's finishing pass adds it before any signature, so every signature covers it. Its bytes are the
canonical JSON (:func:`handover.case.canonical_json`) of the document the pack shows — for a family copy,
the family-copy document — so their SHA-256 is the content hash the appendix prints.

Heavy libraries (pyHanko) load only when these functions are called.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from handover.case import MAX_BYTES
from handover.pack.errors import PackError

__all__ = ["CASE_FILE", "MIME_TYPE", "EmbeddedCase", "NOT_CARRIED", "embed_case", "case_file_of", "read_embedded",
           "sha256_of", "embedded_case"]

#: the embedded file's name
CASE_FILE = "handover-case.json"
MIME_TYPE = "application/json"
_MAX_TREE_DEPTH = 32            #: how deep a name tree's /Kids may go before it counts as damaged


@dataclass(frozen=True)
class EmbeddedCase:
    """What `handover verify` says of the case file a pack carries."""

    present: bool                 #: the pack carries ``handover-case.json``
    sha256: str | None            #: "sha256:<hex>" of its bytes, as the content hash is written; None when absent
    matches_content_hash: bool    #: its hash is the content hash in the pack's marker (the appendix's)

    def to_json(self) -> dict[str, Any]:
        return {"present": self.present, "sha256": self.sha256, "matches_content_hash": self.matches_content_hash}


#: a pack that carries no case file (one made before packs carried it, or a damaged file)
NOT_CARRIED = EmbeddedCase(present=False, sha256=None, matches_content_hash=False)


def sha256_of(data: bytes) -> str:
    """The hash of a case file as :func:`handover.case.content_hash` writes it: "sha256:<hex>"."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def embedded_case(data: bytes | None, content_hash: str) -> EmbeddedCase:
    """The verdict on a pack's case file (``data``, None when it carries none) against its content hash."""
    if data is None:
        return NOT_CARRIED
    digest = sha256_of(data)
    return EmbeddedCase(present=True, sha256=digest, matches_content_hash=bool(content_hash) and digest == content_hash)


def embed_case(writer: Any, data: bytes, *, description: str) -> None:
    """Add ``data`` to a pyHanko writer as the pack's ``handover-case.json`` (an associated file of the
    document, relationship Source). No dates are recorded, so the same case gives the same bytes."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file

    stream = EmbeddedFileObject.from_file_data(writer, data, params=EmbeddedFileParams(), mime_type=MIME_TYPE)
    embed_file(writer, FileSpec(file_spec_string=CASE_FILE, file_name=CASE_FILE, embedded_data=stream,
                                description=description, af_relationship=generic.pdf_name("/Source")))


def _key(obj: Any) -> str | None:
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("latin-1")
    return None


def _find(node: Any, name: str, depth: int = 0) -> Any:
    """The value of ``name`` in a PDF name tree (a flat ``/Names`` array or ``/Kids``), or None."""
    if depth > _MAX_TREE_DEPTH:
        raise PackError("the pack's list of attached files is damaged (nested too deeply)")
    if "/Names" in node:
        names = node["/Names"]
        for i in range(0, len(names) - 1, 2):
            if _key(names[i]) == name:
                return names[i + 1]
    if "/Kids" in node:
        for kid in node["/Kids"]:
            found = _find(kid.get_object(), name, depth + 1)
            if found is not None:
                return found
    return None


def case_file_of(reader: Any) -> bytes | None:
    """The bytes of the ``handover-case.json`` a pyHanko reader's document carries (decoded), or None.
    PackError when it is there but cannot be read, or is larger than a case file may be."""
    try:
        root = reader.root
        names = root["/Names"] if "/Names" in root else None
        tree = names["/EmbeddedFiles"] if names is not None and "/EmbeddedFiles" in names else None
        spec = _find(tree, CASE_FILE) if tree is not None else None
        if spec is None:
            return None
        spec = spec.get_object()
        ef = spec["/EF"]
        stream = ef["/UF"] if "/UF" in ef else ef["/F"]
        data = stream.data
    except PackError:
        raise
    except Exception as e:  # a damaged or altered stream: pyHanko raises PdfStreamError, KeyError, zlib.error...
        raise PackError(f"the case file the pack carries cannot be read "
                        f"({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    if len(data) > MAX_BYTES:
        raise PackError(f"the case file the pack carries is too large (a case file is at most "
                        f"{MAX_BYTES // (1024 * 1024)} MB)")
    return bytes(data)


def read_embedded(pdf_bytes: bytes, password: bytes | None = None) -> bytes | None:
    """The ``handover-case.json`` a PDF carries, byte for byte, or None when it carries none.

    PackError (one line, to follow the file's name: "not a PDF") when the bytes are not a readable PDF,
    when it is password-protected and no (or the wrong) ``password`` is given, or when the case file is
    there but cannot be read. Nothing is verified
    here: :func:`handover.pack.verify.verify_pack` says whether the signatures cover it.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in pdf_bytes[:1024]:
        raise PackError("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        if reader.encrypted:
            if password is None:
                raise PackError("password-protected: give its password")
            from pyhanko.pdf_utils.crypt import AuthStatus

            if reader.decrypt(password).status == AuthStatus.FAILED:
                raise PackError("wrong password")
        reader.root  # noqa: B018 — reads the catalog: a damaged file fails here, not halfway through
    except PackError:
        raise
    except Exception:  # pyHanko raises PdfReadError, KeyError, ValueError... for a damaged file
        raise PackError("cannot be read as a PDF") from None
    return case_file_of(reader)

"""The lawful basis for sharing with each agency (not the family's agreement to early help)."""

from __future__ import annotations

from typing import Iterator

from handover.checks import Context, Finding
from handover.dates import is_blank

__all__ = ["run"]


def run(ctx: Context) -> Iterator[Finding]:
    for i, a in enumerate(ctx.case.get("agencies") or []):
        if not isinstance(a, dict):
            continue
        name = a.get("name") if isinstance(a.get("name"), str) and a.get("name") else f"agency {i + 1}"
        basis = a.get("sharing_basis") if isinstance(a.get("sharing_basis"), dict) else {}
        kind = basis.get("type")
        if is_blank(kind):
            yield Finding("sharing_basis_missing", f"agencies[{i}].sharing_basis",
                          f"Record the lawful basis for sharing information with {name}: with consent, or "
                          "without consent under a named legal gateway and why.",
                          {"name": name, "agency_type": a.get("type")})
        elif kind == "without_consent" and is_blank(basis.get("gateway")):
            yield Finding("sharing_basis_missing", f"agencies[{i}].sharing_basis.gateway",
                          f"Sharing with {name} is recorded as without consent: name the legal gateway that "
                          "allows it (for example Children Act 1989 section 47, or the Data Protection Act 2018 "
                          "safeguarding condition).", {"name": name, "agency_type": a.get("type")})

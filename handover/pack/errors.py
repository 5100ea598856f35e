"""The pack's expected failures: values the CLI prints as one line and the app shows in a dialog."""

from __future__ import annotations

__all__ = ["PackError", "PackRefused"]


class PackError(ValueError):
    """Unusable input (a wrong passphrase, an expired certificate, a path that cannot be written, a PDF
    that is not a handover pack). ``str()`` is one line."""


class PackRefused(Exception):
    """A final pack refused because error findings remain; ``errors`` lists them."""

    def __init__(self, errors: tuple) -> None:
        self.errors = tuple(errors)
        n = len(self.errors)
        first = "; ".join(f"{f.message} [{f.code} at {f.path}]" for f in self.errors[:3])
        more = f"; and {n - 3} more" if n > 3 else ""
        super().__init__(f"refused: {n} error{'s' if n != 1 else ''} must be fixed before a final pack "
                         f"(or make a --draft): {first}{more}")

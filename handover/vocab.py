"""Vocabularies of the handover-case/1 and /2 formats, loaded once from ``resources/vocab.yaml``.

One vocabulary lives elsewhere: ``directions`` are the forms (``resources/forms/<direction>.yaml``),
whose long labels are the directions' labels; ``vocab().label("directions", code)`` reads them there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any


from handover.resources import load_yaml, resource_path

__all__ = ["Vocab", "vocab", "AGENCY_TYPES", "RISK_FACTORS", "GATEWAYS"]


#: the vocabulary kept in the forms rather than in vocab.yaml
_DIRECTIONS = "directions"


@dataclass(frozen=True)
class Vocab:
    raw: dict[str, Any]
    _codes: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def codes(self, name: str) -> tuple[str, ...]:
        """The codes of one vocabulary, in file order (``gateways`` included)."""
        got = self._codes.get(name)
        if got is None:
            if name == _DIRECTIONS and name not in self.raw:
                from handover.forms import directions

                return directions()
            got = self._codes[name] = tuple(str(k) for k in self.raw[name])
        return got

    def label(self, name: str, code: Any) -> str:
        """What a person reads for a code; the code itself when it is not in the vocabulary."""
        if name == _DIRECTIONS and name not in self.raw:
            from handover.labels import direction_long_label

            return direction_long_label(code) if code in self.codes(name) else str(code)
        entry = self.raw.get(name, {}).get(str(code)) if isinstance(code, (str, int)) else None
        if isinstance(entry, dict):
            return str(entry.get("label", code))
        return str(entry) if entry is not None else str(code)

    def explanation(self, gateway: str) -> str:
        entry = self.raw["gateways"].get(gateway)
        return entry["explanation"] if isinstance(entry, dict) else ""

    def has(self, name: str) -> bool:
        return name in self.raw or name == _DIRECTIONS

    def shows_code(self, name: str | None) -> bool:
        """Whether people read this vocabulary's codes before their labels ("2B Drug misuse")."""
        return name in self.raw.get("shown_with_codes", ())

    @property
    def transition_services(self) -> tuple[str, ...]:
        return tuple(self.raw["transition_services"])

    @property
    def duty_to_share(self) -> frozenset[str]:
        """Agency types with the duty to share information for safeguarding (Children Act 2004, s.16LA)."""
        return frozenset(self.raw.get("duty_to_share", ()))

    @property
    def expected_agencies(self) -> dict[str, Any]:
        return self.raw["expected_agencies"]


@cache
def vocab() -> Vocab:
    with open(resource_path("vocab.yaml"), encoding="utf-8") as f:
        raw = load_yaml(f)
    # YAML reads "20" and 1A alike as strings only when quoted; normalise every key to str.
    norm = {k: ({str(c): v for c, v in val.items()} if isinstance(val, dict) and k != "expected_agencies" else val)
            for k, val in raw.items()}
    return Vocab(norm)


AGENCY_TYPES: tuple[str, ...] = vocab().codes("agency_types")
RISK_FACTORS: tuple[str, ...] = vocab().codes("risk_factors")
GATEWAYS: tuple[str, ...] = vocab().codes("gateways")

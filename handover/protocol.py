"""The local protocol: the timescale of each deadline rule, per direction, and the bank-holiday region.

Loaded from ``resources/protocols/default.yaml`` or a council's own copy; validated strictly so that a
typo in an administrator's file is refused with a message rather than silently changing deadlines.

The rules of step-down and step-up are SPEC.md's (:data:`RULES`): a file changes only their timescale
and basis. A direction a council added (a form of its own, ``resources/forms/<direction>.yaml``) has no
rules unless its protocol gives them, each naming its own ``starts`` and ``done``: date fields of that
direction's form. A direction without rules has no deadlines. What a rule is called is not the
protocol's to change: see ``rules`` in ``resources/labels.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


from handover.calendar import REGIONS
from handover.labels import join
from handover.resources import load_yaml, resource_path

__all__ = ["Rule", "Protocol", "ProtocolError", "RULES", "REQUEST_RULE", "RequestTimescales", "load_protocol",
           "parse_protocol", "default_protocol"]

#: the rules of SPEC.md section 4, with the dates that start and stop each clock
RULES: dict[str, dict[str, tuple[str, str]]] = {
    "step_down": {
        "lead_professional_agreed": ("transition.decision_date", "plan.lead_professional.agreed_date"),
        "pack_sent": ("transition.decision_date", "events.pack_sent"),
        "handover_meeting": ("transition.decision_date", "plan.handover_meeting.held_date"),
        "acknowledged": ("events.pack_sent", "events.acknowledged"),
    },
    "step_up": {
        "csc_decision": ("transition.referral_date", "events.csc_decision"),
        "referrer_informed": ("events.csc_decision", "events.referrer_informed"),
        "assessment_completed": ("transition.referral_date", "events.assessment_completed"),
    },
}

#: the rule of every request for information's deadline (SPEC.md section 7.3)
REQUEST_RULE = "information_request"

MAX_WORKING_DAYS = 260  # a year of working days: anything longer is a typo
_RULE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class ProtocolError(ValueError):
    """A protocol file that cannot be used; ``str()`` is one line."""


@dataclass(frozen=True)
class Rule:
    rule: str
    starts: str
    done: str
    working_days: int
    basis: str


@dataclass(frozen=True)
class RequestTimescales:
    """Working days to answer a request for information, per priority, and where the figures come from."""

    working_days: tuple[tuple[str, int], ...]   #: (priority, days), in the vocabulary's order
    basis: str

    def days(self, priority: Any) -> int | None:
        """The working days for a priority; None for a priority not in the protocol."""
        return next((d for p, d in self.working_days if p == priority), None)

    def to_dict(self) -> dict[str, Any]:
        return {"working_days": dict(self.working_days), "basis": self.basis}


@dataclass(frozen=True)
class Protocol:
    name: str
    region: str
    rules: dict[str, tuple[Rule, ...]]
    #: this protocol's own timescales for requests for information (None: the default protocol's)
    information_requests: RequestTimescales | None = None

    def rules_for(self, direction: str) -> tuple[Rule, ...]:
        return self.rules.get(direction, ())

    @property
    def requests(self) -> RequestTimescales | None:
        """The timescales for requests for information that apply: this protocol's, else the default's."""
        if self.information_requests is not None:
            return self.information_requests
        default = default_protocol()
        return default.information_requests if default is not self else None

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "region": self.region,
               "rules": {d: [r.__dict__.copy() for r in rs] for d, rs in self.rules.items()}}
        if self.information_requests is not None:
            out["information_requests"] = self.information_requests.to_dict()
        return out

    def replace_days(self, direction: str, rule: str, working_days: int) -> "Protocol":
        """A copy with one timescale changed (validated like a file)."""
        d = self.to_dict()
        for r in d["rules"][direction]:
            if r["rule"] == rule:
                r["working_days"] = working_days
        return parse_protocol(d, self.name)


def parse_protocol(raw: Any, source: str = "protocol") -> Protocol:
    if not isinstance(raw, dict):
        raise ProtocolError(f"{source}: a protocol is a mapping with name, region and rules")
    unknown = set(raw) - {"name", "region", "rules", "information_requests"}
    if unknown:
        raise ProtocolError(f"{source}: unknown key {sorted(unknown)[0]!r}")
    region = raw.get("region", "england_wales")
    if region not in REGIONS:
        raise ProtocolError(f"{source}: region {region!r} is not one of {', '.join(REGIONS)}")
    from handover.forms import directions

    known = tuple(RULES) + tuple(d for d in directions() if d not in RULES)
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, dict):
        raise ProtocolError(f"{source}: 'rules' must map {join(known, 'and')} to lists of rules")
    rules: dict[str, tuple[Rule, ...]] = {}
    for direction, items in rules_raw.items():
        if direction not in known:
            raise ProtocolError(f"{source}: unknown direction {direction!r} under rules")
        if not isinstance(items, list):
            raise ProtocolError(f"{source}: rules.{direction} must be a list")
        seen = set()
        out = []
        for i, r in enumerate(items):
            where = f"{source}: rules.{direction}[{i}]"
            if not isinstance(r, dict):
                raise ProtocolError(f"{where} must be a mapping")
            extra = set(r) - {"rule", "starts", "done", "working_days", "basis"}
            if extra:
                raise ProtocolError(f"{where}: unknown key {sorted(extra)[0]!r}")
            name = r.get("rule")
            if direction not in RULES:
                if not isinstance(name, str) or not _RULE_NAME.fullmatch(name):
                    raise ProtocolError(f"{where}: a rule needs a 'rule' name of lower-case letters, digits and "
                                        f"_, not {name!r}")
            elif name not in RULES[direction]:
                raise ProtocolError(f"{where}: unknown rule {name!r} for {direction} "
                                    f"(one of {', '.join(RULES[direction])})")
            if name in seen:
                raise ProtocolError(f"{where}: rule {name!r} appears twice")
            seen.add(name)
            days = r.get("working_days")
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_WORKING_DAYS:
                raise ProtocolError(f"{where}: working_days for {name} must be a whole number from 0 to "
                                    f"{MAX_WORKING_DAYS}, not {days!r}")
            basis = r.get("basis")
            if not isinstance(basis, str) or not basis.strip():
                raise ProtocolError(f"{where}: {name} needs a 'basis' saying where the timescale comes from")
            if direction not in RULES:
                starts, done = _own_clock(direction, name, r, where)
            else:
                starts, done = RULES[direction][name]
            if r.get("starts", starts) != starts or r.get("done", done) != done:
                raise ProtocolError(f"{where}: {name} starts at {starts} and is done at {done}; "
                                    "only working_days and basis can change")
            out.append(Rule(name, starts, done, days, basis.strip()))
        rules[direction] = tuple(out)
    requests = _requests(raw["information_requests"], source) if raw.get("information_requests") is not None else None
    return Protocol(name=str(raw.get("name", source)), region=region, rules=rules, information_requests=requests)


def _requests(raw: Any, source: str) -> RequestTimescales:
    """The ``information_requests`` section: ``working_days`` for every priority, and a ``basis``."""
    from handover.vocab import vocab

    where = f"{source}: information_requests"
    if not isinstance(raw, dict):
        raise ProtocolError(f"{where} must be a mapping with working_days and basis")
    extra = set(raw) - {"working_days", "basis"}
    if extra:
        raise ProtocolError(f"{where}: unknown key {sorted(extra)[0]!r}")
    priorities = vocab().codes("request_priority")
    days = raw.get("working_days")
    if not isinstance(days, dict):
        raise ProtocolError(f"{where}: working_days must map {join(priorities, 'and')} to working days")
    unknown = set(map(str, days)) - set(priorities)
    if unknown:
        raise ProtocolError(f"{where}: unknown priority {sorted(unknown)[0]!r} (one of {', '.join(priorities)})")
    out = []
    for p in priorities:
        n = days.get(p)
        if p not in days:
            raise ProtocolError(f"{where}: working_days has no figure for {p}")
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_WORKING_DAYS:
            raise ProtocolError(f"{where}: working_days for {p} must be a whole number from 0 to "
                                f"{MAX_WORKING_DAYS}, not {n!r}")
        out.append((p, n))
    basis = raw.get("basis")
    if not isinstance(basis, str) or not basis.strip():
        raise ProtocolError(f"{where} needs a 'basis' saying where the timescales come from")
    return RequestTimescales(tuple(out), basis.strip())


def _own_clock(direction: str, name: str, r: dict[str, Any], where: str) -> tuple[str, str]:
    """A rule of a council's own direction: its ``starts`` and ``done``, date fields of that form."""
    from handover.forms import load_form

    form = load_form(direction)
    out = []
    for k in ("starts", "done"):
        path = r.get(k)
        f = form.field_at(path) if isinstance(path, str) else None
        if f is None or f.type != "date":
            raise ProtocolError(f"{where}: {name} needs {k!r}, a date field of the {direction} form, not {path!r}")
        out.append(path)
    return out[0], out[1]


def load_protocol(path: str | Path) -> Protocol:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProtocolError(f"{path}: cannot read the protocol ({getattr(e, 'strerror', None) or e})") from None
    import yaml

    try:
        raw = load_yaml(text)
    except yaml.YAMLError as e:
        raise ProtocolError(f"{p.name} is not valid YAML or JSON: {str(e).splitlines()[0]}") from None
    return parse_protocol(raw, p.name)


@cache
def default_protocol() -> Protocol:
    return load_protocol(resource_path("protocols", "default.yaml"))

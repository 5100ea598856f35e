"""Small synthetic cases for storage tests (no real personal data)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from argon2 import PasswordHasher

from handover.case import blank_case

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def step_down(case_id: str = "SD-1", decision: str | None = "2026-11-02", **events: Any) -> dict[str, Any]:
    c = blank_case("step_down", case_id)
    c["child"].update(given_name="Ada", family_name="Example", date_of_birth="2019-03-04")
    c["transition"]["decision_date"] = decision
    for k, v in events.items():
        c["events"][k] = v
    return c


def step_up(case_id: str = "SU-1", referral: str | None = "2026-11-02", **events: Any) -> dict[str, Any]:
    c = blank_case("step_up", case_id)
    c["child"].update(given_name="Ben", family_name="Sample")
    c["transition"]["referral_date"] = referral
    for k, v in events.items():
        c["events"][k] = v
    return c


def _shifted(value: Any, days: int) -> Any:
    """Every ISO date in a document moved by ``days``."""
    import re
    from datetime import date, timedelta

    if isinstance(value, dict):
        return {k: _shifted(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_shifted(v, days) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    return value


def complete_step_down(case_id: str = "SD-1") -> dict[str, Any]:
    """A step-down that the checks find no error in as of NOW once a manager signs it: the shipped
    complete example moved to a decision on 2026-11-23, before the pack is sent or the meeting held."""
    import json
    from datetime import date

    from handover.resources import resource_path

    c = json.loads(resource_path("examples/step_down_complete.json").read_text(encoding="utf-8"))
    c = _shifted(c, (date(2026, 11, 23) - date.fromisoformat(c["transition"]["decision_date"])).days)
    c["id"] = case_id
    c["child"].update(given_name="Ada", family_name="Example")
    c["events"] = {"pack_sent": None, "acknowledged": None}
    c["plan"]["lead_professional"]["agreed_date"] = None
    c["plan"]["handover_meeting"]["held_date"] = None
    c["sign_off"]["sending_manager"] = {"name": "", "date": None}
    c["sign_off"]["receiving"] = {"name": "", "date": None, "decision": None, "reason": ""}
    for a in c["agencies"]:
        if a.get("informed_date") and a["informed_date"] > "2026-11-25":
            a["informed_date"] = "2026-11-24"
    return c

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

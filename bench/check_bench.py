"""Checking one typical and one large case (60 agencies, 500 chronology entries), against json.loads."""

from __future__ import annotations

import json
from datetime import date

from bench.core import Row, example_with, median_seconds, paired_medians
from handover.case import parse_case
from handover.checks import check_case
from handover.resources import resource_path


def large_case() -> dict:
    return example_with(agencies=60, chronology=500)


def run() -> list[Row]:
    as_of = date(2026, 11, 20)
    typical = resource_path("examples", "step_down_complete.json").read_text(encoding="utf-8")
    large = json.dumps(large_case())
    rows = []
    for name, text in (("typical", typical), ("large", large)):
        ours, floor = paired_medians(lambda: check_case(parse_case(text), as_of), lambda: json.loads(text), runs=9)
        rows.append(Row(f"check a {name} case (parse + check)", ours, floor, "report; typical ≪ 16 ms"))
        doc = parse_case(text)
        ours = median_seconds(lambda: check_case(doc, as_of), runs=9)
        rows.append(Row(f"re-check a {name} case (as the editor does)", ours, None, "typical ≪ 16 ms"))
    return rows

"""Checking one typical and one large case (60 agencies, 500 chronology entries), against json.loads; and a
family of 8 children of the same size (handover-case/2) against the single child."""

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
    return run_single() + run_family()


def run_single() -> list[Row]:
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


def family_case(children: int = 8, agencies: int = 60, chronology: int = 500) -> dict:
    """The family example (handover-case/2) grown to ``children`` children, each moving, with the agencies
    and chronology repeated to the given lengths and every request for information kept."""
    import copy

    doc = json.loads(resource_path("examples", "family_step_up.json").read_text(encoding="utf-8"))
    big = copy.deepcopy(doc)
    kids = []
    for i in range(children):
        c = copy.deepcopy(doc["children"][i % len(doc["children"])])
        c["ref"] = f"c{i + 1}"
        c["given_name"] = f"{c['given_name']}{i + 1}"
        kids.append(c)
    big["children"] = kids
    refs = [c["ref"] for c in kids] + [m["ref"] for m in doc["household"]]
    big["agencies"] = []
    for i in range(agencies):
        a = copy.deepcopy(doc["agencies"][i % len(doc["agencies"])])
        a["involved_with"] = [refs[i % len(refs)]]
        big["agencies"].append(a)
    big["chronology"] = []
    for i in range(chronology):
        e = copy.deepcopy(doc["chronology"][i % len(doc["chronology"])])
        if "about" in e:
            e["about"] = [refs[i % len(refs)]]
        big["chronology"].append(e)
    return big


def run_family() -> list[Row]:
    """Issue 16: a family of 8 children, 60 agencies and 500 chronology entries re-checks within one frame
    (16 ms); the single child's large case, measured in the same run, is the floor."""
    as_of = date(2026, 11, 20)
    single = parse_case(json.dumps(large_case()))
    family = parse_case(json.dumps(family_case()))
    floor = median_seconds(lambda: check_case(single, as_of), runs=9)
    ours = median_seconds(lambda: check_case(family, as_of), runs=9)
    return [Row("re-check a family of 8 (60 agencies, 500 entries)", ours, floor,
                "one frame: < 16 ms; floor: one child, same size")]


"""Timing helpers: medians of several runs, and the table the benchmarks print."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable


def example_with(agencies: int, chronology: int) -> dict:
    """The complete step-down example with its agencies and chronology repeated to the given lengths."""
    import copy
    import json

    from handover.resources import resource_path

    doc = json.loads(resource_path("examples", "step_down_complete.json").read_text(encoding="utf-8"))
    big = copy.deepcopy(doc)
    big["agencies"] = [copy.deepcopy(doc["agencies"][i % len(doc["agencies"])]) for i in range(agencies)]
    big["chronology"] = [copy.deepcopy(doc["chronology"][i % len(doc["chronology"])]) for i in range(chronology)]
    return big


def median_seconds(fn: Callable[[], object], runs: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def paired_medians(a: Callable[[], object], b: Callable[[], object], runs: int = 7,
                   warmup: int = 1) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` run alternately (a, b, a, b, …), so that a machine whose speed drifts
    during the run (seen here: the same command 0.8 s one minute and 1.5 s the next) slows both alike."""
    for _ in range(warmup):
        a()
        b()
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(runs):
        for fn, acc in ((a, ta), (b, tb)):
            t = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


@dataclass
class Row:
    what: str
    ours: float            # seconds (or MB for memory rows)
    floor: float | None    # the floor / the alternative, same unit
    goal: str
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours / self.floor if self.floor else None


def fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "s":
        return f"{v * 1000:.2f} ms" if v < 1 else f"{v:.2f} s"
    return f"{v:.1f} {unit}"


def print_table(rows: list[Row]) -> None:
    w = max(len(r.what) for r in rows) + 2
    print(f"{'what':<{w}}{'ours':>12}{'floor/alt':>14}{'ratio':>9}  goal")
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio else "—"
        print(f"{r.what:<{w}}{fmt(r.ours, r.unit):>12}{fmt(r.floor, r.unit):>14}{ratio:>9}  {r.goal}"
              + (f"  ({r.note})" if r.note else ""))

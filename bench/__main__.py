"""Run every benchmark and print one table: ``python -m bench [--quick]``."""

from __future__ import annotations

import argparse
import importlib

from bench.core import print_table

BENCHES = ["check_bench", "store_bench", "pack_bench", "ui_bench"]


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--quick", action="store_true", help="smaller datasets (10,000 handovers instead of 100,000)")
    p.add_argument("--only", nargs="*", help="benchmark modules to run")
    args = p.parse_args()
    rows = []
    for name in args.only or BENCHES:
        try:
            mod = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as e:
            print(f"({name}: not available: {e})")
            continue
        print(f"running {name} …", flush=True)
        rows.extend(mod.run(quick=args.quick) if "quick" in mod.run.__code__.co_varnames else mod.run())
    print()
    print_table(rows)


if __name__ == "__main__":
    main()

"""CLI speed: `dbgen --help`, `dbgen new` and `copier copy` of the same template, median of N runs each.

    python bench/cli_speed.py [--runs 15]

Each run is a fresh process, as a user would start it. Targets: new <= 0.25 s and >= 3x faster than
copier; --help <= 0.15 s. Results are printed and written to bench/results/cli_speed.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from report import report

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "project"
BIN = Path(sys.executable).parent


def timed(command: list[str], prepare: Callable[[], None] = lambda: None, runs: int = 15) -> list[float]:
    samples = []
    for _ in range(runs):
        prepare()
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dbgen-bench-"))
    target = work / "shop"

    def clean() -> None:
        shutil.rmtree(target, ignore_errors=True)

    dbgen = str(BIN / "dbgen")
    copier_cmd = [str(BIN / "copier"), "copy", "--trust", "--quiet", "--defaults", "--data", "project_name=shop",
                  "--data", "db=sqlite", str(TEMPLATE), str(target)]  # fmt: skip
    results = {
        "dbgen --help": timed([dbgen, "--help"], runs=args.runs),
        "dbgen new": timed([dbgen, "new", "shop", "--dir", str(target), "--no-input"], clean, args.runs),
        "copier copy": timed(copier_cmd, clean, args.runs),
    }
    shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(samples) for name, samples in results.items()}
    speedup = medians["copier copy"] / medians["dbgen new"]
    print(f"{'command':<14} {'median s':>9} {'min s':>7} {'max s':>7}   ({args.runs} runs each)")
    for name, samples in results.items():
        print(f"{name:<14} {medians[name]:>9.3f} {min(samples):>7.3f} {max(samples):>7.3f}")
    print(f"dbgen new is {speedup:.1f}x faster than copier copy")
    goals = {
        "new <= 0.25 s": medians["dbgen new"] <= 0.25,
        "new >= 3x faster than copier": speedup >= 3,
        "--help <= 0.15 s": medians["dbgen --help"] <= 0.15,
    }
    report("cli_speed", {"runs": args.runs, "median_s": medians, "speedup": speedup}, goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

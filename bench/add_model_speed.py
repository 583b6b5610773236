"""add-model and add-field speed on projects with 1, 10 and 50 models: median of N fresh `dbgen` processes.

    python bench/add_model_speed.py [--runs 10]

Targets: each <= 0.3 s at 50 models, and add-model roughly flat in the number of models. Results are
printed and written to bench/results/add_model_speed.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import report

from dbgen import writer
from dbgen.commands.models import plan_add_model
from dbgen.commands.new import plan_new

DBGEN = str(Path(sys.executable).parent / "dbgen")
SIZES = (1, 10, 50)


def project_with(models: int, where: Path) -> Path:
    """A SQLite project grown to `models` models (the base project's User and Item count as the first two)."""
    root = where / f"p{models}"
    writer.apply(plan_new("shop", "sqlite", root))
    previous = None
    for n in range(max(models - 2, 0)):
        fields = ["name:str:unique", "price:decimal", "active:bool"] + (
            [f"parent:M{previous}"] if previous is not None else []
        )
        writer.apply(plan_add_model(root, f"M{n}", fields))
        previous = n if n % 5 else None  # some relations, some chains
    return root


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dbgen-bench-"))
    medians: dict[int, float] = {}
    field_medians: dict[int, float] = {}
    commands = {
        "add-model": ["add-model", "Widget", "title:str", "qty:int", "owner:User"],
        "add-field": ["add-field", "M0", "stock:int=0", "sku:str:unique?"],  # M0: the first added model
    }
    try:
        for size in SIZES:
            template = project_with(size, work)
            for name, arguments in commands.items():
                if name == "add-field" and size < 3:
                    continue  # no added model to grow
                samples = []
                for run in range(args.runs):
                    target = work / f"run{size}-{run}"
                    shutil.copytree(template, target)
                    start = time.perf_counter()
                    subprocess.run([DBGEN, *arguments, "--dir", str(target)], check=True, stdout=subprocess.DEVNULL)
                    samples.append(time.perf_counter() - start)
                    shutil.rmtree(target)
                (medians if name == "add-model" else field_medians)[size] = statistics.median(samples)
                print(f"{name} {size:>3} models: median {statistics.median(samples):.3f} s  "
                      f"(min {min(samples):.3f}, max {max(samples):.3f})")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    flat = max(medians.values()) / min(medians.values())
    goals = {
        "add-model <= 0.3 s at 50 models": medians[50] <= 0.3,
        "roughly flat (50 vs 1 <= 1.5x)": flat <= 1.5,
        "add-field <= 0.3 s at 50 models": field_medians[50] <= 0.3,
    }
    numbers = {"runs": args.runs, "median_s": medians, "ratio_50_vs_1": flat, "add_field_median_s": field_medians}
    report("add_model_speed", numbers, goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

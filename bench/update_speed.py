"""update speed on a project with 20 added models: median of N fresh `dbgen update` processes.

    python bench/update_speed.py [--runs 10]

Each run updates a copy of the same project (new, then 20 models with relations, then a user's edit to
a few files) whose baseline says the previous release wrote some files differently, so the run renders
everything, updates files and merges the edited ones, as a real update does.
Target: median < 0.5 s. Results are printed and written to bench/results/update_speed.json.
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

from add_model_speed import project_with
from report import report

from dbgen import baseline

DBGEN = str(Path(sys.executable).parent / "dbgen")
MODELS = 22  # the base project's User and Item, and 20 added models


def as_if_released_before(root: Path, paths: list[str]) -> None:
    """Make the stored baseline say that the previous release wrote these files with one more line."""
    files = baseline.load(root)
    for path in paths:
        files[path] += b"# written by the previous release\n"
    (root / baseline.PATH).write_bytes(baseline.pack(files))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dbgen-bench-"))
    try:
        template = project_with(MODELS, work)
        modules = [p for p in sorted((template / "app").rglob("*.py")) if p.stat().st_size > 200]
        sources = [p.relative_to(template).as_posix() for p in modules]
        for path in sources[:5]:  # the user's edits, at the top of files
            (template / path).write_text("# edited by the user\n" + (template / path).read_text())
        as_if_released_before(template, sources[:10])  # 5 merges, 5 updates
        samples = []
        for run in range(args.runs):
            target = work / f"run{run}"
            shutil.copytree(template, target)
            start = time.perf_counter()
            subprocess.run([DBGEN, "update", "--dir", str(target)], check=True, stdout=subprocess.DEVNULL)
            samples.append(time.perf_counter() - start)
            shutil.rmtree(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(samples)
    print(f"{MODELS - 2} added models: median {median:.3f} s  (min {min(samples):.3f}, max {max(samples):.3f})")
    report("update_speed", {"runs": args.runs, "added_models": MODELS - 2, "median_s": median}, {
        "update < 0.5 s with 20 added models": median < 0.5})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time to import a 100-table schema: the importer's read side (median of N reads, each a fresh process), and the
whole `dbgen new NAME --from-database URL` (median of M, each writing the project anew: 100 models, their migrations,
tests and admin views).

    python bench/import_speed.py [--db postgres|mysql|sqlite] [--tables 100] [--runs 5] [--new-runs 3]

The schema (tests/schemas.py `wide`: related tables of ten columns, a unique column and an index each) is loaded into
a database of the run's own, dropped after. Each run is `python -c "read_schema(URL)"` in a new process, so the time
includes importing SQLAlchemy and the driver, connecting and reflecting, as `dbgen new --from-database` will.
Target: a read's median < 5 s, and the whole import's a few seconds too, not minutes. Results are printed and
written to bench/results/import_speed_DB.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from report import report

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.schemas import run_sql, sqlite_database, url, wide  # noqa: E402

PROBE = "import sys; from dbgen.importer import read_schema; print(len(read_schema(sys.argv[1]).models))"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgres", choices=["postgres", "mysql", "sqlite"])
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--new-runs", type=int, default=3)
    args = parser.parse_args()
    name = f"dbgen_import_bench_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="dbgen-import-"))
    if args.db == "sqlite":
        address = sqlite_database(wide(args.tables, "sqlite"), work / f"{name}.db")
    else:
        run_sql(args.db, f"CREATE DATABASE {name};")
        address = url(args.db, name)
    samples, news = [], []
    try:
        if args.db != "sqlite":
            run_sql(args.db, wide(args.tables, args.db), name)
        for _ in range(args.runs):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", PROBE, address], capture_output=True, text=True, check=True)
            samples.append(time.perf_counter() - start)
            assert int(out.stdout) == args.tables, out.stdout
        for turn in range(args.new_runs):
            command = [sys.executable, "-m", "dbgen", "new", "wide", "--db", args.db, "--from-database", address]
            start = time.perf_counter()
            subprocess.run([*command, "--dir", str(work / f"wide{turn}")], capture_output=True, check=True)
            news.append(time.perf_counter() - start)
    finally:
        if args.db != "sqlite":
            run_sql(args.db, f"DROP DATABASE IF EXISTS {name};")
    median, whole = statistics.median(samples), statistics.median(news)
    what = f"{args.tables} tables on {args.db}"
    print(f"{what}: read, median {median:.2f} s  (min {min(samples):.2f}, max {max(samples):.2f})")
    print(f"{what}: dbgen new --from-database, median {whole:.2f} s  (min {min(news):.2f}, max {max(news):.2f})")
    numbers = {"db": args.db, "tables": args.tables, "runs": args.runs, "median_s": median, "new_median_s": whole}
    goals = {f"read of {args.tables} tables < 5 s": median < 5, f"import of {args.tables} tables < 60 s": whole < 60}
    report(f"import_speed_{args.db}", numbers, goals)
    return 0


if __name__ == "__main__":
    sys.exit(main())

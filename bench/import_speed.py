"""Time to read a 100-table schema (the importer's read side): median of N reads, each a fresh process.

    python bench/import_speed.py [--db postgres|mysql|sqlite] [--tables 100] [--runs 5]

The schema (tests/schemas.py `wide`: related tables of ten columns, a unique column and an index each) is loaded into
a database of the run's own, dropped after. Each run is `python -c "read_schema(URL)"` in a new process, so the time
includes importing SQLAlchemy and the driver, connecting and reflecting, as `dbgen new --from-database` will.
Target: median < 5 s. Results are printed and written to bench/results/import_speed.json.
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
    args = parser.parse_args()
    name = f"dbgen_import_bench_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="dbgen-import-"))
    if args.db == "sqlite":
        address = sqlite_database(wide(args.tables, "sqlite"), work / f"{name}.db")
    else:
        run_sql(args.db, f"CREATE DATABASE {name};")
        address = url(args.db, name)
    samples = []
    try:
        if args.db != "sqlite":
            run_sql(args.db, wide(args.tables, args.db), name)
        for _ in range(args.runs):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", PROBE, address], capture_output=True, text=True, check=True)
            samples.append(time.perf_counter() - start)
            assert int(out.stdout) == args.tables, out.stdout
    finally:
        if args.db != "sqlite":
            run_sql(args.db, f"DROP DATABASE IF EXISTS {name};")
    median = statistics.median(samples)
    print(f"{args.tables} tables on {args.db}: median {median:.2f} s  (min {min(samples):.2f}, max {max(samples):.2f})")
    report(f"import_speed_{args.db}", {"db": args.db, "tables": args.tables, "runs": args.runs, "median_s": median}, {
        f"read of {args.tables} tables < 5 s": median < 5})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutation testing of a generated project: does its own suite notice when its code is changed?

Generates a SQLite project with login and one model that has a unique field, a decimal, an enum, an optional
field, a reference to User, a date, a UUID, a float and a JSON field (every kind of value a cursor or a body
carries that app/schemas/common.py checks); mutates its repositories, routes, access rules and schemas with
mutmut 3; runs, for each mutant, the tests that reach the mutated function (mutmut's per-function test
selection, `-x`: the first failure kills it); and writes the kill rate and every surviving mutant (file, line, diff) to
bench/results/mutation.md and mutation.json. Mutants listed in bench/mutation-equivalent.toml, with the reason
each cannot change behaviour, are counted apart.

mutmut leaves decorated functions alone (it cannot copy `@router.get(...)` without registering the route
twice), which would leave out every route, property and validator. So the copy it mutates has each decorator
applied by a plain call after the function (`read_item = router.get(...)(read_item)`, the same thing Python
does for `@`), and lines are mapped back to the generated files for the report. mutmut 3 mutates code inside
functions only: the field declarations of the schemas (`Field(max_length=255)`) are not mutated.

    python bench/mutation.py [--keep DIR] [--only GLOB ...] [--max-children N]

`--only` limits the run to mutants whose names match (`app.repositories.base.*`); the report says so. With
`--keep DIR` mutmut's results stay for a later run; after the project's tests change, delete
DIR/mutants/mutmut-stats.json, or mutmut picks each mutant's tests from what the old tests reached.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
EQUIVALENT = ROOT / "bench" / "mutation-equivalent.toml"
MODEL = [
    "Product",
    "name:str:unique",
    "price:decimal",
    "status:enum(draft,live)",
    "note:str?",
    "owner:User",
    # sort keys of every type a cursor carries as text or a float, and JSON: what app/schemas/common.py parses
    "released:date",
    "code:uuid",
    "weight:float",
    "specs:json",
]
# What is mutated (mutmut's fnmatch patterns, `*` crosses folders): repositories, routes and access, schemas.
MUTATED = ["app/repositories/*", "app/api/*", "app/schemas/*"]
# mutmut's verdicts that count as caught: a test failed, or the mutant ran past its time
CAUGHT = {"killed", "timeout"}
NOT_CAUGHT = {"survived", "suspicious", "segfault"}
# mutmut runs a mutant's tests in the order of a set, not file by file. This one then fails whenever a test of
# another app with metrics ran first in the process: prometheus-fastapi-instrumentator registers its metrics in
# the process-wide registry and leaves a second app uninstrumented. It reaches no mutated module.
ORDER_DEPENDENT = ["--deselect", "tests/test_observability.py::test_metrics_count_requests"]
_COLUMNS = {
    "killed": CAUGHT,
    "survived": NOT_CAUGHT,
    "equivalent": {"equivalent"},
    "no tests": {"no tests"},
    "not checked": {"not checked"},
}
# Each mutmut worker runs its mutant's tests in a fork of its own: each gets its own SQLite test database.
ISOLATION_PLUGIN = '''"""Loaded by pytest in every mutmut worker: a SQLite test database per process."""

import os


def pytest_configure() -> None:
    os.environ["TEST_DATABASE_URL"] = f"sqlite+aiosqlite:///./mutant-{os.getpid()}.db"


def pytest_unconfigure() -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = f"mutant-{os.getpid()}.db{suffix}"
        if os.path.exists(path):
            os.remove(path)
'''


def generate(project: Path) -> None:
    dbgen = [sys.executable, "-m", "dbgen"]
    subprocess.run(
        [*dbgen, "new", "shop", "--db", "sqlite", "--auth", "jwt", "--dir", str(project), "--no-input"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([*dbgen, "add-model", *MODEL], check=True, cwd=project, stdout=subprocess.DEVNULL)


# --- the decorators, applied by calls -------------------------------------------------------------------------


def _kept(decorator: ast.expr) -> bool:
    """The one decorator mutmut handles itself, when it is the only one left: @classmethod / @staticmethod."""
    return isinstance(decorator, ast.Name) and decorator.id in {"classmethod", "staticmethod"}


def lift_decorators(source: str) -> tuple[str, list[int]]:
    """The module with each function's decorators applied by an assignment after it, and for every line of
    the result the line of `source` it comes from (0 for an added line).

    A decorator line becomes a comment, so that the function keeps its place; the assignment goes right
    after the function, in the same scope, so that a route is registered in the same order and a validator
    is in the class body when pydantic reads it.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    commented: set[int] = set()
    after: dict[int, list[str]] = {}  # line (1-based) -> assignments inserted after it

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                visit(node.body)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
                decorators = list(node.decorator_list)
                if _kept(decorators[-1]):
                    decorators.pop()  # stays on the function: @field_validator(...) over @classmethod
                if not decorators:
                    continue
                for decorator in decorators:
                    end = decorator.end_lineno or decorator.lineno
                    commented.update(range(decorator.lineno, end + 1))
                call = node.name
                for decorator in reversed(decorators):
                    call = f"({ast.get_source_segment(source, decorator)})({call})"
                indent = " " * node.col_offset
                after.setdefault(node.end_lineno or node.lineno, []).append(f"{indent}{node.name} = {call}")

    visit(tree.body)
    out: list[str] = []
    origin: list[int] = []
    for number, line in enumerate(lines, start=1):
        if number in commented:
            stripped = line.lstrip()
            line = f"{line[: len(line) - len(stripped)]}# lifted: {stripped}"
        out.append(line)
        origin.append(number)
        for added in after.get(number, []):
            out.extend(added.splitlines())
            origin.extend([0] * len(added.splitlines()))
    return "\n".join(out) + "\n", origin


def lift_project(project: Path) -> dict[str, list[int]]:
    """Lift the decorators of every file that is mutated; the line map of each file changed."""
    maps: dict[str, list[int]] = {}
    for path in sorted((project / "app").rglob("*.py")):
        relative = path.relative_to(project).as_posix()
        if not any(fnmatch.fnmatch(relative, pattern) for pattern in MUTATED):
            continue
        source = path.read_text()
        lifted, origin = lift_decorators(source)
        if 0 in origin:
            path.write_text(lifted)
            maps[relative] = origin
    return maps


def configure(project: Path, max_children: int) -> None:
    (project / "mutation_isolation.py").write_text(ISOLATION_PLUGIN)
    config = {
        "source_paths": ["app"],
        "only_mutate": MUTATED,
        "also_copy": ["mutation_isolation.py", "migrations", "alembic.ini", ".env"],
        "pytest_add_cli_args": ["-p", "mutation_isolation", "-p", "no:cacheprovider", *ORDER_DEPENDENT],
        "pytest_add_cli_args_test_selection": ["tests"],
    }
    lines = ["", "[tool.mutmut]", *(f"{key} = {json.dumps(value)}" for key, value in config.items())]
    with (project / "pyproject.toml").open("a") as f:
        f.write("\n".join(lines) + "\n")


# --- results ---------------------------------------------------------------------------------------------------


@dataclass
class Mutant:
    name: str
    file: str
    line: int
    status: str
    diff: str
    reason: str = ""


def _def_line(source: str, mutant: str) -> int:
    """The line of the `def` of the function a mutant name points to (`...xǁClassǁmethod__mutmut_3`)."""
    function = mutant.rpartition(".")[2].rpartition("__mutmut_")[0]
    if function.startswith("xǁ"):
        _, class_name, name = function.split("ǁ")
    else:
        class_name, name = None, function.removeprefix("x_")
    for node in ast.walk(ast.parse(source)):
        if class_name and isinstance(node, ast.ClassDef) and node.name == class_name:
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name == name:
                    return child.lineno
        if not class_name and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node.lineno
    raise LookupError(mutant)


def _changed_line(diff: str) -> int:
    """Where the first change is, counted from the function's `def` line (0 for that line)."""
    old = 0
    def_at = None
    for line in diff.splitlines()[2:]:
        if line.startswith("@@"):
            old = int(re.match(r"@@ -(\d+)", line).group(1)) - 1  # type: ignore[union-attr]
            continue
        if line.startswith(("-", "+")):
            break
        if def_at is None and re.match(r"\s*(async )?def ", line[1:]):
            def_at = old
        old += 1
    # mutmut's diffs start at the `def` (the function copied out without decorators)
    return old - (def_at or 0)


def collect(project: Path, maps: dict[str, list[int]]) -> list[Mutant]:
    os.chdir(project)
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    mutants: list[Mutant] = []
    for meta in sorted((project / "mutants").rglob("*.py.meta")):
        file = meta.relative_to(project / "mutants").as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        source = (project / file).read_text()
        origin = maps.get(file)
        for name, code in codes.items():
            status = status_by_exit_code[code]
            diff = get_diff_for_mutant(name, path=file) if status not in CAUGHT else ""
            line = 0
            if diff:
                lifted_line = _def_line(source, name) + _changed_line(diff)
                line = origin[lifted_line - 1] if origin else lifted_line
            mutants.append(Mutant(name, file, line, status, diff.replace("# lifted: ", "")))
    return mutants


def _change(diff: str) -> str:
    """The mutated line of a diff, stripped: what an entry of bench/mutation-equivalent.toml must match."""
    added = [line[1:].strip() for line in diff.splitlines()[2:] if line.startswith("+")]
    return added[0] if added else ""


def apply_equivalents(mutants: list[Mutant], only: list[str]) -> list[str]:
    """Mark the survivors that bench/mutation-equivalent.toml names, with the line their mutation writes
    (`[[equivalent]]` mutant, change, reason); an entry whose mutant is gone or changes another line (the
    templates changed, and mutmut numbers mutants anew) is returned as stale, never applied. An entry without
    `change` is a glob over the mutants of code that cannot run in this project."""
    if not EQUIVALENT.exists():
        return []
    entries = tomllib.loads(EQUIVALENT.read_text()).get("equivalent", [])
    by_name = {m.name: m for m in mutants}
    stale = []
    for entry in entries:
        if "change" not in entry:  # a glob over a whole function that cannot run here: no line to match
            for mutant in mutants:
                if mutant.status in NOT_CAUGHT and fnmatch.fnmatch(mutant.name, entry["mutant"]):
                    mutant.status, mutant.reason = "equivalent", entry["reason"]
            continue
        mutant = by_name.get(entry["mutant"])
        if mutant is None:
            if not only or any(fnmatch.fnmatch(entry["mutant"], pattern) for pattern in only):
                stale.append(entry["mutant"])  # in the run, but no such mutant any more
            continue
        if mutant.status != "survived" or _change(mutant.diff) != entry["change"]:
            stale.append(entry["mutant"])  # killed now, or another mutation under that name
            continue
        mutant.status, mutant.reason = "equivalent", entry["reason"]
    # Survivors left open: still counted as survivors, shown with why no test kills them yet.
    for entry in tomllib.loads(EQUIVALENT.read_text()).get("open", []):
        for mutant in mutants:
            if mutant.status in NOT_CAUGHT and fnmatch.fnmatch(mutant.name, entry["mutant"]):
                mutant.reason = f"left open: {entry['reason']}"
    return stale


def report(mutants: list[Mutant], seconds: float, only: list[str], max_children: int, stale: list[str]) -> None:
    counts: dict[str, int] = {}
    for mutant in mutants:
        counts[mutant.status] = counts.get(mutant.status, 0) + 1
    killed = sum(counts.get(status, 0) for status in CAUGHT)
    tried = killed + sum(counts.get(status, 0) for status in NOT_CAUGHT)
    rate = killed / tried if tried else 0.0
    scope = ", ".join(only) if only else "every mutant of " + ", ".join(MUTATED)
    summary = {
        "project": "sqlite, --auth jwt, add-model " + " ".join(MODEL),
        "mutated": MUTATED,
        "only": only,
        "counts": counts,
        "kill_rate": round(rate, 4),
        "seconds": round(seconds),
        "max_children": max_children,
        "survivors": [m.__dict__ for m in mutants if m.status in NOT_CAUGHT],
        "equivalent": [m.__dict__ for m in mutants if m.status == "equivalent"],
        "no_tests": [m.__dict__ for m in mutants if m.status == "no tests"],
        "stale_equivalent_entries": stale,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "mutation.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    out = [
        "# Mutation testing of a generated project",
        "",
        f"Project: {summary['project']}. Mutated: {scope}. Tool: mutmut 3 (`nox -s mutation`), "
        f"{max_children} workers, {round(seconds / 60)} min.",
        "",
        f"**Kill rate: {rate:.1%}** ({killed} killed or timed out of {tried}; equivalent mutants, listed with "
        "their reasons in bench/mutation-equivalent.toml, and mutants no test reaches are not counted).",
        "",
        "| status | mutants |",
        "| --- | --- |",
        *(f"| {status} | {count} |" for status, count in sorted(counts.items())),
        "",
    ]
    files = sorted({m.file for m in mutants})
    out += ["| file | killed | survived | equivalent | no tests | not checked | kill rate |", "| --- " * 7 + "|"]
    for file in files:
        mine = [m for m in mutants if m.file == file]
        n = {status: sum(m.status in statuses for m in mine) for status, statuses in _COLUMNS.items()}
        tried_here = n["killed"] + n["survived"]
        share = f"{n['killed'] / tried_here:.1%}" if tried_here else "-"
        out.append(f"| {file} | " + " | ".join(str(value) for value in n.values()) + f" | {share} |")
    out.append("")
    if counts.get("not checked"):
        out += [
            f"{counts['not checked']} mutants were not checked: the run stopped before them (mutmut runs the "
            "mutants whose tests take longest last; a later run with --keep picks them up).",
            "",
        ]
    for title, statuses in (("Surviving mutants", NOT_CAUGHT), ("No test reaches them", {"no tests"})):
        listed = [m for m in mutants if m.status in statuses]
        if not listed:
            continue
        out += [f"## {title}", ""]
        for m in listed:
            out += [f"### {m.file}:{m.line} `{m.name}`", ""]
            out += [m.reason, ""] if m.reason else []
            out += ["```diff", m.diff, "```", ""]
    listed = [m for m in mutants if m.status == "equivalent"]
    if listed:
        out += ["## Equivalent", ""]
        out += [f"- {m.file}:{m.line} `{m.name}`: {m.reason}" for m in listed]
        out.append("")
    if stale:
        out += ["## Stale entries of bench/mutation-equivalent.toml (not applied)", ""]
        out += [f"- `{name}`" for name in stale]
        out.append("")
    (RESULTS / "mutation.md").write_text("\n".join(out))
    print(f"kill rate {rate:.1%}: {counts}; {round(seconds)} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the project here and keep it")
    parser.add_argument("--only", nargs="*", default=[], help="mutant name globs, e.g. 'app.repositories.base.*'")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--report-only", action="store_true", help="write the report from the results a --keep project holds"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = (args.keep or Path(tmp) / "shop").resolve()
        if not (project / "pyproject.toml").exists():
            generate(project)
        maps_file = project / "mutation-lines.json"
        if maps_file.exists():
            maps = json.loads(maps_file.read_text())
        else:
            maps = lift_project(project)
            maps_file.write_text(json.dumps(maps))
            configure(project, args.max_children)
        # mutmut keeps every verdict in mutants/: a later run (another --only) adds to the same results
        runs_file = project / "mutation-runs.json"
        runs = json.loads(runs_file.read_text()) if runs_file.exists() else []
        if not args.report_only:
            start = time.monotonic()
            mutmut = str(Path(sys.executable).parent / "mutmut")
            subprocess.run(
                [mutmut, "run", "--max-children", str(args.max_children), *args.only], cwd=project, check=True
            )
            runs.append({"only": args.only, "seconds": round(time.monotonic() - start)})
            runs_file.write_text(json.dumps(runs))
        mutants = collect(project, maps)
        if args.only:
            mutants = [m for m in mutants if any(fnmatch.fnmatch(m.name, pattern) for pattern in args.only)]
        stale = apply_equivalents(mutants, args.only)
        report(mutants, sum(run["seconds"] for run in runs), args.only, args.max_children, stale)


if __name__ == "__main__":
    main()

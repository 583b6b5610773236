"""Developer tasks. `nox` runs lint, the tests (unit + smoke on every backend) and the newcomer check."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "newcomer(3.11-uv)"]  # newcomer with pip: see NEWCOMERS
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHONS = ["3.11", "3.12", "3.13"]


def _expose_pyenv_pythons() -> None:
    """pyenv's `python3.13` shim only runs when 3.13 is an active version: make every installed one active.

    Started through pyenv's own shim, nox already has PYENV_VERSION set to the one version it runs on.
    """
    if shutil.which("pyenv") is None:
        return
    run = subprocess.run
    current = os.environ.get("PYENV_VERSION") or run(["pyenv", "version-name"], capture_output=True, text=True).stdout
    installed = run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(current.strip().split(":") + installed))


_expose_pyenv_pythons()
BACKENDS = ["sqlite", "postgres", "mysql", "mongo"]
# How many tests each session must run: tests/ci.py, read by path (importing the tests package would set the
# smoke tests' per-worker variables in nox's own environment).
CI = runpy.run_path(str(Path(__file__).parent / "tests" / "ci.py"))
# pytest's exit code when it collected nothing. Only `tests`, the session `.ci/run` runs, accepts it: an empty
# collection there must not make `.ci/run` exit non-zero (the owner's rule). Every session checks the number of
# tests that ran against tests/ci.py instead, so that an empty or shrunken run fails whatever pytest exits with,
# except `tests` on an empty collection, where it says so and passes.
NO_TESTS_COLLECTED = 5


def install(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session
def lint(session: nox.Session) -> None:
    install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests and the smoke matrix: generated projects run against real databases.

    Two workers, one per core of CI's two: every smoke test makes its own project and databases, so they share
    nothing (a third worker did not make the run faster: the smoke tests are CPU-bound). Tests go to whichever
    worker is free, one at a time, in tests/conftest.py's order (the longest first), so that both work until the
    end. The slowest tests are listed at the end, to see where the time goes.
    """
    install(session)
    schedule = ("--dist", "loadgroup", "--no-loadscope-reorder")
    pytest_counted(session, CI["ALL_TESTS"], "-n", "2", *schedule, "--durations=25", empty_passes=True)


@nox.session
def unit(session: nox.Session) -> None:
    install(session)
    pytest_counted(session, CI["UNIT_TESTS"], "tests/unit")


@nox.session
@nox.parametrize("backend", BACKENDS, ids=BACKENDS)
def smoke(session: nox.Session, backend: str) -> None:
    """The smoke tests of one backend: every test id names its backend (`[sqlite-jwt]`, `[postgres]`), and the
    legs together run every smoke test once (tests/unit/test_ci.py)."""
    install(session)
    pytest_counted(session, CI["SMOKE_TESTS"][backend], "tests/smoke", "-k", backend)


def pytest_counted(session: nox.Session, expected: int, *args: str, empty_passes: bool = False) -> None:
    """Run pytest, then fail unless exactly `expected` tests ran (tests/ci.py): a selection that matches nothing,
    or less than it should, fails here. Arguments after `--` narrow a run by hand, so then the count is not
    checked. With `empty_passes`, an empty collection passes, saying so."""
    with tempfile.TemporaryDirectory(prefix="dbgen-nox-") as tmp:
        report = Path(tmp) / "report.xml"
        codes = [0, NO_TESTS_COLLECTED] if empty_passes else [0]
        session.run("pytest", f"--junitxml={report}", *args, *session.posargs, success_codes=codes)
        if session.posargs:
            return
        suite = ET.parse(report).getroot().find("testsuite") if report.exists() else None
        collected = 0 if suite is None else int(suite.get("tests", "0"))
        ran = collected - (0 if suite is None else int(suite.get("skipped", "0")))
    if collected == 0 and empty_passes:
        session.warn("pytest collected no test; passing by the rule for `tests` (see NO_TESTS_COLLECTED)")
        return
    if ran != expected:
        session.error(f"{ran} tests ran, tests/ci.py expects {expected}: a test was lost, skipped or added")


# By default only uv runs here: pip on every supported Python is tests/smoke/test_fresh_clone.py (one Python
# per backend, each project installed from a fresh clone by its own workflow's steps). uv on the oldest, since
# what uv resolves does not depend on the interpreter; `nox -s "newcomer(3.13-pip)"` runs pip on one by hand.
NEWCOMERS = [*((python, "pip") for python in PYTHONS), (PYTHONS[0], "uv")]


@nox.session
@nox.parametrize(("python", "installer"), NEWCOMERS, ids=[f"{python}-{installer}" for python, installer in NEWCOMERS])
def newcomer(session: nox.Session, installer: str) -> None:
    """A new user's path: a fresh venv, the generated project's own pyproject, nothing else; then its tests."""
    session.install("-e", ".")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "newcomer"
        session.run("dbgen", "new", "newcomer", "--dir", str(project), "--no-input")
        venv = project / ".venv"
        python = str(venv / "bin" / "python")
        env = {"UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(venv)}
        if installer == "pip":
            session.run("python", "-m", "venv", str(venv))
            session.run(python, "-m", "pip", "install", "-q", "-e", f"{project}[dev]", external=True)
        else:
            session.install("uv>=0.5,<1")
            session.run("uv", "venv", "-q", "--python", sys_python(session), str(venv), env=env)
            session.run("uv", "pip", "install", "-q", "--python", python, "-e", f"{project}[dev]", env=env)
        with session.chdir(project):
            # `.[dev]` has no browser: the admin's browser test is deselected here (the fresh-clone test runs it).
            session.run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser", external=True)
            session.run(str(venv / "bin" / "alembic"), "upgrade", "head", external=True)


def sys_python(session: nox.Session) -> str:
    """The interpreter nox chose for this session (uv must use it, never download its own)."""
    return shutil.which(f"python{session.python}") or str(session.python)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: generate a SQLite project, install it, migrate, run its tests, seed it and serve it."""
    session.install("-e", ".")
    target = Path(os.environ.get("DEMO_DIR", "demo")).resolve()
    if target.exists():
        session.error(f"{target} exists; remove it or set DEMO_DIR")
    session.run("dbgen", "new", "demo", "--dir", str(target), "--no-input")
    venv = target / ".venv"
    python = str(venv / "bin" / "python")
    session.run("python", "-m", "venv", str(venv))
    session.run(python, "-m", "pip", "install", "-q", "-e", f"{target}[dev]", external=True)
    with session.chdir(target):
        session.run(python, "-m", "alembic", "upgrade", "head", external=True)
        session.run(python, "-m", "pytest", "-q", external=True)
        session.run(python, "-m", "app.seed", "--rows", "50", external=True)  # lists and an admin with rows in them
        session.run(python, str(Path(__file__).parent / "tests" / "smoke" / "serve.py"), external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks, not tests: CLI speed against copier; add-model, update and import speed. Numbers: bench/results/."""
    install(session)
    session.run("python", "bench/cli_speed.py")
    session.run("python", "bench/add_model_speed.py")
    session.run("python", "bench/update_speed.py")
    for db in ("sqlite", "postgres", "mysql"):  # a 100-table schema: read, and made a project of
        session.run("python", "bench/import_speed.py", "--db", db)


@nox.session(python="3.12")
def throughput(session: nox.Session) -> None:
    """A generated PostgreSQL project under wrk, against the app written by hand from FastAPI's and SQLAlchemy's
    tutorials, a raw floor and a peer (bench/throughput.py); it prints the README's table.

    Needs the PostgreSQL server of BENCH_DATABASE_URL (default: the local one) and wrk, which is installed
    from Debian's packages when missing. Python 3.12, the oldest the peer's generated project runs on, so
    that every app is served by the same interpreter. Arguments go to the script:
    `nox -s throughput -- --duration 5`; `nox -s throughput -- --quick` while developing (10k users, 3 s).
    """
    if not shutil.which("wrk"):
        if os.geteuid() != 0:
            session.error("wrk is missing: install Debian's package `wrk` (apt-get install wrk)")
        session.run("apt-get", "install", "-y", "-q", "wrk", external=True)
    install(session)
    session.run("python", "bench/throughput.py", *session.posargs)


@nox.session
def mutation(session: nox.Session) -> None:
    """Mutation testing of a generated project (bench/mutation.py): mutmut 3 changes its repositories, routes,
    access rules and schemas one mutant at a time and runs the tests that reach each change; the kill rate and
    every surviving mutant go to bench/results/mutation.md (and .json). Not part of .ci/run: too slow.

    Measured on two busy cores: 4 min to collect which tests reach which function, then 3-7 s a mutant (the
    access module's 128 mutants took 15 min, 421 of repositories/base.py's and the Product router's 475 took
    48 min, the schemas' 170 13 min); the whole run, 1,587 mutants, would take about two hours.
    `nox -s mutation -- --only 'app.api.access.*'` runs a part; `-- --keep DIR` keeps the project and mutmut's
    results for a later run (`--report-only`).
    """
    install(session)  # dev holds what the generated project needs
    session.install("mutmut>=3.8,<4")
    session.run("python", "bench/mutation.py", *session.posargs)

"""Apply a Plan all-or-nothing: stage every file first, then move them into place, undoing on failure."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dbgen.errors import Conflict
from dbgen.plan import Action, Plan


def apply(plan: Plan) -> None:
    if plan.conflicts and not plan.marks_conflicts:
        names = ", ".join(c.path for c in plan.conflicts)
        raise Conflict(f"would overwrite changed files: {names}; review with --dry-run, or use --force")
    if not plan.writes:
        return
    if not plan.root.exists():
        _create_tree(plan)
    else:
        _update_tree(plan)


def _stage(plan: Plan, staging: Path) -> None:
    for change in plan.writes:
        if change.content is None:
            continue
        target = staging / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(change.content)


def _create_tree(plan: Plan) -> None:
    """A new project is built beside its destination and appears there in one rename."""
    parent = plan.root.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{plan.root.name}.", dir=parent))
    try:
        _stage(plan, staging)
        os.rename(staging, plan.root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _update_tree(plan: Plan) -> None:
    """Changes inside an existing tree: stage, then replace file by file, restoring all on any failure."""
    staging = Path(tempfile.mkdtemp(prefix=".dbgen-", dir=plan.root))
    done: list[tuple[Path, bytes | None]] = []
    made_dirs: list[Path] = []
    try:
        _stage(plan, staging)
        for change in plan.writes:
            target = plan.root / change.path
            if change.action is Action.DELETE:
                done.append((target, change.old))
                target.unlink()
                continue
            missing = [p for p in reversed(target.parents) if not p.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.extend(missing)
            done.append((target, change.old))
            os.replace(staging / change.path, target)
    except BaseException:
        for target, old in reversed(done):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        for directory in reversed(made_dirs):
            if directory.exists() and not any(directory.iterdir()):
                directory.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)

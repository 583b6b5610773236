import os
from pathlib import Path

import pytest

from dbgen import writer
from dbgen.errors import Conflict
from dbgen.plan import Action, Plan


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_plan_classifies_files(tmp_path: Path) -> None:
    (tmp_path / "same.txt").write_bytes(b"same")
    (tmp_path / "mine.txt").write_bytes(b"user edit")
    plan = Plan(tmp_path)
    actions = [
        plan.add("new.txt", b"new").action,
        plan.add("same.txt", b"same").action,
        plan.add("mine.txt", b"generated").action,
        plan.add("mine.txt", b"generated", force=True).action,
        plan.add("same.txt", None).action,
    ]
    assert actions == [Action.CREATE, Action.IDENTICAL, Action.CONFLICT, Action.OVERWRITE, Action.DELETE]


def test_new_tree_appears_whole(tmp_path: Path) -> None:
    plan = Plan(tmp_path / "proj")
    plan.add("a/b.txt", b"b")
    plan.add("c.txt", b"c")
    writer.apply(plan)
    assert tree(tmp_path / "proj") == {"a/b.txt": b"b", "c.txt": b"c"}
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]  # no staging directory left behind


def test_conflict_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_bytes(b"user edit")
    plan = Plan(tmp_path)
    plan.add("new.txt", b"new")
    plan.add("mine.txt", b"generated")
    with pytest.raises(Conflict, match=r"mine\.txt.*--force"):
        writer.apply(plan)
    assert tree(tmp_path) == {"mine.txt": b"user edit"}


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_part_way_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    (tmp_path / "keep.txt").write_bytes(b"old")
    (tmp_path / "gone.txt").write_bytes(b"to delete")
    before = tree(tmp_path)
    plan = Plan(tmp_path)
    plan.add("keep.txt", b"new", force=True)
    plan.add("gone.txt", None)
    plan.add("deep/new/file.txt", b"x")
    plan.add("last.txt", b"y")
    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise error
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(type(error)):
        writer.apply(plan)
    assert tree(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.txt", "keep.txt"]


def test_interrupted_new_project_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "rename", interrupted)
    plan = Plan(tmp_path / "proj")
    plan.add("a.txt", b"a")
    with pytest.raises(KeyboardInterrupt):
        writer.apply(plan)
    assert list(tmp_path.iterdir()) == []

"""Golden trees per backend (missing and extra files both fail), and copier renders the same bytes."""

import tomllib
from pathlib import Path

import pytest

from dbgen import writer
from dbgen.backends import BACKENDS
from dbgen.commands.new import answers, plan_new
from dbgen.render import TEMPLATES
from tests.unit.test_writer import tree

GOLDEN = Path(__file__).parent / "golden"


def generate(tmp_path: Path, db: str) -> Path:
    root = tmp_path / "dbgen" / "shop"
    writer.apply(plan_new("shop", db, root))
    return root


@pytest.mark.parametrize("db", list(BACKENDS))
def test_golden_file_list(tmp_path: Path, db: str) -> None:
    files = sorted(tree(generate(tmp_path, db)))
    expected = (GOLDEN / f"{db}.txt").read_text().split()
    assert files == expected


@pytest.mark.parametrize("db", list(BACKENDS))
def test_copier_renders_identical_bytes(tmp_path: Path, db: str) -> None:
    copier = pytest.importorskip("copier")
    ours = tree(generate(tmp_path, db))
    theirs_root = tmp_path / "copier" / "shop"
    copier.run_copy(
        str(TEMPLATES / "project"),
        theirs_root,
        data=answers("shop", db),
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    assert tree(theirs_root) == ours


@pytest.mark.parametrize("db", list(BACKENDS))
def test_generated_text_is_sound(tmp_path: Path, db: str) -> None:
    root = generate(tmp_path, db)
    answers_file = tomllib.loads((root / ".dbgen.toml").read_text())
    assert answers_file["db"] == db and answers_file["models"] == ["User", "Item"]
    tomllib.loads((root / "pyproject.toml").read_text())
    for path, content in tree(root).items():
        if path.endswith(".py"):
            compile(content, path, "exec")
        assert "password=" not in content.decode().lower() or path.startswith("tests/"), path
    assert ".env" in (root / ".gitignore").read_text().split()

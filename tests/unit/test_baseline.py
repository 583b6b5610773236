"""The baseline: what dbgen last wrote, stored in the project and kept in step by every command."""

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from dbgen import __version__, baseline, writer
from dbgen.backends import BACKENDS
from dbgen.commands.models import plan_add_field, plan_add_model, plan_remove_field, plan_remove_model
from dbgen.commands.new import plan_new
from dbgen.errors import DbgenError
from tests.unit.test_writer import tree

GROWTH = [
    ("Category", ["name:str:unique"]),
    ("Tag", ["label:str"]),
    ("Product", ["name:str", "price:decimal", "category:Category", "description:text?"]),
    ("Review", ["body:text", "author:User", "product:Product"]),
]


def grown(root: Path, db: str) -> Path:
    """A project as a user grows it: models related to built-in and added ones, one of them removed again."""
    writer.apply(plan_new("shop", db, root))
    for name, fields in GROWTH:
        writer.apply(plan_add_model(root, name, fields))
    writer.apply(plan_add_model(root, "Note", ["title:str"], owned=True))  # records of the user who made them
    writer.apply(plan_add_field(root, "Product", ["stock:int=0", "sku:str:unique?", "tag:Tag?:setnull"]))
    writer.apply(plan_remove_field(root, "Product", "sku"))
    writer.apply(plan_remove_field(root, "Product", "tag"))  # Tag's model loses its products again
    writer.apply(plan_remove_model(root, "Tag"))
    return root


def generated(root: Path) -> dict[str, bytes]:
    return {path: content for path, content in tree(root).items() if baseline.tracked(path)}


def test_pack_is_deterministic_and_round_trips() -> None:
    files = {"b.py": b"b\n", "a/x.py": b"x\n", ".env": b"SECRET=1\n", "migrations/versions/0001_initial.py": b"m\n"}
    packed = baseline.pack(files)
    assert packed == baseline.pack(dict(reversed(files.items())))
    assert baseline.unpack(packed) == {"a/x.py": b"x\n", "b.py": b"b\n"}  # local settings and history left out


@pytest.mark.parametrize("db", list(BACKENDS))
def test_every_command_keeps_the_baseline_equal_to_what_it_wrote(tmp_path: Path, db: str) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", db, root))
    assert baseline.load(root) == generated(root)
    grown_root = grown(tmp_path / "grown", db)
    assert baseline.load(grown_root) == generated(grown_root)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"\.dbgen/baseline\.tar\.gz is missing, so dbgen cannot tell your edits apart"),
        (b"not gzip", r"\.dbgen/baseline\.tar\.gz is corrupt"),
        (gzip.compress(b"not a tar archive" * 100, mtime=0), r"\.dbgen/baseline\.tar\.gz is corrupt"),
    ],
    ids=["missing", "not gzip", "not tar"],
)
def test_missing_or_corrupt_baseline_stops_add_model(tmp_path: Path, content: bytes | None, message: str) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    stored = root / baseline.PATH
    if content is None:
        stored.unlink()
    else:
        stored.write_bytes(content)
    before = tree(root)
    with pytest.raises(DbgenError, match=message):
        plan_add_model(root, "Thing", ["name:str"])
    assert tree(root) == before


def test_a_project_of_an_older_release_is_updated_before_it_grows(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    answers = root / ".dbgen.toml"
    answers.write_text(answers.read_text().replace(f'dbgen_version = "{__version__}"', 'dbgen_version = "0.1.0"'))
    with pytest.raises(DbgenError, match=r"written by dbgen 0\.1\.0; run `dbgen update` first"):
        plan_add_model(root, "Thing", ["name:str"])


@pytest.mark.parametrize("name", ["../outside.py", "app/../../outside.py", "/etc/passwd", "app//x.py", ".env"])
def test_a_baseline_entry_outside_the_generated_files_is_corrupt(name: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 2
        tar.addfile(info, io.BytesIO(b"x\n"))
    with pytest.raises(DbgenError, match="is corrupt"):
        baseline.unpack(gzip.compress(buffer.getvalue()))

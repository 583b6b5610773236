"""Golden trees per backend (missing and extra files both fail), copier renders the same bytes, and the
generated text is sound: it compiles, and it keeps secrets out of code, git, responses and logs."""

import ast
import re
import tomllib
from pathlib import Path

import copier
import pytest

from dbgen import writer
from dbgen.backends import BACKENDS
from dbgen.commands.new import AUTH, answers, plan_new
from dbgen.render import TEMPLATES
from tests.unit.test_writer import tree

GOLDEN = Path(__file__).parent / "golden"


def generate(tmp_path: Path, db: str, auth: str = "jwt", example: bool = True) -> Path:
    root = tmp_path / "dbgen" / "shop"
    writer.apply(plan_new("shop", db, root, auth=auth, example=example))
    return root


# Every backend in both auth modes with the example Item, and every backend without it (--no-example).
TREES = [(db, auth, True) for db in BACKENDS for auth in AUTH] + [(db, "jwt", False) for db in BACKENDS]
TREE_IDS = [f"{db}-{auth}{'' if example else '-no-example'}" for db, auth, example in TREES]


@pytest.mark.parametrize(("db", "auth", "example"), TREES, ids=TREE_IDS)
def test_golden_file_list(tmp_path: Path, db: str, auth: str, example: bool) -> None:
    files = sorted(tree(generate(tmp_path, db, auth, example)))
    name = f"{db}{'' if auth == 'jwt' else '-' + auth}{'' if example else '-no-example'}"
    expected = (GOLDEN / f"{name}.txt").read_text().split()
    assert files == expected


@pytest.mark.parametrize(("db", "auth", "example"), TREES, ids=TREE_IDS)
def test_copier_renders_identical_bytes(tmp_path: Path, db: str, auth: str, example: bool) -> None:
    ours = tree(generate(tmp_path, db, auth, example))
    del ours[".dbgen/baseline.tar.gz"]  # dbgen's record of what it wrote, for `dbgen update`; copier keeps its own
    theirs_root = tmp_path / "copier" / "shop"
    copier.run_copy(
        str(TEMPLATES / "project"),
        theirs_root,
        data={k: v for k, v in answers("shop", db, auth=auth, example=example).items() if k != "secret_key"},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    theirs = tree(theirs_root)
    # Each makes its own SECRET_KEY for .env: a fresh random one, the same length.
    keys = [re.search(rb"^SECRET_KEY=(.*)$", t.pop(".env"), re.MULTILINE) for t in (ours, theirs)]
    if auth == "jwt":
        assert keys[0] and keys[1] and keys[0][1] != keys[1][1] and len(keys[0][1]) == len(keys[1][1]) == 43
    else:
        assert keys == [None, None]
    assert theirs == ours


# user:password@ in a URL, unless the password is a ${VARIABLE} that compose fills in from the environment
CREDENTIAL_IN_URL = re.compile(r"://[^/\s:@]+:(?!\$\{)[^/\s@]+@")


@pytest.mark.parametrize("db", list(BACKENDS))
def test_generated_text_is_sound(tmp_path: Path, db: str) -> None:
    root = generate(tmp_path, db)
    answers_file = tomllib.loads((root / ".dbgen.toml").read_text())
    assert answers_file["db"] == db and answers_file["models"] == ["User", "Item"] and answers_file["example"] is True
    tomllib.loads((root / "pyproject.toml").read_text())
    for path, content in tree(root).items():
        if path == ".dbgen/baseline.tar.gz":
            continue  # a compressed copy of the files checked here
        text = content.decode()
        if path.endswith(".py"):
            compile(content, path, "exec")
        assert "password=" not in text.lower() or path.startswith("tests/"), path
        assert not CREDENTIAL_IN_URL.search(text), path
        assert not re.search(r"\b(debug|echo|reload)\s*=\s*True\b", text), path  # off unless the user turns them on
        # the Dockerfile serves without it; only the development files reload
        assert "--reload" not in text or path in {"README.md", "Makefile", "compose.override.yaml"}, path
    # Secrets: none in code (above), .env out of git and images, hashes out of responses and logs, echo off.
    assert ".env" in (root / ".gitignore").read_text().split()
    assert ".env" in (root / ".dockerignore").read_text().split()
    settings = (root / "app/core/config.py").read_text()
    assert "db_echo: bool = False" in settings
    # (A token's issuer and audience are names, not secrets.)
    credential = r"(password|secret|token(?!_issuer|_audience)|key)\w*\s*:\s*str\s*="
    assert not re.search(credential, settings, re.IGNORECASE)
    assert "DB_ECHO=false" in (root / ".env.example").read_text()
    # What the API returns: no response schema has a field for a password or its hash.
    for module in (root / "app/schemas").glob("*.py"):
        for cls in ast.walk(ast.parse(module.read_text())):
            if isinstance(cls, ast.ClassDef) and not cls.name.endswith(("Create", "Update")):
                fields = [
                    f.target.id for f in cls.body if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)
                ]
                assert not [f for f in fields if "password" in f], (module.name, cls.name)
    # What gets logged: SQL without its values, MongoDB commands with passwords masked.
    engine = (root / "app/db/engine.py").read_text()
    if BACKENDS[db].is_sql:
        assert "hide_parameters=True" in engine
    else:
        assert "redacted(event.command)" in engine


@pytest.mark.parametrize("db", list(BACKENDS))
def test_no_example_leaves_out_item_and_stats(tmp_path: Path, db: str) -> None:
    """--no-example: no Item and no /stats anywhere, and the markers add-model needs are all still there."""
    root = generate(tmp_path, db, example=False)
    answers_file = tomllib.loads((root / ".dbgen.toml").read_text())
    assert (answers_file["example"], answers_file["models"]) == (False, ["User"])
    for path, content in tree(root).items():
        if path == ".dbgen/baseline.tar.gz" or path.endswith(".md"):
            continue
        text = content.decode()
        assert not re.search(r"\bItems?\b|\bitems?[._]|/items|\bstats\b|/stats|StatsRepo", text), path
    markers = {
        "app/api/router.py": ["# dbgen: router imports", "# dbgen: routers"],
        "app/api/deps.py": ["# dbgen: repository imports", "# dbgen: repositories"],
        "app/admin/site.py": ["# dbgen: admin imports", "# dbgen: admin views"],
        "app/models/__init__.py": ["# dbgen: models"],
    }
    if BACKENDS[db].is_sql:
        markers["app/models/user.py"] = ["# dbgen: model imports", "# dbgen: relationships"]
    for path, expected in markers.items():
        assert all(marker in (root / path).read_text() for marker in expected), path

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen import __version__
from dbgen.cli import app
from tests.unit.test_writer import tree

runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert invoke("--version")[:2] == (0, f"dbgen {__version__}\n")


def test_help_everywhere() -> None:
    assert "new" in invoke("--help")[1]
    code, out, _ = invoke("new", "--help")
    assert code == 0
    assert "--db" in out and "--dry-run" in out and "--force" in out and "--no-example" in out


def test_new_writes_project_and_shows_next_steps(tmp_path: Path) -> None:
    code, out, _ = invoke("new", "shop", "--dir", str(tmp_path / "shop"), "--no-input")
    assert code == 0
    assert (tmp_path / "shop" / "app" / "main.py").is_file()
    assert "create" in out and "Next steps" in out and "pytest" in out


def test_new_defaults_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("new", "shop")[0] == 0  # no TTY: no prompt, SQLite default
    assert 'db = "sqlite"' in (tmp_path / "shop" / ".dbgen.toml").read_text()


def test_new_asks_about_the_example_at_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dbgen.ui.stdin_is_interactive", lambda: True)
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop")], input="\nn\n")  # SQLite, no Item
    assert result.exit_code == 0, result.output
    assert "Include the example model Item?" in result.stdout
    assert "example = false" in (tmp_path / "shop" / ".dbgen.toml").read_text()
    assert not (tmp_path / "shop" / "app" / "models" / "item.py").exists()


def test_a_project_without_the_example_grows_and_shrinks(tmp_path: Path) -> None:
    """--no-example: add-model finds every marker, a relation to User imports relationship() into user.py and
    removing it takes that out again; a model of one's own may be called Item. (With login, User already has a
    relationship, its roles: the open API shows the import come and go.)"""
    root = tmp_path / "shop"
    assert invoke("new", "shop", "--dir", str(root), "--no-example", "--auth", "none", "--no-input")[0] == 0
    user = (root / "app/models/user.py").read_text()
    assert "import Mapped, mapped_column\n" in user
    assert invoke("add-model", "Note", "body:text", "writer:User:cascade", "--dir", str(root))[0] == 0
    grown = (root / "app/models/user.py").read_text()
    assert "import Mapped, mapped_column, relationship\n" in grown and 'notes: Mapped[list["Note"]]' in grown
    assert invoke("add-model", "Item", "name:str", "note:Note", "--dir", str(root))[0] == 0
    assert invoke("add-field", "Item", "size:int?", "--dir", str(root))[0] == 0
    assert invoke("add-model", "Part", "label:str", "item:Item", "--dir", str(root))[0] == 0
    assert "from tests.test_items import create_item" in (root / "tests/test_parts.py").read_text()
    for model in ("Part", "Item", "Note"):
        code, _, err = invoke("remove-model", model, "--dir", str(root))
        assert code == 0, err
    assert (root / "app/models/user.py").read_text() == user


def test_the_example_item_is_refused_by_remove_model_with_a_pointer(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert invoke("new", "shop", "--dir", str(root), "--no-input")[0] == 0
    err = refused_in_one_line(root, "remove-model", "Item")
    assert "part of the generated base project" in err and "dbgen new NAME --no-example" in err


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    code, out, _ = invoke("new", "shop", "--dir", str(tmp_path / "shop"), "--dry-run")
    assert code == 0
    assert "dry run" in out and "main.py" in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "class"], "project name 'class' is a Python keyword"),
        (["new", "../escape"], "must be a plain name, not a path"),
        (["new", "my shop"], "is not a valid package name"),
        (["new", "shop", "--db", "oracle"], "unknown database 'oracle'; choose one of: sqlite"),
        (["new", "shop", "--auth", "basic"], "unknown --auth 'basic'; choose one of: jwt, none"),
        (["new", "a" * 300], "project name is 300 characters long; use at most 50"),
        (["new", "shop", "--dir", "/proc/no-such-place/shop"], "cannot write /proc/no-such-place"),
        (["new", "shop", "--dir", "x" * 300], "File name too long"),
        (
            ["new", "shop", "--db", "postgres", "--database-url", "mysql://root@h/db"],
            "must start with postgresql+asyncpg://",
        ),
        (["new", "shop", "--database-url", "sqlite:///x.db"], "must start with sqlite+aiosqlite://"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    (tmp_path / "existing.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    code, _, err = invoke(*args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert tree(tmp_path) == before


def test_non_empty_target_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, _, err = invoke("new", "shop", "--dir", str(target))
    assert code == 2
    assert "is not empty" in err and "--force" in err
    assert tree(target) == {"notes.txt": b"mine"}
    assert invoke("new", "shop", "--dir", str(target), "--force")[0] == 0
    assert (target / "notes.txt").read_text() == "mine"
    assert (target / "app" / "main.py").is_file()


def test_entry_points_run_and_new_does_not_import_copier(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "dbgen", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"dbgen {__version__}"
    probe = (
        "import sys; from dbgen.cli import app; "
        f"app(['new', 'shop', '--dir', {str(tmp_path / 'shop')!r}, '--no-input'], standalone_mode=False); "
        "heavy = sorted({'copier', 'pydantic', 'yaml'} & set(sys.modules)); "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_owned_models_need_login_and_old_projects_are_open(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert invoke("new", "shop", "--dir", str(root), "--auth", "none")[0] == 0
    before = tree(root)
    code, _, err = invoke("add-model", "Note", "title:str", "--owned", "--dir", str(root))
    assert (code, err.strip()) == (2, "error: --owned needs login, and this project has an open API (--auth none)")
    assert tree(root) == before
    # A project made before dbgen asked about login has no auth key: it is taken as open, and told so.
    answers = root / ".dbgen.toml"
    answers.write_text(answers.read_text().replace('auth = "none"\n', ""))
    code, out, _ = invoke("add-model", "Note", "title:str", "--dir", str(root))
    assert code == 0 and "taken as --auth none" in " ".join(out.split())


def refused_in_one_line(root: Path, *args: str) -> str:
    """Run a command on the project at `root` that must fail: exit code 2 and one line on stderr, returned."""
    code, _, err = invoke(*args, "--dir", str(root))
    assert (code, len(err.strip().splitlines())) == (2, 1), err
    return err


def test_fields_grow_and_shrink_safely(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert invoke("new", "shop", "--dir", str(root))[0] == 0
    assert invoke("add-model", "Product", "name:str", "--dir", str(root))[0] == 0
    before = tree(root)
    for args, message in [
        (["add-field", "Product", "stock:int"], "is required and Product may already have rows"),
        (["add-field", "Product", "stock:int=abc"], "default 'abc' is not an int"),
        (["add-field", "Product", "name:text?"], "Product already has a field 'name'"),
        (["add-field", "User", "nickname:str?"], "User is part of the base project and yours to edit"),
        (["add-field", "Ghost", "x:int?"], "no model Ghost written by add-model"),
        (["remove-field", "Product", "colour"], "Product has no field 'colour'"),
        (["remove-field", "Product", "name"], "is Product's last field"),
    ]:
        assert message in refused_in_one_line(root, *args)
        assert tree(root) == before
    assert invoke("add-field", "Product", "stock:int=0", "--dir", str(root))[0] == 0
    code, out, _ = invoke("add-field", "Product", "stock:int=0", "--dir", str(root))
    assert code == 0 and "nothing to do" in out  # running it again changes nothing
    schema = root / "app/schemas/product.py"
    assert "stock: int = Field(default=0" in schema.read_text()
    schema.write_text(schema.read_text() + "# mine\n")
    code, _, err = invoke("remove-field", "Product", "stock", "--dir", str(root))
    assert code == 2 and "app/schemas/product.py" in err and schema.read_text().endswith("# mine\n")


def test_many_to_many_fields_refuse_in_one_line_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    assert invoke("new", "shop", "--dir", str(root))[0] == 0
    assert invoke("add-model", "Product", "name:str", "--dir", str(root))[0] == 0
    before = tree(root)
    for args, message in [
        (["add-field", "Product", "tags:Ghost[]"], "error: field 'tags:Ghost[]': no model 'Ghost' in this project"),
        (["add-model", "Offer", "goods:Item[]:unique"], ":unique does not apply to a many-to-many relation"),
        (["add-model", "Offer", "goods:Item[]?"], "a many-to-many relation cannot be optional"),
    ]:
        assert message in refused_in_one_line(root, *args)
    code, out, _ = invoke("add-field", "Product", "goods:Item[]", "--dir", str(root), "--dry-run")
    assert code == 0 and '+        "product_goods",' in out
    assert tree(root) == before

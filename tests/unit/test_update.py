"""`dbgen update` on a simulated release: a temporary copy of the templates that the test then changes.

The project is generated from the copy, edited as a user would, and the copy is changed as a release
would change it; update must then take each file's right path. Nothing here depends on what today's
templates say: the files under notes/ are the test's own.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen import __version__, baseline, releases, render, writer
from dbgen.backends import BACKENDS
from dbgen.cli import app
from dbgen.commands import regenerate
from dbgen.commands.models import plan_add_model
from dbgen.commands.new import plan_new
from dbgen.commands.update import plan_update
from dbgen.plan import Action
from dbgen.project import load
from tests.unit.test_baseline import generated, grown
from tests.unit.test_writer import tree

runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
LINES = "".join(f"line {n}\n" for n in range(1, 9))
# The test's own template files: their names say what the user does to them, then what the release does.
NOTES = {
    "untouched.txt": LINES,
    "mine.txt": LINES,
    "both.txt": LINES,
    "clash.txt": LINES,
    "dropped.txt": LINES,
    "dropped_edited.txt": LINES,
    "deleted.txt": LINES,
    "deleted_unchanged.txt": LINES,
    "named.txt.jinja": "{{ project_name }} on {{ db }}\n" + LINES,
}


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the templates that this test's dbgen renders, free to change."""
    copy = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in NOTES.items():
        write(copy / "project" / "notes" / name, text)
    write(copy / "model" / "notes" / "{{ model.module }}.txt.jinja", "{{ model.cls }}\n" + LINES)
    monkeypatch.setattr(render, "TEMPLATES", copy)
    return copy


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def shop(tmp_path: Path, templates: Path) -> Path:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    writer.apply(plan_add_model(root, "Category", ["name:str:unique"]))
    return root


def as_older_release(root: Path, version: str) -> None:
    """The project as `version` recorded it, its added model's access too (releases before 0.4.0 recorded none:
    update records what they did, which test_update_keeps_the_access_older_models_had covers)."""
    edit(root / ".dbgen.toml", f'dbgen_version = "{__version__}"', f'dbgen_version = "{version}"')
    edit(root / ".dbgen.toml", "[added.Category]\n", '[added.Category]\nread = "users"\nwrite = "superusers"\n')


def test_each_file_takes_its_own_path(shop: Path, templates: Path) -> None:
    notes, source = shop / "notes", templates / "project" / "notes"
    # the user's edits
    edit(notes / "mine.txt", "line 2\n", "line 2, mine\n")
    edit(notes / "both.txt", "line 1\n", "line 1, mine\n")
    edit(notes / "clash.txt", "line 4\n", "line 4, mine\n")
    edit(notes / "dropped_edited.txt", "line 1\n", "line 1, mine\n")
    (notes / "deleted.txt").unlink()
    (notes / "deleted_unchanged.txt").unlink()
    # the release's changes
    for name in ("untouched.txt", "deleted.txt", "both.txt"):
        edit(source / name, "line 8\n", "line 8, new\n")
    edit(source / "clash.txt", "line 4\n", "line 4, new\n")
    edit(source / "named.txt.jinja", "line 5\n", "line 5 of {{ project_name }}\n")
    edit(templates / "model" / "notes" / "{{ model.module }}.txt.jinja", "line 3\n", "line 3, new\n")
    write(source / "added.txt", "a new file\n")
    (source / "dropped.txt").unlink()
    (source / "dropped_edited.txt").unlink()
    migrations = {p: c for p, c in tree(shop).items() if p.startswith("migrations/versions/")}

    plan = plan_update(shop)
    verbs = {c.path: c.action for c in plan.changes if c.path.startswith("notes/")}
    assert verbs == {
        "notes/untouched.txt": Action.UPDATE,
        "notes/deleted.txt": Action.KEEP,
        "notes/both.txt": Action.MERGE,
        "notes/clash.txt": Action.CONFLICT,
        "notes/named.txt": Action.UPDATE,
        "notes/category.txt": Action.UPDATE,
        "notes/added.txt": Action.CREATE,
        "notes/dropped.txt": Action.DELETE,
        "notes/dropped_edited.txt": Action.KEEP,
    }
    writer.apply(plan)
    assert (notes / "untouched.txt").read_text().endswith("line 8, new\n")
    assert "line 2, mine\n" in (notes / "mine.txt").read_text()
    both = (notes / "both.txt").read_text()
    assert both.startswith("line 1, mine\n") and both.endswith("line 8, new\n")
    clash = (notes / "clash.txt").read_text()
    assert "<<<<<<< notes/clash.txt (yours)\nline 4, mine\n=======\nline 4, new\n>>>>>>> notes/clash.txt" in clash
    assert "line 5 of shop\n" in (notes / "named.txt").read_text()
    assert "line 3, new\n" in (notes / "category.txt").read_text()
    assert (notes / "added.txt").read_text() == "a new file\n"
    assert not (notes / "dropped.txt").exists() and (notes / "dropped_edited.txt").exists()
    assert not (notes / "deleted.txt").exists() and not (notes / "deleted_unchanged.txt").exists()
    assert {p: c for p, c in tree(shop).items() if p.startswith("migrations/versions/")} == migrations
    assert baseline.load(shop) == regenerate.current(load(shop))
    assert [c.path for c in plan.conflicts] == ["notes/clash.txt"]
    assert plan.next_steps[0] == "resolve the conflict markers in notes/clash.txt"


def test_a_second_update_is_a_no_op(shop: Path, templates: Path) -> None:
    edit(shop / "notes" / "both.txt", "line 1\n", "line 1, mine\n")
    edit(templates / "project" / "notes" / "both.txt", "line 8\n", "line 8, new\n")
    writer.apply(plan_update(shop))
    after = tree(shop)
    plan = plan_update(shop)
    assert not plan.writes and "nothing to do" in plan.message
    writer.apply(plan)
    assert tree(shop) == after


@pytest.mark.parametrize("db", list(BACKENDS))
def test_update_right_after_new_and_add_model_is_a_no_op(tmp_path: Path, db: str) -> None:
    fresh = tmp_path / "fresh"
    writer.apply(plan_new("shop", db, fresh))
    assert not plan_update(fresh).writes
    root = grown(tmp_path / "grown", db)
    assert regenerate.current(load(root)) == generated(root)  # what update renders is what the commands wrote
    assert not plan_update(root).writes


@pytest.mark.parametrize("db", ["sqlite", "mongo"])
def test_a_project_without_the_example_stays_without_it(tmp_path: Path, db: str) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", db, root, example=False))
    writer.apply(plan_add_model(root, "Review", ["body:text", "author:User"]))
    assert regenerate.current(load(root)) == generated(root)
    assert not plan_update(root).writes
    assert load(root).answers["example"] is False


def test_a_project_recorded_without_the_example_answer_has_the_example(tmp_path: Path) -> None:
    """Projects made before dbgen asked have Item: update records `example = true` and changes no file for it."""
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    answers = root / ".dbgen.toml"
    answers.write_text(answers.read_text().replace("example = true\n", ""))
    assert "example" not in load(root).answers
    plan = plan_update(root)
    assert [change.path for change in plan.writes] == [".dbgen.toml"]
    writer.apply(plan)
    assert load(root).answers["example"] is True and (root / "app/models/item.py").is_file()


def test_a_release_that_changes_tables_ships_a_migration(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older release (here 0.1.5, with a baseline) updated to this one, whose templates add a column."""
    shipped = tmp_path / "releases"
    write(
        shipped / __version__ / releases.MIGRATION,
        'revision = "{{ revision }}"\ndown_revision = "{{ down_revision }}"\n'
        "{% for spec in added %}# {{ spec.names.table }}: {{ spec.fields | length }} field(s)\n{% endfor %}"
        '# op.add_column("users", sa.Column("nickname", sa.String(length=50), nullable=True))\n',
    )
    monkeypatch.setattr(releases, "HERE", shipped)
    monkeypatch.setattr(releases, "RELEASES", ("0.1.0", "0.1.5", __version__))
    monkeypatch.setattr(releases, "FIRST_WITH_BASELINE", "0.1.5")
    as_older_release(shop, "0.1.5")
    before = tree(shop)

    plan = plan_update(shop)
    name = f"migrations/versions/0003_dbgen_{__version__.replace('.', '_')}.py"
    assert [c.path for c in plan.writes] == [name, ".dbgen.toml"]
    writer.apply(plan)
    assert (shop / name).read_text().startswith('revision = "0003"\ndown_revision = "0002"\n# categories: 1 field(s)\n')
    assert f'dbgen_version = "{__version__}"' in (shop / ".dbgen.toml").read_text()
    assert {p: c for p, c in tree(shop).items() if p != name and p != ".dbgen.toml"} == {
        p: c for p, c in before.items() if p != ".dbgen.toml"
    }
    assert not plan_update(shop).writes  # recorded as this release now: nothing more to migrate


def test_a_release_migration_that_renders_empty_writes_nothing(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "releases"
    only_postgres = '{% if db == "postgres" %}revision = "{{ revision }}"{% endif %}\n'
    write(shipped / __version__ / releases.MIGRATION, only_postgres)
    monkeypatch.setattr(releases, "HERE", shipped)
    monkeypatch.setattr(releases, "RELEASES", ("0.1.0", "0.1.5", __version__))
    monkeypatch.setattr(releases, "FIRST_WITH_BASELINE", "0.1.5")
    as_older_release(shop, "0.1.5")
    assert [c.path for c in plan_update(shop).writes] == [".dbgen.toml"]  # SQLite: no migration


def test_cli_dry_run_prints_verbs_and_diffs_and_writes_nothing(shop: Path, templates: Path) -> None:
    edit(shop / "notes" / "clash.txt", "line 4\n", "line 4, mine\n")
    edit(templates / "project" / "notes" / "clash.txt", "line 4\n", "line 4, new\n")
    edit(templates / "project" / "notes" / "untouched.txt", "line 8\n", "line 8, new\n")
    before = tree(shop)
    result = runner.invoke(app, ["update", "--dir", str(shop), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.stdout
    assert "conflict  clash.txt" in result.stdout and "update  untouched.txt" in result.stdout
    assert "+line 8, new" in result.stdout and "+<<<<<<< notes/clash.txt (yours)" in result.stdout
    assert tree(shop) == before


def test_cli_conflicts_are_written_listed_and_exit_1(shop: Path, templates: Path) -> None:
    edit(shop / "notes" / "clash.txt", "line 4\n", "line 4, mine\n")
    edit(templates / "project" / "notes" / "clash.txt", "line 4\n", "line 4, new\n")
    result = runner.invoke(app, ["update", "--dir", str(shop)])
    assert result.exit_code == 1
    assert "conflict  clash.txt" in result.stdout
    assert "resolve the conflict markers in notes/clash.txt" in result.stdout
    assert "alembic upgrade head" in result.stdout and "pytest" in result.stdout
    assert "<<<<<<<" in (shop / "notes" / "clash.txt").read_text()


def git(root: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)


def test_uncommitted_changes_need_force(shop: Path, templates: Path) -> None:
    git(shop, "init", "-q")
    git(shop, "add", "-A")
    git(shop, "commit", "-q", "-m", "generated")
    edit(templates / "project" / "notes" / "untouched.txt", "line 8\n", "line 8, new\n")
    edit(shop / "notes" / "mine.txt", "line 2\n", "line 2, mine\n")
    before = tree(shop)
    result = runner.invoke(app, ["update", "--dir", str(shop)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {shop} has uncommitted changes (1, e.g. notes/mine.txt); commit or stash them first so that "
        "update's changes can be reviewed and undone, or use --force"
    ]
    assert tree(shop) == before
    assert runner.invoke(app, ["update", "--dir", str(shop), "--dry-run"]).exit_code == 0
    assert tree(shop) == before
    assert runner.invoke(app, ["update", "--dir", str(shop), "--force"]).exit_code == 0
    assert (shop / "notes" / "untouched.txt").read_text().endswith("line 8, new\n")


def _break(root: Path, how: str) -> None:
    answers = root / ".dbgen.toml"
    if how == "not a project":
        answers.unlink()
    elif how == "unparsable answers":
        answers.write_text(answers.read_text() + "models = [\n")
    elif how == "unknown backend":
        edit(answers, 'db = "sqlite"', 'db = "oracle"')
    elif how == "no models":
        answers.write_text(answers.read_text().replace("models = [", "tables = ["))
    elif how == "missing baseline":
        (root / baseline.PATH).unlink()
    elif how == "corrupt baseline":
        (root / baseline.PATH).write_bytes((root / baseline.PATH).read_bytes()[:-40])
    elif how == "newer dbgen":
        edit(answers, f'dbgen_version = "{__version__}"', 'dbgen_version = "99.0.0"')
    elif how == "unknown version":
        edit(answers, f'dbgen_version = "{__version__}"', 'dbgen_version = "0.1.7"')


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("not a project", "not inside a dbgen project: no .dbgen.toml in"),
        ("unparsable answers", "cannot read"),
        ("unknown backend", "unknown database 'oracle'; choose one of: sqlite"),
        ("no models", "has no valid `models`; restore it from version control"),
        ("missing baseline", ".dbgen/baseline.tar.gz is missing, so dbgen cannot tell your edits apart"),
        ("corrupt baseline", ".dbgen/baseline.tar.gz is corrupt"),
        ("newer dbgen", f"written by dbgen 99.0.0, newer than this dbgen {__version__}; upgrade dbgen"),
        ("unknown version", "unknown dbgen_version '0.1.7' in .dbgen.toml; this dbgen updates from 0.1.0"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(shop: Path, templates: Path, how: str, message: str) -> None:
    edit(templates / "project" / "notes" / "untouched.txt", "line 8\n", "line 8, new\n")  # there is work to do
    _break(shop, how)
    before = tree(shop.parent)
    result = runner.invoke(app, ["update", "--dir", str(shop)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert tree(shop.parent) == before


def test_mongo_report_says_that_indexes_follow_the_models(tmp_path: Path, templates: Path) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "mongo", root))
    write(templates / "project" / "app" / "models" / "indexes.txt", "a release's change to the models\n")
    plan = plan_update(root)
    assert "MongoDB indexes follow app/models (app/models/indexes.txt)" in plan.message
    assert "alembic upgrade head" not in plan.next_steps and plan.next_steps[-1] == "pytest"


def test_an_error_part_way_leaves_the_project_as_it_was(
    shop: Path, templates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("untouched.txt", "both.txt"):
        edit(templates / "project" / "notes" / name, "line 8\n", "line 8, new\n")
    (templates / "project" / "notes" / "dropped.txt").unlink()
    before = tree(shop)
    plan = plan_update(shop)
    # Four writes, so that the third one failing is part way: two files changed, one deleted, and the baseline.
    assert sorted(c.path for c in plan.writes) == [
        ".dbgen/baseline.tar.gz", "notes/both.txt", "notes/dropped.txt", "notes/untouched.txt"
    ]  # fmt: skip
    real_replace, calls = writer.os.replace, []

    def failing_replace(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        writer.apply(plan)
    assert tree(shop) == before


def test_cli_help_lists_update_and_its_options() -> None:
    assert "update" in runner.invoke(app, ["--help"]).stdout
    result = runner.invoke(app, ["update", "--help"])
    assert result.exit_code == 0
    assert all(option in result.stdout for option in ("--dir", "--dry-run", "--force"))


def test_an_older_project_gets_the_admin_with_views_for_its_added_models(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "release-0.1.0" / "sqlite", root)
    assert not (root / "app/admin").exists()
    writer.apply(plan_update(root, force=True))
    site = (root / "app/admin/site.py").read_text()
    for model in ("Category", "Product"):
        assert f"    admin.add_view({model}View(app))\n" in site
        assert (root / f"app/admin/{model.lower()}.py").is_file()


def test_a_mongo_project_of_an_older_release_gets_a_one_off_upgrade_script(tmp_path: Path) -> None:
    """The back-fill that 0.2.0's app ran at every start is a script that update writes, once; SQL has migrations."""
    for db in ("mongo", "sqlite"):
        root = tmp_path / db
        writer.apply(plan_new("shop", db, root))
        edit(root / ".dbgen.toml", f'dbgen_version = "{__version__}"', 'dbgen_version = "0.2.0"')
        plan = plan_update(root)
        scripts = [c.path for c in plan.writes if c.path.startswith("scripts/")]
        if db == "mongo":
            assert scripts == ["scripts/dbgen_0_3_0.py"]
            assert plan.next_steps[-2:] == ["python -m scripts.dbgen_0_3_0", "pytest"]
            assert "run `python -m scripts.dbgen_0_3_0` once" in plan.message
            script = next(c.content for c in plan.writes if c.path == scripts[0])
            assert script is not None and b'drop_index("uq_users_email")' in script
        else:
            assert scripts == [] and "scripts." not in " ".join(plan.next_steps)


def test_update_keeps_the_access_older_models_had(tmp_path: Path) -> None:
    """Before 0.4.0 any signed-in user changed a model added without --owned: update records that (read and
    write users), says so in one line with the command that tightens it, and leaves owned models to their default.

    Fails if updating an older project takes write access away from its users without a word."""
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    for name, fields, owned in [("Category", ["name:str"], False), ("Tag", ["name:str"], False), ("Note", [], True)]:
        writer.apply(plan_add_model(root, name, fields or ["title:str"], owned=owned))
    edit(root / ".dbgen.toml", f'dbgen_version = "{__version__}"', 'dbgen_version = "0.3.0"')
    plan = plan_update(root)
    assert (
        ". Category, Tag keep the access they had: any signed-in user may change them; "
        "`dbgen set-access Category --write superusers` tightens it"
    ) in plan.message
    writer.apply(plan)
    added = load(root).added
    assert [(m.read, m.write) for m in added.values()] == [("users", "users"), ("users", "users"), (None, None)]
    route = (root / "app/api/routes/categories.py").read_text()
    assert "superuser" not in route and route.count("dependencies=[Depends(caller)]") == 6
    assert "Who may create, change and delete: signed-in users." in route
    assert not plan_update(root).writes

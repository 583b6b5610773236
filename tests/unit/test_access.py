"""Per-model access policies: who may read and who may write an added model (add-model --read/--write,
set-access), the table of statuses its generated tests assert, and the refusals."""

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen import baseline, policy, writer
from dbgen.cli import app
from dbgen.commands.models import plan_add_model, plan_set_access
from dbgen.commands.new import plan_new
from dbgen.commands.roles import plan_add_role
from dbgen.policy import Policy
from tests.unit.test_writer import tree

runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
ROUTE, TESTS = "app/api/routes/categories.py", "tests/test_categories.py"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    return root


def answers(root: Path) -> dict[str, object]:
    return tomllib.loads((root / ".dbgen.toml").read_text())


def with_roles(root: Path, *roles: str) -> None:
    """The project after `dbgen add-role` of each role."""
    for role in roles:
        writer.apply(plan_add_role(root, role))


def test_defaults_and_the_statuses_they_give() -> None:
    """Fails if a default changes, or the table the generated tests assert lets in or keeps out the wrong caller."""
    assert policy.default(owned=False) == Policy("users", "superusers")
    assert policy.default(owned=True) == Policy("owner", "owner", owned=True)
    plain = policy.expected(policy.default(owned=False))
    assert list(plain) == ["anonymous", "member", "other_member", "superuser", "deactivated"]
    assert plain["member"] == {"list": 200, "read": 200, "create": 403, "update": 403, "delete": 403, "bulk": 403}
    assert plain["deactivated"] == dict.fromkeys(policy.OPERATIONS, 401)
    assert plain["superuser"] == policy.SUCCESS
    owned = policy.expected(policy.default(owned=True))
    assert owned["owner"] == policy.SUCCESS
    assert owned["other_member"] == {"list": 200, "read": 404, "create": 201, "update": 404, "delete": 404, "bulk": 201}
    shared = policy.expected(policy.resolve("users", None, owned=True))  # others read, only the owner changes
    assert shared["other_member"] == owned["other_member"] | {"read": 200, "update": 403, "delete": 403}
    public = policy.expected(Policy("anyone", "editor"))
    assert public["anonymous"] == {"list": 200, "read": 200, "create": 401, "update": 401, "delete": 401, "bulk": 401}
    assert public["deactivated"]["list"] == 200  # no token is read where anyone may
    assert public["role_holder"] == policy.SUCCESS
    assert public["member"]["create"] == 403
    reviewed = policy.expected(Policy("editor", "superusers"))  # a role reads, only superusers write
    assert reviewed["role_holder"] == {"list": 200, "read": 200} | dict.fromkeys(policy.WRITES, 403)
    assert reviewed["member"] == dict.fromkeys(policy.OPERATIONS, 403)
    kept = policy.expected(Policy("editor", "superusers", owned=True))  # not scoped: the role reads every record
    assert kept["role_holder"] == reviewed["role_holder"] and kept["owner"] == reviewed["member"]


def test_add_model_records_only_what_was_chosen(shop: Path) -> None:
    """Fails if --read/--write are not recorded, a default is written out, or the routes do not follow them."""
    writer.apply(plan_add_model(shop, "Category", ["name:str"]))
    writer.apply(plan_add_model(shop, "Product", ["name:str"], read="anyone"))
    added = answers(shop)["added"]
    assert isinstance(added, dict)
    assert "read" not in added["Category"] and "write" not in added["Category"]
    assert (added["Product"]["read"], "write" in added["Product"]) == ("anyone", False)
    route = (shop / "app/api/routes/products.py").read_text()
    assert route.startswith(
        "# Who may list and read: anyone (no token).\n# Who may create, change and delete: superusers.\n"
    )
    assert "return public(request, Page[ProductRead]" in route
    assert '@router.get("/{product_id}", responses=NOT_FOUND)\n' in route  # no token read: no 401, no lock
    assert "dependencies=[Depends(superuser)]" in route
    assert "Depends(caller)" in (shop / ROUTE).read_text()


def test_a_role_is_served_by_its_dependency(shop: Path) -> None:
    """Fails if a role audience is not checked by app.api.access.role, or its holder has no row in the table or
    is not granted exactly that role (the model's held_roles); a model naming no role has neither."""
    with_roles(shop, "editor")
    writer.apply(plan_add_model(shop, "Article", ["title:str"], write="editor"))
    route = (shop / "app/api/routes/articles.py").read_text()
    assert route.count('dependencies=[Depends(role("editor"))]') == 4
    assert "Who may create, change and delete: users with the role editor (and superusers)." in route
    tests = (shop / "tests/test_articles.py").read_text()
    assert '    "role_holder": {"list": 200, "read": 200, "create": 201, "update": 200' in tests
    assert 'def held_roles() -> list[str]:\n    """The role_holder caller holds' in tests
    assert tests.count('return ["editor"]') == 1  # exactly the role the rules name, granted in conftest's callers
    writer.apply(plan_add_model(shop, "Category", ["name:str"]))
    assert "role_holder" not in (shop / TESTS).read_text() and "held_roles" not in (shop / TESTS).read_text()


REFUSALS = [
    (["--read", "everyone"], "--read 'everyone' is no audience of this project"),
    (["--write", "editor"], "--write 'editor' is no audience of this project (anyone, users, owner, superusers)"),
    (["--read", "owner"], "--read owner needs a model with owners: Category was not added with --owned"),
    (["--read", "superusers", "--write", "users"], "--write users is wider than --read superusers"),
    (["--owned", "--write", "anyone", "--read", "anyone"], "an anonymous caller cannot own a record"),
    (["--owned", "--read", "editor"], "--read editor and --write owner: whoever may change Category must be able"),
]


@pytest.mark.parametrize(("options", "message"), REFUSALS, ids=[" ".join(o) for o, _ in REFUSALS])
def test_each_refused_policy_is_one_line_exit_2_and_nothing_written(
    shop: Path, options: list[str], message: str
) -> None:
    """Fails if a policy the routes cannot serve is written, or refused otherwise than by one line and exit 2."""
    if "editor" in options and "--owned" in options:
        with_roles(shop, "editor")
    before = tree(shop)
    result = runner.invoke(app, ["add-model", "Category", "name:str", *options, "--dir", str(shop)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert tree(shop) == before


def test_an_open_api_refuses_access_options(tmp_path: Path) -> None:
    """Fails if --auth none takes --read/--write, which it has no login to serve."""
    root = tmp_path / "open"
    writer.apply(plan_new("open", "sqlite", root, auth="none"))
    before = tree(root)
    result = runner.invoke(app, ["add-model", "Category", "name:str", "--read", "anyone", "--dir", str(root)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --read and --write need login, and this project has an open API (--auth none)"
    )
    assert tree(root) == before


def test_set_access_rewrites_the_route_its_tests_answers_and_baseline(shop: Path) -> None:
    """Fails if set-access writes another file, forgets one of these, or leaves the tests' table as it was."""
    writer.apply(plan_add_model(shop, "Category", ["name:str"]))
    before = tree(shop)
    plan = plan_set_access(shop, "category", "anyone", "users")
    assert sorted(c.path for c in plan.writes) == sorted([ROUTE, TESTS, ".dbgen.toml", baseline.PATH])
    writer.apply(plan)
    after = tree(shop)
    assert {p for p in after if after[p] != before.get(p)} == {ROUTE, TESTS, ".dbgen.toml", baseline.PATH}
    added = answers(shop)["added"]
    assert isinstance(added, dict)
    assert (added["Category"]["read"], added["Category"]["write"]) == ("anyone", "users")
    assert baseline.load(shop)[ROUTE] == after[ROUTE]
    assert '"anonymous": {"list": 200, "read": 200, "create": 401' in (shop / TESTS).read_text()
    again = plan_set_access(shop, "Category", None, "users")
    assert not again.writes and "nothing to do" in again.message


def test_set_access_refuses_an_edited_file_unless_forced(shop: Path) -> None:
    """Fails if set-access overwrites a route file the user changed without --force."""
    writer.apply(plan_add_model(shop, "Category", ["name:str"]))
    (shop / ROUTE).write_text((shop / ROUTE).read_text() + "# mine\n")
    before = tree(shop)
    result = runner.invoke(app, ["set-access", "Category", "--read", "anyone", "--dir", str(shop)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: Category's files were changed since dbgen wrote them: {ROUTE}; use --force"
    )
    assert tree(shop) == before
    forced = runner.invoke(app, ["set-access", "Category", "--read", "anyone", "--force", "--dir", str(shop)])
    assert forced.exit_code == 0, forced.output
    assert "# mine" not in (shop / ROUTE).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Item", "--read", "anyone"], "Item is part of the base project: its access is in app/api/routes/items.py"),
        (["Nothing", "--read", "anyone"], "no model Nothing written by add-model in this project"),
        (["Category"], "set-access needs --read, --write or both"),
        (["Category", "--write", "anyone"], "--write anyone is wider than --read users"),
    ],
)
def test_set_access_refusals(shop: Path, args: list[str], message: str) -> None:
    """Fails if set-access touches a built-in or unknown model, runs without a change to make, or takes a policy
    add-model would refuse."""
    writer.apply(plan_add_model(shop, "Category", ["name:str"]))
    before = tree(shop)
    result = runner.invoke(app, ["set-access", *args, "--dir", str(shop)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert tree(shop) == before

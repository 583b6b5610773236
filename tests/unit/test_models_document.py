"""add-model / remove-model on a MongoDB project: registrations in app/models/__init__.py, and undoing them."""

import subprocess
import sys
from pathlib import Path

import pytest

from dbgen import writer
from dbgen.commands.models import plan_add_model, plan_remove_model, registrations
from dbgen.commands.new import plan_new
from dbgen.errors import DbgenError
from dbgen.fields import parse_model
from dbgen.project import find
from tests.unit.test_writer import tree

CATEGORY = ["name:str:unique"]
PRODUCT = [
    "name:str",
    "price:decimal",
    "in_stock:bool",
    "category:Category",
    "description:text?",
    "maker:User?:setnull",
]
MODELS = "app/models/__init__.py"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "mongo", root))
    return root


def grow(root: Path) -> None:
    writer.apply(plan_add_model(root, "Category", CATEGORY))
    writer.apply(plan_add_model(root, "Product", PRODUCT))


def test_document_registrations(shop: Path) -> None:
    writer.apply(plan_add_model(shop, "Category", CATEGORY))
    project = find(shop)
    found = registrations(project, parse_model("Product", PRODUCT, project.models))
    admin, found = found[-2:], found[:-2]
    assert [(r.path, r.marker, r.line) for r in admin] == [
        ("app/admin/site.py", "# dbgen: admin imports", "from app.admin.product import ProductView"),
        ("app/admin/site.py", "# dbgen: admin views", "    admin.add_view(ProductView(app))"),
    ]
    assert [(r.path, r.line) for r in found[2:4]] == [
        ("app/api/deps.py", "from app.repositories.product import ProductRepository"),
        ("app/api/deps.py", "Products = Annotated[ProductRepository, repository(ProductRepository)]"),
    ]
    assert [(r.path, r.line) for r in found[4:6]] == [
        ("app/seed/registry.py", "from app.seed.product import SEED as product"),
        ("app/seed/registry.py", "    product,"),
    ]
    found = found[4:]
    assert {r.path for r in found[2:]} == {MODELS}
    assert [(r.marker, r.sort) for r in found[2:]] == [
        ("# dbgen: model imports", True),
        ("# dbgen: models", False),
        ("# dbgen: references", False),
        ("# dbgen: references", False),
    ]
    assert [r.line for r in found[2:]] == [
        "from app.models import product as product",
        "    product.COLLECTION: product.INDEXES,",
        '    Reference(product.COLLECTION, "category_id", category.COLLECTION, "restrict"),',
        '    Reference(product.COLLECTION, "maker_id", user.COLLECTION, "set_null"),',
    ]


def test_add_model_writes_files_and_registers_them(shop: Path) -> None:
    grow(shop)
    text = (shop / MODELS).read_text()
    imports = [line for line in text.splitlines() if line.startswith("from app.models import")]
    modules = (
        "account_token",
        "category",
        "item",
        "login_failure",
        "login_session",
        "mail_delivery",
        "product",
        "refresh_token",
        "user",
    )
    assert imports == [f"from app.models import {m} as {m}" for m in modules]
    assert text.index("product.COLLECTION: product.INDEXES,") < text.index("# dbgen: models")
    assert '    Reference(product.COLLECTION, "maker_id", user.COLLECTION, "set_null"),\n' in text
    model = (shop / "app/models/product.py").read_text()
    assert 'IndexModel([("category_id", ASCENDING)], name="ix_products_category_id")' in model
    assert "    maker_id: ObjectId | None\n" in model and "    price: Decimal\n" in model
    category = (shop / "app/models/category.py").read_text()
    assert 'IndexModel([("name", ASCENDING)], name="uq_categories_name", unique=True)' in category
    assert not (shop / "migrations").exists() and not (shop / "alembic.ini").exists()
    for path, content in tree(shop).items():
        if path.endswith(".py"):
            compile(content, path, "exec")


def test_optional_unique_field_gets_a_partial_index(shop: Path) -> None:
    writer.apply(plan_add_model(shop, "Tag", ["label:str?:unique", "rank:int?:unique"]))
    model = (shop / "app/models/tag.py").read_text()
    assert 'partialFilterExpression={"label": {"$type": "string"}}' in model
    assert 'partialFilterExpression={"rank": {"$type": "number"}}' in model


def test_remove_model_restores_the_registrations(shop: Path) -> None:
    before = tree(shop)
    grow(shop)
    plan = plan_remove_model(shop, "Product")
    assert "collection 'products'" in plan.message
    writer.apply(plan)
    writer.apply(plan_remove_model(shop, "Category"))
    after = tree(shop)
    assert after.keys() == before.keys()
    assert {path for path in before if after[path] != before[path]} == {".dbgen.toml"}


def test_registered_init_passes_ruff(shop: Path) -> None:
    grow(shop)
    writer.apply(plan_add_model(shop, "Apple", ["name:str"]))
    writer.apply(plan_add_model(shop, "Zebra", ["name:str", "apple:Apple"]))
    paths = [MODELS, "app/models/product.py", "app/repositories/product.py", "tests/test_products.py"]
    for command in (["check", *paths], ["format", "--check", *paths]):
        command = [sys.executable, "-m", "ruff", *command]
        result = subprocess.run(command, cwd=shop, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_many_to_many_is_an_indexed_array_whose_ids_are_pulled(shop: Path) -> None:
    writer.apply(plan_add_model(shop, "Tag", ["name:str:unique"]))
    writer.apply(plan_add_model(shop, "Product", ["name:str", "tags:Tag[]"]))
    model = (shop / "app/models/product.py").read_text()
    assert 'IndexModel([("tag_ids", ASCENDING)], name="ix_products_tag_ids")' in model
    assert "    tag_ids: list[ObjectId]\n" in model
    assert '    Reference(product.COLLECTION, "tag_ids", tag.COLLECTION, "pull"),\n' in (shop / MODELS).read_text()
    assert "tag_ids: list[Id] = Field(default_factory=list)" in (shop / "app/schemas/product.py").read_text()


def test_ci_field_is_stored_with_a_unique_lower_case_copy(shop: Path) -> None:
    writer.apply(plan_add_model(shop, "Tag", ["label:str:ci:unique", "mail:email?:ci:unique"]))
    model = (shop / "app/models/tag.py").read_text()
    assert 'IndexModel([("label_lower", ASCENDING)], name="uq_tags_label_lower", unique=True)' in model
    assert 'IndexModel([("label", ASCENDING)], name="ix_tags_label")' in model  # the sort key
    assert 'partialFilterExpression={"mail_lower": {"$type": "string"}}' in model
    assert "    label_lower: str  #" in model and "    mail_lower: str | None  #" in model
    assert 'lowered = ("label", "mail")' in (shop / "app/repositories/tag.py").read_text()


def test_ci_runs_the_suite_against_its_mongodb_service_with_nothing_replaced(shop: Path) -> None:
    """The generated suite replaces part of app.repositories.base only when TEST_DATABASE_URL is its default and
    nothing answers there (it then starts nx-27017). CI names its MongoDB service container instead, so the
    production queries run end to end there, and a missing server fails rather than being stood in for. Fails if
    the workflow loses the service container or sets the suite's default URL."""
    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((shop / ".github/workflows/ci.yml").read_text())["jobs"]["test"]
    assert job["services"]["mongo"]["image"].startswith("mongo:")
    assert job["services"]["mongo"]["ports"] == ["27017:27017"]
    assert job["env"]["TEST_DATABASE_URL"] == "mongodb://localhost:27017/shop_test"
    suite = (shop / "tests/database.py").read_text()
    assert 'DEFAULT_URL = "mongodb://127.0.0.1:27017/shop_test"' in suite
    assert "if url == DEFAULT_URL and not await answers(url):" in suite


@pytest.mark.parametrize(
    ("fields", "timestamps", "message"),
    [
        (["name:str:column=Name"], True, "are for SQL databases"),
        (["stamp:datetime:dbdefault"], True, "are for SQL databases"),
        (["name:str"], False, "--no-timestamps is for SQL databases"),
    ],
)
def test_sql_only_names_are_refused_in_one_line(shop: Path, fields: list[str], timestamps: bool, message: str) -> None:
    """Fails if a MongoDB project accepts what only a SQL table has (column names, database defaults, no
    timestamps), or writes anything before refusing."""
    before = tree(shop)
    with pytest.raises(DbgenError, match=message):
        plan_add_model(shop, "Thing", fields, timestamps=timestamps)
    assert tree(shop) == before

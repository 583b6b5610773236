"""add-model / remove-model plans on a real generated project (no database needed to plan or write)."""

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen import writer
from dbgen.cli import app
from dbgen.commands.models import plan_add_field, plan_add_model, plan_remove_field, plan_remove_model
from dbgen.commands.new import plan_new
from dbgen.errors import Conflict, DbgenError, InvalidName, NotAProject
from tests.unit.test_writer import tree

PRODUCT = ["name:str", "price:decimal", "in_stock:bool", "category:Category", "description:text?"]
runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "sqlite", root))
    return root


def add(root: Path, name: str, *fields: str, force: bool = False) -> None:
    writer.apply(plan_add_model(root, name, list(fields), force=force))


def test_add_model_writes_files_registrations_and_answers(shop: Path) -> None:
    add(shop, "Category", "name:str:unique")
    add(shop, "product", *PRODUCT)
    for path in [
        "app/models/product.py",
        "app/schemas/product.py",
        "app/repositories/product.py",
        "app/api/routes/products.py",
        "tests/test_products.py",
        "migrations/versions/0003_add_product.py",
    ]:
        assert (shop / path).is_file(), path  # fmt: skip
    router = (shop / "app/api/router.py").read_text()
    assert "from app.api.routes.products import router as products_router\n" in router
    assert "    products_router,\n    # dbgen: routers\n" in router
    assert "from app.models.product import Product as Product" in (shop / "app/models/__init__.py").read_text()
    migration = (shop / "migrations/versions/0003_add_product.py").read_text()
    assert 'revision: str = "0003"' in migration and 'down_revision: str | Sequence[str] | None = "0002"' in migration
    assert 'products: Mapped[list["Product"]]' in (shop / "app/models/category.py").read_text()
    seeds = (shop / "app/seed/registry.py").read_text()  # python -m app.seed fills it, after its parents
    assert "from app.seed.product import SEED as product\n" in seeds and "    product,\n" in seeds
    assert 'parents={"category_id": "categories"}' in (shop / "app/seed/product.py").read_text()
    answers = tomllib.loads((shop / ".dbgen.toml").read_text())
    assert answers["models"] == ["User", "Item", "Category", "Product"]
    assert answers["added"]["Product"]["fields"] == PRODUCT
    # Every file the model brought, which remove-model deletes: one left out would stay behind.
    assert sorted(answers["added"]["Product"]["files"]) == [
        "app/admin/product.py", "app/api/routes/products.py", "app/models/product.py", "app/repositories/product.py",
        "app/schemas/product.py", "app/seed/product.py", "migrations/versions/0003_add_product.py",
        "tests/test_products.py",
    ]  # fmt: skip


def test_rerun_is_a_no_op_that_says_so(shop: Path) -> None:
    add(shop, "Category", "name:str:unique")
    before = tree(shop)
    plan = plan_add_model(shop, "Category", ["name:str:unique"])
    assert not plan.writes and "nothing to do" in plan.message
    with pytest.raises(InvalidName, match="already exists; remove it first"):
        plan_add_model(shop, "Category", ["name:text"])
    assert tree(shop) == before


def test_relation_to_a_built_in_model_adds_marker_lines(shop: Path) -> None:
    add(shop, "Review", "body:text", "author:User")
    user = (shop / "app/models/user.py").read_text()
    assert "    from app.models.review import Review\n" in user
    assert 'reviews: Mapped[list["Review"]] = relationship(back_populates="author"' in user


def test_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject, match="not inside a dbgen project"):
        plan_add_model(tmp_path, "Thing", ["name:str"])


def test_edited_file_is_a_conflict_and_nothing_is_written(shop: Path) -> None:
    (shop / "tests/test_things.py").write_text("# mine\n")
    before = tree(shop)
    with pytest.raises(Conflict, match=r"tests/test_things\.py.*--force"):
        plan_add_model(shop, "Thing", ["name:str"])
    assert tree(shop) == before
    add(shop, "Thing", "name:str", force=True)
    assert "create_thing" in (shop / "tests/test_things.py").read_text()


def test_missing_marker_stops_with_the_line_to_add(shop: Path) -> None:
    router = shop / "app/api/router.py"
    router.write_text(router.read_text().replace("# dbgen: routers\n", ""))
    before = tree(shop)
    with pytest.raises(DbgenError, match=r"app/api/router\.py has no line `# dbgen: routers`; add `things_router,`"):
        plan_add_model(shop, "Thing", ["name:str"])
    assert tree(shop) == before


def test_remove_model_undoes_add_model(shop: Path) -> None:
    add(shop, "Category", "name:str:unique")
    after_category = tree(shop)
    add(shop, "Product", *PRODUCT)
    with pytest.raises(InvalidName, match="Product refers to it"):
        plan_remove_model(shop, "Category")
    with pytest.raises(InvalidName, match="part of the generated base project"):
        plan_remove_model(shop, "User")
    writer.apply(plan_remove_model(shop, "Product"))
    now = tree(shop)
    added = set(now) - set(after_category)
    assert added == {"migrations/versions/0003_add_product.py", "migrations/versions/0004_remove_product.py"}
    for path in set(after_category) - {".dbgen.toml"}:
        assert now[path] == after_category[path], path
    drop = now["migrations/versions/0004_remove_product.py"].decode()
    assert 'op.drop_table("products")' in drop and 'down_revision: str | Sequence[str] | None = "0003"' in drop


def test_remove_refuses_changed_files_unless_forced(shop: Path) -> None:
    add(shop, "Thing", "name:str")
    schema = shop / "app/schemas/thing.py"
    schema.write_text(schema.read_text() + "# mine\n")
    with pytest.raises(Conflict, match=r"app/schemas/thing\.py; use --force"):
        plan_remove_model(shop, "Thing")
    assert schema.exists()
    writer.apply(plan_remove_model(shop, "Thing", force=True))
    assert not schema.exists()


def test_cli_dry_run_shows_a_diff_and_writes_nothing(shop: Path) -> None:
    before = tree(shop)
    result = runner.invoke(app, ["add-model", "Thing", "name:str", "--dir", str(shop), "--dry-run"])
    assert result.exit_code == 0
    assert "+    things_router," in result.stdout
    assert "dry run" in result.stdout
    assert tree(shop) == before


def test_cli_bad_field_is_one_line_exit_2(shop: Path) -> None:
    before = tree(shop)
    result = runner.invoke(app, ["add-model", "Thing", "price:money", "--dir", str(shop)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: field 'price:money': unknown type 'money'; use one of str, text, email, url, int, bigint, smallint, "
        "float, decimal, bool, date, datetime, time, uuid, json, bytes, enum(a,b,...), or a model name"
    )
    assert tree(shop) == before


def test_many_to_many_gets_an_association_table_and_no_reverse_side(shop: Path) -> None:
    add(shop, "Tag", "name:str:unique")
    tag_model = (shop / "app/models/tag.py").read_text()
    add(shop, "Product", "name:str", "tags:Tag[]", "watchers:User[]")
    assert (shop / "app/models/tag.py").read_text() == tag_model  # the links are the product's alone
    assert "relationship" not in (shop / "app/models/user.py").read_text().split("# dbgen: relationships")[1]
    model = (shop / "app/models/product.py").read_text()
    assert 'Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)' in model
    assert 'Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)' in model
    assert "relationship(\n        secondary=product_tags," in model
    assert "    def watcher_ids(self) -> list[int]:\n" in model
    migration = (shop / "migrations/versions/0003_add_product.py").read_text()
    assert 'sa.PrimaryKeyConstraint("product_id", "tag_id", name=op.f("pk_product_tags"))' in migration
    assert 'op.create_index(op.f("ix_product_tags_tag_id"), "product_tags", ["tag_id"], unique=False)' in migration
    assert migration.endswith(
        'op.drop_table("product_tags")\n    op.drop_table("product_watchers")\n    op.drop_table("products")\n'
    )
    repository = (shop / "app/repositories/product.py").read_text()
    assert '"tag_ids": Product.tags,' in repository
    schema = (shop / "app/schemas/product.py").read_text()
    assert "tag_ids: list[Id] = Field(default_factory=list, max_length=100)" in schema
    assert 'alias="tag_id", description="Only the products linked to this tag")' in schema
    with pytest.raises(InvalidName, match="cannot remove Tag: Product refers to it"):
        plan_remove_model(shop, "Tag")


def test_many_to_many_fields_come_and_go_with_their_table(shop: Path) -> None:
    add(shop, "Tag", "name:str:unique")
    add(shop, "Product", "name:str")
    writer.apply(plan_add_field(shop, "Product", ["tags:Tag[]"]))
    added = (shop / "migrations/versions/0004_add_tag_ids_product.py").read_text()
    assert 'op.create_table(\n        "product_tags",' in added and "batch_alter_table" not in added
    assert 'def downgrade() -> None:\n    op.drop_table("product_tags")\n' in added
    with pytest.raises(InvalidName, match="cannot remove Tag"):
        plan_remove_model(shop, "Tag")
    writer.apply(plan_remove_field(shop, "Product", "tags"))
    removed = (shop / "migrations/versions/0005_remove_tag_ids_product.py").read_text()
    assert 'def upgrade() -> None:\n    op.drop_table("product_tags")\n' in removed
    assert "product_tags" not in (shop / "app/models/product.py").read_text()
    writer.apply(plan_remove_model(shop, "Tag"))


def test_an_association_table_and_a_model_table_do_not_clash(shop: Path) -> None:
    add(shop, "Product", "name:str")
    add(shop, "ProductTag", "name:str")
    with pytest.raises(InvalidName, match="association table 'product_tags' is ProductTag's table"):
        plan_add_field(shop, "Product", ["tags:Item[]"])
    add(shop, "Offer", "name:str", "goods:Item[]")
    with pytest.raises(InvalidName, match="its table 'offer_goods' would be Offer's association table"):
        plan_add_model(shop, "OfferGood", ["name:str"])


def test_an_added_model_gets_an_admin_view_that_remove_model_takes_out(shop: Path) -> None:
    site = (shop / "app/admin/site.py").read_text()
    add(shop, "Category", "name:str:unique")
    add(shop, "product", *PRODUCT)
    view = (shop / "app/admin/product.py").read_text()
    assert 'Reference("category", "category_id", CategoryRepository, CategoryRead, label="category")' in view
    assert 'HasOne("category", key="category", required=True)' in view
    assert 'title_field = "name"' in view and 'DecimalField("price", required=True)' in view
    registered = (shop / "app/admin/site.py").read_text()
    assert "from app.admin.product import ProductView\n" in registered
    assert "    admin.add_view(ProductView(app))\n    # dbgen: admin views" in registered
    writer.apply(plan_remove_model(shop, "Product"))
    writer.apply(plan_remove_model(shop, "Category"))
    assert not (shop / "app/admin/product.py").exists()
    assert (shop / "app/admin/site.py").read_text() == site


def test_a_float_field_uses_the_admins_own_float_field(shop: Path) -> None:
    """starlette-admin's FloatField fails on a form that leaves the field out; app.admin.base's takes it as empty."""
    add(shop, "Reading", "value:float", "note:str")
    view = (shop / "app/admin/reading.py").read_text()
    assert "from starlette_admin import DateTimeField, StringField\n" in view
    assert "from app.admin.base import FloatField, IdField, RepositoryView\n" in view
    assert 'FloatField("value", required=True)' in view


def test_a_project_without_the_admin_gets_no_admin_view(shop: Path) -> None:
    (shop / "app/admin/site.py").unlink()  # as in a project made before dbgen wrote /admin
    add(shop, "Category", "name:str:unique")
    assert (shop / "app/models/category.py").is_file()
    assert not (shop / "app/admin/category.py").exists()


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_ci_field_is_unique_on_lower_of_the_column(tmp_path: Path, db: str) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", db, root))
    add(root, "Category", "name:str:ci:unique")
    model = (root / "app/models/category.py").read_text()
    assert "name: Mapped[str] = mapped_column(String(255), index=True)" in model
    assert 'Index("ix_categories_name_lower", func.lower(Category.name), unique=True)' in model
    migration = (root / "migrations/versions/0002_add_category.py").read_text()
    lower = 'op.create_index("ix_categories_name_lower", "categories", [sa.text("lower(name)")], unique=True)'
    assert lower in migration
    assert 'op.create_index(op.f("ix_categories_name"), "categories", ["name"], unique=False)' in migration


def test_ci_field_takes_a_case_insensitive_collation_on_mysql(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", "mysql", root))
    add(root, "Category", "name:str:ci:unique")
    model = (root / "app/models/category.py").read_text()
    assert 'mapped_column(String(255, collation="utf8mb4_unicode_ci"), unique=True, index=True)' in model
    assert "lower" not in model
    migration = (root / "migrations/versions/0002_add_category.py").read_text()
    assert 'sa.Column("name", sa.String(length=255, collation="utf8mb4_unicode_ci"), nullable=False)' in migration
    assert 'op.create_index(op.f("ix_categories_name"), "categories", ["name"], unique=True)' in migration


def test_users_email_is_unique_whatever_the_case(tmp_path: Path) -> None:
    for db in ("sqlite", "mysql"):
        writer.apply(plan_new("shop", db, tmp_path / db))
    assert (
        'Index("ix_users_email_lower", func.lower(User.email), unique=True)'
        in (tmp_path / "sqlite/app/models/user.py").read_text()
    )
    assert 'collation="utf8mb4_unicode_ci"' in (tmp_path / "mysql/app/models/user.py").read_text()


def test_an_existing_table_keeps_its_names_through_add_field_and_remove(shop: Path) -> None:
    """Fails if --table, --no-timestamps or column= are not what the model, its migration and the answers file
    say, or if add-field and remove-field forget them (a table renamed, timestamps put back)."""
    writer.apply(
        plan_add_model(
            shop, "Language", ["name:str:column=Name", "last_update:datetime:dbdefault:column=LastUpdate"],
            table="Language", timestamps=False,
        )
    )  # fmt: skip
    model = (shop / "app/models/language.py").read_text()
    assert "class Language(EagerDefaults, Base):\n" in model and '__tablename__ = "Language"' in model
    assert 'name: Mapped[str] = mapped_column("Name", String(255), index=True)' in model
    assert 'mapped_column(\n        "LastUpdate", UTCDateTime(), server_default=FetchedValue(), index=True\n' in model
    migration = (shop / "migrations/versions/0002_add_language.py").read_text()
    assert '"Language",' in migration and 'sa.Column("Name", sa.String(length=255), nullable=False)' in migration
    assert "created_at" not in migration and 'op.f("ix_Language_Name"), "Language", ["Name"]' in migration
    schemas = (shop / "app/schemas/language.py").read_text()
    assert (
        "created_at" not in schemas
        and "    last_update: Omittable[Annotated[datetime, Field(strict=False)]] = None" in schemas
    )
    answers = tomllib.loads((shop / ".dbgen.toml").read_text())["added"]["Language"]
    assert (answers["table"], answers["timestamps"]) == ("Language", False)
    writer.apply(plan_add_field(shop, "Language", ["code:str?:column=Code"]))
    model = (shop / "app/models/language.py").read_text()
    assert '__tablename__ = "Language"' in model and "TimestampMixin" not in model
    assert 'code: Mapped[str | None] = mapped_column("Code", String(255), index=True)' in model
    added = (shop / "migrations/versions/0003_add_code_language.py").read_text()
    assert 'with op.batch_alter_table("Language")' in added and 'sa.Column("Code"' in added
    writer.apply(plan_remove_field(shop, "Language", "code"))
    assert '__tablename__ = "Language"' in (shop / "app/models/language.py").read_text()
    assert 'batch.drop_column("Code")' in (shop / "migrations/versions/0004_remove_code_language.py").read_text()


def test_two_relations_to_one_model_and_a_link_table_of_its_own(shop: Path) -> None:
    """Fails if a model cannot refer to another twice (each relation needs foreign_keys= and a reverse side of its
    own), if :noaction writes an ON DELETE, or if a many-to-many ignores the link table it is given."""
    add(shop, "Language", "name:str")
    add(shop, "Actor", "name:str")
    add(
        shop, "Film", "title:str", "language:Language:noaction:column=LanguageId", "original_language:Language?",
        "actors:Actor[]:through=film_actor:left=FilmId:right=ActorId",
    )  # fmt: skip
    film = (shop / "app/models/film.py").read_text()
    assert 'mapped_column("LanguageId", ForeignKey("languages.id"), index=True)' in film
    assert 'ForeignKey("languages.id", ondelete="RESTRICT")' in film  # original_language
    assert 'relationship(\n        foreign_keys=[language_id], back_populates="language_films", lazy="raise"' in film
    assert 'film_actors = Table(\n    "film_actor",' in film and 'Column("FilmId", ForeignKey("films.id"' in film
    language = (shop / "app/models/language.py").read_text()
    assert 'language_films: Mapped[list["Film"]] = relationship(\n        foreign_keys="Film.language_id"' in language
    assert 'original_language_films: Mapped[list["Film"]]' in language
    migration = (shop / "migrations/versions/0004_add_film.py").read_text()
    assert 'sa.ForeignKeyConstraint(["LanguageId"], ["languages.id"], name=op.f("fk_films_LanguageId_languages"))' in (
        migration
    )
    assert 'op.drop_table("film_actor")' in migration and 'sa.PrimaryKeyConstraint("FilmId", "ActorId"' in migration
    with pytest.raises(InvalidName, match="the link table 'film_actor' is another relation's"):
        plan_add_field(shop, "Actor", ["films:Film[]:through=film_actor:left=ActorId:right=FilmId"])
    writer.apply(plan_remove_model(shop, "Film"))
    assert "Film" not in (shop / "app/models/language.py").read_text()


def test_two_relations_to_a_built_in_model(shop: Path) -> None:
    """Fails if the second relation to User takes the first one's reverse side on the user model."""
    add(shop, "Review", "body:text", "author:User", "reviewer:User?")
    user = (shop / "app/models/user.py").read_text()
    assert 'author_reviews: Mapped[list["Review"]] = relationship(\n        foreign_keys="Review.author_id"' in user
    assert 'reviewer_reviews: Mapped[list["Review"]]' in user
    writer.apply(plan_remove_model(shop, "Review"))
    assert "Review" not in (shop / "app/models/user.py").read_text()


def test_cli_bad_table_name_is_one_line_exit_2(shop: Path) -> None:
    """Fails if a table name that is no identifier is accepted, or refused in more than a line."""
    before = tree(shop)
    result = runner.invoke(app, ["add-model", "Thing", "name:str", "--table", "my table", "--dir", str(shop)])
    assert (result.exit_code, result.stderr.strip()) == (
        2, "error: --table 'my table' is not a table name: letters, digits and _, at most 63",
    )  # fmt: skip
    assert tree(shop) == before
    add(shop, "Thing", "name:str")
    result = runner.invoke(app, ["add-model", "Other", "name:str", "--table", "THINGS", "--dir", str(shop)])
    assert (result.exit_code, result.stderr.strip()) == (
        2, "error: model Other: the table 'THINGS' is another model's; choose another",
    )  # fmt: skip


def test_model_indexes_are_recorded_and_rendered_by_their_names(shop: Path) -> None:
    """Fails if --index/--unique are not kept in the answers file (update and add-field would drop them), or the
    model and its migration lose an index's or constraint's database name."""
    result = runner.invoke(
        app,
        ["add-model", "Film", "big:bigint", "code:str:fixed:maxlen=3:unique=uq_films_code", "made:date",
         "--index", "ix_films_big_made:big,made", "--unique", "uq_films_made_code:made,code", "--dir", str(shop)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    answers = tomllib.loads((shop / ".dbgen.toml").read_text())["added"]["Film"]
    assert answers["indexes"] == ["ix_films_big_made:big,made"]
    assert answers["uniques"] == ["uq_films_made_code:made,code"]
    model = (shop / "app/models/film.py").read_text()
    for made in ['UniqueConstraint("code", name="uq_films_code")', 'Index("ix_films_big_made", "big", "made")',
                 'UniqueConstraint("made", "code", name="uq_films_made_code")']:  # fmt: skip
        assert made in model
    migration = (shop / "migrations/versions/0002_add_film.py").read_text()
    assert 'sa.UniqueConstraint("made", "code", name=op.f("uq_films_made_code")),' in migration
    assert 'op.create_index(op.f("ix_films_big_made"), "films", ["big", "made"], unique=False)' in migration
    writer.apply(plan_add_field(shop, "Film", ["views:smallint=0"]))  # re-read from the answers file
    assert 'Index("ix_films_big_made", "big", "made")' in (shop / "app/models/film.py").read_text()


def test_a_model_with_a_key_of_its_own_is_served_and_referred_to_by_it(shop: Path) -> None:
    """Fails if a key leaves an `id` behind, its routes take an untyped or unchecked key, the database numbers a
    key the client gives (or not one it should), or a relation or a link to it points at `id` or is an INTEGER."""
    add(shop, "Currency", "code:str:maxlen=3:key", "name:str")
    add(shop, "Film", "film_id:int:key:auto", "title:str", "currency:Currency", "coins:Currency[]")
    currency = (shop / "app/models/currency.py").read_text()
    assert "id: Mapped[int]" not in currency
    assert "    code: Mapped[str] = mapped_column(String(3), primary_key=True)\n" in currency
    film = (shop / "app/models/film.py").read_text()
    assert "    film_id: Mapped[int] = mapped_column(primary_key=True)\n" in film
    assert (
        'currency_id: Mapped[str] = mapped_column(ForeignKey("currencies.code", ondelete="RESTRICT"), index=True)'
        in film
    )
    assert 'Column("film_id", ForeignKey("films.film_id", ondelete="CASCADE"), primary_key=True),' in film
    assert 'Column("coin_id", ForeignKey("currencies.code", ondelete="CASCADE"), primary_key=True, index=True),' in film
    migration = (shop / "migrations/versions/0003_add_film.py").read_text()
    assert 'sa.Column("currency_id", sa.String(length=3), nullable=False),' in migration
    assert 'sa.Column("coin_id", sa.String(length=3), nullable=False),' in migration
    assert 'sa.PrimaryKeyConstraint("film_id", name=op.f("pk_films")),' in migration
    assert '["currency_id"], ["currencies.code"]' in migration and "ix_films_film_id" not in migration
    routes = (shop / "app/api/routes/currencies.py").read_text()
    assert "CodePath = Annotated[str, Path(min_length=1, max_length=3), AfterValidator(storable)]" in routes
    assert '@router.get("/{code}"' in routes and "async def read_currency(code: CodePath," in routes
    assert "FilmIdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]" in (shop / "app/api/routes/films.py").read_text()
    schema = (shop / "app/schemas/film.py").read_text()
    assert "class FilmCreate(Body):\n    title:" in schema  # the database numbers it
    assert "class FilmRead(ReadModel):\n    film_id: int\n" in schema
    assert (
        'FilmSort = Literal["film_id", "title", "created_at"]' in schema and 'sort_by: FilmSort = "film_id"' in schema
    )
    assert "    currency_id: str = Field(min_length=1, max_length=3)\n" in schema
    currency_schema = (shop / "app/schemas/currency.py").read_text()
    assert "class CurrencyCreate(Body):\n    code: str = Field(min_length=1, max_length=3)\n" in currency_schema
    assert "code" not in currency_schema.split("class CurrencyUpdate")[1].split("class CurrencyRead")[0]
    assert '"code": Currency.code,' in (shop / "app/repositories/currency.py").read_text()
    answers = tomllib.loads((shop / ".dbgen.toml").read_text())
    assert "code:str:maxlen=3:key" in str(answers)
    with pytest.raises(InvalidName, match="a key is chosen when the model is added"):
        plan_add_field(shop, "Film", ["isbn:str:key"])
    with pytest.raises(InvalidName, match="is its key; a key cannot be removed"):
        plan_remove_field(shop, "Currency", "code")


def test_a_key_on_mongodb_is_one_line_exit_2(tmp_path: Path) -> None:
    """Fails if a MongoDB project takes :key (a document's key is its _id) or writes anything for it."""
    root = tmp_path / "docs"
    writer.apply(plan_new("docs", "mongo", root))
    before = tree(root)
    result = runner.invoke(app, ["add-model", "Currency", "code:str:key", "--dir", str(root)])
    assert (result.exit_code, result.stderr.strip()) == (
        2,
        "error: model Currency: :key is for SQL databases; a document's key is its _id",
    )
    assert tree(root) == before

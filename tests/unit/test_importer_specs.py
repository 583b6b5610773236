"""The importer's Schema as add-model arguments: the exact field tokens and model options for the rental schema
(tests/fixtures/schemas/sqlite.sql), parents before the models that refer to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbgen.importer import Schema, read_schema
from dbgen.importer.specs import convert
from tests.schemas import SCHEMAS, sqlite_database

# Every model of the rental schema, as `dbgen add-model` (and, for a relation to the model itself, `add-field`)
# would be typed for it (ModelArgs.line), in the order they are added.
RENTAL = (
    (
        "add-model",
        "Category",
        "--table",
        "category",
        "--no-timestamps",
        "category_id:int:key:auto",
        "name:str:maxlen=25:unique",
        "parent:Category:setnull:noindex?",
    ),
    (
        "add-model",
        "Country",
        "--table",
        "country",
        "--no-timestamps",
        "country_id:int:key:auto",
        "name:str:maxlen=50:unique",
        "code:str:maxlen=2:fixed:noindex",
    ),
    (
        "add-model",
        "City",
        "--table",
        "city",
        "--no-timestamps",
        "city_id:int:key:auto",
        "name:str:maxlen=50",
        "country:Country:noindex",
    ),
    (
        "add-model",
        "Address",
        "--table",
        "address",
        "--no-timestamps",
        "address_id:int:key:auto",
        "line1:str:maxlen=100:noindex",
        "postal_code:str:maxlen=10:noindex?",
        "city:City:noaction:noindex",
        "phone:str:maxlen=20:dbdefault:noindex",
    ),
    (
        "add-model",
        "Currency",
        "--table",
        "currency",
        "--no-timestamps",
        "code:str:maxlen=3:fixed:key",
        "name:str:maxlen=40:noindex",
        "minor_units:smallint=2:noindex",
    ),
    (
        "add-model",
        "Language",
        "--table",
        "Language",
        "--no-timestamps",
        "language_id:int:key:auto:column=LanguageId",
        "name:str:maxlen=20:column=Name:unique",
        "last_update:datetime:naive:column=LastUpdate:dbdefault:noindex",
    ),
    (
        "add-model",
        "Film",
        "--table",
        "film",
        "--no-timestamps",
        "film_id:int:key:auto",
        "title:str:noindex",
        "description:text?",
        "release_year:int:min=1888:max=2100:noindex?",
        "language:Language:noindex",
        "rental_duration:smallint=3:noindex",
        "rental_rate:decimal=4.99:precision=4:scale=2:noindex",
        "length:smallint:noindex?",
        "replacement_cost:decimal=19.99:precision=5:scale=2:noindex",
        "rating:enum(G,PG,PG-13,R,NC-17)=G:noindex?",
        "code:str:maxlen=36:unique",
        "metadata_field:json:column=metadata?",
        "type_field:str=feature:maxlen=20:column=type:noindex",
        "size_bytes:bigint:noindex?",
        "score:float:single:noindex?",
        "last_update:datetime:naive:dbdefault:noindex",
        "categories:Category[]:through=film_category:noindex",
    ),
    (
        "add-model",
        "Actor",
        "--table",
        "Actor",
        "--no-timestamps",
        "actor_id:int:key:auto:column=ActorId",
        "first_name:str:maxlen=45:column=FirstName:noindex",
        "last_name:str:maxlen=45:column=LastName:index=IX_Actor_LastName",
        "films:Film[]:through=film_actor:left=ActorId:noindex",
    ),
    (
        "add-model",
        "Promotion",
        "--table",
        "promotion",
        "--no-timestamps",
        "promotion_id:int:key:auto",
        "name:str:maxlen=80:noindex",
        "discount:decimal:precision=4:scale=2:min=0.01:max=99.99:noindex",
        "starts:time:noindex?",
        "total_cents:int:readonly:noindex?",
    ),
    (
        "add-model",
        "Store",
        "--table",
        "store",
        "--no-timestamps",
        "store_id:int:key:auto",
        "address:Address:noaction:noindex",
        "currency:Currency:column=currency_code:noaction:noindex",
        "opened_on:date:dbdefault:noindex",
    ),
    (
        "add-model",
        "Customer",
        "--table",
        "customer",
        "--no-timestamps",
        "customer_id:int:key:auto",
        "store:Store:noindex",
        "first_name:str:maxlen=45:column=FirstName:noindex",
        "last_name:str:maxlen=45:column=LastName:index=ix_customer_last_name",
        "email:str:maxlen=320:unique?",
        "tier:enum(standard,gold)=standard:noindex",
        "active:bool=true:noindex",
        "created_on:date:dbdefault:noindex",
        "last_update:datetime:naive:dbdefault:noindex",
    ),
    (
        "add-model",
        "Inventory",
        "--table",
        "inventory",
        "--no-timestamps",
        "inventory_id:int:key:auto",
        "film:Film:noindex",
        "store:Store:noindex",
    ),
    (
        "add-model",
        "OpeningHour",
        "--no-timestamps",
        "store:Store:key:cascade",
        "weekday:smallint:min=0:max=6:key",
        "opens:time:noindex",
        "closes:time:noindex",
    ),
    (
        "add-model",
        "Staff",
        "--table",
        "staff",
        "--no-timestamps",
        "staff_id:int:key:auto",
        "first_name:str:maxlen=45:noindex",
        "last_name:str:maxlen=45:noindex",
        "email:str:maxlen=320:unique",
        "store:Store:setnull:noindex?",
        "reports_to_staff:Staff:column=reports_to:setnull:noindex?",
        "active:bool=true:noindex",
        "picture:bytes?",
        "hourly_rate:decimal:precision=6:scale=2:min=0:noindex?",
    ),
    (
        "add-model",
        "Rental",
        "--table",
        "rental",
        "--no-timestamps",
        "--unique",
        "uq_rental_rental_date:rental_date,inventory_id,customer_id",
        "rental_id:int:key:auto",
        "rental_date:datetime:naive:noindex",
        "inventory:Inventory:noindex",
        "customer:Customer:cascade:noindex",
        "return_date:datetime:naive:noindex?",
        "staff:Staff:setnull:noindex?",
    ),
    (
        "add-model",
        "StoreManager",
        "--table",
        "store_manager",
        "--no-timestamps",
        "store:Store:key:cascade",
        "staff:Staff:key:cascade:noindex",
        "since:date:noindex",
    ),
    (
        "add-model",
        "UserRecord",
        "--table",
        "users",
        "--no-timestamps",
        "user_id:str:maxlen=36:key",
        "email:str:maxlen=320:unique",
        "display_name:str:maxlen=100:noindex",
        "created_at:datetime:naive:dbdefault:noindex",
    ),
)


@pytest.fixture(scope="module")
def rental(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    path = tmp_path_factory.mktemp("specs") / "rental.db"
    sqlite_database((SCHEMAS / "sqlite.sql").read_text(), path)
    return read_schema(f"sqlite:///{path}")


def test_rental_becomes_these_add_model_lines(rental: Schema) -> None:
    """Fails if any field token or model option the converter writes for the rental schema changes: a type, a
    modifier, a key, a relation's rule, an index's name, a default, or the order models are added in."""
    specs = convert(rental)
    commands = []
    for model in specs.models:
        commands.append(("add-model", model.cls, *model.options, *model.fields))
        if model.later:
            commands.append(("add-field", model.cls, *model.later))
    assert tuple(commands) == RENTAL


def test_parents_come_first_and_cycles_wait_for_add_field(rental: Schema) -> None:
    """Fails if a model is added before a model it refers to (other than itself, which add-model writes with it), or
    if a relation back along a cycle is written in add-model, where the model it names does not exist yet."""
    specs = convert(rental)
    added: set[str] = set()
    for model in specs.models:
        for token in model.fields:
            target = token.split(":")[1].removesuffix("?").removesuffix("[]")
            if target[:1].isupper():
                assert target in added | {model.cls}, f"{model.cls} refers to {target} before it is added"
        added.add(model.cls)
        for token in model.later:
            assert token.split(":")[1].removesuffix("?") in added
    # a relation to its own table (optional, as add-model takes it) is written with the model
    assert "parent:Category:setnull:noindex?" in specs.model("Category").fields and not specs.model("Category").later
    assert "reports_to_staff:Staff:column=reports_to:setnull:noindex?" in specs.model("Staff").fields
    assert not specs.model("Staff").later


def test_a_cycle_waits_on_its_optional_relation(tmp_path: Path) -> None:
    """Fails if two tables that refer to each other are not both added, or if the relation written later by
    add-field is the required one (add-field refuses a required field on a table that may hold rows)."""
    url = sqlite_database(
        "CREATE TABLE club (id INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, captain_id INTEGER "
        "REFERENCES player (id));"
        "CREATE TABLE player (id INTEGER PRIMARY KEY, club_id INTEGER NOT NULL REFERENCES club (id));",
        tmp_path / "cycle.db",
    )
    specs = convert(read_schema(url))
    assert [m.cls for m in specs.models] == ["Club", "Player"]
    assert specs.model("Club").later == ("captain:Player:noaction:noindex?",)
    assert specs.model("Player").fields == ("club:Club:noaction:noindex",)


def test_a_table_shaped_as_dbgen_writes_one_needs_no_options(tmp_path: Path) -> None:
    """Fails if a table with dbgen's own id, timestamps, table name and index names gets options or modifiers it
    does not need (then an import of such a table would not be the add-model line a user types)."""
    url = sqlite_database(
        "CREATE TABLE products (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, "
        "price NUMERIC(12, 2), notes TEXT, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "
        "updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);"
        "CREATE INDEX ix_products_name ON products (name); CREATE INDEX ix_products_price ON products (price);"
        "CREATE INDEX ix_products_created_at ON products (created_at);",
        tmp_path / "plain.db",
    )
    (model,) = convert(read_schema(url)).models
    assert model.line == "dbgen add-model Product name:str 'price:decimal?' 'notes:text?'"

import pytest

from dbgen.errors import InvalidName
from dbgen.fields import TYPES, parse_field, parse_model, parse_model_name
from dbgen.naming import ModelNames

KNOWN = {"User": ModelNames.of("User"), "Category": ModelNames.of("Category")}


def test_every_documented_type_is_known() -> None:
    assert set(TYPES) == {
        "str", "text", "email", "url", "int", "float", "decimal", "bool", "date", "datetime", "uuid", "json", "enum"
    }  # fmt: skip


def test_email_and_url_are_validated_in_bodies_and_stored_as_text() -> None:
    email, url = parse_field("contact:email", KNOWN), parse_field("site:url?", KNOWN)
    assert email.type is not None and url.type is not None
    assert (email.type.python, email.type.schema, email.type.column) == ("str", "EmailStr", "String(320)")
    assert (url.type.python, url.type.column, url.optional) == ("str", "String(2083)", True)
    assert url.type.schema.startswith("Annotated[HttpUrl, PlainSerializer(str")  # dumped as the str it stores
    assert email.sortable and email.searchable and not url.sortable


def test_ci_makes_a_unique_text_ignore_case() -> None:
    name = parse_field("name:str:ci:unique", KNOWN)
    assert (name.ci, name.unique) == (True, True)
    assert parse_field("contact:email:unique:ci?", KNOWN).ci
    assert not parse_field("name:str:unique", KNOWN).ci


def test_ci_keeps_its_column_type_or_takes_a_collation() -> None:
    name = parse_field("name:str:ci:unique", KNOWN)
    assert name.sql_type("") == "String(255)" and name.lowered("")
    assert name.sql_type("utf8mb4_unicode_ci") == 'String(255, collation="utf8mb4_unicode_ci")'
    assert name.sql_type("utf8mb4_unicode_ci", migration=True) == (
        'sa.String(length=255, collation="utf8mb4_unicode_ci")'
    )
    assert not name.lowered("utf8mb4_unicode_ci")
    assert parse_field("name:str:unique", KNOWN).sql_type("utf8mb4_unicode_ci") == "String(255)"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("name:str:ci", "field 'name:str:ci': :ci makes a unique value ignore case; add :unique (name:str:ci:unique)"),
        ("n:int:ci:unique", "field 'n:int:ci:unique': :ci is for str and email fields"),
        ("notes:text:ci", "field 'notes:text:ci': :ci is for str and email fields"),
        ("site:url:ci:unique", "field 'site:url:ci:unique': :ci is for str and email fields"),
        ("owner:User:ci", "field 'owner:User:ci': :ci is for str and email fields"),
        ("s:enum(a,b):ci", "field 's:enum(a,b):ci': :ci is for str and email fields"),
        ("site:url:unique", "field 'site:url:unique': a url column cannot be unique or indexed; use str"),
        ("mail:email=x", "field 'mail:email=x': a default is for str, text, int, float, decimal, bool fields"),
    ],
)
def test_ci_email_and_url_misuse_is_one_clear_error(token: str, message: str) -> None:
    with pytest.raises(InvalidName) as error:
        parse_field(token, KNOWN)
    assert str(error.value) == message


def test_scalar_with_modifiers() -> None:
    field = parse_field("sku:str:unique", KNOWN)
    assert (field.name, field.type and field.type.name, field.unique, field.optional) == ("sku", "str", True, False)
    assert parse_field("notes:text?", KNOWN).optional
    assert parse_field("notes:text:optional", KNOWN).optional
    assert parse_field("rank:int:index", KNOWN).indexed


def test_relation_makes_an_indexed_foreign_key() -> None:
    field = parse_field("category:Category", KNOWN)
    assert field.is_relation and field.column == "category_id" and field.indexed
    assert field.target == KNOWN["Category"]
    assert parse_field("owner:User?", KNOWN).optional


def test_deleting_a_referenced_record_is_refused_unless_the_relation_says_otherwise() -> None:
    assert parse_field("category:Category", KNOWN).on_delete == "RESTRICT"
    assert parse_field("category:Category?", KNOWN).on_delete == "RESTRICT"
    assert parse_field("category:Category:cascade", KNOWN).on_delete == "CASCADE"
    assert parse_field("category:Category?:setnull", KNOWN).on_delete == "SET NULL"
    assert parse_field("category:Category:optional:setnull", KNOWN).on_delete == "SET NULL"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("price", "must look like name:type"),
        ("price:money", "unknown type 'money'"),
        ("class:str", "'class' is a reserved name"),
        ("id:int", "'id' is a reserved name"),
        ("created_at:datetime", "reserved"),
        ("Price:int", "lower_snake_case"),
        ("brand:Brand", "no model 'Brand' in this project"),
        ("flag:bool:unique", "cannot be unique"),
        ("body:text:index", "cannot be unique or indexed"),
        ("name:str:primary", "unknown modifier 'primary'"),
        ("owner:User:unique", "a relation cannot be unique"),
        ("category:Category:setnull", "needs an optional relation"),
        ("status:enum()", "an enum needs values"),
        ("status:enum", "an enum needs values"),
        ("status:enum(a,a)", "an enum value appears twice"),
        ("status:enum(a,Big)", "enum value 'Big' must be lower_snake_case"),
        ("status:enum(a,b)=c", "default 'c' is not one of a, b"),
        ("status:enum(a,b):unique", "cannot be unique"),
        ("stock:int=abc", "default 'abc' is not an int"),
        ("active:bool=yes", "is not a bool"),
        ("day:date=2024-01-01", "a default is for"),
        ("x:str:min=3", "min= and max= are for int, float and decimal; use minlen= and maxlen= for text"),
        ("x:int:minlen=3", "minlen= and maxlen= are for str and text"),
        ("x:int:min=abc", "min='abc' is not an int"),
        ("x:int:min=5:max=1", "min= is above max="),
        ("x:decimal:min=0.001", "at most 2 decimals"),
        ("x:str:maxlen=300", "maxlen= takes a whole number from 1 to 255"),
        ("x:str:minlen=9:maxlen=3", "minlen= is above maxlen="),
        ("stock:int=0:min=1", "default '0' lies outside min= and max="),
        ("x:int:min=1:min=2", "a bound is given twice"),
        ("x:int:step=2", "unknown modifier 'step='"),
        ("name:str:cascade", "are for relations"),
        ("category:Category?:cascade:setnull", "choose one of :cascade, :setnull and :noaction"),
        ("tags:Ghost[]", "no model 'Ghost' in this project"),
        ("tags:Category[]:unique", ":unique does not apply to a many-to-many relation"),
        ("tags:Category[]:index", ":index does not apply to a many-to-many relation"),
        ("tags:Category[]:cascade", ":cascade does not apply to a many-to-many relation"),
        ("tags:Category[]:setnull", ":setnull does not apply to a many-to-many relation"),
        ("tags:Category[]:optional", ":optional does not apply to a many-to-many relation"),
        ("tags:Category[]:maxlen=3", ":maxlen=3 does not apply to a many-to-many relation"),
        ("tags:Category[]=x", "a many-to-many relation takes no default"),
        ("tags:Category[]?", "a many-to-many relation cannot be optional"),
        ("tags:Category?[]", "a many-to-many relation cannot be optional"),
        ("tags:str[]", r"\[\] follows a model name"),
        ("tags:Category[][]", r"write a many-to-many relation as tags:Category\[\]"),
        ("category_ids:Category[]", "name the relation after what it links"),
    ],
)
def test_invalid_tokens_name_the_problem(token: str, message: str) -> None:
    with pytest.raises(InvalidName, match=message) as error:
        parse_field(token, KNOWN)
    assert repr(token) in str(error.value)


def test_duplicates_are_caught_including_relation_columns() -> None:
    with pytest.raises(InvalidName, match="'name' is already defined"):
        parse_model("Product", ["name:str", "name:text"], KNOWN)
    with pytest.raises(InvalidName, match="'category_id' is already defined"):
        parse_model("Product", ["category:Category", "category_id:int"], KNOWN)
    with pytest.raises(InvalidName, match="at least one field"):
        parse_model("Product", [], KNOWN)


@pytest.mark.parametrize(
    ("raw", "cls"),
    [("Product", "Product"), ("product", "Product"), ("product_line", "ProductLine"), ("ProductLine", "ProductLine")],
)
def test_model_names_normalise(raw: str, cls: str) -> None:
    """Fails if a name loses a word (product_line -> Product, which `in {"Product", "ProductLine"}` let pass)."""
    assert parse_model_name(raw).cls == cls


@pytest.mark.parametrize("raw", ["class", "Stats", "health", "2things", "bad-name", "Base"])
def test_reserved_or_invalid_model_names(raw: str) -> None:
    with pytest.raises(InvalidName):
        parse_model_name(raw)


def test_enums_get_a_class_of_their_own_and_defaults_are_members() -> None:
    spec = parse_model("Product", ["status:enum(draft,live)=draft"], KNOWN)
    (status,) = spec.fields
    assert status.type is not None and status.type.python == "ProductStatus"
    assert status.filterable and status.indexed and status.choices == ("draft", "live")
    assert status.default is not None and status.default.python == "ProductStatus.draft"
    assert status.default.server == '"draft"'


def test_bounds_reach_the_schema_the_column_and_the_test_samples() -> None:
    price = parse_field("price:decimal:min=0.5:max=9", KNOWN).type
    assert price is not None and 'ge=Decimal("0.5"), le=Decimal("9")' in price.constraint
    assert price.samples == ('"0.50"', '"1.50"', '"2.50"')
    qty = parse_field("qty:int:min=1:max=10", KNOWN).type
    assert qty is not None and qty.constraint == "ge=1, le=10" and qty.numbered == "1 + n % 10"
    code = parse_field("code:str:minlen=2:maxlen=4", KNOWN).type
    assert code is not None and code.constraint == "min_length=2, max_length=4"
    assert code.column == "String(4)" and code.samples == ('"alph"', '"brav"', '"char"')


def test_many_to_many_is_a_list_of_ids_with_a_filter_by_one() -> None:
    tags = parse_field("categories:Category[]", KNOWN)
    assert tags.many and tags.is_relation and not tags.single and tags.target == KNOWN["Category"]
    assert (tags.column, tags.link) == ("category_ids", "category_id")
    assert tags.indexed and tags.filterable and not tags.sortable and not tags.optional
    assert parse_field("owners:User[]", KNOWN).column == "owner_ids"
    spec = parse_model("Product", ["name:str", "categories:Category[]", "owner:User"], KNOWN)
    assert [f.name for f in spec.parents] == ["owner"] and len(spec.relations) == 2


def test_many_to_many_names_do_not_clash() -> None:
    with pytest.raises(InvalidName, match="'category_id' is already defined by 'category:Category'"):
        parse_model("Product", ["category:Category", "categories:Category[]"], KNOWN)
    with pytest.raises(InvalidName, match="links two different models"):
        parse_model("Category", ["related:Category[]"], KNOWN)
    with pytest.raises(InvalidName, match="two 'product_id' columns"):
        parse_model("Product", ["products:Category[]"], KNOWN)


SEEDED = [
    "a:int:min=1:max=5", "b:float", "c:date:unique", "d:datetime", "e:uuid:unique", "f:json", "g:email:unique",
    "h:str:minlen=3:maxlen=4", "i:text:maxlen=20", "j:decimal:max=10", "k:bool?", "s:str:unique", "t:text",
    "p:decimal:min=0:unique", "r:int:unique", "u:url", "status:enum(draft,live)", "category:Category?", "tags:User[]",
]  # fmt: skip


def test_seed_values_stay_valid_and_distinct_for_a_million_rows() -> None:
    """Fails if a field's seeded value (app/seed/<model>.py) leaves what its create schema accepts within a million
    rows (a date of `numbered` passes year 9999 at row 8,000; a bounded text outgrows its maxlen), repeats where the
    field is unique, or a relation's value is not an existing record's id."""
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal
    from typing import Annotated, Any
    from uuid import UUID

    from pydantic import Field, TypeAdapter

    class Seeding:  # app.seed.Seeding, with one parent of each kind
        def parent(self, name: str, n: int) -> str:
            return f"{name}:1"

        def parents(self, name: str, n: int) -> list[str]:
            return [f"{name}:1"]

    spec = parse_model("Every", SEEDED, KNOWN)
    names: dict[str, Any] = {"UTC": UTC, "date": date, "datetime": datetime, "timedelta": timedelta, "Any": Any,
                             "Decimal": Decimal, "UUID": UUID, "Annotated": Annotated, "Field": Field}  # fmt: skip
    rows = (1, 2, 7_999, 8_000, 999_999, 1_000_000)
    for field in spec.fields:
        scope = names | {"seeding": Seeding(), "words": lambda n: f"lamp desk {n}"}
        values = [eval(field.seed, scope | {"n": n}) for n in rows]
        if field.target is not None:
            assert all(v in (None, f"{field.target.table}:1", [f"{field.target.table}:1"]) for v in values), field.spec
            continue
        assert field.type is not None
        python = "str" if field.type.choices or field.type.schema else field.type.python
        check = TypeAdapter(eval(f"Annotated[{python} | None, Field({field.type.constraint})]", names))
        for value in values:
            check.validate_python(value)
        if field.type.choices:
            assert set(values) <= set(field.type.choices)
        if field.unique:
            assert len(set(map(str, values))) == len(values), field.spec
    assert [eval(spec.fields[7].seed, names | {"n": n}) for n in (1, 12_345)] == ["001", "2345"]


def test_an_existing_tables_names_and_what_its_database_fills() -> None:
    """Fails if column=, :readonly, :dbdefault, :noaction or a link table's names are lost on the way to the field,
    or if what the database fills becomes a sort key or a value a body could give."""
    title = parse_field("title:str:column=Title", KNOWN)
    assert (title.column, title.db_name, title.spec) == ("title", "Title", "title:str:column=Title")
    category = parse_field("category:Category?:noaction:column=CategoryId", KNOWN)
    assert (category.column, category.db_name, category.on_delete, category.optional) == (
        "category_id", "CategoryId", "NO ACTION", True,
    )  # fmt: skip
    stamp = parse_field("last_update:datetime:dbdefault:column=LastUpdate", KNOWN)
    assert (stamp.dbdefault, stamp.fetched, stamp.readonly, stamp.filled("NOW()")) == (True, True, False, "NOW()")
    rank = parse_field("rank:int?:readonly", KNOWN)
    assert (rank.readonly, rank.sortable, rank.filterable, rank.filled("now")) == (True, False, False, "")
    links = parse_field("tags:Category[]:through=CategoryTag:left=ThingId:right=CategoryId", KNOWN)
    assert (links.association("thing"), links.own_link("thing"), links.other_link) == (
        "CategoryTag", "ThingId", "CategoryId",
    )  # fmt: skip
    plain = parse_field("tags:Category[]", KNOWN)
    assert (plain.association("thing"), plain.own_link("thing"), plain.other_link) == (
        "thing_tags", "thing_id", "tag_id",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("title:str:column=2nd", "column='2nd' is not a database name"),
        ("title:str:column=A:column=B", "column= is given twice"),
        ("tags:Category[]:column=Tag", "has no column of its own"),
        ("tags:Category[]:left=a", "left= and right= name the columns of a link table given by through="),
        ("title:str:through=t", "through=, left= and right= are for many-to-many relations"),
        ("category:Category:readonly", ":readonly and :dbdefault are for values, not relations"),
        ("n:int:readonly:dbdefault", "choose one of :readonly and :dbdefault"),
        ("n:int=1:dbdefault", ":dbdefault leaves the value to the database"),
        ("code:str:readonly:unique", "a :readonly field cannot be unique"),
        ("data:json:dbdefault", r"make it optional \(data:json\?:dbdefault\)"),
        ("title:str:noaction", ":cascade, :setnull and :noaction are for relations"),
        ("tags:Category[]:noaction", ":noaction does not apply to a many-to-many relation"),
    ],
)
def test_database_names_misused_are_one_line(token: str, message: str) -> None:
    """Fails if a misused column=, through=, :readonly, :dbdefault or :noaction is accepted, or refused without
    the token as written."""
    with pytest.raises(InvalidName, match=message) as error:
        parse_field(token, KNOWN)
    assert repr(token) in str(error.value)


def test_two_relations_to_one_model_get_distinct_reverse_names() -> None:
    """Fails if a second relation to the same model is refused, or both claim the parent's one reverse name."""
    spec = parse_model("Film", ["language:Category", "original_language:Category?", "owner:User"], KNOWN)
    assert [f.reverse for f in spec.fields] == ["language_films", "original_language_films", ""]
    alone = parse_model("Film", ["language:Category"], KNOWN)
    assert alone.fields[0].reverse == ""


def test_a_table_name_and_no_timestamps_reach_the_spec() -> None:
    """Fails if --table is not the table's name (route, class and module stay dbgen's) or a bad one is accepted,
    or if two fields claim one column."""
    spec = parse_model("film_actor", ["role:str"], KNOWN, table="FilmActor", timestamps=False)
    assert (spec.names.cls, spec.names.table, spec.names.route, spec.timestamps) == (
        "FilmActor", "FilmActor", "/film-actors", False,
    )  # fmt: skip
    with pytest.raises(InvalidName, match="--table 'Film Actor' is not a table name"):
        parse_model("Film", ["role:str"], KNOWN, table="Film Actor")
    with pytest.raises(InvalidName, match="'name:str:column=title': the column 'title' is taken"):
        parse_model("Film", ["title:str:column=Title", "name:str:column=title"], KNOWN)

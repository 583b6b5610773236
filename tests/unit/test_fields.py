import re

import pytest

from dbgen.backends import MYSQL, POSTGRES, SQLITE
from dbgen.errors import InvalidName
from dbgen.fields import TYPES, check_backend, for_backend, model_keys, parse_field, parse_model, parse_model_name
from dbgen.naming import ModelNames

KNOWN = {"User": ModelNames.of("User"), "Category": ModelNames.of("Category")}


def test_every_documented_type_is_known() -> None:
    assert set(TYPES) == {
        "str", "text", "email", "url", "int", "bigint", "smallint", "float", "decimal", "bool", "date", "datetime",
        "time", "uuid", "json", "bytes", "enum",
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
        (
            "mail:email=x",
            "field 'mail:email=x': a default is for str, text, int, bigint, smallint, float, decimal, bool fields",
        ),
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
        ("status:enum(a,b\\c)", "must be printable text without quotes, backslashes or brackets"),
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
        ("x:text:maxlen=20000", "maxlen= takes a whole number from 1 to 10000"),
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
    # MySQL names a foreign key's index after it: the relation keeps that name.
    country = parse_field("category:Category:noaction:index=category_id", KNOWN)
    assert (country.index_name, country.own_index, country.filterable) == ("category_id", True, True)
    stamp = parse_field("last_update:datetime:dbdefault:column=LastUpdate", KNOWN)
    assert (stamp.dbdefault, stamp.fetched, stamp.readonly) == (True, True, False)
    assert stamp.filled(POSTGRES) == "sa.func.now()"
    # A UUID the database makes: a new one per row, in the form the project's Uuid columns store on each backend.
    code = parse_field("code:uuid:dbdefault:unique", KNOWN)
    assert [code.filled(backend) for backend in (POSTGRES, MYSQL, SQLITE)] == [
        'sa.text("gen_random_uuid()")',
        "sa.text(\"(replace(uuid(), '-', ''))\")",
        'sa.text("(lower(hex(randomblob(16))))")',
    ]
    rank = parse_field("rank:int?:readonly", KNOWN)
    assert (rank.readonly, rank.sortable, rank.filterable, rank.filled(POSTGRES)) == (True, False, False, "")
    links = parse_field("tags:Category[]:through=CategoryTag:left=ThingId:right=CategoryId", KNOWN)
    assert (links.association("thing"), links.own_link("thing"), links.other_link) == (
        "CategoryTag", "ThingId", "CategoryId",
    )  # fmt: skip
    assert (links.index, links.noindex) == (True, False)  # dbgen's index on the link's second column
    # An existing link table without that index says so; dbgen's own link tables always have it.
    unindexed = parse_field("tags:Category[]:through=CategoryTag:noindex", KNOWN)
    assert (unindexed.many, unindexed.index, unindexed.noindex) == (True, False, True)
    with pytest.raises(InvalidName, match="does not apply to a many-to-many"):
        parse_field("tags:Category[]:noindex", KNOWN)
    plain = parse_field("tags:Category[]", KNOWN)
    assert (plain.association("thing"), plain.own_link("thing"), plain.other_link) == (
        "thing_tags", "thing_id", "tag_id",
    )  # fmt: skip


def test_integer_widths_keep_their_columns_bounds() -> None:
    """Fails if a bigint or smallint loses its column type or the bounds its schema checks (a value the column
    cannot hold would reach the database), or if min=/max= may lie outside them."""
    big, small = parse_field("views:bigint", KNOWN), parse_field("rank:smallint:min=0", KNOWN)
    assert big.type is not None and small.type is not None
    assert (big.type.column, big.type.constraint) == ("BigInteger", "ge=-(2**63), le=2**63 - 1")
    assert (small.type.column, small.type.constraint) == ("SmallInteger", "ge=0, le=2**15 - 1")
    assert parse_field("views:bigint=0", KNOWN).default is not None  # add-field's way to a required column
    assert big.sortable and small.sortable
    with pytest.raises(InvalidName, match="a smallint lies between -32768 and 32767"):
        parse_field("rank:smallint:max=40000", KNOWN)


def test_time_and_bytes_are_stored_but_not_sorted() -> None:
    """Fails if a time of day or bytes becomes a sort key (a cursor carries neither), bytes lose their base64
    body type, or bytes may be indexed."""
    starts, cover = parse_field("starts:time?", KNOWN), parse_field("cover:bytes?", KNOWN)
    assert starts.type is not None and cover.type is not None
    assert (starts.type.python, starts.type.column, starts.sortable) == ("time", "Time", False)
    assert parse_field("starts:time:index", KNOWN).indexed  # may still be indexed
    assert (cover.type.column, cover.type.schema, cover.sortable) == ("LargeBinary", "Base64", False)
    assert cover.type.app_imports == ("from app.schemas.common import Base64",)
    with pytest.raises(InvalidName, match="a bytes column cannot be unique or indexed"):
        parse_field("cover:bytes:unique", KNOWN)


def test_type_modifiers_describe_an_existing_column() -> None:
    """Fails if :naive, precision=/scale=, a long maxlen=, :fixed, :jsonb or :single stops giving the column
    type alembic finds in the database, or their schemas and samples stop fitting it."""
    naive = parse_field("made:datetime:naive", KNOWN).type
    assert naive is not None and (naive.column, naive.migration, naive.schema) == (
        "DateTime",
        "sa.DateTime()",
        "NaiveDatetime",
    )
    assert not naive.samples[0].endswith('Z"') and not naive.sortable
    price = parse_field("price:decimal:precision=5:scale=3", KNOWN).type
    assert price is not None and (price.column, price.digits) == ("Numeric(5, 3)", (5, 3))
    assert price.constraint == "max_digits=5, decimal_places=3, strict=False" and price.samples[0] == '"1.500"'
    cents = parse_field("share:decimal:precision=3:scale=3:min=0", KNOWN).type
    assert cents is not None and cents.samples == ('"0.000"', '"0.001"', '"0.002"')
    long_title = parse_field("title:str:maxlen=1000", KNOWN)
    assert long_title.type is not None and long_title.type.column == "String(1000)" and not long_title.sortable
    code = parse_field("code:str:fixed:maxlen=3", KNOWN).type
    assert code is not None and (code.column, code.migration) == ("CHAR(3)", "sa.CHAR(length=3)")
    assert code.constraint == "min_length=3, max_length=3" and all(len(v) == 5 for v in code.samples)
    info = parse_field("info:json:jsonb?", KNOWN).type
    assert info is not None and (info.column, info.migration_import) == (
        "JSONB",
        "from sqlalchemy.dialects import postgresql",
    )
    weight = parse_model("Film", ["weight:float:single"], KNOWN)
    assert [f.sql_type("") for f in for_backend(weight, "postgres").fields] == ["REAL"]
    assert [f.sql_type("", migration=True) for f in for_backend(weight, "mysql").fields] == ["sa.Float()"]


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


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("code:text:key", "a key is one of str, int, bigint, smallint, uuid"),
        ("code:json:key", "a key is one of str, int, bigint, smallint, uuid"),
        ("code:enum(a,b):key", "a key is one of str, int, bigint, smallint, uuid"),
        ("code:str:key?", "a key cannot be optional"),
        ("code:str:optional:key", "a key cannot be optional"),
        ("code:str=abc:key", "a key takes no default"),
        ("code:str:key:unique", "a key is unique and indexed already"),
        ("code:str:key:index", "a key is unique and indexed already"),
        ("code:str:key:auto", ":auto is for integer keys the database numbers"),
        ("film_id:int:auto", ":auto numbers a key; write film_id:int:key:auto"),
        ("category:Category?:key", "a relation in a key is required and not unique"),
    ],
)
def test_key_misuse_is_one_clear_error(token: str, message: str) -> None:
    """Fails if a key that no column could be (a text, an optional, a numbered string, a relation) is accepted, or
    refused without saying why."""
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


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("made:date:naive", ":naive is for datetime fields"),
        ("code:str:fixed", ":fixed needs its length"),
        ("info:text:jsonb", ":jsonb is for json fields"),
        ("n:int:single", ":single is for float fields"),
        ("n:int:precision=5", "precision= and scale= are for decimal fields"),
        ("price:decimal:precision=3:scale=4", "scale= is above precision="),
        ("price:decimal:precision=0", "precision= takes a whole number from 1 to 65"),
        ("price:decimal:precision=4:scale=2:max=100", "more than 2 digits before the point"),
        ("price:decimal=1.25:precision=6:scale=1", "at most 1 decimals"),
        ("title:str:maxlen=20000000", "maxlen= takes a whole number from 1 to 10485760"),
        ("note:str:noindex:unique", ":noindex leaves the field without an index"),
        ("note:str:index=1st", "is not a database name"),
        ("name:str:ci:unique=uq_name", "a :ci field's unique index is dbgen's own"),
        ("category:Category:unique=uq_c", "a relation cannot be unique"),
        ("size:str:native=sizes", "native= is for enum fields"),
        ("size:enum(s,m):native:native=sizes", "write :native (MySQL) or :native=TYPENAME"),
        ("n:int:colour=red", "unknown modifier 'colour='"),
    ],
)
def test_type_modifier_misuse_is_one_line(token: str, message: str) -> None:
    """Fails if a modifier on the wrong type, or with a bad value, is accepted or refused without saying why."""
    with pytest.raises(InvalidName, match=re.escape(message)):
        parse_field(token, KNOWN)


def test_enum_values_are_the_databases_own() -> None:
    """Fails if enum values other than lower_snake_case are refused, their members are not identifiers, or the
    column stores a member's name instead of its value."""
    spec = parse_model("Film", ["rating:enum(G,PG-13,NC-17,1st,class)=PG-13"], KNOWN)
    (rating,) = spec.fields
    assert rating.type is not None and rating.type.choices == ("G", "PG-13", "NC-17", "1st", "class")
    assert rating.type.members == ("G", "PG_13", "NC_17", "v_1st", "class_")
    assert "values_callable=lambda members: [m.value for m in members]" in rating.type.column
    assert rating.default is not None and rating.default.python == "FilmRating.PG_13"
    assert "values_callable" not in parse_model("Post", ["status:enum(draft,live)"], KNOWN).fields[0].sql_type("")
    for bad, message in [("enum(a-b,a_b)", "make the same member name"), ('enum(a"b)', "without quotes"),
                         ("enum(a,--)", "needs a letter or a digit")]:  # fmt: skip
        with pytest.raises(InvalidName, match=message):
            parse_field(f"rating:{bad}", KNOWN)


def test_native_enums_use_the_databases_type() -> None:
    """Fails if :native=TYPENAME loses its PostgreSQL type's name or stays a VARCHAR with a CHECK, or MySQL's
    :native ENUM becomes a sort key (MySQL compares it with text as text, but sorts it by its place)."""
    (pg,) = parse_model("Film", ["rating:enum(G,R):native=mpaa_rating"], KNOWN).fields
    assert pg.type is not None and pg.type.migration == 'sa.Enum("G", "R", name="mpaa_rating")'
    assert (pg.type.native, pg.type.enum_name, pg.sortable) == (True, "mpaa_rating", True)
    (my,) = parse_model("Film", ["rating:enum(G,R):native"], KNOWN).fields
    assert my.type is not None and my.type.column == 'Enum(FilmRating, name="film_rating")'
    assert (my.sortable, my.filterable, my.indexed) == (False, True, True)
    (plain,) = parse_model("Film", ["rating:enum(G,R)"], KNOWN).fields
    assert plain.type is not None and not plain.type.native and "native_enum=False" in plain.type.column


def test_a_long_column_type_is_laid_out_as_ruff_would() -> None:
    """Fails if an enum's type too long for its line is written on one line (the project's ruff format fails)."""
    values = ",".join(f"value_number_{n}" for n in range(8))
    (status,) = parse_model("Film", [f"status:enum({values})"], KNOWN).fields
    laid_out = status.sql_type("", migration=True, indent=12).splitlines()
    assert laid_out[0] == "sa.Enum(" and laid_out[-1] == "            )" and all(len(line) <= 120 for line in laid_out)
    assert laid_out[1:3] == ['                "value_number_0",', '                "value_number_1",']


def test_noindex_and_database_names_of_indexes() -> None:
    """Fails if :noindex still makes an index, a sort key, a filter or a search, or if index=/unique= lose the
    database's names (alembic check would ask to rename them) or gain an index of dbgen's."""
    note = parse_field("note:str:noindex", KNOWN)
    assert (note.indexed, note.own_index, note.sortable, note.searchable) == (False, False, False, False)
    assert not parse_field("status:enum(a,b):noindex", KNOWN).filterable
    isbn = parse_field("isbn:str:unique:index=IX_isbn", KNOWN)
    assert (isbn.index_name, isbn.own_index, isbn.index_unique, isbn.searchable) == ("IX_isbn", True, True, False)
    code = parse_field("code:str:unique=uq_code", KNOWN)
    assert (code.unique, code.unique_name, code.own_index, code.sortable) == (True, "uq_code", False, True)


def test_model_indexes_over_several_columns() -> None:
    """Fails if --index/--unique lose their names or columns (a relation's by its column), or accept a column
    the model does not have, a name twice, or a column that cannot be indexed."""
    spec = parse_model(
        "Film", ["big:int", "made:date", "category:Category"], KNOWN, ["ix_big_made:big,made"], ["uq_cat:category,big"]
    )
    assert [(i.name, i.columns, i.unique) for i in spec.indexes] == [
        ("ix_big_made", ("big", "made"), False), ("uq_cat", ("category_id", "big"), True)
    ]  # fmt: skip
    for indexes, message in [
        (["ix:big,nope"], "no column 'nope' in the model"),
        (["ix_big"], "must look like NAME:column1,column2"),
        (["ix:big,big"], "a column appears twice"),
        (["ix:big", "IX:made"], "given twice"),
        (["ix:info"], "a json column cannot be indexed"),
    ]:
        with pytest.raises(InvalidName, match=message):
            parse_model("Film", ["big:int", "made:date", "info:json"], KNOWN, indexes)


@pytest.mark.parametrize(
    ("db", "tokens", "message"),
    [
        ("mysql", ["info:json:jsonb"], ":jsonb is PostgreSQL's"),
        ("mysql", ["rating:enum(a,b):native=r"], "use :native for MySQL's ENUM"),
        ("postgres", ["rating:enum(a,b):native"], "use native=TYPENAME for a PostgreSQL enum type"),
        ("mysql", ["title:str:maxlen=1000:index"], "MySQL indexes text of at most 768 characters"),
        ("mysql", ["title:str:maxlen=20000"], "MySQL's VARCHAR holds at most 16383 characters"),
        ("mysql", ["code:str:fixed:maxlen=300"], "MySQL's CHAR holds at most 255 characters"),
        ("mongo", ["starts:time"], "MongoDB has no time-of-day type"),
        ("mongo", ["made:datetime:naive"], ":naive is for SQL databases"),
        ("mongo", ["isbn:str:index=ix_isbn"], ":index= is for SQL databases"),
        ("mongo", ["price:decimal:precision=5:scale=3"], ":precision= is for SQL databases"),
    ],
)
def test_what_a_database_lacks_is_refused_in_one_line(db: str, tokens: list[str], message: str) -> None:
    """Fails if a modifier the project's database cannot honour is accepted, or refused without naming it."""
    with pytest.raises(InvalidName, match=re.escape(message)):
        check_backend(parse_model("Film", tokens, KNOWN), db)


def test_what_a_database_has_is_accepted() -> None:
    """Fails if the new types and modifiers are refused where the database has them."""
    check_backend(parse_model("Film", ["info:json:jsonb", "rating:enum(a,b):native=r"], KNOWN), "postgres")
    check_backend(parse_model("Film", ["rating:enum(a,b):native", "title:str:maxlen=1000"], KNOWN), "mysql")
    check_backend(parse_model("Film", ["views:bigint", "cover:bytes?", "rank:smallint"], KNOWN), "mongo")
    with pytest.raises(InvalidName, match="--index and --unique name SQL indexes"):
        check_backend(parse_model("Film", ["a:int", "b:int"], KNOWN, ["ix:a,b"]), "mongo")


def test_a_key_replaces_the_id_and_relations_refer_to_it() -> None:
    """Fails if a key is not the model's key (a separate index, searched by `q`, numbered out of text order), or
    a relation or a many-to-many link to its model still points at `id` or is typed as an int."""
    currency = parse_model("Currency", ["code:str:maxlen=3:key", "name:str"], KNOWN)
    (code,) = currency.keys
    assert code.key and not code.auto and not code.indexed and not code.searchable and code.sortable
    assert code.path == "Annotated[str, Path(min_length=1, max_length=3), AfterValidator(storable)]"
    assert code.type is not None and code.type.numbered == 'f"{n % 1000:03d}"'  # "010" sorts after "009"
    film_id = parse_field("film_id:int:key:auto", KNOWN)
    assert film_id.auto and film_id.path == "Annotated[int, Path(ge=1, le=2**31 - 1)]"
    assert parse_field("token:uuid:key", KNOWN).path == "UUID"
    known = KNOWN | {"Currency": currency.names}
    keys = model_keys({"Currency": ["code:str:maxlen=3:key", "name:str"], "Category": ["name:str"]}, known)
    assert list(keys) == ["Currency"]
    price = parse_model(
        "Price", ["currency:Currency", "coins:Currency[]", "category:Category"], known, target_keys=keys
    )
    single, many, plain = price.fields
    assert (single.references, single.ref_python, single.ref_sql_type(migration=True)) == (
        "currencies.code",
        "str",
        "sa.String(length=3)",
    )
    assert (many.references, many.column) == ("currencies.code", "coin_ids")
    assert (plain.references, plain.ref_python, plain.ref_sql_type()) == ("categories.id", "int", "Integer")
    assert price.keys == []


def test_a_key_of_several_fields_is_found_by_all_of_them_and_no_relation_refers_to_it() -> None:
    """Fails if the parts of a key of several fields lose their order, if a part after the first is a sort key
    (the key's index does not start with it) or a relation part after the first has no index of its own (its filter
    would scan the table), if a key is a relation alone, numbered but in its first field (or on SQLite), a date
    first, or beside many-to-many links, or if a relation to a model with such a key is written against a single
    column."""
    payment = parse_model("Payment", ["payment_id:int:key:auto", "paid_at:datetime:key", "amount:decimal"], KNOWN)
    numbered, paid_at, _ = payment.fields
    assert (numbered.auto, paid_at.trailing, paid_at.path) == (
        True,
        True,
        "Annotated[AwareDatetime, Path(strict=False)]",
    )
    with pytest.raises(InvalidName, match="SQLite numbers a key of one integer field only"):
        check_backend(payment, "sqlite")
    check_backend(payment, "postgres")
    slot = parse_model("Slot", ["category:Category:key", "seat:smallint:key:min=1", "note:str"], KNOWN)
    category, seat, note = slot.fields
    assert [f.column for f in slot.keys] == ["category_id", "seat"]
    assert (category.trailing, category.own_index, category.filterable) == (False, False, True)
    assert (seat.trailing, seat.sortable, seat.own_index, note.sortable) == (True, False, False, True)
    booking = parse_model("Booking", ["day:int:key", "category:Category:key"], KNOWN)
    day, category = booking.fields
    assert [(f.trailing, f.own_index, f.filterable) for f in (day, category)] == [(False,) * 3, (True,) * 3]
    for tokens, message in [
        (["category:Category:key", "name:str"], "a relation is part of a key beside other key fields"),
        (["a:int:key", "b:int:key:auto"], ":auto numbers the first field of a key"),
        (["day:date:key", "b:int:key"], "a date or datetime is a key after the first field"),
        (["day:datetime:key"], "a date or datetime is a key after the first field"),
        (["a:int:key", "b:int:key", "tags:Category[]"], "a model with a key of several fields has no many-to-many"),
    ]:
        with pytest.raises(InvalidName, match=message):
            parse_model("Slot", tokens, KNOWN)
    keys = {"Category": (parse_field("a:int:key", KNOWN), parse_field("b:int:key", KNOWN))}
    with pytest.raises(InvalidName, match="Category has a key of several fields"):
        parse_model("Product", ["category:Category"], KNOWN, target_keys=keys)


def test_a_relation_without_an_index_is_no_filter_and_a_relation_to_itself_is_optional() -> None:
    """Fails if a relation marked :noindex (a foreign key its database has no index for) still gets an index or a
    list filter (the filter would scan the table), if a required relation of a model to itself is accepted (its
    first record could not be made), or if an optional one is not marked as such (seeded rows would refer to rows
    of their own table that are not there yet)."""
    plain, bare = parse_field("category:Category", KNOWN), parse_field("category:Category:noindex", KNOWN)
    assert (plain.indexed, plain.filterable) == (True, True)
    assert (bare.indexed, bare.own_index, bare.filterable, bare.is_relation) == (False, False, False, True)
    with pytest.raises(InvalidName, match="a relation of a model to itself is optional"):
        parse_model("Category", ["name:str", "parent:Category"], KNOWN)
    spec = parse_model("Category", ["name:str", "parent:Category:setnull?"], KNOWN)
    parent = spec.fields[1]
    assert parent.itself and parent.single and parent.seed == "None" and not spec.fields[0].itself
    with pytest.raises(InvalidName, match="to itself is for SQL databases"):
        check_backend(spec, "mongo")

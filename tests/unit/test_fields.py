import pytest

from dbgen.errors import InvalidName
from dbgen.fields import TYPES, model_keys, parse_field, parse_model, parse_model_name
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
        ("category:Category?:cascade:setnull", "choose one of :cascade and :setnull"),
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


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("code:text:key", "a key is one of str, int, uuid"),
        ("code:json:key", "a key is one of str, int, uuid"),
        ("code:enum(a,b):key", "a key is one of str, int, uuid"),
        ("code:str:key?", "a key cannot be optional"),
        ("code:str:optional:key", "a key cannot be optional"),
        ("code:str=abc:key", "a key takes no default"),
        ("code:str:key:unique", "a key is unique and indexed already"),
        ("code:str:key:index", "a key is unique and indexed already"),
        ("code:str:key:auto", ":auto is for integer keys the database numbers"),
        ("film_id:int:auto", ":auto numbers a key; write film_id:int:key:auto"),
        ("category:Category:key", "a relation cannot be a key"),
    ],
)
def test_key_misuse_is_one_clear_error(token: str, message: str) -> None:
    """Fails if a key that no column could be (a text, an optional, a numbered string, a relation) is accepted, or
    refused without saying why."""
    with pytest.raises(InvalidName, match=message) as error:
        parse_field(token, KNOWN)
    assert repr(token) in str(error.value)


def test_a_key_replaces_the_id_and_relations_refer_to_it() -> None:
    """Fails if a key is not the model's key (a separate index, searched by `q`, numbered out of text order), or
    a relation or a many-to-many link to its model still points at `id` or is typed as an int."""
    currency = parse_model("Currency", ["code:str:maxlen=3:key", "name:str"], KNOWN)
    (code,) = currency.keys
    assert code.key and not code.auto and not code.indexed and not code.searchable and code.sortable
    assert code.path == "Annotated[str, Path(min_length=1, max_length=3), AfterValidator(storable)]"
    assert code.type is not None and code.type.numbered == 'f"{n:03d}"'  # "010" sorts after "009"
    film_id = parse_field("film_id:int:key:auto", KNOWN)
    assert film_id.auto and film_id.path == "Annotated[int, Path(ge=1, le=2**31 - 1)]"
    assert parse_field("token:uuid:key", KNOWN).path == "UUID"
    known = KNOWN | {"Currency": currency.names}
    keys = model_keys({"Currency": ["code:str:maxlen=3:key", "name:str"], "Category": ["name:str"]}, known)
    assert list(keys) == ["Currency"]
    price = parse_model("Price", ["currency:Currency", "coins:Currency[]", "category:Category"], known, keys)
    single, many, plain = price.fields
    assert (single.references, single.ref_python, single.ref_sql_type(migration=True)) == (
        "currencies.code",
        "str",
        "sa.String(length=3)",
    )
    assert (many.references, many.column) == ("currencies.code", "coin_ids")
    assert (plain.references, plain.ref_python, plain.ref_sql_type()) == ("categories.id", "int", "Integer")
    assert price.keys == []


def test_a_key_of_several_fields_is_refused_for_now_and_relations_to_one_always() -> None:
    """Fails if a composite key is taken without the routes to serve it, or a relation to a model with one is
    written against a single column."""
    with pytest.raises(InvalidName, match="a key of several fields"):
        parse_model("Slot", ["day:date", "room:str:key", "seat:int:key"], KNOWN)
    keys = {"Category": (parse_field("a:int:key", KNOWN), parse_field("b:int:key", KNOWN))}
    with pytest.raises(InvalidName, match="Category has a key of several fields"):
        parse_model("Product", ["category:Category"], KNOWN, keys)

import pytest

from dbgen.errors import InvalidName
from dbgen.naming import ModelNames, kebab, pascal, pluralize, singularize, snake, validate_project_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Product", "product"), ("product", "product"), ("ProductLine", "product_line"),
     ("product_line", "product_line"), ("product-line", "product_line"), ("HTTPRequest", "http_request")],
)  # fmt: skip
def test_snake(raw: str, expected: str) -> None:
    assert snake(raw) == expected


def test_other_cases() -> None:
    assert pascal("product_line") == "ProductLine"
    assert kebab("ProductLine") == "product-line"


@pytest.mark.parametrize(
    ("word", "plural"),
    [("item", "items"), ("category", "categories"), ("box", "boxes"), ("day", "days"), ("status", "statuses")],
)
def test_pluralize(word: str, plural: str) -> None:
    assert pluralize(word) == plural


def test_model_names_are_derived_once() -> None:
    names = ModelNames.of("product_line")
    assert (names.cls, names.module, names.table, names.route) == (
        "ProductLine",
        "product_line",
        "product_lines",
        "/product-lines",
    )


@pytest.mark.parametrize("name", ["shop", "my-shop", "my_shop", "Shop2"])
def test_valid_project_names(name: str) -> None:
    assert validate_project_name(name).isidentifier()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("class", "keyword"),
        ("2shop", "not a valid package name"),
        ("my shop", "not a valid package name"),
        ("../evil", "not a path"),
        ("a/b", "not a path"),
        ("", "empty"),
        ("fastapi", "shadow"),
        ("app", "shadow"),
    ],
)
def test_invalid_project_names(name: str, problem: str) -> None:
    with pytest.raises(InvalidName, match=problem):
        validate_project_name(name)


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("tags", "tag"), ("categories", "category"), ("boxes", "box"), ("classes", "class"), ("glass", "glass")],
)
def test_singularize_undoes_pluralize(plural: str, singular: str) -> None:
    assert singularize(plural) == singular

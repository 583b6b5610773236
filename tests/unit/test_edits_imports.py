import pytest

from dbgen import edits

MARKER = "# dbgen: model imports"


def block(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("import app.models.item", (False, "app.models.item", (0, ""))),
        ("import app.models.item as item", (False, "app.models.item", (0, ""))),
        ("from app.models.item import Item", (True, "app.models.item", (1, "Item"))),
        ("from app.models import item as item", (True, "app.models", (2, "item"))),
        ("    from app.models.user import User", (True, "app.models.user", (1, "User"))),
    ],
)
def test_import_key(line: str, key: tuple[bool, str, tuple[int, str]]) -> None:
    assert edits._import_key(line) == key


def test_import_key_orders_lines_as_isort_does() -> None:
    """`ruff check --select I` keeps this order: plain imports first, then from-imports by module, and
    as-imports from one module (which it never merges) by the name imported."""
    expected = [
        "import app.models.b",
        "import app.models.z as z",
        "from app.db import x",
        "from app.models import category as category",
        "from app.models import item as item",
        "from app.models.a import A",
    ]
    assert sorted(reversed(expected), key=edits._import_key) == expected


def test_sorted_insert_places_a_registration_among_its_kind() -> None:
    text = block(
        "import app.models.legacy",
        "from app.models import item as item",
        "from app.models import user as user",
        "from app.models.item import Item",
        "",
        MARKER,
    )
    add = "from app.models import product as product"
    assert edits.insert_at_marker(text, MARKER, add, path="x.py", sort=True) == block(
        "import app.models.legacy",
        "from app.models import item as item",
        "from app.models import product as product",
        "from app.models import user as user",
        "from app.models.item import Item",
        "",
        MARKER,
    )
    first = edits.insert_at_marker(text, MARKER, "from app.models import apple as apple", path="x.py", sort=True)
    assert first.splitlines()[1] == "from app.models import apple as apple"  # after the plain import
    last = edits.insert_at_marker(text, MARKER, "from app.models import zebra as zebra", path="x.py", sort=True)
    assert last.splitlines()[3] == "from app.models import zebra as zebra"  # before app.models.item
    plain = edits.insert_at_marker(text, MARKER, "import app.models.zebra", path="x.py", sort=True)
    assert plain.splitlines()[1] == "import app.models.zebra"  # every plain import before any from-import

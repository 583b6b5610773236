import re

import pytest

from dbgen import edits
from dbgen.errors import DbgenError

MARKER = "# dbgen: model imports"


def block(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("import app.models.item", (False, "app.models.item")),
        ("import app.models.item as item", (False, "app.models.item")),
        ("from app.models.item import Item", (True, "app.models.item")),
        ("    from app.models.user import User", (True, "app.models.user")),
    ],
)
def test_import_key(line: str, key: tuple[bool, str]) -> None:
    assert edits._import_key(line) == key


def test_plain_imports_sort_before_from_imports_as_isort_does() -> None:
    lines = ["from app.models.a import A", "import app.models.z as z", "from app.db import x", "import app.models.b"]
    assert sorted(lines, key=edits._import_key) == [
        "import app.models.b",
        "import app.models.z as z",
        "from app.db import x",
        "from app.models.a import A",
    ]


def test_sorted_insert_puts_a_plain_import_among_plain_ones() -> None:
    text = block(
        "import app.models.item as item",
        "import app.models.user as user",
        "from app.models.item import Item",
        "",
        MARKER,
    )
    added = edits.insert_at_marker(text, MARKER, "import app.models.product as product", path="x.py", sort=True)
    assert added == block(
        "import app.models.item as item",
        "import app.models.product as product",
        "import app.models.user as user",
        "from app.models.item import Item",
        "",
        MARKER,
    )
    last = edits.insert_at_marker(added, MARKER, "import app.models.zebra as zebra", path="x.py", sort=True)
    assert last.splitlines()[3] == "import app.models.zebra as zebra"  # after user, before the from-import
    first = edits.insert_at_marker(text, MARKER, "import app.models.apple as apple", path="x.py", sort=True)
    assert first.splitlines()[0] == "import app.models.apple as apple"


def test_sorted_insert_of_a_from_import_goes_after_plain_imports() -> None:
    text = block("import app.models.item as item", "from app.models.user import User", MARKER)
    added = edits.insert_at_marker(text, MARKER, "from app.models.category import Category", path="x.py", sort=True)
    assert added.splitlines()[:3] == [
        "import app.models.item as item",
        "from app.models.category import Category",
        "from app.models.user import User",
    ]


def test_insert_is_idempotent_and_remove_undoes_it() -> None:
    text = block("INDEXES = {", "    user.COLLECTION: user.INDEXES,", "    # dbgen: models", "}")
    line = "    product.COLLECTION: product.INDEXES,"
    added = edits.insert_at_marker(text, "# dbgen: models", line, path="x.py")
    assert added.splitlines()[2] == line
    assert edits.insert_at_marker(added, "# dbgen: models", line, path="x.py") == added
    assert edits.remove_line(added, line) == text


def test_missing_marker_names_the_line_to_add() -> None:
    with pytest.raises(DbgenError, match=re.escape("import app.models.product as product")):
        edits.insert_at_marker("x = 1\n", MARKER, "import app.models.product as product", path="x.py", sort=True)

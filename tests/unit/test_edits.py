import pytest

from dbgen.edits import LINE_LENGTH, call, import_block, insert_at_marker, remove_line
from dbgen.errors import DbgenError

MODELS = """from app.db.base import Base as Base
from app.models.item import Item as Item
from app.models.user import User as User

# dbgen: models (add-model registers new models above this line)
"""


def test_insert_sorted_above_marker_and_idempotent() -> None:
    line = "from app.models.category import Category as Category"
    text = insert_at_marker(MODELS, "# dbgen: models", line, path="m.py", sort=True)
    assert text.splitlines()[:4] == [
        "from app.db.base import Base as Base",
        line,
        "from app.models.item import Item as Item",
        "from app.models.user import User as User",
    ]
    assert insert_at_marker(text, "# dbgen: models", line, path="m.py", sort=True) == text
    assert remove_line(text, line) == MODELS


def test_unsorted_insert_goes_right_above_the_marker() -> None:
    text = "a()\n# dbgen: routers\n"
    assert insert_at_marker(text, "# dbgen: routers", "b()", path="r.py") == "a()\nb()\n# dbgen: routers\n"


def test_missing_marker_names_the_line_to_add() -> None:
    with pytest.raises(DbgenError, match=r"r\.py has no line `# dbgen: routers`; add `b\(\)` there yourself"):
        insert_at_marker("a()\n", "# dbgen: routers", "b()", path="r.py")


def test_import_block_orders_like_isort() -> None:
    block = import_block(
        ["from sqlalchemy import String", "from typing import TYPE_CHECKING", "from sqlalchemy import JSON, Boolean"],
        "from app.db.base import Base",
        "from decimal import Decimal",
        "from sqlalchemy import func",
    )
    assert block == (
        "from decimal import Decimal\nfrom typing import TYPE_CHECKING\n\n"
        "from sqlalchemy import JSON, Boolean, String, func\n\n"
        "from app.db.base import Base"
    )


def test_call_wraps_like_ruff_format() -> None:
    assert call(4, "f", ["a", "b"]) == "    f(a, b)"
    long_arg = "x" * (LINE_LENGTH - 20)
    assert call(4, "function_name", [long_arg, "b"], ",") == f"    function_name(\n        {long_arg}, b\n    ),"
    wrapped = call(0, "g", [long_arg, long_arg])
    assert wrapped == f"g(\n    {long_arg},\n    {long_arg},\n)"

"""How a user edits a project that dbgen 0.1.0 wrote, for the update tests (and the fixtures made by them).

Each edit is anchored on 0.1.0's text, which never changes. `edit` returns what must survive an update
in each edited file (unless that file ends up with conflict markers): a snippet of the user's code.
"""

from __future__ import annotations

from pathlib import Path

from dbgen import writer
from dbgen.backends import BACKENDS
from dbgen.plan import Plan
from dbgen.releases import archived

MODELS = {
    "Category": ["name:str:unique"],
    "Product": ["name:str", "price:decimal", "in_stock:bool", "category:Category", "description:text?"],
}
ANSWERS = {"project_name": "shop", "models": ["User", "Item", *MODELS]}

ROUTE = '''

@router.get("/-/ping", include_in_schema=False)
async def ping_items() -> dict[str, str]:
    """A route of this project's own."""
    return {"items": "ok"}
'''

SKU_MIGRATION = '''"""Add products.sku.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("sku", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("sku")
'''

# The deliberate conflict: the app's version set on the line that builds the app, a line the templates are
# expected to change. Each edit is one contiguous change, so taking the templates' side of a conflicting
# hunk drops an edit whole, never half of it.
CONFLICT_PATH = "app/main.py"
CONFLICT_LINE = "    app = FastAPI(title=settings.project_name, lifespan=lifespan, responses=REQUEST_ERRORS)\n"
VERSIONED = CONFLICT_LINE.replace("project_name, ", 'project_name, version="1.2.0", ')
SKU = "    sku: Mapped[str | None] = mapped_column(String(64))\n"


def generate(root: Path, db: str) -> None:
    """What dbgen 0.1.0 wrote for `dbgen new shop --db DB`, then add-model Category and Product."""
    files = archived.render("0.1.0", {**ANSWERS, "db": db}, MODELS)
    plan = Plan(root)
    for path, content in files.items():
        plan.add(path, content)
    writer.apply(plan)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new))


def edit(root: Path, db: str) -> dict[str, str]:
    """Edit the project as a user would; returns path -> a snippet of each edit that must survive."""
    with (root / "app/api/routes/items.py").open("a") as routes:
        routes.write(ROUTE)
    replace(root / "app/core/config.py", "max_body_bytes: int = 1_048_576", "max_body_bytes: int = 2_097_152")
    replace(
        root / "tests/test_health.py",
        '"/health"} <= set(paths)\n',
        '"/health"} <= set(paths)\n    assert "/api/v1/products" in paths  # the resources we added\n',
    )
    (root / "compose.yaml").unlink()
    replace(root / CONFLICT_PATH, CONFLICT_LINE, VERSIONED)
    if BACKENDS[db].is_sql:  # a column of their own on an added model, with its own migration
        model = root / "app/models/product.py"
        description = "    description: Mapped[str | None] = mapped_column(Text)\n"
        replace(model, description, description + SKU)
        (root / "migrations/versions/0004_add_product_sku.py").write_text(SKU_MIGRATION)
    return survivors(db)


def survivors(db: str) -> dict[str, str]:
    """Path -> a snippet of each edit that update must keep (unless it marks a conflict in that file)."""
    kept = {
        "app/api/routes/items.py": "async def ping_items()",
        "app/core/config.py": "max_body_bytes: int = 2_097_152",
        "tests/test_health.py": 'assert "/api/v1/products" in paths',
        CONFLICT_PATH: 'version="1.2.0"',
    }
    if BACKENDS[db].is_sql:
        kept["app/models/product.py"] = SKU.strip()
    return kept

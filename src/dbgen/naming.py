"""One place for names: a project name, and the names a model is known by everywhere."""

from __future__ import annotations

import functools
import keyword
import re
from dataclasses import dataclass

from dbgen.errors import InvalidName

_PROJECT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")

# Names that would shadow the generated project's own package or one of its dependencies.
RESERVED_PROJECT_NAMES = frozenset(
    {
        "app", "tests", "migrations", "test", "fastapi", "starlette", "pydantic", "sqlalchemy",
        "alembic", "asyncpg", "aiosqlite", "aiomysql", "pymongo", "uvicorn", "httpx", "pytest",
        "dbgen", "typing", "site", "main",
    }
)  # fmt: skip


def snake(text: str) -> str:
    """`ProductLine`, `product-line`, `product_line` -> `product_line`."""
    words = _WORD_RE.findall(text.replace("-", "_"))
    return "_".join(w.lower() for w in words)


def kebab(text: str) -> str:
    return snake(text).replace("_", "-")


def pascal(text: str) -> str:
    return "".join(w.capitalize() for w in snake(text).split("_"))


def pluralize(word: str) -> str:
    """English plural good enough for table and route names (category -> categories)."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    return word + "s"


def singularize(word: str) -> str:
    """The reverse of pluralize, for a field named by a plural (tags -> tag, categories -> category)."""
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# It names a folder, a package, databases (PostgreSQL and MySQL allow 63 and 64 characters) and images.
MAX_PROJECT_NAME = 50


def validate_project_name(name: str) -> str:
    """Return the project's Python-safe slug, or raise naming the problem."""
    if not name:
        raise InvalidName("project name is empty")
    if "/" in name or "\\" in name or name.startswith("."):
        raise InvalidName(f"project name {name!r} must be a plain name, not a path; use --dir for where")
    if len(name) > MAX_PROJECT_NAME:
        raise InvalidName(f"project name is {len(name)} characters long; use at most {MAX_PROJECT_NAME}")
    if not _PROJECT_RE.match(name):
        raise InvalidName(
            f"project name {name!r} is not a valid package name: "
            "use letters, digits, '_' or '-', starting with a letter"
        )
    slug = snake(name)
    if keyword.iskeyword(slug) or keyword.iskeyword(name):
        raise InvalidName(f"project name {name!r} is a Python keyword")
    if slug in RESERVED_PROJECT_NAMES:
        raise InvalidName(f"project name {name!r} would shadow the package {slug!r}; choose another name")
    return slug


@dataclass(frozen=True)
class ModelNames:
    """Every name a model goes by, derived once: Product line -> ProductLine, product_lines, /product-lines."""

    cls: str
    module: str
    table: str
    route: str
    plural: str

    @property
    def plural_cls(self) -> str:
        """The name of its repository dependency in app/api/deps.py: `ProductLines`."""
        return pascal(self.plural)

    @classmethod
    @functools.cache
    def of(cls, raw: str) -> ModelNames:
        return cls.named(pascal(raw), snake(raw))

    @classmethod
    def named(cls, class_name: str, module: str, table: str = "") -> ModelNames:
        """The names of a model whose class and module are known: its plural, its route, and its table (the
        plural, unless an existing database names it otherwise)."""
        plural = pluralize(module)
        route = "/" + plural.replace("_", "-")
        return cls(cls=class_name, module=module, table=table or plural, route=route, plural=plural)

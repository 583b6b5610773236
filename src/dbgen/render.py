"""Render templates/ with Jinja2; the same environment setup is loaded by copier as an extension."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2.ext import Extension

from dbgen import __version__, backends, edits, naming, policy

# Installed wheels carry the templates inside the package; a source checkout keeps them at the top.
_PACKAGED = Path(__file__).parent / "templates"
TEMPLATES = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).parents[2] / "templates"
SUFFIX = ".jinja"
# What copier leaves out of a rendered project by default, plus our partials.
EXCLUDED = {"copier.yml", "__pycache__", "_partials"}


class DbgenExtension(Extension):
    """Globals, filters and tests shared by dbgen's renderer and `copier copy`."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.globals["backends"] = backends.BACKENDS
        environment.globals["new_secret"] = lambda: secrets.token_urlsafe(32)
        environment.globals["imports"] = edits.import_block
        environment.globals["call"] = edits.call
        environment.globals["access"] = policy
        environment.filters["snake"] = naming.snake
        environment.filters["kebab"] = naming.kebab
        environment.tests["sql"] = lambda db: backends.BACKENDS[db].is_sql
        environment.tests["document"] = lambda db: not backends.BACKENDS[db].is_sql


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates are kept between runs; compiling them is most of a cold `dbgen new`."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = base / "dbgen" / f"jinja-{__version__}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


@functools.cache
def environment(root: Path) -> jinja2.Environment:
    """One per template folder and process: what it has loaded and compiled serves every later render."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=[DbgenExtension],
        bytecode_cache=_bytecode_cache(),
    )


def _render_part(env: jinja2.Environment, part: str, context: dict[str, Any]) -> str:
    return _name_template(env, part).render(context) if "{" in part else part


@functools.cache
def _name_template(env: jinja2.Environment, part: str) -> jinja2.Template:
    return env.from_string(part)


def render_tree(template: str, context: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Yield (relative output path, content) for every file of a template folder, as copier would."""
    root = TEMPLATES / template
    env = environment(root)
    for source in sorted(root.rglob("*")):
        rel = source.relative_to(root)
        if source.is_dir() or EXCLUDED.intersection(rel.parts) or source.suffix in {".pyc", ".pyo"}:
            continue
        is_template = rel.name.endswith(SUFFIX)
        # As copier does: the suffix comes off before the name renders, so `{% if x %}a.py{% endif %}.jinja`
        # renders empty (and is skipped) just like `{% if x %}a.py{% endif %}`.
        parts = [_render_part(env, part, context) for part in (rel.with_suffix("") if is_template else rel).parts]
        if not all(parts):
            continue  # a name that renders empty is how one tree serves several backends
        out = "/".join(parts)
        if is_template:
            yield out, env.get_template(rel.as_posix()).render(context).encode()
        else:
            yield out, source.read_bytes()


def render_template(template: str, path: str, context: dict[str, Any]) -> bytes:
    """One file of a template folder, by its path inside the folder."""
    return environment(TEMPLATES / template).get_template(path).render(context).encode()

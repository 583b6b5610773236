"""The only edits dbgen makes to files a user owns: one line added above, or removed near, a marker (or one
import line widened and narrowed again)."""

from __future__ import annotations

import sys

from dbgen.errors import DbgenError

LINE_LENGTH = 120  # the generated project's ruff line length


def insert_at_marker(text: str, marker: str, line: str, *, path: str, sort: bool = False) -> str:
    """Add `line` (one statement, possibly wrapped) above the marker; unchanged if it is there already.

    With sort, it goes into sorted place among the import lines just above the marker, as isort
    would order them. A missing marker is an error that names what to add by hand.
    """
    if line + "\n" in text:
        return text
    lines = text.splitlines(keepends=True)
    found = [at for at, existing in enumerate(lines) if existing.strip().startswith(marker)]
    if not found:
        raise DbgenError(f"{path} has no line `{marker}`; add `{line.strip()}` there yourself, or restore the marker")
    position = found[0]
    if sort:
        while position > 0 and not lines[position - 1].strip():
            position -= 1  # an import block ends before the blank line that sets the marker apart
        while position > 0 and _is_import(lines[position - 1]) and _import_key(lines[position - 1]) > _import_key(line):
            position -= 1
    lines.insert(position, line + "\n")
    return "".join(lines)


def remove_line(text: str, line: str) -> str:
    """Take out what insert_at_marker put in; unchanged if it is not there."""
    return text.replace(line + "\n", "", 1)


def replace_line(text: str, old: str, new: str) -> str:
    """Put `new` in place of the line `old`; unchanged if `old` is not there."""
    return text.replace(old + "\n", new + "\n", 1)


def _is_import(line: str) -> bool:
    return line.strip().startswith(("from ", "import "))


def _import_key(line: str) -> tuple[bool, str, tuple[int, str]]:
    """Where isort puts an import within its section: every `import m` before every `from m import x`,
    each kind by module name, and lines from one module (`from m import a as a`) by what they import."""
    statement = line.strip()
    if statement.startswith("from "):
        module, names = statement.removeprefix("from ").split(" import ", 1)
        return True, module, _name_key(names.split(",")[0].strip())
    return False, statement.removeprefix("import ").split(" as ")[0], (0, "")


def _section(module: str) -> int:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return 0
    return 2 if top in {"app", "tests"} else 1


def _name_key(name: str) -> tuple[int, str]:
    bare = name.split(" as ")[0]
    kind = 0 if bare.isupper() and len(bare) > 1 else 1 if bare[:1].isupper() else 2
    return kind, bare


def import_block(*groups: str | list[str]) -> str:
    """Merge and order `from m import a` / `import m` statements in sections, as ruff's isort does."""
    statements = [s for group in groups for s in ([group] if isinstance(group, str) else group)]
    plain: dict[int, set[str]] = {}
    froms: dict[int, dict[str, set[str]]] = {}
    for statement in statements:
        if statement.startswith("from "):
            module, imported = statement.removeprefix("from ").split(" import ")
            froms.setdefault(_section(module), {}).setdefault(module, set()).update(
                name.strip() for name in imported.split(",")
            )
        else:
            module = statement.removeprefix("import ")
            plain.setdefault(_section(module), set()).add(module)
    sections = []
    for section in sorted(set(plain) | set(froms)):
        out = [f"import {m}" for m in sorted(plain.get(section, ()))]
        for module, names in sorted(froms.get(section, {}).items()):
            ordered = sorted(names, key=_name_key)
            single = f"from {module} import {', '.join(ordered)}"
            if len(single) <= LINE_LENGTH:
                out.append(single)
            else:
                out.append(f"from {module} import (\n" + "".join(f"    {n},\n" for n in ordered) + ")")
        sections.append("\n".join(out))
    return "\n\n".join(sections)


def call(indent: int, head: str, args: list[str], tail: str = "") -> str:
    """A call laid out the way ruff format lays it out at the project's line length."""
    pad = " " * indent
    one_line = f"{pad}{head}({', '.join(args)}){tail}"
    if len(one_line) <= LINE_LENGTH:
        return one_line
    inner = f"{pad}    {', '.join(args)}"
    if len(inner) <= LINE_LENGTH:
        return f"{pad}{head}(\n{inner}\n{pad}){tail}"
    return f"{pad}{head}(\n" + "".join(f"{pad}    {arg},\n" for arg in args) + f"{pad}){tail}"

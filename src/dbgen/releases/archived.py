"""Run an archived release's own generator again: what it wrote for a project's answers, byte for byte.

The archive holds that release's `dbgen` package (its renderer, Jinja extension, backends, names, field
types and add-model registrations) and its templates, exactly as released. Its modules are imported under
a private package name, so today's code can change freely without changing what an old release renders.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import io
import re
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from dbgen.errors import DbgenError
from dbgen.releases import archive

# Extract plain files only, where Python has the filter (3.11.4 on); the archive is dbgen's own either way.
_DATA_ONLY: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
_IMPORT = re.compile(r"^(\s*)(from|import)\s+dbgen\b", re.MULTILINE)


class _ArchiveImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves `<package>.x` from the archived source of `dbgen.x`, its own imports pointed at `<package>`."""

    def __init__(self, package: str, sources: dict[str, str]) -> None:
        self.package = package
        self.sources = sources  # "dbgen.render" -> source text; "dbgen" is the package itself

    def _inner(self, fullname: str) -> str | None:
        if fullname != self.package and not fullname.startswith(self.package + "."):
            return None
        inner = "dbgen" + fullname[len(self.package) :]
        return inner if inner in self.sources else None

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        inner = self._inner(fullname)
        if inner is None:
            return None
        is_package = any(name.startswith(inner + ".") for name in self.sources)
        return importlib.machinery.ModuleSpec(fullname, self, origin=f"<{self.package}>", is_package=is_package)

    def exec_module(self, module: ModuleType) -> None:
        inner = self._inner(module.__name__)
        assert inner is not None
        source = _IMPORT.sub(lambda m: f"{m[1]}{m[2]} {self.package}", self.sources[inner])
        # A path that exists nowhere: the archived renderer looks for templates beside it, then is told where.
        module.__file__ = f"/{self.package}/src/{inner.replace('.', '/')}.py"
        exec(compile(source, f"<{self.package}>/{inner}", "exec"), module.__dict__)


def _read(version: str) -> tarfile.TarFile:
    path = archive(version)
    try:
        return tarfile.open(fileobj=io.BytesIO(path.read_bytes()), mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise DbgenError(f"dbgen's archive of release {version} cannot be read ({exc}); reinstall dbgen") from None


def _generator(version: str, tar: tarfile.TarFile) -> ModuleType:
    package = "_dbgen_release_" + version.replace(".", "_")
    if package not in sys.modules:
        sources: dict[str, str] = {}
        for member in tar.getmembers():
            if member.name.startswith("dbgen/") and member.name.endswith(".py"):
                handle = tar.extractfile(member)
                assert handle is not None
                name = member.name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                sources[name] = handle.read().decode()
        sys.meta_path.append(_ArchiveImporter(package, sources))
    return importlib.import_module(package)


def render(version: str, answers: dict[str, Any], added: dict[str, list[str]]) -> dict[str, bytes]:
    """Every file release `version` wrote for these answers and added models (in the order they were added)."""
    tar = _read(version)
    package = _generator(version, tar).__name__
    render_module = importlib.import_module(f"{package}.render")
    writer = importlib.import_module(f"{package}.writer")
    new = importlib.import_module(f"{package}.commands.new")
    models = importlib.import_module(f"{package}.commands.models")
    errors = importlib.import_module(f"{package}.errors")
    with tempfile.TemporaryDirectory(prefix="dbgen-release-") as tmp:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith("templates/")]
        tar.extractall(tmp, members=members, **_DATA_ONLY)
        setattr(render_module, "TEMPLATES", Path(tmp) / "templates")  # noqa: B010 (a module mypy cannot see)
        setattr(render_module, "_bytecode_cache", lambda: None)  # noqa: B010 (temporary paths: nothing to cache)
        root = Path(tmp) / "project"
        try:
            writer.apply(new.plan_new(answers["project_name"], answers["db"], root))
            for name in answers.get("models", []):
                if name in added:
                    writer.apply(models.plan_add_model(root, name, added[name]))
        except errors.DbgenError as exc:
            raise DbgenError(f"cannot rebuild what dbgen {version} wrote for this project: {exc}") from None
        return {
            path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
        }

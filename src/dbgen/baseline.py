"""The baseline: exactly what dbgen last wrote into a project, kept inside it for the next `dbgen update`.

It is every file dbgen generated (the project template, each added model, the registration lines) as
rendered with no user edit, stored as one deterministic tar.gz at .dbgen/baseline.tar.gz. `new`,
`add-model`, `remove-model` and `update` rewrite it; commit it with the project. A later dbgen, whatever
its templates, merges against it: a file that differs from it carries the user's edits.

Left out, because update never merges them: .dbgen.toml (dbgen's own record, rewritten), .env (local
settings, git-ignored) and migrations/versions/ (history: never rewritten or deleted).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from pathlib import Path

from dbgen.errors import DbgenError

PATH = ".dbgen/baseline.tar.gz"
_UNTRACKED = frozenset({".dbgen.toml", ".env", PATH})
_HISTORY = "migrations/versions/"


def tracked(path: str) -> bool:
    """Whether update merges this file (and so whether the baseline keeps it)."""
    return path not in _UNTRACKED and not path.startswith(_HISTORY)


def pack(files: dict[str, bytes]) -> bytes:
    """The same files give the same bytes: sorted, no times, no owners."""
    kept = {path: files[path] for path in sorted(files) if tracked(path)}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, content in kept.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(content), 0o644, 0
            tar.addfile(info, io.BytesIO(content))
    data = gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0)
    _last[:] = [(data, kept)]
    return data


# The archive pack() made last and its files: loading it again (the next add-model of an import) unpacks nothing.
_last: list[tuple[bytes, dict[str, bytes]]] = []


def unpack(data: bytes) -> dict[str, bytes]:
    try:
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as tar:
            files: dict[str, bytes] = {}
            for member in tar.getmembers():
                handle = tar.extractfile(member) if member.isfile() else None
                parts = member.name.split("/")
                if handle is None or not tracked(member.name) or not all(parts) or ".." in parts:
                    raise ValueError(f"unexpected entry {member.name!r}")
                files[member.name] = handle.read()
            return files
    except (OSError, EOFError, ValueError, zlib.error, tarfile.TarError) as exc:
        raise DbgenError(f"{PATH} is corrupt ({exc}); restore it from version control") from None


def load(root: Path) -> dict[str, bytes]:
    """The project's stored baseline; a missing or corrupt one is an error (nothing can be merged without it)."""
    path = root / PATH
    if not path.is_file():
        raise DbgenError(f"{PATH} is missing, so dbgen cannot tell your edits apart; restore it from version control")
    data = path.read_bytes()
    if _last and _last[0][0] == data:
        return dict(_last[0][1])
    return unpack(data)

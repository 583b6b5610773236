"""Three-way merges of one file, by `git merge-file`.

git is what the user resolves conflicts with anyway: its markers, labels and merge algorithm are the ones
every editor and tutorial knows, it is maintained with git itself, and it adds no dependency to dbgen.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from dbgen.errors import DbgenError


def merge(base: bytes, mine: bytes, theirs: bytes, labels: tuple[str, str, str]) -> tuple[bytes, bool]:
    """(merged text, whether it has conflict markers). `labels` name mine, base and theirs in the markers."""
    git = shutil.which("git")
    if git is None:
        raise DbgenError("dbgen update merges files with `git merge-file`; install git and run it again")
    with tempfile.TemporaryDirectory(prefix="dbgen-merge-") as tmp:
        files = []
        for name, content in (("mine", mine), ("base", base), ("theirs", theirs)):
            (Path(tmp) / name).write_bytes(content)
            files.append(str(Path(tmp) / name))
        command = [git, "merge-file", "--stdout", "-L", labels[0], "-L", labels[1], "-L", labels[2], *files]
        result = subprocess.run(command, capture_output=True, check=False)
    if not 0 <= result.returncode <= 127:  # the number of conflicts, or a negative error code
        raise DbgenError(f"git merge-file failed on {labels[0]}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout, result.returncode > 0

"""A Plan is what a command would do to the file system, computed before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Action(StrEnum):
    CREATE = "create"
    OVERWRITE = "overwrite"
    UPDATE = "update"
    IDENTICAL = "identical"
    CONFLICT = "conflict"
    DELETE = "delete"
    MERGE = "merge"  # update: the user's edits and the template's changes, merged cleanly
    KEEP = "keep"  # update: the user's version stays although the templates changed (see the note)


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the plan's root, with forward slashes
    action: Action
    content: bytes | None = None  # new bytes; None for a deletion
    old: bytes | None = None  # what is on disk now, if anything
    note: str = ""  # why, when the verb alone does not say

    @property
    def writes(self) -> bool:
        return self.action in {Action.CREATE, Action.OVERWRITE, Action.UPDATE, Action.MERGE, Action.DELETE}


@dataclass
class Plan:
    root: Path
    changes: list[FileChange] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    message: str = ""
    # update writes a conflicting merge with conflict markers for the user to resolve; other commands refuse
    marks_conflicts: bool = False

    def add(self, path: str, content: bytes | None, *, force: bool = False) -> FileChange:
        """Classify one file against what is on disk; a differing file is a conflict unless forced."""
        target = self.root / path
        old = target.read_bytes() if target.is_file() else None
        if content is None:
            action = Action.DELETE if old is not None else Action.IDENTICAL
        elif old is None:
            action = Action.CREATE
        elif old == content:
            action = Action.IDENTICAL
        else:
            action = Action.OVERWRITE if force else Action.CONFLICT
        change = FileChange(path, action, content, old)
        self.changes.append(change)
        return change

    def update(self, path: str, content: bytes) -> FileChange:
        """A change dbgen is entitled to make to an existing file (a registration, its own answers file)."""
        old = (self.root / path).read_bytes() if (self.root / path).is_file() else None
        action = Action.IDENTICAL if old == content else Action.CREATE if old is None else Action.UPDATE
        change = FileChange(path, action, content, old)
        self.changes.append(change)
        return change

    @property
    def conflicts(self) -> list[FileChange]:
        return [c for c in self.changes if c.action is Action.CONFLICT]

    @property
    def writes(self) -> list[FileChange]:
        return [c for c in self.changes if c.writes or (self.marks_conflicts and c.action is Action.CONFLICT)]

"""All terminal output goes through here; commands return Plans and never print."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from dbgen.plan import Plan

_STYLES = {
    "create": "green",
    "overwrite": "yellow",
    "update": "cyan",
    "identical": "dim",
    "conflict": "bold red",
    "delete": "red",
    "merge": "cyan",
    "keep": "yellow",
}


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _escape(text: object) -> str:
    """Text shown inside rich markup: "[dev]" in `pip install -e '.[dev]'` must not be read as a tag."""
    from rich.markup import escape

    return escape(str(text))


def error(message: str) -> None:
    _console(stderr=True).print(f"[bold red]error:[/] {_escape(message)}", markup=True, emoji=False)


def info(message: str) -> None:
    _console().print(message, markup=False, emoji=False)  # `opened_on:date:dbdefault` is a field, not an emoji


def show_plan(plan: Plan, *, dry_run: bool = False, diff: bool = False) -> None:
    from rich.tree import Tree

    console = _console()
    title = f"[bold]{_escape(plan.root)}[/]" + (" [yellow](dry run: nothing written)[/]" if dry_run else "")
    tree = Tree(title)
    branches: dict[str, Tree] = {}
    for change in sorted(plan.changes, key=lambda c: c.path):
        node = tree
        parts = change.path.split("/")
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            if key not in branches:
                branches[key] = node.add(f"[bold blue]{_escape(parts[depth - 1])}/[/]")
            node = branches[key]
        style = _STYLES[change.action.value]
        note = f"  [dim]({_escape(change.note)})[/]" if change.note else ""
        node.add(f"[{style}]{change.action.value:>9}[/]  {_escape(parts[-1])}{note}")
    console.print(tree)
    if diff:
        show_diff(plan, console)
    if plan.message and not dry_run:
        console.print(f"\n[bold green]{_escape(plan.message)}[/]")
    if plan.next_steps and not dry_run:
        console.print("\nNext steps:")
        for step in plan.next_steps:
            console.print(f"  [cyan]{_escape(step)}[/]", markup=True)


def show_diff(plan: Plan, console: Console) -> None:
    import difflib

    from rich.syntax import Syntax

    for change in plan.changes:
        if not change.writes and change.action.value != "conflict":
            continue
        try:
            old = (change.old or b"").decode().splitlines(keepends=True)
            new = (change.content or b"").decode().splitlines(keepends=True)
        except UnicodeDecodeError:
            console.print(f"{change.action.value} {change.path} (binary)", markup=False)
            continue
        text = "".join(difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}"))
        if text:
            console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))


def stdin_is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()

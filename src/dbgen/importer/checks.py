"""What a table's CHECK constraints say about one column each, where they say it simply: the values it may hold (IN,
PostgreSQL's = ANY (ARRAY[...])) or its bounds (>=, <=, >, <, BETWEEN, joined by AND). A field takes them as an enum or
min= and max=, so that the API refuses what the database would and the generated tests write values it accepts.
Anything else (several columns, functions, OR) is left to the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from dbgen.importer.ir import Check

_CAST = re.compile(r"::[a-z_ ]+(?:\[\])?", re.I)  # PostgreSQL's casts: ::numeric, ::character varying, ::text[]
_WRAPPED_ATOM = re.compile(r"\(\s*(-?\d+(?:\.\d+)?|\w+)\s*\)")
_BETWEEN = re.compile(r"(\w+)\s+between\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)", re.I)
_AND = re.compile(r"\s+and\s+", re.I)
_COMPARE = re.compile(r"^(\w+)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_IN = re.compile(r"^(\w+)\s+in\s*\((.*)\)$", re.I)
_ANY = re.compile(r"^\(?(\w+)\)?\s*=\s*any\s*\(\s*\(?\s*array\s*\[(.*)\]\s*\)?\s*\)$", re.I)
_QUOTED = re.compile(r"\s*'((?:[^']|'')*)'\s*")


@dataclass(frozen=True)
class Rule:
    """One column's values (`choices`) or bounds; a bound is strict (> or <) where `*_strict`."""

    choices: tuple[str, ...] = ()
    low: Decimal | None = None
    low_strict: bool = False
    high: Decimal | None = None
    high_strict: bool = False


def column_rules(checks: tuple[Check, ...]) -> dict[str, Rule]:
    """Each column's rule, from the checks that are about that column alone and say nothing else."""
    rules: dict[str, Rule] = {}
    for check in checks:
        found = _rule(check.sql)
        if found is None:
            continue
        column, rule = found
        rules[column] = merged(rules.get(column), rule)
    return rules


def _rule(sql: str) -> tuple[str, Rule] | None:
    text = _normal(sql)
    text = _BETWEEN.sub(lambda m: f"{m[1]} >= {m[2]} and {m[1]} <= {m[3]}", text)
    columns: set[str] = set()
    rule = Rule()
    for part in _AND.split(text):
        part = _unwrapped(part.strip())
        listed = _IN.match(part) or _ANY.match(part)
        compared = _COMPARE.match(part)
        if listed:
            values = _values(listed[2])
            if values is None:
                return None
            columns.add(listed[1])
            rule = merged(rule, Rule(choices=values))
        elif compared:
            columns.add(compared[1])
            value, strict = Decimal(compared[3]), compared[2] in (">", "<")
            bound = Rule(low=value, low_strict=strict) if ">" in compared[2] else Rule(high=value, high_strict=strict)
            rule = merged(rule, bound)
        else:
            return None
    return (columns.pop(), rule) if len(columns) == 1 else None


def _normal(sql: str) -> str:
    """The expression without CHECK, casts, identifier quotes and the parentheses around single atoms."""
    text = re.sub(r"^\s*check\s*", "", sql, flags=re.I)
    text = _CAST.sub("", text).replace("`", "").replace('"', "")
    while True:
        unwrapped = _WRAPPED_ATOM.sub(r"\1", text)
        if unwrapped == text:
            return _unwrapped(text.strip())
        text = unwrapped


def _unwrapped(text: str) -> str:
    """Without the parentheses around the whole of it, as often as they are there."""
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _values(listed: str) -> tuple[str, ...] | None:
    """'a', 'b' -> ("a", "b"); None unless every item is a quoted string."""
    items = []
    rest = listed
    while rest.strip():
        found = _QUOTED.match(rest)
        if found is None:
            return None
        items.append(found[1].replace("''", "'"))
        rest = rest[found.end() :]
        if rest.startswith(","):
            rest = rest[1:]
        elif rest.strip():
            return None
    return tuple(items) or None


def merged(old: Rule | None, new: Rule) -> Rule:
    """Both rules at once: the values in both lists, the tighter of each bound."""
    if old is None:
        return new
    choices = old.choices or new.choices
    if old.choices and new.choices:
        choices = tuple(v for v in old.choices if v in new.choices)
    low, low_strict = old.low, old.low_strict
    if new.low is not None and (low is None or new.low > low or (new.low == low and new.low_strict)):
        low, low_strict = new.low, new.low_strict
    high, high_strict = old.high, old.high_strict
    if new.high is not None and (high is None or new.high < high or (new.high == high and new.high_strict)):
        high, high_strict = new.high, new.high_strict
    return Rule(choices, low, low_strict, high, high_strict)

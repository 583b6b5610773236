"""CHECK constraints as each database gives them back, read as one column's values or bounds (dbgen.importer.checks),
and those as field modifiers."""

from __future__ import annotations

from decimal import Decimal

from dbgen.importer.checks import Rule, column_rules
from dbgen.importer.ir import Check
from dbgen.importer.specs import _bounds

D = Decimal
STRICT = Rule(low=D(0), low_strict=True, high=D(100), high_strict=True)  # > 0 and < 100
# (the constraint as the database gives it, what it says: {column: rule}); {} where it says more than one column's
# values or bounds, which stays the database's alone.
CASES = [
    # PostgreSQL: pg_get_constraintdef, with casts and parentheses everywhere
    ("CHECK ((hourly_rate >= (0)::numeric))", {"hourly_rate": Rule(low=D(0))}),
    ("CHECK (((weekday >= 0) AND (weekday <= 6)))", {"weekday": Rule(low=D(0), high=D(6))}),
    ("CHECK (((discount > (0)::numeric) AND (discount < (100)::numeric)))", {"discount": STRICT}),
    (
        "CHECK (((rating)::text = ANY ((ARRAY['G'::character varying, 'PG-13'::character varying])::text[])))",
        {"rating": Rule(choices=("G", "PG-13"))},
    ),
    ("CHECK ((replacement_cost >= rental_rate))", {}),
    # MySQL/MariaDB: information_schema, with backquotes
    ("`weekday` between 0 and 6", {"weekday": Rule(low=D(0), high=D(6))}),
    ("`discount` > 0 and `discount` < 100", {"discount": STRICT}),
    ("json_valid(`metadata`)", {}),
    # SQLite: as written
    ("tier IN ('standard', 'gold', 'it''s')", {"tier": Rule(choices=("standard", "gold", "it's"))}),
    ("release_year BETWEEN 1888 AND 2100", {"release_year": Rule(low=D(1888), high=D(2100))}),
    ('"Level" <= 9.5', {"Level": Rule(high=D("9.5"))}),
    ("a > 0 OR a < -5", {}),
    ("a > 0 AND b > 0", {}),
    ("code IN ('x', upper(code))", {}),
]


def test_simple_checks_are_read_as_one_columns_values_or_bounds() -> None:
    """Fails if a form a database gives back is not read, or one that says more (several columns, OR, functions)
    is taken for a rule it is not."""
    for sql, expected in CASES:
        assert column_rules((Check("", sql),)) == expected, sql
    # Two checks of one column: both hold.
    both = column_rules((Check("", "n >= 0"), Check("", "n BETWEEN -5 AND 10"), Check("", "n < 8")))
    assert both == {"n": Rule(low=D(0), high=D(8), high_strict=True)}


def test_bounds_become_the_nearest_values_the_field_holds() -> None:
    """Fails if a strict bound lets the field hold the bound itself, or a bound a float cannot state exactly is
    given anyway."""
    assert _bounds(STRICT, "int", None) == ["min=1", "max=99"]
    assert _bounds(STRICT, "decimal", 2) == ["min=0.01", "max=99.99"]
    assert _bounds(STRICT, "float", None) == []
    assert _bounds(Rule(low=D("0.5"), high=D("9.5")), "smallint", None) == ["min=1", "max=9"]
    assert _bounds(Rule(low=D(1888), high=D(2100)), "int", None) == ["min=1888", "max=2100"]

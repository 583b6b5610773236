"""Errors in the API's terms, raised below the routes; app.main turns them into responses."""

from fastapi.exceptions import RequestValidationError


class Conflict(Exception):
    """The change clashes with existing data (a duplicate unique value, a record still referred to): 409."""


def invalid(location: tuple[str, ...], message: str, value: object) -> RequestValidationError:
    """A 422 in FastAPI's own error shape, for input that only the data can show to be wrong."""
    error = {"type": "value_error", "loc": location, "msg": message, "input": value}
    return RequestValidationError([error])


def missing_reference(field: str, value: object, target: str) -> RequestValidationError:
    """A body field names a record that does not exist."""
    return invalid(("body", field), f"no {target} with this id", value)

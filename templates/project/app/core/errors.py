"""Errors the data layer raises in the API's terms; app.main turns them into responses."""

from fastapi.exceptions import RequestValidationError


class Conflict(Exception):
    """The change clashes with existing data (a duplicate unique value, a missing reference): 409."""


def missing_reference(field: str, value: object, target: str) -> RequestValidationError:
    """A body field names a record that does not exist: a 422 in FastAPI's own error shape."""
    error = {"type": "value_error", "loc": ("body", field), "msg": f"no {target} with this id", "input": value}
    return RequestValidationError([error])

"""Errors the data layer raises in the API's terms; app.main turns them into responses."""


class Conflict(Exception):
    """The change clashes with existing data (a duplicate unique value, a missing reference): 409."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now: 503, and the client may retry."""

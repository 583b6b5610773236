"""One flat hierarchy of user-facing errors; the CLI turns each into one line and exit code 2."""


class DbgenError(Exception):
    """A problem the user can fix; its message is one line that says how."""

    exit_code = 2


class InvalidName(DbgenError):
    pass


class InvalidOption(DbgenError):
    pass


class TargetNotEmpty(DbgenError):
    pass


class Conflict(DbgenError):
    pass


class NotAProject(DbgenError):
    pass

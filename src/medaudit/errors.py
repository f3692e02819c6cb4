"""User-facing errors.

Anything a user can cause (a bad file, a bad model spec, a missing extra) is raised as a
`MedauditError`; the CLI prints its one-line message and exits 2, with the traceback only under
`--debug`. Programming errors stay ordinary exceptions so they are never mistaken for user error.
"""

from __future__ import annotations


class MedauditError(Exception):
    """An error the user can fix; `str(err)` is one line that says where and what to do."""

    exit_code = 2


class InputError(MedauditError):
    """A malformed input file: the message names file, line and field."""

    def __init__(self, path: object, line: int | None, field: str | None, problem: str) -> None:
        where = str(path)
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.field = field


class ModelSpecError(MedauditError):
    """A model spec that cannot be parsed or resolved."""


class MissingExtraError(MedauditError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"the Python package '{package}' is not installed: run pip install 'medaudit[{extra}]'"
        )


class ModelCallError(Exception):
    """A model call failed after the backend's own bounded retries; the item becomes `error`."""

    def __init__(self, message: str, *, retryable: bool = False, attempts: int = 1) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.attempts = attempts

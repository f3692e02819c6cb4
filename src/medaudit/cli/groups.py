"""A typer group class shared by command groups that can also run on their own."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from medaudit.errors import MedauditError


class UserErrorGroup(TyperGroup):
    """When this group runs on its own, end a MedauditError as one stderr line and exit 2.

    Under `medaudit` (the group has a parent) the error propagates to the root app, which prints
    the same line, or the traceback with --debug.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MedauditError as err:
            if ctx.parent is not None:
                raise
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None

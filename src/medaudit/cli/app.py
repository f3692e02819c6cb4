"""The `medaudit` command: a thin typer app; each group lives in its own module.

User errors (`MedauditError`) end in one red line and exit 2; the traceback appears only with
`--debug`. Ctrl-C ends with exit 130 and a hint that the same command resumes.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

import typer
from rich.console import Console
from rich.markup import escape

from medaudit import __version__
from medaudit.errors import MedauditError

app = typer.Typer(
    name="medaudit",
    help="Audit large language models for medical ethics and safety (Chinese first).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

# group name -> (module, help). Each module exposes `app`; modules not present yet are skipped
# so a partial checkout still has a working CLI.
GROUPS: dict[str, tuple[str, str]] = {
    "bench": ("medaudit.cli.bench", "Inspect, validate, import and check benchmark item files."),
    "models": ("medaudit.cli.models", "List and install the models that run offline."),
    "runs": ("medaudit.cli.runs", "List stored evaluation runs."),
    "privacy": ("medaudit.cli.privacy", "Find and de-identify personal health information."),
    "finetune": ("medaudit.cli.finetune", "Export training data, LoRA-tune, check leakage."),
    "dev": ("medaudit.cli.dev", "Developer tools: a stub OpenAI-compatible server."),
}
COMMANDS: dict[str, tuple[str, str]] = {
    "eval": ("medaudit.cli.eval", "eval_command"),
    "compare": ("medaudit.cli.compare", "compare_command"),
    "report": ("medaudit.cli.report", "report_command"),
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """medaudit: evaluate models on CMES and other Chinese medical benchmarks, with evidence."""


def _optional_module(module_name: str) -> ModuleType | None:
    """The command module, or None when this checkout does not have it (a missing dependency
    inside an existing module is still an error)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise
        return None


def _register() -> None:
    for name, (module_name, func_name) in COMMANDS.items():
        if (module := _optional_module(module_name)) is not None:
            app.command(name)(getattr(module, func_name))
    for name, (module_name, help_text) in GROUPS.items():
        if (module := _optional_module(module_name)) is not None:
            app.add_typer(module.app, name=name, help=help_text)


_register()


# typer >= 0.29 vendors its own click (typer._click) and does not install click; older typer
# uses click itself. Catch whichever exception classes exist.
_EXIT: tuple[type[BaseException], ...] = (typer.Exit,)
_ABORT: tuple[type[BaseException], ...] = (typer.Abort,)
_USAGE: tuple[type[BaseException], ...] = ()
try:
    from typer._click.exceptions import ClickException as _VendoredClickException

    _USAGE = (*_USAGE, _VendoredClickException)
except ImportError:  # typer that uses click directly
    pass
try:
    import click

    _EXIT = (*_EXIT, click.exceptions.Exit)
    _ABORT = (*_ABORT, click.exceptions.Abort)
    _USAGE = (*_USAGE, click.ClickException)
except ImportError:  # typer >= 0.29 without click installed
    pass
_INTERRUPT: tuple[type[BaseException], ...] = (*_ABORT, KeyboardInterrupt)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (tests call this; `main` exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        code = app(args=args, prog_name="medaudit", standalone_mode=False)
    except _EXIT as exit_:
        return int(getattr(exit_, "exit_code", 0) or 0)
    except _USAGE as usage_err:
        usage_err.show()  # type: ignore[attr-defined]
        return int(getattr(usage_err, "exit_code", 2))
    except _INTERRUPT:
        err.print("interrupted; run the same command again to resume")
        return 130
    except MedauditError as user_err:
        if debug:
            raise
        err.print(f"[red]error:[/red] {escape(str(user_err))}", markup=True)
        return user_err.exit_code
    return code if isinstance(code, int) else 0


def main() -> None:
    sys.exit(run())

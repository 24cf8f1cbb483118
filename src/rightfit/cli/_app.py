"""Typer app, global options, and the error boundary: user mistakes print one line, exit 2."""

from __future__ import annotations

import functools
import logging
import sys
import time
import traceback
import warnings

import typer

from rightfit import __version__
from rightfit.errors import RightfitError

# The budget covers the whole process; this is as close to its start as Python code gets.
PROCESS_START = time.monotonic()

app = typer.Typer(
    name="rightfit",
    help="Machine learning the way a careful senior data scientist does it, and shows its work.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    _state["debug"] = debug
    # Library warnings (extra columns at predict time, version drift) as one plain line each.
    warnings.showwarning = lambda message, category, *args, **kwargs: typer.echo(
        f"warning: {message}", err=True
    )
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def friendly(command):
    """Turn rightfit's own errors into one clear line and exit code 2 (1 for internal errors)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except RightfitError as exc:
            if _state["debug"]:
                traceback.print_exc()
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: nothing was written.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if _state["debug"]:
                traceback.print_exc()
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in rightfit; run again with --debug for the traceback "
                "and report it.",
                err=True,
            )
            raise typer.Exit(1) from None

    return wrapper


def main() -> None:
    """Console-script entry point."""
    from rightfit._memory import fewer_malloc_arenas

    fewer_malloc_arenas()
    try:
        app()
    except SystemExit as exit_:
        sys.exit(exit_.code)

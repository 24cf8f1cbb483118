"""The ``rightfit`` command line. Heavy modules are imported inside commands only."""

from rightfit.cli import _commands  # noqa: F401 - registers the commands on ``app``
from rightfit.cli._app import app, main

__all__ = ["app", "main"]

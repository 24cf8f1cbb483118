"""The ``rightfit`` command line. Heavy modules are imported inside commands only.

Commands live in ``_commands.py`` and in ``_cmd_<area>.py`` modules (one per area: predict,
serve/export, segment/recommend...), which are imported here so they register on ``app``.
"""

import importlib
import pkgutil

from rightfit.cli import _commands  # noqa: F401 - registers the core commands on ``app``
from rightfit.cli._app import app, main

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module.name.startswith("_cmd_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["app", "main"]

"""Run the real `rightfit` console script in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def rightfit_exe() -> list[str]:
    exe = Path(sys.executable).with_name("rightfit")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("rightfit")
    return [found] if found else [sys.executable, "-m", "rightfit"]


def run_cli(
    *args, timeout: float = 300, cwd=None, env: dict | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run(
        [*rightfit_exe(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )

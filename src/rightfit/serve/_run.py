"""Start uvicorn: models load before the port opens, and SIGTERM lets requests in flight finish."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from rightfit.errors import ConfigError
from rightfit.serve._http import ServeSettings
from rightfit.serve._models import load_served_models

logger = logging.getLogger(__name__)

# Worker processes (--workers > 1) rebuild the app from this variable; the API key travels in
# the same process environment it may have come from (RIGHTFIT_API_KEY).
_CONFIG_VARIABLE = "RIGHTFIT_SERVE_CONFIG"
GRACEFUL_SECONDS = 30
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(
    model_dirs: list[Path],
    *,
    names: list[str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    settings: ServeSettings | None = None,
    access_log: bool = False,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the bundles in ``model_dirs`` over HTTP until SIGINT/SIGTERM.

    Parameters
    ----------
    model_dirs : bundle directories, loaded (and checksum-checked) before the port opens.
    names : served names, one per directory; default: the directories' names.
    host, port : where to listen; loopback by default.
    workers : processes, each with its own copy of the models.
    settings : API key, body limit, queue bound.
    access_log : log every request (off by default: it costs time per request).
    announce : called with the lines a user should see once the models are loaded.

    Raises
    ------
    BundleError
        A bundle is missing, damaged or tampered with (the server does not start).
    ConfigError
        Bad names, port or worker count.

    Examples
    --------
    >>> serve([Path("churn-model")], port=8080)  # doctest: +SKIP
    """
    try:
        import fastapi  # noqa: F401 - checked here for a clear message
        import uvicorn
    except ImportError as error:
        raise ConfigError(
            f"Serving needs FastAPI and uvicorn ({error}); install them with "
            "`pip install 'rightfit[serve]'`."
        ) from None

    settings = settings or ServeSettings()
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}.")
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535, got {port}.")
    if host not in LOOPBACK and settings.api_key is None:
        logger.warning(
            "serving on %s without an API key: anyone who can reach this address can use the "
            "models. Set --api-key or RIGHTFIT_API_KEY.",
            host,
        )
    # Loaded here even with several workers, so a bad bundle stops the command with one clear
    # error instead of crashing every worker.
    models = load_served_models(list(model_dirs), names)
    options = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": access_log,
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        # A hard bound on open connections and tasks; beyond it uvicorn answers 503 at once.
        "limit_concurrency": max(1024, 4 * settings.max_pending),
        "server_header": False,
    }
    announce = announce or logger.info
    for model in models:
        announce(
            f"serving {model.name!r} ({model.kind}, {model.record.get('task')}) at "
            f"http://{host}:{port}/v1/models/{model.name}/predict and "
            f"/v2/models/{model.name}/infer"
        )
    announce(f"docs at http://{host}:{port}/docs; stop with Ctrl-C")
    if workers == 1:
        from rightfit.serve._app import create_app

        uvicorn.run(create_app(models, settings), **options)
        return
    os.environ[_CONFIG_VARIABLE] = json.dumps(
        {
            "paths": [str(m.path) for m in models],
            "names": [m.name for m in models],
            "settings": {
                "api_key": settings.api_key,
                "max_body_bytes": settings.max_body_bytes,
                "max_pending": settings.max_pending,
            },
        }
    )
    uvicorn.run(
        "rightfit.serve._run:app_from_environment", factory=True, workers=workers, **options
    )


def app_from_environment():
    """The app of one worker process, rebuilt from the command's settings."""
    from rightfit.serve._app import create_app

    config = json.loads(os.environ[_CONFIG_VARIABLE])
    models = load_served_models([Path(p) for p in config["paths"]], config["names"])
    return create_app(models, ServeSettings(**config["settings"]))

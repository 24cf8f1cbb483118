"""Serving over HTTP: the Open Inference Protocol (v2), a simple JSON/CSV API and metrics.

``rightfit serve MODEL_DIR`` is :func:`serve`; :func:`create_app` builds the FastAPI app for
embedding or testing. FastAPI and uvicorn are imported only when a server is built.
"""

from rightfit.serve._app import create_app
from rightfit.serve._http import ServeSettings
from rightfit.serve._models import ServedModel, load_served_models
from rightfit.serve._run import serve
from rightfit.serve._stream import ScoreSummary, score_file

__all__ = [
    "ScoreSummary",
    "ServeSettings",
    "ServedModel",
    "create_app",
    "load_served_models",
    "score_file",
    "serve",
]

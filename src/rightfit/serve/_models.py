"""The models a server holds: loaded once at startup from the command line, never per request."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rightfit.api import load
from rightfit.data import Schema
from rightfit.errors import ConfigError
from rightfit.serve._batcher import Batcher
from rightfit.serve._inputs import InputColumn, input_columns

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass
class ServedModel:
    """One loaded bundle and what the HTTP layer needs to know about it."""

    name: str
    path: Path
    model: object
    record: dict
    inputs: tuple[InputColumn, ...]
    outputs: list[tuple[str, str]] = field(default_factory=list)
    batcher: Batcher | None = None

    @property
    def kind(self) -> str:
        return str(self.record.get("kind", "tabular"))

    @property
    def version(self) -> str:
        """A stable version string: the start of the model file's SHA-256."""
        return str(self.record.get("model_sha256") or "1")[:12]

    @property
    def can_predict(self) -> bool:
        return hasattr(self.model, "predict_frame")

    @property
    def can_recommend(self) -> bool:
        return hasattr(self.model, "recommend_frame")

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``model.predict_frame`` with the 'ignoring columns' warning silenced (it is reported
        to the client in the answer instead)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self.model.predict_frame(frame)

    def info(self) -> dict[str, str]:
        return {
            "model": self.name,
            "kind": self.kind,
            "task": str(self.record.get("task")),
            "version": self.version,
        }


def model_name(path: Path, given: str | None) -> str:
    """The served name: ``given`` or the directory's name, checked to be URL-safe."""
    name = given or path.resolve().name
    if not _NAME.match(name):
        raise ConfigError(
            f"Model name {name!r} cannot be used in a URL; pass --name with letters, digits, "
            "'.', '_' or '-' (at most 128 characters)."
        )
    return name


def load_served_models(paths: list[Path], names: list[str] | None = None) -> list[ServedModel]:
    """Load every bundle (checksums and allowlist checked by ``rightfit.load``) and warm it up.

    Parameters
    ----------
    paths : model directories from the command line.
    names : served names, one per path; default: each directory's name.

    Raises
    ------
    ConfigError
        More names than models, two models under one name, or an image model.
    BundleError
        A bundle is missing, damaged or was modified after it was saved.
    """
    names = list(names or [])
    if len(names) > len(paths):
        raise ConfigError(
            f"{len(names)} --name values for {len(paths)} model directories; give at most one "
            "--name per MODEL_DIR, in the same order."
        )
    served: list[ServedModel] = []
    for index, path in enumerate(paths):
        name = model_name(path, names[index] if index < len(names) else None)
        if any(s.name == name for s in served):
            raise ConfigError(
                f"Two models would be served as {name!r}; give each a distinct --name "
                "(one per MODEL_DIR, in order)."
            )
        model = load(path)
        if model.record.get("kind") == "image":
            raise ConfigError(
                f"{str(path)!r} is an image model: it reads image files by path, and a server "
                "never opens files named in requests. Score images with `rightfit predict "
                "MODEL_DIR FOLDER` instead."
            )
        schema = getattr(model, "schema", None)
        inputs = input_columns(schema if isinstance(schema, Schema) else None)
        item = ServedModel(name, Path(path), model, dict(model.record), inputs)
        if item.can_predict:
            # Without a schema, requests may differ in their fields: score them one by one.
            item.batcher = Batcher(item.predict_frame, max_rows=2048 if inputs else 0)
            item.outputs = _warm_up(item)
        served.append(item)
        logger.info("serving %s from %s", name, path)
    return served


def _warm_up(item: ServedModel) -> list[tuple[str, str]]:
    """Score one all-missing row: the first call builds caches, and it tells the output names."""
    if not item.inputs:
        return []
    row = {
        c.name: np.array([np.nan], dtype="float64" if c.role in ("numeric", "boolean") else object)
        for c in item.inputs
    }
    try:
        frame = item.predict_frame(pd.DataFrame(row))
    except Exception as error:  # a model that cannot score an empty row still serves real ones
        logger.warning("warm-up prediction of %s failed (%s); serving anyway", item.name, error)
        return []
    from rightfit.serve._batcher import output_array
    from rightfit.serve._v2 import output_tensors

    columns = {str(name): output_array(frame[name]) for name in frame.columns}
    return [(t["name"], t["datatype"]) for t in output_tensors(columns, None)]

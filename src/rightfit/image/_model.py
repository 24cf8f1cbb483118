"""ImageModel: a trained image classifier with its record; saves and loads as a bundle.

The network is stored in the bundle as ``model.keras`` (Keras' native format) next to
``model.skops`` (plain data: classes, image size) and ``record.json``; it is loaded with Keras'
safe mode on after its SHA-256 is checked against the record.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rightfit.errors import BundleError
from rightfit.image._pixels import load_pixels
from rightfit.image._source import read_prediction_source
from rightfit.image._train import predict_pixels

logger = logging.getLogger(__name__)

NETWORK_FILE = "model.keras"


class ImageModel:
    """A fitted image classifier: ``predict_source`` reads images and returns PRED.csv rows.

    Parameters
    ----------
    network : keras.Model
        Takes (n, size, size, 3) RGB pixels in 0-255 and returns class probabilities.
    classes : sequence of str
        Class labels, position = network output column.
    image_size : int
        Side images are resized to.
    record : dict
        What was done and measured (same layout as a tabular bundle's record, ``kind="image"``).
    """

    def __init__(self, network, classes: Sequence[str], image_size: int, record: dict):
        self.network = network
        self.classes = [str(c) for c in classes]
        self.image_size = int(image_size)
        self.record = record

    @property
    def task(self) -> str:
        return "binary" if len(self.classes) == 2 else "multiclass"

    def predict_proba(self, paths: Sequence[str]) -> np.ndarray:
        """Class probabilities (n, K) for image files."""
        return predict_pixels(self.network, load_pixels(list(paths), self.image_size))

    def predict(self, paths: Sequence[str]) -> np.ndarray:
        """Predicted labels for image files."""
        proba = self.predict_proba(paths)
        return np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)]

    def predict_source(self, source: str | os.PathLike | Sequence[str]) -> pd.DataFrame:
        """``path``, ``prediction`` and ``proba_<class>`` for a folder, a CSV of paths or a list.

        Examples
        --------
        >>> model.predict_source("new_photos/").columns.tolist()  # doctest: +SKIP
        ['path', 'prediction', 'proba_cat', 'proba_dog']
        """
        source = source if isinstance(source, (list, tuple)) else Path(source)
        paths = read_prediction_source(source)
        proba = self.predict_proba(paths)
        frame = pd.DataFrame(
            {
                "path": paths,
                "prediction": np.asarray(self.classes, dtype=object)[proba.argmax(axis=1)],
            }
        )
        for j, label in enumerate(self.classes):
            frame[f"proba_{label}"] = proba[:, j]
        return frame

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """Like :meth:`predict_source` for a frame with a ``path`` column."""
        return self.predict_source(list(X["path"].astype(str)))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the bundle (record.json, model.skops, model.keras) atomically."""
        from rightfit.models._keras_runtime import model_to_bytes
        from rightfit.store import save_bundle

        state = {"classes": list(self.classes), "image_size": self.image_size}
        network = model_to_bytes(_inference_copy(self.network))
        return save_bundle(path, state, self.record, extra_files={NETWORK_FILE: network})


def _inference_copy(network):
    """The network without its optimizer state (which would double the file)."""
    from rightfit.models._keras_runtime import without_optimizer

    return without_optimizer(network)


def load_image_model(path: str | os.PathLike) -> ImageModel:
    """Load an image bundle written by :meth:`ImageModel.save` (``rightfit.load`` calls this).

    Raises
    ------
    BundleError
        A missing or modified ``model.keras``, or a network Keras' safe mode refuses.
    """
    from rightfit.models._keras_runtime import import_keras, model_from_bytes
    from rightfit.store import load_bundle

    path = Path(path)
    state, record = load_bundle(path)
    network_path = path / NETWORK_FILE
    try:
        data = network_path.read_bytes()
    except FileNotFoundError:
        raise BundleError(
            f"{str(network_path)!r} is missing, so {str(path)!r} is not a complete image "
            "bundle. Re-run `rightfit fit` to write a new bundle."
        ) from None
    if hashlib.sha256(data).hexdigest() != record.get("files", {}).get(NETWORK_FILE):
        raise BundleError(
            f"{str(network_path)!r} does not match the checksum in record.json: the bundle was "
            "modified after it was saved, or copied incompletely. Re-run `rightfit fit`."
        )
    import_keras()
    try:
        network = model_from_bytes(data)
    except Exception as error:
        raise BundleError(
            f"{str(network_path)!r} could not be loaded in Keras' safe mode "
            f"({type(error).__name__}: {error}). Check that the Keras version in record.json "
            "is installed, or re-run `rightfit fit`."
        ) from error
    return ImageModel(network, state["classes"], state["image_size"], record)

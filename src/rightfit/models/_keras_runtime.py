"""Keras plumbing shared by the neural families: lazy import, threads, seeds, deadline, bytes.

TensorFlow is imported only here and only when a neural model is built, fitted or loaded, so
``import rightfit`` stays instant. Models travel inside skops bundles as the bytes of a native
``.keras`` file and are loaded with ``safe_mode=True`` (no Python lambdas are ever deserialised).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

_CONFIGURED: dict[str, int] = {}


def import_keras(n_jobs: int | None = None):
    """Import Keras on the TensorFlow backend, quietly, with at most ``n_jobs`` CPU threads.

    Thread counts can only be set before TensorFlow runs its first operation; later calls keep
    the first setting (and say so at DEBUG). A GPU, when present, is used without any setting.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    # C++ log lines (oneDNN notices, tf.data attribute warnings) are noise for users; real
    # failures still surface as Python exceptions.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    threads = int(n_jobs or os.environ.get("RIGHTFIT_N_JOBS") or (os.cpu_count() or 1))
    if "threads" not in _CONFIGURED:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
            _CONFIGURED["threads"] = threads
        except RuntimeError:  # TensorFlow already initialised by someone else
            _CONFIGURED["threads"] = -1
            logger.debug("TensorFlow already running; thread settings left as they are")
    return keras


def seed_everything(seed: int) -> None:
    """Python, NumPy and TensorFlow seeds, plus deterministic kernels, for repeatable fits.

    Deterministic ops cost little on CPU for the small dense and convolutional nets used here.
    """
    keras = import_keras()
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    if not _CONFIGURED.get("deterministic"):
        try:
            tf.config.experimental.enable_op_determinism()
        except Exception:  # pragma: no cover - older TensorFlow builds
            logger.debug("op determinism unavailable", exc_info=True)
        _CONFIGURED["deterministic"] = 1


def deadline_callback(deadline: float | None):
    """A Keras callback that stops training after ``time.monotonic()`` passes ``deadline``.

    It sets ``stopped_epoch`` (``None`` when training ended on its own) so the caller can record
    that the fit stopped early.
    """
    keras = import_keras()

    class _Deadline(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.stopped_epoch: int | None = None
            self.epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if deadline is not None and time.monotonic() > deadline:
                self.stopped_epoch = self.epoch
                self.model.stop_training = True

    return _Deadline()


def model_to_bytes(model) -> bytes:
    """The native ``.keras`` file of ``model`` as bytes (architecture and weights).

    Callers pass an uncompiled model (see :func:`without_optimizer`), so the optimizer's
    moment estimates, twice the size of the weights, are not stored.
    """
    with tempfile.TemporaryDirectory(prefix="rightfit-keras-") as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def without_optimizer(model):
    """A copy of ``model`` that shares nothing with training: same architecture and weights,
    not compiled."""
    keras = import_keras()
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def model_from_bytes(data: bytes):
    """Inverse of :func:`model_to_bytes`, with Keras' safe mode on (no arbitrary code)."""
    keras = import_keras()
    with tempfile.TemporaryDirectory(prefix="rightfit-keras-") as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, compile=False, safe_mode=True)


def predict_in_batches(model, inputs, batch_size: int = 4096):
    """``model(inputs)`` in chunks: much less overhead than ``model.predict`` on small inputs."""
    import numpy as np

    arrays = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    n = len(arrays[0])
    if n == 0:
        return np.zeros((0, *tuple(model.output_shape[1:])), dtype=np.float64)
    chunks = []
    for start in range(0, n, batch_size):
        part = [a[start : start + batch_size] for a in arrays]
        out = model(part if len(part) > 1 else part[0], training=False)
        chunks.append(np.asarray(out.numpy() if hasattr(out, "numpy") else out, np.float64))
    return np.concatenate(chunks)

"""Train one image network within a deadline: tf.data batches, early stopping, fine-tuning."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from rightfit.image._networks import (
    make_backbone,
    scratch_cnn,
    transfer_model,
    unfreeze_top,
)
from rightfit.models._keras_runtime import deadline_callback, predict_in_batches

logger = logging.getLogger(__name__)

FROZEN_SHARE = 0.6  # of a transfer candidate's time: head on the frozen backbone first


@dataclass
class TrainedNetwork:
    family: str
    model: object
    epochs: int
    seconds: float
    stopped_at_deadline: bool
    phases: list[dict] = field(default_factory=list)


def _dataset(x: np.ndarray, y: np.ndarray | None, batch: int, seed: int, shuffle: bool):
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, y) if y is not None else x)
    if shuffle:
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)

    def cast(pixels, *label):
        return (tf.cast(pixels, tf.float32), *label)

    return data.batch(batch).map(cast).prefetch(2)


def _fit_phase(keras, model, data, deadline, learning_rate, max_epochs, patience) -> dict:
    train, validation = data
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy"
    )
    stopper = deadline_callback(deadline)
    history = model.fit(
        train,
        validation_data=validation,
        epochs=max_epochs,
        verbose=0,
        shuffle=False,  # the tf.data pipeline shuffles, with the seed
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=patience, restore_best_weights=True
            ),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
            stopper,
        ],
    )
    losses = [float(v) for v in history.history.get("val_loss", [])]
    return {
        "learning_rate": learning_rate,
        "epochs": len(losses),
        "best_val_loss": min(losses) if losses else None,
        "stopped_at_deadline": stopper.stopped_epoch is not None,
    }


def train_network(
    keras,
    family: str,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    n_classes: int,
    size: int,
    deadline: float,
    seed: int,
    backbone: str,
    backbone_weights: str,
    max_epochs: int,
    batch_size: int | None = None,
) -> TrainedNetwork:
    """Train ``keras_cnn`` (from scratch) or ``keras_transfer`` (backbone: frozen, then the top
    quarter unfrozen at a tenth of the learning rate) until early stopping or ``deadline``."""
    start = time.monotonic()
    # Small sets need several steps per epoch for the optimizer and batch norm to settle.
    batch_size = batch_size or int(np.clip(len(x_fit) // 8, 8, 32))
    train = _dataset(x_fit, y_fit, batch_size, seed, shuffle=True)
    validation = _dataset(x_val, y_val, batch_size, seed, shuffle=False)
    phases = []
    if family == "keras_cnn":
        model = scratch_cnn(keras, size, n_classes, seed)
        phases.append(
            _fit_phase(keras, model, (train, validation), deadline, 1e-3, max_epochs, patience=8)
        )
    else:
        base = make_backbone(keras, backbone, size, backbone_weights)
        base.trainable = False
        model = transfer_model(keras, base, size, n_classes, seed)
        frozen_deadline = start + FROZEN_SHARE * (deadline - start)
        phases.append(
            _fit_phase(
                keras, model, (train, validation), frozen_deadline, 1e-3, max_epochs, patience=4
            )
        )
        if time.monotonic() < deadline - 1.0:
            unfrozen = unfreeze_top(base)
            phase = _fit_phase(
                keras,
                model,
                (train, validation),
                deadline,
                1e-4,
                max(2, max_epochs // 2),
                patience=3,
            )
            phase["unfrozen_layers"] = unfrozen
            phases.append(phase)
        else:
            phases.append({"skipped": "no time left to fine-tune the backbone's top layers"})
    return TrainedNetwork(
        family=family,
        model=model,
        epochs=sum(p.get("epochs", 0) for p in phases),
        seconds=time.monotonic() - start,
        stopped_at_deadline=any(p.get("stopped_at_deadline") for p in phases),
        phases=phases,
    )


def predict_pixels(model, pixels: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """Class probabilities for uint8 pixels, rows summing to 1."""
    chunks = [
        predict_in_batches(model, pixels[i : i + batch_size].astype(np.float32), batch_size)
        for i in range(0, len(pixels), batch_size)
    ]
    out = np.clip(np.concatenate(chunks), 0.0, 1.0)
    return out / out.sum(axis=1, keepdims=True).clip(min=1e-12)

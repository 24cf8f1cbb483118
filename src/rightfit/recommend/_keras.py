"""A Keras two-tower recommender, trained with sampled negatives (TensorFlow imported here only)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse as sp

logger = logging.getLogger(__name__)

# Small batches learn faster on small logs; bigger ones keep large logs within the budget.
MIN_BATCH, MAX_BATCH = 256, 4096


def _tower(keras, n: int, dim: int, l2: float, name: str):
    ids = keras.Input(shape=(), dtype="int32", name=f"{name}_id")
    vector = keras.layers.Embedding(
        n, dim, embeddings_regularizer=keras.regularizers.l2(l2), name=f"{name}_embedding"
    )(ids)
    hidden = keras.layers.Dense(dim, activation="relu", name=f"{name}_hidden")(vector)
    out = keras.layers.Dense(dim, name=f"{name}_out")(keras.layers.Concatenate()([vector, hidden]))
    return ids, keras.Model(ids, out, name=f"{name}_tower")


def fit_two_tower(
    history: sp.csr_matrix,
    params: dict[str, Any],
    seed: int,
    n_threads: int = 0,
    deadline: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train user and item towers; return every user's and item's tower output and item biases.

    Each observed (user, item) pair is a positive; ``negatives`` items drawn uniformly per
    positive are negatives; the score is the dot product of the tower outputs plus an item
    bias, trained with binary cross-entropy. The towers take only ids, so their outputs for
    the known users and items are all a recommender needs afterwards. Training stops at
    ``deadline`` (``time.monotonic()``), after the batch that passes it.
    """
    from rightfit.models._keras_runtime import (
        deadline_callback,
        import_keras,
        predict_in_batches,
        seed_everything,
    )

    keras = import_keras(n_threads or None)
    seed_everything(seed)
    n_users, n_items = history.shape
    dim, negatives = int(params["dim"]), int(params["negatives"])
    user_in, user_tower = _tower(keras, n_users, dim, float(params["l2"]), "user")
    item_in, item_tower = _tower(keras, n_items, dim, float(params["l2"]), "item")
    bias = keras.layers.Embedding(n_items, 1, embeddings_initializer="zeros", name="item_bias")
    dot = keras.layers.Dot(axes=1)([user_tower(user_in), item_tower(item_in)])
    logit = keras.layers.Add()([dot, keras.layers.Flatten()(bias(item_in))])
    model = keras.Model([user_in, item_in], logit)
    model.compile(
        optimizer=keras.optimizers.Adam(float(params["learning_rate"])),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    coo = history.tocoo()
    rng = np.random.default_rng(seed)
    n_pos, epochs = len(coo.row), int(params["epochs"])
    # Fresh negatives for every pass over the positives, all passes in one fit call (one
    # Keras fit per epoch costs more in set-up than the epoch itself on small data).
    users, items, labels = [], [], []
    for _ in range(epochs):
        pass_users = np.concatenate([coo.row, np.repeat(coo.row, negatives)])
        pass_items = np.concatenate([coo.col, rng.integers(0, n_items, n_pos * negatives)])
        pass_labels = np.concatenate([np.ones(n_pos), np.zeros(n_pos * negatives)])
        order = rng.permutation(len(pass_users))
        users.append(pass_users[order])
        items.append(pass_items[order])
        labels.append(pass_labels[order])
    model.fit(
        [np.concatenate(users).astype("int32"), np.concatenate(items).astype("int32")],
        np.concatenate(labels).astype("float32"),
        batch_size=int(np.clip(n_pos * (1 + negatives) // 100, MIN_BATCH, MAX_BATCH)),
        epochs=1,
        verbose=0,
        shuffle=False,
        callbacks=[deadline_callback(deadline)],
    )
    user_vectors = predict_in_batches(user_tower, np.arange(n_users, dtype="int32"))
    item_vectors = predict_in_batches(item_tower, np.arange(n_items, dtype="int32"))
    item_bias = bias.get_weights()[0].ravel()
    keras.backend.clear_session()
    return (
        np.asarray(user_vectors, dtype=np.float32),
        np.asarray(item_vectors, dtype=np.float32),
        np.asarray(item_bias, dtype=np.float32),
    )

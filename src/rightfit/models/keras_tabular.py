"""keras_mlp: a neural network for tables (Keras 3 on TensorFlow).

Normalised numbers and one embedding per categorical column feed ReLU layers with L2 and dropout;
early stopping on a validation share, learning-rate halving on plateaus, a stop at the trial
deadline. Rarely the best single model on tables, it is a different kind of learner than trees
and so often earns a weight in the final ensemble.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from rightfit.models._keras_net import KerasTableNet
from rightfit.models._spec import FitContext, ModelSpec


class KerasTabularClassifier(ClassifierMixin, KerasTableNet):
    """A Keras network for classification on a prepared frame (see ``prepare_features``).

    Parameters
    ----------
    hidden_units : tuple of int, default=(128, 64)
        Width of each ReLU layer.
    dropout, l2 : float
        Regularisation of each layer.
    learning_rate : float, default=1e-3
        Adam's initial rate; halved when the validation loss stalls.
    batch_size, max_epochs, patience : int
        Training length; early stopping keeps the best epoch's weights.
    text_encoder : {"tfidf_svd", "cnn"}, default="tfidf_svd"
        Free-text columns as TF-IDF SVD components, or token ids through a convolutional
        encoder (``embedding_dim``, ``filters``, ``sequence_length``).
    random_state : int, default=0
        Seeds Python, NumPy and TensorFlow; fits repeat exactly on CPU.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0] * 10})
    >>> net = KerasTabularClassifier(hidden_units=(8,), max_epochs=2).fit(X, [0, 0, 1, 1] * 10)
    >>> net.predict_proba(X).shape
    (40, 2)
    """

    _is_classifier = True

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        self.classes_ = np.unique(y)
        return np.searchsorted(self.classes_, y).astype(np.int32)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        proba = np.clip(self._raw_output(X), 0.0, 1.0)
        return proba / proba.sum(axis=1, keepdims=True).clip(min=1e-12)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class KerasTabularRegressor(RegressorMixin, KerasTableNet):
    """A Keras network for regression on a prepared frame; the target is standardised inside.

    Takes the same parameters as :class:`KerasTabularClassifier`.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0] * 10})
    >>> KerasTabularRegressor(hidden_units=(8,), max_epochs=2).fit(X, X["x"] * 2).predict(X).shape
    (40,)
    """

    def _encode_target(self, y: np.ndarray) -> np.ndarray:
        y = y.astype(np.float64)
        self.target_mean_ = float(y.mean())
        self.target_scale_ = float(y.std()) or 1.0
        return ((y - self.target_mean_) / self.target_scale_).astype(np.float32)

    def predict(self, X) -> np.ndarray:
        return self._raw_output(X).ravel() * self.target_scale_ + self.target_mean_


def net_class(task: str) -> type[KerasTableNet]:
    return KerasTabularRegressor if task == "regression" else KerasTabularClassifier


def hidden_units(params: dict) -> tuple[int, ...]:
    """Layers halve in width: (256, 128, 64) for width 256 and three layers."""
    return tuple(max(8, params["width"] // 2**i) for i in range(params["n_layers"]))


def _build(params: dict, ctx: FitContext) -> KerasTableNet:
    return net_class(ctx.task)(
        hidden_units=hidden_units(params),
        dropout=params["dropout"],
        l2=params["l2"],
        learning_rate=params["learning_rate"],
        batch_size=params["batch_size"],
        max_epochs=params["max_epochs"],
        text_encoder="tfidf_svd",
        random_state=ctx.seed,
        n_jobs=ctx.n_jobs,
    )


def _sample(trial, ctx: FitContext) -> dict:
    return {
        "n_layers": trial.suggest_int("n_layers", 1, 3),
        "width": trial.suggest_categorical("width", [32, 64, 128, 256, 512]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
        "l2": trial.suggest_float("l2", 1e-7, 1e-2, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 1e-4, 1e-2, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [64, 128, 256, 512, 1024]),
        "max_epochs": 200,
    }


def _portfolio(ctx: FitContext) -> list[dict]:
    return [
        # A common, forgiving default: two layers, light dropout.
        {
            "n_layers": 2,
            "width": 128,
            "dropout": 0.1,
            "l2": 1e-5,
            "learning_rate": 1e-3,
            "batch_size": 128 if ctx.n_rows < 20_000 else 512,
            "max_epochs": 200,
        },
        # Wider and more regularised, for larger or noisier data.
        {
            "n_layers": 3,
            "width": 256,
            "dropout": 0.3,
            "l2": 1e-4,
            "learning_rate": 2e-3,
            "batch_size": 256 if ctx.n_rows < 20_000 else 1024,
            "max_epochs": 200,
        },
    ]


def _fit_params(ctx: FitContext) -> dict:
    return {"deadline": ctx.deadline} if ctx.deadline is not None else {}


def neural_cost(
    n_rows: int, batch_size: int, width: int, n_layers: int, n_features: int, epochs: float = 30
) -> float:
    """Seconds to fit one fold: tracing the training and validation graphs (2-4 s on 2 busy
    cores, whatever the data size), about 30 ms of overhead per epoch, and the batches
    (about 3 ms per batch of 128 rows x 128 units); early stopping usually ends between 15 and
    40 epochs."""
    steps = max(1.0, n_rows / batch_size)
    per_step = 0.002 + 2e-10 * batch_size * (n_features + width) * width * n_layers
    return 3.0 + epochs * (0.03 + steps * per_step)


KERAS_MLP = ModelSpec(
    name="keras_mlp",
    tasks=("binary", "multiclass", "regression"),
    summary="Keras neural network: normalised numbers, categorical embeddings, dropout/L2, "
    "early stopping",
    build=_build,
    sample=_sample,
    portfolio=_portfolio,
    fit_params=_fit_params,
    # Parameters missing (the search asks for a family's typical cost) count as the default.
    cost=lambda params, ctx: neural_cost(
        ctx.n_rows,
        params.get("batch_size", 128),
        params.get("width", 128),
        params.get("n_layers", 2),
        ctx.n_numeric * 2 + ctx.n_categorical * 8,
    ),
    priority=6,
    complexity_param="width",
    neural=True,
)

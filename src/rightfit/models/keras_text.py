"""keras_text: a Keras text model, word embeddings and a convolutional encoder.

Text columns become token ids through a Keras ``TextVectorization`` vocabulary learned on the fit
rows; a 1-D convolution over word embeddings, max-pooled, reads phrases of up to five words.
Numeric and categorical columns of a mixed table join through the same dense block and
embeddings as ``keras_mlp``. Compare it with ``text_tfidf``, which is cheaper and often as good on
short texts: the search keeps whichever validates better, or both in an ensemble.
"""

from __future__ import annotations

from rightfit.models._spec import FitContext, ModelSpec
from rightfit.models.keras_tabular import KerasTableNet, net_class, neural_cost


def _build(params: dict, ctx: FitContext) -> KerasTableNet:
    return net_class(ctx.task)(
        hidden_units=(params["width"],),
        dropout=params["dropout"],
        l2=params["l2"],
        learning_rate=params["learning_rate"],
        batch_size=params["batch_size"],
        max_epochs=params["max_epochs"],
        patience=4,
        text_encoder="cnn",
        embedding_dim=params["embedding_dim"],
        filters=params["filters"],
        sequence_length=params["sequence_length"],
        random_state=ctx.seed,
        n_jobs=ctx.n_jobs,
    )


def _sample(trial, ctx: FitContext) -> dict:
    return {
        "embedding_dim": trial.suggest_categorical("embedding_dim", [32, 64, 128]),
        "filters": trial.suggest_categorical("filters", [64, 128, 256]),
        "sequence_length": trial.suggest_categorical("sequence_length", [32, 64, 128, 256]),
        "width": trial.suggest_categorical("width", [32, 64, 128]),
        "dropout": trial.suggest_float("dropout", 0.0, 0.5),
        "l2": trial.suggest_float("l2", 1e-7, 1e-3, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 3e-4, 1e-2, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128]),
        "max_epochs": 40,
    }


def _portfolio(ctx: FitContext) -> list[dict]:
    return [
        {
            "embedding_dim": 64,
            "filters": 128,
            "sequence_length": 64,
            "width": 64,
            "dropout": 0.3,
            "l2": 1e-6,
            "learning_rate": 2e-3,
            "batch_size": 64,
            "max_epochs": 40,
        },
        # Longer documents (reviews, tickets): read further, regularise more.
        {
            "embedding_dim": 128,
            "filters": 128,
            "sequence_length": 256,
            "width": 64,
            "dropout": 0.4,
            "l2": 1e-5,
            "learning_rate": 1e-3,
            "batch_size": 64,
            "max_epochs": 40,
        },
    ]


def _fit_params(ctx: FitContext) -> dict:
    return {"deadline": ctx.deadline} if ctx.deadline is not None else {}


def _cost(params: dict, ctx: FitContext) -> float:
    # The convolution dominates: sequence_length x embedding_dim x filters x 5 per row.
    conv = (
        5 * params.get("sequence_length", 64) * params.get("embedding_dim", 64)
        * params.get("filters", 128)
    )  # fmt: skip
    base = neural_cost(
        ctx.n_rows, params.get("batch_size", 64), params.get("width", 64), 1, 64, epochs=12
    )
    return base + 12 * ctx.n_rows * conv * 6e-11


KERAS_TEXT = ModelSpec(
    name="keras_text",
    tasks=("binary", "multiclass", "regression"),
    summary="Keras text model: TextVectorization, word embeddings, convolutional encoder",
    build=_build,
    sample=_sample,
    portfolio=_portfolio,
    fit_params=_fit_params,
    cost=_cost,
    priority=7,
    complexity_param="filters",
    needs_text=True,
    neural=True,
)

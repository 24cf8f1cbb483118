"""The one-call API: ``fit`` a model, ``load`` a saved one. Both give a :class:`Model`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from rightfit.budget import Budget
from rightfit.data import Schema
from rightfit.models import TabularPredictor
from rightfit.progress import Progress, make_progress
from rightfit.search import Leaderboard
from rightfit.store import load_bundle, read_record, save_bundle

logger = logging.getLogger(__name__)

Task = Literal["binary", "multiclass", "regression"]


class Model:
    """A fitted rightfit model with the record of how it was made.

    Use :func:`rightfit.fit` or :func:`rightfit.load` to get one.
    """

    def __init__(self, predictor: TabularPredictor, record: dict):
        self.predictor = predictor
        self.record = record

    # -- prediction -------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.record["task"]

    @property
    def classes_(self) -> np.ndarray:
        return self.predictor.classes_

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Labels (classification) or values (regression) for the rows of ``X``."""
        return self.predictor.predict(X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, one column per label in ``classes_`` order."""
        return self.predictor.predict_proba(X)

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """``prediction`` and ``proba_<label>`` columns, one row per input row."""
        return self.predictor.predict_frame(X)

    # -- what was done ----------------------------------------------------------------------
    def leaderboard(self) -> pd.DataFrame:
        """Every trial, best first, with family, parameters, CV score and fit seconds."""
        return Leaderboard.from_dict(self.record["leaderboard"]).to_frame()

    @property
    def evaluation(self) -> dict | None:
        """Blind-test metrics with confidence intervals (None when there was no blind test)."""
        return self.record.get("evaluation")

    @property
    def schema(self) -> Schema:
        return self.predictor.schema

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model bundle directory atomically; returns its path."""
        return save_bundle(path, self.predictor.estimator, self.record)

    def __repr__(self) -> str:
        ev = self.record.get("evaluation") or {}
        metric = self.record.get("metric")
        test = next((m for m in ev.get("metrics", []) if m["name"] == metric), None)
        shown = f", blind-test {metric}={test['value']:.4f}" if test else ""
        return f"<rightfit.Model {self.task} target={self.record.get('target')!r}{shown}>"


def fit(
    data: str | os.PathLike | pd.DataFrame,
    target: str,
    *,
    time_budget: float | Budget = 60.0,
    task: Task | None = None,
    metric: str | None = None,
    models: str | list[str] | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    group_column: str | None = None,
    time_column: str | None = None,
    keep_columns: list[str] | tuple[str, ...] = (),
    refit_all: bool = True,
    n_jobs: int | None = None,
    verbose: int = 1,
    progress: Progress | None = None,
) -> Model:
    """Profile, clean, split, search, evaluate and deliver a model for ``target``.

    Parameters
    ----------
    data : path to a CSV/Parquet file, or a DataFrame.
    target : name of the column to predict.
    time_budget : float or Budget, default=60
        Wall-clock seconds for the whole run, loading to final refit (a ``Budget`` to count
        from an earlier start, as the CLI does from process start).
    task : "binary", "multiclass" or "regression"; inferred from the target when omitted.
    metric : metric to select models by; default ROC AUC, log loss or RMSE by task.
    models : families to try (see ``rightfit models``); default: chosen from the data.
    test_size : share of rows held out as the blind test (0 disables it).
    group_column, time_column : keep groups together / hold out the latest rows.
    keep_columns : columns to keep although flagged (e.g. a leakage suspect known at predict time).
    refit_all : refit the chosen model on all rows after the blind test is scored.
    verbose : 0 silent, 1 progress, 2 every trial.
    progress : a reporter to use instead of the one ``verbose`` selects.

    Examples
    --------
    >>> import rightfit  # doctest: +SKIP
    >>> model = rightfit.fit("churn.csv", target="Churn", time_budget=60)  # doctest: +SKIP
    >>> model.predict(new_rows)  # doctest: +SKIP
    """
    from rightfit.pipeline import run

    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    result = run(
        data,
        target,
        time_budget=budget,
        task=task,
        metric=metric,
        models=models,
        seed=seed,
        test_size=test_size,
        group_column=group_column,
        time_column=time_column,
        keep_columns=keep_columns,
        refit_all=refit_all,
        n_jobs=n_jobs,
        progress=progress or make_progress(verbose),
    )
    return Model(result.predictor, result.record)


def load(path: str | os.PathLike) -> Model:
    """Load a bundle written by ``rightfit fit --out`` or :meth:`Model.save`, safely (no pickle).

    Segmentation, recommendation and image bundles (``record["kind"]``) load as their own model
    classes, which offer the same ``predict_frame``/``record``/``save``.
    """
    kind = read_record(path).get("kind", "tabular")
    if kind == "segmentation":
        from rightfit.segment import load_segmenter

        return load_segmenter(path)
    if kind == "recommendation":
        from rightfit.recommend import load_recommender

        return load_recommender(path)
    if kind == "image":
        from rightfit.image import load_image_model

        return load_image_model(path)
    estimator, record = load_bundle(path)
    schema = Schema.from_dict(record["schema"])
    return Model(TabularPredictor(estimator, schema), record)

"""The one-call API: ``fit`` a model, ``load`` a saved one. Both give a :class:`Model`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from rightfit._memory import trim_memory
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

    @property
    def threshold(self) -> float | None:
        """Binary models: the decision threshold on P(positive class) used by ``predict``."""
        chosen = self.record.get("threshold") or {}
        return chosen.get("value") if self.task == "binary" else None

    def _labels(self, proba: np.ndarray) -> np.ndarray:
        threshold = self.threshold
        if threshold is None:
            return self.classes_[proba.argmax(axis=1)]
        return self.classes_[(proba[:, 1] >= threshold).astype(int)]

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Labels (classification, at the recorded decision threshold for binary models) or
        values (regression) for the rows of ``X``."""
        if self.task == "regression":
            return self.predictor.predict(X)
        return self._labels(self.predictor.predict_proba(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, one column per label in ``classes_`` order."""
        return self.predictor.predict_proba(X)

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """``prediction`` and ``proba_<label>`` columns, one row per input row."""
        frame = self.predictor.predict_frame(X)
        if self.threshold is not None and self.threshold != 0.5:
            proba = frame[[f"proba_{label}" for label in self.predictor.schema.classes]].to_numpy()
            frame["prediction"] = self._labels(proba)
        return frame

    def explain(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-row SHAP contributions of each column (boosted-tree models), plus ``base_value``.

        Contributions are on the model's raw scale (log-odds for binary classifiers, the
        predicted class's score for multiclass) and add up, with ``base_value``, to that output.
        With Platt calibration they are rescaled to the calibrated log-odds; after isotonic or
        temperature calibration they explain the uncalibrated score (``frame.attrs["note"]``).
        For an ensemble, the heaviest boosted-tree member is explained (not the ensemble).
        """
        from rightfit.data import prepare_features
        from rightfit.errors import ConfigError
        from rightfit.evaluate._importance import tree_shap

        estimator = self.predictor.estimator
        calibration = getattr(estimator, "method", None) if hasattr(estimator, "params_") else None
        inner = getattr(estimator, "estimator", estimator)
        members = getattr(inner, "estimators", None)
        if members:
            weights = list(getattr(inner, "weights", [1.0] * len(members)))
            ranked = sorted(zip(weights, range(len(members)), strict=True), reverse=True)
            candidates = [members[i] for _, i in ranked]
        else:
            candidates = [inner]
        features = prepare_features(X, self.schema)
        for candidate in candidates:
            try:
                result = tree_shap(candidate, features)
            except Exception:
                result = None
            if result is not None:
                contributions, base = result
                if calibration == "sigmoid":
                    # Platt scaling is affine in the log-odds: scaled contributions still add
                    # up exactly, now to the calibrated log-odds the model reports.
                    a, b = float(estimator.a), float(estimator.b)
                    contributions, base = contributions * a, a * base + b
                elif calibration not in (None, "none"):
                    contributions.attrs["note"] = (
                        f"explains the score before {calibration} calibration (not additive "
                        "after it)"
                    )
                contributions["base_value"] = base
                return contributions
        raise ConfigError(
            "SHAP explanations need a LightGBM or XGBoost model; this one is "
            f"{', '.join(m['family'] for m in self.record['chosen']['members'])}. Use the "
            "permutation importance in the report, or refit with --models lightgbm."
        )

    def evaluate(self, data: str | os.PathLike | pd.DataFrame, *, n_resamples: int = 1000) -> dict:
        """Score this model on new labelled rows: metrics with 95% bootstrap intervals beside the
        bundle's own blind-test figures, and drift of each feature against the training data.

        ``data`` must hold the target column and the training feature columns.
        """
        from rightfit.data import prepare_features, read_table
        from rightfit.errors import TargetError, did_you_mean
        from rightfit.evaluate import baseline_output, evaluate
        from rightfit.evaluate._drift import drift_report
        from rightfit.pipeline import encode_target

        frame = read_table(data).frame
        target = self.record["target"]
        if target not in frame.columns:
            raise TargetError(
                f"The new data has no target column {target!r}, so it cannot be scored."
                f"{did_you_mean(target, frame.columns)} Add the true outcomes as {target!r}, or "
                "use `rightfit predict` for unlabelled rows."
            )
        frame = frame[frame[target].notna()].reset_index(drop=True)
        if frame.empty:
            raise TargetError(f"Every row of the new data has a missing {target!r}.")
        if self.task == "regression":
            numbers = pd.to_numeric(frame[target], errors="coerce")
            bad = frame[target][numbers.isna()]
            if len(bad):
                shown = ", ".join(repr(v) for v in bad.astype(str).unique()[:5])
                raise TargetError(
                    f"{len(bad)} row(s) of {target!r} are not numbers ({shown}); fix or remove "
                    "them, so every metric is computed on the same rows."
                )
            y = numbers.to_numpy(dtype=float)
        else:
            labels = frame[target]
            # The target was read with the training file's types; match labels as text too.
            known = {str(c): c for c in self.schema.classes}
            labels = labels.map(lambda v: known.get(str(v), v))
            y = encode_target(labels, self.schema)
        output = self.predictor.output(frame)
        y_train_like = self._baseline_target()
        n_classes = None if self.task == "regression" else len(self.schema.classes)
        baseline = (
            baseline_output(self.task, y_train_like, len(y), n_classes)
            if y_train_like is not None
            else baseline_output(self.task, y, len(y), n_classes)
        )
        new = evaluate(
            self.task,
            y,
            output,
            baseline,
            classes=self.schema.classes,
            source=f"new data: {len(y):,} labelled rows",
            n_resamples=n_resamples,
            threshold=self.threshold or 0.5,
        )
        original = self.record.get("evaluation") or {}
        before = {m["name"]: m for m in original.get("metrics", [])}
        metrics = []
        for m in new.to_dict()["metrics"]:
            old = before.get(m["name"])
            m["bundle_blind_test"] = None if old is None else old["value"]
            m["bundle_blind_test_interval"] = None if old is None else [old["low"], old["high"]]
            if old is not None and old["low"] is not None and m["value"] is not None:
                worse = (
                    m["value"] < old["low"] if m["greater_is_better"] else m["value"] > old["high"]
                )
                m["worse_than_bundle_interval"] = bool(worse)
            metrics.append(m)
        reference = self.record.get("feature_reference") or {}
        drift = drift_report(reference, prepare_features(frame, self.schema)) if reference else None
        return {
            "model": self.record.get("target"),
            "metric": self.record.get("metric"),
            "n_rows": len(y),
            "threshold": self.threshold,
            "metrics": metrics,
            "confusion_matrix": new.confusion_matrix and [list(r) for r in new.confusion_matrix],
            "classes": new.to_dict()["classes"],
            "baseline": new.baseline,
            "drift": drift,
        }

    def _baseline_target(self) -> np.ndarray | None:
        """Training-like targets for the baseline: class priors or mean from the profile."""
        profile = self.record.get("profile") or {}
        if self.task == "regression":
            summary = profile.get("target_summary") or {}
            return np.array([summary["mean"]]) if "mean" in summary else None
        counts = profile.get("class_counts")
        if not counts:
            return None
        items = dict(counts.items() if isinstance(counts, dict) else counts)
        index = {str(c): i for i, c in enumerate(self.schema.classes)}
        return np.concatenate(
            [np.full(int(n), index[str(c)]) for c, n in items.items() if str(c) in index]
        )

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

    def save(self, path: str | os.PathLike, *, report: bool = True) -> Path:
        """Write the model bundle directory atomically, with ``report.html``; returns its path."""
        extra = {}
        if report:
            from rightfit.report import render_report

            try:
                extra["report.html"] = render_report(self.record).encode("utf-8")
            except Exception as exc:  # a report problem must never lose the model
                logger.warning("report.html not written: %s", exc)
        return save_bundle(path, self.predictor.estimator, self.record, extra_files=extra)

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
    optimize_for: str | None = None,
    cost: str | None = None,
    min_score: float | None = None,
    diagnose: bool = True,
    positive_class=None,
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
    optimize_for : binary only: ``"recall>=0.9"``, ``"precision>=0.95"`` or ``"f1"`` picks the
        decision threshold on out-of-fold predictions.
    cost : binary only: ``"fp=1,fn=20"`` picks the threshold with the lowest total cost.
    positive_class : binary only: the label that recall, precision and the threshold refer to;
        default the one that reads as yes/true/1, else the rarer class.
    min_score : the score you need (in ``metric``); the plan and the record say if it is met.
    diagnose : compute learning/validation curves, importance and comparisons (on by default;
        they take up to 15 % of the budget).
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
        optimize_for=optimize_for,
        cost=cost,
        min_score=min_score,
        diagnose=diagnose,
        positive_class=positive_class,
        progress=progress or make_progress(verbose),
    )
    # The run's frames, out-of-fold outputs and bootstrap draws are garbage once it returns:
    # give their pages back before the caller saves, whose report and bundle imports
    # (matplotlib, skops: ~45 MB) would otherwise come on top of them.
    trim_memory()
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
    predictor = TabularPredictor(estimator, schema)
    predictor.warm_up()
    return Model(predictor, record)

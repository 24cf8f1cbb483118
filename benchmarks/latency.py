"""Prediction latency, batch throughput and bundle size of rightfit against LightGBM defaults.

For each dataset: fit (or reuse) a rightfit bundle with ``rightfit.fit(..., time_budget=30)``
on 80 % of the rows, load it with ``rightfit.load`` as the peer harness's ``rightfit_py`` tool
does, and fit LightGBM with its defaults on the same rows (categoricals as pandas ``category``,
as the harness's ``lgbm_default`` tool does). Then, in interleaved rounds so that load from other
processes hits every contender alike:

* single-row latency: ``predict_proba(X.iloc[[i]])`` (``predict`` for regression), median and
  p99 over ``--calls`` rows; also the harness's call (``predict`` and ``predict_proba``);
* batch throughput: rows per second on ``--batch`` rows;

for rightfit with its fast path, rightfit through scikit-learn only (the "before"), and LightGBM.
The CPU is shared: compare the ratios, not the milliseconds.

    .venv/bin/python benchmarks/latency.py --bundles /tmp/latency-bundles pima ames

Datasets: pima, bank (bank_customer_churn), ames, telco.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DATASETS = {
    "pima": ("pima_diabetes/diabetes.csv", "Class variable"),
    "bank": ("bank_customer_churn/Churn_Modelling.csv", "Exited"),
    "ames": ("ames_house_prices/house.csv", "SalePrice"),
    "telco": ("telco_customer_churn/Telco-Customer-Churn.csv", "Churn"),
}


def load_split(name: str, seed: int = 0):
    path, target = DATASETS[name]
    raw = pd.read_csv(SHARED / path)
    numeric = pd.api.types.is_numeric_dtype
    categorical = [c for c in raw.columns if c != target and not numeric(raw[c])]
    frame = pd.read_csv(SHARED / path, dtype={c: object for c in categorical})  # as the harness
    test = frame.sample(frac=0.2, random_state=seed)
    return frame.drop(test.index), test.drop(columns=[target]), target, categorical


def rightfit_model(
    name: str, train: pd.DataFrame, target: str, bundles: Path, budget: float, models: str | None
):
    import rightfit

    path = bundles / (name if models is None else f"{name}-{models.replace(',', '-')}")
    if not (path / "record.json").exists():
        model = rightfit.fit(train, target=target, time_budget=budget, models=models, verbose=0)
        model.save(path)
    return rightfit.load(path), path


class LightGBMDefaults:
    """The harness's ``lgbm_default`` tool: defaults, categoricals as pandas ``category``."""

    def __init__(
        self, train: pd.DataFrame, target: str, categorical: list[str], task: str, threads: int = 2
    ):
        import lightgbm

        X, y = train.drop(columns=[target]), train[target]
        self.levels = {c: sorted(X[c].dropna().astype(str).unique()) for c in categorical}
        cls = lightgbm.LGBMRegressor if task == "regression" else lightgbm.LGBMClassifier
        self.model = cls(n_jobs=threads, random_state=0, verbose=-1).fit(self._encode(X), y)
        self.task = task

    def _encode(self, X: pd.DataFrame) -> pd.DataFrame:
        X = X.copy()
        for c, levels in self.levels.items():
            X[c] = pd.Categorical(X[c].astype("object").where(X[c].notna(), None), levels)
        return X

    def output(self, X: pd.DataFrame) -> np.ndarray:
        X = self._encode(X)
        return self.model.predict(X) if self.task == "regression" else self.model.predict_proba(X)


def _timed(function, rows) -> np.ndarray:
    seconds = []
    for row in rows:
        start = time.perf_counter()
        function(row)
        seconds.append(time.perf_counter() - start)
    return np.asarray(seconds)


def measure(
    name: str,
    bundles: Path,
    budget: float,
    calls: int,
    batch: int,
    rounds: int,
    models: str | None = None,
) -> dict:
    train, test, target, categorical = load_split(name)
    model, path = rightfit_model(name, train, target, bundles, budget, models)
    task = model.task
    lgbm = LightGBMDefaults(train, target, categorical, task)
    # one thread: OpenMP's two threads spin against other processes on a shared machine
    lgbm_one = LightGBMDefaults(train, target, categorical, task, threads=1)
    baseline = rightfit_sklearn_only(path)
    one = model.predict if task == "regression" else model.predict_proba

    def harness_call(row):  # what the harness's rightfit_py adapter calls per row
        model.predict(row)
        if task != "regression":
            model.predict_proba(row)

    before = baseline.predict if task == "regression" else baseline.predict_proba
    contenders = {
        "rightfit": one,
        "rightfit_sklearn_path": before,
        "rightfit_harness_call": harness_call,
        "lightgbm_defaults": lgbm.output,
        "lightgbm_defaults_1_thread": lgbm_one.output,
    }
    rows = [test.iloc[[i % len(test)]] for i in range(calls)]
    big = test.sample(batch, replace=True, random_state=0).reset_index(drop=True)
    for function in contenders.values():
        function(rows[0])  # warm-up (compiles the fast path, loads LightGBM's predictor)
    latency = {k: [] for k in contenders}
    throughput = {k: [] for k in ("rightfit", "lightgbm_defaults")}
    for _ in range(rounds):
        for key, function in contenders.items():
            latency[key].append(_timed(function, rows))
        for key in throughput:
            start = time.perf_counter()
            contenders[key](big)
            throughput[key].append(batch / (time.perf_counter() - start))
    head = test.head(40)
    same = np.allclose(np.asarray(one(head)), np.asarray(before(head)), rtol=1e-9, atol=1e-12)
    result = {
        "dataset": name,
        "task": task,
        "chosen": [m["family"] for m in model.record["chosen"].get("members", [])],
        "fast_path": model.predictor.prepare_fast_path(),
        "fast_equals_sklearn": bool(same),
        "bundle_mb": round(sum(f.stat().st_size for f in path.iterdir()) / 1e6, 2),
    }
    for key, samples in latency.items():
        all_ms = np.concatenate(samples) * 1e3
        result[f"{key}_median_ms"] = round(float(np.median(all_ms)), 3)
        result[f"{key}_p99_ms"] = round(float(np.percentile(all_ms, 99)), 3)
    for key, samples in throughput.items():
        result[f"{key}_rows_per_s"] = round(float(np.median(samples)))
    # ratios per round, then their median: robust to load that changes between rounds
    per_round = [
        np.median(a) / np.median(b)
        for a, b in zip(latency["rightfit"], latency["lightgbm_defaults"], strict=True)
    ]
    result["latency_ratio_vs_lightgbm"] = round(float(np.median(per_round)), 3)
    per_round = [
        np.median(a) / np.median(b)
        for a, b in zip(latency["rightfit"], latency["lightgbm_defaults_1_thread"], strict=True)
    ]
    result["latency_ratio_vs_lightgbm_1_thread"] = round(float(np.median(per_round)), 3)
    speedup = [
        np.median(a) / np.median(b)
        for a, b in zip(latency["rightfit_sklearn_path"], latency["rightfit"], strict=True)
    ]
    result["speedup_vs_sklearn_path"] = round(float(np.median(speedup)), 1)
    result["throughput_ratio_vs_lightgbm"] = round(
        result["rightfit_rows_per_s"] / result["lightgbm_defaults_rows_per_s"], 3
    )
    return result


def rightfit_sklearn_only(path: Path):
    """The same bundle with the fast path switched off: the scikit-learn path ("before")."""
    import rightfit

    model = rightfit.load(path)
    model.predictor._fast_path = False  # benchmark only: force the scikit-learn path
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", default=["pima", "bank", "ames", "telco"])
    parser.add_argument("--bundles", type=Path, default=Path("/tmp/rightfit-latency-bundles"))
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", help="families for rightfit.fit, e.g. linear,extra_trees")
    args = parser.parse_args()
    args.bundles.mkdir(parents=True, exist_ok=True)
    # the harness's category encoding of unseen test labels warns on every call under pandas 3
    warnings.filterwarnings("ignore", message="Constructing a Categorical")
    for name in args.datasets:
        result = measure(
            name, args.bundles, args.budget, args.calls, args.batch, args.rounds, args.models
        )
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

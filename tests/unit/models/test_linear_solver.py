"""The logistic regression's solver follows the size of its Hessian, not the width alone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rightfit.models._spec import FitContext
from rightfit.models.linear import LINEAR


def _solver(n_numeric: int, n_classes: int) -> str:
    task = "binary" if n_classes == 2 else "multiclass"
    ctx = FitContext(
        task=task, n_rows=10_000, n_numeric=n_numeric, n_categorical=0, n_classes=n_classes
    )
    return LINEAR.build({"C": 1.0, "class_weight": None}, ctx).named_steps["model"].solver


def test_newton_cholesky_for_few_coefficients_lbfgs_for_many_classes():
    assert _solver(40, 2) == "newton-cholesky"  # 80 coefficients
    assert _solver(40, 8) == "newton-cholesky"  # 80 x 8
    assert _solver(40, 20) == "lbfgs"  # 3.1 s vs 0.4 s on 16k rows
    # 40 columns x 60 classes: a Hessian of 2,400 squared took over 30 s a fold.
    assert _solver(40, 60) == "lbfgs"
    assert _solver(300, 9) == "lbfgs"  # up to 600 x 9 coefficients


def test_sixty_classes_fit_with_lbfgs():
    rng = np.random.default_rng(0)
    n, k = 3_000, 60
    centers = rng.normal(size=(k, 20))
    y = rng.integers(0, k, n)
    X = pd.DataFrame(centers[y] + rng.normal(size=(n, 20)), columns=[f"x{i}" for i in range(20)])
    ctx = FitContext(task="multiclass", n_rows=n, n_numeric=20, n_categorical=0, n_classes=k)
    model = LINEAR.build({"C": 1.0, "class_weight": None}, ctx).fit(X, y)
    assert model.named_steps["model"].n_iter_[0] < 300  # converged
    assert (model.predict(X) == y).mean() > 0.5

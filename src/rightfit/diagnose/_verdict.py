"""The verdict: overfit, underfit, good fit or needs more data, with the numbers behind it.

Scores are put on one "skill" scale so the rules read the same for every metric:
skill = (score - baseline) / (perfect - baseline), where perfect is 1 for scores (AUC, R²...)
and 0 for losses (log loss, RMSE...). 0 is the trivial baseline, 1 is perfect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rightfit.diagnose._curves import DIRECTION, Curve
from rightfit.metrics import METRICS

# A train-validation skill gap this large is overfitting whatever the curves say...
OVERFIT_GAP = 0.2
# ...and this large when a simpler setting validates at least as well.
OVERFIT_GAP_WITH_EVIDENCE = 0.1
# Training skill below this, with a small gap, means the model cannot fit even its own data.
UNDERFIT_TRAIN_SKILL = 0.5
SMALL_GAP = 0.1
# A better model elsewhere on the leaderboard, by this much validation skill, proves the signal
# is there to be learned.
BETTER_ELSEWHERE = 0.05
# Validation skill still rising by this much per doubling of rows: more data would help.
RISING_SLOPE = 0.02


def skill(value: float, baseline: float, metric: str) -> float:
    perfect = 1.0 if METRICS[metric].greater_is_better else 0.0
    if any(math.isnan(v) for v in (value, baseline)) or perfect == baseline:
        return float("nan")
    return (value - baseline) / (perfect - baseline)


@dataclass
class Diagnosis:
    family: str
    role: str  # "chosen" or "runner-up"
    verdict: str
    evidence: dict
    explanation: str
    remedies: list[str]
    learning_curve: dict
    validation_curve: dict | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _remedies(verdict: str, family: str, param: str | None, facts: dict) -> list[str]:
    if verdict == "overfit":
        out = {
            "lightgbm": "lower num_leaves, raise min_child_samples, subsample rows/columns",
            "xgboost": "lower max_depth, raise min_child_weight and lambda, subsample",
            "catboost": "lower depth, raise l2_leaf_reg",
            "random_forest": "raise min_samples_leaf or cap max_depth",
            "extra_trees": "raise min_samples_leaf or cap max_depth",
            "linear": "lower C (stronger regularisation) or drop noisy one-hot columns",
            "knn": "use more neighbours (raise n_neighbors)",
            "svm": "lower C or gamma",
        }.get(family, f"regularise more (the main knob is {param or 'its capacity'})")
        return [
            f"constrain the model: {out}",
            "collect more rows if you can: overfitting shrinks as data grows",
            "remove features that are noise or near-duplicates (see the importance chart)",
        ]
    if verdict == "underfit":
        return [
            {
                "linear": "use a non-linear model (boosted trees) or add interactions/splines",
                "knn": "use fewer neighbours",
            }.get(family, f"allow more capacity (raise {param or 'its complexity'})"),
            "engineer features that carry the missing signal (ratios, aggregates, dates)",
        ]
    if verdict == "needs_more_data":
        return [
            f"collect more labelled rows: validation skill still rises by "
            f"{facts.get('slope_per_doubling', 0):.3f} per doubling of the training set",
            "until then, keep regularisation where it is",
        ]
    return ["the fit is balanced; gains now come from better features or more data"]


def judge(
    family: str,
    role: str,
    metric: str,
    baseline_score: float,
    learning: Curve,
    validation: Curve | None,
    best_other_validation: float | None = None,
    notes: list[str] | None = None,
    own_cv_score: float | None = None,
) -> Diagnosis:
    """Turn the curves into a verdict with evidence and remedies."""
    if not learning.values:
        return Diagnosis(
            family,
            role,
            "unknown",
            {},
            "no learning-curve point fitted in the time left; no verdict",
            [],
            learning.to_dict(),
            validation.to_dict() if validation else None,
            notes or [],
        )
    train_s = skill(learning.train[-1], baseline_score, metric)
    val_s = skill(learning.validation[-1], baseline_score, metric)
    gap = train_s - val_s
    slope = 0.0
    if len(learning.values) >= 2:
        doublings = math.log2(learning.values[-1] / learning.values[-2])
        v1 = skill(learning.validation[-2], baseline_score, metric)
        slope = (val_s - v1) / doublings if doublings > 0 else 0.0
    simpler_better = False
    flexible_better = False
    param = validation.param if validation else None
    if validation and validation.values and validation.chosen in validation.values:
        i = validation.values.index(validation.chosen)
        vals = [skill(v, baseline_score, metric) for v in validation.validation]
        direction = DIRECTION.get(validation.param, 1)
        simpler = [vals[j] for j in range(len(vals)) if (j - i) * direction < 0]
        flexible = [vals[j] for j in range(len(vals)) if (j - i) * direction > 0]
        simpler_better = bool(simpler) and max(simpler) >= vals[i] - 0.005
        flexible_better = bool(flexible) and max(flexible) > vals[i] + 0.01
    other_s = (
        skill(best_other_validation, baseline_score, metric)
        if best_other_validation is not None
        else None
    )
    # Like with like: another model's CV score against this model's CV score when known (one
    # fold's validation score is noisier than a CV mean).
    own_s = skill(own_cv_score, baseline_score, metric) if own_cv_score is not None else val_s
    better_elsewhere = other_s is not None and other_s >= own_s + BETTER_ELSEWHERE
    evidence = {
        "train_score": learning.train[-1],
        "validation_score": learning.validation[-1],
        "baseline_score": baseline_score,
        "train_skill": round(train_s, 4),
        "validation_skill": round(val_s, 4),
        "gap": round(gap, 4),
        "slope_per_doubling": round(slope, 4),
        "simpler_setting_validates_as_well": simpler_better,
        "more_flexible_setting_validates_better": flexible_better,
        "best_other_model_validation_skill": None if other_s is None else round(other_s, 4),
        "n_train_rows": learning.values[-1],
    }
    fmt = "{:.3f}".format
    numbers = (
        f"train {metric} {fmt(learning.train[-1])} vs validation "
        f"{fmt(learning.validation[-1])} (baseline {fmt(baseline_score)}; skill {train_s:.2f} vs "
        f"{val_s:.2f}, gap {gap:.2f})"
    )
    interpolates = (
        learning.train[-1] == learning.train[-1] and train_s >= 0.999 and (family == "knn")
    )
    if interpolates:
        # Distance-weighted kNN returns each training row's own label: its training score is
        # perfect by construction and says nothing about overfitting.
        evidence["train_score_is_self_match"] = True
    if (gap >= OVERFIT_GAP and not interpolates) or (
        gap >= OVERFIT_GAP_WITH_EVIDENCE and simpler_better
    ):
        verdict = "overfit"
        why = f"the model fits its training rows far better than new ones: {numbers}"
        if simpler_better:
            why += f"; a simpler {param} validates at least as well"
    elif (gap < SMALL_GAP and better_elsewhere) or (
        gap < SMALL_GAP and train_s < UNDERFIT_TRAIN_SKILL and flexible_better
    ):
        verdict = "underfit"
        why = f"the model is too simple for the signal in the data: {numbers}"
        if better_elsewhere:
            why += f"; another model reaches validation skill {other_s:.2f}"
        if flexible_better:
            why += f"; a more flexible {param} validates better"
    elif slope >= RISING_SLOPE and gap >= 0.02:
        verdict = "needs_more_data"
        why = (
            f"validation skill still rises by {slope:.3f} per doubling of the training rows and "
            f"training stays above validation: {numbers}"
        )
    else:
        verdict = "good_fit"
        why = f"train and validation agree and the curve has levelled off: {numbers}"
        if train_s < UNDERFIT_TRAIN_SKILL and not better_elsewhere:
            why += (
                "; skill is low, but no other model does better: the features carry little "
                "signal about the target"
            )
    return Diagnosis(
        family,
        role,
        verdict,
        evidence,
        why,
        _remedies(verdict, family, param, evidence),
        learning.to_dict(),
        validation.to_dict() if validation else None,
        notes or [],
    )

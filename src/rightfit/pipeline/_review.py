"""After the choice: calibrate, pick the decision threshold, compare with the alternatives,
measure importance and diagnose the fit. Each step says what it found and on which rows."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from rightfit import metrics
from rightfit.diagnose import diagnose
from rightfit.evaluate import baseline_output
from rightfit.evaluate._calibration import CalibrationChoice, choose_calibration
from rightfit.evaluate._compare import paired_comparison
from rightfit.evaluate._importance import permutation_importance, shap_summary
from rightfit.models import get_spec, predict_output
from rightfit.search import SearchResult, Trial

logger = logging.getLogger(__name__)

# Time kept for calibration, comparisons, importance and the fit diagnosis: at most a share of
# the budget (at least a second, at most two minutes); once trials have measured what the
# chosen family costs, what the review is expected to take, but not under a smaller share.
# Importance gets a third, diagnosis the rest.
REVIEW_SHARE = 0.15
REVIEW_FLOOR_SHARE = 0.08
REVIEW_MIN = 1.0
REVIEW_MAX = 120.0
IMPORTANCE_SHARE = 0.3
MAX_COMPARISON_ROWS = 20_000
# The diagnosis fits the chosen family about nine times on one fold (learning curve at four
# sizes, validation curve at up to five settings, some of them larger), scores training and
# validation rows each time, and gives the runner-up family a third of its time: about five
# of the lead trial's CV rounds in all. With three, a 30 s fit on 700 rows under a loaded CI
# machine got no learning-curve point in time.
DIAGNOSIS_TRIALS = 5.0
# Calibration, threshold, bootstrap intervals and comparisons: about a second (measured 0.3-1.5 s),
# plus the 1.5 s margin the run keeps before the diagnosis's deadline.
REVIEW_FIXED = 2.5


def review_seconds(
    budget_seconds: float,
    lead: Trial | None = None,
    importance_seconds: float = 0.0,
    n_repeats: int = 1,
) -> float:
    """Seconds kept for the review. Before any trial, the budget's share; once ``lead`` (the
    chosen model's heaviest member) has measured its CV time, the expected cost, kept between
    REVIEW_FLOOR_SHARE and REVIEW_SHARE of the budget. On small data the review takes a second
    where 15 % of a 60 s budget is 9 s: the search gets that time instead. ``n_repeats``: how
    many times the trial's folds were repeated (its time covers them all)."""
    cap = float(min(max(REVIEW_SHARE * budget_seconds, REVIEW_MIN), REVIEW_MAX))
    if lead is None:
        return cap
    floor = min(cap, max(REVIEW_MIN, REVIEW_FLOOR_SHARE * budget_seconds))
    cv_round = lead.fit_seconds / max(n_repeats, 1)
    need = REVIEW_FIXED + DIAGNOSIS_TRIALS * cv_round + importance_seconds
    return float(min(max(need, floor), cap))


# Kept between the diagnosis's deadline and what must follow it (the check before the refit).
REVIEW_END_MARGIN = 1.5
# The diagnosis ends at its deadline with what it has fitted: it is guaranteed this share of
# its time, and the final choice counts only this share when it decides which ensemble
# members' refits fit (dropping a member can cost more than the diagnosis's last points).
REVIEW_GUARANTEED_SHARE = 0.5


def diagnosis_deadline(
    now: float, deadline: float, finish: float, refit_all: float, review_left: float
) -> float:
    """When the fit diagnosis must end (``time.monotonic()`` values).

    It may use the time the refit on all rows (``refit_all`` seconds, 0 when none is planned)
    and the finish (``finish`` seconds) do not need, up to REVIEW_MAX; at least half its own
    share (``review_left``) while the budget lasts, but never the time of a refit on all rows
    that still fits: 64 % of the rows against all of them weighs more than a verdict (diabetes
    at 300 s delivered the fold model for want of 2 s). A refit on all rows that does not fit
    even without a diagnosis is skipped at the end anyway, so its time is the diagnosis's
    (diamonds at 60 s left 14 s unused and got no learning-curve point)."""
    if refit_all > 0 and deadline - now < refit_all + finish:
        refit_all = 0.0
    spare = deadline - finish - refit_all - REVIEW_END_MARGIN
    end = max(min(spare, now + REVIEW_MAX), now + REVIEW_GUARANTEED_SHARE * review_left)
    if refit_all > 0:
        end = min(end, max(spare, now))
    return min(end, deadline - finish)


def importance_seconds(members: list[Trial], n_columns: int, n_test_rows: int) -> float:
    """Expected cost of permutation importance: two shuffles of every column over at most 1,000
    blind-test rows, each scored by every member (their measured per-row cost, x 2 for the
    one-at-a-time calls), plus TreeSHAP on as many rows (about one more pass)."""
    rows = min(n_test_rows, 1000)
    per_row = sum(t.extra.get("predict_seconds_per_row", 0.0) for t in members)
    return 2.0 * per_row * rows * (2 * n_columns + 1) + 0.01 * n_columns


def weighted_oof(search: SearchResult, members: list[Trial], weights: list[float]) -> np.ndarray:
    return sum(w * search.oof[t.number] for t, w in zip(members, weights, strict=True))


def best_per_family(search: SearchResult) -> dict[str, Trial]:
    best: dict[str, Trial] = {}
    for t in sorted((t for t in search.leaderboard.trials if t.ok), key=lambda t: t.loss):
        best.setdefault(t.family, t)
    return best


def runner_up(search: SearchResult, chosen_family: str) -> Trial | None:
    """The best trial of any other family."""
    return next((t for f, t in best_per_family(search).items() if f != chosen_family), None)


def calibrate(task: str, y: np.ndarray, oof: np.ndarray, seed: int) -> CalibrationChoice | None:
    if task == "regression":
        return None
    try:
        return choose_calibration(y, oof, task, random_state=seed)
    except Exception as exc:  # calibration is an improvement, never a reason to fail a run
        logger.warning("calibration skipped: %s", exc)
        return CalibrationChoice("none", reason=f"skipped: {type(exc).__name__}: {exc}")


def compare_out_of_fold(
    search: SearchResult,
    members: list[Trial],
    weights: list[float],
    y: np.ndarray,
    covered: np.ndarray,
    metric: str,
    n_classes: int | None,
    task: str,
    seed: int,
    n_repeats: int = 1,
) -> list[dict]:
    """The chosen model against the runner-up, the simplest model and the baseline, paired on
    the same out-of-fold rows of the training data (with repeated folds, the first repeat's)."""
    chosen = weighted_oof(search, members, weights)[covered]
    y_c = y[covered]
    name = " + ".join(t.family for t in members) if len(members) > 1 else members[0].family
    best = best_per_family(search)
    others: list[tuple[str, np.ndarray]] = []
    if len(members) > 1:
        # An ensemble is compared with the best single model it was chosen over.
        second = search.leaderboard.best()
        label = f"{second.family} (best single model)"
    else:
        second = runner_up(search, members[0].family)
        label = f"{second.family} (runner-up)" if second is not None else ""
    if second is not None and second.number in search.oof:
        others.append((label, search.oof[second.number][covered]))
    simple = next(
        (
            t
            for f, t in best.items()
            if get_spec(f).interpretable and f not in {m.family for m in members}
        ),
        None,
    )
    if simple is not None and simple.number in search.oof and simple is not second:
        others.append((f"{simple.family} (simplest)", search.oof[simple.number][covered]))
    others.append(("baseline", baseline_output(task, y_c, len(y_c), n_classes)))
    rows = f"out-of-fold predictions of {len(y_c):,} training rows"
    if len(y_c) > MAX_COMPARISON_ROWS:
        # The bootstrap's cost grows with rows; a fixed sample keeps it to a second or so. Say
        # so: on a sample, two close models can rank the other way round from the choice,
        # which was made on every row (400k rows: 0.0001 AUC apart, "significantly worse").
        rows = (
            f"out-of-fold predictions of a random {MAX_COMPARISON_ROWS:,} of the {len(y_c):,} "
            "training rows the choice was made on"
        )
        keep = np.sort(
            np.random.default_rng(seed).choice(len(y_c), MAX_COMPARISON_ROWS, replace=False)
        )
        chosen, y_c = chosen[keep], y_c[keep]
        others = [(label, output[keep]) for label, output in others]
    if n_repeats > 1:
        rows += (
            f" (the first of {n_repeats} repeated CV partitions; the leaderboard's CV scores "
            "are means over all of them)"
        )
    out = []
    for label, output in others:
        comparison = paired_comparison(
            y_c,
            chosen,
            output,
            metric,
            a=name,
            b=label,
            rows=rows,
            n_classes=n_classes,
            random_state=seed,
        )
        entry = comparison.to_dict()
        if label != "baseline":
            entry["note"] = (
                "the chosen model was picked for its score on these same rows, which favours it; "
                "uncalibrated outputs at the default threshold"
            )
        if label != "baseline" and not comparison.significant:
            family = label.split(" ")[0]
            if get_spec(family).interpretable:
                entry["advice"] = (
                    f"the chosen model is not significantly better than {family}; prefer the "
                    "simpler, interpretable model if that matters to you"
                )
        out.append(entry)
    return out


def importance(
    model,
    X_test: pd.DataFrame,
    y_test: np.ndarray,
    task: str,
    metric: str,
    n_classes: int | None,
    deadline: float,
    seed: int,
) -> dict:
    result = {
        "permutation": permutation_importance(
            lambda X: predict_output(model, X, task, n_classes),
            X_test,
            y_test,
            metric,
            n_classes=n_classes,
            deadline=deadline,
            random_state=seed,
        )
    }
    tree = _tree_member(model)
    if tree is not None and time.monotonic() < deadline:
        shap = shap_summary(tree[0], X_test, random_state=seed, deadline=deadline)
        if shap is not None:
            shap["model"] = tree[1]
            result["shap"] = shap
    return result


def _tree_member(model):
    """(estimator, description) of the boosted-tree model to explain with SHAP, if any."""
    inner = getattr(model, "estimator", model)  # through CalibratedModel
    members = getattr(inner, "estimators", None)
    if members:
        weights = list(getattr(inner, "weights", [1.0] * len(members)))
        for i in np.argsort(weights)[::-1]:
            if _is_booster(members[i]):
                return members[i], f"ensemble member {int(i) + 1} (weight {weights[i]:.2f})"
        return None
    return (inner, "the chosen model") if _is_booster(inner) else None


def _is_booster(estimator) -> bool:
    inner = getattr(estimator, "regressor_", estimator)
    steps = getattr(inner, "steps", None)
    if not steps:
        return False
    return type(steps[-1][1]).__module__.split(".")[0] in ("lightgbm", "xgboost")


def diagnose_fit(
    search: SearchResult,
    members: list[Trial],
    weights: list[float],
    X: pd.DataFrame,
    y: np.ndarray,
    folds: list,
    *,
    task: str,
    metric: str,
    n_classes: int | None,
    deadline: float,
    seed: int,
    n_jobs: int,
) -> tuple[dict | None, str]:
    """Verdicts for the chosen model (its heaviest member) and the runner-up family.

    Returns the diagnosis, or None and the reason none was made (the record and the summary say
    it, so a missing verdict is never silent)."""
    top = members[int(np.argmax(weights))]
    second = runner_up(search, top.family)
    fit_rows, val_rows = folds[0]
    base_out = baseline_output(task, y[fit_rows], len(val_rows), n_classes)
    baseline_score = metrics.score(metric, y[val_rows], base_out, n_classes)
    n_folds = len(folds)

    # Evidence that more is learnable: another family's CV score, when it beats this one's.
    def better(other: Trial | None, trial: Trial) -> float | None:
        return other.score if other is not None and other.loss < trial.loss else None

    targets = [(top, "chosen", better(second, top))]
    if second is not None:
        targets.append((second, "runner-up", better(top, second)))
    results = {}
    skipped = ""
    for i, (trial, role, other) in enumerate(targets):
        # The chosen model gets two thirds of the time, the runner-up what is left.
        left = deadline - time.monotonic()
        if left <= 0:
            skipped = skipped or (
                "no time was left for it: the search, the refits and the blind test used the "
                "budget (a larger --time-budget leaves time for it)"
            )
            break
        end = time.monotonic() + (left * 2 / 3 if i == 0 and len(targets) > 1 else left)
        try:
            result = diagnose(
                trial.family,
                trial.params,
                X,
                y,
                (fit_rows, val_rows),
                task=task,
                metric=metric,
                n_classes=n_classes,
                baseline_score=baseline_score,
                fold_seconds=trial.fit_seconds / max(n_folds, 1),
                deadline=end,
                role=role,
                best_other_validation=other,
                own_cv_score=trial.score,
                seed=seed,
                n_jobs=n_jobs,
                first_fold=trial.extra.get("first_fold"),
            )
        except Exception as exc:  # a diagnosis failure must not lose the model
            logger.warning("diagnosis of %s failed: %s", trial.family, exc)
            skipped = skipped or f"the diagnosis of {trial.family} failed: {exc}"
            continue
        entry = result.to_dict()
        if role == "chosen" and len(members) > 1:
            entry["notes"].append(
                f"the chosen model is an ensemble; its heaviest member ({top.family}) is diagnosed"
            )
        results[role] = entry
    if "chosen" not in results:
        return None, skipped
    chosen = results["chosen"]
    return {**chosen, "runner_up": results.get("runner-up")}, ""

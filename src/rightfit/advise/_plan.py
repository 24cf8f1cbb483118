"""The plan: candidate families in the order to try them, each with a reason, and the skipped ones.

Reasons are built from measured facts (rows, width, missing share, imbalance, cardinality, budget,
the family's own cost model), never fixed text, so a reader can check them against the profile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rightfit.models import FitContext, get_spec
from rightfit.models.registry import family_names
from rightfit.profile import imbalance_severity

logger = logging.getLogger(__name__)

# A family whose first configuration would take more than this share of the budget for one
# cross-validation round is skipped: it could not be compared with the others, let alone tuned.
MAX_BUDGET_SHARE = 0.5
# Neural networks need time to train and rows to learn from; below these they only cost budget.
KERAS_MIN_BUDGET = 60.0
KERAS_MIN_ROWS = 2_000
KERAS_TEXT_MIN_ROWS = 500
# A network on a table joins only when the budget can tune it: this many CV rounds of its first
# configuration within a third of the budget. Untuned (one or two trials, all a 300 s budget
# bought), it lost to the tuned boosted trees on every table measured at 300 s, and TensorFlow's
# runtime adds ~470 MB to the process (benchmarks/README.md, "the table network at 300 s").
KERAS_MIN_ROUNDS = 4
KERAS_BUDGET_SHARE = 1 / 3
# k-NN averages the k nearest training rows. Where most rows share their exact feature values
# with at least as many others as its first configuration's k, the nearest neighbours are all
# ties, and which of the tied rows count depends on their order in the file. On the titanic
# table (1,052 training rows, 12 distinct ones) k-NN's estimates for a cell were up to 0.22 off
# that cell's own survival rate, and 0.12 with the rows shuffled; boosted trees read such cells
# exactly. k-NN was still chosen there by a CV score within noise of the trees' (test ROC AUC
# 0.797 against 0.806-0.810; benchmarks/README.md, session 19).
KNN_TIES = 15
KNN_MAX_TIED_SHARE = 0.5
KNN_MAX_WIDTH = 100  # beyond it distances lose meaning


@dataclass(frozen=True)
class DataFacts:
    """The numbers the planner decides on, measured on the training rows."""

    task: str
    n_rows: int  # rows available for model selection (blind test excluded)
    n_numeric: int
    n_categorical: int
    missing_share: float
    minority_share: float | None
    time_budget: float
    max_cardinality: int = 0
    max_cardinality_column: str | None = None
    n_text: int = 0
    n_datetime: int = 0
    n_classes: int | None = None
    min_score: float | None = None
    n_issues: int = 0
    n_folds: int = 5  # validation folds the split made (1 = a single holdout on large data)
    n_repeats: int = 1  # how many times the folds are drawn (small data)
    # share of rows whose exact feature values occur in KNN_TIES rows or more (tied_row_share)
    tied_share: float = 0.0

    @property
    def imbalanced(self) -> bool:
        """The smallest class is rare for the number of classes (the profile's rule)."""
        if self.minority_share is None:
            return False
        return imbalance_severity(self.minority_share, self.n_classes or 2) is not None

    @property
    def width(self) -> int:
        return self.n_numeric + self.n_categorical + self.n_text

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """The facts in words, for the terminal and the report."""
        out = [
            f"{self.n_rows:,} training rows x {self.width} feature columns "
            f"({self.n_numeric} numeric, {self.n_categorical} categorical"
            + (f", {self.n_text} free text" if self.n_text else "")
            + (f", {self.n_datetime} dates" if self.n_datetime else "")
            + ")",
            f"missing cells: {self.missing_share:.1%}",
        ]
        if self.minority_share is not None:
            out.append(
                f"smallest class: {_share(self.minority_share)} of rows"
                + (" (imbalanced)" if self.imbalanced else "")
            )
        if self.max_cardinality_column is not None:
            out.append(
                f"most distinct categories: {self.max_cardinality:,} in "
                f"{self.max_cardinality_column!r}"
            )
        out.append(f"compute budget: {self.time_budget:g} s wall clock for the whole run")
        if self.min_score is not None:
            out.append(f"accuracy needed: {self.min_score:g} or better")
        return out


@dataclass(frozen=True)
class Candidate:
    name: str
    reason: str

    def to_dict(self) -> dict:
        return {"family": self.name, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class Plan:
    task: str
    metric: str
    facts: DataFacts
    candidates: tuple[Candidate, ...]
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.candidates]

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "metric": self.metric,
            "facts": self.facts.to_dict(),
            "facts_text": self.facts.lines(),
            "candidates": [c.to_dict() for c in self.candidates],
            "excluded": [{"family": k, "reason": v} for k, v in self.excluded.items()],
        }

    def lines(self) -> list[str]:
        out = [f"try {c.name}: {c.reason}" for c in self.candidates]
        out += [f"skip {name}: {why}" for name, why in self.excluded.items()]
        return out


def excluded_map(plan_dict: dict) -> dict[str, str]:
    """``excluded`` of a recorded plan as {family: reason} (older records stored a dict)."""
    excluded = plan_dict.get("excluded") or {}
    if isinstance(excluded, dict):
        return dict(excluded)
    return {e["family"]: e["reason"] for e in excluded}


def _share(value: float) -> str:
    return f"{value:.2%}" if value < 0.01 else f"{value:.1%}"


def _context(facts: DataFacts) -> FitContext:
    folds = max(facts.n_folds, 1)
    rows = int(facts.n_rows * (folds - 1) / folds) if folds > 1 else int(facts.n_rows * 0.8)
    return FitContext(
        task=facts.task,
        n_rows=max(rows, 1),
        n_numeric=facts.n_numeric,
        n_categorical=facts.n_categorical,
        n_classes=facts.n_classes,
    )


def first_round_seconds(name: str, facts: DataFacts) -> float:
    """A-priori seconds for one CV round of the family's first portfolio configuration."""
    spec = get_spec(name)
    ctx = _context(facts)
    portfolio = spec.portfolio(ctx)
    params = portfolio[0] if portfolio else {}
    return float(spec.cost(params, ctx)) * max(facts.n_folds, 1) * max(facts.n_repeats, 1)


def _reason_for(name: str, facts: DataFacts) -> str:
    rows = f"{facts.n_rows:,} rows"
    seconds = first_round_seconds(name, facts)
    unit = "CV round" if facts.n_folds > 1 else "validation fit"
    cost = f"about {seconds:.1f} s per {unit} here" if seconds >= 0.1 else f"under 0.1 s per {unit}"
    imbalance = facts.imbalanced
    if name == "linear":
        why = "kept as the interpretable baseline; if nothing beats it clearly, prefer it"
        if facts.min_score is not None:
            why += f" (and it may already reach the {facts.min_score:g} you need)"
        if facts.task == "regression":
            why = why.replace("baseline;", "baseline (ridge regression);")
        return f"{why}; {cost}"
    if name in ("lightgbm", "xgboost", "catboost"):
        parts = [
            {
                "lightgbm": "boosted trees are usually the most accurate on tables",
                "xgboost": "a second boosting implementation with different regularisation, "
                "for diversity",
                "catboost": "symmetric boosted trees with ordered target statistics for "
                "categoricals: often the best on small and medium tables with categories",
            }[name]
        ]
        if facts.missing_share > 0:
            parts.append(f"they handle the {facts.missing_share:.1%} missing cells natively")
        if facts.max_cardinality > 50 and name != "catboost":
            parts.append(
                f"native categorical splits cope with {facts.max_cardinality:,} levels "
                f"in {facts.max_cardinality_column!r}"
            )
        if imbalance:
            parts.append(
                f"probability outputs stay usable with a {_share(facts.minority_share)} class"
            )
        return "; ".join(parts) + f"; {cost} on {rows}"
    if name == "random_forest":
        return f"robust with little tuning, a check on the boosted models; {cost} on {rows}"
    if name == "extra_trees":
        return f"cheap, low-variance trees that often help an ensemble; {cost} on {rows}"
    if name == "knn":
        return (
            f"{rows} and {facts.width} columns are few enough for distances to be cheap and "
            f"meaningful; {cost}"
        )
    if name == "svm":
        return f"{rows} are few enough for a kernel SVM, which can win on small dense data; {cost}"
    spec = get_spec(name)
    return f"{spec.summary}; {cost} on {rows}"


def _exclusion(name: str, facts: DataFacts) -> str | None:
    spec = get_spec(name)
    if facts.task not in spec.tasks:
        return f"does not handle task {facts.task!r}"
    if spec.max_rows is not None and facts.n_rows > spec.max_rows:
        return f"{facts.n_rows:,} rows exceed its limit of {spec.max_rows:,}: " + (
            "kernel SVM training grows with the square of the rows"
            if name == "svm"
            else "prediction scans every training row, too slow and memory-heavy"
        )
    if spec.needs_text and facts.n_text == 0:
        return "no free-text column in the data"
    if spec.neural and facts.time_budget < KERAS_MIN_BUDGET:
        return (
            f"a {facts.time_budget:g} s budget leaves too little time to train a neural network "
            f"alongside the other families (it needs {KERAS_MIN_BUDGET:g} s or more)"
        )
    min_rows = KERAS_TEXT_MIN_ROWS if spec.needs_text else KERAS_MIN_ROWS
    if spec.neural and facts.n_rows < min_rows:
        return (
            f"{facts.n_rows:,} rows are too few for a neural network to beat "
            + ("TF-IDF with a linear model" if spec.needs_text else "trees on a table")
            + f" (it gets {min_rows:,} or more)"
        )
    if name == "knn" and facts.width > KNN_MAX_WIDTH:
        return f"{facts.width} columns: distances lose meaning in that many dimensions"
    if name == "knn" and facts.tied_share >= KNN_MAX_TIED_SHARE:
        return (
            f"{facts.tied_share:.0%} of the rows share their exact feature values with "
            f"{KNN_TIES - 1} or more others, so their nearest neighbours are ties and which of "
            "them count depends on the order of the rows; trees read such groups exactly"
        )
    seconds = first_round_seconds(name, facts)
    unit = "CV round" if facts.n_folds > 1 else "validation fit"
    if spec.neural and not spec.needs_text:
        needed = seconds * KERAS_MIN_ROUNDS / KERAS_BUDGET_SHARE
        if needed > facts.time_budget:
            return (
                f"one {unit} of a network takes about {seconds:,.0f} s here, so a "
                f"{facts.time_budget:g} s budget cannot tune it ({KERAS_MIN_ROUNDS} of them in a "
                f"third of the budget need {needed:,.0f} s or more); an untuned network rarely "
                "beats tuned boosted trees on a table, and TensorFlow adds ~470 MB of memory. "
                "--models can still ask for keras_mlp"
            )
    if seconds > MAX_BUDGET_SHARE * facts.time_budget:
        return (
            f"{facts.n_rows:,} rows x {facts.width} columns make one {unit} take about "
            f"{seconds:,.0f} s, more than half of the {facts.time_budget:g} s budget"
        )
    return None


def tied_row_share(X, at_least: int = KNN_TIES) -> float:
    """The share of rows of the frame ``X`` whose exact values (missing ones included) occur in
    ``at_least`` rows or more: k-NN's rule on ties. Not counted (0.0) where k-NN is out anyway,
    for its row limit or for more than ``KNN_MAX_WIDTH`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> tied_row_share(pd.DataFrame({"a": [1, 1, 1, 2]}), at_least=3)
    0.75
    """
    limit = get_spec("knn").max_rows
    if len(X) == 0 or not 0 < X.shape[1] <= KNN_MAX_WIDTH or (limit and len(X) > limit):
        return 0.0
    counts = X.value_counts(dropna=False, sort=False)
    return float(counts[counts >= at_least].sum() / len(X))


def choose_candidates(facts: DataFacts, metric: str, requested: list[str] | None = None) -> Plan:
    """Pick families from the data facts (or honour ``requested``), likeliest winner first.

    Examples
    --------
    >>> facts = DataFacts("binary", 200_000, 10, 2, 0.0, 0.3, 60)
    >>> plan = choose_candidates(facts, "roc_auc")
    >>> "svm" in plan.excluded and "lightgbm" in plan.names
    True
    """
    names = requested or family_names()
    kept: list[Candidate] = []
    excluded: dict[str, str] = {}
    for name in names:
        why_not = _exclusion(name, facts)
        if why_not and requested:
            # The user asked for it: warn but respect the choice unless impossible.
            if facts.task not in get_spec(name).tasks:
                excluded[name] = why_not
                continue
            kept.append(Candidate(name, f"requested with --models (note: {why_not})"))
        elif why_not:
            excluded[name] = why_not
        else:
            kept.append(Candidate(name, _reason_for(name, facts)))
    kept.sort(key=lambda c: get_spec(c.name).priority)
    if facts.n_text:
        # Free text carries most of the signal where it exists: its models go first.
        kept.sort(key=lambda c: not get_spec(c.name).needs_text)
    if facts.min_score is not None:
        # When the user says what accuracy is enough, the simple model goes first: if it gets
        # there, the report recommends it.
        kept.sort(key=lambda c: not get_spec(c.name).interpretable)
    for name, why in excluded.items():
        logger.info("skip %s: %s", name, why)
    return Plan(facts.task, metric, facts, tuple(kept), excluded)

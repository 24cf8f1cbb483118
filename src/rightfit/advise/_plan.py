"""The plan: candidate families in the order to try them, each with a reason, and the skipped ones.

Reasons are built from measured facts (rows, width, missing share, budget), never fixed text, so a
reader can check them against the profile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rightfit.models import get_spec
from rightfit.models.registry import family_names

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataFacts:
    """The few numbers the planner decides on."""

    task: str
    n_rows: int  # rows available for model selection (blind test excluded)
    n_numeric: int
    n_categorical: int
    missing_share: float
    minority_share: float | None
    time_budget: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Candidate:
    name: str
    reason: str

    def to_dict(self) -> dict:
        return {"name": self.name, "reason": self.reason}


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
            "candidates": [c.to_dict() for c in self.candidates],
            "excluded": dict(self.excluded),
        }

    def lines(self) -> list[str]:
        out = [f"try {c.name}: {c.reason}" for c in self.candidates]
        out += [f"skip {name}: {why}" for name, why in self.excluded.items()]
        return out


def _reason_for(name: str, facts: DataFacts) -> str:
    rows = f"{facts.n_rows:,} rows"
    if name == "linear":
        return (
            "kept as the interpretable baseline; if nothing beats it clearly, prefer it"
            if facts.task != "regression"
            else "kept as the interpretable baseline (ridge regression)"
        )
    if name == "lightgbm":
        return f"usually the most accurate on tables; fast on {rows} with native categoricals"
    if name == "xgboost":
        return "a second boosting implementation with different regularisation, for diversity"
    if name == "random_forest":
        return "robust with little tuning; a strong check on the boosted models"
    if name == "extra_trees":
        return "cheap, low-variance trees that often help an ensemble"
    if name == "knn":
        return f"{rows} and {facts.n_numeric + facts.n_categorical} columns are few enough"
    if name == "svm":
        return f"{rows} are few enough for a kernel SVM, which can win on small dense data"
    return get_spec(name).summary


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
    width = facts.n_numeric + facts.n_categorical
    if name == "knn" and width > 100:
        return f"{width} columns: distances lose meaning in that many dimensions"
    if name == "svm" and facts.time_budget < 20 and facts.n_rows > 1000:
        return (
            f"a {facts.time_budget:.0f} s budget is too short for kernel SVM on "
            f"{facts.n_rows:,} rows"
        )
    return None


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
    for name, why in excluded.items():
        logger.info("skip %s: %s", name, why)
    return Plan(facts.task, metric, facts, tuple(kept), excluded)

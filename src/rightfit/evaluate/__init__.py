"""Blind-test evaluation: metrics with bootstrap confidence intervals next to a trivial baseline."""

from rightfit.evaluate._bootstrap import Interval, bootstrap_ci
from rightfit.evaluate._evaluation import (
    REPORTED_METRICS,
    Evaluation,
    MetricValue,
    baseline_output,
    evaluate,
)

__all__ = [
    "REPORTED_METRICS",
    "Evaluation",
    "Interval",
    "MetricValue",
    "baseline_output",
    "bootstrap_ci",
    "evaluate",
]

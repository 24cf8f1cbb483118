"""A fit diagnosis that is not made says why, in the record, the CLI summary and the report:
a missing verdict must not read as if there were nothing to say."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from rightfit.cli._show import review_lines
from rightfit.pipeline._review import diagnose_fit
from rightfit.report._tabular import diagnosis as diagnosis_section
from rightfit.search import Leaderboard, SearchResult, Trial


def _inputs(family: str = "linear"):
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (X["a"] + rng.normal(scale=0.5, size=n) > 0).astype(int).to_numpy()
    trial = Trial(0, family, {}, "ok", score=0.8, loss=-0.8, fit_seconds=0.1)
    search = SearchResult(
        Leaderboard("roc_auc", True, (trial,)), {0: np.full((n, 2), 0.5)}, "done", 1.0
    )
    folds = [(np.arange(0, 200), np.arange(200, n))]
    return search, [trial], X, y, folds


def _diagnose(family: str, deadline: float):
    search, members, X, y, folds = _inputs(family)
    return diagnose_fit(
        search, members, [1.0], X, y, folds, task="binary", metric="roc_auc",
        n_classes=2, deadline=deadline, seed=0, n_jobs=1,
    )  # fmt: skip


def test_a_review_that_starts_past_its_deadline_says_no_time_was_left():
    diagnosis, why = _diagnose("linear", time.monotonic() - 1.0)
    assert diagnosis is None
    assert why.startswith("no time was left for it") and "--time-budget" in why


def test_a_diagnosis_that_fails_names_the_family_and_the_error():
    diagnosis, why = _diagnose("no_such_family", time.monotonic() + 30.0)
    assert diagnosis is None
    assert why.startswith("the diagnosis of no_such_family failed:")


def test_a_made_diagnosis_has_no_reason_for_skipping():
    diagnosis, why = _diagnose("linear", time.monotonic() + 30.0)
    assert diagnosis is not None and diagnosis["verdict"] and why == ""


def test_the_cli_summary_and_the_report_give_the_reason():
    record = {"diagnosis": None, "diagnosis_skipped": "no time was left for it: the search used it"}
    assert review_lines(record)[-1] == (
        "fit diagnosis: not made - no time was left for it: the search used it"
    )
    assert "No diagnosis was made: no time was left for it: the search used it." in (
        diagnosis_section(record)
    )


def test_a_run_without_diagnosis_records_that_it_was_turned_off():
    from rightfit.pipeline import run

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    frame["t"] = (frame["a"] > 0).map({True: "yes", False: "no"})
    record = run(frame, "t", time_budget=6, models=["linear"], seed=0, diagnose=False).record
    assert record["diagnosis"] is None
    assert record["diagnosis_skipped"] == "turned off (--no-diagnose)"

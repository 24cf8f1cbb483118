"""Scores on blind-test rows whose entity (a child, a patient) is also in the training rows are
labelled as such, with the share of those rows: they flatter predictions for new entities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.evaluate._seen_entities import seen_entities


def _panel(children: int = 150, visits: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ids = np.repeat(np.arange(children), visits)
    trait = np.repeat(rng.normal(size=children), visits)  # each child's lasting tendency
    return pd.DataFrame(
        {
            "child_id": ids,
            "age": np.tile(np.arange(visits), children),
            "wheeze": np.where(trait + rng.normal(scale=0.3, size=ids.size) > 0.5, "yes", "no"),
        }
    )


def test_a_random_split_names_the_share_of_rows_seen_in_training():
    X = _panel()
    rows = np.random.default_rng(1).permutation(len(X))
    train, test = rows[:480], rows[480:]
    text = seen_entities(X, train, test, ["child_id"])
    shared = int(X["child_id"].iloc[test].isin(X["child_id"].iloc[train]).sum())
    assert text.startswith(f"{shared / 120:.0%} of the blind-test rows ({shared} of 120)")
    assert "--group-column child_id" in text


def test_a_grouped_split_or_an_absent_column_says_nothing():
    X = _panel()
    by_child = X["child_id"] < 120
    train, test = np.flatnonzero(by_child), np.flatnonzero(~by_child)
    assert seen_entities(X, train, test, ["child_id"]) is None
    assert seen_entities(X, train, test, ["patient_id"]) is None


@pytest.mark.slow
def test_a_whole_run_says_it_in_the_record_the_summary_and_the_report():
    from rightfit.cli._show import evaluation_lines
    from rightfit.pipeline import run
    from rightfit.report import render_report

    frame = _panel()
    record = run(frame, "wheeze", time_budget=8, models=["linear"], seed=0).record
    text = record["blind_test"]["seen_entities"]
    assert "share their 'child_id' with training rows" in text
    assert f"  [warning] {text}" in evaluation_lines(record)
    assert "Seen before:" in render_report(record)

    grouped = run(
        frame, "wheeze", time_budget=8, models=["linear"], seed=0, group_column="child_id"
    ).record
    assert "seen_entities" not in grouped["blind_test"]
    assert not [i for i in grouped["profile"]["issues"] if i["kind"] == "repeated_entity"]

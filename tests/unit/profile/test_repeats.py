"""Repeated rows: copies are dropped, repeats that chance makes in a small value space are kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.clean import clean_table
from rightfit.data import infer_schema
from rightfit.profile import profile_table
from rightfit.profile._repeats import CHANCE_FACTOR, check_repeats


def _passengers(n: int = 1300, seed: int = 0) -> pd.DataFrame:
    """Titanic-shaped: three few-valued columns and a label that depends on them, so most
    rows repeat an earlier one although every row is a different passenger."""
    rng = np.random.default_rng(seed)
    cls = rng.choice(["1st", "2nd", "3rd", "crew"], n, p=[0.15, 0.13, 0.32, 0.4])
    sex = rng.choice(["male", "female"], n, p=[0.78, 0.22])
    age = rng.choice(["adult", "child"], n, p=[0.95, 0.05])
    odds = 0.15 + 0.55 * (sex == "female") + 0.2 * (cls == "1st") + 0.2 * (age == "child")
    survived = np.where(rng.random(n) < np.clip(odds, 0, 0.95), "yes", "no")
    return pd.DataFrame({"class": cls, "age": age, "sex": sex, "survived": survived})


def _clean(frame: pd.DataFrame, target: str):
    schema = infer_schema(frame, target)
    profile = profile_table(frame, schema)
    return profile, clean_table(frame, schema, profile)


def test_repeats_of_a_small_value_space_are_kept_and_said_so():
    frame = _passengers()
    profile, cleaned = _clean(frame, "survived")
    assert profile.n_duplicate_rows > 1200  # 32 possible rows for 1,300 passengers
    assert profile.duplicates_by_chance
    issue = next(i for i in profile.issues if i.kind == "duplicates")
    assert issue.severity == "info" and issue.suggestion.startswith("kept")
    assert "as often as chance" in issue.evidence
    assert len(cleaned.frame) == len(frame)
    assert not any(c.action == "drop_duplicate_rows" for c in cleaned.log.changes)
    assert "kept" in profile.summary_lines()[3]


def test_copies_among_continuous_rows_are_still_dropped():
    rng = np.random.default_rng(1)
    rows = pd.DataFrame({"income": rng.lognormal(10, 1, 500), "y": rng.choice(["a", "b"], 500)})
    frame = pd.concat([rows, rows.iloc[:25]], ignore_index=True)
    profile, cleaned = _clean(frame, "y")
    assert not profile.duplicates_by_chance
    assert len(cleaned.frame) == 500
    dropped = next(c for c in cleaned.log.changes if c.action == "drop_duplicate_rows")
    assert dropped.rows_affected == 25


def test_copies_do_not_count_as_chance_matches_of_their_own_column():
    # Matching on "x" is only ever the copies: measured on all rows, "x" alone would make
    # copies look like chance (both rates equal); on the distinct rows, chance is zero.
    frame = pd.DataFrame({"x": range(200), "y": ["a"] * 195 + ["b"] * 5})
    doubled = pd.concat([frame, frame.iloc[:10]], ignore_index=True)
    check = check_repeats(doubled)
    assert check.observed > 0 and check.chance == 0 and not check.by_chance


def test_many_copies_of_few_valued_rows_are_copies_when_far_above_chance():
    # 40 distinct rows of four 10-level columns, each entered 10 times: chance of two distinct
    # rows agreeing on all four columns is ~1e-4, the copies match ~2.3e-2 of pairs.
    rng = np.random.default_rng(2)
    base = pd.DataFrame({f"c{i}": rng.integers(0, 10, 40) for i in range(4)})
    base = base.drop_duplicates()
    frame = pd.concat([base] * 10, ignore_index=True)
    check = check_repeats(frame)
    assert check.observed / check.chance > CHANCE_FACTOR and not check.by_chance


@pytest.mark.parametrize("n", [0, 1])
def test_too_few_rows_have_no_pairs(n):
    assert check_repeats(pd.DataFrame({"x": [1.0] * n})).by_chance


def test_profile_round_trips_the_decision():
    profile, _ = _clean(_passengers(300, seed=3), "survived")
    again = type(profile).from_dict(profile.to_dict())
    assert again.duplicates_by_chance == profile.duplicates_by_chance is True
    old = {k: v for k, v in profile.to_dict().items() if k != "duplicates_by_chance"}
    assert type(profile).from_dict(old).duplicates_by_chance is False  # bundles before it

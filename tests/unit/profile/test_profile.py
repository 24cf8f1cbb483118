from __future__ import annotations

import json

import numpy as np
import pandas as pd

from rightfit.data import infer_schema
from rightfit.profile import Profile, profile_table


def _frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.choice(["no", "yes"], n, p=[0.85, 0.15])
    copy = np.where(rng.random(n) < 0.01, np.where(y == "yes", "no", "yes"), y)
    income = rng.normal(50, 10, n)
    income[:3] = [500, 600, 700]
    age = rng.integers(18, 80, n).astype(float)
    age[:40] = np.nan
    return pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(n)],
            "age": age,
            "income": income,
            "plan": rng.choice(["a", "b", "c"], n),
            "leak": copy,
            "y": y,
        }
    )


def _profile(frame: pd.DataFrame, target: str = "y") -> Profile:
    return profile_table(frame, infer_schema(frame, target), random_state=0)


def test_leaky_copy_of_target_is_caught_with_evidence():
    profile = _profile(_frame())
    assert profile.leakage_suspects == ("leak",)
    issue = next(i for i in profile.issues if i.kind == "leakage")
    assert issue.severity == "critical"
    assert "'leak' alone predicts 'y' with ROC AUC 0.9" in issue.evidence
    assert "keep=['leak']" in issue.suggestion


def test_numeric_leak_in_regression():
    rng = np.random.default_rng(1)
    y = rng.normal(size=300)
    frame = pd.DataFrame({"x": rng.normal(size=300), "copy": y + rng.normal(0, 0.01, 300), "y": y})
    assert _profile(frame).leakage_suspects == ("copy",)


def test_column_stats_and_issues():
    profile = _profile(_frame())
    age = profile.column("age")
    assert age.n_missing == 40 and abs(age.missing_share - 0.1) < 1e-9
    assert profile.column("income").n_outliers == 3
    assert profile.column("plan").top_values[0][1] > 100
    kinds = {i.kind for i in profile.issues}
    assert {"id_column", "missing", "outliers", "imbalance", "leakage"} <= kinds
    imbalance = next(i for i in profile.issues if i.kind == "imbalance")
    assert imbalance.severity == "warning" and "PR AUC" in imbalance.suggestion
    assert "3 × IQR" in next(i for i in profile.issues if i.kind == "outliers").evidence
    assert profile.class_counts[0][0] == "no"


def test_duplicates_rare_class_and_critical_imbalance():
    frame = pd.DataFrame({"x": range(200), "y": ["a"] * 195 + ["b"] * 5})
    profile = _profile(frame)
    assert profile.n_duplicate_rows == 0
    kinds = {i.kind: i for i in profile.issues}
    assert kinds["imbalance"].severity == "critical"
    assert "'b' has only 5 rows" in kinds["rare_class"].evidence
    assert "merge it" in kinds["rare_class"].suggestion
    doubled = pd.concat([frame, frame.iloc[:10]], ignore_index=True)
    duplicates = next(i for i in _profile(doubled).issues if i.kind == "duplicates")
    assert "10 rows" in duplicates.evidence and "blind-test split" in duplicates.suggestion


def test_mixed_types_and_high_cardinality():
    n = 300
    charges = [str(i) for i in range(n)]
    charges[5] = " "
    frame = pd.DataFrame(
        {
            "charges": charges,
            "town": [f"t{i % 120}" for i in range(n)],
            "y": [0.5 * i for i in range(n)],
        }
    )
    profile = _profile(frame)
    mixed = next(i for i in profile.issues if i.kind == "mixed_types")
    assert mixed.columns == ("charges",) and "1 values are not numbers (' ')" in mixed.evidence
    assert any(i.kind == "high_cardinality" and i.columns == ("town",) for i in profile.issues)
    assert profile.target_summary["max"] == 149.5 and profile.class_counts is None


def test_round_trip_and_summary_lines():
    profile = _profile(_frame())
    again = Profile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert again == profile
    lines = profile.summary_lines()
    assert lines[0] == "400 rows × 6 columns (target 'y', binary)"
    assert any(line.startswith("[critical] leakage") for line in lines)


def test_no_target():
    frame = _frame().drop(columns=["y"])
    profile = profile_table(frame, infer_schema(frame, None))
    assert profile.task is None and profile.leakage_suspects == ()


def test_balanced_classes_are_not_called_imbalanced():
    # Ten classes of ~10 % each (sklearn's digits) drew "smallest class is 9.7 %" before.
    ten = pd.DataFrame({"x": range(1_000), "y": [str(i % 10) for i in range(1_000)]})
    assert "imbalance" not in {i.kind for i in _profile(ten).issues}
    # The same fraction of an even split as a 20/80 binary table is still named, with the
    # even share beside it.
    counts = [40] + [200] * 4
    rows = [str(k) for k, n in enumerate(counts) for _ in range(n)]
    skewed = pd.DataFrame({"x": range(len(rows)), "y": rows})
    imbalance = next(i for i in _profile(skewed).issues if i.kind == "imbalance")
    assert imbalance.severity == "warning"
    assert "even split gives each of the 5 classes 20.0%" in imbalance.evidence


def test_constant_columns_name_their_value_plainly():
    frame = pd.DataFrame({"x": range(100), "zero": [0.0] * 100, "y": ["a", "b"] * 50})
    issue = next(i for i in _profile(frame).issues if i.kind == "constant")
    assert "(0.0)" in issue.evidence and "np.float64" not in issue.evidence


def test_wide_table_leak_is_caught_on_fewer_rows_and_the_screen_keeps_its_time():
    from rightfit.clean import clean_table
    from rightfit.profile._leakage import MIN_ROWS

    rng = np.random.default_rng(2)
    n, width = 6_000, 1_200  # 7.2 M cells: screened on the fewest rows the screen uses
    frame = pd.DataFrame(
        rng.normal(size=(n, width)).round(2), columns=[f"f{i}" for i in range(width)]
    )
    y = rng.integers(0, 2, n)
    frame["leak"] = y + rng.normal(0, 0.05, n)
    frame["y"] = np.where(y == 1, "yes", "no")
    schema = infer_schema(frame, "y")
    profile = profile_table(frame, schema)
    assert profile.leakage_suspects == ("leak",)
    leak = next(i for i in profile.issues if i.kind == "leakage")
    assert f"on {MIN_ROWS:,} rows" in leak.evidence
    # No time for the screen: every column is named as unscreened, none is set aside for it.
    rushed = profile_table(frame, schema, max_leakage_seconds=0.0)
    assert rushed.leakage_suspects == ()
    unscreened = next(i for i in rushed.issues if i.kind == "leakage")
    assert unscreened.severity == "info" and unscreened.columns == ()
    assert "before reaching 1,201 columns ('f0', 'f1'" in unscreened.evidence
    cleaned = clean_table(frame, schema, rushed)
    assert len(cleaned.schema.feature_columns()) == width + 1

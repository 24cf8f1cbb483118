from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rightfit.clean import CleaningLog, clean_table
from rightfit.data import infer_schema
from rightfit.errors import ConfigError
from rightfit.profile import profile_table


def _frame(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    y = rng.choice(["no", "yes"], n)
    charges = [f"{v:.1f}" for v in rng.uniform(10, 90, n)]
    charges[:4] = [" "] * 4
    frame = pd.DataFrame(
        {
            "customerID": [f"{i:05d}-X" for i in range(n)],
            "TotalCharges": charges,
            "plan": rng.choice(["a", "b", "c"], n),
            "country": ["DE"] * n,
            "leak": np.where(rng.random(n) < 0.01, "flip", y),
            "y": y,
        }
    )
    frame.loc[10:14, "plan"] = [f"rare{i}" for i in range(5)]
    frame.loc[[20, 21], "y"] = None
    return frame


def _clean(frame, keep=()):
    schema = infer_schema(frame, "y")
    return clean_table(frame, schema, profile_table(frame, schema), keep_columns=keep)


def test_rows_and_columns_with_logged_reasons():
    frame = _frame()
    frame = pd.concat([frame, frame.iloc[[0, 1, 2]]], ignore_index=True)
    cleaned = _clean(frame)
    changes = {c.action: c for c in cleaned.log.changes}
    assert changes["drop_rows_missing_target"].rows_affected == 2
    assert changes["drop_duplicate_rows"].rows_affected == 3
    assert "straddle the blind-test split" in changes["drop_duplicate_rows"].reason
    assert len(cleaned.frame) == 300 - 2 and list(cleaned.frame.index) == list(range(298))
    assert list(cleaned.frame.columns) == list(frame.columns)  # raw columns, none dropped
    roles = {c.name: c.role for c in cleaned.schema.columns}
    assert roles["customerID"] == "id" and roles["country"] == "constant"
    assert roles["leak"] == "excluded"
    assert "set_aside_id_column" in changes and "exclude_leakage_suspect" in changes
    assert cleaned.schema.feature_columns() == ["TotalCharges", "plan"]


def test_coercion_and_fold_repairs_are_logged():
    log = _clean(_frame()).log
    coercion = next(c for c in log.changes if c.action == "coerce_type")
    assert (
        coercion.reason
        == "TotalCharges: 4 values that are not numbers (' ') will be treated as missing"
    )
    assert coercion.when == "now"
    impute = next(c for c in log.changes if c.action == "impute_missing")
    assert impute.when == "in_each_fold" and impute.rows_affected == 4 and "median" in impute.reason
    rare = next(c for c in log.changes if c.action == "group_rare_categories")
    assert rare.columns == ("plan",) and rare.rows_affected == 5
    assert CleaningLog.from_dict(json.loads(json.dumps(log.to_dict()))) == log
    assert any(line.startswith("[in_each_fold] impute_missing") for line in log.lines())


def test_keep_columns_keeps_leak_and_id():
    cleaned = _clean(_frame(), keep=["leak", "customerID"])
    roles = {c.name: c.role for c in cleaned.schema.columns}
    assert roles["leak"] == "categorical" and roles["customerID"] == "categorical"
    kept = [c for c in cleaned.log.changes if c.action == "keep_column"]
    assert len(kept) == 2 and all("at the user's request" in c.reason for c in kept)


def test_unknown_keep_column_suggests_the_name():
    with pytest.raises(ConfigError, match=r"'leek', which is not a column.*Did you mean 'leak'"):
        _clean(_frame(), keep=["leek"])

"""Every bad input ends in one clear line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests._data import make_table
from tests.e2e._cli import run_cli


def _fit(path, *extra, target="churn"):
    return run_cli("fit", path, "--target", target, "--time-budget", 10, *extra, timeout=120)


def _assert_clean_failure(result, *needles):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ")
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_missing_file(tmp_path):
    _assert_clean_failure(_fit(tmp_path / "nope.csv"), "not found")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    _assert_clean_failure(_fit(path), "empty")


def test_header_only_file(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("a,b,churn\n")
    _assert_clean_failure(_fit(path), "no data rows")


def test_target_absent_suggests_the_closest_name(tmp_path):
    path = tmp_path / "t.csv"
    make_table(100).to_csv(path, index=False)
    _assert_clean_failure(_fit(path, target="Churn"), "Did you mean 'churn'")


def test_target_all_missing(tmp_path):
    path = tmp_path / "t.csv"
    frame = make_table(100)
    frame["churn"] = np.nan
    frame.to_csv(path, index=False)
    _assert_clean_failure(_fit(path), "churn")


def test_single_class(tmp_path):
    path = tmp_path / "t.csv"
    frame = make_table(100)
    frame["churn"] = "yes"
    frame.to_csv(path, index=False)
    _assert_clean_failure(_fit(path), "at least two")


def test_too_few_rows(tmp_path):
    path = tmp_path / "t.csv"
    make_table(12).to_csv(path, index=False)
    _assert_clean_failure(_fit(path), "at least 20 rows")


def test_duplicated_column_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,a,churn\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(50)))
    _assert_clean_failure(_fit(path), "a")


def test_unreadable_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(bytes(range(256)) * 40)
    result = _fit(path)
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize("budget", ["0", "-3"])
def test_non_positive_budget(tmp_path, budget):
    path = tmp_path / "t.csv"
    make_table(100).to_csv(path, index=False)
    result = run_cli("fit", path, "--target", "churn", "--time-budget", budget)
    _assert_clean_failure(result, "--time-budget")


def test_unknown_metric_and_model_suggest_names(tmp_path):
    path = tmp_path / "t.csv"
    make_table(100).to_csv(path, index=False)
    _assert_clean_failure(_fit(path, "--metric", "roc_aux"), "roc_auc")
    _assert_clean_failure(_fit(path, "--models", "lightgmb"), "lightgbm")


def test_out_that_is_someone_elses_folder_is_refused_before_any_work(tmp_path):
    path = tmp_path / "t.csv"
    make_table(100).to_csv(path, index=False)
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_text("precious")
    _assert_clean_failure(_fit(path, "--out", out), "not a rightfit bundle")
    assert (out / "holiday.jpg").read_text() == "precious"


def test_mixed_type_column_is_handled_with_a_notice(tmp_path):
    path = tmp_path / "t.csv"
    frame = make_table(150)
    frame["code"] = [i if i % 3 else f"x{i}" for i in range(150)]
    frame.to_csv(path, index=False)
    result = _fit(path, "--out", tmp_path / "m")
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_predict_with_a_missing_column_names_it(tmp_path):
    train = tmp_path / "t.csv"
    make_table(150).to_csv(train, index=False)
    model = tmp_path / "m"
    assert _fit(train, "--out", model, "--models", "linear").returncode == 0
    new = tmp_path / "new.csv"
    make_table(10).drop(columns=["churn", "plan"]).to_csv(new, index=False)
    _assert_clean_failure(run_cli("predict", model, new), "plan")


def test_predict_with_a_missing_model_dir(tmp_path):
    new = tmp_path / "new.csv"
    pd.DataFrame({"a": [1]}).to_csv(new, index=False)
    _assert_clean_failure(run_cli("predict", tmp_path / "nomodel", new), "nomodel")


def test_group_column_with_a_single_group(tmp_path):
    path = tmp_path / "t.csv"
    make_table(100).assign(shop="only-one").to_csv(path, index=False)
    _assert_clean_failure(_fit(path, "--group-column", "shop"), "at least 3 groups")


def test_binary_class_with_a_single_row(tmp_path):
    path = tmp_path / "t.csv"
    frame = make_table(100)
    frame["churn"] = ["yes"] + ["no"] * 99
    frame.to_csv(path, index=False)
    _assert_clean_failure(_fit(path), "at least 2 rows of each class")


def test_time_column_that_holds_no_dates(tmp_path):
    path = tmp_path / "t.csv"
    make_table(100).assign(when="someday").to_csv(path, index=False)
    _assert_clean_failure(_fit(path, "--time-column", "when"), "not dates")

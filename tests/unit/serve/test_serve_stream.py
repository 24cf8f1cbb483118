"""Chunks of CSV text typed as the training file was, and the file type checks."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from rightfit.data import ColumnSchema, Schema
from rightfit.errors import DataError
from rightfit.serve import score_file
from rightfit.serve._stream import _typed_like_training

SCHEMA = Schema(
    (
        ColumnSchema("n", "numeric", "float64", "numeric"),
        ColumnSchema("code", "categorical", "int64", "categorical"),
        ColumnSchema("rate", "categorical", "float64", "categorical"),
        ColumnSchema("name", "categorical", "str", "categorical"),
    ),
    None,
    None,
    None,
)


def test_categories_that_were_numbers_in_training_get_the_same_labels():
    raw = pd.DataFrame(
        {"n": ["1.5"], "code": ["7.0"], "rate": ["2"], "name": ["007"]}, dtype=object
    )
    typed = _typed_like_training(raw, SCHEMA)
    # training read 7 (int64) -> label '7', 2.0 (float64) -> '2.0', and '007' as text
    assert typed.loc[0, "code"] == 7 and isinstance(typed.loc[0, "code"], int)
    assert typed.loc[0, "rate"] == 2.0 and isinstance(typed.loc[0, "rate"], float)
    assert typed.loc[0, "name"] == "007" and typed.loc[0, "n"] == "1.5"
    assert raw.loc[0, "code"] == "7.0"  # the raw chunk (copied to the output) is untouched


def test_score_file_writes_chunks_in_order_and_refuses_other_types(tmp_path: Path):
    source = tmp_path / "rows.csv"
    source.write_text("n,extra\n" + "".join(f"{i},x{i}\n" for i in range(10)))
    out = tmp_path / "out.csv"

    def double(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"prediction": pd.to_numeric(frame["n"]) * 2})

    summary = score_file(double, source, out, chunk_rows=3, progress=False)
    assert (summary.rows, summary.chunks) == (10, 4)
    written = pd.read_csv(out)
    assert written.columns.tolist() == ["n", "extra", "prediction"]
    assert written["prediction"].tolist() == [2 * i for i in range(10)]
    (tmp_path / "rows.xlsx").write_bytes(b"x")
    with pytest.raises(DataError, match="CSV"):
        score_file(double, tmp_path / "rows.xlsx", out)


def test_numbers_that_do_not_parse_are_named_once_across_chunks(tmp_path: Path):
    # A file written with decimal commas: every cell of n would be scored as missing.
    source = tmp_path / "rows.csv"
    rows = ['"1,5",7,2,a', "?,7,2,a", ",7,2,a", "2.5,7,2,a", '"3,25",7,2,a']
    source.write_text("n,code,rate,name\n" + "\n".join(rows) + "\n")

    def constant(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"prediction": [0.0] * len(frame)})

    with pytest.warns(UserWarning, match=r"'n': 2 of 5 values are not numbers \(e.g. '1,5'\)"):
        score_file(constant, source, tmp_path / "out.csv", schema=SCHEMA, chunk_rows=2)
    # '?' and empty cells are missing markers, not unreadable numbers: no warning for them.
    clean = tmp_path / "clean.csv"
    clean.write_text("n,code,rate,name\n?,7,2,a\n,7,2,a\n2.5,7,2,a\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_file(constant, clean, tmp_path / "out2.csv", schema=SCHEMA)

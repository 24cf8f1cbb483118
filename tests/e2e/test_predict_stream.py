"""`rightfit predict` streams files in chunks: same output as one pass, Parquet, bounded memory."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests._data import make_table
from tests.e2e._cli import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    import rightfit

    root = tmp_path_factory.mktemp("stream")
    frame = make_table(400, "binary", seed=5)
    model = rightfit.fit(frame, "churn", time_budget=5, models="lightgbm", verbose=0)
    model_dir = model.save(root / "model")
    rows = make_table(2_500, "binary", seed=8).drop(columns="churn")
    rows.loc[::50, "age"] = np.nan
    rows.insert(0, "customer_id", [f"C{i:05d}" for i in range(len(rows))])
    rows.loc[::97, "plan"] = "?"
    path = root / "rows.csv"
    rows.to_csv(path, index=False)
    return {"root": root, "model": model_dir, "rows": path, "python": model}


def test_chunked_output_equals_a_single_chunk(fitted):
    root = fitted["root"]
    whole, chunked = root / "whole.csv", root / "chunked.csv"
    assert run_cli("predict", fitted["model"], fitted["rows"], "--out", whole).returncode == 0
    result = run_cli(
        "predict", fitted["model"], fitted["rows"], "--out", chunked, "--chunk-rows", 333
    )
    assert result.returncode == 0, result.stderr
    assert whole.read_bytes() == chunked.read_bytes()
    scored = pd.read_csv(chunked, keep_default_na=False)
    assert list(scored.columns[:5]) == ["customer_id", "age", "income", "plan", "tenure"]
    assert list(scored.columns[5:]) == ["prediction", "proba_no", "proba_yes"]
    assert scored["customer_id"].tolist() == [f"C{i:05d}" for i in range(2_500)]


def test_predictions_equal_the_python_api(fitted):
    out = fitted["root"] / "api.csv"
    result = run_cli("predict", fitted["model"], fitted["rows"], "--out", out, "--chunk-rows", 500)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    rows = pd.read_csv(fitted["rows"], na_values=["?"])
    expected = fitted["python"].predict_frame(rows.drop(columns="customer_id"))
    np.testing.assert_allclose(scored["proba_yes"], expected["proba_yes"], rtol=1e-12)


def test_parquet_in_and_out_and_gzip_and_stdout(fitted):
    root = fitted["root"]
    source = pd.read_csv(fitted["rows"], keep_default_na=False, dtype=str)
    parquet_in = root / "rows.parquet"
    pd.read_csv(fitted["rows"]).to_parquet(parquet_in, index=False)
    out = root / "scored.parquet"
    result = run_cli("predict", fitted["model"], parquet_in, "--out", out, "--chunk-rows", 700)
    assert result.returncode == 0, result.stderr
    scored = pd.read_parquet(out)
    assert len(scored) == len(source) and "proba_yes" in scored.columns
    gz = root / "rows.csv.gz"
    gz.write_bytes(gzip.compress(fitted["rows"].read_bytes()))
    piped = run_cli("predict", fitted["model"], gz, "--only-predictions", "--chunk-rows", 1000)
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0] == "prediction,proba_no,proba_yes" and len(lines) == len(source) + 1


def test_memory_stays_bounded_on_a_large_file(fitted, tmp_path):
    """Peak memory for 8x the rows grows far less than 8x (the chunks are forgotten)."""
    base = pd.read_csv(fitted["rows"])
    peaks = {}
    for copies in (2, 16):
        big = tmp_path / f"big{copies}.csv"
        pd.concat([base] * copies, ignore_index=True).to_csv(big, index=False)
        code = (
            "import resource, sys\n"
            "from rightfit.cli import main\n"
            "sys.argv = ['rightfit', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        )
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "predict",
                str(fitted["model"]),
                str(big),
                "--out",
                str(tmp_path / "out.parquet"),
                "--chunk-rows",
                "1000",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        peaks[copies] = int(done.stderr.strip().splitlines()[-1])  # KiB
        big.unlink()
    # 5,000 vs 40,000 rows: the larger run may add a little, not 8x the data
    assert peaks[16] < peaks[2] * 1.25, peaks


def test_bad_files_get_one_line_errors(fitted, tmp_path):
    missing = run_cli("predict", fitted["model"], tmp_path / "nope.csv")
    assert missing.returncode == 2 and "not found" in missing.stderr
    wrong_columns = tmp_path / "wrong.csv"
    wrong_columns.write_text("a,b\n1,2\n")
    result = run_cli("predict", fitted["model"], wrong_columns, "--out", tmp_path / "o.csv")
    assert result.returncode == 2 and "missing" in result.stderr
    assert not (tmp_path / "o.csv").exists()
    header_only = tmp_path / "header.csv"
    header_only.write_text("age,income,plan,tenure\n")
    empty = run_cli("predict", fitted["model"], header_only, "--out", tmp_path / "o.csv")
    assert empty.returncode == 2 and "no data rows" in empty.stderr
    assert not (tmp_path / "o.csv").exists()

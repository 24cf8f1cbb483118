"""`rightfit export`: ONNX files that ONNX Runtime scores like rightfit, and MLflow pyfunc dirs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests._data import make_table
from tests.e2e._cli import run_cli

pytestmark = pytest.mark.slow


def with_rare_levels(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Add a categorical column with rare levels (grouped as 'infrequent') and missing values."""
    rng = np.random.default_rng(seed)
    city = rng.choice(
        ["north", "south", "east", "west", "tiny1", "tiny2"],
        len(frame),
        p=[0.4, 0.3, 0.15, 0.13, 0.01, 0.01],
    )
    city = city.astype(object)
    city[rng.random(len(frame)) < 0.05] = None
    return frame.assign(city=city)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    import rightfit

    root = tmp_path_factory.mktemp("export")
    fits = {
        "lightgbm_binary": ("binary", "lightgbm"),
        "linear_multiclass": ("multiclass", "linear"),
        "lightgbm_regression": ("regression", "lightgbm"),
    }
    paths = {}
    for name, (task, family) in fits.items():
        frame = with_rare_levels(make_table(400, task, seed=4), seed=4)
        model = rightfit.fit(frame, "churn", time_budget=5, models=family, verbose=0)
        paths[name] = model.save(root / name)
    return paths


@pytest.fixture(scope="module")
def new_rows():
    rows = with_rare_levels(make_table(300, "binary", seed=21).drop(columns="churn"), seed=21)
    rows.loc[:9, "city"] = "never-seen"  # unseen labels take sklearn's unknown path
    return rows


def onnx_output(path, model, rows) -> np.ndarray:
    import onnxruntime

    from rightfit.export import onnx_feed

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, onnx_feed(model, rows))
    return np.asarray(output, dtype=np.float64)


@pytest.mark.parametrize("name", ["lightgbm_binary", "linear_multiclass"])
def test_onnx_probabilities_equal_rightfits_to_1e_5(bundles, new_rows, tmp_path, name):
    import rightfit

    out = tmp_path / f"{name}.onnx"
    result = run_cli("export", bundles[name], "--format", "onnx", "--out", out)
    assert result.returncode == 0, result.stderr
    model = rightfit.load(bundles[name])
    got = onnx_output(out, model, new_rows)
    np.testing.assert_allclose(got, model.predict_proba(new_rows), rtol=0, atol=1e-5)
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert json.loads(meta["rightfit_classes"]) == list(model.classes_)


def test_onnx_regression_values_equal_rightfits(bundles, new_rows, tmp_path):
    import rightfit
    from rightfit.export import export_onnx

    out = export_onnx(bundles["lightgbm_regression"], tmp_path / "reg.onnx")
    model = rightfit.load(bundles["lightgbm_regression"])
    expected = model.predict(new_rows)
    got = onnx_output(out, model, new_rows).ravel()
    # float32 arithmetic: 1e-5 relative to the size of the values (about 100 here)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_a_model_onnx_cannot_express_is_refused_with_the_fix(bundles, tmp_path):
    from sklearn.dummy import DummyClassifier

    import rightfit

    # A bundle whose final step has no ONNX converter (written by rightfit's own save).
    model = rightfit.load(bundles["lightgbm_binary"])
    pipeline = model.predictor.estimator
    while not hasattr(pipeline, "steps"):  # inside a calibration or ensemble wrapper
        members = getattr(pipeline, "estimators", None)
        pipeline = members[0] if members else pipeline.estimator
    pipeline.steps[-1] = ("model", DummyClassifier().fit([[0], [1]], [0, 1]))
    model.record["chosen"]["members"] = [{"family": "dummy"}]
    odd = model.save(tmp_path / "odd-model")
    out = tmp_path / "odd.onnx"
    result = run_cli("export", odd, "--format", "onnx", "--out", out)
    assert result.returncode == 2
    assert "dummy" in result.stderr and "--models lightgbm" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_mlflow_directory_loads_in_a_fresh_process(bundles, new_rows, tmp_path):
    import rightfit

    out = tmp_path / "mlflow-model"
    result = run_cli("export", bundles["lightgbm_binary"], "--format", "mlflow", "--out", out)
    assert result.returncode == 0, result.stderr
    assert not list(out.glob("*.pkl"))  # models from code: nothing pickled
    rows_path = tmp_path / "rows.csv"
    new_rows.to_csv(rows_path, index=False)
    code = (
        "import sys, pandas as pd, mlflow.pyfunc\n"
        f"model = mlflow.pyfunc.load_model({str(out)!r})\n"
        f"rows = pd.read_csv({str(rows_path)!r})\n"
        "model.predict(rows).to_csv(sys.stdout, index=False)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    from io import StringIO

    got = pd.read_csv(StringIO(done.stdout))
    expected = rightfit.load(bundles["lightgbm_binary"]).predict_frame(pd.read_csv(rows_path))
    assert list(got.columns) == list(expected.columns)
    assert list(got["prediction"]) == list(expected["prediction"])
    np.testing.assert_allclose(got["proba_yes"], expected["proba_yes"], rtol=1e-9)
    mlmodel = (out / "MLmodel").read_text()
    assert '"name": "plan"' in mlmodel and '"name": "proba_yes"' in mlmodel  # the signature


def test_mlflow_refuses_a_non_empty_out_and_unknown_format(bundles, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    result = run_cli("export", bundles["lightgbm_binary"], "--format", "mlflow", "--out", taken)
    assert result.returncode == 2 and "not an empty directory" in result.stderr
    assert (taken / "notes.txt").read_text() == "mine"
    wrong = run_cli("export", bundles["lightgbm_binary"], "--format", "onxx")
    assert wrong.returncode == 2 and "Did you mean 'onnx'" in wrong.stderr

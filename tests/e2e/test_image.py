"""Images through the real CLI: fit a folder of class subfolders, predict a folder to PRED.csv."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from tests._data import shared_dataset
from tests.e2e._cli import run_cli

pytestmark = pytest.mark.slow


def _photos(root, n_per_class=16, seed=0):
    rng = np.random.default_rng(seed)
    for label, colour in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
        (root / label).mkdir(parents=True)
        for i in range(n_per_class):
            pixels = rng.integers(0, 80, (40, 40, 3), dtype=np.uint8)
            x, y = rng.integers(0, 20, 2)
            pixels[y : y + 16, x : x + 16] = colour
            Image.fromarray(pixels).save(root / label / f"{label}_{i}.png")
    return root


def test_fit_folder_then_predict_folder_writes_pred_csv(tmp_path):
    photos = _photos(tmp_path / "photos")
    fit = run_cli(
        "fit", photos, "--task", "image", "--backbone-weights", "none",
        "--time-budget", 40, "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    assert "keras_cnn" in fit.stdout
    record = json.loads(run_cli("info", tmp_path / "m", "--json").stdout)
    assert record["kind"] == "image"
    assert record["leaderboard"]["entries"][0]["family"] == "keras_cnn"
    pred = run_cli("predict", tmp_path / "m", photos / "red", "--out", tmp_path / "PRED.csv")
    assert pred.returncode == 0, pred.stderr
    out = pd.read_csv(tmp_path / "PRED.csv")
    assert list(out.columns) == ["path", "prediction", "proba_blue", "proba_red"]
    assert len(out) == 16


def test_missing_backbone_weights_file_is_a_one_line_error(tmp_path):
    photos = _photos(tmp_path / "photos", n_per_class=3)
    fit = run_cli(
        "fit", photos, "--task", "image", "--backbone-weights", tmp_path / "absent.h5",
        "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 2
    assert "--backbone-weights" in fit.stderr and "none" in fit.stderr
    assert "Traceback" not in fit.stderr


@pytest.mark.shared
def test_cats_vs_dogs_subset_from_scratch(tmp_path):
    source = shared_dataset("cats_vs_dogs")
    subset = tmp_path / "cats_vs_dogs"
    for label in ("cat", "dog"):
        (subset / label).mkdir(parents=True)
        for path in sorted((source / label).glob("*.jpg"))[:60]:
            (subset / label / path.name).symlink_to(path)
    fit = run_cli(
        "fit", subset, "--task", "image", "--backbone-weights", "none",
        "--time-budget", 90, "--out", tmp_path / "m",
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    record = json.loads(run_cli("info", tmp_path / "m", "--json").stdout)
    assert record["evaluation"]["n_rows"] == 24
    pred = run_cli("predict", tmp_path / "m", subset, "--out", tmp_path / "PRED.csv")
    assert pred.returncode == 0 and len(pd.read_csv(tmp_path / "PRED.csv")) == 120

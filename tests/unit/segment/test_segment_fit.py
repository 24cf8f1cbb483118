"""fit_segments on planted clusters: the right k, stable segments, true profiles, safe bundles."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

import rightfit
from rightfit.errors import ConfigError, DataError
from rightfit.segment import Segmenter, fit_segments

# one shared fit of all four algorithms (about 10 s on a busy 2-core machine)
pytestmark = pytest.mark.slow


def _customers(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    X, truth = make_blobs(n, centers=4, n_features=3, cluster_std=0.8, random_state=seed)
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(n)],
            "age": np.round(40 + 5 * X[:, 0], 1),
            "income": np.round(60 + 8 * X[:, 1], 1),
            "score": np.round(50 + 6 * X[:, 2], 1),
        }
    )
    return frame, truth


@pytest.fixture(scope="module")
def blobs():
    return _customers()


@pytest.fixture(scope="module")
def segmenter(blobs) -> Segmenter:
    return fit_segments(blobs[0], time_budget=20, seed=0)


def test_auto_k_finds_the_planted_clusters(segmenter, blobs):
    record = segmenter.record
    assert record["kind"] == "segmentation"
    assert record["k"] == 4
    assert segmenter.k == 4
    labels = segmenter.predict(blobs[0])
    assert adjusted_rand_score(blobs[1], labels) > 0.95
    assert record["stability"]["chosen"] > 0.9
    assert "customer_id" not in record["features"]  # the id column is set aside


def test_every_algorithm_and_k_has_criteria(segmenter):
    candidates = segmenter.record["candidates"]
    assert {c["algorithm"] for c in candidates} == {"kmeans", "gmm", "agglomerative", "hdbscan"}
    kmeans = {c["k"]: c for c in candidates if c["algorithm"] == "kmeans"}
    assert set(kmeans) >= {2, 3, 4, 5, 6}
    best = max(
        (c for c in candidates if c["silhouette"] is not None), key=lambda c: c["silhouette"]
    )
    assert best["k"] == 4
    assert kmeans[4]["davies_bouldin"] < kmeans[2]["davies_bouldin"]
    assert all(c["bic"] is not None for c in candidates if c["algorithm"] == "gmm")
    assert "silhouette" in segmenter.record["chosen"]["reason"]


def test_profiles_are_true_of_the_data(segmenter, blobs):
    frame = blobs[0]
    labels = segmenter.predict(frame)
    profiles = segmenter.record["profiles"]
    assert sum(p["size"] for p in profiles) == len(frame)
    assert [p["size"] for p in profiles] == sorted((p["size"] for p in profiles), reverse=True)
    for p in profiles:
        inside = frame[labels == p["segment"]]
        assert p["size"] == len(inside)
        for f in p["features"]:
            if f["type"] == "numeric":
                assert f["segment_median"] == pytest.approx(inside[f["feature"]].median())
                assert f["overall_median"] == pytest.approx(frame[f["feature"]].median())
        assert p["sentence"].startswith(f"Segment {p['segment']}, ")
        assert any(f["sets_apart"] for f in p["features"])


def test_map_is_a_small_pca_sample(segmenter):
    segment_map = segmenter.record["map"]
    assert segment_map["method"] == "pca"
    assert len(segment_map["x"]) == len(segment_map["y"]) == len(segment_map["segment"]) <= 2000
    assert 0 < sum(segment_map["explained_variance"]) <= 1


def test_bundle_round_trip_through_rightfit_load(segmenter, blobs, tmp_path):
    path = segmenter.save(tmp_path / "segments")
    record = json.loads((path / "record.json").read_text())
    assert record["kind"] == "segmentation"
    loaded = rightfit.load(path)
    assert isinstance(loaded, Segmenter)
    new_rows = blobs[0].sample(50, random_state=1)
    before = segmenter.predict_frame(new_rows)
    after = loaded.predict_frame(new_rows)
    pd.testing.assert_frame_equal(before, after)
    assert list(after.columns[:1]) == ["segment"]


def test_fixed_k_and_mixture_probabilities(blobs):
    seg = fit_segments(blobs[0], k=3, algorithms="gmm", time_budget=10)
    assert seg.record["k"] == 3 and seg.record["k_requested"] == 3
    out = seg.predict_frame(blobs[0].head(20))
    proba = out[[c for c in out.columns if c.startswith("proba_")]]
    assert proba.shape[1] == 3
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (out["segment"].astype(str) == proba.idxmax(axis=1).str[len("proba_") :]).all()


def test_features_limit_what_is_clustered(blobs):
    seg = fit_segments(
        blobs[0], k=2, features=["age", "income"], algorithms="kmeans", time_budget=5
    )
    assert seg.record["features"] == ["age", "income"]


def test_bad_options_name_the_fix(blobs):
    with pytest.raises(ConfigError, match="auto"):
        fit_segments(blobs[0], k="many", time_budget=5)
    with pytest.raises(ConfigError, match="out of range"):
        fit_segments(blobs[0], k=1, time_budget=5)
    with pytest.raises(ConfigError, match="Did you mean 'income'"):
        fit_segments(blobs[0], features=["incme"], time_budget=5)
    with pytest.raises(ConfigError, match="Did you mean 'kmeans'"):
        fit_segments(blobs[0], algorithms="kmean", time_budget=5)
    with pytest.raises(DataError, match="at least 20"):
        fit_segments(blobs[0].head(10), time_budget=5)
    with pytest.raises(DataError, match="--features"):
        fit_segments(blobs[0][["customer_id"]], time_budget=5)

"""Training, saving, loading and predicting image models on a few dozen tiny generated images."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import rightfit
from rightfit.errors import BundleError, ConfigError
from rightfit.image import fit_image_model, load_image_model

pytestmark = pytest.mark.slow  # TensorFlow start-up and a few epochs of training

SIZE = 32


def make_photos(root, n_per_class: int = 20, seed: int = 0):
    """Two classes: a red square or a blue square on noise, anywhere in the picture."""
    rng = np.random.default_rng(seed)
    for label, colour in (("red", (220, 30, 30)), ("blue", (30, 30, 220))):
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            pixels = rng.integers(0, 80, (40, 48, 3), dtype=np.uint8)
            x, y = rng.integers(0, 24, 2)
            pixels[y : y + 16, x : x + 16] = colour
            Image.fromarray(pixels).save(root / label / f"{label}_{i}.png")
    return root


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    return make_photos(tmp_path_factory.mktemp("images") / "photos")


@pytest.fixture(scope="module")
def cnn_model(photos):
    return fit_image_model(
        photos,
        time_budget=120,
        models="keras_cnn",
        backbone_weights="none",
        image_size=SIZE,
        max_epochs=25,
    )


def test_record_has_what_the_cli_summary_shows(cnn_model):
    record = cnn_model.record
    assert record["kind"] == "image" and record["task"] == "binary"
    assert record["leaderboard"]["entries"][0]["family"] == "keras_cnn"
    assert record["chosen"]["members"][0]["family"] == "keras_cnn"
    assert record["evaluation"]["n_rows"] == 8  # 20 % of 40 images, stratified
    assert record["split"]["validation_rows"] >= 2
    assert cnn_model.classes == ["blue", "red"]


def test_cnn_learns_the_colour(cnn_model, photos):
    frame = cnn_model.predict_source(photos)
    truth = frame["path"].map(lambda p: "red" if "/red/" in p else "blue")
    assert (frame["prediction"] == truth).mean() >= 0.8


def test_bundle_round_trip_predicts_identically(cnn_model, photos, tmp_path):
    cnn_model.save(tmp_path / "m")
    assert (tmp_path / "m" / "model.keras").is_file()
    loaded = rightfit.load(tmp_path / "m")
    before = cnn_model.predict_source(photos)
    after = loaded.predict_source(photos)
    pd.testing.assert_frame_equal(before, after)
    assert list(after.columns) == ["path", "prediction", "proba_blue", "proba_red"]


def test_predict_source_accepts_a_list_and_a_csv(cnn_model, photos, tmp_path):
    files = sorted(str(p) for p in (photos / "red").glob("*.png"))[:3]
    pd.DataFrame({"path": files}).to_csv(tmp_path / "new.csv", index=False)
    from_list = cnn_model.predict_source(files)
    from_csv = cnn_model.predict_source(tmp_path / "new.csv")
    pd.testing.assert_frame_equal(from_list, from_csv)
    np.testing.assert_allclose(from_list.filter(like="proba_").sum(axis=1), 1.0, atol=1e-6)


def test_tampered_network_file_is_refused(cnn_model, tmp_path):
    cnn_model.save(tmp_path / "m")
    path = tmp_path / "m" / "model.keras"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(BundleError, match="checksum"):
        load_image_model(tmp_path / "m")


def test_transfer_learning_from_a_weights_file(photos, tmp_path):
    from rightfit.models._keras_runtime import import_keras

    keras = import_keras()
    backbone = keras.applications.MobileNetV3Small(
        input_shape=(SIZE, SIZE, 3),
        include_top=False,
        weights=None,
        pooling="avg",
        include_preprocessing=True,
    )
    weights = tmp_path / "backbone.weights.h5"
    backbone.save_weights(weights)
    model = fit_image_model(
        photos,
        time_budget=120,
        models="keras_transfer",
        backbone_weights=str(weights),
        image_size=SIZE,
        max_epochs=2,
    )
    entry = model.record["leaderboard"]["entries"][0]
    assert entry["family"] == "keras_transfer" and len(entry["phases"]) == 2
    assert model.record["backbone"] == {
        "name": "mobilenet_v3_small",
        "weights": "file backbone.weights.h5",
    }
    model.save(tmp_path / "m")
    loaded = load_image_model(tmp_path / "m")
    files = sorted(str(p) for p in photos.rglob("*.png"))[:6]
    np.testing.assert_allclose(loaded.predict_proba(files), model.predict_proba(files), atol=1e-6)


def test_unavailable_imagenet_weights_name_both_ways_out(photos, monkeypatch):
    from rightfit.models._keras_runtime import import_keras

    keras = import_keras()

    def offline(*args, weights=None, **kwargs):
        raise Exception("URL fetch failure: [Errno -2] Name or service not known")

    monkeypatch.setattr(keras.applications, "MobileNetV3Small", offline)
    with pytest.raises(ConfigError, match=r"--backbone-weights FILE.*--backbone-weights none"):
        fit_image_model(photos, time_budget=30, image_size=SIZE)


def test_bad_weights_file_and_unknown_options_are_config_errors(photos, tmp_path):
    with pytest.raises(ConfigError, match="neither 'imagenet', 'none' nor an existing file"):
        fit_image_model(photos, backbone_weights=str(tmp_path / "nope.h5"), image_size=SIZE)
    with pytest.raises(ConfigError, match="Did you mean 'keras_cnn'"):
        fit_image_model(photos, models="keras_cnm", backbone_weights="none")
    with pytest.raises(ConfigError, match="Unknown --backbone"):
        fit_image_model(photos, backbone="resnet9000")

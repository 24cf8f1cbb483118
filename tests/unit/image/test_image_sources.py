"""Reading labelled images and prediction sources: folders, CSVs of paths, lists; clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from rightfit.errors import ConfigError, DataError
from rightfit.image import read_labelled_images, read_prediction_source
from rightfit.image._pixels import load_pixels


def _image(path, colour=(200, 20, 20), size=(20, 16)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size[1], size[0], 3), colour, np.uint8)).save(path)
    return path


def test_class_subfolders_become_labels(tmp_path):
    for label in ("cat", "dog"):
        for i in range(3):
            _image(tmp_path / "photos" / label / f"{i}.png")
    (tmp_path / "photos" / "notes.txt").write_text("not an image")
    frame = read_labelled_images(tmp_path / "photos")
    assert sorted(frame["label"].unique()) == ["cat", "dog"] and len(frame) == 6


def test_a_single_class_folder_names_the_expected_layout(tmp_path):
    _image(tmp_path / "photos" / "cat" / "0.png")
    with pytest.raises(DataError, match="one subfolder per class"):
        read_labelled_images(tmp_path / "photos")


def test_csv_of_relative_paths_and_labels(tmp_path):
    for i in range(4):
        _image(tmp_path / "img" / f"{i}.jpg")
    pd.DataFrame({"file": [f"img/{i}.jpg" for i in range(4)], "kind": ["a", "b", "a", "b"]}).to_csv(
        tmp_path / "train.csv", index=False
    )
    frame = read_labelled_images(tmp_path / "train.csv", "kind")
    assert frame["path"].map(lambda p: p.startswith(str(tmp_path))).all()
    with pytest.raises(ConfigError, match="Did you mean 'kind'"):
        read_labelled_images(tmp_path / "train.csv", "kinds")


def test_csv_with_missing_files_lists_them(tmp_path):
    pd.DataFrame({"path": ["gone.png", "lost.png"], "label": ["a", "b"]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    with pytest.raises(DataError, match=r"2 image path.*gone\.png.*relative to the CSV"):
        read_labelled_images(tmp_path / "t.csv", "label")


def test_prediction_sources_folder_list_and_csv(tmp_path):
    paths = [_image(tmp_path / "new" / f"{i}.png") for i in range(3)]
    assert read_prediction_source(tmp_path / "new") == sorted(map(str, paths))
    assert read_prediction_source([str(p) for p in paths[:2]]) == [str(p) for p in paths[:2]]
    pd.DataFrame({"path": [p.name for p in paths]}).to_csv(tmp_path / "new" / "list.csv")
    assert read_prediction_source(tmp_path / "new" / "list.csv") == [str(p) for p in paths]
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no images"):
        read_prediction_source(tmp_path / "empty")


def test_unreadable_image_is_named(tmp_path):
    good = _image(tmp_path / "a.png")
    bad = tmp_path / "b.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"b\.png"):
        load_pixels([str(good), str(bad)], 8)
    assert load_pixels([str(good)], 8).shape == (1, 8, 8, 3)

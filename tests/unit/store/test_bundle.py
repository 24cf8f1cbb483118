import hashlib
import json
import os

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import skops.io
import xgboost as xgb
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
)
from sklearn.svm import SVC

from rightfit.errors import BundleError
from rightfit.store import (
    BUNDLE_FORMAT,
    FORMAT_VERSION,
    _atomic,
    load_bundle,
    read_record,
    save_bundle,
)

RNG = np.random.default_rng(0)
N = 200
FRAME = pd.DataFrame(
    {
        "a": np.where(RNG.random(N) < 0.1, np.nan, RNG.normal(size=N)),
        "b": RNG.normal(size=N),
        "c": RNG.choice(["x", "y", "z"], N),
        "d": RNG.choice(["p", "q"], N),
    }
)
CATEGORICAL = FRAME.assign(c=FRAME.c.astype("category"), d=FRAME.d.astype("category"))
X = RNG.normal(size=(N, 4))
Y = (X[:, 0] + (FRAME.c == "x") > 0.3).astype(int).to_numpy()
Y_REG = 2 * X[:, 1] + RNG.normal(size=N)


class ForeignClassifier(ClassifierMixin, BaseEstimator):
    """A custom estimator outside rightfit: bundles must refuse it unless trusted explicitly."""

    def __init__(self, bias=0.0):
        self.bias = bias

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def _pipeline():
    pre = ColumnTransformer(
        [
            (
                "num",
                Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]),
                ["a", "b"],
            ),
            ("onehot", OneHotEncoder(handle_unknown="ignore"), ["c"]),
            (
                "ordinal",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                ["d"],
            ),
        ]
    )
    return Pipeline([("pre", pre), ("model", LogisticRegression())])


CASES = {
    "pipeline_logistic": (_pipeline, FRAME, Y),
    "random_forest": (lambda: RandomForestClassifier(20, random_state=0), X, Y),
    "extra_trees_regressor": (lambda: ExtraTreesRegressor(20, random_state=0), X, Y_REG),
    "knn": (KNeighborsClassifier, X, Y),
    "svc_probability": (lambda: SVC(probability=True, random_state=0), X, Y),
    "svc_calibrated": (lambda: CalibratedClassifierCV(SVC(), ensemble=False), X, Y),
    "lgbm_classifier_numpy": (lambda: lgb.LGBMClassifier(n_estimators=20, verbose=-1), X, Y),
    "lgbm_classifier_pandas": (
        lambda: lgb.LGBMClassifier(n_estimators=20, verbose=-1),
        CATEGORICAL,
        Y,
    ),
    "lgbm_regressor_numpy": (lambda: lgb.LGBMRegressor(n_estimators=20, verbose=-1), X, Y_REG),
    "lgbm_regressor_pandas": (
        lambda: lgb.LGBMRegressor(n_estimators=20, verbose=-1),
        CATEGORICAL,
        Y_REG,
    ),
    "xgb_classifier": (lambda: xgb.XGBClassifier(n_estimators=20, n_jobs=1), X, Y),
    "xgb_classifier_categorical": (
        lambda: xgb.XGBClassifier(n_estimators=20, enable_categorical=True, n_jobs=1),
        CATEGORICAL,
        Y,
    ),
    "xgb_regressor": (lambda: xgb.XGBRegressor(n_estimators=20, n_jobs=1), X, Y_REG),
}


def _output(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


# SVC(probability=True) is deprecated in scikit-learn 1.9; it must still round-trip meanwhile.
@pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")
@pytest.mark.parametrize("case", CASES)
def test_round_trip_gives_identical_predictions(tmp_path, case):
    make, X_fit, y_fit = CASES[case]
    model = make().fit(X_fit, y_fit)
    save_bundle(tmp_path / "model", model, {"case": case})
    loaded, record = load_bundle(tmp_path / "model")
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(_output(loaded, X_fit), _output(model, X_fit))
    assert record["case"] == case


def _save_dummy(path, **record):
    model = DummyClassifier().fit([[0], [1]], [0, 1])
    return save_bundle(path, model, record)


def test_record_holds_format_checksum_and_versions(tmp_path):
    path = _save_dummy(tmp_path / "m", target="y")
    record = json.loads((path / "record.json").read_text())
    assert record["format"] == BUNDLE_FORMAT and record["format_version"] == FORMAT_VERSION
    digest = hashlib.sha256((path / "model.skops").read_bytes()).hexdigest()
    assert record["model_sha256"] == digest
    assert {"python", "numpy", "sklearn", "skops"} <= set(record["versions"])
    assert read_record(path)["target"] == "y"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary leftovers


def test_saving_over_a_bundle_replaces_it(tmp_path):
    _save_dummy(tmp_path / "m", run=1)
    _save_dummy(tmp_path / "m", run=2)
    assert read_record(tmp_path / "m")["run"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_saving_into_an_empty_directory_works(tmp_path):
    (tmp_path / "m").mkdir()
    _save_dummy(tmp_path / "m", run=1)
    assert read_record(tmp_path / "m")["run"] == 1


def test_refuses_to_overwrite_a_directory_that_is_not_a_bundle(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "thesis.docx").write_text("years of work")
    with pytest.raises(BundleError, match="not a rightfit bundle; choose another --out"):
        _save_dummy(tmp_path / "m")
    assert (tmp_path / "m" / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_refuses_to_overwrite_a_file(tmp_path):
    (tmp_path / "m").write_text("data")
    with pytest.raises(BundleError, match="is a file"):
        _save_dummy(tmp_path / "m")


def test_a_crash_while_writing_keeps_the_old_bundle(tmp_path, monkeypatch):
    _save_dummy(tmp_path / "m", run=1)

    def crash(path, data):
        raise OSError("disk full")

    monkeypatch.setattr("rightfit.store._bundle.write_synced", crash)
    with pytest.raises(OSError, match="disk full"):
        _save_dummy(tmp_path / "m", run=2)
    assert load_bundle(tmp_path / "m")[1]["run"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_failed_swap_puts_the_old_bundle_back(tmp_path, monkeypatch):
    _save_dummy(tmp_path / "m", run=1)
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append(src)
        if len(calls) == 2:  # the old bundle has been moved aside; moving the new one in fails
            raise OSError("power cut")
        real_rename(src, dst)

    monkeypatch.setattr(_atomic.os, "rename", rename)
    with pytest.raises(OSError, match="power cut"):
        _save_dummy(tmp_path / "m", run=2)
    assert load_bundle(tmp_path / "m")[1]["run"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_record_must_be_strict_json(tmp_path):
    with pytest.raises(BundleError, match="to_dict"):
        _save_dummy(tmp_path / "m", score=float("nan"))
    assert not (tmp_path / "m").exists()


def test_tampered_model_fails_the_checksum(tmp_path):
    path = _save_dummy(tmp_path / "m")
    data = bytearray((path / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (path / "model.skops").write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"does not match the checksum.*Re-run `rightfit fit`"):
        load_bundle(path)


def _forge(path, model):
    """Replace a bundle's model with ``model`` and fix up the checksum, as an attacker would."""
    data = skops.io.dumps(model)
    (path / "model.skops").write_bytes(data)
    record = json.loads((path / "record.json").read_text())
    record["model_sha256"] = hashlib.sha256(data).hexdigest()
    (path / "record.json").write_text(json.dumps(record))


def test_foreign_class_is_refused_even_with_a_valid_checksum(tmp_path):
    path = _save_dummy(tmp_path / "m")
    _forge(path, ForeignClassifier().fit([[0], [1]], [0, 1]))
    name = f"{ForeignClassifier.__module__}.ForeignClassifier"
    with pytest.raises(BundleError, match=f"outside rightfit's allowlist: {name}"):
        load_bundle(path)
    model, _ = load_bundle(path, extra_trusted_prefixes=(ForeignClassifier.__module__ + ".",))
    assert isinstance(model, ForeignClassifier)


@pytest.mark.parametrize(
    ("func", "name"), [(eval, "builtins.eval"), (os.system, "system"), (np.load, "numpy.load")]
)
def test_dangerous_functions_are_refused(tmp_path, func, name):
    path = _save_dummy(tmp_path / "m")
    _forge(path, FunctionTransformer(func))
    with pytest.raises(BundleError, match=f"Refusing to load.*{name}.*tampered with"):
        load_bundle(path)


def test_numpy_memmap_constructor_is_refused(tmp_path):
    path = _save_dummy(tmp_path / "m")
    _forge(path, {"array": np.memmap(tmp_path / "x.dat", dtype="uint8", mode="w+", shape=(4,))})
    with pytest.raises(BundleError, match=r"numpy\.memmap"):
        load_bundle(path)


def test_saving_a_model_that_could_not_be_loaded_is_refused(tmp_path):
    with pytest.raises(BundleError, match=r"Refusing to save.*ForeignClassifier"):
        save_bundle(tmp_path / "m", ForeignClassifier().fit([[0]], [0]), {})
    assert not (tmp_path / "m").exists()


def test_missing_bundle_names_the_path(tmp_path):
    with pytest.raises(BundleError, match=r"does not exist\. Pass the directory written by"):
        load_bundle(tmp_path / "nowhere")


def test_missing_bundle_mentions_leftovers_of_an_interrupted_save(tmp_path):
    (tmp_path / ".m.old-1234abcd").mkdir()
    with pytest.raises(BundleError, match=r"interrupted save left .*\.m\.old-1234abcd"):
        load_bundle(tmp_path / "m")


@pytest.mark.parametrize("missing", ["record.json", "model.skops"])
def test_missing_file_names_the_fix(tmp_path, missing):
    path = _save_dummy(tmp_path / "m")
    (path / missing).unlink()
    with pytest.raises(BundleError, match=f"{missing}' is missing.*Re-run `rightfit fit`"):
        load_bundle(path)


@pytest.mark.parametrize(
    ("record_text", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "something-else"}', "not a rightfit bundle record"),
        ('{"format": "rightfit-bundle", "format_version": "one"}', "invalid format_version"),
        ('{"format": "rightfit-bundle", "format_version": 99}', "newer rightfit.*pip install -U"),
    ],
)
def test_bad_records_are_explained(tmp_path, record_text, message):
    path = _save_dummy(tmp_path / "m")
    (path / "record.json").write_text(record_text)
    with pytest.raises(BundleError, match=message):
        read_record(path)


def test_garbage_model_file_with_matching_checksum(tmp_path):
    path = _save_dummy(tmp_path / "m")
    (path / "model.skops").write_bytes(b"not a zip file")
    record = json.loads((path / "record.json").read_text())
    record["model_sha256"] = hashlib.sha256(b"not a zip file").hexdigest()
    (path / "record.json").write_text(json.dumps(record))
    with pytest.raises(BundleError, match="cannot be read as a skops file"):
        load_bundle(path)

"""Free text is model input: prepare_features, cleaning, preprocessing and the text_tfidf family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score
from tests._data import make_table

from rightfit.clean import clean_table
from rightfit.data import infer_schema, prepare_features
from rightfit.models import FitContext, column_counts, get_spec, predict_output
from rightfit.models.preprocess import ColumnsOfKind, TextTfidf, dense_preprocessor
from rightfit.profile import profile_table
from rightfit.store import load_bundle, save_bundle

SPAM = ["win a free prize now", "claim your cash reward today", "free entry call now to win"]
HAM = ["see you at lunch later", "can you pick up milk", "running late be there soon"]


def _messages(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    label = rng.choice(["spam", "ham"], n, p=[0.3, 0.7])
    text = [
        f"{rng.choice(SPAM if lab == 'spam' else HAM)} {rng.choice(['ok', 'pls', 'thx'])} #{i}"
        for i, lab in enumerate(label)
    ]
    return pd.DataFrame({"message": text, "label": label})


def _mixed(n: int = 300) -> pd.DataFrame:
    frame = make_table(n, "binary")
    rng = np.random.default_rng(1)
    frame["comment"] = [
        f"{rng.choice(HAM if c == 'no' else SPAM)} and some more words, ticket {i}"
        for i, c in enumerate(frame["churn"])
    ]
    frame.loc[::17, "comment"] = None
    return frame


def _prepared(frame: pd.DataFrame, target: str):
    schema = infer_schema(frame, target)
    cleaned = clean_table(frame, schema, profile_table(frame, schema))
    X = prepare_features(cleaned.frame, cleaned.schema)
    y = np.searchsorted(np.unique(cleaned.frame[target]), cleaned.frame[target])
    return cleaned, X, y


def test_text_column_is_kept_logged_and_prepared_as_str():
    cleaned, X, _ = _prepared(_messages(), "label")
    assert cleaned.schema.column("message").role == "text"
    assert cleaned.schema.feature_columns() == ["message"]
    actions = [c.action for c in cleaned.log.changes]
    assert "use_text_column" in actions and "set_aside_text_column" not in actions
    assert X["message"].dtype.name == "str"
    assert column_counts(X) == (0, 0)


def test_empty_text_cells_become_missing():
    frame = _mixed(120)
    frame.loc[0, "comment"] = "   "
    _cleaned, X, _ = _prepared(frame, "churn")
    assert pd.isna(X.loc[0, "comment"]) and pd.isna(X.loc[17, "comment"])
    assert column_counts(X) == (3, 1)  # age, income, tenure | plan; comment is neither


def test_selectors_separate_labels_from_text():
    _, X, _ = _prepared(_mixed(120), "churn")
    assert ColumnsOfKind("text")(X) == ["comment"]
    assert ColumnsOfKind("categorical")(X) == ["plan"]
    width = dense_preprocessor(len(X)).fit_transform(X).shape[1]
    assert width > 10  # numbers, indicators, one-hot plan, SVD components of the text


def test_tfidf_handles_all_missing_text_and_char_ngrams():
    empty = pd.DataFrame({"t": pd.Series([np.nan] * 5, dtype=pd.StringDtype(na_value=np.nan))})
    assert TextTfidf().fit_transform(empty).shape == (5, 1)
    X = pd.DataFrame({"t": ["free prize", "free prize now", "lunch later", "later lunch ok"]})
    words = TextTfidf(word_ngrams=1).fit(X).get_feature_names_out()
    both = TextTfidf(word_ngrams=1, char_ngrams=True).fit(X).get_feature_names_out()
    assert set(words) < set(both) and any(n.startswith("char_wb:") for n in both)
    assert TextTfidf(svd_components=2).fit_transform(X).shape == (4, 2)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_text_tfidf_family_learns_from_text_only(task):
    frame = _messages(300)
    if task == "multiclass":
        frame.loc[frame.index % 3 == 0, "label"] = "other"
        frame.loc[frame["label"] == "other", "message"] = "meeting moved to friday ok"
    target = "label"
    _cleaned, X, y = _prepared(frame, target)
    spec = get_spec("text_tfidf")
    n_classes = None if task == "regression" else int(y.max()) + 1
    if task == "regression":
        y = y.astype(float) * 10.0
    ctx = FitContext(task, len(X), 0, 0, n_classes=n_classes, n_jobs=1)
    for params in spec.portfolio(ctx):
        est = spec.build(params, ctx).fit(X.iloc[:200], y[:200])
        out = predict_output(est, X.iloc[200:], task, n_classes)
        if task == "regression":
            assert np.corrcoef(out, y[200:])[0, 1] > 0.9
        else:
            assert accuracy_score(y[200:], out.argmax(axis=1)) > 0.9


@pytest.mark.parametrize("family", ["text_tfidf", "linear", "lightgbm", "random_forest", "knn"])
def test_mixed_table_with_text_fits_every_kind_of_family(family, tmp_path):
    _, X, y = _prepared(_mixed(), "churn")
    spec = get_spec(family)
    n_numeric, n_categorical = column_counts(X)
    ctx = FitContext("binary", len(X), n_numeric, n_categorical, n_classes=2, n_jobs=1)
    est = spec.build(spec.portfolio(ctx)[0], ctx)
    est.fit(X.iloc[:240], y[:240], **spec.fit_params(ctx))
    out = predict_output(est, X.iloc[240:], "binary", 2)
    assert accuracy_score(y[240:], out.argmax(axis=1)) > 0.75
    save_bundle(tmp_path / "m", est, {"target": "churn"})
    loaded, _ = load_bundle(tmp_path / "m")
    np.testing.assert_allclose(predict_output(loaded, X.iloc[240:], "binary", 2), out)

"""The small-batch prediction fast path and the batch route give the scikit-learn path's
outputs, for every family."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

from rightfit.data import infer_schema, prepare_features, read_target
from rightfit.ensemble import WeightedEnsemble
from rightfit.errors import SchemaMismatchError
from rightfit.models import (
    FitContext,
    TabularPredictor,
    build_estimator,
    column_counts,
    family_names,
    get_spec,
    predict_output,
    single_threaded,
)
from rightfit.models._fast import MAX_ROWS, NotCompilable, compile_fast_path

TASKS = ("binary", "multiclass", "regression")
# Families whose every part compiles; others (text models) must still give the same outputs.
COMPILED = {"linear", "random_forest", "extra_trees", "lightgbm", "xgboost", "knn", "svm"}
CASES = [
    (name, task)
    for name in family_names()
    for task in get_spec(name).tasks
    # neural families take seconds to import and fit; the contract tests cover them
    if not getattr(get_spec(name), "neural", False)
]


def raw_table(n: int = 240, task: str = "binary", seed: int = 0) -> pd.DataFrame:
    """Numeric (with gaps), boolean, a categorical with rare levels, and the target."""
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n).round()
    income = rng.lognormal(10, 0.6, n)
    income[rng.random(n) < 0.1] = np.nan
    plan = rng.choice(
        ["basic", "plus", "premium", "gold", "x1", "x2"], n, p=[0.4, 0.3, 0.2, 0.06, 0.02, 0.02]
    )
    city = rng.choice([f"c{i}" for i in range(12)], n).astype(object)
    city[rng.random(n) < 0.07] = None
    member = rng.choice(["yes", "no"], n)
    signal = (
        0.05 * (age - 40) + (plan == "premium") + 0.5 * (member == "yes") + rng.normal(0, 0.6, n)
    )
    frame = pd.DataFrame(
        {"age": age, "income": income, "plan": plan, "city": city, "member": member}
    )
    if task == "binary":
        frame["label"] = np.where(signal > np.median(signal), "good", "bad")
    elif task == "multiclass":
        frame["label"] = np.digitize(signal, np.quantile(signal, [0.33, 0.66])).astype(str)
    else:
        frame["label"] = np.exp(4 + 0.3 * signal)  # positive and skewed: log target applies
    return frame


def fit_member(frame: pd.DataFrame, schema, family: str, params: dict | None = None):
    X = prepare_features(frame, schema)
    y = read_target(frame, schema)
    if schema.task != "regression":
        y = pd.Series(pd.Categorical(y, categories=list(schema.classes)).codes)
    n_numeric, n_categorical = column_counts(X)
    ctx = FitContext(
        task=schema.task,
        n_rows=len(X),
        n_numeric=n_numeric,
        n_categorical=n_categorical,
        n_classes=None if schema.task == "regression" else len(schema.classes),
        n_jobs=1,
    )
    spec = get_spec(family)
    params = {**spec.portfolio(ctx)[0], **(params or {})}
    estimator = build_estimator(family, params, ctx)
    estimator.fit(X, y.to_numpy(), **spec.fit_params(ctx))
    return single_threaded(estimator)


def sklearn_output(predictor: TabularPredictor, frame: pd.DataFrame) -> np.ndarray:
    schema = predictor.schema
    n_classes = None if schema.task == "regression" else len(schema.classes)
    return predict_output(
        predictor.estimator, prepare_features(frame, schema), schema.task, n_classes
    )


def surprising_rows(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Rows from the table with missing cells, unseen labels, text in numeric columns, odd
    spacing, and columns in another order."""
    rng = np.random.default_rng(seed)
    rows = frame.drop(columns="label").sample(n, random_state=seed, replace=True).astype(object)
    for column in rows.columns:
        odd = rng.random(n)
        rows.loc[odd < 0.15, column] = None
        rows.loc[(odd >= 0.15) & (odd < 0.22), column] = rng.choice(
            ["never-seen", " 12 ", "", "?", "abc", " premium", "YES"]
        )
    rows.loc[rng.random(n) < 0.1, "age"] = np.inf
    return rows[list(rng.permutation(rows.columns))].reset_index(drop=True)


def assert_same(predictor: TabularPredictor, rows: pd.DataFrame) -> None:
    """Batches of up to 64 rows take the fast path too, so one batch covers every row; a few
    single rows check the one-row shapes; the rows repeated past MAX_ROWS take the batch
    route."""
    for start in range(0, len(rows), 9):
        one = rows.iloc[[start]]
        np.testing.assert_allclose(
            predictor.output(one), sklearn_output(predictor, one), rtol=1e-9, atol=1e-12
        )
    np.testing.assert_allclose(
        predictor.output(rows), sklearn_output(predictor, rows), rtol=1e-9, atol=1e-12
    )
    batch = pd.concat([rows] * (MAX_ROWS // len(rows) + 2), ignore_index=True)
    np.testing.assert_allclose(
        predictor.output(batch), sklearn_output(predictor, batch), rtol=1e-9, atol=1e-12
    )
    if predictor.prepare_fast_path():  # a compiled model has its batch route too
        assert predictor._fast_path.batch_member is not None


@pytest.fixture(scope="module")
def tables() -> dict:
    out = {}
    for task in TASKS:
        frame = raw_table(task=task)
        out[task] = (frame, infer_schema(frame, target="label", task=task))
    return out


@pytest.mark.parametrize(("family", "task"), CASES)
def test_every_family_gives_the_sklearn_outputs_on_surprising_rows(family, task, tables):
    frame, schema = tables[task]
    params = {"n_estimators": 25} if family in ("random_forest", "extra_trees") else None
    predictor = TabularPredictor(fit_member(frame, schema, family, params), schema)
    assert predictor.prepare_fast_path() or family not in COMPILED
    assert_same(predictor, surprising_rows(frame, 40, seed=1))


def test_log_target_and_weighted_ensemble_match(tables):
    frame, schema = tables["regression"]
    members = [
        fit_member(frame, schema, "lightgbm", {"log_target": True}),
        fit_member(frame, schema, "linear"),
        fit_member(frame, schema, "extra_trees", {"n_estimators": 20, "log_target": True}),
    ]
    ensemble = WeightedEnsemble.from_fitted(members, [0.5, 0.2, 0.3], "regression", None)
    predictor = TabularPredictor(ensemble, schema)
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 30, seed=2))


@pytest.mark.parametrize("family", ["lightgbm", "xgboost"])
def test_poisson_boosters_match(tables, family):
    # The booster applies the Poisson objective's exp itself; the fast path must not skip it.
    frame, schema = tables["regression"]
    member = fit_member(frame, schema, family, {"objective": "poisson"})
    predictor = TabularPredictor(member, schema)
    assert "poisson" in predictor.estimator[-1].objective
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 30, seed=4))


def test_multiclass_ensemble_matches(tables):
    frame, schema = tables["multiclass"]
    members = [fit_member(frame, schema, f) for f in ("xgboost", "linear", "knn")]
    ensemble = WeightedEnsemble.from_fitted(members, [0.6, 0.3, 0.1], "multiclass", 3)
    predictor = TabularPredictor(ensemble, schema)
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 30, seed=3))


def test_string_dtype_nullable_and_categorical_inputs_match(tables):
    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "lightgbm"), schema)
    rows = frame.drop(columns="label").head(20).copy()
    variants = [
        rows.astype({"plan": "str", "city": "str", "member": "str"}),
        rows.astype({"plan": object, "city": object, "member": "category"}),
        rows.assign(age=rows["age"].astype("Int64"), income=rows["income"].astype("Float64")),
        rows.assign(age=rows["age"].astype(str), member=rows["member"] == "yes"),
        rows.assign(age=rows["age"].astype("float32")),
    ]
    for variant in variants:
        assert_same(predictor, variant)


def test_the_fast_path_and_the_batch_route_skip_the_column_transformer(tables, monkeypatch):
    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "lightgbm"), schema)
    predictor.prepare_fast_path()
    row = frame.drop(columns="label").iloc[[3]]
    batch = frame.drop(columns="label").head(65)  # above MAX_ROWS: the batch route
    expected_row, expected_batch = sklearn_output(predictor, row), sklearn_output(predictor, batch)

    def refuse(*args, **kwargs):
        raise AssertionError("the scikit-learn preprocessing ran")

    monkeypatch.setattr(ColumnTransformer, "transform", refuse)
    np.testing.assert_allclose(predictor.output(row), expected_row, rtol=1e-9)
    np.testing.assert_allclose(predictor.output(batch), expected_batch, rtol=1e-9)
    predictor._fast_path.batch_member = None  # a model without a batch route: scikit-learn
    predictor.__dict__["_last_batch"] = None
    with pytest.raises(AssertionError, match="scikit-learn preprocessing"):
        predictor.output(batch)


def test_unknown_and_missing_columns_behave_as_the_sklearn_path(tables):
    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "linear"), schema)
    rows = frame.drop(columns="label").head(3)
    with pytest.warns(UserWarning, match="not trained on"):
        out = predictor.output(rows.assign(extra=1))
    np.testing.assert_allclose(out, sklearn_output(predictor, rows), rtol=1e-9)
    with pytest.warns(UserWarning, match="not trained on"):  # warned again, not cached away
        predictor.output(rows.assign(extra=1))
    with pytest.raises(SchemaMismatchError, match="missing 1 column"):
        predictor.output(rows.drop(columns="plan"))
    with pytest.raises(SchemaMismatchError, match="duplicated"):
        predictor.output(pd.concat([rows, rows[["plan"]]], axis=1))
    assert predictor.output(rows.assign(label="good")).shape == (3, 2)  # target column ignored


@pytest.mark.parametrize(
    ("wrong", "few_rows_kept", "message"),
    [
        ("compile_final", False, "differs from the scikit-learn path"),  # no fast path at all
        ("_own_method", True, "batch route disabled"),  # the few-row path stays
    ],
)
def test_a_wrong_compiled_route_is_caught_and_scikit_learn_kept(
    tables, monkeypatch, caplog, wrong, few_rows_kept, message
):
    from rightfit.models._fast import _compile

    frame, schema = tables["regression"]
    predictor = TabularPredictor(fit_member(frame, schema, "linear"), schema)
    real = getattr(_compile, wrong)
    monkeypatch.setattr(_compile, wrong, lambda est, cls: lambda X: real(est, cls)(X) + 1e-6)
    assert predictor.prepare_fast_path() is few_rows_kept
    assert few_rows_kept is False or predictor._fast_path.batch_member is None
    assert message in caplog.text
    for n in (2, 100):  # a few rows, then a batch; 1e-10 would catch the 1e-6 added above
        rows = surprising_rows(frame, n, seed=6)
        np.testing.assert_allclose(
            predictor.output(rows), sklearn_output(predictor, rows), rtol=1e-10
        )


@pytest.mark.parametrize("family", ["lightgbm", "linear"])
def test_datetime_columns_match(family):
    frame = raw_table(150)
    frame["signup"] = pd.date_range("2020-01-01", periods=len(frame), freq="37h").astype(str)
    schema = infer_schema(frame, target="label")
    assert "datetime" in {c.role for c in schema.columns}
    predictor = TabularPredictor(fit_member(frame, schema, family), schema)
    assert predictor.prepare_fast_path()
    rows = surprising_rows(frame, 30, seed=5)
    rows.loc[3, "signup"] = "not a date"
    assert_same(predictor, rows)
    stamps = frame.drop(columns="label").head(5)
    assert_same(predictor, stamps.assign(signup=pd.to_datetime(stamps["signup"])))
    assert_same(predictor, stamps.assign(signup=pd.to_datetime(stamps["signup"], utc=True)))


def test_predictor_pickles_without_its_compiled_path(tables):
    import copy
    import pickle

    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "linear"), schema)
    predictor.prepare_fast_path()
    twin = pickle.loads(pickle.dumps(predictor))
    rows = frame.drop(columns="label").head(2)
    np.testing.assert_allclose(twin.output(rows), predictor.output(rows))
    assert copy.deepcopy(predictor).prepare_fast_path()


@pytest.mark.parametrize(
    ("task", "method", "params"),
    [
        ("binary", "sigmoid", {"a": 1.3, "b": -0.2}),
        ("binary", "isotonic", {"x": [0.0, 0.3, 0.6, 1.0], "y": [0.05, 0.2, 0.7, 0.9]}),
        ("multiclass", "temperature", {"temperature": 1.7}),
    ],
)
def test_calibrated_models_match(tables, task, method, params):
    from rightfit.models._calibrated import CalibratedModel

    frame, schema = tables[task]
    inner = fit_member(frame, schema, "lightgbm")
    predictor = TabularPredictor(CalibratedModel.from_params(inner, method, params), schema)
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 20, seed=4))


def test_object_values_are_pandas_own_cells_for_every_dtype():
    from rightfit.models._fast._rows import object_values

    frame = pd.DataFrame(
        {
            "i": [1, 2],
            "f32": np.array([1.5, np.nan], dtype="float32"),
            "b": [True, False],
            "o": pd.Series(["a", None], dtype=object),
            "s": pd.Series(["x", None], dtype="str"),
            "s_python": pd.Series(["x", None], dtype=pd.StringDtype("python")),
            "I": pd.array([1, None], dtype="Int64"),
            "F": pd.array([0.5, None], dtype="Float64"),
            "B": pd.array([True, None], dtype="boolean"),
            "cat": pd.Categorical(["u", None]),
            "when": pd.to_datetime(["2020-01-01", None]),
            "when_tz": pd.to_datetime(["2020-01-01", None]).tz_localize("UTC"),
            "delta": pd.to_timedelta([1, None], unit="D"),
            "c": np.array([1 + 2j, 3j]),
        }
    )
    frame.insert(2, "i2", [7, 8])  # a second int column, split from the first block
    for part in (frame, frame.iloc[[1]], frame.iloc[:, ::-1]):
        got, expected = object_values(part), part.to_numpy(dtype=object)
        assert got.shape == expected.shape
        for a, b in zip(got.ravel(), expected.ravel(), strict=True):
            assert type(a) is type(b) and repr(a) == repr(b)


def test_a_predictor_without_estimator_still_says_not_fitted(tables):
    from rightfit.errors import NotFittedError

    frame, schema = tables["binary"]
    predictor = TabularPredictor(None, schema)
    assert predictor.prepare_fast_path() is False
    with pytest.raises(NotFittedError, match="no fitted estimator"):
        predictor.output(frame.head(1))


def test_a_new_estimator_gets_a_new_fast_path(tables):
    frame, schema = tables["regression"]
    predictor = TabularPredictor(fit_member(frame, schema, "linear"), schema)
    rows = frame.drop(columns="label").head(3)
    before = predictor.output(rows)
    predictor.estimator = fit_member(frame, schema, "lightgbm")
    after = predictor.output(rows)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, sklearn_output(predictor, rows), rtol=1e-9)


def test_text_columns_keep_the_sklearn_path():
    from dataclasses import replace

    frame = raw_table(150)
    rng = np.random.default_rng(6)
    words = np.array(["great", "slow", "service", "price", "friendly", "late", "never", "again"])
    frame["review"] = [" ".join(rng.choice(words, 5)) for _ in range(len(frame))]
    schema = infer_schema(frame, target="label")
    columns = tuple(
        replace(c, role="text", reason="free text") if c.name == "review" else c
        for c in schema.columns
    )
    schema = replace(schema, columns=columns)
    predictor = TabularPredictor(fit_member(frame, schema, "lightgbm"), schema)
    with pytest.raises(NotCompilable, match="the schema has text columns"):
        compile_fast_path(predictor.estimator, schema)
    assert predictor.prepare_fast_path() is False
    rows = frame.drop(columns="label").head(3)
    np.testing.assert_allclose(predictor.output(rows), sklearn_output(predictor, rows))


@pytest.mark.parametrize("family", ["lightgbm", "linear", "random_forest"])
def test_a_member_that_saw_only_some_classes_is_widened_like_predict_output(tables, family):
    frame, schema = tables["multiclass"]
    seen = frame[frame["label"] != schema.classes[1]]
    params = {"n_estimators": 10} if family == "random_forest" else None
    predictor = TabularPredictor(fit_member(seen, schema, family, params), schema)
    assert list(predictor.estimator.classes_) == [0, 2]
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 20, seed=7))
    assert (predictor.output(frame.head(5))[:, 1] == 0).all()


def test_a_calibrated_ensemble_keeps_the_fast_path(tables):
    # What the pipeline delivers when calibration helps an ensemble: the calibration wraps it.
    from rightfit.models._calibrated import CalibratedModel

    frame, schema = tables["binary"]
    members = [fit_member(frame, schema, f) for f in ("lightgbm", "extra_trees")]
    ensemble = WeightedEnsemble.from_fitted(members, [0.7, 0.3], "binary", 2)
    model = CalibratedModel.from_params(ensemble, "sigmoid", {"a": 1.4, "b": 0.1})
    predictor = TabularPredictor(model, schema)
    assert predictor.prepare_fast_path()
    assert_same(predictor, surprising_rows(frame, 20, seed=5))


def test_predict_then_predict_proba_on_the_same_rows_evaluates_the_models_once():
    """The usual pair of calls costs one model evaluation; other rows are evaluated afresh."""
    import numpy as np
    import pandas as pd

    import rightfit

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "c": rng.choice(["x", "y"], 300)})
    y = (X["a"] + (X["c"] == "x") > 0.5).astype(int)
    model = rightfit.fit(X.assign(t=y), "t", time_budget=8, models="lightgbm", diagnose=False)
    predictor = model.predictor
    assert predictor.prepare_fast_path()
    fast = predictor._fast_path
    calls = []
    member = fast.member
    fast.member = lambda rows: calls.append(1) or member(rows)
    row, other = X.iloc[[3]], X.iloc[[4]]
    first = model.predict_proba(row)
    model.predict(row)
    again = model.predict_proba(row)
    assert len(calls) == 1
    np.testing.assert_array_equal(first, again)
    model.predict_proba(other)
    assert len(calls) == 2
    # A changed value in the same frame object is a different input.
    changed = row.copy()
    changed.iloc[0, 0] += 1.0
    model.predict_proba(changed)
    assert len(calls) == 3


def test_a_large_batch_scored_twice_evaluates_the_models_once_and_sees_changes():
    """predict + predict_proba on the same 300 rows: one model evaluation; the same frame
    changed in place is evaluated afresh."""
    import numpy as np
    import pandas as pd

    import rightfit

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=300), "c": rng.choice(["x", "y"], 300)})
    y = (X["a"] + (X["c"] == "x") > 0.5).astype(int)
    model = rightfit.fit(X.assign(t=y), "t", time_budget=8, models="linear", diagnose=False)
    predictor = model.predictor
    predictor.prepare_fast_path()  # its checks score probes: not the calls counted here
    calls = []
    original = predictor._batch_output
    predictor._batch_output = lambda *args: calls.append(1) or original(*args)
    first = model.predict_proba(X)
    model.predict(X)
    assert len(calls) == 1
    X.loc[0, "a"] = 50.0  # in place: the same object, a different input
    changed = model.predict_proba(X)
    assert len(calls) == 2
    assert changed[0, 1] != first[0, 1]


def test_a_large_batch_is_scored_on_every_core_with_the_same_outputs(tables, monkeypatch):
    from lightgbm import LGBMClassifier

    from rightfit.models._serving import THREADED_BATCH_ROWS

    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "lightgbm"), schema)
    rows = frame.drop(columns="label").sample(THREADED_BATCH_ROWS, replace=True, random_state=0)
    expected = sklearn_output(predictor, rows)  # on the bundle's one thread
    predictor.prepare_fast_path()  # its checks score probes on one thread: not counted here
    seen = []
    original = LGBMClassifier.predict_proba

    def spy(self, X, *args, **kwargs):
        seen.append(self.get_params()["n_jobs"])
        return original(self, X, *args, **kwargs)

    monkeypatch.setattr(LGBMClassifier, "predict_proba", spy)
    monkeypatch.setenv("RIGHTFIT_N_JOBS", "2")
    np.testing.assert_allclose(predictor.output(rows), expected, rtol=1e-12)
    predictor.output(rows.head(100))
    assert seen == [2, 1]  # the large batch on both cores, then served rows on one again


def test_warm_up_pays_the_first_calls_costs_and_never_raises(tables, caplog):
    import pickle

    frame, schema = tables["binary"]
    # a bundle's CatBoost member holds its model as bytes until its first prediction
    restored = pickle.loads(pickle.dumps(fit_member(frame, schema, "catboost")))
    inner = restored.steps[-1][1]
    assert getattr(inner, "_model", None) is None
    predictor = TabularPredictor(restored, schema)
    predictor.warm_up()
    assert inner._model is not None
    assert predictor._fast_path is not None  # compiled (or known to be absent)
    assert predictor._last_batch is None  # the warm-up rows are not remembered as a batch
    rows = frame.drop(columns="label").head(100)
    np.testing.assert_allclose(predictor.output(rows), sklearn_output(predictor, rows))

    class Broken:
        def predict_proba(self, X):
            raise RuntimeError("cannot score missing values")

    TabularPredictor(Broken(), schema).warm_up()  # logged at debug level, not raised
    TabularPredictor(None, schema).warm_up()


@pytest.mark.parametrize("task", TASKS)
def test_xgboost_is_called_through_its_c_function_with_identical_outputs(tables, task):
    """The fast path skips inplace_predict's Python layer (~0.1 ms of a one-row call) but must
    return exactly what inplace_predict returns, NaN rows and multiclass shapes included."""
    from rightfit.models._fast._final import _direct_xgboost

    frame, schema = tables[task]
    model = fit_member(frame, schema, "xgboost").steps[-1][1]
    booster = model.get_booster()
    iteration_range = model._get_iteration_range(None)

    def inplace(X):
        return booster.inplace_predict(
            X, iteration_range=iteration_range, predict_type="value", missing=model.missing
        )

    direct = _direct_xgboost(booster, iteration_range, model.missing, inplace)
    assert direct is not None
    X = np.random.default_rng(0).normal(size=(64, booster.num_features())) * 3
    X[::5, 0] = np.nan
    for rows in (X[:1], X[:7], X):
        expected = inplace(rows)
        got = direct(rows)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    # A copy, not a view of XGBoost's per-thread buffer, which its next call overwrites.
    first = direct(X[:1])
    kept = first.copy()
    direct(X[1:2])
    np.testing.assert_array_equal(first, kept)


def test_xgboost_keeps_inplace_predict_where_the_c_route_disagrees(tables):
    """The private route is used only when a probe matches inplace_predict exactly."""
    from rightfit.models._fast._final import _direct_xgboost

    frame, schema = tables["binary"]
    model = fit_member(frame, schema, "xgboost").steps[-1][1]
    booster = model.get_booster()
    iteration_range = model._get_iteration_range(None)

    def shifted(X):
        return booster.inplace_predict(X, iteration_range=iteration_range) + np.float32(1e-6)

    assert _direct_xgboost(booster, iteration_range, model.missing, shifted) is None


def test_members_with_the_same_preprocessing_encode_a_batch_once(tables, monkeypatch):
    from rightfit.models._fast import _columns

    frame, schema = tables["binary"]
    members = [fit_member(frame, schema, f) for f in ("lightgbm", "xgboost")]
    ensemble = WeightedEnsemble.from_fitted(members, [0.5, 0.5], "binary", 2)
    predictor = TabularPredictor(ensemble, schema)
    assert predictor.prepare_fast_path()
    rows = surprising_rows(frame, 100, seed=5)
    lookups = []
    original = _columns._ColumnLookup.__call__
    monkeypatch.setattr(
        _columns._ColumnLookup, "__call__", lambda self, c: lookups.append(1) or original(self, c)
    )
    np.testing.assert_allclose(predictor.output(rows), sklearn_output(predictor, rows), rtol=1e-9)
    # one lookup per categorical column (plan, city), not one per member
    assert len(lookups) == sum(c.role == "categorical" for c in schema.columns)


def test_no_rows_give_no_predictions_and_missing_columns_still_raise(tables):
    for task in ("binary", "regression"):
        frame, schema = tables[task]
        predictor = TabularPredictor(fit_member(frame, schema, "linear"), schema)
        empty = frame.drop(columns="label").iloc[:0]
        out = predictor.output(empty)
        assert out.shape == ((0,) if task == "regression" else (0, 2))
        assert len(predictor.predict(empty)) == 0
        assert len(predictor.predict_frame(empty)) == 0
        with pytest.raises(SchemaMismatchError, match="missing 1 column"):
            predictor.output(empty.drop(columns="plan"))


@pytest.mark.parametrize(
    ("route", "other", "n_rows", "warning"),
    [
        ("batch_member", "member", 100, "batch route disabled"),
        ("member", "batch_member", 3, "few-row fast path disabled"),
    ],
)
def test_a_route_that_fails_at_predict_time_falls_back_to_scikit_learn(
    tables, caplog, route, other, n_rows, warning
):
    frame, schema = tables["binary"]
    predictor = TabularPredictor(fit_member(frame, schema, "lightgbm"), schema)
    assert predictor.prepare_fast_path()

    def broken(rows):
        raise RuntimeError("a bug")

    setattr(predictor._fast_path, route, broken)
    rows = surprising_rows(frame, n_rows, seed=7)
    np.testing.assert_allclose(predictor.output(rows), sklearn_output(predictor, rows), rtol=1e-12)
    assert f"{warning}: RuntimeError: a bug" in caplog.text
    assert getattr(predictor._fast_path, route) is None  # not tried again
    np.testing.assert_allclose(predictor.output(rows), sklearn_output(predictor, rows), rtol=1e-12)
    assert getattr(predictor._fast_path, other) is not None  # the other route stays

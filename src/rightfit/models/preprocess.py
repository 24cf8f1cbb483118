"""Learned preprocessing, fitted inside each CV fold (never on the blind test).

Input is the frame made by ``rightfit.data.prepare_features``: float64 numeric columns and object
categorical columns. Two recipes cover every family: trees get ordinal codes and keep NaN;
distance- and gradient-based models get clipping, imputation with indicators, scaling and one-hot.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

RARE_MIN_FRACTION = 0.01
RARE_MIN_COUNT = 10
MAX_ONEHOT_LEVELS = 40


class QuantileClipper(TransformerMixin, BaseEstimator):
    """Clip each column to quantiles learned at fit, so extreme values cannot dominate.

    Examples
    --------
    >>> import numpy as np
    >>> QuantileClipper(0.0, 0.5).fit_transform(np.array([[1.0], [2.0], [3.0]])).ravel().tolist()
    [1.0, 2.0, 2.0]
    """

    def __init__(self, lower: float = 0.01, upper: float = 0.99):
        self.lower = lower
        self.upper = upper

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        with np.errstate(all="ignore"):
            self.low_ = np.nanquantile(X, self.lower, axis=0) if len(X) else np.zeros(X.shape[1])
            self.high_ = np.nanquantile(X, self.upper, axis=0) if len(X) else np.zeros(X.shape[1])
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self, "low_")
        X = np.asarray(X, dtype=float)
        # NaN bounds (an all-missing column) leave values as they are.
        return np.clip(
            X, np.nan_to_num(self.low_, nan=-np.inf), np.nan_to_num(self.high_, nan=np.inf)
        )

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features, dtype=object)


def _rare_threshold(n_rows: int) -> int:
    return max(2, min(RARE_MIN_COUNT, int(RARE_MIN_FRACTION * n_rows)))


def tree_preprocessor(n_rows: int) -> ColumnTransformer:
    """Numeric columns as they are (NaN kept), categoricals as ordinal codes (NaN = missing/unseen,
    which every tree family here routes as missing).

    Rare levels are grouped into one code, learned from the fitting rows.
    """
    ordinal = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        min_frequency=_rare_threshold(n_rows),
        dtype=np.float64,
    )
    return ColumnTransformer(
        [
            ("numeric", "passthrough", make_column_selector(dtype_include="number")),
            ("categorical", ordinal, make_column_selector(dtype_exclude="number")),
        ],
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )


def dense_preprocessor(n_rows: int, clip_outliers: bool = True) -> ColumnTransformer:
    """Clip outliers, impute (median + missing indicator), scale; one-hot categoricals."""
    numeric_steps = []
    if clip_outliers:
        numeric_steps.append(("clip", QuantileClipper()))
    numeric_steps += [
        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
        ("scale", StandardScaler()),
    ]
    categorical = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
            (
                "onehot",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=_rare_threshold(n_rows),
                    max_categories=MAX_ONEHOT_LEVELS,
                    sparse_output=False,
                    dtype=np.float64,
                ),
            ),
        ]
    )
    return ColumnTransformer(
        [
            ("numeric", Pipeline(numeric_steps), make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ],
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )

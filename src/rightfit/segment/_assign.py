"""The fitted parts a segmentation bundle keeps: scaling for distances and the row assigner."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from rightfit.errors import NotFittedError
from rightfit.models.preprocess import dense_preprocessor

# A positive column this right-skewed (spending, counts) would let a few big customers set
# every distance; log1p makes ratios, not absolute gaps, drive the clusters.
SKEW_LIMIT = 2.0
CATEGORY_WEIGHT = 0.5**0.5


class LogSkewed(TransformerMixin, BaseEstimator):
    """``log1p`` on the non-negative numeric columns whose skewness exceeds ``skew_limit``.

    Works on the frames made by ``rightfit.data.prepare_features`` and returns a frame, so the
    column-type selection of the following preprocessor still applies.

    Examples
    --------
    >>> frame = pd.DataFrame({"spend": [1.0, 2, 3, 4, 1000], "age": [20.0, 30, 40, 50, 60]})
    >>> LogSkewed(skew_limit=1.5).fit(frame).columns_
    ['spend']
    """

    def __init__(self, skew_limit: float = SKEW_LIMIT):
        self.skew_limit = skew_limit

    def fit(self, X: pd.DataFrame, y=None):
        numeric = X.select_dtypes("number")
        skew = numeric.skew()
        minimum = numeric.min()
        self.columns_ = [
            str(c) for c in numeric.columns if minimum[c] >= 0 and skew[c] > self.skew_limit
        ]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "columns_")
        X = X.copy()
        for column in self.columns_:
            X[column] = np.log1p(np.clip(X[column].to_numpy(dtype=float), 0, None))
        return X


def distance_preprocessor(n_rows: int) -> Pipeline:
    """Skewed counts to log scale, then rightfit's dense recipe (clip, impute, scale, one-hot).

    Two changes for distances: no missing-value indicators (a rare indicator, once scaled,
    would sit ten deviations out and form its own cluster), and one-hot columns weighted by
    1/sqrt(2), so that two rows differing in one categorical column are one standard
    deviation apart, as for a numeric column, instead of 1.41.
    """
    encode = dense_preprocessor(n_rows, clip_outliers=True)
    encode.set_params(
        numeric__impute__add_indicator=False,
        transformer_weights={"numeric": 1.0, "categorical": CATEGORY_WEIGHT},
    )
    return Pipeline([("log_skewed", LogSkewed()), ("encode", encode)])


class SegmentAssigner(BaseEstimator):
    """Prepared features in, segment numbers out: the preprocessor plus the chosen clusterer.

    ``model`` is anything with ``predict`` on the preprocessed matrix (k-means, a Gaussian
    mixture, or a nearest-neighbour classifier standing in for agglomerative/HDBSCAN, which
    cannot place new points themselves); ``segment_of`` maps its raw labels to segment numbers.
    """

    def __init__(self, preprocessor=None, model=None, raw_labels=None, segments=None):
        self.preprocessor = preprocessor
        self.model = model
        self.raw_labels = raw_labels
        self.segments = segments

    def _check(self) -> None:
        if self.model is None or self.preprocessor is None:
            raise NotFittedError("This SegmentAssigner has no fitted model.")

    def _map(self, raw: np.ndarray) -> np.ndarray:
        lookup = dict(
            zip(np.asarray(self.raw_labels).tolist(), np.asarray(self.segments), strict=True)
        )
        return np.array([lookup[label] for label in np.asarray(raw).tolist()], dtype=int)

    def embed(self, features: pd.DataFrame) -> np.ndarray:
        """The scaled matrix the clusters were found in."""
        self._check()
        return np.asarray(self.preprocessor.transform(features), dtype=float)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        return self._map(self.model.predict(self.embed(features)))

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray | None:
        """Membership probabilities in ``sorted(segments)`` order (mixtures only, else None)."""
        if not hasattr(self.model, "predict_proba") or not hasattr(self.model, "means_"):
            return None
        raw = self.model.predict_proba(self.embed(features))
        order = np.argsort(np.asarray(self.segments))
        return raw[:, order]

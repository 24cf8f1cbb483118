"""Learned preprocessing, fitted inside each CV fold (never on the blind test).

Input is the frame made by ``rightfit.data.prepare_features``: float64 numeric columns, object
categorical columns and ``str`` free-text columns. Two recipes cover every family: trees get
ordinal codes and keep NaN; distance- and gradient-based models get clipping, imputation with
indicators, scaling and one-hot. Both turn free text into TF-IDF word features compressed to a
few dozen SVD components (the text families in ``text.py`` and ``keras_text.py`` read the words
themselves).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

RARE_MIN_FRACTION = 0.01
RARE_MIN_COUNT = 10
MAX_ONEHOT_LEVELS = 40
TEXT_MAX_FEATURES = 20_000
TEXT_SVD_COMPONENTS = 50


def is_text_dtype(dtype) -> bool:
    """Free text: the pandas ``str`` dtype that ``prepare_features`` gives text columns
    (categorical labels are ``object``)."""
    return isinstance(dtype, pd.StringDtype)


class ColumnsOfKind:
    """Column selector for a ColumnTransformer: ``"categorical"`` (object) or ``"text"`` (str).

    A class rather than ``make_column_selector``: pandas 3 still selects ``str`` columns when
    asked for ``object``, which would one-hot encode free text.

    Examples
    --------
    >>> frame = pd.DataFrame({"c": pd.Series(["a"], dtype=object), "t": pd.Series(["hi there"])})
    >>> ColumnsOfKind("text")(frame)
    ['t']
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, X: pd.DataFrame) -> list[str]:
        if self.kind == "text":
            return [c for c, t in X.dtypes.items() if is_text_dtype(t)]
        return [
            c
            for c, t in X.dtypes.items()
            if not is_text_dtype(t) and not pd.api.types.is_numeric_dtype(t)
        ]


def text_documents(X) -> np.ndarray:
    """One string per row: the row's text columns joined (missing cells count as empty)."""
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    if frame.shape[1] == 0:
        return np.full(len(frame), "", dtype=object)
    parts = [
        frame.iloc[:, j].astype(object).where(frame.iloc[:, j].notna(), "")
        for j in range(frame.shape[1])
    ]
    joined = parts[0].astype(str)
    for part in parts[1:]:
        joined = joined + " | " + part.astype(str)
    return joined.to_numpy(dtype=object)


class TextTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF features of the text columns (joined per row), learned on the fitting rows.

    Word n-grams up to ``word_ngrams`` (sublinear term frequency), optionally character
    2-5-grams inside words (robust to misspellings and obfuscation such as "fr33"), and,
    when ``svd_components`` is set, compressed to that many dense SVD components (latent
    semantic analysis) for models that cannot use wide sparse input.

    Examples
    --------
    >>> X = pd.DataFrame({"t": ["free prize now", "see you later", "win a free prize"]})
    >>> TextTfidf().fit_transform(X).shape[0]
    3
    """

    def __init__(
        self,
        word_ngrams: int = 2,
        char_ngrams: bool = False,
        max_features: int = TEXT_MAX_FEATURES,
        svd_components: int | None = None,
        random_state: int = 0,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.max_features = max_features
        self.svd_components = svd_components
        self.random_state = random_state

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = text_documents(X)
        self.n_features_in_ = X.shape[1]
        min_df = 2 if len(docs) >= 50 else 1
        self.vectorizers_ = []
        analyzers = [("word", (1, self.word_ngrams))]
        if self.char_ngrams:
            analyzers.append(("char_wb", (2, 5)))
        for analyzer, ngram_range in analyzers:
            vectorizer = TfidfVectorizer(
                analyzer=analyzer,
                ngram_range=ngram_range,
                min_df=min_df,
                max_features=self.max_features,
                sublinear_tf=True,
                strip_accents="unicode",
                dtype=np.float64,
            )
            try:
                vectorizer.fit(docs)
            except ValueError:  # no word seen twice (or no text at all): nothing to learn
                continue
            # The pruned terms are kept only for introspection and can be 10x the vocabulary
            # (12 MB of a 12.2 MB bundle on SMS spam); scikit-learn documents removing them.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
            self.vectorizers_.append(vectorizer)
        tfidf = self._tfidf(docs)
        self.svd_ = None
        if self.svd_components and tfidf.shape[1] > 2:
            from sklearn.decomposition import TruncatedSVD

            n_components = min(self.svd_components, tfidf.shape[1] - 1, max(1, len(docs) - 1))
            self.svd_ = TruncatedSVD(n_components, random_state=self.random_state)
            return self.svd_.fit_transform(tfidf)
        return tfidf

    def _tfidf(self, docs: np.ndarray):
        if not self.vectorizers_:
            return sp.csr_matrix((len(docs), 1))
        return sp.hstack([v.transform(docs) for v in self.vectorizers_], format="csr")

    def transform(self, X):
        check_is_fitted(self, "vectorizers_")
        tfidf = self._tfidf(text_documents(X))
        return self.svd_.transform(tfidf) if self.svd_ is not None else tfidf

    # Saved state: each vocabulary as one newline-joined string with its IDF weights. skops
    # writes a dict of 15,000 terms as 15,000 typed nodes (12 MB on SMS spam).
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ returns __dict__
        vectorizers = state.pop("vectorizers_", None)
        if vectorizers is not None:
            state["vocabularies_"] = [
                {
                    "analyzer": v.analyzer,
                    "ngram_range": list(v.ngram_range),
                    # one string: TF-IDF terms never hold a newline (whitespace is normalised)
                    "terms": "\n".join(v.get_feature_names_out()),
                    "idf": np.asarray(v.idf_, dtype=np.float64),
                }
                for v in vectorizers
            ]
        return state

    def __setstate__(self, state):
        vocabularies = state.pop("vocabularies_", None)
        super().__setstate__(state)
        if vocabularies is not None:
            self.vectorizers_ = [_rebuild_vectorizer(v) for v in vocabularies]

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vectorizers_")
        if self.svd_ is not None:
            return np.asarray([f"text_svd{i}" for i in range(self.svd_.n_components)], object)
        if not self.vectorizers_:
            return np.asarray(["text_none"], dtype=object)
        names = [
            f"{v.analyzer}:{term}" for v in self.vectorizers_ for term in v.get_feature_names_out()
        ]
        return np.asarray(names, dtype=object)


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


def _rebuild_vectorizer(saved: dict):
    """A fitted TfidfVectorizer from its terms (in column order) and IDF weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer=saved["analyzer"],
        ngram_range=tuple(saved["ngram_range"]),
        sublinear_tf=True,
        strip_accents="unicode",
        dtype=np.float64,
        vocabulary={term: i for i, term in enumerate(saved["terms"].split("\n"))},
    )
    vectorizer._validate_vocabulary()
    vectorizer.idf_ = saved["idf"]
    return vectorizer


def _rare_threshold(n_rows: int) -> int:
    return max(2, min(RARE_MIN_COUNT, int(RARE_MIN_FRACTION * n_rows)))


def tree_preprocessor(n_rows: int) -> ColumnTransformer:
    """Numeric columns as they are (NaN kept), categoricals as ordinal codes (NaN = missing/unseen,
    which every tree family here routes as missing), free text as TF-IDF SVD components (last,
    so categorical codes keep their positions right after the numeric columns).

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
            ("categorical", ordinal, ColumnsOfKind("categorical")),
            ("text", TextTfidf(svd_components=TEXT_SVD_COMPONENTS), ColumnsOfKind("text")),
        ],
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )


def dense_preprocessor(n_rows: int, clip_outliers: bool = True) -> ColumnTransformer:
    """Clip outliers, impute (median + missing indicator), scale; one-hot categoricals; free text
    as TF-IDF SVD components."""
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
            ("categorical", categorical, ColumnsOfKind("categorical")),
            ("text", TextTfidf(svd_components=TEXT_SVD_COMPONENTS), ColumnsOfKind("text")),
        ],
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )

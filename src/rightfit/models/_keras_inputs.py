"""Turn a prepared frame into the arrays a Keras table network reads, learned on the fit rows.

Three kinds of input: one dense block (numbers clipped, imputed with indicators and scaled; text
as scaled TF-IDF SVD components when the net has no text encoder), one integer code per
categorical column (0 = missing, unseen or rare; fed to an embedding), and, for the text encoder,
token ids from a Keras ``TextVectorization`` vocabulary learned on the fit rows.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from rightfit.models.preprocess import (
    TEXT_SVD_COMPONENTS,
    ColumnsOfKind,
    QuantileClipper,
    TextTfidf,
    _rare_threshold,
    text_documents,
)

MAX_VOCABULARY = 20_000


class KerasInputs(TransformerMixin, BaseEstimator):
    """Learned preprocessing for :class:`~rightfit.models.keras_tabular.KerasTabularClassifier`.

    ``transform`` returns a list of arrays in the order of the network's inputs: ``dense``
    (float32, n x d) if any, one int32 (n x 1) array per categorical column, then ``text``
    (int32 token ids, n x ``sequence_length``) when ``text_encoder="cnn"``.
    """

    def __init__(self, text_encoder: str = "tfidf_svd", sequence_length: int = 64):
        self.text_encoder = text_encoder
        self.sequence_length = sequence_length

    def fit(self, X, y=None):
        n_rows = len(X)
        self.categorical_columns_ = ColumnsOfKind("categorical")(X)
        self.text_columns_ = ColumnsOfKind("text")(X)
        numeric = Pipeline(
            [
                ("clip", QuantileClipper()),
                (
                    "impute",
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                ),
                ("scale", StandardScaler()),
            ]
        )
        blocks = [("numeric", numeric, make_column_selector(dtype_include="number"))]
        if self.text_encoder == "tfidf_svd":
            text = Pipeline(
                [
                    ("tfidf", TextTfidf(svd_components=TEXT_SVD_COMPONENTS)),
                    ("scale", StandardScaler()),
                ]
            )
            blocks.append(("text", text, ColumnsOfKind("text")))
        self.dense_ = ColumnTransformer(blocks, sparse_threshold=0.0)
        self.dense_.fit(X)
        self.n_dense_ = int(self.dense_.transform(X.head(1)).shape[1])
        self.codes_ = None
        self.levels_: list[int] = []
        if self.categorical_columns_:
            self.codes_ = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                min_frequency=_rare_threshold(n_rows),
                dtype=np.float64,
            ).fit(X[self.categorical_columns_])
            codes = self.codes_.transform(X[self.categorical_columns_])
            self.levels_ = [int(codes[:, j].max()) + 2 for j in range(codes.shape[1])]
        # One newline-joined string (tokens hold no whitespace): a list of 20,000 strings would
        # be 20,000 typed nodes in the skops file.
        self.vocabulary_ = ""
        if self.text_encoder == "cnn" and self.text_columns_:
            from rightfit.models._keras_runtime import import_keras

            keras = import_keras()
            layer = keras.layers.TextVectorization(max_tokens=MAX_VOCABULARY)
            layer.adapt(text_documents(X[self.text_columns_]).astype(str))
            self.vocabulary_ = "\n".join(layer.get_vocabulary()[1:])  # [0] is the padding ""
        return self

    @property
    def has_text_encoder(self) -> bool:
        return bool(self.vocabulary_)

    @property
    def vocabulary_size(self) -> int:
        """Token ids the text encoder can see: padding (0), out-of-vocabulary, the words."""
        return self.vocabulary_.count("\n") + 2 if self.vocabulary_ else 0

    def _vectorizer(self):
        # Rebuilt from the stored vocabulary (plain strings) rather than stored as a layer.
        cached = self.__dict__.get("_layer")
        if cached is None:
            from rightfit.models._keras_runtime import import_keras

            keras = import_keras()
            cached = keras.layers.TextVectorization(
                vocabulary=self.vocabulary_.split("\n")[1:],  # [UNK] is added back by Keras
                output_sequence_length=self.sequence_length,
            )
            self.__dict__["_layer"] = cached
        return cached

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_layer", None)
        return state

    def transform(self, X) -> list[np.ndarray]:
        check_is_fitted(self, "dense_")
        arrays = []
        if self.n_dense_:
            arrays.append(np.asarray(self.dense_.transform(X), dtype=np.float32))
        if self.codes_ is not None:
            codes = self.codes_.transform(X[self.categorical_columns_]) + 1  # 0: unknown/missing
            arrays += [codes[:, [j]].astype(np.int32) for j in range(codes.shape[1])]
        if self.has_text_encoder:
            docs = text_documents(X[self.text_columns_]).astype(str)
            ids = self._vectorizer()(docs).numpy().astype(np.int32) if len(docs) else None
            arrays.append(ids if ids is not None else np.zeros((0, self.sequence_length), np.int32))
        return arrays

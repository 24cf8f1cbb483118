"""Segmenter: a fitted segmentation that assigns new rows (or customers) to segments."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from rightfit.data import Schema, prepare_features
from rightfit.errors import BundleError, DataError
from rightfit.segment._assign import SegmentAssigner
from rightfit.segment._rfm import RFM_COLUMNS, RFMSpec, looks_like_transactions, rfm_table
from rightfit.store import load_bundle, save_bundle

logger = logging.getLogger(__name__)


class Segmenter:
    """A fitted segmentation with the record of how it was found.

    Use :func:`rightfit.segment.fit_segments` or :func:`rightfit.load` to get one.

    Parameters
    ----------
    assigner : SegmentAssigner
        Preprocessor plus clusterer (or nearest-neighbour stand-in) from training.
    record : dict
        The bundle record (``kind="segmentation"``).
    """

    def __init__(self, assigner: SegmentAssigner, record: dict):
        self.assigner = assigner
        self.record = record
        self.schema = Schema.from_dict(record["schema"])
        rfm = record.get("rfm")
        self.rfm = RFMSpec.from_dict(rfm["spec"]) if rfm else None

    @property
    def k(self) -> int:
        return int(self.record["k"])

    def _features(self, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        if not isinstance(X, pd.DataFrame):
            raise DataError(
                f"Segments are assigned to a pandas DataFrame, got {type(X).__name__}. "
                "Wrap your rows in pd.DataFrame(...)."
            )
        keys = None
        if self.rfm is not None and looks_like_transactions(X, self.rfm):
            # A transaction log: one output row per customer, recency counted to its last date.
            X = rfm_table(X, self.rfm).frame
            keys = X[[self.rfm.customer]].reset_index(drop=True)
        elif self.rfm is not None and not all(c in X.columns for c in RFM_COLUMNS):
            raise DataError(
                "This segmentation was trained on RFM aggregates: pass a transaction log with "
                f"columns {', '.join(map(repr, self.rfm.columns()))}, or per-customer "
                f"columns {', '.join(RFM_COLUMNS)}."
            )
        elif self.rfm is not None and self.rfm.customer in X.columns:
            keys = X[[self.rfm.customer]].reset_index(drop=True)
        return prepare_features(X, self.schema), keys

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment number of each row (each customer when ``X`` is a transaction log)."""
        features, _ = self._features(X)
        return self.assigner.predict(features)

    def predict_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """A ``segment`` column (plus ``proba_<segment>`` for mixtures), one row per input row.

        For a segmentation trained with ``--rfm`` and given a transaction log, one row per
        customer, led by the customer column.
        """
        features, keys = self._features(X)
        out = pd.DataFrame({"segment": self.assigner.predict(features)})
        proba = self.assigner.predict_proba(features)
        if proba is not None:
            for j, segment in enumerate(sorted(np.asarray(self.assigner.segments).tolist())):
                out[f"proba_{segment}"] = np.round(proba[:, j], 6)
        if keys is not None:
            out = pd.concat([keys, out], axis=1)
        return out

    def profiles(self) -> pd.DataFrame:
        """One row per segment: segment, size, share and the plain-words description."""
        rows = [
            {k: p[k] for k in ("segment", "size", "share", "sentence")}
            for p in self.record["profiles"]
        ]
        return pd.DataFrame(rows)

    def save(self, path: str | os.PathLike, extra_files: Mapping[str, bytes] | None = None) -> Path:
        """Write the bundle directory atomically (``extra_files``: e.g. ``report.html``)."""
        return save_bundle(path, self.assigner, self.record, extra_files=extra_files)

    def __repr__(self) -> str:
        chosen = self.record.get("chosen", {})
        return f"<rightfit.Segmenter {chosen.get('algorithm')} k={self.record.get('k')}>"


def load_segmenter(path: str | os.PathLike) -> Segmenter:
    """Load a segmentation bundle written by ``rightfit segment`` (safely, no pickle).

    Examples
    --------
    >>> seg = load_segmenter("mall-segments")  # doctest: +SKIP
    >>> seg.predict_frame(new_customers)  # doctest: +SKIP
    """
    assigner, record = load_bundle(path)
    if record.get("kind") != "segmentation" or not isinstance(assigner, SegmentAssigner):
        raise BundleError(
            f"{str(path)!r} is not a segmentation bundle (kind {record.get('kind')!r}). "
            "Load it with rightfit.load, or re-run `rightfit segment`."
        )
    return Segmenter(assigner, record)

"""Segment profiles: size, and the features that set each segment apart, with numbers and words."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# A feature "sets a segment apart" when the segment's mean (or a level's share) differs from
# the rest by at least this many overall standard deviations.
MIN_EFFECT = 0.5
MAX_FEATURES = 4
FEW_VALUES = 5


def fmt_number(value: float) -> str:
    """Short human number: 3 significant digits, thousands separators, no trailing zeros.

    Examples
    --------
    >>> fmt_number(12345.6), fmt_number(39.0), fmt_number(0.04567)
    ('12,346', '39', '0.0457')
    """
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    text = f"{value:.3g}" if abs(value) >= 1e-3 else f"{value:.2g}"
    if "e" in text:
        return f"{value:.4f}"
    return text


def _numeric_effect(values: np.ndarray, inside: np.ndarray) -> dict[str, Any] | None:
    known = ~np.isnan(values)
    seg, rest, every = values[inside & known], values[~inside & known], values[known]
    if len(seg) == 0 or len(every) < 2:
        return None
    spread = float(np.std(every))
    rest_mean = float(np.mean(rest)) if len(rest) else float(np.mean(every))
    effect = 0.0 if spread == 0 else (float(np.mean(seg)) - rest_mean) / spread
    low, median, high = np.quantile(seg, [0.25, 0.5, 0.75])
    return {
        "type": "numeric",
        "segment_median": float(median),
        "segment_low": float(low),
        "segment_high": float(high),
        "segment_mean": float(np.mean(seg)),
        "overall_median": float(np.median(every)),
        "overall_mean": float(np.mean(every)),
        "effect": effect,
    }


def _categorical_effect(values: pd.Series, inside: np.ndarray) -> dict[str, Any] | None:
    known = values.notna().to_numpy()
    if known.sum() == 0 or (inside & known).sum() == 0:
        return None
    text = values.astype(object).to_numpy()
    best = None
    for level in pd.unique(text[known]):
        is_level = text == level
        overall = is_level[known].mean()
        seg = is_level[inside & known].mean()
        rest = is_level[~inside & known].mean() if (~inside & known).any() else overall
        spread = math.sqrt(overall * (1 - overall))
        effect = 0.0 if spread == 0 else (seg - rest) / spread
        if best is None or effect > best["effect"]:
            best = {
                "type": "categorical",
                "level": str(level),
                "segment_share": float(seg),
                "overall_share": float(overall),
                "effect": float(effect),
            }
    return best


def _phrase(name: str, d: dict[str, Any]) -> str:
    if d["type"] == "numeric":
        low, high = fmt_number(d["segment_low"]), fmt_number(d["segment_high"])
        span = low if low == high else f"{low}–{high}"
        return (
            f"{name} {span} (median {fmt_number(d['segment_median'])} vs "
            f"{fmt_number(d['overall_median'])} overall)"
        )
    return f"{name} {d['level']} {d['segment_share']:.0%} (vs {d['overall_share']:.0%} overall)"


def profile_segments(
    features: pd.DataFrame, segments: np.ndarray, noun: str = "customers"
) -> list[dict[str, Any]]:
    """One profile per segment, largest first, with distinguishing features and a sentence.

    Parameters
    ----------
    features : pandas.DataFrame
        Values as the user knows them (``prepare_features`` output: before any scaling).
    segments : numpy.ndarray
        Segment number of each row (0 = outliers HDBSCAN left unassigned).
    noun : str
        What a row is, for the sentence.

    Returns
    -------
    list of dict
        ``segment``, ``size``, ``share``, ``features`` (name, segment vs overall values,
        effect in standard deviations), ``sentence``.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [20.0, 22, 24, 60, 62, 64]})
    >>> profile_segments(frame, np.array([1, 1, 1, 2, 2, 2]))[0]["sentence"]
    'Segment 1, 50% of customers (3 of 6): age 21–23 (median 22 vs 42 overall).'
    """
    n = len(segments)
    profiles = []
    for segment in sorted(np.unique(segments), key=lambda s: (s == 0, -(segments == s).sum())):
        inside = segments == segment
        found = []
        for name in features.columns:
            column = features[name]
            if pd.api.types.is_numeric_dtype(column.dtype) and column.nunique() <= FEW_VALUES:
                # codes such as Channel 1/2 read better as shares than as medians
                d = _categorical_effect(column.map(fmt_number, na_action="ignore"), inside)
            elif pd.api.types.is_numeric_dtype(column.dtype):
                d = _numeric_effect(column.to_numpy(dtype=float), inside)
            else:
                d = _categorical_effect(column, inside)
            if d is not None:
                found.append({"feature": str(name), **d})
        found.sort(key=lambda d: -abs(d["effect"]))
        apart = [d for d in found if abs(d["effect"]) >= MIN_EFFECT][:MAX_FEATURES]
        size = int(inside.sum())
        label = "Outliers (left unassigned)" if segment == 0 else f"Segment {segment}"
        head = f"{label}, {size / n:.0%} of {noun} ({size:,} of {n:,})"
        if apart:
            sentence = f"{head}: " + "; ".join(_phrase(d["feature"], d) for d in apart) + "."
        else:
            sentence = f"{head}: close to the overall values on every feature."
        for d in found:
            d["effect"] = round(d["effect"], 3)
            d["sets_apart"] = abs(d["effect"]) >= MIN_EFFECT
        profiles.append(
            {
                "segment": int(segment),
                "size": size,
                "share": round(size / n, 4),
                "features": found,
                "sentence": sentence,
            }
        )
    return profiles

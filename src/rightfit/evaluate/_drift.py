"""Has the data moved? A compact reference of each feature's training distribution, kept in the
bundle, and the comparison of new rows against it (PSI with a chi-square test as evidence)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import chisquare

N_BINS = 10
TOP_LEVELS = 20
PSI_DRIFT = 0.2  # the usual reading: < 0.1 stable, 0.1-0.2 moderate shift, > 0.2 drift
PSI_MODERATE = 0.1
MIN_P = 0.01
OUTSIDE_SHARE = 0.1  # more new values than this beyond the training min/max is drift


def feature_reference(X: pd.DataFrame) -> dict:
    """Per column: decile bin edges with shares (numeric) or level shares (categorical)."""
    out = {}
    for column in X.columns:
        values = X[column]
        missing = float(values.isna().mean())
        if isinstance(values.dtype, pd.StringDtype):
            # Free text: its length in words stands for it (raw texts never go in the record).
            values = values.str.split().str.len().astype(float)
        if pd.api.types.is_numeric_dtype(values):
            v = values.dropna().to_numpy(dtype=float)
            if len(v) == 0:
                continue
            edges = np.unique(np.quantile(v, np.linspace(0, 1, N_BINS + 1)[1:-1]))
            counts = np.bincount(np.searchsorted(edges, v, side="right"), minlength=len(edges) + 1)
            out[str(column)] = {
                "kind": "numeric",
                "edges": [float(e) for e in edges],
                "shares": [float(c) / len(v) for c in counts],
                "mean": float(v.mean()),
                "std": float(v.std()),
                "min": float(v.min()),
                "max": float(v.max()),
                "missing": missing,
            }
        else:
            shares = values.dropna().astype(str).value_counts(normalize=True)
            top = shares.head(TOP_LEVELS)
            out[str(column)] = {
                "kind": "categorical",
                "levels": [str(k) for k in top.index],
                "shares": [float(s) for s in top.to_numpy()],
                "other": float(max(0.0, 1 - top.sum())),
                "missing": missing,
            }
    return out


def _psi(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.clip(expected, 1e-4, None)
    a = np.clip(actual, 1e-4, None)
    return float(np.sum((a - e) * np.log(a / e)))


def _compare(ref: dict, values: pd.Series, alpha: float = MIN_P) -> dict | None:
    n = int(values.notna().sum())
    if n == 0:
        if ref["missing"] >= 0.99:
            return None
        return {
            "psi": None,
            "p_value": 0.0,
            "status": "drift",
            "evidence": f"every value is missing (vs {ref['missing']:.1%} in training)",
        }
    if ref["kind"] == "numeric":
        if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
            as_numbers = pd.to_numeric(values, errors="coerce")
            if as_numbers.notna().sum() == 0:  # free text: compare its length in words
                values = values.astype(str).str.split().str.len().astype(float)
        v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
        if len(v) == 0:
            return None
        edges = np.asarray(ref["edges"])
        counts = np.bincount(np.searchsorted(edges, v, side="right"), minlength=len(edges) + 1)
        expected = np.asarray(ref["shares"])
        evidence = (
            f"mean {v.mean():,.4g} vs {ref['mean']:,.4g} in training "
            f"({(v.mean() - ref['mean']) / ref['std']:+.2f} training std)"
            if ref["std"] > 0
            else f"mean {v.mean():,.4g} vs {ref['mean']:,.4g} in training"
        )
    else:
        v = values.dropna().astype(str)
        levels = ref["levels"]
        shares = v.value_counts()
        counts = np.array([shares.get(level, 0) for level in levels] + [0])
        counts[-1] = len(v) - counts[:-1].sum()
        expected = np.asarray([*ref["shares"], ref["other"]])
        new_share = counts / max(len(v), 1)
        moved = int(np.argmax(np.abs(new_share - expected)))
        label = levels[moved] if moved < len(levels) else "(other levels)"
        evidence = f"{label!r}: {new_share[moved]:.1%} of rows vs {expected[moved]:.1%} in training"
    actual = counts / counts.sum()
    psi = _psi(expected, actual)
    outside = 0.0
    if ref["kind"] == "numeric" and "min" in ref:
        # Quantile bins cannot see values beyond the training range (they land in the end
        # bins): count them apart.
        outside = float(np.mean((v < ref["min"]) | (v > ref["max"])))
        if outside > OUTSIDE_SHARE:
            evidence += (
                f"; {outside:.0%} of values outside the training range "
                f"[{ref['min']:,.4g}, {ref['max']:,.4g}]"
            )
    keep = expected > 0
    expected_counts = expected[keep] / expected[keep].sum() * counts[keep].sum()
    p_value = float(chisquare(counts[keep], expected_counts).pvalue) if keep.sum() > 1 else 1.0
    if math.isnan(p_value):
        p_value = 1.0
    if (psi > PSI_DRIFT and p_value < alpha) or outside > OUTSIDE_SHARE:
        status = "drift"
    elif psi > PSI_MODERATE and p_value < alpha:
        status = "moderate"
    else:
        status = "stable"
    missing = float(values.isna().mean())
    if abs(missing - ref["missing"]) > 0.1:
        evidence += f"; missing {missing:.1%} vs {ref['missing']:.1%} in training"
        status = "drift" if status == "stable" and missing - ref["missing"] > 0.2 else status
    return {"psi": round(psi, 4), "p_value": p_value, "status": status, "evidence": evidence}


def drift_report(reference: dict, X: pd.DataFrame) -> dict:
    """Each reference feature compared with the same column of ``X``, drifted ones first.

    The chi-square threshold is divided by the number of features compared (Bonferroni), so
    checking 80 columns does not flag one by chance; below ~10 rows per bin the test is weak
    and the report says so.
    """
    columns = [c for c in reference if c in X.columns]
    alpha = MIN_P / max(len(columns), 1)
    features = []
    for column in columns:
        result = _compare(reference[column], X[column], alpha)
        if result is not None:
            features.append({"column": column, **result})
    order = {"drift": 0, "moderate": 1, "stable": 2}
    features.sort(key=lambda f: (order[f["status"]], -(f["psi"] if f["psi"] is not None else 9)))
    drifted = [f["column"] for f in features if f["status"] == "drift"]
    return {
        "method": f"population stability index over {N_BINS} training-quantile bins (top "
        f"{TOP_LEVELS} levels for categories), with a chi-square test; drift = PSI > "
        f"{PSI_DRIFT} and p < {MIN_P} / {len(columns)} features (Bonferroni)",
        "note": (
            f"only {len(X)} rows: fewer than 10 per bin, so only large shifts can be detected"
            if len(X) < 10 * N_BINS
            else ""
        ),
        "n_rows": len(X),
        "drifted": drifted,
        "features": features,
    }

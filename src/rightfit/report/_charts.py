"""Charts as inline SVG (matplotlib, Agg backend): crisp at any zoom, no files, no internet."""

from __future__ import annotations

import io

import numpy as np

BLUE, ORANGE, GREY, GREEN, RED = "#2563eb", "#ea580c", "#9ca3af", "#16a34a", "#dc2626"


def _new_figure(width: float, height: float):
    # A plain Figure, not pyplot: no global figure registry to close, no GUI backend machinery
    # (pyplot's imports add resident memory at the end of a fit, when memory peaks).
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "svg.fonttype": "none",
            "figure.dpi": 100,
        }
    )
    return Figure(figsize=(width, height))


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # The RDF metadata block (creator, date) only names schema URLs; drop it to keep pages small.
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>") :]
    return text


def _figure(width: float = 5.2, height: float = 3.4):
    fig = _new_figure(width, height)
    return fig, fig.subplots()


def curve_chart(curve: dict, metric: str, baseline: float | None, title: str) -> str:
    """Train and validation score against rows (learning) or a parameter (validation)."""
    fig, ax = _figure()
    x = curve["values"]
    ax.plot(x, curve["train"], "o-", color=BLUE, label="train")
    ax.plot(x, curve["validation"], "o-", color=ORANGE, label="validation")
    values = [v for v in curve["train"] + curve["validation"] if v == v]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = max((high - low) * 0.15, 0.005)
    if baseline is not None and low - 3 * pad <= baseline <= high + 3 * pad:
        ax.axhline(baseline, color=GREY, ls="--", lw=1, label="baseline")
        low, high = min(low, baseline), max(high, baseline)
    elif baseline is not None:
        ax.plot([], [], color=GREY, ls="--", lw=1, label=f"baseline {baseline:.3g} (off scale)")
    ax.set_ylim(low - pad, high + pad)
    if curve.get("chosen") is not None and curve["param"] != "n_train_rows":
        ax.axvline(curve["chosen"], color=GREEN, ls=":", lw=1.5, label="chosen")
    if curve["param"] != "n_train_rows" or (len(x) > 1 and max(x) / max(min(x), 1) > 8):
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(x, [f"{v:,.3g}" for v in x])
    ax.set_xlabel("training rows" if curve["param"] == "n_train_rows" else curve["param"])
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.legend(frameon=False)
    return _svg(fig)


def leaderboard_chart(rows: list[dict], metric: str) -> str:
    """Best CV score per family with ± one standard deviation across folds."""
    fig, ax = _figure(5.2, 0.45 * len(rows) + 1.2)
    names = [r["family"] for r in rows][::-1]
    scores = [r["cv_score"] for r in rows][::-1]
    errors = [r.get("cv_std") or 0 for r in rows][::-1]
    colors = [GREEN if r.get("chosen") else BLUE for r in rows][::-1]
    ax.barh(names, scores, xerr=errors, color=colors, alpha=0.85, capsize=3)
    low = min(s - e for s, e in zip(scores, errors, strict=True))
    high = max(s + e for s, e in zip(scores, errors, strict=True))
    pad = (high - low) * 0.15 or 0.01
    ax.set_xlim(low - pad, high + pad)
    ax.set_xlabel(f"cross-validated {metric} (± 1 std across folds)")
    ax.set_title("Best configuration of each family")
    return _svg(fig)


# A confusion chart shows at most this many classes (the most frequent, the rest pooled), and
# writes counts in its cells up to COUNTED_CLASSES: 150 classes drew 22,500 labels on a 92-inch
# figure, 34 s of a 60 s budget spent after the fit.
CHART_CLASSES = 20
COUNTED_CLASSES = 12


def pooled_confusion(matrix: list[list[int]], classes: list) -> tuple[np.ndarray, list[str]]:
    """The matrix over the CHART_CLASSES - 1 most frequent actual classes and one "other"
    row and column pooling the rest (unchanged when there are few classes)."""
    m = np.asarray(matrix)
    labels = [str(c) for c in classes]
    if len(labels) <= CHART_CLASSES:
        return m, labels
    keep = np.sort(np.argsort(-m.sum(axis=1), kind="stable")[: CHART_CLASSES - 1])
    rest = np.setdiff1d(np.arange(len(labels)), keep)
    top = np.hstack([m[np.ix_(keep, keep)], m[np.ix_(keep, rest)].sum(axis=1, keepdims=True)])
    bottom = np.append(m[np.ix_(rest, keep)].sum(axis=0), m[np.ix_(rest, rest)].sum())
    pooled = np.vstack([top, bottom])
    return pooled, [labels[i] for i in keep] + [f"other {len(rest)} classes"]


def confusion_chart(matrix: list[list[int]], classes: list, title: str) -> str:
    m, labels = pooled_confusion(matrix, classes)
    if len(labels) < len(classes):
        title += f" ({len(labels) - 1} most frequent of {len(classes)} classes)"
    size = max(3.0, 0.6 * len(labels) + 2)
    fig, ax = _figure(size + 0.8, size)
    ax.grid(False)
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 3 else 0)
    ax.set_yticks(range(len(labels)), labels)
    if len(labels) <= COUNTED_CLASSES:
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(
                    j,
                    i,
                    f"{m[i, j]:,}",
                    ha="center",
                    va="center",
                    color="white" if m[i, j] > m.max() / 2 else "black",
                )
    ax.set_xlabel("predicted class")
    ax.set_ylabel("actual class")
    ax.set_title(title)
    return _svg(fig)


def roc_chart(roc: dict, auc: float | None) -> str:
    fig, ax = _figure(4.2, 3.8)
    ax.plot(roc["fpr"], roc["tpr"], color=BLUE, label=f"model (AUC {auc:.3f})" if auc else "model")
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1, label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate (recall)")
    ax.set_title("ROC curve (blind test)")
    ax.legend(frameon=False, loc="lower right")
    return _svg(fig)


def pr_chart(pr: dict, threshold_point: dict | None) -> str:
    fig, ax = _figure(4.2, 3.8)
    ax.plot(pr["recall"], pr["precision"], color=BLUE, label="model")
    ax.axhline(pr["positive_share"], color=GREY, ls="--", lw=1, label="chance (positive share)")
    if threshold_point and threshold_point.get("precision") is not None:
        ax.plot(
            threshold_point["recall"],
            threshold_point["precision"],
            "o",
            color=RED,
            ms=8,
            label="chosen threshold",
        )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall curve (blind test)")
    ax.legend(frameon=False, loc="lower left")
    return _svg(fig)


def reliability_chart(after: dict, before: dict | None) -> str:
    fig, ax = _figure(4.2, 3.8)
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1, label="perfectly calibrated")
    if before:
        ax.plot(
            before["predicted"],
            before["observed"],
            "o-",
            color=GREY,
            alpha=0.8,
            label=f"before calibration (ECE {before['expected_calibration_error']:.3f})",
        )
    ax.plot(
        after["predicted"],
        after["observed"],
        "o-",
        color=BLUE,
        label=f"delivered model (ECE {after['expected_calibration_error']:.3f})",
    )
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability (blind test)")
    ax.legend(frameon=False, loc="upper left", fontsize=8)
    return _svg(fig)


def residual_charts(residuals: dict, target: str) -> str:
    actual = np.asarray(residuals["actual"])
    predicted = np.asarray(residuals["predicted"])
    fig = _new_figure(9, 3.6)
    left, right = fig.subplots(1, 2)
    left.scatter(predicted, actual, s=8, alpha=0.5, color=BLUE)
    lo, hi = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    left.plot([lo, hi], [lo, hi], color=GREY, ls="--", lw=1)
    left.set_xlabel(f"predicted {target}")
    left.set_ylabel(f"actual {target}")
    left.set_title("Predicted vs actual (blind test)")
    right.scatter(predicted, actual - predicted, s=8, alpha=0.5, color=ORANGE)
    right.axhline(0, color=GREY, ls="--", lw=1)
    right.set_xlabel(f"predicted {target}")
    right.set_ylabel(f"residual (actual - predicted, {target} units)")
    right.set_title("Residuals (blind test)")
    return _svg(fig)


def importance_chart(items: list[tuple[str, float, float]], xlabel: str, title: str) -> str:
    items = items[:15][::-1]
    fig, ax = _figure(5.6, 0.32 * len(items) + 1.2)
    ax.barh(
        [n for n, _, _ in items],
        [v for _, v, _ in items],
        xerr=[e for _, _, e in items],
        color=BLUE,
        alpha=0.85,
        capsize=2,
    )
    ax.axvline(0, color=GREY, lw=1)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _svg(fig)


def criteria_chart(candidates: list[dict], criterion: str, chosen: tuple[str, int]) -> str:
    """One line per algorithm: a clustering criterion against k, the chosen point marked."""
    fig, ax = _figure(4.6, 3.4)
    algorithms = sorted({c["algorithm"] for c in candidates})
    for algorithm in algorithms:
        rows = sorted(
            (c for c in candidates if c["algorithm"] == algorithm and c.get(criterion) is not None),
            key=lambda c: c["k"],
        )
        if rows:
            ax.plot([c["k"] for c in rows], [c[criterion] for c in rows], "o-", label=algorithm)
    pick = next(
        (
            c
            for c in candidates
            if (c["algorithm"], c["k"]) == chosen and c.get(criterion) is not None
        ),
        None,
    )
    if pick is not None:
        ax.plot(pick["k"], pick[criterion], "o", ms=14, mfc="none", mec=RED, mew=2, label="chosen")
    ax.set_xlabel("number of segments k")
    ax.set_ylabel(criterion.replace("_", " "))
    ax.set_title(criterion.replace("_", " ").capitalize() + " by k")
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def segment_map_chart(points: dict) -> str:
    fig, ax = _figure(5.6, 4.4)
    x, y, seg = (np.asarray(points[k]) for k in ("x", "y", "segment"))
    for s in sorted(set(seg.tolist())):
        mask = seg == s
        label = "outliers" if s == 0 else f"segment {s}"
        ax.scatter(x[mask], y[mask], s=10, alpha=0.6, label=label, color=GREY if s == 0 else None)
    variance = points.get("explained_variance") or [None, None]
    ax.set_xlabel(
        "first principal component" + (f" ({variance[0]:.0%} of variance)" if variance[0] else "")
    )
    ax.set_ylabel("second principal component" + (f" ({variance[1]:.0%})" if variance[1] else ""))
    ax.set_title(f"Segments on a 2-D map ({len(x):,} points)")
    ax.legend(frameon=False, fontsize=8, markerscale=1.5)
    return _svg(fig)


def grouped_bars(groups: list[str], series: dict[str, list[float]], ylabel: str, title: str) -> str:
    """Bars for each group (a candidate), one colour per series (a metric)."""
    fig, ax = _figure(6.0, 3.4)
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        positions = [g + i * width for g in range(len(groups))]
        ax.bar(positions, values, width=width, label=name)
    ax.set_xticks([g + width * (len(series) - 1) / 2 for g in range(len(groups))], groups)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)

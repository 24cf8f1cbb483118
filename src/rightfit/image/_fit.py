"""fit_image_model: read labelled images, hold out a blind test, train, choose, evaluate."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from rightfit import __version__, metrics
from rightfit.budget import Budget
from rightfit.errors import ConfigError, DataError, did_you_mean
from rightfit.image._model import ImageModel
from rightfit.image._networks import check_backbone
from rightfit.image._pixels import load_pixels
from rightfit.image._source import read_labelled_images
from rightfit.image._train import predict_pixels, train_network

logger = logging.getLogger(__name__)

IMAGE_FAMILIES = ("keras_transfer", "keras_cnn")
VALIDATION_SHARE = 0.15
FINISH_SECONDS = 5.0  # blind-test prediction, bootstrap and writing the bundle


def _families(models, backbone_weights: str) -> list[str]:
    if models is None:
        return ["keras_cnn"] if backbone_weights == "none" else ["keras_transfer"]
    names = [m.strip() for m in (models.split(",") if isinstance(models, str) else models)]
    names = [n for n in names if n]
    for name in names:
        if name not in IMAGE_FAMILIES:
            raise ConfigError(
                f"Unknown image model family {name!r}.{did_you_mean(name, IMAGE_FAMILIES)} "
                f"Image runs accept --models {', '.join(IMAGE_FAMILIES)}."
            )
    if not names:
        raise ConfigError("--models is empty. Name keras_transfer and/or keras_cnn.")
    return list(dict.fromkeys(names))


def _split(y: np.ndarray, share: float, seed: int):
    """Stratified when every class has at least two images, random otherwise."""
    rows = np.arange(len(y))
    counts = np.bincount(y)
    n_out = max(len(counts), round(share * len(y)))
    stratify = y if counts.min() >= 2 and n_out >= len(counts) else None
    kept, held = train_test_split(rows, test_size=n_out, random_state=seed, stratify=stratify)
    return np.sort(kept), np.sort(held)


def fit_image_model(
    train: str | Path,
    *,
    target: str | None = None,
    time_budget: Budget | float = 300.0,
    models: str | list[str] | None = None,
    seed: int = 0,
    test_size: float = 0.2,
    backbone: str | None = None,
    backbone_weights: str = "imagenet",
    progress=None,
    image_size: int | None = None,
    max_epochs: int = 30,
) -> ImageModel:
    """Train an image classifier on a folder of class subfolders (or a CSV of paths and labels).

    Parameters
    ----------
    train : path
        ``photos/`` with ``photos/<class>/*.jpg``, or a CSV with a path column and ``target``.
    time_budget : Budget or float
        Wall-clock seconds for everything; training stops at its share and says so.
    models : {"keras_transfer", "keras_cnn"} or a list of them, optional
        Transfer learning from a ``keras.applications`` backbone (default), and/or a small
        CNN trained from scratch; with both, the better on the validation images wins.
    backbone : str, optional
        ``mobilenet_v3_small`` (default), ``mobilenet_v3_large`` or ``efficientnet_b0``.
    backbone_weights : str, default="imagenet"
        ``"imagenet"`` (downloaded by Keras), a weights file for machines without internet, or
        ``"none"``: no pretrained weights (the default family becomes ``keras_cnn``).
    image_size : int, optional
        Side images are resized to: 160 for transfer learning, 128 from scratch.

    Returns
    -------
    ImageModel
        With ``record`` (leaderboard, blind-test evaluation) and ``save(path)``.

    Examples
    --------
    >>> model = fit_image_model("photos/", backbone_weights="none")  # doctest: +SKIP
    >>> model.predict_source("new_photos/").head()  # doctest: +SKIP
    """
    from rightfit.evaluate import baseline_output, evaluate
    from rightfit.models._keras_runtime import import_keras, seed_everything
    from rightfit.progress import SilentProgress

    budget = time_budget if isinstance(time_budget, Budget) else Budget(time_budget)
    progress = progress or SilentProgress()
    backbone_weights = str(backbone_weights or "imagenet").strip()
    weights_key = backbone_weights.lower()
    if weights_key in ("imagenet", "none"):
        backbone_weights = weights_key
    families = _families(models, backbone_weights)
    backbone = check_backbone(backbone)
    if not 0 <= test_size < 1:
        raise ConfigError(f"test_size must be in [0, 1), got {test_size!r}. Use e.g. 0.2.")
    size = int(image_size or (160 if "keras_transfer" in families else 128))

    images = read_labelled_images(Path(train), target)
    classes = sorted(images["label"].unique())
    y = np.searchsorted(classes, images["label"].to_numpy()).astype(np.int64)
    if np.bincount(y).min() < 2:
        raise DataError(
            "Every class needs at least two images (one to learn from, one to check); "
            f"counts: {dict(images['label'].value_counts())}. Add images or drop that class."
        )
    task = "binary" if len(classes) == 2 else "multiclass"
    metric = metrics.default_metric(task)
    progress.stage("load", f"{len(images):,} images in {len(classes)} classes, resized to {size}")

    keras = import_keras()
    seed_everything(seed)
    if "keras_transfer" in families:
        # Fail fast on unavailable weights, before minutes of image decoding.
        from rightfit.image._networks import make_backbone

        make_backbone(keras, backbone, size, backbone_weights)
    pixels = load_pixels(images["path"].tolist(), size)
    rows = np.arange(len(y))
    test = np.array([], dtype=int)
    if test_size > 0:
        rows, test = _split(y, test_size, seed)
    fit_rows, validation = (rows[i] for i in _split(y[rows], VALIDATION_SHARE, seed + 1))
    progress.stage(
        "split",
        f"{len(fit_rows):,} to train, {len(validation):,} to validate and choose, "
        f"{len(test):,} blind test",
    )

    entries, trained = [], []
    for i, family in enumerate(families):
        left = budget.remaining() - FINISH_SECONDS
        share = left / (len(families) - i)
        if share <= 1.0:
            entries.append(_entry(family, backbone, None, 0.0, "timed_out", "no time left"))
            continue
        seed_everything(seed)
        network = train_network(
            keras,
            family,
            pixels[fit_rows],
            y[fit_rows],
            pixels[validation],
            y[validation],
            n_classes=len(classes),
            size=size,
            deadline=time.monotonic() + share,
            seed=seed,
            backbone=backbone,
            backbone_weights=backbone_weights,
            max_epochs=max_epochs,
        )
        output = predict_pixels(network.model, pixels[validation])
        score = metrics.score(metric, y[validation], output)
        loss = metrics.loss(metric, y[validation], output)
        note = (
            f"stopped at its time share after {network.epochs} epochs"
            if network.stopped_at_deadline
            else f"{network.epochs} epochs; the best validation epoch's weights kept"
        )
        entries.append(_entry(family, backbone, score, network.seconds, "ok", note, network))
        trained.append((loss, i, network))
        progress.note(
            f"{family}: validation {metric} {score:.4f} in {network.seconds:.1f} s; {note}"
        )
    if not trained:
        raise ConfigError(
            f"No image model could be trained in the {budget.seconds:.0f} s budget. Increase "
            "--time-budget (transfer learning on a few hundred images needs about a minute)."
        )
    best_loss, best_index, best = min(trained, key=lambda t: (t[0], t[1]))
    sign = -1.0 if metrics.METRICS[metric].greater_is_better else 1.0
    entries.sort(key=lambda e: (e["status"] != "ok", sign * (e["cv_score"] or 0.0)))
    evaluation = None
    if len(test):
        output = predict_pixels(best.model, pixels[test])
        baseline = baseline_output(task, y[fit_rows], len(test), len(classes))
        evaluation = evaluate(
            task,
            y[test],
            output,
            baseline,
            classes=tuple(classes),
            source=f"blind test: {len(test):,} images set aside before any training, scored once",
            baseline_text="class priors of the training images",
            random_state=seed,
        )
        for line in evaluation.summary_lines():
            progress.note(line)
    record = {
        "kind": "image",
        "rightfit_version": __version__,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "task": task,
        "target": target or "label",
        "metric": metric,
        "greater_is_better": metrics.METRICS[metric].greater_is_better,
        "time_budget": budget.seconds,
        "seed": seed,
        "data": {
            "source": str(train),
            "format": "image_folder" if Path(train).is_dir() else "csv_of_paths",
            "n_rows": len(images),
            "classes": {c: int(n) for c, n in zip(classes, np.bincount(y), strict=True)},
            "image_size": size,
        },
        "split": {
            "train_rows": len(fit_rows),
            "validation_rows": len(validation),
            "test_rows": len(test),
            "description": "stratified: blind test, then a validation share for early stopping "
            "and model choice",
        },
        "backbone": {"name": backbone, "weights": _weights_label(backbone_weights)}
        if "keras_transfer" in families
        else None,
        "plan": {
            "candidates": [
                {"name": f, "reason": _reason(f, backbone, backbone_weights)} for f in families
            ],
            "excluded": {},
        },
        "leaderboard": {"metric": metric, "entries": entries},
        "search": {
            "stop_reason": "every requested family trained once",
            "seconds": round(sum(e["fit_seconds"] for e in entries), 3),
            "n_trials": len(entries),
        },
        "chosen": {
            "kind": "single",
            "members": [{"trial": best_index, "family": best.family, "params": {}, "weight": 1.0}],
            "cv_score": -best_loss if metrics.METRICS[metric].greater_is_better else best_loss,
            "cv_score_note": "validation images (not cross-validated)",
        },
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
        "delivered_model": {
            "fitted_on": "training images (validation and blind test excluded)",
            "n_rows": len(fit_rows),
        },
        "timings": {"total": round(budget.elapsed(), 3)},
    }
    return ImageModel(best.model, classes, size, record)


def _reason(family: str, backbone: str, weights: str) -> str:
    if family == "keras_cnn":
        return "small CNN trained from scratch with augmentation"
    return (
        f"transfer learning from {backbone} ({_weights_label(weights)} weights): frozen "
        "backbone first, then its top quarter fine-tuned"
    )


def _weights_label(weights: str) -> str:
    return weights if weights in ("imagenet", "none") else f"file {Path(weights).name}"


def _entry(family, backbone, score, seconds, status, note, network=None) -> dict:
    return {
        "family": family,
        "params": {"backbone": backbone} if family == "keras_transfer" else {},
        "cv_score": score,
        "cv_std": None,
        "fold_scores": [],
        "fit_seconds": round(seconds, 3),
        "status": status,
        "error": "" if status == "ok" else note,
        "note": note,
        "phases": network.phases if network is not None else [],
    }

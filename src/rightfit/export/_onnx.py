"""Export a tabular bundle's fitted estimator to ONNX, checked against rightfit's own output.

The ONNX graph starts where the fitted estimator starts: at the columns ``prepare_features``
makes (numbers as float32 ``[n, 1]`` inputs, categories as string ``[n, 1]`` inputs with ``""``
for missing, a date column as its ``<name>__<part>`` number inputs). :func:`onnx_feed` builds that
feed from raw rows. Outputs: ``probabilities`` ``[n, K]`` in ``classes`` order (stored in the
model's metadata) for classifiers, ``prediction`` ``[n, 1]`` for regressors. Computation is in
float32, as ONNX tree ensembles are; parity with rightfit is checked on export.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from rightfit.api import Model, load
from rightfit.data import prepare_features
from rightfit.errors import BundleError, ConfigError
from rightfit.store import atomic_write_bytes

logger = logging.getLogger(__name__)

OPSET = {"": 19, "ai.onnx.ml": 3}  # 19: Equal on strings (missing categories)
PARITY_TOLERANCE = 1e-5
_SUPPORTED = (
    "linear, random_forest, extra_trees, lightgbm and xgboost models (and ensembles of them)"
)


def onnx_feed(model: Model, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The ONNX input arrays for raw rows ``frame``, prepared exactly as rightfit does.

    Examples
    --------
    >>> session.run(None, onnx_feed(model, new_rows))  # doctest: +SKIP
    """
    prepared = prepare_features(frame, model.schema)
    feed = {}
    for name in prepared.columns:
        values = prepared[name]
        if values.dtype.kind == "f":
            feed[name] = values.to_numpy(dtype=np.float32).reshape(-1, 1)
        else:
            text = values.to_numpy(dtype=object)
            feed[name] = np.array(
                ["" if isinstance(v, float) else str(v) for v in text], dtype=object
            ).reshape(-1, 1)
    return feed


def export_onnx(
    model_dir: str | os.PathLike, out: str | os.PathLike, *, check_rows: pd.DataFrame | None = None
) -> Path:
    """Write the bundle's model as an ONNX file at ``out``, after a parity check.

    Parameters
    ----------
    model_dir : a tabular bundle directory.
    out : the ``.onnx`` file to write (atomically).
    check_rows : raw rows for the parity check; default: synthetic rows built from the schema.

    Raises
    ------
    ConfigError
        The model family cannot be expressed in ONNX, or the bundle is not tabular.
    BundleError
        The converted model disagrees with rightfit by more than 1e-5.

    Examples
    --------
    >>> export_onnx("churn-model", "churn.onnx")  # doctest: +SKIP
    """
    model = load(model_dir)
    if model.record.get("kind", "tabular") != "tabular" or not hasattr(model, "predictor"):
        raise ConfigError(
            f"Only tabular models export to ONNX; {str(model_dir)!r} is a "
            f"{model.record.get('kind')} model. Use --format mlflow for it."
        )
    onnx_model = build_onnx(model)
    rows = check_rows if check_rows is not None else _schema_rows(model, 64)
    try:
        worst = parity_gap(model, onnx_model.SerializeToString(), rows)
    except Exception as error:  # ONNX Runtime refuses the converted graph
        raise ConfigError(
            f"The ONNX conversion of this {_family(model)} model does not run in ONNX Runtime "
            f"({str(error).splitlines()[0][:200]}); not written. Export with --format mlflow, "
            "or refit with `rightfit fit --models lightgbm`."
        ) from error
    if worst > PARITY_TOLERANCE:
        raise BundleError(
            f"The ONNX conversion of this {_family(model)} model differs from rightfit's "
            f"predictions by {worst:.2e} (more than {PARITY_TOLERANCE:g}); not written. "
            "Export with --format mlflow instead, or refit with `rightfit fit --models lightgbm`."
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, onnx_model.SerializeToString())
    logger.info("wrote %s (largest difference from rightfit %.2e)", out, worst)
    return out


def build_onnx(model: Model):
    """The ``onnx.ModelProto`` of a loaded tabular model (no parity check)."""
    try:
        import onnxruntime  # noqa: F401 - the parity check needs it too
        import skl2onnx  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            f"ONNX export needs skl2onnx, onnxmltools and onnxruntime ({error}); install them "
            "with `pip install 'rightfit[export]'`."
        ) from None
    from rightfit.export._ensemble import convert_estimator

    schema = model.schema
    prepared = prepare_features(_schema_rows(model, 2), schema)
    estimator = model.predictor.estimator
    task = schema.task
    try:
        onnx_model = convert_estimator(estimator, prepared, task)
    except ConfigError:
        raise
    except Exception as error:
        raise ConfigError(
            f"Cannot express this {_family(model)} model in ONNX ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:200] if str(error) else ''}). ONNX export supports "
            f"{_SUPPORTED}; refit with `rightfit fit --models lightgbm`, or export with "
            "--format mlflow."
        ) from error
    metadata = {
        "rightfit_task": task,
        "rightfit_target": str(schema.target),
        "rightfit_classes": json.dumps(list(schema.classes) if schema.classes else None),
        "rightfit_inputs": json.dumps(
            [
                {"name": c, "type": "float" if prepared[c].dtype.kind == "f" else "string"}
                for c in prepared.columns
            ]
        ),
        "rightfit_model_sha256": str(model.record.get("model_sha256")),
    }
    for key, value in metadata.items():
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx_model.producer_name = "rightfit"
    return onnx_model


def parity_gap(model: Model, onnx_bytes: bytes, rows: pd.DataFrame) -> float:
    """Largest absolute difference between ONNX Runtime and rightfit on ``rows``."""
    import onnxruntime

    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    (output,) = session.run(None, onnx_feed(model, rows))
    expected = model.predictor.output(rows)
    got = np.asarray(output, dtype=np.float64).reshape(expected.shape)
    scale = np.maximum(1.0, np.abs(expected)) if model.schema.task == "regression" else 1.0
    return float(np.max(np.abs(got - expected) / scale)) if len(rows) else 0.0


def _family(model: Model) -> str:
    members = (model.record.get("chosen") or {}).get("members") or []
    families = sorted({str(m.get("family")) for m in members if m.get("family")})
    return " + ".join(families) or type(model.predictor.estimator).__name__


def _schema_rows(model: Model, n: int) -> pd.DataFrame:
    """Rows for conversion and the parity check: numbers within the training range, the
    training's most common labels plus an unseen one, and a missing value in every 7th row."""
    profile = {c.get("name"): c for c in (model.record.get("profile") or {}).get("columns", [])}
    rng = np.random.default_rng(0)
    data = {}
    for column in model.schema.columns:
        stats = profile.get(column.name, {})
        if column.role == "numeric":
            low, high = stats.get("min"), stats.get("max")
            if not all(isinstance(v, (int, float)) for v in (low, high)):
                low, high = 0.0, 1.0
            values = rng.uniform(low, high, n)
        elif column.role == "boolean":
            values = rng.choice([0.0, 1.0], n)
        elif column.role == "datetime":
            values = pd.date_range("2020-01-01", periods=n, freq="37h").astype(str).to_numpy()
        else:
            labels = [str(v[0]) for v in stats.get("top_values") or []] + ["(unseen label)"]
            values = rng.choice(np.array(labels, dtype=object), n)
        values = np.asarray(values).astype(object)
        values[::7] = None
        data[column.name] = values
    return pd.DataFrame(data)

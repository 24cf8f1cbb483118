"""Export a bundle as an MLflow pyfunc model directory, without pickling anything.

MLflow's "models from code" form is used: the directory holds a small Python file that builds
:class:`RightfitPyfunc` (importable from ``rightfit.export``) and a verbatim copy of the bundle as
an artifact, which ``load_context`` opens with ``rightfit.load`` (skops, checksum and allowlist
checked). ``mlflow.pyfunc.load_model(DIR).predict(frame)`` and ``mlflow models serve`` then work
wherever rightfit is installed. This module imports MLflow, so it is imported only on demand.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import mlflow.pyfunc
import pandas as pd

from rightfit.data import Schema
from rightfit.errors import BundleError
from rightfit.store import library_versions, read_record

logger = logging.getLogger(__name__)

_MODEL_CODE = '''"""Written by `rightfit export --format mlflow`: the bundle is in artifacts/."""

import mlflow

from rightfit.export import RightfitPyfunc

mlflow.models.set_model(RightfitPyfunc())
'''


class RightfitPyfunc(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc over a rightfit bundle: ``predict`` returns ``predict_frame``'s columns.

    Recommendation bundles return ``recommend_frame`` instead (``params``: ``top_k``,
    ``exclude_seen``).

    Examples
    --------
    >>> mlflow.pyfunc.load_model("churn-mlflow").predict(rows)  # doctest: +SKIP
    """

    def load_context(self, context) -> None:
        from rightfit.api import load

        self.model = load(context.artifacts["bundle"])

    def predict(self, context, model_input, params=None):
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        if hasattr(self.model, "recommend_frame"):
            params = params or {}
            return self.model.recommend_frame(
                frame,
                top_k=int(params.get("top_k", 10)),
                exclude_seen=bool(params.get("exclude_seen", True)),
            )
        return self.model.predict_frame(frame)


def export_mlflow(model_dir: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Write an MLflow pyfunc model directory at ``out`` holding a copy of the bundle.

    Parameters
    ----------
    model_dir : a bundle directory (checked: it must load).
    out : a new or empty directory.

    Raises
    ------
    BundleError
        ``out`` exists and is not empty, or the bundle does not load.

    Examples
    --------
    >>> export_mlflow("churn-model", "churn-mlflow")  # doctest: +SKIP
    """
    from rightfit.api import load

    model_dir, out = Path(model_dir), Path(out)
    record = read_record(model_dir)
    load(model_dir)  # refuse to export a bundle that would not load (tampered, damaged)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(
            f"--out {str(out)!r} exists and is not an empty directory; choose a new path "
            "(rightfit never deletes files it did not write)."
        )
    if out.is_dir():
        out.rmdir()  # MLflow insists on creating the directory itself
    out.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no input example": the bundle holds no data rows
        code = Path(scratch) / "rightfit_model.py"
        code.write_text(_MODEL_CODE, encoding="utf-8")
        # Written next to out and renamed into place, so a failure leaves no half directory.
        staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
        try:
            mlflow.pyfunc.save_model(
                path=str(staging),
                python_model=str(code),
                artifacts={"bundle": str(model_dir)},
                signature=_signature(record),
                pip_requirements=_requirements(),
                metadata={
                    "rightfit_task": str(record.get("task")),
                    "rightfit_kind": str(record.get("kind", "tabular")),
                },
            )
            os.replace(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    logger.info("wrote MLflow model %s", out)
    return out


def _signature(record: dict):
    """Input columns and types from the training schema; outputs from the task."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec
    from mlflow.types import Schema as MlflowSchema

    if record.get("kind", "tabular") != "tabular" or "schema" not in record:
        return None
    schema = Schema.from_dict(record["schema"])
    inputs = []
    for column in schema.columns:
        if column.role not in ("numeric", "categorical", "boolean", "datetime"):
            continue
        inputs.append(ColSpec(_column_type(column.role, column.source_dtype), column.name))
    if schema.task == "regression":
        outputs = [ColSpec("double", "prediction")]
    else:
        label = "string" if all(isinstance(c, str) for c in schema.classes) else "long"
        if all(isinstance(c, bool) for c in schema.classes):
            label = "boolean"
        outputs = [ColSpec(label, "prediction")]
        outputs += [ColSpec("double", f"proba_{c}") for c in schema.classes]
    return ModelSignature(inputs=MlflowSchema(inputs), outputs=MlflowSchema(outputs))


def _column_type(role: str, source_dtype: str) -> str:
    """The MLflow type a client sends: numbers as double, labels as they were in training."""
    if role == "numeric":
        return "double"
    if role == "datetime":
        return "string"
    if source_dtype.startswith(("int", "uint")):
        return "long"
    if source_dtype.startswith("float"):
        return "double"
    return "boolean" if source_dtype == "bool" else "string"


def _requirements() -> list[str]:
    versions = library_versions()
    names = {
        "rightfit": "rightfit",
        "sklearn": "scikit-learn",
        "pandas": "pandas",
        "numpy": "numpy",
        "skops": "skops",
        "lightgbm": "lightgbm",
        "xgboost": "xgboost",
        "catboost": "catboost",
    }
    return [f"{names[key]}=={versions[key]}" for key in names if key in versions]

"""Export a bundle to portable formats: ONNX and MLflow pyfunc.

ONNX libraries are imported inside the export functions; MLflow only when ``export_mlflow`` or
``RightfitPyfunc`` is first used.
"""

from rightfit.export._onnx import build_onnx, export_onnx, onnx_feed, parity_gap

__all__ = [
    "RightfitPyfunc",
    "build_onnx",
    "export_mlflow",
    "export_onnx",
    "onnx_feed",
    "parity_gap",
]


def __getattr__(name: str):
    # MLflow takes seconds to import: load it only for the names that need it.
    if name in ("RightfitPyfunc", "export_mlflow"):
        from rightfit.export import _mlflow

        return getattr(_mlflow, name)
    raise AttributeError(f"module 'rightfit.export' has no attribute {name!r}")

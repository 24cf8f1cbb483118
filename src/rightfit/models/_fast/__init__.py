"""A fast path for predicting a few rows: the fitted preprocessing compiled to numpy and dict
lookups, boosters called directly. Checked against the scikit-learn path when compiled; any
model or input it cannot reproduce exactly keeps the scikit-learn path."""

from rightfit.models._fast._columns import NotCompilable
from rightfit.models._fast._compile import FastPath, compile_fast_path, probe_frame
from rightfit.models._fast._rows import MAX_ROWS, FallBack

__all__ = ["MAX_ROWS", "FallBack", "FastPath", "NotCompilable", "compile_fast_path", "probe_frame"]

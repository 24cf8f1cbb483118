"""Which types a rightfit bundle may contain, checked before skops constructs anything.

skops lists the types in a file that it does not trust by default; we accept each one only if
a rule below allows it. Prefixes alone are not strict enough: skops can rebuild an object by
calling its class with stored arguments (``numpy.memmap(path, mode="w+")`` would create a file)
and can store references to functions that a pipeline later calls. So every name is resolved
(importing only modules of the packages named here) and must be the *kind* of object the rule
allows: an estimator class, a numpy scalar or dtype, a ufunc...
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

logger = logging.getLogger(__name__)

# Plain containers and scalars; exact names, because builtins also holds eval, exec, open...
_BUILTINS = frozenset(
    f"builtins.{name}"
    for name in (
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "bytearray",
        "slice",
        "NoneType",
    )
)
# LightGBM stores the Booster's parameters in these.
_EXACT = _BUILTINS | {
    "collections.OrderedDict",
    "collections.defaultdict",
    "lightgbm.basic.Booster",
    "xgboost.core.Booster",
}
# Parts of scikit-learn that are never inside a fitted model and can touch files or the network.
_SKLEARN_DENIED = ("sklearn.datasets.", "sklearn.externals.", "sklearn.utils._testing.")

TRUSTED_PREFIXES: tuple[str, ...] = (
    "rightfit.",  # our own estimators, wrappers and helper functions
    "sklearn.",  # estimators, transformers, trees, neighbour indexes (classes only)
    "numpy.",  # dtypes, scalar types, random generators, ufuncs (not memmap, not functions)
    "scipy.sparse.",  # sparse matrices kept by fitted models (e.g. support vectors)
    "scipy.special.",  # ufuncs such as expit used as link functions
    "lightgbm.sklearn.",  # LGBMClassifier, LGBMRegressor, LGBMRanker
    "xgboost.sklearn.",  # XGBClassifier, XGBRegressor, XGBRanker
)


def _resolve(name: str) -> object | None:
    """The object a dotted ``module.attr`` name refers to, or None when it does not exist."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _allowed_numpy(obj: object) -> bool:
    import numpy as np

    if isinstance(obj, np.ufunc):
        return True
    if not isinstance(obj, type):
        return False
    if issubclass(obj, np.memmap):
        return False
    return issubclass(obj, (np.generic, np.dtype, np.ndarray)) or obj.__module__.startswith(
        "numpy.random"
    )


def why_untrusted(name: str, extra_prefixes: Iterable[str] = ()) -> str:
    """Reason ``name`` is refused, or ``""`` when a rightfit bundle may contain it.

    Examples
    --------
    >>> why_untrusted("sklearn.tree._tree.Tree")
    ''
    >>> why_untrusted("builtins.eval")
    'not on the allowlist'
    """
    if name in _EXACT:
        return ""
    if name.startswith("rightfit.") or any(name.startswith(p) for p in extra_prefixes):
        obj = _resolve(name)
        if obj is None:
            return "not found"
        # Only classes defined in rightfit itself: a function or a module re-imported under a
        # rightfit name (rightfit.api.os, rightfit.pipeline.run) must never be callable from a file.
        home = getattr(obj, "__module__", "") or ""
        if not isinstance(obj, type) or not home.startswith(name.split(".", 1)[0]):
            return "not a class defined in rightfit"
        return ""
    if not name.startswith(TRUSTED_PREFIXES) or name.startswith(_SKLEARN_DENIED):
        return "not on the allowlist"
    obj = _resolve(name)
    if obj is None:
        return "not found"
    if name.startswith("numpy."):
        return "" if _allowed_numpy(obj) else "numpy object that is not a dtype, scalar or ufunc"
    if name.startswith("scipy.special."):
        import numpy as np

        return "" if isinstance(obj, np.ufunc) else "scipy.special object that is not a ufunc"
    return "" if isinstance(obj, type) else "a function, not a class"


def check_types(names: Iterable[str], extra_prefixes: Iterable[str] = ()) -> list[str]:
    """The refused names among ``names``, each with its reason (empty list: all trusted)."""
    extra = tuple(extra_prefixes)
    refused = []
    for name in names:
        reason = why_untrusted(name, extra)
        if reason:
            refused.append(f"{name} ({reason})")
        else:
            logger.debug("trusting type %s", name)
    return refused

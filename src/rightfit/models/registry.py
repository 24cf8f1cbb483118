"""The model families rightfit knows, by name. Adding a family = adding a ModelSpec here."""

from __future__ import annotations

from rightfit.errors import ConfigError, did_you_mean
from rightfit.models._spec import ModelSpec
from rightfit.models.boosting import LIGHTGBM, XGBOOST
from rightfit.models.catboost_trees import CATBOOST
from rightfit.models.forests import EXTRA_TREES, RANDOM_FOREST
from rightfit.models.keras_tabular import KERAS_MLP
from rightfit.models.keras_text import KERAS_TEXT
from rightfit.models.linear import LINEAR
from rightfit.models.neighbors import KNN, SVM
from rightfit.models.text import TEXT_TFIDF

_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Make a family available to the planner and to ``--models``."""
    _REGISTRY[spec.name] = spec
    return spec


for _spec in (
    LINEAR,
    RANDOM_FOREST,
    EXTRA_TREES,
    LIGHTGBM,
    XGBOOST,
    CATBOOST,
    KNN,
    SVM,
    TEXT_TFIDF,
    KERAS_MLP,
    KERAS_TEXT,
):
    register(_spec)


def family_names() -> list[str]:
    return list(_REGISTRY)


def get_spec(name: str) -> ModelSpec:
    """The ModelSpec called ``name``; a ConfigError suggesting the closest name otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"Unknown model family {name!r}.{did_you_mean(name, _REGISTRY)} "
            f"Choose from: {', '.join(_REGISTRY)} (see `rightfit models`)."
        ) from None


def parse_models(names: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    """Validate ``"lightgbm,linear"`` or a list of family names (None: rightfit chooses)."""
    if names is None:
        return None
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    cleaned = [n.strip() for n in names if n and n.strip()]
    if not cleaned:
        raise ConfigError("--models is empty. Name at least one family, e.g. --models lightgbm.")
    for name in cleaned:
        get_spec(name)
    return list(dict.fromkeys(cleaned))

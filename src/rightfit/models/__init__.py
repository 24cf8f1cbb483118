"""Model families (one module each), their learned preprocessing, and the registry."""

from rightfit.models._deadline import TrialTimeout
from rightfit.models._output import predict_output
from rightfit.models._predictor import TabularPredictor
from rightfit.models._serving import set_threads, single_threaded
from rightfit.models._spec import FitContext, ModelSpec, column_counts, text_column_count
from rightfit.models._target import build_estimator, log_target_helps, poisson_helps
from rightfit.models.registry import family_names, get_spec, parse_models, register

__all__ = [
    "FitContext",
    "ModelSpec",
    "TabularPredictor",
    "TrialTimeout",
    "build_estimator",
    "column_counts",
    "family_names",
    "get_spec",
    "log_target_helps",
    "parse_models",
    "poisson_helps",
    "predict_output",
    "register",
    "set_threads",
    "single_threaded",
    "text_column_count",
]

"""The orchestrator: the only package that calls the workflow's stages in order."""

from rightfit.pipeline._prepare import Prepared, default_jobs, encode_target, prepare
from rightfit.pipeline._run import RunResult, run

__all__ = ["Prepared", "RunResult", "default_jobs", "encode_target", "prepare", "run"]

"""Fit diagnosis: learning and validation curves, a verdict with evidence, remedies."""

from rightfit.diagnose._curves import Curve, CurveRunner, complexity_param
from rightfit.diagnose._diagnose import diagnose
from rightfit.diagnose._verdict import Diagnosis, judge, skill

__all__ = ["Curve", "CurveRunner", "Diagnosis", "complexity_param", "diagnose", "judge", "skill"]

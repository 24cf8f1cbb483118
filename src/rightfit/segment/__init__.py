"""Customer segmentation: clustering with stability checks and segment profiles."""

from rightfit.segment._assign import LogSkewed, SegmentAssigner
from rightfit.segment._fit import fit_segments
from rightfit.segment._model import Segmenter, load_segmenter
from rightfit.segment._profiles import profile_segments
from rightfit.segment._rfm import RFMSpec, rfm_table

__all__ = [
    "LogSkewed",
    "RFMSpec",
    "SegmentAssigner",
    "Segmenter",
    "fit_segments",
    "load_segmenter",
    "profile_segments",
    "rfm_table",
]

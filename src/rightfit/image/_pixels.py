"""Decode image files into fixed-size RGB arrays (uint8, 0-255), the networks' input."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from rightfit.errors import DataError

logger = logging.getLogger(__name__)


def load_pixels(paths: Sequence[str], size: int) -> np.ndarray:
    """An (n, size, size, 3) uint8 array; each image converted to RGB and resized.

    The whole image is resized (not cropped), as Keras' ``image_dataset_from_directory`` does,
    so nothing at the borders is lost. Unreadable files raise a DataError naming them.
    """
    from PIL import Image, UnidentifiedImageError

    out = np.empty((len(paths), size, size, 3), dtype=np.uint8)
    bad = []
    for i, path in enumerate(paths):
        try:
            with Image.open(path) as image:
                out[i] = np.asarray(
                    image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
                )
        except (OSError, UnidentifiedImageError, ValueError) as error:
            bad.append(f"{path} ({type(error).__name__})")
    if bad:
        shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise DataError(
            f"{len(bad)} file(s) could not be read as images: {shown}. Remove or replace them."
        )
    return out

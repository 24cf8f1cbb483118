"""Image classification from a folder of class subfolders (Keras, transfer learning).

``fit_image_model("photos/")`` trains, evaluates on a blind test and returns an
:class:`ImageModel`; ``load_image_model(bundle)`` reads one back. TensorFlow is imported only
when one of them runs.
"""

from rightfit.image._fit import IMAGE_FAMILIES, fit_image_model
from rightfit.image._model import ImageModel, load_image_model
from rightfit.image._networks import BACKBONES
from rightfit.image._source import read_labelled_images, read_prediction_source

__all__ = [
    "BACKBONES",
    "IMAGE_FAMILIES",
    "ImageModel",
    "fit_image_model",
    "load_image_model",
    "read_labelled_images",
    "read_prediction_source",
]

"""The image networks: a small CNN trained from scratch, and keras.applications backbones.

Both take uint8-range RGB pixels and start with the same light augmentation (flip, rotation,
zoom), which is active only while training. Backbones include their own input rescaling.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from rightfit.errors import ConfigError

logger = logging.getLogger(__name__)

BACKBONES = {
    "mobilenet_v3_small": "MobileNetV3Small",
    "mobilenet_v3_large": "MobileNetV3Large",
    "efficientnet_b0": "EfficientNetB0",
}
DEFAULT_BACKBONE = "mobilenet_v3_small"
DOWNLOAD_TIMEOUT = 20.0


def check_backbone(name: str | None) -> str:
    """The backbone's canonical name; a ConfigError with the choices otherwise."""
    from rightfit.errors import did_you_mean

    name = (name or DEFAULT_BACKBONE).strip().lower().replace("-", "_")
    if name not in BACKBONES:
        raise ConfigError(
            f"Unknown --backbone {name!r}.{did_you_mean(name, BACKBONES)} Choose from "
            f"{', '.join(BACKBONES)}."
        )
    return name


def _augmentation(keras, seed: int):
    layers = keras.layers
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            layers.RandomRotation(0.05, seed=seed + 1),
            layers.RandomZoom(0.1, seed=seed + 2),
        ],
        name="augmentation",
    )


def scratch_cnn(keras, size: int, n_classes: int, seed: int):
    """Four convolution blocks (32-256 filters) with batch norm, global pooling, dropout."""
    layers = keras.layers
    inputs = keras.Input((size, size, 3), name="pixels")
    x = _augmentation(keras, seed)(inputs)
    x = layers.Rescaling(1.0 / 255)(x)
    for filters in (32, 64, 128, 256):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        # momentum 0.9: small image sets give few steps for the running statistics to settle
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="scratch_cnn")


def make_backbone(keras, name: str, size: int, weights: str):
    """The headless backbone with ``weights``: ``"imagenet"``, a weights file, or ``"none"``.

    Raises
    ------
    ConfigError
        ImageNet weights that cannot be downloaded (no internet), a missing or mismatched file.
    """
    constructor = getattr(keras.applications, BACKBONES[name])
    kwargs = {"input_shape": (size, size, 3), "include_top": False, "pooling": "avg"}
    if name.startswith("mobilenet"):
        kwargs["include_preprocessing"] = True
    if weights == "none":
        return constructor(weights=None, **kwargs)
    if weights == "imagenet":
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)  # fail fast without internet
        try:
            return constructor(weights="imagenet", **kwargs)
        except Exception as error:
            raise ConfigError(
                f"Cannot get the ImageNet weights of {name} ({_short(error)}); this machine may "
                "have no internet access. Pass --backbone-weights FILE with the backbone's "
                "weights (Keras' no-top .h5 file, or a .weights.h5 saved from "
                f"keras.applications.{BACKBONES[name]}(include_top=False)), or "
                "--backbone-weights none to train a CNN from scratch."
            ) from None
        finally:
            socket.setdefaulttimeout(previous)
    path = Path(weights).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"--backbone-weights {weights!r} is neither 'imagenet', 'none' nor an existing "
            "file. Give the path of the backbone's weights file, or 'none' to train from scratch."
        )
    try:
        return constructor(weights=str(path), **kwargs)
    except Exception as error:
        raise ConfigError(
            f"Cannot load {str(path)!r} into the {name} backbone ({_short(error)}). The file "
            f"must hold the weights of keras.applications.{BACKBONES[name]}(include_top=False); "
            "choose the matching --backbone, or --backbone-weights none."
        ) from None


def transfer_model(keras, backbone, size: int, n_classes: int, seed: int):
    """Augmentation, the backbone (in inference mode, so batch norm statistics stay put while
    fine-tuning), dropout and a softmax head."""
    layers = keras.layers
    inputs = keras.Input((size, size, 3), name="pixels")
    x = _augmentation(keras, seed)(inputs)
    x = backbone(x, training=False)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"transfer_{backbone.name}")


def unfreeze_top(backbone, share: float = 0.25) -> int:
    """Make the top ``share`` of the backbone's layers trainable (batch norm stays frozen)."""
    backbone.trainable = True
    layers = backbone.layers
    first = int(len(layers) * (1 - share))
    n = 0
    for i, layer in enumerate(layers):
        trainable = i >= first and "BatchNormalization" not in type(layer).__name__
        layer.trainable = trainable
        n += trainable
    return n


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]

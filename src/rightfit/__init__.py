"""rightfit: machine learning the way a careful senior data scientist does it."""

__version__ = "0.1.0"

"""Model bundles: a fitted model and its record, saved atomically and loaded without pickle."""

from rightfit.store._atomic import atomic_write_bytes, atomic_write_text
from rightfit.store._bundle import (
    BUNDLE_FORMAT,
    FORMAT_VERSION,
    library_versions,
    load_bundle,
    read_record,
    save_bundle,
)
from rightfit.store._trust import TRUSTED_PREFIXES, why_untrusted

__all__ = [
    "BUNDLE_FORMAT",
    "FORMAT_VERSION",
    "TRUSTED_PREFIXES",
    "atomic_write_bytes",
    "atomic_write_text",
    "library_versions",
    "load_bundle",
    "read_record",
    "save_bundle",
    "why_untrusted",
]

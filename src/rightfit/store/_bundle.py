"""A model bundle: a directory holding ``model.skops`` and ``record.json``.

``model.skops`` is written with skops (no pickle) and loaded only after its checksum matches
``record.json`` and every type in it passes rightfit's allowlist (see ``_trust.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from rightfit.errors import BundleError
from rightfit.store._atomic import new_sibling_dir, swap_in_dir, write_synced
from rightfit.store._trust import check_types

logger = logging.getLogger(__name__)

BUNDLE_FORMAT = "rightfit-bundle"
FORMAT_VERSION = 1
MODEL_FILE = "model.skops"
RECORD_FILE = "record.json"
UNCHECKED_FILES = ("report.html",)
_RESERVED = ("format", "format_version", "model_sha256", "versions", "saved_at", "files")
# Distribution names; xgboost ships as "xgboost-cpu" on some platforms.
_DISTRIBUTIONS = {
    "rightfit": ("rightfit",),
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "scipy": ("scipy",),
    "sklearn": ("scikit-learn",),
    "lightgbm": ("lightgbm",),
    "xgboost": ("xgboost", "xgboost-cpu"),
    "catboost": ("catboost",),
    "skops": ("skops",),
}
_REFIT = "Re-run `rightfit fit` to write a new bundle."


def library_versions() -> dict[str, str]:
    """Versions of Python and of the installed libraries a model may depend on.

    Read from package metadata, so nothing heavy is imported.

    Examples
    --------
    >>> "python" in library_versions()
    True
    """
    versions = {"python": platform.python_version()}
    for key, distributions in _DISTRIBUTIONS.items():
        for distribution in distributions:
            try:
                versions[key] = importlib.metadata.version(distribution)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return versions


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_bundle(path: Path) -> bool:
    try:
        record = json.loads((path / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("format") == BUNDLE_FORMAT


def _check_target(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise BundleError(
            f"Cannot save the model to {str(path)!r}: it exists and is a file, not a directory. "
            "Choose another --out or remove it."
        )
    if path.is_dir() and any(path.iterdir()) and not _is_bundle(path):
        raise BundleError(
            f"Cannot save the model to {str(path)!r}: it exists and is not a rightfit bundle; "
            "choose another --out or remove it. (rightfit never deletes files it did not write.)"
        )


def _dump_model(model: object, extra_trusted_prefixes: Iterable[str]) -> bytes:
    import skops.io

    try:
        # Deflate: forests' node arrays shrink about 7x (a 14 MB bundle became 1.9 MB, +0.2 s
        # to save, loading unchanged); loaders need nothing new.
        data = skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    except Exception as error:
        raise BundleError(
            f"Cannot save the fitted {type(model).__name__} with skops: {error}. Models in a "
            "bundle must be made of scikit-learn-style objects whose state is plain data."
        ) from error
    refused = check_types(skops.io.get_untrusted_types(data=data), extra_trusted_prefixes)
    if refused:
        raise BundleError(
            f"Refusing to save: the fitted {type(model).__name__} contains types that "
            f"load_bundle would refuse: {', '.join(refused)}. Define custom estimators and "
            "functions in a rightfit module, or wrap them in a rightfit ModelSpec."
        )
    return data


def save_bundle(
    path: str | os.PathLike,
    model: object,
    record: dict,
    *,
    extra_trusted_prefixes: Iterable[str] = (),
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write ``model`` and ``record`` as a bundle directory at ``path``, atomically.

    The bundle is written into a hidden sibling directory and then swapped in; an existing
    bundle at ``path`` is replaced, an empty directory is used, anything else is refused.

    Parameters
    ----------
    record : dict
        JSON-serialisable metadata (schema, metrics, settings...). ``format``,
        ``format_version``, ``model_sha256``, ``versions`` and ``saved_at`` are filled in here.
    extra_trusted_prefixes : iterable of str
        Module prefixes trusted on top of rightfit's allowlist (for tests and plug-ins).
    extra_files : mapping of file name to bytes, optional
        Further files written into the bundle in the same atomic swap (``report.html``, a
        Keras model file...). Names are plain file names, never paths; their SHA-256 sums are
        recorded under ``files``.

    Returns
    -------
    Path
        The bundle directory.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.dummy import DummyClassifier
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> model = DummyClassifier().fit([[0], [1]], [0, 1])
    >>> save_bundle(out, model, {"target": "y"}).name
    'model'
    >>> load_bundle(out)[1]["target"]
    'y'
    """
    path = Path(path)
    _check_target(path)
    overwritten = [key for key in _RESERVED if key in record]
    if overwritten:
        logger.warning("record keys %s are set by save_bundle; given values ignored", overwritten)
    data = _dump_model(model, extra_trusted_prefixes)
    extra_files = dict(extra_files or {})
    for name in extra_files:
        if name in (MODEL_FILE, RECORD_FILE) or Path(name).name != name or name.startswith("."):
            raise BundleError(f"Cannot add {name!r} to a bundle: give a plain, new file name.")
    full_record = {
        **record,
        # report.html is regenerated by `rightfit report`; files a loader reads are checksummed.
        "files": {
            name: _sha256(blob)
            for name, blob in sorted(extra_files.items())
            if name not in UNCHECKED_FILES
        },
        "format": BUNDLE_FORMAT,
        "format_version": FORMAT_VERSION,
        "model_sha256": _sha256(data),
        "versions": library_versions(),
        "saved_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        text = json.dumps(full_record, indent=2, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise BundleError(
            f"Cannot save the bundle record as JSON: {error}. Convert data objects with "
            ".to_dict() and NaN values to None before saving."
        ) from error
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = new_sibling_dir(path, "tmp")
    try:
        write_synced(staging / MODEL_FILE, data)
        write_synced(staging / RECORD_FILE, text.encode("utf-8"))
        for name, blob in extra_files.items():
            write_synced(staging / name, blob)
        swap_in_dir(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("saved model bundle to %s (%d bytes)", path, len(data))
    return path


def _leftovers_hint(path: Path) -> str:
    leftovers = sorted(path.parent.glob(f".{path.name}.*-*")) if path.parent.is_dir() else []
    if not leftovers:
        return ""
    return (
        f" An interrupted save left {', '.join(repr(str(p)) for p in leftovers)}; "
        f"if one holds record.json and model.skops, rename it to {str(path)!r}."
    )


def read_record(path: str | os.PathLike) -> dict:
    """The ``record.json`` of the bundle at ``path``, validated; the model is not loaded.

    Raises
    ------
    BundleError
        Missing directory or file, invalid JSON, not a rightfit bundle, or a newer format.
    """
    path = Path(path)
    if not path.is_dir():
        what = "is a file, not a bundle directory" if path.exists() else "does not exist"
        raise BundleError(
            f"Cannot load a model from {str(path)!r}: it {what}. Pass the directory written "
            f"by `rightfit fit --out`.{_leftovers_hint(path)}"
        )
    record_path = path / RECORD_FILE
    try:
        text = record_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(
            f"{str(record_path)!r} is missing, so {str(path)!r} is not a complete rightfit "
            f"bundle. {_REFIT}"
        ) from None
    try:
        record = json.loads(text)
    except ValueError as error:
        raise BundleError(
            f"{str(record_path)!r} is not valid JSON ({error}); the bundle is damaged. {_REFIT}"
        ) from None
    if not isinstance(record, dict) or record.get("format") != BUNDLE_FORMAT:
        found = record.get("format") if isinstance(record, dict) else type(record).__name__
        raise BundleError(
            f"{str(record_path)!r} is not a rightfit bundle record (format {found!r}, expected "
            f"{BUNDLE_FORMAT!r}). Pass the directory written by `rightfit fit --out`."
        )
    version = record.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(
            f"{str(record_path)!r} has an invalid format_version {version!r}. {_REFIT}"
        )
    if version > FORMAT_VERSION:
        raise BundleError(
            f"The bundle {str(path)!r} was written by a newer rightfit (bundle format "
            f"{version}; this one reads up to {FORMAT_VERSION}). Upgrade rightfit "
            "(pip install -U rightfit) or re-run `rightfit fit` with this version."
        )
    return record


def _warn_version_drift(record: dict, path: Path) -> None:
    saved = record.get("versions") or {}
    current = library_versions()
    for key in ("sklearn", "lightgbm", "xgboost", "catboost", "numpy"):
        if key in saved and key in current and saved[key] != current[key]:
            logger.warning(
                "bundle %s was saved with %s %s and is loaded with %s; predictions may differ. "
                "Re-run `rightfit fit` to be sure.",
                path,
                key,
                saved[key],
                current[key],
            )


def load_bundle(
    path: str | os.PathLike, *, extra_trusted_prefixes: Iterable[str] = ()
) -> tuple[object, dict]:
    """Load the model and record of the bundle at ``path``, refusing anything unsafe.

    The model file must match the checksum in ``record.json`` and contain only types on
    rightfit's allowlist; nothing is unpickled.

    Parameters
    ----------
    extra_trusted_prefixes : iterable of str
        Module prefixes trusted on top of rightfit's allowlist (for tests and plug-ins).

    Raises
    ------
    BundleError
        See :func:`read_record`; also a missing or modified ``model.skops``, or types outside
        the allowlist.

    Examples
    --------
    See :func:`save_bundle`.
    """
    import skops.io

    path = Path(path)
    record = read_record(path)
    model_path = path / MODEL_FILE
    try:
        data = model_path.read_bytes()
    except FileNotFoundError:
        raise BundleError(
            f"{str(model_path)!r} is missing, so {str(path)!r} is not a complete rightfit "
            f"bundle. {_REFIT}"
        ) from None
    if _sha256(data) != record.get("model_sha256"):
        raise BundleError(
            f"{str(model_path)!r} does not match the checksum in record.json: the bundle was "
            f"modified after it was saved, or copied incompletely. {_REFIT}"
        )
    try:
        types = skops.io.get_untrusted_types(data=data)
    except Exception as error:
        raise BundleError(
            f"{str(model_path)!r} cannot be read as a skops file ({error}). {_REFIT}"
        ) from error
    refused = check_types(types, extra_trusted_prefixes)
    if refused:
        raise BundleError(
            f"Refusing to load: {str(model_path)!r} contains types outside rightfit's "
            f"allowlist: {', '.join(refused)}. This file was not written by rightfit or was "
            f"tampered with; do not use it. {_REFIT}"
        )
    _warn_version_drift(record, path)
    try:
        model = skops.io.loads(data, trusted=types)
    except Exception as error:
        raise BundleError(
            f"{str(model_path)!r} passed the safety checks but could not be rebuilt "
            f"({type(error).__name__}: {error}). Check that the library versions in "
            f"record.json are installed. {_REFIT}"
        ) from error
    logger.info("loaded model bundle from %s", path)
    return model, record

"""Where images come from: a folder of class subfolders, a CSV of paths, a folder or list of files.

Every reader returns plain paths (and labels), checked to exist, so errors name the file and the
fix before any training starts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from rightfit.errors import ConfigError, DataError, did_you_mean

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
PATH_COLUMN_NAMES = ("path", "file", "filename", "filepath", "image", "image_path", "img")


def _is_image(path: Path) -> bool:
    return (
        path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith(".")
    )


def read_labelled_images(source: Path, target: str | None = None) -> pd.DataFrame:
    """Training images as a frame with ``path`` and ``label`` columns.

    Parameters
    ----------
    source : Path
        A folder with one subfolder per class (the subfolder name is the label), or a CSV with
        a column of image paths (absolute, or relative to the CSV) and a label column.
    target : str, optional
        The label column of a CSV; ignored (with a note) for a folder of class subfolders.

    Raises
    ------
    DataError
        Missing source, fewer than two classes, unreadable CSV, paths that do not exist.
    """
    source = Path(source)
    if not source.exists():
        raise DataError(
            f"{str(source)!r} does not exist. Give a folder of class subfolders or a CSV."
        )
    if source.is_dir():
        return _from_class_folders(source, target)
    return _from_csv(source, target)


def _from_class_folders(folder: Path, target: str | None) -> pd.DataFrame:
    if target is not None:
        logger.info("--target %r ignored: labels are the subfolder names of %s", target, folder)
    rows = []
    loose = [p for p in folder.iterdir() if _is_image(p)]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in sub.rglob("*") if _is_image(p))
        rows += [(str(p), sub.name) for p in files]
    frame = pd.DataFrame(rows, columns=["path", "label"])
    classes = frame["label"].unique() if len(frame) else []
    if len(classes) < 2:
        found = f"found {len(classes)} class subfolder(s) with images" + (
            f" and {len(loose)} loose images" if loose else ""
        )
        raise DataError(
            f"{str(folder)!r} needs one subfolder per class holding that class's images "
            f"(e.g. photos/cat/*.jpg, photos/dog/*.jpg); {found}. Image types read: "
            f"{', '.join(IMAGE_SUFFIXES)}. Or pass a CSV with a path and a label column."
        )
    return frame


def _from_csv(path: Path, target: str | None) -> pd.DataFrame:
    frame = _read_csv(path)
    path_column = find_path_column(frame, path)
    if target is None:
        others = [c for c in frame.columns if c != path_column]
        if len(others) != 1:
            raise ConfigError(
                f"{str(path)!r} has columns {', '.join(map(repr, frame.columns))}; name the "
                "label column with --target (e.g. --target label)."
            )
        target = others[0]
    if target not in frame.columns:
        raise ConfigError(
            f"Label column {target!r} is not in {str(path)!r}.{did_you_mean(target, frame.columns)}"
            f" Columns: {', '.join(map(repr, frame.columns))}."
        )
    labelled = frame[[path_column, target]].dropna()
    out = pd.DataFrame(
        {
            "path": resolve_paths(labelled[path_column], path.parent, path),
            "label": labelled[target].astype(str).to_numpy(),
        }
    )
    if out["label"].nunique() < 2:
        raise DataError(
            f"Label column {target!r} of {str(path)!r} has fewer than two classes. An image "
            "classifier needs at least two; check the labels."
        )
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=True)
    except Exception as error:
        raise DataError(
            f"Cannot read {str(path)!r} as a CSV ({type(error).__name__}: {error}). Give a "
            "folder of images or a CSV with a path column."
        ) from None


def find_path_column(frame: pd.DataFrame, where: Path) -> str:
    """The column holding image paths: a usual name, else the one whose values end like images."""
    for column in frame.columns:
        if str(column).strip().lower() in PATH_COLUMN_NAMES:
            return column
    for column in frame.columns:
        values = frame[column].dropna().astype(str).str.lower()
        if len(values) and values.str.endswith(IMAGE_SUFFIXES).mean() > 0.9:
            return column
    raise DataError(
        f"{str(where)!r} has no column of image paths (looked for a column named "
        f"{', '.join(PATH_COLUMN_NAMES[:3])}... or whose values end in .jpg/.png). Add a 'path' "
        "column."
    )


def resolve_paths(values: pd.Series, base: Path, where: Path) -> list[str]:
    """Absolute paths (relative ones are taken from ``base``), each checked to exist."""
    paths = [Path(v) if Path(v).is_absolute() else base / v for v in values.astype(str)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        shown = ", ".join(map(repr, missing[:3])) + (" ..." if len(missing) > 3 else "")
        raise DataError(
            f"{len(missing)} image path(s) listed in {str(where)!r} do not exist: {shown}. "
            "Paths are read as absolute or relative to the CSV's folder."
        )
    return [str(p) for p in paths]


def read_prediction_source(source: str | Path | Sequence[str | Path]) -> list[str]:
    """Image paths to predict: a folder (searched recursively), a CSV with a path column, or a
    list of image files."""
    if isinstance(source, (list, tuple)):
        paths = [Path(p) for p in source]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise DataError(
                f"{len(missing)} image file(s) do not exist: {', '.join(map(repr, missing[:3]))}."
                " Check the paths."
            )
        return [str(p) for p in paths]
    source = Path(source)
    if not source.exists():
        raise DataError(
            f"{str(source)!r} does not exist. Give a folder of images, a CSV with a path "
            "column, or a list of image files."
        )
    if source.is_dir():
        paths = sorted(str(p) for p in source.rglob("*") if _is_image(p))
        if not paths:
            raise DataError(
                f"{str(source)!r} holds no images ({', '.join(IMAGE_SUFFIXES)}). Point to the "
                "folder that contains them."
            )
        return paths
    if source.suffix.lower() in IMAGE_SUFFIXES:
        return [str(source)]
    frame = _read_csv(source)
    column = find_path_column(frame, source)
    return resolve_paths(frame[column].dropna(), source.parent, source)

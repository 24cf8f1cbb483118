"""read_table: CSV (common delimiters and encodings), Parquet or a DataFrame, clear errors."""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import logging
import os
from collections import Counter
from pathlib import Path

import pandas as pd

from rightfit.data._convert import number
from rightfit.data._schema import Table
from rightfit.errors import DataError

logger = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64_000
# Slices in which a file is checked to decode (no whole decoded copy of a large file).
_CHECK_BYTES = 16 * 2**20
# Single-byte encodings share many byte values; cp1252 (Excel on Windows) is by far the most
# common one for CSV exports, so it wins when charset-normalizer lists it among its candidates.
_PREFERRED_LEGACY = "cp1252"
_MAX_CHAOS = 0.1


def read_table(source: str | os.PathLike | pd.DataFrame) -> Table:
    """Read a CSV or Parquet file, or copy a DataFrame, into a :class:`Table`.

    CSV delimiter (``, ; tab |``) and encoding (UTF-8, UTF-8 with BOM, else a reliable guess)
    are detected. Cells holding only ``?`` are read as missing, as are pandas' default NA
    strings. Nothing is dropped.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        ``.csv``, ``.tsv``, ``.txt`` (optionally ``.gz``), ``.parquet``/``.pq``, or a frame.

    Returns
    -------
    Table
        The frame plus source, format, encoding, delimiter and a sha256 fingerprint.

    Raises
    ------
    DataError
        Missing file, unsupported type, unreadable encoding, no data rows, duplicated names.

    Examples
    --------
    >>> table = read_table(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    >>> table.format, table.frame.shape
    ('dataframe', (2, 2))
    """
    if isinstance(source, pd.DataFrame):
        return _from_frame(source)
    if not isinstance(source, (str, os.PathLike)):
        raise DataError(
            f"Cannot read data from a {type(source).__name__}. "
            "Pass a file path (CSV or Parquet) or a pandas DataFrame."
        )
    path = Path(source)
    if not path.exists():
        raise DataError(
            f"File {str(source)!r} not found (looked for {path.resolve()}). "
            "Check the spelling and the working directory, or pass an absolute path."
        )
    if path.is_dir():
        raise DataError(
            f"{str(source)!r} is a directory, not a data file. "
            "Pass one CSV or Parquet file inside it."
        )
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return _read_parquet(path)
    if name.endswith(CSV_SUFFIXES):
        return _read_csv(path)
    raise DataError(
        f"File {str(source)!r} has an unsupported type ({path.suffix or 'no extension'}). "
        f"rightfit reads {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}. "
        "Save the data as CSV or Parquet."
    )


def _from_frame(frame: pd.DataFrame) -> Table:
    _check_unique_names([str(c) for c in frame.columns], "The DataFrame")
    frame = _string_names(frame.copy())
    if len(frame) == 0:
        raise DataError("The DataFrame has no data rows. Pass a frame with at least one row.")
    if frame.shape[1] == 0:
        raise DataError("The DataFrame has no columns. Pass a frame with at least one column.")
    frame = _question_marks_to_missing(frame, "the DataFrame").reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update("\x1f".join(frame.columns).encode())
    return Table(frame, "<DataFrame>", "dataframe", None, None, digest.hexdigest())


def _read_parquet(path: Path) -> Table:
    raw = path.read_bytes()
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as error:  # pyarrow raises many types; all mean "not a usable parquet"
        raise DataError(
            f"Cannot read {str(path)!r} as Parquet: {_first_line(error)}. "
            "Check that the file is a complete Parquet file, or save the data as CSV."
        ) from error
    _check_unique_names([str(c) for c in frame.columns], f"File {str(path)!r}")
    if len(frame) == 0:
        raise DataError(f"File {str(path)!r} has no data rows. Check the export that made it.")
    frame = _question_marks_to_missing(_string_names(frame), repr(str(path)))
    return Table(frame, str(path), "parquet", None, None, hashlib.sha256(raw).hexdigest())


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    fingerprint = hashlib.sha256(raw).hexdigest()
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise DataError(
                f"File {str(path)!r} ends in .gz but is not valid gzip ({_first_line(error)}). "
                "Decompress it yourself or rename it without .gz."
            ) from error
    encoding = _encoding(raw, path)
    sample = _decoded_prefix(raw, encoding)
    if not sample.strip() and not raw.decode(encoding).strip():
        raise DataError(f"File {str(path)!r} has no data rows (the file is empty).")
    delimiter = detect_delimiter(sample, path)
    header = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    _check_unique_names(header, f"File {str(path)!r}")
    try:
        # pandas decodes the bytes itself: a decoded copy in a StringIO held four bytes per
        # character (2.3 GB at the peak for a 264 MB file, 1.0 GB this way)
        frame = pd.read_csv(io.BytesIO(raw), sep=delimiter, low_memory=False, encoding=encoding)
    except pd.errors.EmptyDataError as error:
        raise DataError(f"File {str(path)!r} has no data rows (the file is empty).") from error
    except (pd.errors.ParserError, ValueError, csv.Error) as error:
        raise DataError(
            f"Cannot parse {str(path)!r} as a table with delimiter {delimiter!r}: "
            f"{_first_line(error)}. Check that every row has the same number of fields and "
            "that quotes are closed, or save the file again from a spreadsheet as CSV."
        ) from error
    if len(frame) == 0:
        raise DataError(
            f"File {str(path)!r} has no data rows (only a header: "
            f"{', '.join(map(repr, list(frame.columns)[:5]))}). Check the export that made it."
        )
    frame = _question_marks_to_missing(_string_names(frame), repr(str(path)))
    logger.debug("read %s: %d rows, %d columns", path, *frame.shape)
    return Table(frame, str(path), "csv", encoding, delimiter, fingerprint)


def _decodes(raw: bytes, encoding: str) -> bool:
    """Whether all of ``raw`` decodes as ``encoding``, checked in slices so that no decoded copy
    of a large file is ever held whole."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _CHECK_BYTES):
            decoder.decode(view[start : start + _CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decoded_prefix(raw: bytes, encoding: str) -> str:
    """The first ``_SNIFF_BYTES`` decoded (a character cut at the end is left out)."""
    return codecs.getincrementaldecoder(encoding)(errors="ignore").decode(raw[:_SNIFF_BYTES])


def _encoding(raw: bytes, path: Path) -> str:
    """The encoding of ``raw``: UTF-8 (with or without a BOM), else a reliable guess."""
    utf8 = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    if _decodes(raw, utf8):
        return utf8
    import charset_normalizer

    matches = charset_normalizer.from_bytes(raw[:2_000_000])
    best = matches.best()
    candidates = [m.encoding for m in matches]
    chosen = None
    if best is not None and best.chaos <= _MAX_CHAOS:
        if _PREFERRED_LEGACY in candidates or _PREFERRED_LEGACY in best.could_be_from_charset:
            chosen = _PREFERRED_LEGACY
        elif len({str(m) for m in matches}) == 1:
            chosen = best.encoding
    if chosen is not None and not _decodes(raw, chosen):
        chosen = None
    if chosen is None:
        guesses = ", ".join(candidates[:4]) or "none"
        raise DataError(
            f"File {str(path)!r} is not UTF-8 and its encoding cannot be guessed reliably "
            f"(candidates: {guesses}). Re-save it as UTF-8 (in Excel: Save As > "
            "'CSV UTF-8'), then read it again."
        )
    logger.warning(
        "File %r is not UTF-8; decoded it as %s (a guess). If accented letters look wrong, "
        "re-save the file as UTF-8.",
        str(path),
        chosen,
    )
    return chosen


def detect_delimiter(text: str, path: Path) -> str:
    """The CSV delimiter: tab for .tsv, else the sniffer, else the header line's best split."""
    if path.name.lower().endswith((".tsv", ".tsv.gz")):
        return "\t"
    sample = text[:_SNIFF_BYTES]
    first_line = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter is None or delimiter not in first_line:
        # The sniffer fails on one-column files and on quoted fields full of commas; the header
        # line is the most reliable witness left.
        counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])
        delimiter = best if counts[best] > 1 else ","
    logger.debug("delimiter of %s: %r", path, delimiter)
    return delimiter


def _check_unique_names(names: list[str], where: str) -> None:
    counts = Counter(str(n).strip() for n in names)
    duplicated = {n: k for n, k in counts.items() if k > 1}
    if duplicated:
        listed = ", ".join(f"{n!r} ({k} times)" for n, k in list(duplicated.items())[:10])
        message = (
            f"{where} has duplicated column names: {listed}. Each column needs a unique name; "
            "rename or remove the copies (for example 'price' and 'price_2') and read it again."
        )
        if any(number(n) == number(n) for n in names):  # a header of numbers is a data row
            message += (
                " The first line looks like data rather than column names: if the file has no "
                "header row, add one, or read it with pandas.read_csv(path, header=None) and "
                "pass the DataFrame."
            )
        raise DataError(message)


def _string_names(frame: pd.DataFrame) -> pd.DataFrame:
    if not all(isinstance(c, str) for c in frame.columns):
        frame.columns = [str(c) for c in frame.columns]
    return frame


def _question_marks_to_missing(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Treat cells that hold only '?' as missing (a common export convention, e.g. UCI data)."""
    changed = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind not in "OSU" and not isinstance(column.dtype, pd.StringDtype):
            continue
        mask = column.to_numpy(dtype=object) == "?"
        n_marks = int(mask.sum())
        if not n_marks:
            continue
        cleaned = column.mask(mask)
        # Re-run the numeric inference pandas would have done without the '?' cells.
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            with contextlib.suppress(ValueError, TypeError):
                cleaned = pd.to_numeric(cleaned)
        frame[name] = cleaned
        changed[name] = n_marks
    if changed:
        listed = ", ".join(f"{n} ({k})" for n, k in changed.items())
        logger.info("treated cells holding only '?' as missing in %s: %s", where, listed)
    return frame


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

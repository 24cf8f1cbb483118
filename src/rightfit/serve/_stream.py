"""Batch scoring of large CSV/Parquet files in chunks, with bounded memory.

``rightfit predict`` reads a chunk, scores it, writes it and forgets it, so memory depends on the
chunk size, not on the file. CSV chunks are read as text and parsed against the training schema
(``read_table`` would infer types from the whole file, which a stream cannot see): input columns
are copied to the output exactly as written in the file (missing markers become empty cells),
and the model sees values typed as they were at training time.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import logging
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from rightfit.data import FEATURE_ROLES, Schema
from rightfit.data._convert import label, number
from rightfit.data._read import detect_delimiter
from rightfit.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

CHUNK_ROWS = 50_000
_SNIFF_BYTES = 64_000
_PARQUET = (".parquet", ".pq")
_CSV = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_file` wrote."""

    rows: int
    chunks: int
    out: Path | None


def score_file(
    score: Callable[[pd.DataFrame], pd.DataFrame],
    source: Path,
    out: Path | None,
    *,
    schema: Schema | None = None,
    keep_inputs: bool = True,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool | None = None,
) -> ScoreSummary:
    """Score ``source`` chunk by chunk and write each scored chunk to ``out`` (stdout: None).

    Parameters
    ----------
    score : ``DataFrame -> DataFrame``, e.g. ``model.predict_frame``.
    source : CSV (optionally gzipped) or Parquet file.
    out : ``.csv`` or ``.parquet`` file, written atomically; None writes CSV to stdout.
    schema : the training schema; CSV text is parsed as the training data was.
    keep_inputs : put the input columns before the scores (as ``rightfit predict`` does).
    chunk_rows : rows per chunk.
    progress : show a progress bar on stderr; default: when stderr is a terminal.

    Returns
    -------
    ScoreSummary

    Examples
    --------
    >>> score_file(model.predict_frame, Path("big.csv"), Path("scored.parquet"))  # doctest: +SKIP
    """
    if chunk_rows < 1:
        raise ConfigError(f"--chunk-rows must be at least 1, got {chunk_rows}.")
    chunks, total, position = _open_chunks(Path(source), schema, chunk_rows)
    show = sys.stderr.isatty() if progress is None else progress
    rows = n_chunks = 0
    unreadable = _UnreadableNumbers(schema)
    with _writer(out) as write, _bar(show, total, Path(source).name) as advance:
        for raw, model_input in chunks:
            if raw.empty:  # a header-only file gives one empty chunk
                continue
            unreadable.count(raw)
            scored = score(model_input)
            if keep_inputs:
                inputs = raw.drop(columns=[c for c in scored.columns if c in raw.columns])
                scored = pd.concat(
                    [inputs.reset_index(drop=True), scored.reset_index(drop=True)], axis=1
                )
            write(scored)
            rows += len(raw)
            n_chunks += 1
            advance(position())
        if rows == 0:  # raised inside the writer, so no empty output file is left behind
            raise DataError(
                f"File {str(source)!r} has no data rows; check the export that made it."
            )
    unreadable.warn(rows)
    return ScoreSummary(rows, n_chunks, out)


class _UnreadableNumbers:
    """Counts cells of numeric input columns that hold something other than a number.

    The model scores such a cell as missing, as it did at training time; a file written with a
    decimal comma or with units would otherwise be scored on missing values without a word.
    """

    def __init__(self, schema: Schema | None) -> None:
        self.columns = (
            [] if schema is None else [c.name for c in schema.columns if c.role == "numeric"]
        )
        self.counts: dict[str, int] = {}
        self.examples: dict[str, str] = {}

    def count(self, raw: pd.DataFrame) -> None:
        for name in self.columns:
            if name not in raw.columns or raw[name].dtype.kind in "biuf":
                continue
            values = raw[name]
            # A vectorised parse first; the cells it rejects are judged by the converters
            # prepare_features uses, so the count is what the model scores as missing.
            suspects = values[values.notna() & pd.to_numeric(values, errors="coerce").isna()]
            bad = [v for v in suspects if isinstance(label(v), str) and math.isnan(number(v))]
            if bad:
                self.counts[name] = self.counts.get(name, 0) + len(bad)
                self.examples.setdefault(name, str(bad[0]).strip())

    def warn(self, rows: int) -> None:
        for name, n in self.counts.items():
            warnings.warn(
                f"{name!r}: {n:,} of {rows:,} values are not numbers (e.g. "
                f"{self.examples[name]!r}) and were scored as missing; write them with a decimal "
                "point and without units or thousands separators.",
                UserWarning,
                stacklevel=3,
            )


def _open_chunks(source: Path, schema: Schema | None, chunk_rows: int):
    """(iterator of (raw chunk, model input chunk), total units, current position function)."""
    if not source.exists() or source.is_dir():
        what = "is a directory" if source.is_dir() else "was not found"
        raise DataError(f"{str(source)!r} {what}; pass one CSV or Parquet file to score.")
    name = source.name.lower()
    if name.endswith(_PARQUET):
        return _parquet_chunks(source, chunk_rows)
    if not name.endswith(_CSV):
        raise DataError(
            f"File {str(source)!r} has an unsupported type ({source.suffix or 'no extension'}); "
            "rightfit predict reads CSV (optionally .gz) and Parquet files."
        )
    return _csv_chunks(source, schema, chunk_rows)


def _parquet_chunks(source: Path, chunk_rows: int):
    import pyarrow.parquet as pq

    try:
        reader = pq.ParquetFile(source)
    except Exception as error:  # pyarrow raises many types; all mean "not a usable parquet"
        raise DataError(
            f"Cannot read {str(source)!r} as Parquet: {error}. Check that the file is complete."
        ) from error
    done = [0]

    def chunks() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        for batch in reader.iter_batches(batch_size=chunk_rows):
            frame = batch.to_pandas()
            frame.columns = [str(c) for c in frame.columns]
            done[0] += len(frame)
            yield frame, _question_marks_to_missing(frame)

    return chunks(), reader.metadata.num_rows, lambda: done[0]


def _question_marks_to_missing(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in frame.columns if frame[c].dtype.kind not in "biufcmM"]
    if not text:
        return frame
    model_input = frame.copy()
    for column in text:
        model_input[column] = model_input[column].mask(model_input[column] == "?")
    return model_input


def _csv_chunks(source: Path, schema: Schema | None, chunk_rows: int):
    raw_handle = open(source, "rb")  # noqa: SIM115 - closed when the generator finishes
    handle: IO[bytes] = (
        gzip.GzipFile(fileobj=raw_handle) if source.name.lower().endswith(".gz") else raw_handle
    )
    try:
        sample = handle.read(_SNIFF_BYTES)
        handle.seek(0)
        encoding = _encoding(sample)
    except (OSError, EOFError) as error:
        handle.close()
        raw_handle.close()
        raise DataError(f"Cannot read {str(source)!r}: {error}. Check the file.") from error
    if encoding is None:  # a legacy encoding: read_table guesses it, reading the whole file
        handle.close()
        raw_handle.close()
        return _whole_file_chunks(source, chunk_rows)
    delimiter = detect_delimiter(sample.decode(encoding, errors="ignore"), source)
    total = source.stat().st_size

    def chunks() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        try:
            reader = pd.read_csv(
                handle,
                sep=delimiter,
                encoding=encoding,
                dtype=str,
                na_values=["?"],
                chunksize=chunk_rows,
            )
            with reader:
                for raw in reader:
                    raw.columns = [str(c) for c in raw.columns]
                    yield raw, _typed_like_training(raw, schema)
        except pd.errors.EmptyDataError:
            return
        except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as error:
            raise DataError(
                f"Cannot parse {str(source)!r} as a table with delimiter {delimiter!r}: "
                f"{str(error).splitlines()[0]}. Check that every row has the same number of "
                "fields and that quotes are closed."
            ) from error
        finally:
            handle.close()
            raw_handle.close()

    return chunks(), total, raw_handle.tell


def _encoding(sample: bytes) -> str | None:
    """utf-8 (with or without a BOM), or None for anything else."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for cut in range(4):  # the sample may end inside a multi-byte character
        with contextlib.suppress(UnicodeDecodeError):
            sample[: len(sample) - cut].decode("utf-8")
            return "utf-8"
    return None


def _whole_file_chunks(source: Path, chunk_rows: int):
    """Chunks of a file ``read_table`` reads whole (memory is not bounded for these)."""
    from rightfit.data import read_table

    logger.warning(
        "%s is not UTF-8: it is read whole to guess its encoding (re-save it as UTF-8 to "
        "stream it with bounded memory)",
        source,
    )
    frame = read_table(source).frame
    done = [0]

    def chunks() -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        for start in range(0, len(frame), chunk_rows):
            part = frame.iloc[start : start + chunk_rows].reset_index(drop=True)
            done[0] = start + len(part)
            yield part, part

    return chunks(), len(frame), lambda: done[0]


def _typed_like_training(raw: pd.DataFrame, schema: Schema | None) -> pd.DataFrame:
    """Text columns typed as ``read_table`` typed the training file.

    Only categorical columns that were numbers in training need care: their labels were made
    from numbers ('7' from an int column, '7.0' from a float one), so the text is parsed back to
    that kind of number before ``prepare_features`` turns it into a label. Everything else is
    parsed from text by ``prepare_features`` itself, exactly as at training time.
    """
    if schema is None:
        typed = raw.copy()
        for column in typed.columns:
            with contextlib.suppress(ValueError, TypeError):
                typed[column] = pd.to_numeric(typed[column])
        return typed
    typed = raw
    for column in schema.columns:
        if column.role not in FEATURE_ROLES or column.name not in raw.columns:
            continue
        if column.role != "categorical" or column.source_dtype[:3] not in ("int", "flo", "uin"):
            continue
        if typed is raw:
            typed = raw.copy()
        typed[column.name] = _numbers_as_in_training(raw[column.name], column.source_dtype)
    return typed


def _numbers_as_in_training(text: pd.Series, source_dtype: str) -> pd.Series:
    numbers = pd.to_numeric(text, errors="coerce")
    values = text.to_numpy(dtype=object, na_value=None)
    parsed = numbers.notna().to_numpy()
    out = values.copy()
    if source_dtype.startswith("float"):
        out[parsed] = numbers.to_numpy(dtype="float64")[parsed].astype(object)
    else:
        as_float = numbers.to_numpy(dtype="float64")
        whole = parsed & (np.mod(np.nan_to_num(as_float), 1) == 0)
        out[whole] = [int(v) for v in as_float[whole]]
    return pd.Series(out, index=text.index, dtype=object)


@contextlib.contextmanager
def _writer(out: Path | None):
    """A function writing one scored chunk; the file appears, complete, only at the end."""
    if out is None:
        first = [True]

        def to_stdout(frame: pd.DataFrame) -> None:
            frame.to_csv(sys.stdout, index=False, header=first[0])
            first[0] = False

        yield to_stdout
        sys.stdout.flush()
        return
    out = Path(out)
    parquet = out.name.lower().endswith(_PARQUET)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    state: dict = {"writer": None, "schema": None}
    try:
        with open(temporary, "wb") as handle:
            if parquet:
                yield lambda frame: _write_parquet(frame, handle, state)
                if state["writer"] is not None:
                    state["writer"].close()
            else:
                first = [True]

                def to_csv(frame: pd.DataFrame) -> None:
                    frame.to_csv(handle, index=False, header=first[0], encoding="utf-8")
                    first[0] = False

                yield to_csv
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_parquet(frame: pd.DataFrame, handle, state: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if state["writer"] is None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        state["schema"] = table.schema
        state["writer"] = pq.ParquetWriter(handle, table.schema)
    else:
        table = pa.Table.from_pandas(frame, schema=state["schema"], preserve_index=False)
    state["writer"].write_table(table)


@contextlib.contextmanager
def _bar(show: bool, total: int, label: str):
    """``advance(position)`` for a rich progress bar on stderr (a no-op when not shown)."""
    if not show:
        yield lambda position: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(f"scoring {label}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("score", total=total or None)
        yield lambda position: bar.update(task, completed=position)

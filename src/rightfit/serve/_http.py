"""Request plumbing shared by the endpoints: bounded body reading, JSON and CSV parsing, the
API key, and JSON answers."""

from __future__ import annotations

import csv
import hmac
import io
import json
from dataclasses import dataclass

from rightfit.serve._inputs import InputError

JSON_TYPE = "application/json"


@dataclass(frozen=True)
class ServeSettings:
    """What ``rightfit serve`` options set; the same for every worker process.

    Parameters
    ----------
    api_key : required in ``Authorization: Bearer <key>`` or ``X-API-Key`` on model endpoints;
        None leaves them open.
    max_body_bytes : larger request bodies are refused with 413 before they are read.
    max_pending : prediction requests queued or running at once per worker; more get a fast 503.
    """

    api_key: str | None = None
    max_body_bytes: int = 10_000_000
    max_pending: int = 64


async def read_body(request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise InputError("Content-Length is not a number.", status=400) from None
        if size > limit:
            raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # chunked uploads have no Content-Length: count as they arrive
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> InputError:
    return InputError(
        f"The request body is larger than the server's limit of {limit / 1e6:g} MB; send "
        "fewer rows per request (or start the server with a larger --max-body-mb).",
        status=413,
    )


def parse_json(body: bytes) -> object:
    """``json.loads`` with malformed input (bad syntax, bad UTF-8, absurd nesting) as a 400."""
    if not body.strip():
        raise InputError("The request body is empty; send JSON.", status=400)
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise InputError(
            f"The request body is not valid JSON ({_first_line(error)}); check the syntax.",
            status=400,
        ) from None


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def parse_csv(body: bytes) -> tuple[dict[str, list], int]:
    """Columns of text values from an uploaded CSV (header row first), parsed in memory only."""
    import pandas as pd

    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("The CSV upload is not UTF-8; re-save it as UTF-8.", status=400) from None
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=counts.get) if max(counts.values()) else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, na_values=["?"], keep_default_na=True
        )
    except (ValueError, pd.errors.ParserError, csv.Error) as error:
        raise InputError(
            f"The CSV upload cannot be parsed ({_first_line(error)}); send a header row and "
            "one line per row with the same number of fields.",
            status=400,
        ) from None
    if frame.empty:
        raise InputError("The CSV upload has no data rows; send a header and at least one row.")
    if not frame.columns.is_unique:
        raise InputError("The CSV upload has duplicated column names; name each column once.")
    columns = {str(name): frame[name].astype(object).tolist() for name in frame.columns}
    return columns, len(frame)


def check_api_key(request, settings: ServeSettings) -> None:
    """401 unless the request carries the configured key (compared in constant time)."""
    if settings.api_key is None:
        return
    given = request.headers.get("x-api-key")
    if given is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else None
    if given is None or not hmac.compare_digest(given.encode(), settings.api_key.encode()):
        raise InputError(
            "Missing or wrong API key; send it as 'Authorization: Bearer <key>' or 'X-API-Key'.",
            status=401,
        )


def dumps(payload: object) -> bytes:
    """Compact JSON; NaN is never written (the answers convert it to null beforehand)."""
    return json.dumps(payload, separators=(",", ":"), allow_nan=False, default=str).encode()

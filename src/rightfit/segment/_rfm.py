"""RFM aggregation: a transaction log (one row per purchase line) to one row per customer."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rightfit.errors import ConfigError, DataError, did_you_mean

logger = logging.getLogger(__name__)

RFM_KEYS = ("customer", "date", "amount", "invoice")
RFM_COLUMNS = ("recency_days", "frequency", "monetary")
_EXAMPLE = "--rfm customer=CustomerID,date=InvoiceDate,amount=Quantity*UnitPrice"


@dataclass(frozen=True)
class RFMSpec:
    """Which columns of a transaction log hold the customer, the date and the amount.

    ``amount`` is one column or the product of two (``Quantity*UnitPrice``); ``invoice``
    (optional) counts purchases as distinct invoices instead of distinct timestamps.

    Examples
    --------
    >>> RFMSpec.parse("customer=id,date=day,amount=qty*price").amount
    ('qty', 'price')
    """

    customer: str
    date: str
    amount: tuple[str, ...]
    invoice: str | None = None

    @classmethod
    def parse(cls, text: str) -> RFMSpec:
        """Read ``customer=COL,date=COL,amount=COL[*COL][,invoice=COL]``."""
        parts: dict[str, str] = {}
        for piece in filter(None, (p.strip() for p in str(text).split(","))):
            key, sep, value = piece.partition("=")
            key = key.strip().lower()
            if not sep or not value.strip():
                raise ConfigError(f"--rfm part {piece!r} is not KEY=COLUMN. Write e.g. {_EXAMPLE}.")
            if key not in RFM_KEYS:
                raise ConfigError(
                    f"--rfm has an unknown key {key!r}.{did_you_mean(key, RFM_KEYS)} "
                    f"Keys: {', '.join(RFM_KEYS)}; e.g. {_EXAMPLE}."
                )
            parts[key] = value.strip()
        missing = [k for k in ("customer", "date", "amount") if k not in parts]
        if missing:
            raise ConfigError(f"--rfm needs {', '.join(missing)}: write e.g. {_EXAMPLE}.")
        amount = tuple(a.strip() for a in parts["amount"].split("*"))
        if len(amount) > 2 or not all(amount):
            raise ConfigError(
                f"--rfm amount={parts['amount']!r}: give one column or the product of two "
                "(amount=Quantity*UnitPrice)."
            )
        return cls(parts["customer"], parts["date"], amount, parts.get("invoice"))

    def columns(self) -> list[str]:
        return [self.customer, self.date, *self.amount, *([self.invoice] if self.invoice else [])]

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "date": self.date,
            "amount": list(self.amount),
            "invoice": self.invoice,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RFMSpec:
        return cls(d["customer"], d["date"], tuple(d["amount"]), d.get("invoice"))


@dataclass(frozen=True)
class RFMResult:
    """The per-customer table and what the aggregation did, in plain words."""

    frame: pd.DataFrame
    reference_date: str
    notes: tuple[str, ...]


def _numbers(values: pd.Series) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(values.dtype):
        values = values.astype(str).str.strip()
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _check_columns(frame: pd.DataFrame, spec: RFMSpec) -> None:
    names = [str(c) for c in frame.columns]
    for name in spec.columns():
        if name not in names:
            raise DataError(
                f"--rfm names column {name!r}, which is not in the data."
                f"{did_you_mean(name, names)} Columns: {', '.join(map(repr, names[:20]))}."
            )


def rfm_table(frame: pd.DataFrame, spec: RFMSpec) -> RFMResult:
    """Aggregate a transaction log into recency (days), frequency and monetary per customer.

    Recency counts days from the customer's last purchase to the day after the last date in
    the log; frequency counts distinct purchases (invoices, or timestamps without ``invoice``)
    with a positive amount; monetary is the net amount (returns, negative amounts, subtract).
    Rows without a customer or a readable date are dropped and counted in ``notes``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per purchase line.
    spec : RFMSpec

    Returns
    -------
    RFMResult

    Examples
    --------
    >>> log = pd.DataFrame({"c": [1, 1, 2], "d": ["2020-01-01", "2020-01-05", "2020-01-03"],
    ...                     "a": [10.0, 5.0, 7.0]})
    >>> rfm_table(log, RFMSpec("c", "d", ("a",))).frame.to_dict("list")["frequency"]
    [2.0, 1.0]
    """
    _check_columns(frame, spec)
    notes = []
    customer = frame[spec.customer]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dates = pd.to_datetime(frame[spec.date].astype(str).str.strip(), errors="coerce")
    amount = _numbers(frame[spec.amount[0]])
    if len(spec.amount) == 2:
        amount = amount * _numbers(frame[spec.amount[1]])
    usable = customer.notna().to_numpy() & dates.notna().to_numpy() & ~np.isnan(amount)
    dropped = int((~usable).sum())
    if dropped:
        notes.append(
            f"{dropped:,} of {len(frame):,} rows dropped: no customer, unreadable date or amount"
        )
    if usable.sum() == 0:
        raise DataError(
            f"No row of the transaction log has a customer ({spec.customer!r}), a readable date "
            f"({spec.date!r}) and a numeric amount. Check the --rfm column names and formats."
        )
    purchase = frame[spec.invoice].astype(str).to_numpy() if spec.invoice else dates.to_numpy()
    log = pd.DataFrame(
        {
            "customer": customer.to_numpy()[usable],
            "date": dates.to_numpy()[usable],
            "amount": amount[usable],
            "purchase": purchase[usable],
        }
    )
    n_returns = int((log["amount"] < 0).sum())
    if n_returns:
        notes.append(f"{n_returns:,} rows with a negative amount (returns) reduce monetary")
    reference = log["date"].max().normalize() + pd.Timedelta(days=1)
    grouped = log.groupby("customer", sort=True)
    purchases = log[log["amount"] > 0].groupby("customer")["purchase"].nunique()
    result = pd.DataFrame(
        {
            spec.customer: grouped.size().index.to_numpy(),
            "recency_days": ((reference - grouped["date"].max()).dt.total_seconds() / 86400.0)
            .round(2)
            .to_numpy(),
            "frequency": purchases.reindex(grouped.size().index, fill_value=0)
            .to_numpy()
            .astype(float),
            "monetary": grouped["amount"].sum().round(2).to_numpy(),
        }
    )
    notes.append(
        f"{int(usable.sum()):,} transaction rows aggregated into {len(result):,} customers "
        f"(recency counted to {reference.date()})"
    )
    logger.info("RFM: %s", "; ".join(notes))
    return RFMResult(result, str(reference.date()), tuple(notes))


def looks_like_transactions(frame: pd.DataFrame, spec: RFMSpec) -> bool:
    """True when ``frame`` holds the raw log columns (so predict must aggregate it first)."""
    names = {str(c) for c in frame.columns}
    return all(c in names for c in spec.columns()) and not all(c in names for c in RFM_COLUMNS)

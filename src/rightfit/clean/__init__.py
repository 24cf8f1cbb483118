"""Cleaning: deterministic, logged repairs before splitting; never fits model statistics."""

from __future__ import annotations

from rightfit.clean._clean import clean_table
from rightfit.clean._types import Change, Cleaned, CleaningLog

__all__ = ["Change", "Cleaned", "CleaningLog", "clean_table"]

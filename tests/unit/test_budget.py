import math
import time

import pytest

from rightfit.budget import Budget
from rightfit.errors import BudgetError


@pytest.mark.parametrize("bad", [0, -5, float("nan"), "soon"])
def test_non_positive_or_non_numeric_budget_names_the_fix(bad):
    with pytest.raises(BudgetError, match="--time-budget 60"):
        Budget(bad)


def test_child_budget_never_outlives_its_parent():
    parent = Budget(1.0)
    child = parent.child(seconds=100)
    assert child.remaining() <= parent.remaining() + 1e-3
    assert 0.45 <= parent.child(0.5).remaining() <= 0.5 + 1e-3


def test_unlimited_budget_never_expires():
    budget = Budget.unlimited()
    assert math.isinf(budget.remaining()) and not budget.expired()


def test_budget_counts_from_a_given_start():
    budget = Budget(10, start=time.monotonic() - 4)
    assert 5.5 < budget.remaining() <= 6.0

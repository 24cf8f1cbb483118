import numpy as np

from rightfit.ensemble import WeightedEnsemble, select_ensemble
from rightfit.errors import NotFittedError


def test_ensemble_of_complementary_models_beats_each_alone():
    rng = np.random.default_rng(0)
    y = rng.normal(size=400)
    a = y + rng.normal(scale=1.0, size=400)
    b = y + rng.normal(scale=1.0, size=400)
    choice = select_ensemble({0: a, 1: b}, y, "rmse", np.arange(400))
    assert set(choice.members) == {0, 1}
    assert choice.improves
    assert abs(sum(choice.weights) - 1) < 1e-9


def test_a_useless_member_gets_no_weight():
    rng = np.random.default_rng(1)
    y = rng.normal(size=300)
    good = y + rng.normal(scale=0.1, size=300)
    noise = rng.normal(size=300)
    choice = select_ensemble({0: good, 1: noise}, y, "rmse", np.arange(300))
    assert choice.members == (0,)
    assert not choice.improves


def test_weighted_ensemble_refuses_to_predict_before_fit():
    import pytest

    with pytest.raises(NotFittedError, match="not fitted"):
        WeightedEnsemble(estimators=[], weights=[], task="regression").predict(np.zeros((1, 1)))

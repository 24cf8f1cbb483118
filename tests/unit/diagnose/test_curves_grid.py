"""The values a validation curve tries around the chosen complexity."""

from rightfit.diagnose._curves import _grid


def test_multiplicative_parameters_step_by_factors_within_bounds():
    assert _grid("num_leaves", 31) == [8, 16, 31, 62, 124]
    assert _grid("min_samples_leaf", 4) == [1, 2, 4, 8, 16]


def test_xgboost_max_depth_steps_by_one_level_like_catboost_depth():
    # depth-wise trees hold up to 2^max_depth leaves: x2 from 6 would be 64 times the leaves
    assert _grid("max_depth", 6) == [4, 5, 6, 7, 8]
    assert _grid("max_depth", 15) == [13, 14, 15, 16]
    assert _grid("max_depth", 2) == [1, 2, 3, 4]


def test_catboost_depth_steps_by_one_level_and_never_passes_ten():
    # 2^depth leaves: multiplying depth 4 by 4 would ask for 65,536 leaves
    assert _grid("depth", 4) == [2, 3, 4, 5, 6]
    assert _grid("depth", 9) == [7, 8, 9, 10]
    assert _grid("depth", 1) == [1, 2, 3]

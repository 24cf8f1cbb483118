"""The confusion chart stays readable and cheap with many classes."""

from __future__ import annotations

import numpy as np

from rightfit.report._charts import CHART_CLASSES, confusion_chart, pooled_confusion


def test_many_classes_pool_the_rare_ones_and_keep_every_count():
    rng = np.random.default_rng(0)
    k = 150
    matrix = rng.integers(0, 5, size=(k, k)) + np.diag(rng.integers(1, 400, k))
    classes = [f"P{i:03d}" for i in range(k)]
    pooled, labels = pooled_confusion(matrix.tolist(), classes)
    assert pooled.shape == (CHART_CLASSES, CHART_CLASSES)
    assert pooled.sum() == matrix.sum()
    assert labels[-1] == f"other {k - CHART_CLASSES + 1} classes"
    # The kept classes are the most frequent actual ones, each with its own diagonal count.
    frequent = set(np.argsort(-matrix.sum(axis=1))[: CHART_CLASSES - 1])
    assert {classes.index(name) for name in labels[:-1]} == frequent
    for row, name in enumerate(labels[:-1]):
        assert pooled[row, row] == matrix[classes.index(name), classes.index(name)]
    svg = confusion_chart(matrix.tolist(), classes, "Confusion matrix")
    assert "19 most frequent of 150 classes" in svg
    assert svg.count("<text") < 200  # tick labels only, no 22,500 cell counts


def test_few_classes_are_drawn_whole_with_counts():
    matrix = [[50, 3, 1], [4, 40, 6], [0, 2, 30]]
    pooled, labels = pooled_confusion(matrix, ["a", "b", "c"])
    assert pooled.tolist() == matrix and labels == ["a", "b", "c"]
    assert ">50<" in confusion_chart(matrix, ["a", "b", "c"], "Confusion matrix").replace(" ", "")

"""Convert a delivered estimator to one ONNX graph with a single output.

Pipelines go through skl2onnx whole. Two rightfit wrappers are rebuilt around them in ONNX:
``TransformedTargetRegressor`` (log target: an ``Exp`` after the regressor) and
``WeightedEnsemble`` (every member's graph side by side on the shared inputs, then a weighted
sum) and ``CalibratedModel`` (its calibration map after the classifier's probabilities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rightfit.errors import ConfigError


def convert_estimator(estimator, prepared: pd.DataFrame, task: str):
    """``onnx.ModelProto`` with output ``probabilities`` (classes) or ``prediction``."""
    from onnx import TensorProto, helper

    from rightfit.ensemble import WeightedEnsemble

    if isinstance(estimator, WeightedEnsemble):
        members = [convert_estimator(m, prepared, task) for m in estimator.estimators]
        return _weighted_sum(members, list(estimator.weights), task)
    if type(estimator).__name__ == "CalibratedModel":
        from rightfit.export._calibration import append_calibration

        model = convert_estimator(estimator.estimator, prepared, task)
        return append_calibration(model, estimator.method, estimator.params_)
    inner = getattr(estimator, "regressor_", None)
    if inner is not None:  # TransformedTargetRegressor
        if estimator.func is not np.log or estimator.inverse_func is not np.exp:
            raise ConfigError(
                "Only the log target transform exports to ONNX; refit with "
                "`rightfit fit --models lightgbm` or export with --format mlflow."
            )
        model = convert_estimator(inner, prepared, task)
        graph = model.graph
        raw = graph.output[0].name
        renamed = "log_" + raw
        for node in graph.node:
            node.output[:] = [renamed if o == raw else o for o in node.output]
        graph.node.append(helper.make_node("Exp", [renamed], [raw], name="inverse_log_target"))
        return model
    return _convert_pipeline(estimator, prepared, task, TensorProto)


def _convert_pipeline(estimator, prepared: pd.DataFrame, task: str, tensor_proto):
    from onnx import helper
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    from rightfit.export._converters import register_converters
    from rightfit.export._onnx import OPSET

    register_converters()
    types = [
        (
            name,
            FloatTensorType([None, 1])
            if prepared[name].dtype.kind == "f"
            else StringTensorType([None, 1]),
        )
        for name in prepared.columns
    ]
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    options = {id(final): {"zipmap": False}} if task != "regression" else None
    classes = getattr(final, "classes_", None)
    if (
        task != "regression"
        and classes is not None
        and not np.array_equal(np.asarray(classes), np.arange(len(classes)))
    ):
        raise ConfigError(
            "This model was fitted on a subset of the classes; ONNX export needs every "
            "class. Refit on data with all classes, or export with --format mlflow."
        )
    model = convert_sklearn(estimator, initial_types=types, target_opset=OPSET, options=options)
    if hasattr(getattr(final, "estimators_", [None])[0], "tree_"):
        _patch_forest_missing_values(model, final)
    wanted = "probabilities" if task != "regression" else None
    graph = model.graph
    keep = next(
        (o for o in graph.output if o.name == wanted) if wanted else iter(graph.output[-1:]), None
    )
    if keep is None:
        raise ConfigError(f"The converted {type(final).__name__} has no probabilities output.")
    name = "probabilities" if task != "regression" else "prediction"
    for node in graph.node:
        node.output[:] = [name if o == keep.name else o for o in node.output]
    output = helper.make_tensor_value_info(name, tensor_proto.FLOAT, [None, None])
    del graph.output[:]
    graph.output.append(output)
    return model


def _weighted_sum(members: list, weights: list[float], task: str):
    """One graph: each member's nodes (names prefixed), then sum(weight_i * output_i)."""
    from onnx import TensorProto, helper, numpy_helper

    first = members[0]
    inputs = {i.name for i in first.graph.input}
    output = first.graph.output[0].name
    nodes, initializers, weighted = [], [], []
    for index, (member, weight) in enumerate(zip(members, weights, strict=True)):
        prefix = f"member{index}_"

        def rename(edge: str, prefix: str = prefix) -> str:
            return edge if edge in inputs or edge == "" else prefix + edge

        for node in member.graph.node:
            node.input[:] = [rename(e) for e in node.input]
            node.output[:] = [rename(e) for e in node.output]
            node.name = prefix + node.name
            nodes.append(node)
        for tensor in member.graph.initializer:
            tensor.name = rename(tensor.name)
            initializers.append(tensor)
        weight_name = f"{prefix}weight"
        initializers.append(
            numpy_helper.from_array(np.array(weight, dtype=np.float32), weight_name)
        )
        nodes.append(
            helper.make_node(
                "Mul", [rename(output), weight_name], [f"{prefix}weighted"], name=f"{prefix}mul"
            )
        )
        weighted.append(f"{prefix}weighted")
    nodes.append(helper.make_node("Sum", weighted, [output], name="ensemble_sum"))
    graph = helper.make_graph(
        nodes,
        "rightfit_weighted_ensemble",
        list(first.graph.input),
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, [None, None])],
        initializer=initializers,
    )
    opsets: dict[str, int] = {}
    for member in members:
        for opset in member.opset_import:
            opsets[opset.domain] = max(opsets.get(opset.domain, 0), opset.version)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()]
    )
    model.ir_version = first.ir_version
    return model


def _patch_forest_missing_values(model, forest) -> None:
    """Send missing values down the branch scikit-learn's trees learned for them.

    skl2onnx writes scikit-learn forests as if they had never seen NaN (it always takes the false
    branch), while scikit-learn >= 1.4 trees learn a side for missing values per split; without
    this, rows with missing numbers or unseen categories would score differently in ONNX.
    """
    from onnx import helper

    trees = [estimator.tree_ for estimator in forest.estimators_]
    for node in model.graph.node:
        if not node.op_type.startswith("TreeEnsemble"):
            continue
        attributes = {a.name: a for a in node.attribute}
        tree_ids = list(attributes["nodes_treeids"].ints)
        node_ids = list(attributes["nodes_nodeids"].ints)
        tracks = [
            int(trees[t].missing_go_to_left[n]) if trees[t].children_left[n] != -1 else 0
            for t, n in zip(tree_ids, node_ids, strict=True)
        ]
        kept = [a for a in node.attribute if a.name != "nodes_missing_value_tracks_true"]
        del node.attribute[:]
        node.attribute.extend(kept)
        node.attribute.append(helper.make_attribute("nodes_missing_value_tracks_true", tracks))

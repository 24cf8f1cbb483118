"""Teach skl2onnx the estimators rightfit delivers that it does not know by itself.

Registered once per process: LightGBM and XGBoost (converters from onnxmltools), rightfit's
deadline-aware forests (plain scikit-learn forests once fitted) and ``QuantileClipper``.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def register_converters() -> None:
    """Register every converter rightfit needs with skl2onnx (idempotent)."""
    from lightgbm import LGBMClassifier, LGBMRegressor
    from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
    from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from skl2onnx.operator_converters.random_forest import (
        convert_sklearn_random_forest_classifier,
        convert_sklearn_random_forest_regressor_converter,
    )
    from xgboost import XGBClassifier, XGBRegressor

    from rightfit.models import _timed_forests as timed
    from rightfit.models import preprocess

    classifier_options = {"nocl": [True, False], "zipmap": [True, False, "columns"]}
    update_registered_converter(
        LGBMClassifier,
        "LightGbmLGBMClassifier",
        calculate_linear_classifier_output_shapes,
        convert_lightgbm,
        options={**classifier_options, "split": None},
    )
    update_registered_converter(
        LGBMRegressor,
        "LightGbmLGBMRegressor",
        calculate_linear_regressor_output_shapes,
        convert_lightgbm,
        options={"split": None},
    )
    update_registered_converter(
        XGBClassifier,
        "XGBoostXGBClassifier",
        calculate_linear_classifier_output_shapes,
        convert_xgboost,
        options=classifier_options,
    )
    update_registered_converter(
        XGBRegressor,
        "XGBoostXGBRegressor",
        calculate_linear_regressor_output_shapes,
        convert_xgboost,
    )
    forest_options = {
        "zipmap": [True, False, "columns"],
        "nocl": [True, False],
        "raw_scores": [True, False],
        "decision_path": [True, False],
        "decision_leaf": [True, False],
    }
    for name in ("TimedRandomForestClassifier", "TimedExtraTreesClassifier"):
        update_registered_converter(
            getattr(timed, name),
            f"Rightfit{name}",
            calculate_linear_classifier_output_shapes,
            convert_sklearn_random_forest_classifier,
            options=forest_options,
        )
    for name in ("TimedRandomForestRegressor", "TimedExtraTreesRegressor"):
        update_registered_converter(
            getattr(timed, name),
            f"Rightfit{name}",
            calculate_linear_regressor_output_shapes,
            convert_sklearn_random_forest_regressor_converter,
            options={"decision_path": [True, False], "decision_leaf": [True, False]},
        )
    from sklearn.impute import SimpleImputer

    update_registered_converter(
        SimpleImputer, "SklearnSimpleImputer", _imputer_shape, _convert_imputer
    )
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    update_registered_converter(
        OrdinalEncoder, "SklearnOrdinalEncoder", _codes_shape, _convert_codes
    )
    update_registered_converter(OneHotEncoder, "SklearnOneHotEncoder", _codes_shape, _convert_codes)
    update_registered_converter(
        preprocess.QuantileClipper,
        "RightfitQuantileClipper",
        _same_shape,
        _convert_clipper,
    )


def _same_shape(operator) -> None:
    operator.outputs[0].type = operator.inputs[0].type.__class__(operator.inputs[0].type.shape)


def _convert_clipper(scope, operator, container) -> None:
    """max(low, min(high, x)) per column; NaN stays NaN (Min/Max propagate it), as np.clip."""
    clipper = operator.raw_operator
    dtype = np.float32 if "Float" in type(operator.inputs[0].type).__name__ else np.float64
    low = np.nan_to_num(np.asarray(clipper.low_, dtype=np.float64), nan=-np.inf).astype(dtype)
    high = np.nan_to_num(np.asarray(clipper.high_, dtype=np.float64), nan=np.inf).astype(dtype)
    low_name = scope.get_unique_variable_name("clip_low")
    high_name = scope.get_unique_variable_name("clip_high")
    container.add_initializer(low_name, _onnx_type(dtype), [1, len(low)], low.tolist())
    container.add_initializer(high_name, _onnx_type(dtype), [1, len(high)], high.tolist())
    capped = scope.get_unique_variable_name("clip_capped")
    container.add_node(
        "Min",
        [operator.inputs[0].full_name, high_name],
        capped,
        name=scope.get_unique_operator_name("ClipHigh"),
    )
    container.add_node(
        "Max",
        [capped, low_name],
        operator.outputs[0].full_name,
        name=scope.get_unique_operator_name("ClipLow"),
    )


def _onnx_type(dtype) -> int:
    from onnx import TensorProto

    return TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE


def _convert_text_imputer(scope, operator, container) -> None:
    """Categories: the ONNX input marks a missing label with "" (see ``onnx_feed``)."""
    from onnx import TensorProto

    imputer = operator.raw_operator
    if imputer.strategy != "constant":
        raise TypeError(f"text imputation with strategy {imputer.strategy!r} is not converted")
    source = operator.inputs[0].full_name
    empty = scope.get_unique_variable_name("empty_label")
    container.add_initializer(empty, TensorProto.STRING, [], [b""])
    fill = scope.get_unique_variable_name("fill_label")
    container.add_initializer(fill, TensorProto.STRING, [], [str(imputer.fill_value).encode()])
    missing = scope.get_unique_variable_name("label_missing")
    container.add_node("Equal", [source, empty], missing, name=scope.get_unique_operator_name("Eq"))
    container.add_node(
        "Where",
        [missing, fill, source],
        operator.outputs[0].full_name,
        name=scope.get_unique_operator_name("Where"),
    )


def _imputer_shape(operator) -> None:
    from skl2onnx.shape_calculators.imputer import calculate_sklearn_imputer_output_shapes

    calculate_sklearn_imputer_output_shapes(operator)
    imputer = operator.raw_operator
    if imputer.add_indicator:  # skl2onnx leaves out the indicator columns
        shape = operator.outputs[0].type.shape
        width = len(imputer.statistics_) + len(imputer.indicator_.features_)
        operator.outputs[0].type = operator.outputs[0].type.__class__([shape[0], width])


def _convert_imputer(scope, operator, container) -> None:
    """skl2onnx's imputer, plus the missing-value indicator columns it does not write."""
    from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer

    imputer = operator.raw_operator
    if "String" in type(operator.inputs[0].type).__name__:
        _convert_text_imputer(scope, operator, container)
        return
    if not imputer.add_indicator:
        convert_sklearn_imputer(scope, operator, container)
        return
    if np.asarray(imputer.statistics_).dtype.kind not in "fiu":
        raise TypeError("missing-value indicators are converted for numeric columns only")
    dtype = np.float32 if "Float" in type(operator.inputs[0].type).__name__ else np.float64
    source = operator.inputs[0].full_name
    fill = scope.get_unique_variable_name("impute_values")
    values = np.asarray(imputer.statistics_, dtype=np.float64).astype(dtype)
    container.add_initializer(fill, _onnx_type(dtype), [1, len(values)], values.tolist())
    missing = scope.get_unique_variable_name("is_missing")
    container.add_node("IsNaN", [source], missing, name=scope.get_unique_operator_name("IsNaN"))
    filled = scope.get_unique_variable_name("imputed")
    container.add_node(
        "Where", [missing, fill, source], filled, name=scope.get_unique_operator_name("Where")
    )
    columns = scope.get_unique_variable_name("indicator_columns")
    features = np.asarray(imputer.indicator_.features_, dtype=np.int64)
    from onnx import TensorProto

    container.add_initializer(columns, TensorProto.INT64, [len(features)], features.tolist())
    picked = scope.get_unique_variable_name("indicator_missing")
    container.add_node(
        "Gather", [missing, columns], picked, axis=1, name=scope.get_unique_operator_name("Gather")
    )
    flags = scope.get_unique_variable_name("indicator")
    container.add_node(
        "Cast", [picked], flags, to=_onnx_type(dtype), name=scope.get_unique_operator_name("Cast")
    )
    container.add_node(
        "Concat",
        [filled, flags],
        operator.outputs[0].full_name,
        axis=1,
        name=scope.get_unique_operator_name("Concat"),
    )


def _category_positions(encoder, j: int) -> tuple[dict[str, int], int, int | None]:
    """For feature ``j``: label -> output position, the number of positions, and the position
    of the infrequent group (None when no label was rare), as scikit-learn encodes them."""
    categories = list(encoder.categories_[j])
    mappings = getattr(encoder, "_default_to_infrequent_mappings", None)
    mapping = mappings[j] if mappings is not None else None
    positions = {}
    for index, category in enumerate(categories):
        if isinstance(category, float) and np.isnan(category):
            continue  # missing values: handled by the caller
        positions[str(category)] = int(mapping[index]) if mapping is not None else index
    width = int(max(mapping)) + 1 if mapping is not None else len(categories)
    infrequent_indices = getattr(encoder, "_infrequent_indices", None)
    infrequent = None
    if mapping is not None and infrequent_indices is not None and infrequent_indices[j] is not None:
        infrequent = int(mapping[infrequent_indices[j][0]])
    return positions, width, infrequent


def _codes_shape(operator) -> None:
    from skl2onnx.common.data_types import FloatTensorType

    encoder = operator.raw_operator
    if type(encoder).__name__ == "OrdinalEncoder":
        width = len(encoder.categories_)
    else:
        width = sum(_category_positions(encoder, j)[1] for j in range(len(encoder.categories_)))
    operator.outputs[0].type = FloatTensorType([operator.inputs[0].type.shape[0], width])


def _convert_codes(scope, operator, container) -> None:
    """Ordinal codes or one-hot columns through ai.onnx.ml LabelEncoder, following
    scikit-learn's rules for rare ('infrequent') and unseen labels and for missing ones ("")."""
    from onnx import TensorProto

    encoder = operator.raw_operator
    ordinal = type(encoder).__name__ == "OrdinalEncoder"
    if not ordinal and getattr(encoder, "drop_idx_", None) is not None:
        raise TypeError("one-hot encoders with drop= are not converted")
    # skl2onnx passes either one [n, k] input or one input per column: locate feature j
    locations = []
    for variable in operator.inputs:
        width = variable.type.shape[1] if len(variable.type.shape) > 1 else 1
        locations += [(variable.full_name, offset) for offset in range(width or 1)]
    blocks = []
    for j in range(len(encoder.categories_)):
        positions, width, infrequent = _category_positions(encoder, j)
        source, offset = locations[j]
        column = scope.get_unique_variable_name("label_column")
        index = scope.get_unique_variable_name("label_index")
        container.add_initializer(index, TensorProto.INT64, [1], [offset])
        container.add_node(
            "Gather", [source, index], column, axis=1, name=scope.get_unique_operator_name("Gather")
        )
        flat = scope.get_unique_variable_name("labels")
        shape = scope.get_unique_variable_name("flat_shape")
        container.add_initializer(shape, TensorProto.INT64, [1], [-1])
        container.add_node(
            "Reshape", [column, shape], flat, name=scope.get_unique_operator_name("Flat")
        )
        keys = list(positions)
        code = scope.get_unique_variable_name("code")
        if ordinal:
            unknown = float(encoder.unknown_value) if encoder.handle_unknown != "error" else np.nan
            missing = float(getattr(encoder, "encoded_missing_value", np.nan))
            container.add_node(
                "LabelEncoder",
                [flat],
                code,
                op_domain="ai.onnx.ml",
                op_version=2,
                keys_strings=[*keys, ""],
                values_floats=[float(positions[k]) for k in keys] + [missing],
                default_float=unknown,
                name=scope.get_unique_operator_name("Ordinal"),
            )
            block = scope.get_unique_variable_name("ordinal_block")
            column_shape = scope.get_unique_variable_name("column_shape")
            container.add_initializer(column_shape, TensorProto.INT64, [2], [-1, 1])
            container.add_node(
                "Reshape", [code, column_shape], block, name=scope.get_unique_operator_name("Col")
            )
        else:
            # unseen labels: the infrequent group if there is one, else all zeros (an index
            # outside [-width, width - 1] makes OneHot write only off values)
            unseen = infrequent if infrequent is not None else width
            container.add_node(
                "LabelEncoder",
                [flat],
                code,
                op_domain="ai.onnx.ml",
                op_version=2,
                keys_strings=keys,
                values_int64s=[positions[k] for k in keys],
                default_int64=unseen,
                name=scope.get_unique_operator_name("Position"),
            )
            depth = scope.get_unique_variable_name("depth")
            container.add_initializer(depth, TensorProto.INT64, [1], [width])
            on_off = scope.get_unique_variable_name("on_off")
            container.add_initializer(on_off, TensorProto.FLOAT, [2], [0.0, 1.0])
            block = scope.get_unique_variable_name("onehot_block")
            container.add_node(
                "OneHot",
                [code, depth, on_off],
                block,
                axis=-1,
                name=scope.get_unique_operator_name("OneHot"),
            )
        blocks.append(block)
    container.add_node(
        "Concat",
        blocks,
        operator.outputs[0].full_name,
        axis=1,
        name=scope.get_unique_operator_name("Concat"),
    )

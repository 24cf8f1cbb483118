"""The Open Inference Protocol (v2, as served by KServe, Seldon MLServer and Triton) for tables.

Two request layouts are accepted:

* one input tensor per feature column, named like the column, shape ``[n]`` or ``[n, 1]``
  (the layout ``GET /v2/models/{name}`` advertises);
* a single input tensor of shape ``[n, k]`` holding the ``k`` feature columns in the order the
  metadata lists them (the layout of KServe's scikit-learn server), row-major.

The answer has one output tensor per column of ``predict_frame``: ``prediction`` and, for
classifiers, ``proba_<label>``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rightfit.serve._inputs import InputColumn, InputError

DATATYPES = frozenset(
    {
        "BOOL",
        "UINT8",
        "UINT16",
        "UINT32",
        "UINT64",
        "INT8",
        "INT16",
        "INT32",
        "INT64",
        "FP16",
        "FP32",
        "FP64",
        "BYTES",
    }
)
# Which tensor datatypes can carry each column role (BYTES is parsed like CSV text).
_ACCEPTS = {
    "numeric": DATATYPES - {"BOOL"},
    "boolean": DATATYPES - {"FP16", "FP32", "FP64"},
    "categorical": DATATYPES,
    "datetime": frozenset({"BYTES"}),
}


def _flatten(data: object, name: str) -> list:
    if not isinstance(data, list):
        raise InputError(f"Input {name!r}: 'data' must be a JSON list, got {type(data).__name__}.")
    if data and isinstance(data[0], list):  # nested row-major data is allowed by the protocol
        flat: list = []
        for item in data:
            flat.extend(_flatten(item, name) if isinstance(item, list) else [item])
        return flat
    return data


def _shape(tensor: dict, name: str) -> list[int]:
    shape = tensor.get("shape")
    if (
        not isinstance(shape, list)
        or not shape
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise InputError(
            f"Input {name!r}: 'shape' must be a list of non-negative integers such as [3] or "
            f"[3, 1], got {shape!r}."
        )
    return shape


def columns_from_v2(
    body: object, inputs: tuple[InputColumn, ...]
) -> tuple[dict[str, list], int, list[str]]:
    """``{field: values}``, the row count and the unused input names of an inference request."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list) or not body["inputs"]:
        raise InputError(
            'The body must be an inference request: {"inputs": [{"name": ..., "shape": [n], '
            '"datatype": "FP64", "data": [...]}, ...]} with at least one input.'
        )
    tensors: dict[str, dict] = {}
    for position, tensor in enumerate(body["inputs"]):
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
            raise InputError(f"Input {position} must be an object with a string 'name'.")
        if tensor["name"] in tensors:
            raise InputError(f"Input {tensor['name']!r} appears twice; send each input once.")
        tensors[tensor["name"]] = tensor
    by_name = {c.name: c for c in inputs}
    if len(tensors) == 1 and inputs and next(iter(tensors)) not in by_name:
        return _from_matrix(next(iter(tensors.values())), inputs)
    columns: dict[str, list] = {}
    n_rows = None
    for name, tensor in tensors.items():
        shape = _shape(tensor, name)
        data = _flatten(tensor.get("data"), name)
        if math.prod(shape) != len(data):
            raise InputError(
                f"Input {name!r} has shape {shape} but {len(data)} values; the shape must "
                "match the number of values.",
                field=name,
            )
        if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise InputError(
                f"Input {name!r} has shape {shape}; a column input has shape [n] or [n, 1] "
                "(or send one [n, k] input holding all columns).",
                field=name,
            )
        if n_rows is not None and shape[0] != n_rows:
            raise InputError(
                f"Input {name!r} has {shape[0]} rows but other inputs have {n_rows}; "
                "every input needs one value per row.",
                field=name,
            )
        n_rows = shape[0]
        column = by_name.get(name)
        if column is not None:
            _check_datatype(tensor, column)
        columns[name] = data
    if not n_rows:
        raise InputError("The request has no rows; send at least one value per input.")
    ignored = sorted(set(columns) - set(by_name)) if inputs else []
    return columns, n_rows, ignored


def _check_datatype(tensor: dict, column: InputColumn) -> None:
    datatype = tensor.get("datatype")
    if datatype not in DATATYPES:
        raise InputError(
            f"Input {column.name!r} has datatype {datatype!r}; use one of the protocol's "
            f"types, here {column.datatype} ({column.role} column).",
            field=column.name,
            expected=column.datatype,
        )
    if datatype not in _ACCEPTS[column.role]:
        raise InputError(
            f"Input {column.name!r} has datatype {datatype} but the model expects "
            f"{column.datatype} ({column.expected}).",
            field=column.name,
            expected=column.datatype,
        )


def _from_matrix(tensor: dict, inputs: tuple[InputColumn, ...]) -> tuple[dict, int, list]:
    name = tensor["name"]
    shape = _shape(tensor, name)
    data = _flatten(tensor.get("data"), name)
    k = len(inputs)
    if len(shape) != 2 or shape[1] != k or math.prod(shape) != len(data) or not shape[0]:
        names = ", ".join(c.name for c in inputs)
        raise InputError(
            f"Input {name!r} is not a feature column and not an [n, {k}] matrix of all "
            f"{k} features (got shape {shape} with {len(data)} values). Send one input per "
            f"column ({names}) or one [n, {k}] input in that order.",
            field=name,
        )
    if tensor.get("datatype") not in DATATYPES:
        raise InputError(
            f"Input {name!r} has datatype {tensor.get('datatype')!r}; use one of the "
            "protocol's types (FP64 for numbers, BYTES for text)."
        )
    columns = {column.name: data[j::k] for j, column in enumerate(inputs)}
    return columns, shape[0], []


def _datatype_of(values: np.ndarray) -> str:
    kind = values.dtype.kind
    if kind == "f":
        return "FP64"
    if kind in "iu":
        return "INT64"
    if kind == "b":
        return "BOOL"
    first = next((v for v in values if v is not None), None)
    if isinstance(first, (bool, np.bool_)):
        return "BOOL"
    if isinstance(first, (int, np.integer)):
        return "INT64"
    if isinstance(first, (float, np.floating)):
        return "FP64"
    return "BYTES"


def output_tensors(columns: dict[str, np.ndarray], wanted: list[str] | None) -> list[dict]:
    """One output tensor per output column (all, or those named in ``wanted``)."""
    names = list(columns) if wanted is None else wanted
    outputs = []
    for name in names:
        values = columns[name]
        outputs.append(
            {
                "name": name,
                "datatype": _datatype_of(values),
                "shape": [len(values)],
                "data": jsonable(values),
            }
        )
    return outputs


def requested_outputs(body: dict, available: list[str]) -> list[str] | None:
    """The output names the request asks for, checked; None means all."""
    requested = body.get("outputs")
    if requested is None:
        return None
    if not isinstance(requested, list) or not all(
        isinstance(o, dict) and isinstance(o.get("name"), str) for o in requested
    ):
        raise InputError('\'outputs\' must be a list of objects like {"name": "prediction"}.')
    names = [o["name"] for o in requested]
    unknown = [n for n in names if n not in available]
    if unknown:
        raise InputError(
            f"Unknown output(s) {', '.join(map(repr, unknown))}; this model has "
            f"{', '.join(map(repr, available))}."
        )
    return names


def jsonable(values: np.ndarray | pd.Series) -> list:
    """Plain Python values for JSON; NaN becomes null."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        if np.isnan(array).any():
            return [None if math.isnan(v) else v for v in array.tolist()]
        return array.tolist()
    return [None if isinstance(v, float) and math.isnan(v) else v for v in array.tolist()]

"""rightfit's probability calibration maps (``models._calibrated``) as ONNX nodes.

They follow ``apply_calibration`` step by step: Platt scaling on the clipped logit of the
positive class, isotonic interpolation between knots (clamped at the ends like ``np.interp``),
or a temperature on the log-probabilities followed by a softmax.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-12
_CLIP = 1e-7
_INT64 = 7  # onnx.TensorProto.INT64


class _Graph:
    """Appends nodes and constants to a graph under unique names."""

    def __init__(self, model):
        from onnx import helper, numpy_helper

        self.graph = model.graph
        self.helper = helper
        self.numpy_helper = numpy_helper
        self.count = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"calibration_{stem}_{self.count}"

    def const(self, value, dtype=np.float32) -> str:
        name = self.name("const")
        self.graph.initializer.append(self.numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        output = output or self.name(op_type.lower())
        self.graph.node.append(
            self.helper.make_node(op_type, inputs, [output], name=self.name(op_type), **attrs)
        )
        return output


def append_calibration(model, method: str, params: dict):
    """Rewrite ``model`` (output ``probabilities``) so its output is the calibrated matrix."""
    if method == "none":
        return model
    g = _Graph(model)
    final = model.graph.output[0].name
    raw = "uncalibrated_" + final
    for node in g.graph.node:
        node.output[:] = [raw if o == final else o for o in node.output]
    if method == "temperature":
        clipped = g.op("Clip", [raw, g.const(_EPS), g.const(1.0)])
        scaled = g.op("Div", [g.op("Log", [clipped]), g.const(float(params["temperature"]))])
        g.op("Softmax", [scaled], final, axis=1)
        return model
    positive = g.op("Gather", [raw, g.const([1], np.int64)], axis=1)  # [n, 1]
    if method == "sigmoid":
        p = g.op("Clip", [positive, g.const(_CLIP), g.const(1 - _CLIP)])
        logit = g.op("Log", [g.op("Div", [p, g.op("Sub", [g.const(1.0), p])])])
        z = g.op(
            "Add", [g.op("Mul", [logit, g.const(float(params["a"]))]), g.const(float(params["b"]))]
        )
        calibrated = g.op("Sigmoid", [z])
    elif method == "isotonic":
        calibrated = _interpolate(g, positive, params["x"], params["y"])
    else:
        raise ValueError(f"calibration method {method!r} has no ONNX form")
    g.op("Concat", [g.op("Sub", [g.const(1.0), calibrated]), calibrated], final, axis=1)
    return model


def _interpolate(g: _Graph, p: str, x: list, y: list) -> str:
    """np.interp(p, x, y) for increasing knots ``x``: a segment lookup, then a linear blend."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if len(xs) == 1:
        return g.op("Add", [g.op("Mul", [p, g.const(0.0)]), g.const(float(ys[0]))])
    clamped = g.op("Clip", [p, g.const(float(xs[0])), g.const(float(xs[-1]))])
    # segment index: how many inner knots lie at or below p (0 .. K-2)
    inner = g.const(xs[1:-1].reshape(1, -1)) if len(xs) > 2 else None
    if inner is None:
        index = g.op("Cast", [g.op("Mul", [clamped, g.const(0.0)])], to=_INT64)
    else:
        at_or_below = g.op("Cast", [g.op("GreaterOrEqual", [clamped, inner])], to=_INT64)
        index = g.op("ReduceSum", [at_or_below, g.const([1], np.int64)], keepdims=1)
    flat = g.op("Reshape", [index, g.const([-1], np.int64)])
    x_low = g.op("Gather", [g.const(xs[:-1]), flat])
    x_high = g.op("Gather", [g.const(xs[1:]), flat])
    y_low = g.op("Gather", [g.const(ys[:-1]), flat])
    y_high = g.op("Gather", [g.const(ys[1:]), flat])
    column = g.const([-1, 1], np.int64)
    x_low, x_high, y_low, y_high = (
        g.op("Reshape", [v, column]) for v in (x_low, x_high, y_low, y_high)
    )
    width = g.op("Sub", [x_high, x_low])
    safe = g.op("Max", [width, g.const(1e-12)])
    t = g.op("Div", [g.op("Sub", [clamped, x_low]), safe])
    return g.op("Add", [y_low, g.op("Mul", [t, g.op("Sub", [y_high, y_low])])])

"""Model metadata (v2) and the request bodies shown in the OpenAPI docs (/docs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rightfit.serve._models import ServedModel

DESCRIPTION = (
    "Serves rightfit model bundles. `POST /v1/models/{name}/predict` takes JSON records "
    "(a list of objects) or a CSV upload; `POST /v2/models/{name}/infer` speaks the Open "
    "Inference Protocol (KServe, Seldon, Triton). `GET /v2/models/{name}` lists the inputs "
    "with their types. Fields are checked against the training schema: a missing or mistyped "
    "field is answered 422 naming the field and the expected type."
)


def model_metadata(model: ServedModel) -> dict:
    """The v2 model metadata: inputs from the training schema, outputs from a warm-up call."""
    inputs = [
        {
            "name": c.name,
            "datatype": c.datatype,
            "shape": [-1],
            "parameters": {"role": c.role, "expected": c.expected},
        }
        for c in model.inputs
    ]
    outputs = [{"name": name, "datatype": dtype, "shape": [-1]} for name, dtype in model.outputs]
    record = model.record
    metadata = {
        "name": model.name,
        "versions": [model.version],
        "platform": f"rightfit-{model.kind}",
        "inputs": inputs,
        "outputs": outputs,
        "parameters": {"task": record.get("task"), "target": record.get("target")},
    }
    classes = (record.get("schema") or {}).get("classes")
    if classes is not None:
        metadata["parameters"]["classes"] = classes
    return metadata


def _body(schema: dict, example: object, extra: dict | None = None) -> dict:
    content = {"application/json": {"schema": schema, "example": example}, **(extra or {})}
    return {"requestBody": {"required": True, "content": content}}


INFER_BODY = _body(
    {
        "type": "object",
        "required": ["inputs"],
        "properties": {
            "id": {"type": "string"},
            "inputs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "shape", "datatype", "data"],
                    "properties": {
                        "name": {"type": "string"},
                        "shape": {"type": "array", "items": {"type": "integer"}},
                        "datatype": {"type": "string", "example": "FP64"},
                        "data": {"type": "array", "items": {}},
                    },
                },
            },
            "outputs": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        },
    },
    {
        "inputs": [
            {"name": "age", "shape": [2], "datatype": "FP64", "data": [41, 35]},
            {"name": "plan", "shape": [2], "datatype": "BYTES", "data": ["basic", "plus"]},
        ]
    },
)
PREDICT_BODY = _body(
    {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    [{"age": 41, "plan": "basic"}, {"age": 35, "plan": None}],
    {
        "text/csv": {"schema": {"type": "string"}, "example": "age,plan\n41,basic\n"},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    },
)
RECOMMEND_BODY = _body(
    {
        "type": "object",
        "required": ["users"],
        "properties": {
            "users": {"type": "array", "items": {}},
            "top_k": {"type": "integer", "default": 10},
            "exclude_seen": {
                "type": "boolean",
                "description": "Leave out items the user already interacted with. Default: "
                "the model's setting (true, unless it was fitted with --repeats).",
            },
        },
    },
    {"users": ["u1", "u2"], "top_k": 10},
)

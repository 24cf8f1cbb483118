"""The FastAPI application: Open Inference Protocol v2, a simple v1 JSON/CSV API, /metrics.

(No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations at
runtime, and ``Request`` is imported inside ``create_app`` to keep FastAPI out of import time.)

Bodies are read and parsed by hand (bounded, with our own 400/413/422 answers) instead of through
pydantic models: it is faster for one-row requests, and the checks follow the training schema,
which a static model class cannot. The OpenAPI document still describes every body.
"""

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import numpy as np

from rightfit.errors import RightfitError
from rightfit.serve import _openapi
from rightfit.serve._http import JSON_TYPE, ServeSettings, check_api_key, dumps, parse_csv
from rightfit.serve._http import parse_json as _parse_json
from rightfit.serve._http import read_body as _read_body
from rightfit.serve._inputs import InputError, check_columns, columns_from_records
from rightfit.serve._metrics import ServerMetrics
from rightfit.serve._models import ServedModel
from rightfit.serve._v2 import columns_from_v2, jsonable, output_tensors, requested_outputs

logger = logging.getLogger(__name__)

SERVER_NAME = "rightfit"


def create_app(models: list[ServedModel], settings: ServeSettings | None = None):
    """An ASGI app serving ``models`` (already loaded; requests never load anything).

    Parameters
    ----------
    models : from :func:`load_served_models`.
    settings : API key, body limit and queue bound; defaults when omitted.

    Returns
    -------
    ASGI application
        FastAPI behind a load-shedding wrapper; its ``app`` attribute is the FastAPI object.

    Examples
    --------
    >>> app = create_app([])  # doctest: +SKIP
    """
    from fastapi import FastAPI, Request
    from fastapi.responses import PlainTextResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from rightfit import __version__

    settings = settings or ServeSettings()
    by_name = {m.name: m for m in models}
    metrics = ServerMetrics()
    state = {"ready": False}

    @contextlib.asynccontextmanager
    async def lifespan(app):
        for model in models:
            if model.batcher is not None:
                model.batcher.start(model.name)
        state["ready"] = True
        yield
        # The server has stopped taking requests and finished those in flight.
        state["ready"] = False
        for model in models:
            if model.batcher is not None:
                model.batcher.stop()

    app = FastAPI(
        title="rightfit model server",
        version=__version__,
        description=_openapi.DESCRIPTION,
        lifespan=lifespan,
    )

    def answer(payload: object, status: int = 200, headers: dict | None = None) -> Response:
        return Response(dumps(payload), status, headers=headers, media_type=JSON_TYPE)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, error: InputError):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return answer({"error": error.message, **error.extra}, error.status, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException):
        # Unknown paths and wrong methods answer in the protocol's {"error": ...} shape too.
        return answer({"error": str(error.detail)}, error.status_code, error.headers)

    def find(name: str, version: str | None = None) -> ServedModel:
        model = by_name.get(name)
        if model is None:
            raise InputError(
                f"No model named {name!r}; this server has {', '.join(map(repr, by_name))}.",
                status=404,
            )
        if version is not None and version != model.version:
            raise InputError(
                f"Model {name!r} has no version {version!r}; it serves version "
                f"{model.version!r} (or leave the version out of the path).",
                status=404,
            )
        return model

    async def measured(
        request: Request,
        name: str,
        endpoint: str,
        handle: Callable[[ServedModel], Awaitable],
        version: str | None = None,
    ) -> Response:
        """Key check, saturation check, timing and counting around one model request."""
        start = time.perf_counter()
        label, status, rows = "(unknown)", 500, 0
        try:
            check_api_key(request, settings)
            model = find(name, version)
            label = model.name
            if metrics.in_flight >= settings.max_pending:
                metrics.rejected()
                status = 503
                return answer(
                    {"error": "The server is saturated; retry shortly."},
                    503,
                    {"Retry-After": "1"},
                )
            metrics.in_flight += 1
            try:
                response, rows = await handle(model)
            finally:
                metrics.in_flight -= 1
            status = response.status_code
            return response
        except InputError as error:
            status = error.status
            raise
        finally:
            metrics.observe(label, endpoint, status, time.perf_counter() - start, rows)

    async def score(model: ServedModel, columns: dict, n_rows: int):
        if not model.can_predict or model.batcher is None:
            raise InputError(f"Model {model.name!r} ({model.kind}) does not predict rows.")
        checked = check_columns(columns, n_rows, model.inputs) if model.inputs else columns
        try:
            return await model.batcher.submit(checked, n_rows)
        except RightfitError as error:  # e.g. a schema mismatch found by prepare_features
            raise InputError(str(error)) from None
        except Exception:
            logger.exception("prediction failed in model %s", model.name)
            raise InputError(
                "The model failed on this input (an internal error, logged on the server).",
                status=500,
            ) from None

    # -- health and metadata (always open) -----------------------------------------------
    @app.get("/v2/health/live", tags=["health"])
    async def live():
        return answer({"live": True})

    @app.get("/v2/health/ready", tags=["health"])
    async def ready():
        return answer({"ready": state["ready"]}, 200 if state["ready"] else 503)

    @app.get("/v2", tags=["v2"])
    async def server_metadata():
        return answer({"name": SERVER_NAME, "version": __version__, "extensions": []})

    @app.get("/v2/models/{name}/ready", tags=["health"])
    @app.get("/v2/models/{name}/versions/{version}/ready", tags=["health"])
    async def model_ready(name: str, version: str | None = None):
        model = find(name, version)
        return answer({"name": model.name, "ready": state["ready"]}, 200 if state["ready"] else 503)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def prometheus():
        text = metrics.render([m.info() for m in models])
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get("/v2/models/{name}", tags=["v2"])
    @app.get("/v2/models/{name}/versions/{version}", tags=["v2"])
    async def model_metadata(request: Request, name: str, version: str | None = None):
        check_api_key(request, settings)
        model = find(name, version)
        return answer(_openapi.model_metadata(model))

    @app.get("/v1/models", tags=["v1"])
    async def list_models(request: Request):
        check_api_key(request, settings)
        return answer({"models": [_openapi.model_metadata(m) for m in models]})

    # -- predictions (API key when configured) -----------------------------------------
    @app.post("/v2/models/{name}/infer", tags=["v2"], openapi_extra=_openapi.INFER_BODY)
    @app.post(
        "/v2/models/{name}/versions/{version}/infer",
        tags=["v2"],
        openapi_extra=_openapi.INFER_BODY,
    )
    async def infer(request: Request, name: str, version: str | None = None):
        async def handle(model: ServedModel):
            body = _parse_json(await _read_body(request, settings.max_body_bytes))
            columns, n_rows, ignored = columns_from_v2(body, model.inputs)
            known = [output for output, _ in model.outputs]
            wanted = requested_outputs(body, known) if known else None  # checked before work
            scores = await score(model, columns, n_rows)
            if not known:
                wanted = requested_outputs(body, list(scores))
            payload = {
                "model_name": model.name,
                "model_version": model.version,
                "outputs": output_tensors(scores, wanted),
            }
            if isinstance(body.get("id"), str):
                payload["id"] = body["id"]
            if ignored:
                payload["parameters"] = {"ignored_inputs": ignored}
            return answer(payload), n_rows

        return await measured(request, name, "infer", handle, version)

    @app.post("/v1/models/{name}/predict", tags=["v1"], openapi_extra=_openapi.PREDICT_BODY)
    async def predict(request: Request, name: str):
        async def handle(model: ServedModel):
            body = await _read_body(request, settings.max_body_bytes)
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "text/csv":
                columns, n_rows = parse_csv(body)
                ignored = sorted(set(columns) - {c.name for c in model.inputs})
            elif content_type == "multipart/form-data":
                columns, n_rows = parse_csv(await _uploaded_file(request, body))
                ignored = sorted(set(columns) - {c.name for c in model.inputs})
            else:
                records = _parse_json(body)
                columns, n_rows, ignored = columns_from_records(records, model.inputs)
            scores = await score(model, columns, n_rows)
            if "text/csv" in request.headers.get("accept", ""):
                import pandas as pd

                text = pd.DataFrame(scores).to_csv(index=False)
                return Response(text, media_type="text/csv"), n_rows
            return answer(_v1_payload(model, scores, ignored)), n_rows

        return await measured(request, name, "predict", handle)

    @app.post("/v1/models/{name}/recommend", tags=["v1"], openapi_extra=_openapi.RECOMMEND_BODY)
    async def recommend(request: Request, name: str):
        async def handle(model: ServedModel):
            if not model.can_recommend:
                raise InputError(
                    f"Model {model.name!r} ({model.kind}) does not recommend; use "
                    f"/v1/models/{model.name}/predict."
                )
            body = _parse_json(await _read_body(request, settings.max_body_bytes))
            users, top_k, exclude_seen = _recommend_request(body)
            import pandas as pd
            from starlette.concurrency import run_in_threadpool

            try:
                frame = await run_in_threadpool(
                    model.model.recommend_frame,
                    pd.DataFrame({"user": users}),
                    top_k=top_k,
                    exclude_seen=exclude_seen,
                )
            except RightfitError as error:
                raise InputError(str(error)) from None
            rows = {k: jsonable(frame[k]) for k in frame.columns}
            return answer({"model": model.name, "recommendations": rows}), len(users)

        return await measured(request, name, "recommend", handle)

    return _ShedLoad(app, metrics, settings.max_pending)


class _ShedLoad:
    """ASGI wrapper answering 503 to prediction POSTs while the queue is full, before routing.

    Under overload every request still costs HTTP parsing; skipping FastAPI's routing and
    dependency resolution for the ones that will be refused anyway keeps the 503s fast and
    leaves the CPU to the requests being served. ``measured`` keeps the same bound as a
    second line (it also counts the 503s per model).
    """

    _BODY = dumps({"error": "The server is saturated; retry shortly."})
    _HEADERS = (
        (b"content-type", JSON_TYPE.encode()),
        (b"retry-after", b"1"),
        (b"content-length", str(len(_BODY)).encode()),
    )

    def __init__(self, app, metrics: ServerMetrics, limit: int):
        self.app = app
        self.metrics = metrics
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and self.metrics.in_flight >= self.limit
        ):
            self.metrics.rejected()
            await send({"type": "http.response.start", "status": 503, "headers": self._HEADERS})
            await send({"type": "http.response.body", "body": self._BODY})
            return
        await self.app(scope, receive, send)

    def __getattr__(self, name: str):
        return getattr(self.app, name)  # app.state, app.routes... for tests and embedding


async def _uploaded_file(request, body: bytes) -> bytes:
    """The first file of a multipart upload, parsed from the already bounded body in memory."""
    from starlette.requests import Request

    sent = False

    async def receive():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, receive).form(max_files=1, max_fields=20)
    except Exception as error:
        raise InputError(f"The multipart upload cannot be parsed ({error}).", status=400) from None
    for value in form.values():
        if hasattr(value, "read"):
            return await value.read()
    raise InputError("The multipart upload has no file; send the CSV as a file field.")


def _v1_payload(model: ServedModel, scores: dict, ignored: list[str]) -> dict:
    names = list(scores)
    first = "prediction" if "prediction" in scores else names[0]
    payload: dict = {"model": model.name, "n_rows": len(scores[first])}
    payload["predictions"] = jsonable(scores[first])
    if first != "prediction":  # segmentation and other kinds: every output column, by name
        payload["columns"] = {name: jsonable(values) for name, values in scores.items()}
    proba = [name for name in names if name.startswith("proba_")]
    if proba:
        labels = [name[len("proba_") :] for name in proba]
        matrix = np.column_stack([scores[name] for name in proba]).astype("float64").tolist()
        payload["classes"] = labels
        payload["probabilities"] = [dict(zip(labels, row, strict=True)) for row in matrix]
    if ignored:
        payload["ignored_fields"] = ignored
    return payload


def _recommend_request(body: object) -> tuple[list, int, bool | None]:
    if not isinstance(body, dict) or not isinstance(body.get("users"), list) or not body["users"]:
        raise InputError(
            'The body must be {"users": [...], "top_k": 10, "exclude_seen": true} with at '
            "least one user."
        )
    top_k = body.get("top_k", 10)
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 1000:
        raise InputError("'top_k' must be an integer from 1 to 1000.", field="top_k")
    # absent: the bundle's setting (a model fitted with --repeats serves already-bought items)
    exclude_seen = body.get("exclude_seen")
    if exclude_seen is not None and not isinstance(exclude_seen, bool):
        raise InputError("'exclude_seen' must be true or false.", field="exclude_seen")
    return body["users"], top_k, exclude_seen

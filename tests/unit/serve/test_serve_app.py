"""The HTTP layer in-process (starlette's TestClient): status codes, bodies, key, saturation.

The real server in a subprocess is tested in tests/e2e/test_serve.py.
"""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from rightfit.data import ColumnSchema, Schema, prepare_features
from rightfit.serve import ServedModel, ServeSettings, create_app
from rightfit.serve._batcher import Batcher
from rightfit.serve._inputs import input_columns
from rightfit.serve._metrics import ServerMetrics

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

SCHEMA = Schema(
    (
        ColumnSchema("x", "numeric", "float64", "numeric"),
        ColumnSchema("flag", "boolean", "bool", "boolean"),
    ),
    "y",
    "binary",
    ("no", "yes"),
)


class SmallModel:
    """A real fitted logistic regression behind rightfit's predict_frame contract."""

    def __init__(self, delay: float = 0.0):
        X = prepare_features(pd.DataFrame({"x": [0.0, 1, 2, 3], "flag": [0, 1, 0, 1]}), SCHEMA)
        self.estimator = LogisticRegression().fit(X, [0, 0, 1, 1])
        self.schema = SCHEMA
        self.record = {
            "task": "binary",
            "target": "y",
            "schema": SCHEMA.to_dict(),
            "model_sha256": "0123456789abcdef",
        }
        self.delay = delay
        self.calls = 0

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        self.calls += 1
        time.sleep(self.delay)
        proba = self.estimator.predict_proba(prepare_features(frame, SCHEMA))
        labels = np.array(["no", "yes"], dtype=object)[proba.argmax(axis=1)]
        return pd.DataFrame(
            {"prediction": labels, "proba_no": proba[:, 0], "proba_yes": proba[:, 1]}
        )


def served(model=None) -> ServedModel:
    model = model or SmallModel()
    item = ServedModel("small", None, model, model.record, input_columns(SCHEMA))
    item.batcher = Batcher(item.predict_frame)
    item.outputs = [("prediction", "BYTES"), ("proba_no", "FP64"), ("proba_yes", "FP64")]
    return item


@pytest.fixture
def client():
    from fastapi.testclient import TestClient

    app = create_app([served()], ServeSettings(api_key="k", max_body_bytes=2_000))
    with TestClient(app, headers={"X-API-Key": "k"}) as test_client:
        yield test_client


def test_predict_answers_labels_and_probabilities(client):
    answer = client.post(
        "/v1/models/small/predict", json=[{"x": 3, "flag": True}, {"x": -1, "flag": "no"}]
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["predictions"] == ["yes", "no"] and body["classes"] == ["no", "yes"]
    assert body["probabilities"][0]["yes"] > 0.5


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{", {}, 400),
        (b"", {}, 400),
        (b'[{"x": 1}]', {}, 422),
        (b'[{"x": "abc", "flag": true}]', {}, 422),
        (b"[" + b'{"x": 1, "flag": 1},' * 200 + b"{}]", {}, 413),
        (b'[{"x": 1, "flag": 1}]', {"X-API-Key": "wrong"}, 401),
        (b"x,flag\n1,yes\n", {"Content-Type": "text/csv"}, 200),
        (b"x,flag\nabc,yes\n", {"Content-Type": "text/csv"}, 422),
        (b"\xff\xfe", {"Content-Type": "text/csv"}, 400),
    ],
)
def test_status_codes(client, body, headers, status):
    answer = client.post("/v1/models/small/predict", content=body, headers=headers)
    assert answer.status_code == status, answer.text
    if status != 200:
        assert answer.json()["error"]


def test_unknown_model_route_and_method_answer_in_the_error_shape(client):
    assert client.post("/v1/models/other/predict", json=[{}]).json()["error"].startswith("No model")
    assert client.get("/v1/models/small/predict").status_code == 405
    assert client.get("/nothing").json() == {"error": "Not Found"}


def test_health_is_open_and_metadata_needs_the_key(client):
    from fastapi.testclient import TestClient

    open_client = TestClient(client.app)
    assert open_client.get("/v2/health/ready").json() == {"ready": True}
    assert open_client.get("/v2/models/small").status_code == 401
    assert client.get("/v2/models/small").json()["inputs"][1]["datatype"] == "BOOL"


def test_a_saturated_server_answers_503_at_once():
    from fastapi.testclient import TestClient

    item = served(SmallModel(delay=0.5))
    app = create_app([item], ServeSettings(max_pending=1))
    statuses = []
    with TestClient(app) as test_client:

        def call():
            statuses.append(
                test_client.post("/v1/models/small/predict", json=[{"x": 1, "flag": 1}]).status_code
            )

        slow = threading.Thread(target=call)
        slow.start()
        time.sleep(0.2)
        start = time.monotonic()
        call()
        fast = time.monotonic() - start
        slow.join()
    assert sorted(statuses) == [200, 503] and fast < 0.3


def test_the_batcher_scores_waiting_requests_in_one_call_each_getting_its_rows():
    model = SmallModel(delay=0.05)
    item = served(model)

    async def main():
        item.batcher.start("t")
        try:
            jobs = [
                item.batcher.submit({"x": np.array([float(i)]), "flag": np.array([0.0])}, 1)
                for i in range(-5, 6)
            ]
            return await asyncio.gather(*jobs)
        finally:
            item.batcher.stop()

    frames = asyncio.run(main())
    expected = model.predict_frame(pd.DataFrame({"x": np.arange(-5.0, 6), "flag": 0.0}))
    assert [f["proba_yes"][0] for f in frames] == pytest.approx(expected["proba_yes"])
    assert model.calls <= 4  # the 11 requests shared model calls


def test_one_failing_request_does_not_fail_its_batch():
    def predict(frame):
        if (frame["x"] < 0).any():
            raise ValueError("negative")
        return frame.assign(prediction=frame["x"] * 2)

    batcher = Batcher(predict)

    async def main():
        batcher.start("t")
        try:
            jobs = [batcher.submit({"x": np.array([v])}, 1) for v in (1.0, -1.0, 2.0)]
            return await asyncio.gather(*jobs, return_exceptions=True)
        finally:
            batcher.stop()

    good, bad, other = asyncio.run(main())
    assert good["prediction"].tolist() == [2.0] and other["prediction"].tolist() == [4.0]
    assert isinstance(bad, ValueError)


def test_metrics_render_the_prometheus_text_format():
    metrics = ServerMetrics()
    metrics.observe("m", "predict", 200, 0.004, 3)
    metrics.observe("m", "predict", 422, 0.0001, 0)
    metrics.rejected()
    text = metrics.render([{"model": "m", "kind": "tabular", "task": "binary", "version": "1"}])
    assert 'rightfit_requests_total{model="m",endpoint="predict",status="200"} 1' in text
    assert 'rightfit_request_errors_total{model="m",endpoint="predict"} 1' in text
    assert (
        'rightfit_request_duration_seconds_bucket{model="m",endpoint="predict",le="0.005"} 2'
        in text
    )
    assert 'le="0.001"} 1' in text and 'le="+Inf"} 2' in text
    assert 'rightfit_predicted_rows_total{model="m"} 3' in text
    assert "rightfit_rejected_requests_total 1" in text


def test_versioned_paths_accept_only_the_served_version(client):
    version = client.get("/v2/models/small").json()["versions"][0]
    body = {
        "inputs": [
            {"name": "x", "shape": [1], "datatype": "FP64", "data": [2.0]},
            {"name": "flag", "shape": [1], "datatype": "BOOL", "data": [True]},
        ]
    }
    ok = client.post(f"/v2/models/small/versions/{version}/infer", json=body)
    assert ok.status_code == 200 and ok.json()["model_version"] == version
    wrong = client.post("/v2/models/small/versions/nope/infer", json=body)
    assert wrong.status_code == 404 and version in wrong.json()["error"]
    assert client.get(f"/v2/models/small/versions/{version}/ready").json()["ready"] is True

"""Request counts, latencies, rows and errors per model, in the Prometheus text format.

Kept by hand instead of with prometheus_client (one dependency less); every update runs on the
server's event loop, and a lock keeps a scrape consistent with the batch thread's row counts.
With ``--workers N`` each worker process keeps its own numbers and a scrape reaches one worker.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

from rightfit._memory import resident_bytes

# Seconds; fine steps where a tabular model answers (1-50 ms), coarse above.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


class ServerMetrics:
    """Counters and latency histograms keyed by (model, endpoint)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self._rows: dict[str, int] = defaultdict(int)
        self._buckets: dict[tuple[str, str], list[int]] = {}
        self._sums: dict[tuple[str, str], float] = defaultdict(float)
        self._rejected = 0
        self.in_flight = 0

    def observe(self, model: str, endpoint: str, status: int, seconds: float, rows: int) -> None:
        """Count one answered request."""
        key = (model, endpoint)
        with self._lock:
            self._requests[(model, endpoint, str(status))] += 1
            if rows:
                self._rows[model] += rows
            counts = self._buckets.setdefault(key, [0] * (len(BUCKETS) + 1))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._sums[key] += seconds

    def rejected(self) -> None:
        """Count one request turned away because the server was saturated (HTTP 503)."""
        with self._lock:
            self._rejected += 1

    def render(self, model_info: list[dict[str, str]]) -> str:
        """The Prometheus text exposition (format 0.0.4)."""
        lines = [
            "# HELP rightfit_requests_total Requests answered, by model, endpoint and status.",
            "# TYPE rightfit_requests_total counter",
        ]
        with self._lock:
            requests = dict(self._requests)
            rows = dict(self._rows)
            buckets = {k: list(v) for k, v in self._buckets.items()}
            sums = dict(self._sums)
            rejected = self._rejected
        for (model, endpoint, status), count in sorted(requests.items()):
            labels = _labels(model=model, endpoint=endpoint, status=status)
            lines.append(f"rightfit_requests_total{labels} {count}")
        lines += [
            "# HELP rightfit_request_errors_total Requests answered with a 4xx or 5xx status.",
            "# TYPE rightfit_request_errors_total counter",
        ]
        errors: dict[tuple[str, str], int] = defaultdict(int)
        for (model, endpoint, status), count in requests.items():
            if int(status) >= 400:
                errors[(model, endpoint)] += count
        for (model, endpoint), count in sorted(errors.items()):
            labels = _labels(model=model, endpoint=endpoint)
            lines.append(f"rightfit_request_errors_total{labels} {count}")
        lines += [
            "# HELP rightfit_request_duration_seconds Time from request to answer.",
            "# TYPE rightfit_request_duration_seconds histogram",
        ]
        for (model, endpoint), counts in sorted(buckets.items()):
            cumulative = 0
            for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                labels = _labels(model=model, endpoint=endpoint, le=le)
                lines.append(f"rightfit_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels(model=model, endpoint=endpoint)
            lines.append(f"rightfit_request_duration_seconds_sum{labels} {sums[(model, endpoint)]}")
            lines.append(f"rightfit_request_duration_seconds_count{labels} {cumulative}")
        lines += [
            "# HELP rightfit_predicted_rows_total Rows scored.",
            "# TYPE rightfit_predicted_rows_total counter",
        ]
        lines += [f"rightfit_predicted_rows_total{_labels(model=m)} {n}" for m, n in rows.items()]
        lines += [
            "# HELP rightfit_rejected_requests_total Requests answered 503 (server saturated).",
            "# TYPE rightfit_rejected_requests_total counter",
            f"rightfit_rejected_requests_total {rejected}",
            "# HELP rightfit_in_flight_requests Prediction requests being served now.",
            "# TYPE rightfit_in_flight_requests gauge",
            f"rightfit_in_flight_requests {self.in_flight}",
            "# HELP rightfit_model_info Models served by this process.",
            "# TYPE rightfit_model_info gauge",
        ]
        lines += [f"rightfit_model_info{_labels(**info)} 1" for info in model_info]
        resident = resident_bytes()
        if resident is not None:
            lines += [
                "# HELP process_resident_memory_bytes Resident memory of this worker.",
                "# TYPE process_resident_memory_bytes gauge",
                f"process_resident_memory_bytes {resident}",
            ]
        return "\n".join(lines) + "\n"

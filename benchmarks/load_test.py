"""Bounded loopback load test of `rightfit serve` (or any server speaking the same JSON).

Starts the server itself (``--serve MODEL_DIR``) or targets one already running (``--url``), then
runs scenarios, each bounded in requests and seconds:

  single     1 client, one-row requests             -> p50 / p99 latency
  concurrent 32 clients, one-row requests           -> requests/s, p99, errors
  batch      1 client, 1,000-row requests           -> rows/s
  soak       32 clients for --soak-seconds          -> server RSS growth after warm-up
  overload   256 clients                            -> every answer a 200 or a fast 503?

The client is a small asyncio HTTP/1.1 keep-alive client from the standard library, so one
Python process can drive hundreds of connections without becoming the bottleneck first.
``--flavor mlflow`` sends MLflow scoring-server bodies to ``/invocations`` for a comparison.

Example::

    python benchmarks/load_test.py --serve churn-model --rows churn.csv --target Churn
    python benchmarks/load_test.py --url http://127.0.0.1:5000 --flavor mlflow --rows churn.csv
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + "\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


async def drive(url, path, bodies, clients, max_requests, seconds, headers, rows_per_request):
    """Run ``clients`` loops until ``max_requests`` answers or ``seconds`` pass."""
    parts = urlsplit(url)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    slow_503: list[float] = []
    sent = [0]
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        connection = Connection(parts.hostname, parts.port)
        i = index
        while sent[0] < max_requests and time.perf_counter() < deadline:
            sent[0] += 1
            body = bodies[i % len(bodies)]
            i += clients
            start = time.perf_counter()
            try:
                status, _ = await connection.request(path, body, headers)
            except (OSError, ConnectionError, asyncio.IncompleteReadError) as error:
                connection.close()
                key = type(error).__name__
                statuses[key] = statuses.get(key, 0) + 1
                await asyncio.sleep(0.01)
                continue
            elapsed = time.perf_counter() - start
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                latencies.append(elapsed)
            elif status == 503:
                slow_503.append(elapsed)
        connection.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    wall = time.perf_counter() - start
    ok = len(latencies)
    return {
        "clients": clients,
        "requests": sum(statuses.values()),
        "seconds": round(wall, 2),
        "statuses": statuses,
        "requests_per_s": round(ok / wall, 1),
        "rows_per_s": round(ok * rows_per_request / wall, 1),
        "p50_ms": round(1000 * percentile(latencies, 50), 2),
        "p99_ms": round(1000 * percentile(latencies, 99), 2),
        "p50_503_ms": round(1000 * percentile(slow_503, 50), 2) if slow_503 else None,
        "max_503_ms": round(1000 * max(slow_503), 2) if slow_503 else None,
    }


def resident_bytes(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) * 1024 if match else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(model_dir: str, extra: list[str]) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    exe = Path(sys.executable).with_name("rightfit")
    command = [str(exe) if exe.exists() else "rightfit", "serve", model_dir, "--port", str(port)]
    start = time.monotonic()
    process = subprocess.Popen([*command, *extra], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() - start < 60:
        try:
            with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=1) as answer:
                if answer.status == 200:
                    return process, url, time.monotonic() - start
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise SystemExit("the server did not become ready within 60 s")


def load_rows(path: str, target: str | None, n: int) -> list[dict]:
    import pandas as pd

    frame = pd.read_csv(path, nrows=max(n, 1000))
    if target and target in frame.columns:
        frame = frame.drop(columns=target)
    return json.loads(frame.to_json(orient="records"))


def make_bodies(rows: list[dict], per_request: int, flavor: str, count: int) -> list[bytes]:
    bodies = []
    for i in range(count):
        chunk = [rows[(i * per_request + j) % len(rows)] for j in range(per_request)]
        payload = {"dataframe_records": chunk} if flavor == "mlflow" else chunk
        bodies.append(json.dumps(payload).encode())
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--serve", help="model directory: start `rightfit serve` on it")
    target.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rows", required=True, help="CSV of rows to send")
    parser.add_argument("--target", help="column to drop from --rows")
    parser.add_argument("--model", help="served model name [default: --serve's directory name]")
    parser.add_argument("--flavor", choices=["rightfit", "mlflow"], default="rightfit")
    parser.add_argument("--scenarios", default="single,concurrent,batch,soak,overload")
    parser.add_argument("--seconds", type=float, default=15, help="bound per scenario")
    parser.add_argument("--requests", type=int, default=5000, help="bound per scenario")
    parser.add_argument("--soak-seconds", type=float, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--api-key")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    process = None
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}",
        "load_average_before": os.getloadavg(),
    }
    if args.serve:
        extra = ["--workers", str(args.workers)] + (
            ["--api-key", args.api_key] if args.api_key else []
        )
        process, url, ready = start_server(args.serve, extra)
        results["ready_seconds"] = round(ready, 2)
        model = args.model or Path(args.serve).resolve().name
    else:
        url, model = args.url.rstrip("/"), args.model
    path = "/invocations" if args.flavor == "mlflow" else f"/v1/models/{model}/predict"
    headers = {"X-API-Key": args.api_key} if args.api_key else {}
    rows = load_rows(args.rows, args.target, 2000)
    singles = make_bodies(rows, 1, args.flavor, 1000)
    batches = make_bodies(rows, 1000, args.flavor, 20)

    def run(name, bodies, clients, requests, seconds, per_request):
        result = asyncio.run(
            drive(url, path, bodies, clients, requests, seconds, headers, per_request)
        )
        results[name] = result
        print(name, json.dumps(result), flush=True)
        return result

    try:
        scenarios = args.scenarios.split(",")
        run("warmup", singles, 4, 200, 10, 1)
        if "single" in scenarios:
            run("single", singles, 1, args.requests, args.seconds, 1)
        if "concurrent" in scenarios:
            run("concurrent", singles, 32, args.requests * 4, args.seconds, 1)
        if "batch" in scenarios:
            run("batch", batches, 1, max(20, args.requests // 50), args.seconds, 1000)
        if "soak" in scenarios:
            before = resident_bytes(process.pid) if process else None
            run("soak", singles, 32, 10**9, args.soak_seconds, 1)
            after = resident_bytes(process.pid) if process else None
            if before and after:
                results["soak"]["rss_mb_before"] = round(before / 2**20, 1)
                results["soak"]["rss_mb_after"] = round(after / 2**20, 1)
                results["soak"]["rss_growth_percent"] = round(100 * (after - before) / before, 2)
                print("soak rss", results["soak"]["rss_growth_percent"], "%", flush=True)
        if "overload" in scenarios:
            run("overload", singles, 256, args.requests * 4, args.seconds, 1)
        if process is not None:
            results["alive_after"] = process.poll() is None
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    results["load_average_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

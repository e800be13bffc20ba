#!/usr/bin/env bash
# Runs the benchmarks (each writes bench/results/<name>.json) and draws the plots.
#   bench/run_all.sh                 the issue's sizes (about 25-30 minutes with the Swift worker)
#   BENCH_QUICK=1 bench/run_all.sh   small sizes (about 3 minutes) into bench/results/tmp/quick: a smoke run
#   BENCH_WORKER=reference|swift|/path/to/cloudmesh-worker   (default auto: the Swift worker when built)
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
cd bench
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
    export BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$PWD/results/tmp/quick} BENCH_PLOTS_DIR=${BENCH_PLOTS_DIR:-$PWD/results/tmp/quick}
    mkdir -p "$BENCH_PLOTS_DIR"
    "../$py" pickup_latency.py --jobs 20 --poll-jobs 10 --poll-spread 15 --poll-interval 3 "$@"
    "../$py" throughput.py --jobs 30 --levels 1,4 --ceiling-runs 40 "$@"
    "../$py" discovery_cost.py --sizes 10,1000 --poll-window 6 --sub-window 10 "$@"
    "../$py" memory.py --jobs 8 --mb 10 "$@"
    "../$py" held_fetches.py --jobs 10 --held 4 --hold 15 --held-wait 10 --settle-timeout 40 "$@"
    [[ "${BENCH_WORKER:-auto}" == reference ]] || "../$py" dependencies.py --jobs 10 --cold 1 "$@"
else
    "../$py" pickup_latency.py "$@"
    "../$py" throughput.py "$@"
    "../$py" discovery_cost.py "$@"
    "../$py" memory.py "$@"
    "../$py" held_fetches.py "$@"
    # The Swift worker only: the reference worker installs no dependencies.
    [[ "${BENCH_WORKER:-auto}" == reference ]] || "../$py" dependencies.py "$@"
fi
"../$py" plots.py

#!/usr/bin/env bash
# Every check of the GPU backend in one go, every result in one folder (see the README's GPU
# section). On a GPU machine, after `pip install -e ".[test]" "numba-cuda[cu12]>=0.30,<0.31"`:
#
#     bash benchmarks/gpu_checks.sh OUT
#
# Without a GPU the same steps run on numba's CUDA simulator at toy sizes (how this script
# is tested): NUMBA_ENABLE_CUDASIM=1 bash benchmarks/gpu_checks.sh OUT --small
#
# Writes to OUT: env.json (machine and versions), gpu_tests.xml (pytest -m gpu: CPU = GPU at
# 10^6 customers), kernel_cuda_tests.xml (the simulator suite, here on the GPU),
# bench_kernel.jsonl (bench_kernel.py --backend cuda, bass and full at 10^6, 10^7 and 10^8
# customers, each with the CPU backend's speed in the same run), gpu_profile.jsonl
# (benchmarks/gpu_step_profile.py at 10^8: a step's parts, the launch configurations), bench_scenario.jsonl
# (agent-mode bass_only scenarios on cuda and cpu, in-process timing), cli_runs.jsonl
# (`marketsim scenario=bass_only mode=agent backend=cuda` end to end, wall seconds) and
# gpu_checks.log (everything printed). A step that fails or runs past its time limit is
# logged and the script goes on; it exits 1 if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: gpu_checks.sh OUT [--small]}
SMALL=${2:-}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG="$OUT/gpu_checks.log"
PY=${PYTHON:-python}
export NUMBA_ENABLE_CUDASIM=${NUMBA_ENABLE_CUDASIM:-0} PYTHONUNBUFFERED=1 MPLBACKEND=Agg
FAILED=0
if [ "$SMALL" = "--small" ]; then
    BENCH_SIZES="300 200"; BENCH_STEPS=2; REF=(--reference-customers 200 --reference-steps 2)
    BW=(--bandwidth-mib 8 --threads 1); SCEN_SIZES="200"
    SCEN_EXTRA=(horizon_days=70); TESTS_GPU=(-m gpu); TESTS_ALL=(-x -k "not ptx")
    PROFILE=(--steps 2 --threads 8 --blocks-per-sm 1,2)
else
    BENCH_SIZES="100000000 1000000 10000000"; BENCH_STEPS=100
    REF=(--reference-customers 1000000 --reference-steps 20); BW=()
    SCEN_SIZES="100000000 10000000"; SCEN_EXTRA=(); TESTS_GPU=(-m gpu); TESTS_ALL=()
    PROFILE=(--steps 20)
fi

seconds_since() {  # seconds since a `date +%s%N` reading, to the millisecond (no bc needed)
    local ms=$(( ($(date +%s%N) - $1) / 1000000 ))
    printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# GPU_CHECKS_BUDGET_S: the whole script's time limit (steps past it are skipped, the last
# one is cut short), for machines lent by the minute
DEADLINE=$((SECONDS + ${GPU_CHECKS_BUDGET_S:-86400}))

step() {  # step NAME LIMIT_S COMMAND...: run, log, time; a failure is recorded, not fatal
    local name=$1 limit=$2; shift 2
    local t0 rc left=$((DEADLINE - SECONDS))
    if [ "$left" -lt 5 ]; then
        echo "=== $name: skipped (GPU_CHECKS_BUDGET_S spent)" >>"$LOG"
        FAILED=1
        return 1
    fi
    [ "$left" -lt "$limit" ] && limit=$left
    t0=$(date +%s%N)
    echo "=== $name ($(date -u +%H:%M:%S)): $*" >>"$LOG"
    timeout -k 10 "$limit" "$@" >>"$LOG" 2>&1
    rc=$?
    echo "=== $name: exit $rc after $(seconds_since "$t0") s" >>"$LOG"
    [ "$rc" -eq 0 ] || FAILED=1
    return $rc
}

json_line() {  # json_line FILE: the last line of the log that parses as a JSON object
    "$PY" - "$LOG" "$1" <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for line in reversed(lines):
    if line.startswith("{"):
        try:
            json.loads(line)
        except ValueError:
            continue
        open(sys.argv[2], "a").write(line + "\n")
        break
PYEOF
}

step env 120 "$PY" - "$OUT/env.json" <<'PYEOF'
import json, platform, subprocess, sys
from importlib.metadata import version
info = {"python": platform.python_version()}
for pkg in ("numpy", "numba", "llvmlite", "numba-cuda", "cuda-bindings", "pandas", "simpy",
            "hydra-core"):
    try:
        info[pkg] = version(pkg)
    except Exception as e:  # noqa: BLE001 - recorded, not fatal
        info[pkg] = f"missing ({e})"
try:
    info["nvidia_smi"] = subprocess.run(
        ["nvidia-smi", "--query-gpu=name,memory.total,driver_version,clocks.max.sm",
         "--format=csv,noheader"], capture_output=True, text=True, timeout=30).stdout.strip()
except Exception as e:  # noqa: BLE001
    info["nvidia_smi"] = f"unavailable ({e})"
from sim.kernel.cuda import device_description
info["device"] = device_description()
import numba
info["numba_threads"] = numba.get_num_threads()
json.dump(info, open(sys.argv[1], "w"), indent=1)
print(json.dumps(info))
PYEOF

# CPU = GPU exactly at 10^6 customers (fully mixed and small world), device hash and libm
step gpu_tests 240 "$PY" -m pytest "${TESTS_GPU[@]}" tests/kernel_cuda -q -p no:cacheprovider \
    -W ignore::DeprecationWarning -o junit_family=legacy --junitxml="$OUT/gpu_tests.xml"

bench_kernel() {  # bench_kernel CUSTOMERS...: bass and full at each size
    local n case
    for n in "$@"; do
        for case in bass full; do
            step "bench_kernel_${case}_$n" 180 "$PY" benchmarks/bench_kernel.py --backend cuda \
                --case "$case" --customers "$n" --steps "$BENCH_STEPS" "${REF[@]}" "${BW[@]}" \
                --json && json_line "$OUT/bench_kernel.jsonl"
        done
    done
}

# most important first, in case the machine's time runs out: the targets' sizes
bench_kernel ${BENCH_SIZES%% *}

for n in $SCEN_SIZES; do
    t0=$(date +%s%N)
    step "cli_$n" 180 "$PY" -m sim.commands scenario=bass_only mode=agent backend=cuda \
        "market.segments.0.size=$n" "${SCEN_EXTRA[@]}" plots=false "hydra.run.dir=$OUT/tmp_run_$n"
    rc=$?
    wall=$(seconds_since "$t0")
    echo "{\"command\": \"marketsim scenario=bass_only mode=agent backend=cuda market.segments.0.size=$n plots=false\", \"customers\": $n, \"exit\": $rc, \"wall_s\": $wall}" >>"$OUT/cli_runs.jsonl"
    rm -rf "$OUT/tmp_run_$n"
done

# where a step's time goes at the largest size, and the step kernel over launch configurations
for case in bass full; do
    step "gpu_step_profile_$case" 120 "$PY" benchmarks/gpu_step_profile.py --case "$case" \
        --customers "${BENCH_SIZES%% *}" "${PROFILE[@]}" --json \
        && json_line "$OUT/gpu_profile.jsonl"
done

bench_kernel ${BENCH_SIZES#* }

for n in $SCEN_SIZES; do
    for backend in cuda cpu; do
        if [ "$backend" = cpu ] && [ "$n" -gt 10000000 ]; then continue; fi
        step "bench_scenario_${backend}_$n" 180 "$PY" benchmarks/bench_scenario.py \
            --scenario bass_only --mode agent --customers "$n" --runs 2 --no-reference \
            --override "backend=$backend" ${SCEN_EXTRA[@]/#/--override } --json \
            && json_line "$OUT/bench_scenario.jsonl"
    done
done

# the rest of the backend's suite (written for the simulator), here on the GPU
step kernel_cuda_tests 240 "$PY" -m pytest "${TESTS_ALL[@]}" tests/kernel_cuda -q \
    -p no:cacheprovider -W ignore::DeprecationWarning -o junit_family=legacy \
    --junitxml="$OUT/kernel_cuda_tests.xml"

echo "=== done, failed=$FAILED" >>"$LOG"
exit $FAILED

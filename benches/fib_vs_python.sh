#!/usr/bin/env bash
# End to end: the release `calc` example against python3 on naive fib(N),
# process start-up included. Prints the best of RUNS wall-clock times for
# each and the ratio python3 / calc.
#
#   benches/fib_vs_python.sh [N] [RUNS]      (defaults: 30 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-30}
runs=${2:-5}
cargo build --quiet --release --example calc
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
calc="$target_dir/release/examples/calc"
program="fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)
fib($n)"
python_program="
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib($n))"

best() {
    local best_ns=
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null
        end=$(date +%s%N)
        local ns=$((end - start))
        if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then best_ns=$ns; fi
    done
    echo "$best_ns"
}

expected=$(python3 -c "$python_program")
got=$("$calc" --memo-cap 0 -e "$program")
[ "$expected" = "$got" ] || { echo "calc printed $got, python3 $expected" >&2; exit 1; }

calc_ns=$(best "$calc" --memo-cap 0 -e "$program")
python_ns=$(best python3 -c "$python_program")
python3 - "$n" "$runs" "$calc_ns" "$python_ns" <<'PY'
import sys
n, runs, calc, python = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
print(f"fib({n}), best of {runs}, wall clock: calc {calc / 1e6:.1f} ms, "
      f"python3 {python / 1e6:.1f} ms, python3 / calc = {python / calc:.2f}x")
PY

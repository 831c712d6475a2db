#!/usr/bin/env bash
# Whole-process time and peak memory of `ostdoctor info` against libpff's pffinfo and a
# pypff folder walk, on one store (default: the largest real fixture). Prints medians and
# ratios; a measurement, never a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
store=${1:-../shared/fixtures/real/outlook-com-2013.ost}
runs=${RUNS:-20}
for tool in hyperfine pffinfo; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine pff-tools python3-pypff time)" >&2; exit 1; }
done
cargo build --release --quiet
bin=target/release/ostdoctor
py=/usr/bin/python3

hyperfine --warmup 3 --runs "$runs" --export-json /tmp/ostdoctor-bench.json \
    -n "ostdoctor info" "$bin info '$store'" \
    -n "ostdoctor info --json" "$bin info --json '$store'" \
    -n "pffinfo" "pffinfo '$store'" \
    -n "pypff folder walk" "$py tests/bench/pypff_info.py '$store'" >/dev/null

peak() {
    local best=""
    for _ in 1 2 3 4 5; do
        kb=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)
        best="$best $kb"
    done
    echo "$best" | tr ' ' '\n' | grep . | sort -n | sed -n 3p
}
printf '%-24s %12s %12s %14s\n' tool "median ms" "x ostdoctor" "peak RSS KiB"
python3 - "$store" <<'PY' | while IFS=$'\t' read -r name median ratio; do
import json, sys
r = json.load(open('/tmp/ostdoctor-bench.json'))['results']
base = r[0]['median']
for x in r:
    print(f"{x['command']}\t{x['median']*1000:.2f}\t{x['median']/base:.2f}")
PY
    case "$name" in
        "ostdoctor info") mem=$(peak "$bin" info "$store") ;;
        "ostdoctor info --json") mem=$(peak "$bin" info --json "$store") ;;
        pffinfo) mem=$(peak pffinfo "$store") ;;
        *) mem=$(peak "$py" tests/bench/pypff_info.py "$store") ;;
    esac
    printf '%-24s %12s %12s %14s\n' "$name" "$median" "$ratio" "$mem"
done

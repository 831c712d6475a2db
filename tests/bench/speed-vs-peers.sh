#!/usr/bin/env bash
# Whole-process wall time and peak memory of `ostdoctor info`, `check` and `export` beside
# `cat` of the same file and the peers (readpst, pffexport), on written stores of several
# sizes (cached between runs) and on the real fixtures. Prints one table per store with the
# ratio of each command to `cat`. A measurement, never a test: every peer runs under a
# timeout, and what did not finish says so.
#
#   tests/bench/speed-vs-peers.sh [MESSAGES...]     (default: 2000 20000 200000)
#
# DIR (default target/bench-stores) holds the generated stores; LIMIT (default 900 s)
# bounds each peer; RUNS (default 3) is how many times each command runs, the table giving
# the median time and the highest peak (a command that ran out of time is not run again).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@")
((${#sizes[@]})) || sizes=(2000 20000 200000)
dir=${DIR:-target/bench-stores}
limit=${LIMIT:-900}
runs=${RUNS:-3}
mkdir -p "$dir"
for tool in /usr/bin/time readpst pffexport; do
    command -v "$tool" >/dev/null || {
        echo "needs $tool (apt-get install -y time pst-utils pff-tools)" >&2
        exit 1
    }
done
cargo build --release --quiet --bin ostdoctor
bin=$PWD/target/release/ostdoctor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One command, timed: prints "seconds peak-KiB status". The wall time comes from the
# shell's microsecond clock (/usr/bin/time counts hundredths), the peak from /usr/bin/time.
run() {
    local status=0 start end kb
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/t" timeout "$limit" "$@" >/dev/null 2>&1 || status=$?
    end=$EPOCHREALTIME
    kb=$(tail -1 "$work/t" 2>/dev/null || echo 0)
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') $kb $status"
}

# `run` RUNS times: prints "median-seconds highest-peak-KiB last-status". `before`, when
# set, names a command run ahead of each (to remove the last run's output). Each run starts
# once the last one's output is on disk: the kernel writing a gigabyte back while the next
# run goes on slowed that run by up to half, whichever command it was.
median() {
    local k s kb st times=() peak=0 status=0
    for ((k = 0; k < runs; k++)); do
        [ -n "${before:-}" ] && eval "$before"
        sync
        read -r s kb st < <(run "$@")
        times+=("$s")
        ((kb > peak)) && peak=$kb
        status=$st
        [ "$st" = 124 ] && break
    done
    s=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "$s $peak $status"
}

table() {
    local store=$1
    local size
    size=$(stat -c %s "$store")
    echo "== $(basename "$store"): $((size / 1048576)) MiB"
    # Warm the page cache, so that every command reads from memory alike.
    cat "$store" >/dev/null
    read -r cat_s cat_kb _ < <(median cat "$store")
    printf '  %-22s %9s %9s %10s  %s\n' command seconds "x cat" "peak MiB" ""
    line() {
        local label=$1 secs=$2 kb=$3 status=$4
        local note=""
        [ "$status" = 124 ] && note="(not done in ${limit} s)"
        [ "$status" != 0 ] && [ "$status" != 124 ] && [ "$status" != 5 ] && note="(exit $status)"
        printf '  %-22s %9.3f %9.1f %10d  %s\n' "$label" "$secs" \
            "$(awk -v a="$secs" -v b="$cat_s" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
            $((kb / 1024)) "$note"
    }
    line cat "$cat_s" "$cat_kb" 0
    for cmd in info check; do
        read -r s kb st < <(median "$bin" "$cmd" --json "$store")
        line "ostdoctor $cmd" "$s" "$kb" "$st"
    done
    before='rm -f "$work/copy.pst"'
    read -r s kb st < <(median "$bin" export "$store" "$work/copy.pst" --json)
    line "ostdoctor export" "$s" "$kb" "$st"
    before='rm -rf "$work/readpst" && mkdir "$work/readpst"'
    read -r s kb st < <(median readpst -q -o "$work/readpst" "$store")
    line "readpst" "$s" "$kb" "$st"
    before='rm -rf "$work"/pff*'
    read -r s kb st < <(median pffexport -q -m items -t "$work/pff" "$store")
    line "pffexport -m items" "$s" "$kb" "$st"
    before=''
    rm -rf "$work/copy.pst" "$work/readpst" "$work"/pff*
}

for n in "${sizes[@]}"; do
    for format in pst ost; do
        store=$dir/$n.$format
        if [ ! -f "$store" ]; then
            "$bin" gen "$store" --format "$format" --folders 20 --messages "$n" >/dev/null
        fi
        table "$store"
    done
done
for f in ../shared/fixtures/real/enron.pst ../shared/fixtures/real/outlook-com-2013.ost; do
    [ -f "$f" ] && table "$f"
done

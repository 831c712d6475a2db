#!/usr/bin/env bash
# Peak memory and wall time of every command that reads a whole store (`info`, `check`,
# `export`) on one large written store, beside `cat` of the same file: memory must stay
# bounded by the work in hand, not grow with the store. A measurement, never a test.
#
#   tests/bench/memory-big.sh [MESSAGES] [FORMAT] [ATTACHMENT_KB]
#
# The defaults (400,000 messages in 50 folders, .ost, 50 KiB attachments on one message
# in five) give a file of about 5 GB, kept in DIR (default target/bench-stores) between
# runs; the export's copy is written beside it and deleted.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-400000}
format=${2:-ost}
attachment_kb=${3:-50}
dir=${DIR:-target/bench-stores}
command -v /usr/bin/time >/dev/null || {
    echo "needs /usr/bin/time (apt-get install -y time)" >&2
    exit 1
}
cargo build --release --quiet --bin ostdoctor
bin=$PWD/target/release/ostdoctor
mkdir -p "$dir"
store=$dir/big-$messages-$attachment_kb.$format
if [ ! -f "$store" ]; then
    /usr/bin/time -f 'gen: %e s, peak %M KiB' "$bin" gen "$store" --format "$format" \
        --folders 50 --messages "$messages" --attachment-kb "$attachment_kb" >/dev/null
fi
copy=$dir/big-copy.pst
trap 'rm -f "$copy"' EXIT
echo "== $(basename "$store"): $(($(stat -c %s "$store") / 1048576)) MiB"
printf '  %-18s %9s %10s %s\n' command seconds "peak MiB" status
measure() {
    local label=$1 status=0
    shift
    /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$@" >/dev/null 2>&1 || status=$?
    read -r secs kb <"$dir/time.txt"
    printf '  %-18s %9.2f %10d %s\n' "$label" "$secs" $((kb / 1024)) "$status"
}
cat "$store" >/dev/null
measure cat cat "$store"
measure "ostdoctor info" "$bin" info --json "$store"
measure "ostdoctor check" "$bin" check --json "$store"
measure "ostdoctor logs" "$bin" logs "$store"
rm -f "$copy"
measure "ostdoctor export" "$bin" export --json "$store" "$copy"

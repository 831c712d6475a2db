#!/usr/bin/env bash
# One folder of 100,000 items, in each 64-bit format: the 4 KiB-page OST (Outlook 2013+)
# and the Unicode PST. Writes each with the release build (`ostdoctor gen`), then reads it
# with our reader (`ostdoctor info`, `ostdoctor check`) and with libpff (pypff: the folder
# counts `info` gives, then a walk that reads every item's subject). The contents table's heap and row matrix span hundreds of
# blocks and its row index has two levels, so every heap id past block 0 is read by both.
# Prints each step's time and peak memory, and pypff's time as a ratio of ours. A
# measurement, never a test; tests/write_heap4k.rs runs the same code on 5,000 items.
#
#   tests/bench/one-folder-100k.sh [MESSAGES]
#
# DIR (default /work) says where the stores go; they are deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-100000}
dir=${DIR:-/work}
for tool in /usr/bin/time /usr/bin/python3; do
    command -v "$tool" >/dev/null || {
        echo "needs $tool (apt-get install -y time python3)" >&2
        exit 1
    }
done
/usr/bin/python3 -c 'import pypff' 2>/dev/null || {
    echo "needs pypff (apt-get install -y python3-pypff)" >&2
    exit 1
}

cargo build --release --quiet --bin ostdoctor
bin=$PWD/target/release/ostdoctor
work=$(mktemp -d "$dir/one-folder.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Every folder's item count, and how many of its items have a subject pypff can read.
cat >"$work/walk.py" <<'PY'
import sys
import pypff

def walk(folder, path):
    for i in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(i)
        name = path + "/" + (sub.name or "")
        n = sub.number_of_sub_messages
        subjects = sum(1 for j in range(n) if sub.get_sub_message(j).subject)
        print(f"{name}\t{n}\t{subjects}")
        walk(sub, name)

f = pypff.file()
f.open(sys.argv[1])
walk(f.get_root_folder(), "")
PY

# Runs a command with its output in a file, prints its time and peak memory on stderr,
# and its seconds on stdout.
measure() { # label, output file, command...
    local label=$1 out=$2
    shift 2
    local status=0
    /usr/bin/time -f '%e %M' -o "$work/t.txt" "$@" >"$out" || status=$?
    read -r secs kb <"$work/t.txt"
    printf '  %-28s %8.2f s %8d MiB  (exit %d)\n' "$label" "$secs" $((kb / 1024)) "$status" >&2
    echo "$secs"
}

for format in ost pst; do
    store=$work/one.$format
    echo "== $format: 1 folder, $messages items"
    measure "ostdoctor gen" "$work/gen.txt" \
        "$bin" gen "$store" --format "$format" --folders 1 --messages "$messages" 2>&1 >/dev/null
    echo "  file: $(($(stat -c %s "$store") / 1048576)) MiB"
    ours=$(measure "ostdoctor info" "$work/info.json" "$bin" info --json "$store")
    measure "ostdoctor check" "$work/check.json" "$bin" check --json "$store" >/dev/null
    theirs=$(measure "pypff folder counts" "$work/pypff-info.txt" \
        /usr/bin/python3 tests/bench/pypff_info.py "$store")
    measure "pypff walk (every subject)" "$work/pypff.txt" \
        /usr/bin/python3 "$work/walk.py" "$store" >/dev/null
    inbox_ours=$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(max(f["contents_rows"] or 0 for f in r["folders"]))' "$work/info.json")
    IFS=$'\t' read -r _ inbox_theirs subjects < <(sort -t$'\t' -k2 -n "$work/pypff.txt" | tail -1)
    errors=$(/usr/bin/python3 -c '
import json, sys
print(json.load(open(sys.argv[1]))["tally"]["errors"])' "$work/check.json")
    echo "  largest folder: ours $inbox_ours items, pypff $inbox_theirs items ($subjects with a subject); check errors: $errors"
    awk -v a="$theirs" -v b="$ours" 'BEGIN { if (b > 0) printf "  pypff folder counts / ostdoctor info: %.1fx\n", a / b }'
    if [ "$inbox_ours" != "$messages" ] || [ "$inbox_theirs" != "$messages" ] \
        || [ "$subjects" != "$messages" ] || [ "$errors" != 0 ]; then
        echo "MISMATCH in $format" >&2
        exit 1
    fi
done

#!/usr/bin/env bash
# Writes one large synthetic PST with the release build (`ostdoctor gen`), measuring wall
# time and peak memory, then checks the result with our reader and with libpff: pffinfo
# must accept it, and the folder and item counts of `ostdoctor info` and of a pypff walk
# must equal what was written. A measurement, never a test; the file is deleted at the end.
#
#   tests/bench/gen-big.sh [MESSAGES] [FOLDERS] [ATTACHMENT_KB]
#
# The defaults (200,000 messages, 50 folders, 50 KiB attachments on one message in five)
# give a file of about 2.4 GB. DIR (default /work) says where it goes; PFFEXPORT=1 also
# exports it with pffexport and READPST=1 with readpst, counting the messages each wrote
# (slow, and each needs about the file's size again on disk). `ostdoctor check` reads every
# page and block, the allocation, page, free and free-page maps among them. pffinfo's time grows with the square of the items in one folder
# (10,000 messages: 1.5 s, 40,000: 56 s), so at 200,000 it takes the better part of an hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
messages=${1:-200000}
folders=${2:-50}
attachment_kb=${3:-50}
dir=${DIR:-/work}
for tool in pffinfo /usr/bin/time /usr/bin/python3; do
    command -v "$tool" >/dev/null || {
        echo "needs $tool (apt-get install -y pff-tools python3-pypff time)" >&2
        exit 1
    }
done
/usr/bin/python3 -c 'import pypff' 2>/dev/null || {
    echo "needs pypff (apt-get install -y python3-pypff)" >&2
    exit 1
}

cargo build --release --quiet --bin ostdoctor
bin=$PWD/target/release/ostdoctor
work=$(mktemp -d "$dir/gen-big.XXXXXX")
trap 'rm -rf "$work"' EXIT
store=$work/big.pst

/usr/bin/time -v -o "$work/time.txt" "$bin" gen "$store" --format pst \
    --folders "$folders" --messages "$messages" --attachment-kb "$attachment_kb" >"$work/gen.txt"
cat "$work/gen.txt"
wall=$(sed -n 's/.*Elapsed (wall clock) time.*): //p' "$work/time.txt")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
size=$(stat -c %s "$store")

/usr/bin/time -f '%e %M' -o "$work/info-time.txt" "$bin" info --json "$store" >"$work/info.json"
read -r info_s info_kb <"$work/info-time.txt"
# Folders below the top of the personal folders, and the rows of every contents table.
read -r our_folders our_items our_counted < <(/usr/bin/python3 - "$work/info.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
mine = [f for f in r["folders"] if len(f["path"]) >= 2]
rows = sum(f["contents_rows"] or 0 for f in r["folders"])
counted = sum(f["content_count"] or 0 for f in r["folders"])
print(len(mine), rows, counted)
PY
)

check_status=0
/usr/bin/time -f '%e %M' -o "$work/check-time.txt" "$bin" check --json "$store" \
    >"$work/check.json" || check_status=$?
read -r check_s check_kb <"$work/check-time.txt"
check_findings=$(/usr/bin/python3 -c '
import json, sys
print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/check.json")

/usr/bin/time -f '%e %M' -o "$work/pffinfo-time.txt" pffinfo "$store" >"$work/pffinfo.txt" || {
    cat "$work/pffinfo.txt"
    echo "pffinfo rejected the file" >&2
    exit 1
}
read -r pffinfo_s pffinfo_kb <"$work/pffinfo-time.txt"
/usr/bin/time -f '%e %M' -o "$work/pypff-time.txt" \
    /usr/bin/python3 tests/bench/pypff_info.py "$store" >"$work/pypff.txt"
read -r pypff_s pypff_kb <"$work/pypff-time.txt"
# pypff lists every folder below the root: the top of the personal folders, the search
# root, and the folders written.
pypff_folders=$(($(wc -l <"$work/pypff.txt") - 2))
pypff_items=$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$work/pypff.txt")

exported="-"
if [ "${PFFEXPORT:-0}" = 1 ]; then
    pffexport -q -f text -t "$work/export" "$store" >/dev/null
    exported=$(find "$work/export.export" -type d -name 'Message*' | wc -l)
    rm -rf "$work/export.export"
fi
readpst_items="-"
if [ "${READPST:-0}" = 1 ]; then
    mkdir "$work/readpst"
    /usr/bin/time -f '%e %M' -o "$work/readpst-time.txt" \
        readpst -q -j 0 -D -S -o "$work/readpst" "$store" >/dev/null
    read -r readpst_s readpst_kb <"$work/readpst-time.txt"
    # -S writes one file per item (attachments beside it, named N-name).
    readpst_items=$(find "$work/readpst" -type f -regex '.*/[0-9]+' | wc -l)
    rm -rf "$work/readpst"
fi

printf '\n%-34s %s\n' "messages written" "$messages"
printf '%-34s %s\n' "folders written" "$folders"
printf '%-34s %s\n' "attachment size (KiB)" "$attachment_kb"
printf '%-34s %s bytes (%.2f GiB)\n' "file size" "$size" "$(/usr/bin/python3 -c "print($size / 2**30)")"
printf '%-34s %s\n' "gen wall time" "$wall"
printf '%-34s %s MiB\n' "gen peak RSS" "$((rss_kb / 1024))"
printf '%-34s %s s, %s MiB\n' "ostdoctor info time, peak RSS" "$info_s" "$((info_kb / 1024))"
printf '%-34s %s s, %s MiB\n' "pypff walk time, peak RSS" "$pypff_s" "$((pypff_kb / 1024))"
printf '%-34s %s / %s / %s\n' "folders: ostdoctor / pypff / asked" "$our_folders" "$pypff_folders" "$folders"
printf '%-34s %s / %s / %s\n' "items: rows / counts / pypff" "$our_items" "$our_counted" "$pypff_items"
printf '%-34s %s s, %s MiB, %s findings (exit %s)\n' "ostdoctor check time, peak RSS" \
    "$check_s" "$((check_kb / 1024))" "$check_findings" "$check_status"
printf '%-34s %s\n' "pffexport messages" "$exported"
if [ "$readpst_items" != "-" ]; then
    printf '%-34s %s (%s s, %s MiB)\n' "readpst items" "$readpst_items" "$readpst_s" \
        "$((readpst_kb / 1024))"
fi
printf '%-34s %s s, %s MiB\n' "pffinfo (accepted) time, peak RSS" "$pffinfo_s" "$((pffinfo_kb / 1024))"

fail=0
for v in "$our_folders" "$pypff_folders"; do [ "$v" = "$folders" ] || fail=1; done
for v in "$our_items" "$our_counted" "$pypff_items"; do [ "$v" = "$messages" ] || fail=1; done
[ "$exported" = "-" ] || [ "$exported" = "$messages" ] || fail=1
[ "$readpst_items" = "-" ] || [ "$readpst_items" = "$messages" ] || fail=1
[ "$check_status" = 0 ] && [ "$check_findings" = 0 ] || fail=1
if [ "$fail" = 1 ]; then
    echo "MISMATCH: the counts above differ from what was written" >&2
    exit 1
fi
echo "counts match"

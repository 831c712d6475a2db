#!/usr/bin/env bash
# How folder statistics grow with the number of folders: stats-many-folders.sh at 1,000,
# 10,000 and 100,000 folders (SIZES to change), by LIST-STATUS and by one STATUS per
# folder, with each median divided by the folder count. Flat per-folder times mean linear
# growth. Takes a few minutes at 100,000 (Dovecot builds its indexes first). A
# measurement, never a test.
set -euo pipefail
cd "$(dirname "$0")"
store=${1:-../../../shared/fixtures/real/outlook-com-2013.ost}
sizes=${SIZES:-1000 10000 100000}
# One binary for every size, copied so that a rebuild meanwhile cannot mix versions.
(cd ../.. && cargo build --release --quiet)
bin=$(mktemp /tmp/ostdoctor-growth-XXXXXX)
trap 'rm -f "$bin"' EXIT
cp ../../target/release/ostdoctor "$bin"
chmod 755 "$bin"
printf '%-8s  %-28s  %10s  %14s\n' folders way median "per folder"
for n in $sizes; do
    runs=$(( n >= 100000 ? 3 : (n >= 10000 ? 5 : 15) ))
    BIN=$bin FOLDERS=$n RUNS=$runs bash stats-many-folders.sh "$(realpath "$store")" |
        awk -v n="$n" '/client CPU/ { print n "  " $0; fflush() } /median/ {
            split($0, parts, "median"); way = parts[1]; sub(/ +$/, "", way)
            ms = $0; sub(/.*median +/, "", ms); sub(/ ms.*/, "", ms)
            printf "%-8s  %-28s  %8.1f ms  %11.1f us\n", n, way, ms, ms * 1000 / n
            fflush()
        }'
done

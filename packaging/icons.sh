#!/usr/bin/env bash
# Renders the app's icon, assets/ostdoctor.svg, into the raster files that are committed
# beside it: the 48x48 and 256x256 PNGs (menu icon and window icon) and the Windows .ico.
# Run after changing the SVG; needs rsvg-convert (librsvg2-bin) and ImageMagick's convert.
set -euo pipefail
cd "$(dirname "$0")/.."
svg=assets/ostdoctor.svg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 48 256; do
    rsvg-convert -w "$size" -h "$size" "$svg" -o "assets/icons/ostdoctor-$size.png"
done
for size in 16 32 48 256; do
    rsvg-convert -w "$size" -h "$size" "$svg" -o "$tmp/$size.png"
done
convert "$tmp/16.png" "$tmp/32.png" "$tmp/48.png" "$tmp/256.png" packaging/windows/ostdoctor.ico

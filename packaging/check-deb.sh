#!/usr/bin/env bash
# Checks the Debian package packaging/build-deb.sh made, the way a person's machine would
# use it: the desktop entry, AppStream metadata and MIME file validate; apt installs the
# package with its dependencies; `ostdoctor` runs from PATH; a real .ost is known as our
# type, by content too; the desktop entry's Exec line opens the window on a store under
# Xvfb (a screenshot is taken and must not be blank); the package is removed again.
# Usage: packaging/check-deb.sh [STORE.ost [SCREENSHOT.png]]
set -euo pipefail
cd "$(dirname "$0")/.."

store=$(realpath "${1:-../shared/fixtures/real/outlook-com-2013.ost}")
shot=$(realpath -m "${2:-target/debian/window.png}")
tools="desktop-file-utils appstream libxml2-utils xdg-utils shared-mime-info \
libfile-mimeinfo-perl xvfb x11-utils x11-apps imagemagick"

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
apt() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }
fail() { echo "check-deb: $*" >&2; exit 1; }

missing=()
for p in $tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
    apt update -q
    apt install -y -q --no-install-recommends "${missing[@]}"
fi

debs=(target/debian/ostdoctor_*.deb)
[ -f "${debs[0]}" ] || fail "no package in target/debian: run packaging/build-deb.sh first"
deb=$(realpath "${debs[0]}")
[ -f "$store" ] || fail "no store to open at $store"

echo "== validate"
desktop-file-validate packaging/linux/org.ostdoctor.OstDoctor.desktop
appstreamcli validate --no-net packaging/linux/org.ostdoctor.OstDoctor.metainfo.xml
xmllint --noout packaging/linux/org.ostdoctor.OstDoctor.mime.xml
# The entry must name the window's app id, or desktops cannot match the window to it.
grep -q "^StartupWMClass=$(grep -o 'APP_ID: &str = "[^"]*"' src/ui/app.rs | cut -d'"' -f2)$" \
    packaging/linux/org.ostdoctor.OstDoctor.desktop || fail "StartupWMClass is not the window's app id"

echo "== install $deb"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
if dpkg-query -W ostdoctor >/dev/null 2>&1; then
    fail "ostdoctor is already installed; remove it first"
fi
apt install -y -q "$deb" || { apt update -q && apt install -y -q "$deb"; }
app_pid=""
xvfb_pid=""
scratch=$(mktemp -d)
cleanup() {
    [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$scratch"
    apt remove -y -q ostdoctor >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== run from PATH"
[ "$(command -v ostdoctor)" = /usr/bin/ostdoctor ] || fail "ostdoctor is not on PATH"
ostdoctor --version
ostdoctor info "$store" | head -5
zcat /usr/share/man/man1/ostdoctor.1.gz | grep -q 'ostdoctor' || fail "no manual page"
zcat /usr/share/man/man1/ostdoctor-export.1.gz | grep -q 'drop' || fail "no manual page for export"
grep -q export /usr/share/bash-completion/completions/ostdoctor || fail "no bash completion"

echo "== file types"
type=$(xdg-mime query filetype "$store")
echo "$store: $type"
[ "$type" = application/vnd.ms-outlook-ost ] || fail "$store is $type"
# Known by content: a copy saved without its extension keeps its type.
cp "$store" "$scratch/Outlook-copy"
type=$(xdg-mime query filetype "$scratch/Outlook-copy")
[ "$type" = application/vnd.ms-outlook-ost ] || fail "a renamed store is $type"
pst=$(dirname "$store")/enron.pst
if [ -f "$pst" ]; then
    type=$(xdg-mime query filetype "$pst")
    echo "$pst: $type"
    [ "$type" = application/vnd.ms-outlook-pst ] || fail "$pst is $type"
fi
default=$(xdg-mime query default application/vnd.ms-outlook-ost)
echo "opens with: $default"
[ "$default" = org.ostdoctor.OstDoctor.desktop ] || fail "a .ost opens with '$default'"

echo "== the desktop entry's Exec line opens the window"
exec_line=$(grep '^Exec=' /usr/share/applications/org.ostdoctor.OstDoctor.desktop | cut -d= -f2-)
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp &
xvfb_pid=$!
sleep 2
# Fresh configuration and documents folders: the check must not see or touch the caller's.
HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" DISPLAY="$display" \
    ${exec_line//%f/"$store"} >"$scratch/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 30); do
    sleep 1
    DISPLAY="$display" xwininfo -root -tree | grep -q '"OST Doctor"' && break
    kill -0 "$app_pid" 2>/dev/null || { cat "$scratch/app.log"; fail "the app exited"; }
done
DISPLAY="$display" xwininfo -root -tree | grep '"OST Doctor"' || fail "no window titled OST Doctor"
sleep 3
mkdir -p "$(dirname "$shot")"
DISPLAY="$display" xwd -root -silent | convert xwd:- "png:$shot"
colours=$(convert "$shot" -format '%k' info:)
echo "screenshot $shot: $colours colours"
[ "$colours" -gt 16 ] || fail "the screenshot is blank ($colours colours)"
kill "$app_pid"
app_pid=""

echo "== remove"
apt remove -y -q ostdoctor
hash -r
! command -v ostdoctor >/dev/null || fail "ostdoctor is still on PATH after removal"
echo "check-deb: the package installs, opens a store in its window and removes cleanly"

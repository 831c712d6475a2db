#!/usr/bin/env bash
# Builds and starts OST Doctor's window on Debian/Ubuntu. Installs, when missing, the
# libraries the window loads at run time (winit and glutin open them with dlopen, so the
# linker cannot see them); Rust itself comes from rustup (1.95 or newer). Arguments go to
# `ostdoctor` (for example a store to open: `./packaging/run-app.sh gui Outlook.ost`).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
    libegl1 libgl1 libgl1-mesa-dri libwayland-client0 libwayland-egl1)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! command -v cargo >/dev/null; then
    echo "OST Doctor builds with Rust 1.95 or newer: install it from https://rustup.rs, then run this again." >&2
    exit 1
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: the window needs a desktop session (or Xvfb with DISPLAY set)." >&2
    echo "The command line works without one: ./target/release/ostdoctor --help" >&2
fi
exec cargo run --release --quiet --bin ostdoctor -- "$@"

#!/usr/bin/env bash
# Builds and starts OST Doctor on Debian/Ubuntu. Installs, when missing, the system
# packages the app needs at run time; Rust itself comes from rustup (1.95 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
if ! command -v cargo >/dev/null; then
    echo "OST Doctor builds with Rust 1.95 or newer: install it from https://rustup.rs, then run this again." >&2
    exit 1
fi
exec cargo run --release --quiet -- "$@"

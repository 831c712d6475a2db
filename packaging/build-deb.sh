#!/usr/bin/env bash
# Builds the Debian package: target/debian/ostdoctor_VERSION_ARCH.deb. Uses the `dist`
# profile (stripped, thin LTO); installs cargo-deb from crates.io when it is missing.
# The manual pages and shell completions come from the program's own clap definitions
# (`ostdoctor package-files`), so they are generated before cargo-deb collects them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deb --version >/dev/null 2>&1; then
    cargo install --locked cargo-deb@3.8.0
fi
cargo build --locked --profile dist --bins
rm -rf target/package-files
target/dist/ostdoctor package-files target/package-files >/dev/null
cargo deb --locked --profile dist --no-build --output target/debian
ls -l target/dist/ostdoctor target/dist/ostdoctor-app target/debian/*.deb

#!/usr/bin/env bash
# Items saved out of every damaged copy of the corruption corpus (tests/check_corpus.rs) by
# `ostdoctor export`, pffexport -m all and readpst, run side by side, per damage family. The
# same test runs in CI, where it asserts we save at least what the better peer saves in every
# family; this prints the per-case lines and the table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec cargo test --release --test check_corpus -- --nocapture salvage_saves_at_least

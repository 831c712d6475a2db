#!/usr/bin/env bash
# The project's test command: installs what the tests need from Debian, then runs every test
# target. Extra arguments go to `cargo test`.
set -euo pipefail

# Debian packages the tests use: the oracles for the store reader and writer, and the IMAP
# server the mailbox statistics are tested against, and the validators and MIME database
# the packaging files are checked with. Append as needed.
TEST_DEBIAN_PACKAGES="pff-tools pst-utils python3-pypff dovecot-imapd \
desktop-file-utils appstream libxml2-utils shared-mime-info libfile-mimeinfo-perl"

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
for package in $TEST_DEBIAN_PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "Installing Debian packages for the tests: ${missing[*]}"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

exec cargo test --all-targets "$@"

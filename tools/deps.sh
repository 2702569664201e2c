#!/bin/sh
# Install the Debian packages attache needs, only those that are missing.
# Usage: tools/deps.sh [extra-package...]
# (iso-codes and wordnet-base: the sources of data/actors.tsv, which a test
# checks against tools/gen-actors.py; nothing reads them at run time.)
set -u

pkgs="build-essential pkg-config libxapian-dev xapian-tools libevent-dev \
libcjson-dev libxml2-dev libxxhash-dev libzstd-dev zlib1g-dev libmd4c-dev libunistring-dev \
libsystemd-dev libcmocka-dev clang \
libclang-rt-dev python3 iso-codes wordnet-base $*"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "attache: installing missing packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "attache: cannot install$missing: not root and no password-less sudo." >&2
        echo "attache: as root, run: apt-get install$missing" >&2
        exit 1
    fi
else
    SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/tmp/attache-apt.$$ 2>&1; then
    # The package lists may be stale or absent on a fresh machine.
    if ! $SUDO apt-get update -q >>/tmp/attache-apt.$$ 2>&1 ||
       ! $SUDO apt-get install -y -q --no-install-recommends $missing >>/tmp/attache-apt.$$ 2>&1; then
        tail -n 5 /tmp/attache-apt.$$ >&2
        echo "attache: apt-get could not install$missing (no network or no Debian mirror?)." >&2
        rm -f /tmp/attache-apt.$$
        exit 1
    fi
fi
rm -f /tmp/attache-apt.$$
echo "attache: installed$missing" >&2

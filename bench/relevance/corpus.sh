#!/bin/sh
# Assemble the evaluation corpus of the relevance set (RULES.md, section 1)
# in DEST: seed/ and sotu/ from the sample corpus (with sotu's
# attache-meta.jsonl, written by tools/sotu-meta.sh when missing), reports/
# from bench/quotes/docs, sample/ from corpus/sample and languages/ from
# tests/fixtures/languages. Files are copied; DEST is created (it must not
# exist or be empty). Then: attache-index -d IDX DEST.
#
# Usage: bench/relevance/corpus.sh DEST [SHARED]
# SHARED defaults to $ATTACHE_TEST_CORPUS, else ../shared/corpus beside the
# repository, else var/corpus. Exit status 0, or 1 with a message.
set -eu
die() { echo "corpus.sh: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: bench/relevance/corpus.sh DEST [SHARED]"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DEST=$1
SHARED=${2:-}
if [ -z "$SHARED" ]; then
    for c in "${ATTACHE_TEST_CORPUS:-}" "$REPO/../shared/corpus" "$REPO/../../shared/corpus" \
             "$REPO/var/corpus"; do
        if [ -n "$c" ] && [ -d "$c/sotu" ]; then SHARED=$c; break; fi
    done
fi
[ -n "$SHARED" ] && [ -d "$SHARED/sotu" ] || die "no sample corpus with sotu/ (give SHARED)"
[ ! -e "$DEST" ] || [ -z "$(ls -A "$DEST")" ] || die "$DEST exists and is not empty"
mkdir -p "$DEST"
cp -R "$SHARED/seed" "$SHARED/sotu" "$DEST/"
rm -f "$DEST/sotu/LICENSE"
[ -f "$DEST/sotu/attache-meta.jsonl" ] || "$REPO/tools/sotu-meta.sh" "$DEST/sotu" >/dev/null ||
    die "cannot describe the addresses"
cp -R "$REPO/bench/quotes/docs" "$DEST/reports"
cp -R "$REPO/corpus/sample" "$DEST/sample"
cp -R "$REPO/tests/fixtures/languages" "$DEST/languages"

#!/bin/sh
# Compile the search page's assets (web/) into C: writes OUT, a C file
# defining att_web_assets (daemon/web_page.h) with the bytes of each FILE,
# and att_web_version, a checksum of them all (the page asks for
# /static/NAME?v=VERSION, so a changed asset gets a new URL).
# Usage: tools/embed-assets.sh OUT FILE...   (plain sh and od: no network)
set -eu
out=$1
shift
tmp="$out.tmp"
version=$(cat "$@" | cksum | cut -d' ' -f1)
{
    echo '/* Generated from web/ by tools/embed-assets.sh: do not edit. */'
    echo '#include "web_page.h"'
    i=0
    for f in "$@"; do
        echo "static const unsigned char asset$i[] = {"
        od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
        echo '0};'
        i=$((i + 1))
    done
    echo 'const struct att_web_asset att_web_assets[] = {'
    i=0
    for f in "$@"; do
        name=${f##*/}
        case $name in
        *.css) type='text/css; charset=utf-8' ;;
        *.js) type='text/javascript; charset=utf-8' ;;
        *.html) type='text/html; charset=utf-8' ;;
        *.svg) type='image/svg+xml' ;;
        *.png) type='image/png' ;;
        *.ico) type='image/x-icon' ;;
        *) type='application/octet-stream' ;;
        esac
        echo "    {\"$name\", \"$type\", asset$i, sizeof asset$i - 1},"
        i=$((i + 1))
    done
    echo '};'
    echo "const size_t att_web_nassets = $i;"
    echo "const char att_web_version[] = \"$version\";"
} > "$tmp"
mv "$tmp" "$out"

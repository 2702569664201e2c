#!/bin/sh
# Write DIR/attache-meta.jsonl, the metadata of the State of the Union
# addresses in DIR (1862_abraham_lincoln_r.txt ...): one JSON line per
# address with its title, author, year, source, language and party, the
# president and party looked up in tools/sotu-meta.tsv by the file name.
#
# Usage: tools/sotu-meta.sh DIR
#
# Only the .txt files present get a line. A file name the table does not
# know gets its author from the name itself ("jane_q_doe_x" -> "Jane Q. Doe")
# and no party, with a warning. The file is written beside its final place
# under a hidden name and renamed over it, and left untouched (its time
# too) when its content would not change. Exit status 0, or 1 with a
# message.
set -u

die() {
    echo "attache: sotu-meta: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: tools/sotu-meta.sh DIR"
DIR=$1
TABLE=$(dirname "$0")/sotu-meta.tsv
OUT=$DIR/attache-meta.jsonl

[ -d "$DIR" ] || die "$DIR is not a folder"
[ -f "$TABLE" ] || die "$TABLE is missing"

tmp=$(mktemp "$DIR/.attache-meta.XXXXXX") || die "cannot create a temporary file in $DIR"
trap 'rm -f "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The names of the .txt files, one a line, sorted (the glob's order).
for f in "$DIR"/*.txt; do
    [ -f "$f" ] && basename "$f"
done | LC_ALL=C awk -F '\t' -v table="$TABLE" '
function esc(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    return s
}
# "john_q_adams" -> "John Q. Adams"
function from_name(s,    n, w, i, out) {
    n = split(s, w, "_")
    out = ""
    for (i = 1; i <= n; i++)
        if (w[i] != "")
            out = out (out == "" ? "" : " ") toupper(substr(w[i], 1, 1)) substr(w[i], 2) \
                (length(w[i]) == 1 ? "." : "")
    return out
}
BEGIN {
    while ((getline line < table) > 0) {
        if (line ~ /^#/ || line == "")
            continue
        split(line, c, "\t")
        who[c[1]] = c[2]
        party[c[1]] = c[3]
    }
    close(table)
}
{
    if (!match($0, /^[0-9][0-9][0-9][0-9]_[a-z0-9_]+\.txt$/))
        next
    year = substr($0, 1, 4)
    key = substr($0, 6, length($0) - 9)
    if (key in who) {
        name = who[key]
        p = party[key]
    } else {
        name = key
        sub(/_[a-z]+$/, "", name)
        name = from_name(name)
        p = ""
        printf "attache: sotu-meta: %s is not in the table: author \"%s\", no party\n",
            $0, name > "/dev/stderr"
    }
    printf "{\"file\":\"%s\",\"title\":\"State of the Union Address, %s \342\200\224 %s\"," \
        "\"author\":\"%s\",\"date\":\"%s\",\"source\":\"State of the Union\"," \
        "\"language\":\"en\"", esc($0), year, esc(name), esc(name), year
    if (p != "")
        printf ",\"party\":\"%s\"", esc(p)
    printf "}\n"
}' >"$tmp" || die "cannot write $tmp"

if cmp -s "$tmp" "$OUT"; then
    exit 0
fi
chmod 644 "$tmp" || die "cannot set the mode of $tmp"
mv -f "$tmp" "$OUT" || die "cannot write $OUT"
echo "attache: $(wc -l <"$OUT" | tr -d ' ') addresses described in $OUT"

# Process checks shared by tools/run.sh and tools/stop.sh (sourced).

# Whether process $1 exists and is not a zombie.
alive() {
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
        [ "$state" != Z ] || return 1
    fi
    return 0
}

# Whether process $1 is attached (when /proc can tell).
is_attached() {
    [ -r "/proc/$1/comm" ] || return 0
    [ "$(cat "/proc/$1/comm" 2>/dev/null)" = attached ]
}

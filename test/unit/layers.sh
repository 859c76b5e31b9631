#!/usr/bin/env bash
# The folders under src/ are layers (Makefile LAYERS, bottom first): a file
# may use its own folder and the folders before it, never one after it, and
# no two object files may use each other. Checked two ways:
#   - every #include "folder/header.h" names a folder at or below the file's;
#   - the symbols each built object file takes from another (nm) come from
#     its own layer or a lower one, and no pair of objects takes from both
#     sides (needs the objects of a build: run after make).
# Last line: "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
read -r -a layers <<<"$(sed -n 's/^LAYERS *= *//p' Makefile)"
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# Every folder is a layer, and every layer a folder.
for d in src/*/; do
    d=$(basename "$d")
    [ -n "${rank[$d]+x}" ] || fail "src/$d is not in the Makefile's LAYERS"
done
[ "$failed" -eq 0 ] && passed=$((passed + 1))

# 1. #include lines.
bad=0
for f in src/*/*.[ch]; do
    own=$(basename "$(dirname "$f")")
    while IFS= read -r inc; do
        dir=${inc%%/*}
        if [ "$dir" = "$inc" ]; then
            [ -f "src/$own/$inc" ] || [ ! -f "src/$inc" ] || { fail "$f includes \"$inc\" without its folder"; bad=1; }
            continue
        fi
        [ -n "${rank[$dir]+x}" ] || continue
        if [ "${rank[$dir]}" -gt "${rank[$own]}" ]; then
            fail "$f (layer $own) includes $inc from the higher layer $dir"
            bad=1
        fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
[ "$bad" -eq 0 ] && passed=$((passed + 1))

# 2. Symbols between object files.
objs=(src/*/*.o)
if [ ! -f "${objs[0]}" ]; then
    fail "no object files under src/: build first (make)"
else
    declare -A owner
    for o in "${objs[@]}"; do
        while read -r sym; do owner[$sym]=$o; done < <(nm --defined-only -g "$o" | awk '{print $3}')
    done
    declare -A uses
    bad=0
    for o in "${objs[@]}"; do
        own=$(basename "$(dirname "$o")")
        while read -r sym; do
            def=${owner[$sym]:-}
            [ -n "$def" ] && [ "$def" != "$o" ] || continue
            uses["$o $def"]=$sym
            dl=$(basename "$(dirname "$def")")
            if [ "${rank[$dl]}" -gt "${rank[$own]}" ]; then
                fail "$o (layer $own) uses $sym from $def (layer $dl)"
                bad=1
            fi
        done < <(nm --undefined-only "$o" | awk '{print $2}')
    done
    [ "$bad" -eq 0 ] && passed=$((passed + 1))
    bad=0
    for k in "${!uses[@]}"; do
        a=${k% *} b=${k#* }
        if [[ "$a" < "$b" ]] && [ -n "${uses["$b $a"]+x}" ]; then
            fail "$a and $b use each other (${uses[$k]}, ${uses["$b $a"]})"
            bad=1
        fi
    done
    [ "$bad" -eq 0 ] && passed=$((passed + 1))
fi
echo "layers: ${layers[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

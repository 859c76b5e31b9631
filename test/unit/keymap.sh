#!/usr/bin/env bash
# Standalone check of the key map core (src/core/keymap.c): its unit test
# built with gcc, AddressSanitizer and UBSan. Needs no server.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-I "$root/src" -std=c99 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all)
gcc "${flags[@]}" -o "$out/keymap_unit" "$root/test/unit/keymap_unit.c" "$root/src/core/keymap.c" \
    "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c"
"$out/keymap_unit"

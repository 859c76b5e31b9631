#!/usr/bin/env bash
# Standalone checks of the bank statement parsers (test/unit/bank_unit.c):
# hostile and foreign-encoded camt.053 files from test/fixtures/refused and
# test/fixtures/encodings, built with gcc, AddressSanitizer and UBSan over
# the same C cores the extension runs. Needs no server.
# Last line: "N passed, N failed".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2207
xml_cflags=($(xml2-config --cflags)) xml_libs=($(xml2-config --libs))
gcc -I "$root/src" "${xml_cflags[@]}" -std=gnu99 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Werror -g -O1 \
    -fsanitize=address,undefined -fno-sanitize-recover=all -o "$out/bank_unit" \
    "$root/test/unit/bank_unit.c" "$root/src/bank/bankfmt.c" "$root/src/bank/mt940.c" \
    "$root/src/bank/camt.c" "$root/src/bank/bai2.c" "$root/src/core/currency.c" \
    "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c" "${xml_libs[@]}"
"$out/bank_unit" "$root/test/fixtures"

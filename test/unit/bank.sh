#!/usr/bin/env bash
# Standalone checks of the bank statement parsers, over the same C cores the
# extension runs; no server needed.
#  - bank_unit.c (gcc, AddressSanitizer and UBSan): hostile and
#    foreign-encoded camt.053 files from test/fixtures/refused and
#    test/fixtures/encodings; every format's fixtures (camt.052/053/054,
#    MT940 dialects, MT942, BAI2 variants) strict and lax; bounded warnings;
#  - bank_memory.c (no sanitizers): the peak memory of one 20 MB camt.053
#    statement (bench/camt053_statement.awk) against its size.
# Last line: "N passed, N failed" (one per check printed as ok / NOT OK).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2207
xml_cflags=($(xml2-config --cflags)) xml_libs=($(xml2-config --libs))
cores=("$root/src/bank/bankfmt.c" "$root/src/bank/mt940.c" "$root/src/bank/camt.c" "$root/src/bank/bai2.c"
       "$root/src/core/currency.c" "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c")
warn=(-std=gnu99 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Werror)
set -e
gcc -I "$root/src" "${xml_cflags[@]}" "${warn[@]}" -g -O1 -fsanitize=address,undefined \
    -fno-sanitize-recover=all -o "$out/bank_unit" "$root/test/unit/bank_unit.c" "${cores[@]}" "${xml_libs[@]}"
gcc -I "$root/src" "${xml_cflags[@]}" "${warn[@]}" -O2 -o "$out/bank_memory" \
    "$root/test/unit/bank_memory.c" "${cores[@]}" "${xml_libs[@]}"
awk -v limit=$((20 * 1024 * 1024)) -f "$root/bench/camt053_statement.awk" >"$out/one.camt053"
set +e
{ "$out/bank_unit" "$root/test/fixtures"; "$out/bank_memory" "$out/one.camt053"; } >"$out/log" 2>&1
grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$out/log"
passed=$(grep -c '^ok ' "$out/log")
failed=$(grep -v -c -E '^ok |^[0-9]+ passed, [0-9]+ failed' "$out/log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

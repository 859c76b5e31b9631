#!/usr/bin/env bash
# Standalone checks of the string-similarity core: the unit test (gcc, with
# AddressSanitizer and UBSan; with and without SIMD) and a bounded libFuzzer
# run (clang-14) when clang is present. Needs no server.
#   O2C_FUZZ_SECONDS   fuzzing time (default 20)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-I "$root/src" -std=c99 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all)
gcc "${flags[@]}" -o "$out/strsim_test" "$root/test/unit/strsim_test.c" "$root/src/matching/strsim.c" "$root/src/matching/strsim_dl.c" \
    "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c" -lm
"$out/strsim_test"
# the portable Damerau-Levenshtein code that SIMD builds replace
gcc "${flags[@]}" -DO2C_DL_NO_SIMD -o "$out/strsim_test_nosimd" "$root/test/unit/strsim_test.c" \
    "$root/src/matching/strsim.c" "$root/src/matching/strsim_dl.c" "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c" -lm
"$out/strsim_test_nosimd"
if command -v clang-14 >/dev/null; then
    clang-14 -I "$root/src" -g -O1 -fsanitize=fuzzer,address,undefined -o "$out/strsim_fuzz" \
        "$root/test/fuzz/strsim_fuzz.c" "$root/src/matching/strsim.c" "$root/src/matching/strsim_dl.c" "$root/src/core/core_messages.c" \
        "$root/test/unit/core_standalone.c" -lm
    mkdir -p "$out/corpus"
    printf 'The ACME Corp., Inc.\0Acme' >"$out/corpus/a"
    printf 'Rechnung 2024/0815, INV-000123\0inv 123' >"$out/corpus/b"
    printf 'M\xc3\xbcller GmbH & Co. KG\0Mueller' >"$out/corpus/c"
    # One line when the fuzzer finds nothing; its report when it does.
    if "$out/strsim_fuzz" -max_total_time="${O2C_FUZZ_SECONDS:-20}" -max_len=512 -rss_limit_mb=512 \
        "$out/corpus" >"$out/fuzz.log" 2>&1; then
        echo "strsim_fuzz: ok ($(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 inputs in \2 s/p' "$out/fuzz.log"))"
    else
        tail -n 40 "$out/fuzz.log"
        exit 1
    fi
fi

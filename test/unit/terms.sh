#!/usr/bin/env bash
# Standalone checks of the payment terms core: the unit test (gcc, with
# AddressSanitizer and UBSan) and a bounded libFuzzer run (clang-14) when
# clang is present. Needs no server.
#   O2C_FUZZ_SECONDS   fuzzing time (default 20)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-I "$root/src" -std=c99 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all)
gcc "${flags[@]}" -o "$out/terms_unit" "$root/test/unit/terms_unit.c" "$root/src/terms/terms.c" \
    "$root/src/core/core_messages.c" "$root/test/unit/core_standalone.c"
"$out/terms_unit"
if command -v clang-14 >/dev/null; then
    clang-14 -I "$root/src" -g -O1 -fsanitize=fuzzer,address,undefined -o "$out/terms_fuzz" \
        "$root/test/fuzz/terms_fuzz.c" "$root/src/terms/terms.c" "$root/src/core/core_messages.c" \
        "$root/test/unit/core_standalone.c"
    mkdir -p "$out/corpus"
    printf 'NET 30' >"$out/corpus/a"; printf '2/10 NET 30 EOM' >"$out/corpus/b"
    printf '40%% NET 0; 60%% 15 PROX' >"$out/corpus/c"; printf 'DUE ON RECEIPT' >"$out/corpus/d"
    # One line when the fuzzer finds nothing; its report when it does.
    if "$out/terms_fuzz" -max_total_time="${O2C_FUZZ_SECONDS:-20}" -max_len=512 -rss_limit_mb=512 \
        "$out/corpus" >"$out/fuzz.log" 2>&1; then
        echo "terms_fuzz: ok ($(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 inputs in \2 s/p' "$out/fuzz.log"))"
    else
        tail -n 40 "$out/fuzz.log"
        exit 1
    fi
fi

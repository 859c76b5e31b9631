#!/usr/bin/env bash
# Bounded libFuzzer runs of the bank statement parsers (test/fuzz/fuzz_*.c;
# fuzz_camt053 reads camt.052, camt.053 and camt.054, seeded with all three)
# and of the validators (test/fuzz/validate_fuzz.c): each harness is built
# with clang-14 -fsanitize=fuzzer,address,undefined and run for
# O2C_FUZZ_SECONDS (default 20) from a seed corpus of the fixtures in
# test/fixtures (for the validators, one seed per line of
# test/fixtures/validate_seeds.txt, so that the fuzzer starts from values
# that reach the national IBAN checks). Any crash, leak, timeout or sanitizer
# report fails it.
# Last line: "N passed, N failed" (one per harness).
set -uo pipefail

O2C_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${O2C_FUZZ_SECONDS:-20}
CC=${O2C_FUZZ_CC:-clang-14}
work=$(mktemp -d /tmp/o2c-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

src="$O2C_ROOT/src"
common=("$src/bank/bankfmt.c" "$src/bank/mt940.c" "$src/bank/camt.c" "$src/bank/bai2.c" "$src/core/currency.c"
        "$src/core/core_messages.c" "$O2C_ROOT/test/unit/core_standalone.c")
# shellcheck disable=SC2207
xml_cflags=($(xml2-config --cflags)) xml_libs=($(xml2-config --libs))

passed=0 failed=0
for fmt in mt940 camt053 bai2 validate; do
    bin="$work/fuzz_$fmt" corpus="$work/corpus_$fmt"
    mkdir -p "$corpus"
    case $fmt in
        mt940) pat='*.sta' ;;
        camt053) pat='*.camt05[234]' ;;
        bai2) pat='*.bai2' ;;
        validate) pat='' ;;
    esac
    if [ "$fmt" = validate ]; then
        i=0
        while IFS= read -r line; do
            i=$((i + 1))
            printf '%s' "$line" >"$corpus/seed_$i"
        done <"$O2C_ROOT/test/fixtures/validate_seeds.txt"
        sources=("$O2C_ROOT/test/fuzz/validate_fuzz.c" "$src/quality/validate.c" "$src/quality/vat.c"
                 "$O2C_ROOT/test/unit/core_standalone.c")
    else
        find "$O2C_ROOT/test/fixtures" -name "$pat" -exec cp {} "$corpus/" \;
        sources=("$O2C_ROOT/test/fuzz/fuzz_$fmt.c" "${common[@]}")
    fi
    if ! "$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I "$src" "${xml_cflags[@]}" "${sources[@]}" \
        "${xml_libs[@]}" -o "$bin" 2>"$work/build_$fmt.log"; then
        echo "fuzz_$fmt: build FAILED"
        cat "$work/build_$fmt.log"
        failed=$((failed + 1))
        continue
    fi
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb bounds memory.
    if (cd "$work" && "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 "$corpus" >"$work/run_$fmt.log" 2>&1); then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/run_$fmt.log" | grep -oE '[0-9]+$')
        echo "fuzz_$fmt: ok (${runs:-?} inputs in ${SECS}s)"
        passed=$((passed + 1))
    else
        echo "fuzz_$fmt: FAILED"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/run_$fmt.log" | head -20
        keep=$(mktemp -d /tmp/o2c-fuzz-found.XXXXXX)
        cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$keep/" 2>/dev/null || true
        echo "fuzz_$fmt: failing inputs kept in $keep"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

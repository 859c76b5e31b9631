# Shared helpers for bench/<concern>.sh (sourced). Timing is psql's \timing
# on the server in use (PGHOST/PGPORT/PGDATABASE), medians of several runs
# after one warm-up, query output discarded.

bench_psql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# bench_median SQL [SETTINGS]: prints the median wall time in ms of SQL over
# O2C_BENCH_RUNS runs (default 5). SETTINGS (e.g. "SET jit = off;") run first.
bench_median() {
    local sql=$1 settings=${2:-} runs=${O2C_BENCH_RUNS:-5} i
    {
        printf '%s\n' "$settings"
        printf '\\o /dev/null\n'
        printf '%s;\n' "$sql"
        printf '\\timing on\n'
        for ((i = 0; i < runs; i++)); do printf '%s;\n' "$sql"; done
    } | bench_psql -f - | awk '/^Time: / { print $2 }' | sort -n |
        awk '{ t[NR] = $1 } END { if (NR == 0) exit 1;
               if (NR % 2) printf "%.1f\n", t[(NR + 1) / 2];
               else printf "%.1f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

# bench_ratio A B: A / B to two decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# bench_check NAME RATIO LIMIT: prints whether RATIO <= LIMIT.
bench_check() {
    local verdict
    verdict=$(awk -v r="$2" -v l="$3" 'BEGIN { print (r <= l) ? "met" : "NOT met" }')
    printf '  target %-58s %6s <= %-5s %s\n' "$1" "$2" "$3" "$verdict"
}

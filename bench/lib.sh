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

# bench_touch_buffers MB: has the server use MB of its shared buffers (at
# most all of them) once and free them again, as a server that has been up
# a while has used its buffers. On a server just started, the statement
# that first takes a buffer pays for the first touch of its memory: on the
# virtual machine measured, 48 us per 8 kB page (2.1 s against 0.55 s to
# insert 256 MB into buffers new or used). A statement that writes pages
# PostgreSQL does not recycle within it (a trigger's output; COPY recycles
# its own through a ring) paid for hundreds, by chance of which it was given.
bench_touch_buffers() {
    bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_touch;
CREATE UNLOGGED TABLE bench_touch (s text);
ALTER TABLE bench_touch ALTER COLUMN s SET STORAGE PLAIN;
-- Seven rows of 1,000 bytes fill a page of 8 kB.
INSERT INTO bench_touch
SELECT pg_catalog.repeat('x', 1000)
  FROM pg_catalog.generate_series(1, 7 * (LEAST($1::bigint * 1024 * 1024,
                                                pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers')))
                                          / 8192));
DROP TABLE bench_touch;
SQL
}

# bench_ratio A B: A / B to two decimals.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# bench_check NAME RATIO LIMIT: prints whether RATIO <= LIMIT.
bench_check() {
    local verdict
    verdict=$(awk -v r="$2" -v l="$3" 'BEGIN { print (r <= l) ? "met" : "NOT met" }')
    printf '  target %-58s %6s <= %-5s %s\n' "$1" "$2" "$3" "$verdict"
}

# The median of v[1..n] (sorted in place) as an awk function.
BENCH_AWK_MEDIAN='
function bench_med(v, n,    a, b, x) {
    for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (v[b] < v[a]) { x = v[a]; v[a] = v[b]; v[b] = x }
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}'

# bench_rounds SETTINGS SQL... : runs the queries in rounds (each round runs
# every query once, in order, after a first round untimed), so a change of
# load on the machine falls on all of them alike; prints a line per round of
# O2C_BENCH_RUNS (default 5), each query's time in ms, space-separated. With
# O2C_BENCH_FAULTS naming a file, and the server on this machine, also
# writes there a line per round of each query's minor page faults in the
# server's backend (from /proc): memory it took that no earlier statement
# had left it.
bench_rounds() {
    local settings=$1 runs=${O2C_BENCH_RUNS:-5} i q faults=${O2C_BENCH_FAULTS:-}
    local mark=""
    shift
    if [ -n "$faults" ]; then
        : >"$faults"
        mark="\\! awk '{ printf \"%s \", \$10 }' /proc/\$BENCH_PID/stat >> $faults 2>/dev/null"
    fi
    {
        printf '%s\n' "$settings"
        printf '\\o /dev/null\n'
        if [ -n "$faults" ]; then
            printf 'SELECT pg_catalog.pg_backend_pid() AS bench_pid \\gset\n\\setenv BENCH_PID :bench_pid\n'
        fi
        for q in "$@"; do printf '%s;\n' "$q"; done
        printf '\\timing on\n'
        for ((i = 0; i < runs; i++)); do
            for q in "$@"; do
                [ -z "$mark" ] || printf '%s\n' "$mark"
                printf '%s;\n' "$q"
            done
            [ -z "$mark" ] || printf '%s\n\\! echo >> %s\n' "$mark" "$faults"
        done
    } | bench_psql -f - | awk -v n="$#" '
        /^Time: / { printf "%s%s", $2, (++c % n) ? " " : "\n" }'
    if [ -n "$faults" ]; then
        # Counters to differences: a line of n + 1 readings gives n.
        awk '{ for (k = 2; k <= NF; k++) printf "%d%s", $k - $(k - 1), (k < NF) ? " " : "\n" }' "$faults" >"$faults.d" &&
            mv "$faults.d" "$faults"
    fi
}

# bench_medians_of ROUNDS: from bench_rounds' output, one median in ms per
# query, space-separated.
bench_medians_of() {
    awk '
        { for (k = 1; k <= NF; k++) t[k, NR] = $k; n = NF }
        END {
            for (k = 1; k <= n; k++) {
                for (j = 1; j <= NR; j++) v[j] = t[k, j]
                printf "%s%.1f", (k > 1 ? " " : ""), bench_med(v, NR)
            }
            printf "\n"
        }
        '"$BENCH_AWK_MEDIAN" <<<"$1"
}

# bench_medians SETTINGS SQL... : bench_rounds, then bench_medians_of.
bench_medians() { bench_medians_of "$(bench_rounds "$@")"; }

# bench_paired ROUNDS K BASE: from bench_rounds' output, query K's time over
# query BASE's in each round: the median of those ratios, then the lowest
# and the highest, to two decimals. A ratio taken within a round compares
# runs seconds apart; a slower minute of the machine falls on both.
bench_paired() {
    awk -v k="$2" -v b="$3" '
        { v[NR] = $k / $b }
        END {
            m = bench_med(v, NR)
            printf "%.2f %.2f %.2f\n", m, v[1], v[NR]
        }
        '"$BENCH_AWK_MEDIAN" <<<"$1"
}

#!/usr/bin/env bash
# Aging benchmark: o2c.aging against the hand-written FILTER query a user
# would write and against plain sum(amount) (the floor), over the same rows,
# ungrouped and grouped by customer, serial and parallel, in one run.
#
#   O2C_BENCH_AGING_ROWS       invoices       (default 5,000,000)
#   O2C_BENCH_AGING_CUSTOMERS  customers      (default 50,000)
#   O2C_BENCH_RUNS             timed runs per query, after one warm-up (5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rows=${O2C_BENCH_AGING_ROWS:-5000000}
customers=${O2C_BENCH_AGING_CUSTOMERS:-50000}
as_of="DATE '2024-06-30'"

bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_aging;
CREATE TABLE bench_aging (
    invoice_id  bigint PRIMARY KEY,
    customer_id text NOT NULL,
    invoice_date date NOT NULL,
    due_date    date NOT NULL,
    amount      numeric(12,2) NOT NULL
);
SELECT pg_catalog.setseed(0.3) AS seed \gset
INSERT INTO bench_aging
SELECT i,
       'CUST-' || pg_catalog.lpad((1 + (pg_catalog.random() * ($customers - 1))::int)::text, 6, '0'),
       d,
       d + (ARRAY[0, 14, 30, 30, 45, 60])[1 + (pg_catalog.random() * 5)::int],
       pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2)
         * CASE WHEN pg_catalog.random() < 0.03 THEN -1 ELSE 1 END
FROM (SELECT i, DATE '2023-07-01' + (pg_catalog.random() * 365)::int AS d
      FROM pg_catalog.generate_series(1, $rows) i) g;
VACUUM ANALYZE bench_aging;
SQL

n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_aging")
g=$(bench_psql -At -c "SELECT pg_catalog.count(DISTINCT customer_id) FROM bench_aging")
echo "aging: $n invoices, $g customers, amounts numeric(12,2), as_of $as_of"

# The check that matters more than speed: the same numbers.
bench_psql -At <<SQL
SELECT CASE WHEN a.current = h.c AND a.d1_30 = h.d1 AND a.d31_60 = h.d31 AND a.d61_90 = h.d61
             AND a.d91_plus = h.d91 AND a.total = h.t
            THEN 'aging: o2c.aging equals the hand-written query'
            ELSE 'aging: MISMATCH between o2c.aging and the hand-written query' END
FROM (SELECT (o2c.aging(amount, due_date, $as_of)).* FROM bench_aging) a,
     (SELECT sum(amount) FILTER (WHERE $as_of - due_date <= 0) c,
             sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 1 AND 30) d1,
             sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 31 AND 60) d31,
             sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 61 AND 90) d61,
             sum(amount) FILTER (WHERE $as_of - due_date > 90) d91,
             sum(amount) t
      FROM bench_aging) h;
SQL

q_sum="SELECT pg_catalog.sum(amount) FROM bench_aging"
q_hand="SELECT pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date <= 0),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 1 AND 30),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 31 AND 60),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 61 AND 90),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date > 90)
        FROM bench_aging"
q_o2c="SELECT (o2c.aging(amount, due_date, $as_of)).* FROM bench_aging"
q_gsum="SELECT customer_id, pg_catalog.sum(amount) FROM bench_aging GROUP BY customer_id"
q_ghand="SELECT customer_id,
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date <= 0),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 1 AND 30),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 31 AND 60),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date BETWEEN 61 AND 90),
               pg_catalog.sum(amount) FILTER (WHERE $as_of - due_date > 90)
        FROM bench_aging GROUP BY customer_id"
q_go2c="SELECT customer_id, (o2c.aging(amount, due_date, $as_of)).* FROM bench_aging GROUP BY customer_id"

for mode in serial parallel; do
    if [ $mode = serial ]; then
        set_mode="SET max_parallel_workers_per_gather = 0; SET jit = off;"
    else
        set_mode="SET max_parallel_workers_per_gather = 2; SET jit = off;"
    fi
    # Each group runs in interleaved rounds, so load on the machine falls on
    # the query and its baselines alike.
    read -r t_sum t_hand t_o2c < <(bench_medians "$set_mode" "$q_sum" "$q_hand" "$q_o2c")
    read -r t_gsum t_ghand t_go2c < <(bench_medians "$set_mode" "$q_gsum" "$q_ghand" "$q_go2c")
    r_hand=$(bench_ratio "$t_o2c" "$t_hand")
    r_sum=$(bench_ratio "$t_o2c" "$t_sum")
    r_gsum=$(bench_ratio "$t_go2c" "$t_gsum")
    r_ghand=$(bench_ratio "$t_go2c" "$t_ghand")
    echo "aging ($mode, $n rows, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds):"
    printf '  %-44s %10s ms\n' "sum(amount)" "$t_sum" \
        "hand-written FILTER query" "$t_hand" \
        "o2c.aging" "$t_o2c" \
        "sum(amount) GROUP BY customer ($g groups)" "$t_gsum" \
        "hand-written FILTER GROUP BY customer" "$t_ghand" \
        "o2c.aging GROUP BY customer" "$t_go2c"
    printf '  %-44s %10s\n' "o2c.aging / hand-written" "$r_hand" \
        "o2c.aging / sum(amount)" "$r_sum" \
        "grouped o2c.aging / grouped sum(amount)" "$r_gsum" \
        "grouped o2c.aging / grouped hand-written" "$r_ghand"
    bench_check "$mode: o2c.aging <= 0.6 x hand-written" "$r_hand" 0.6
    bench_check "$mode: o2c.aging <= 1.3 x sum(amount)" "$r_sum" 1.3
    bench_check "$mode: grouped o2c.aging <= 1.15 x grouped sum(amount)" "$r_gsum" 1.15
done

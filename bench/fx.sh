#!/usr/bin/env bash
# Currency conversion benchmark: o2c.convert over a column of mixed
# currencies and dates against the bare expression amount * 1.1 (the floor)
# and against the hand-written lateral lookup of the latest rate a user would
# write, over the same rows, in one run (serial plans, so the ratios compare
# per-row cost).
#
#   O2C_BENCH_FX_ROWS   amounts to convert (default 1,000,000)
#   O2C_BENCH_RUNS      timed runs per query, after one warm-up (5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rows=${O2C_BENCH_FX_ROWS:-1000000}
serial="SET max_parallel_workers_per_gather = 0; SET jit = off;"

# Daily euro rates (ECB style: one euro = rate units of quote) for nine
# currencies over five years; amounts in those and in EUR, on random dates.
bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_fx;
DELETE FROM o2c.fx_rate;
DELETE FROM o2c.settings;
SELECT pg_catalog.setseed(0.4) AS seed \gset
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate)
SELECT 'EUR', c.code, d::date,
       pg_catalog.round((c.level * (0.9 + 0.2 * pg_catalog.random()))::numeric, c.places)
FROM pg_catalog.generate_series(DATE '2021-01-01', DATE '2025-12-31', '1 day') d,
     (VALUES ('USD', 1.1, 4), ('GBP', 0.85, 4), ('JPY', 160.0, 2), ('CHF', 0.95, 4), ('SEK', 11.2, 4),
             ('NOK', 11.5, 4), ('PLN', 4.3, 4), ('KWD', 0.33, 4), ('CNY', 7.8, 4)) c(code, level, places)
WHERE pg_catalog.date_part('isodow', d) < 6;
CREATE TABLE bench_fx AS
SELECT i AS id,
       (ARRAY['EUR', 'EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'PLN', 'KWD', 'CNY'])
           [1 + (pg_catalog.random() * 10)::int] AS currency,
       DATE '2021-01-04' + (pg_catalog.random() * 1820)::int AS on_date,
       pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2) AS amount
FROM pg_catalog.generate_series(1, $rows) i;
VACUUM ANALYZE bench_fx;
VACUUM ANALYZE o2c.fx_rate;
SQL

n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_fx")
nr=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM o2c.fx_rate")
nc=$(bench_psql -At -c "SELECT pg_catalog.count(DISTINCT currency) FROM bench_fx")
echo "fx: $n amounts in $nc currencies on dates over 5 years, $nr rates in o2c.fx_rate (EUR/x, business days)"

# What a user writes without o2c: the latest EUR/x rate on or before the
# date, one index probe per row, divided and rounded to cents.
q_lateral="SELECT pg_catalog.sum(CASE WHEN b.currency = 'EUR' THEN b.amount
                                      ELSE pg_catalog.round(b.amount / r.rate, 2) END)
           FROM bench_fx b
           LEFT JOIN LATERAL (SELECT f.rate FROM o2c.fx_rate f
                              WHERE f.base = 'EUR' AND f.quote = b.currency AND f.rate_date <= b.on_date
                              ORDER BY f.rate_date DESC LIMIT 1) r ON true"
q_floor="SELECT pg_catalog.sum(amount * 1.1) FROM bench_fx"
q_conv="SELECT pg_catalog.sum(o2c.convert(amount, currency, 'EUR', on_date)) FROM bench_fx"
# Into USD: nine of the ten currencies go through EUR (two legs).
q_usd="SELECT pg_catalog.sum(o2c.convert(amount, currency, 'USD', on_date)) FROM bench_fx"

# The same numbers first (the lateral query divides at numeric's own scale,
# then rounds; convert rounds the exact quotient: equal here).
same=$(bench_psql -At -c "$serial" -c "SELECT ($q_conv) = ($q_lateral)")
if [ "$same" = t ]; then
    echo "fx: o2c.convert and the hand-written lateral lookup give the same sum"
else
    echo "fx: MISMATCH between o2c.convert and the hand-written lateral lookup" >&2
    exit 1
fi

read -r t_floor t_conv t_usd t_lateral < <(bench_medians "$serial" "$q_floor" "$q_conv" "$q_usd" "$q_lateral")
echo "fx ($n rows, serial, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds):"
printf '  %-58s %10s ms\n' "sum(amount * 1.1) (the floor)" "$t_floor" \
    "o2c.convert(amount, currency, 'EUR', on_date)" "$t_conv" \
    "o2c.convert(amount, currency, 'USD', on_date) (via EUR)" "$t_usd" \
    "hand-written LATERAL latest-rate lookup" "$t_lateral"
printf '  %-58s %10s\n' "o2c.convert / floor" "$(bench_ratio "$t_conv" "$t_floor")" \
    "o2c.convert / hand-written lateral lookup" "$(bench_ratio "$t_conv" "$t_lateral")" \
    "o2c.convert via EUR / floor" "$(bench_ratio "$t_usd" "$t_floor")"
bench_check "o2c.convert, $n rows, in seconds (well under 1)" "$(awk -v t="$t_conv" 'BEGIN { printf "%.2f", t / 1000 }')" 0.5
bench_check "o2c.convert <= 2 x the floor" "$(bench_ratio "$t_conv" "$t_floor")" 2
bench_check "o2c.convert <= 0.5 x hand-written lateral lookup" "$(bench_ratio "$t_conv" "$t_lateral")" 0.5

bench_psql -c "DROP TABLE bench_fx" -c "DELETE FROM o2c.fx_rate"

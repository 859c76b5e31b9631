#!/usr/bin/env bash
# bench/terms.sh — o2c.due_date with and without a business calendar against
# the bare expression invoice_date + 30 and against the PL/pgSQL a user would
# write for the same calendar rule; payment_schedule throughput.
#
#   O2C_BENCH_TERMS_ROWS       invoices (default 5,000,000)
#   O2C_BENCH_TERMS_SCHED_ROWS invoices for payment_schedule (default 1,000,000)
#   O2C_BENCH_RUNS             timed runs per query (default 5), median kept
#
# Serial plans (no parallel workers), so the ratios compare per-row cost.
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

rows=${O2C_BENCH_TERMS_ROWS:-5000000}
sched_rows=${O2C_BENCH_TERMS_SCHED_ROWS:-1000000}
# PL/pgSQL is timed over a tenth of the rows (once) and scaled up: a full
# run would take minutes on a shared machine.
plpgsql_rows=$(( rows / 10 > 0 ? rows / 10 : 1 ))
serial="SET max_parallel_workers_per_gather = 0;"

bench_psql -v rows="$rows" -v sched_rows="$sched_rows" -v plpgsql_rows="$plpgsql_rows" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_terms_inv, bench_terms_sample, bench_terms_sched;
DELETE FROM o2c.calendar WHERE name = 'bench';
-- 2 weekend days and 200 holidays spread over the invoice years.
INSERT INTO o2c.calendar VALUES ('bench', '{6,7}', 'following');
INSERT INTO o2c.holiday (calendar, day, name)
SELECT 'bench', DATE '2019-01-07' + (i * 13), 'holiday ' || i
FROM generate_series(0, 199) i;

CREATE TABLE bench_terms_inv AS
SELECT DATE '2019-01-01' + ((i * 7919) % 2400)::integer AS invoice_date,
       (ARRAY[30, 30, 45, 60])[1 + (i % 4)::integer] AS days,
       ('NET ' || (ARRAY[30, 30, 45, 60])[1 + (i % 4)::integer])::o2c.terms AS terms
FROM generate_series(1::bigint, :rows) i;
CREATE TABLE bench_terms_sample AS SELECT * FROM bench_terms_inv LIMIT :plpgsql_rows;
CREATE TABLE bench_terms_sched AS
SELECT DATE '2019-01-01' + ((i * 7919) % 2400)::integer AS invoice_date,
       round((i * 7907 % 10000000) / 100.0 + 1, 2) AS amount,
       '30% 2/10 NET 10; 30% NET 30; 40% NET 60 EOM'::o2c.terms AS terms
FROM generate_series(1::bigint, :sched_rows) i;
VACUUM ANALYZE bench_terms_inv;
VACUUM ANALYZE bench_terms_sample;
VACUUM ANALYZE bench_terms_sched;

-- What a user would write for "due = invoice date + days, moved to the
-- next business day of the calendar".
CREATE OR REPLACE FUNCTION bench_due_plpgsql(inv date, days integer, cal text)
RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE
    d date := inv + days;
    wk smallint[];
BEGIN
    SELECT c.weekend INTO wk FROM o2c.calendar c WHERE c.name = cal;
    WHILE extract(isodow FROM d)::smallint = ANY (wk)
          OR EXISTS (SELECT 1 FROM o2c.holiday h WHERE h.calendar = cal AND h.day = d) LOOP
        d := d + 1;
    END LOOP;
    RETURN d;
END
$$;
SQL

check=$(bench_psql -At -c "SELECT count(*) FROM bench_terms_sample
    WHERE o2c.due_date(terms, invoice_date, 'bench') <> bench_due_plpgsql(invoice_date, days, 'bench')")
if [ "$check" != 0 ]; then
    echo "bench/terms: o2c.due_date and the PL/pgSQL disagree on $check rows" >&2
    exit 1
fi

bare=$(bench_median "SELECT max(invoice_date + 30) FROM bench_terms_inv" "$serial")
plain=$(bench_median "SELECT max(o2c.due_date(terms, invoice_date)) FROM bench_terms_inv" "$serial")
cal=$(bench_median "SELECT max(o2c.due_date(terms, invoice_date, 'bench')) FROM bench_terms_inv" "$serial")
plpgsql_part=$(O2C_BENCH_RUNS=1 bench_median \
    "SELECT max(bench_due_plpgsql(invoice_date, days, 'bench')) FROM bench_terms_sample" "$serial")
plpgsql=$(awk -v t="$plpgsql_part" -v r="$rows" -v s="$plpgsql_rows" 'BEGIN { printf "%.1f", t * r / s }')
sched=$(bench_median "SELECT count(*), sum(s.amount) FROM bench_terms_sched i,
    o2c.payment_schedule(i.amount, i.invoice_date, i.terms) s" "$serial")

echo "terms: $rows invoices (payment_schedule: $sched_rows invoices x 3 installments); serial plans"
printf '  %-58s %10s ms\n' "bare invoice_date + 30" "$bare"
printf '  %-58s %10s ms\n' "o2c.due_date(terms, invoice_date)" "$plain"
printf '  %-58s %10s ms\n' "o2c.due_date(terms, invoice_date, calendar)" "$cal"
printf '  %-58s %10s ms\n' "PL/pgSQL calendar rule ($plpgsql_rows rows, 1 run, scaled)" "$plpgsql"
printf '  %-58s %10s ms\n' "payment_schedule" "$sched"
awk -v n="$sched_rows" -v t="$sched" 'BEGIN {
    printf "  payment_schedule: %.0f invoices/s, %.0f rows/s\n", n / (t / 1000), 3 * n / (t / 1000) }'
bench_check "due_date(terms, date) / bare expression" "$(bench_ratio "$plain" "$bare")" 3
bench_check "due_date(terms, date, calendar) / bare expression" "$(bench_ratio "$cal" "$bare")" 5
bench_check "due_date(terms, date) / PL/pgSQL (<= 0.05 is >= 20x faster)" "$(bench_ratio "$plain" "$plpgsql")" 0.05
bench_check "due_date(terms, date, calendar) / PL/pgSQL (>= 20x faster)" "$(bench_ratio "$cal" "$plpgsql")" 0.05

bench_psql -c "DROP TABLE bench_terms_inv, bench_terms_sample, bench_terms_sched" \
    -c "DROP FUNCTION bench_due_plpgsql(date, integer, text)" \
    -c "DELETE FROM o2c.calendar WHERE name = 'bench'"

#!/usr/bin/env bash
# bench/forecast.sh — how well o2c.cash_forecast predicts the weekly cash
# coming in, on the IBM receivables sample (../shared/data/ibm-ar/ar.csv,
# read where it is): at each month end of 2013 (the cut-off), the invoices
# open then are forecast for the next 13 weeks from the history known then,
# and each week's forecast is compared with what those invoices actually
# brought in that week. Printed: the mean absolute error of the weekly
# totals of o2c's expected inflow, of the naive forecast (every invoice paid
# on its due date, or the first day when already overdue) and of the
# customer's average delay (due date + the customer's mean days late, or
# everyone's), with the numbers of invoices and weeks. Goal: o2c at least
# 30 % below naive.
#
#   O2C_BENCH_FORECAST_CSV    the IBM sample (default /work/shared/data/ibm-ar/ar.csv)
#   O2C_BENCH_FORECAST_WEEKS  weeks forecast from each cut-off (default 13)
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

csv=${O2C_BENCH_FORECAST_CSV:-/work/shared/data/ibm-ar/ar.csv}
weeks=${O2C_BENCH_FORECAST_WEEKS:-13}
if [ ! -r "$csv" ]; then
    echo "forecast: $csv not found: accuracy check skipped"
    exit 0
fi
bench_psql -q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS o2c'
bench_psql <<SQL
SET client_min_messages = warning;
SET datestyle = 'ISO, MDY';
DROP TABLE IF EXISTS bench_fc_raw CASCADE;
CREATE TABLE bench_fc_raw (
    country_code text, customer_id text, paperless_date date, invoice_number text,
    invoice_date date, due_date date, invoice_amount numeric, disputed text,
    settled_date date, paperless_bill text, days_to_settle int, days_late int);
\copy bench_fc_raw FROM '$csv' WITH (FORMAT csv, HEADER true)
SQL

# A late-payment model per cut-off, trained on what was known then, for the
# forecast with options.risk_model.
for m in 01 02 03 04 05 06 07 08 09; do
    c=$(date -d "2013-$m-01 +1 month -1 day" +%F)
    bench_psql -q -c "SET client_min_messages = warning" -c "CALL o2c.train_risk_model('bench_fc_$m',
        'SELECT invoice_number AS invoice_id, customer_id, invoice_date, due_date, invoice_amount AS amount,
                CASE WHEN settled_date <= ''$c'' THEN settled_date END AS paid_on, disputed = ''Yes'' AS disputed
           FROM bench_fc_raw WHERE invoice_date <= ''$c''', '$c')"
done

echo "== forecast: IBM sample, cut-off at each month end of 2013, $weeks weeks ahead"
out=$(bench_psql -At -F ' ' <<SQL
WITH cutoff AS (
    SELECT (m + interval '1 month' - interval '1 day')::date AS c
      FROM pg_catalog.generate_series(DATE '2013-01-01', DATE '2013-09-01', interval '1 month') m),
-- the invoices open at each cut-off, and when they were actually paid
open_at AS (
    SELECT k.c, r.invoice_number AS invoice_id, r.customer_id, r.due_date, r.invoice_amount AS amount,
           r.settled_date
      FROM cutoff k JOIN bench_fc_raw r ON r.invoice_date <= k.c AND r.settled_date > k.c),
wk AS (
    SELECT k.c, k.c + 1 + 7 * w AS ws FROM cutoff k, pg_catalog.generate_series(0, $weeks - 1) w),
actual AS (
    SELECT wk.c, wk.ws, coalesce(pg_catalog.sum(o.amount), 0) AS amount
      FROM wk LEFT JOIN open_at o ON o.c = wk.c AND o.settled_date >= wk.ws AND o.settled_date < wk.ws + 7
     GROUP BY wk.c, wk.ws),
naive AS (
    SELECT wk.c, wk.ws, coalesce(pg_catalog.sum(o.amount), 0) AS amount
      FROM wk LEFT JOIN open_at o ON o.c = wk.c AND GREATEST(o.due_date, wk.c + 1) >= wk.ws
                                   AND GREATEST(o.due_date, wk.c + 1) < wk.ws + 7
     GROUP BY wk.c, wk.ws),
-- the customer's mean days late over what it paid by the cut-off (everyone's without)
delays AS (
    SELECT k.c, r.customer_id, pg_catalog.avg(r.settled_date - r.due_date) AS d
      FROM cutoff k JOIN bench_fc_raw r ON r.settled_date <= k.c
     GROUP BY GROUPING SETS ((k.c, r.customer_id), (k.c))),
average AS (
    SELECT wk.c, wk.ws, coalesce(pg_catalog.sum(o.amount), 0) AS amount
      FROM wk LEFT JOIN (
          SELECT o.*, GREATEST(o.due_date + pg_catalog.round(coalesce(
                     (SELECT d.d FROM delays d WHERE d.c = o.c AND d.customer_id = o.customer_id),
                     (SELECT d.d FROM delays d WHERE d.c = o.c AND d.customer_id IS NULL)))::int, o.c + 1) AS paid
            FROM open_at o) o ON o.c = wk.c AND o.paid >= wk.ws AND o.paid < wk.ws + 7
     GROUP BY wk.c, wk.ws),
o2c AS (
    SELECT k.c, f.week_start AS ws, f.expected AS amount
      FROM cutoff k,
           LATERAL o2c.cash_forecast(
               pg_catalog.format('SELECT invoice_number AS invoice_id, customer_id, due_date, invoice_amount AS open_amount,
                                         ''USD'' AS currency
                                    FROM bench_fc_raw WHERE invoice_date <= %L AND settled_date > %L', k.c, k.c),
               pg_catalog.format('SELECT invoice_number AS invoice_id, customer_id, invoice_date, due_date,
                                         invoice_amount AS amount,
                                         CASE WHEN settled_date <= %L THEN settled_date END AS paid_on
                                    FROM bench_fc_raw WHERE invoice_date <= %L', k.c, k.c),
               k.c + 1, $weeks) f),
o2c_risk AS (
    SELECT k.c, f.week_start AS ws, f.expected AS amount
      FROM cutoff k,
           LATERAL o2c.cash_forecast(
               pg_catalog.format('SELECT invoice_number AS invoice_id, customer_id, invoice_date, due_date,
                                         invoice_amount AS open_amount, invoice_amount AS amount,
                                         disputed = ''Yes'' AS disputed, ''USD'' AS currency
                                    FROM bench_fc_raw WHERE invoice_date <= %L AND settled_date > %L', k.c, k.c),
               pg_catalog.format('SELECT invoice_number AS invoice_id, customer_id, invoice_date, due_date,
                                         invoice_amount AS amount,
                                         CASE WHEN settled_date <= %L THEN settled_date END AS paid_on,
                                         disputed = ''Yes'' AS disputed
                                    FROM bench_fc_raw WHERE invoice_date <= %L', k.c, k.c),
               k.c + 1, $weeks,
               pg_catalog.jsonb_build_object('risk_model', 'bench_fc_' || pg_catalog.to_char(k.c, 'MM'))) f)
SELECT 'invoices_forecast', (SELECT pg_catalog.count(*) FROM open_at)
UNION ALL SELECT 'weeks', (SELECT pg_catalog.count(*) FROM actual)
UNION ALL SELECT 'actual_mean', pg_catalog.round((SELECT pg_catalog.avg(amount) FROM actual), 2)
UNION ALL SELECT 'mae_naive', pg_catalog.round(pg_catalog.avg(pg_catalog.abs(n.amount - a.amount)), 2)
            FROM actual a JOIN naive n USING (c, ws)
UNION ALL SELECT 'mae_average', pg_catalog.round(pg_catalog.avg(pg_catalog.abs(v.amount - a.amount)), 2)
            FROM actual a JOIN average v USING (c, ws)
UNION ALL SELECT 'mae_o2c', pg_catalog.round(pg_catalog.avg(pg_catalog.abs(coalesce(o.amount, 0) - a.amount)), 2)
            FROM actual a LEFT JOIN o2c o USING (c, ws)
UNION ALL SELECT 'mae_o2c_risk', pg_catalog.round(pg_catalog.avg(pg_catalog.abs(coalesce(o.amount, 0) - a.amount)), 2)
            FROM actual a LEFT JOIN o2c_risk o USING (c, ws);
SQL
)
val() { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
echo "  $(val invoices_forecast) open invoices over 9 cut-offs, $(val weeks) weeks; actual inflow $(val actual_mean) per week on average"
printf '  %-52s %10s\n' "mean absolute weekly error, naive (due dates)" "$(val mae_naive)" \
    "mean absolute weekly error, customer's average delay" "$(val mae_average)" \
    "mean absolute weekly error, o2c.cash_forecast expected" "$(val mae_o2c)" \
    "the same with options.risk_model (a model per cut-off)" "$(val mae_o2c_risk)"
printf '  %-52s %10s\n' "o2c / customer's average delay" "$(bench_ratio "$(val mae_o2c)" "$(val mae_average)")"
printf '  %-52s %10s\n' "o2c with risk model / without" "$(bench_ratio "$(val mae_o2c_risk)" "$(val mae_o2c)")"
bench_check "weekly error, o2c / naive" "$(bench_ratio "$(val mae_o2c)" "$(val mae_naive)")" 0.7
bench_check "weekly error, o2c with risk model / naive" "$(bench_ratio "$(val mae_o2c_risk)" "$(val mae_naive)")" 0.7

#!/usr/bin/env bash
# Late-payment risk benchmark.
#
# 1. Quality, when ../shared/data/ibm-ar/ar.csv (the IBM receivables sample)
#    is present: train as of 2012-12-31, score each 2013 month's invoices as
#    of that month's first day, print the ROC AUC (with and without the
#    dispute flag). Skipped with a message when the file is absent.
# 2. Speed, on a generated book: train on O2C_BENCH_RISK_ROWS historical
#    invoices, score O2C_BENCH_RISK_OPEN open ones, against reading the same
#    rows with count(*) (the floor) in the same run; the AUC of the scores
#    against the generated outcomes.
#
#   O2C_BENCH_RISK_ROWS       historical invoices   (default 1,000,000)
#   O2C_BENCH_RISK_OPEN       open invoices scored  (default 100,000)
#   O2C_BENCH_RISK_CUSTOMERS  customers             (default 20,000)
#   O2C_BENCH_RISK_CSV        the IBM sample        (default /work/shared/data/ibm-ar/ar.csv)
#   O2C_BENCH_RUNS            timed runs per query, after one warm-up (default 3 here)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rows=${O2C_BENCH_RISK_ROWS:-1000000}
open=${O2C_BENCH_RISK_OPEN:-100000}
customers=${O2C_BENCH_RISK_CUSTOMERS:-20000}
csv=${O2C_BENCH_RISK_CSV:-/work/shared/data/ibm-ar/ar.csv}
export O2C_BENCH_RUNS=${O2C_BENCH_RUNS:-3}

# ROC AUC of (probability, late) rows, ties sharing their mean rank.
auc_sql() {
    cat <<SQL
WITH s AS ($1),
r AS (SELECT y, pg_catalog.rank() OVER (ORDER BY p)
                + (pg_catalog.count(*) OVER (PARTITION BY p) - 1) / 2.0 AS mr FROM s)
SELECT pg_catalog.round((pg_catalog.sum(mr) FILTER (WHERE y)
        - pg_catalog.count(*) FILTER (WHERE y) * (pg_catalog.count(*) FILTER (WHERE y) + 1) / 2.0)
       / (pg_catalog.count(*) FILTER (WHERE y) * pg_catalog.count(*) FILTER (WHERE NOT y)), 4)
FROM r
SQL
}

bench_psql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS o2c'

# --- 1. The IBM sample -------------------------------------------------------
if [ -r "$csv" ]; then
    bench_psql <<SQL
SET client_min_messages = warning;
SET datestyle = 'ISO, MDY';
DROP TABLE IF EXISTS bench_ibm_raw CASCADE;
CREATE TABLE bench_ibm_raw (
    country_code text, customer_id text, paperless_date date, invoice_number text,
    invoice_date date, due_date date, invoice_amount numeric, disputed text,
    settled_date date, paperless_bill text, days_to_settle int, days_late int);
\copy bench_ibm_raw FROM '$csv' WITH (FORMAT csv, HEADER true)
CREATE VIEW bench_ibm AS
SELECT invoice_number AS invoice_id, customer_id, invoice_date, due_date,
       invoice_amount AS amount, settled_date AS paid_on, disputed = 'Yes' AS disputed
FROM bench_ibm_raw;
CREATE VIEW bench_ibm_nodispute AS
SELECT invoice_id, customer_id, invoice_date, due_date, amount, paid_on FROM bench_ibm;
CALL o2c.train_risk_model('bench_ibm', 'SELECT * FROM bench_ibm', '2012-12-31');
CALL o2c.train_risk_model('bench_ibm_nodispute', 'SELECT * FROM bench_ibm_nodispute', '2012-12-31');
SQL
    for variant in bench_ibm bench_ibm_nodispute; do
        auc=$(bench_psql -At -c "$(auc_sql "
            SELECT s.probability AS p, i.paid_on - i.due_date > 0 AS y
            FROM pg_catalog.generate_series(DATE '2013-01-01', DATE '2013-12-01', interval '1 month') m,
                 LATERAL o2c.risk_score('$variant', 'SELECT * FROM $variant',
                     pg_catalog.format('SELECT * FROM $variant WHERE invoice_date >= %L AND invoice_date < %L',
                                       m::date, (m + interval '1 month')::date), m::date) s
                 JOIN bench_ibm i USING (invoice_id)")")
        n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_ibm WHERE invoice_date >= '2013-01-01'")
        h=$(bench_psql -At -c "SELECT rows || ' training rows, holdout AUC ' || pg_catalog.round(holdout_auc::numeric, 4)
                               || ', log loss ' || pg_catalog.round(holdout_log_loss::numeric, 4)
                               FROM o2c.risk_model WHERE name = '$variant'")
        echo "risk: ibm-ar $variant: $h; 2013 scored month by month ($n invoices): ROC AUC $auc"
        if [ $variant = bench_ibm ]; then
            ibm_auc=$auc
        fi
    done
else
    echo "risk: $csv not found: IBM sample quality check skipped"
fi

# --- 2. A generated book -----------------------------------------------------
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_risk, bench_risk_open, bench_risk_cust;
SELECT pg_catalog.setseed(0.42) AS seed \gset
-- Each customer has a habit: a chance of paying late and how late.
CREATE TABLE bench_risk_cust AS
SELECT c, 'CUST-' || pg_catalog.lpad(c::text, 6, '0') AS customer_id,
       pg_catalog.power(pg_catalog.random(), 2) AS p_late,
       5 + (pg_catalog.random() * 30)::int AS typical_late,
       50 + pg_catalog.random() * 5000 AS typical_amount
FROM pg_catalog.generate_series(1, $customers) c;
CREATE TABLE bench_risk (
    invoice_id   bigint, customer_id text, invoice_date date, due_date date,
    amount numeric(12,2), paid_on date, disputed boolean);
INSERT INTO bench_risk
SELECT i, k.customer_id, d, d + 30, a, d + 30 + CASE WHEN late THEN 1 + (pg_catalog.random() * k.typical_late * 2)::int
                                                 ELSE -(pg_catalog.random() * 10)::int END,
       dis
FROM (SELECT i, 1 + (i::bigint * 7919) % $customers AS c,
             DATE '2021-01-01' + (pg_catalog.random() * 1094)::int AS d,
             pg_catalog.random() < 0.05 AS dis
      FROM pg_catalog.generate_series(1, $rows) i) g
JOIN bench_risk_cust k USING (c),
LATERAL (SELECT pg_catalog.round((k.typical_amount * (0.5 + pg_catalog.random()))::numeric, 2) AS a,
                pg_catalog.random() < LEAST(1, k.p_late + CASE WHEN g.dis THEN 0.4 ELSE 0 END) AS late) x;
-- Invoices still open at 2024-01-01 do not know their payment yet.
UPDATE bench_risk SET paid_on = NULL WHERE paid_on > '2024-01-01';
-- Open invoices to score, with the outcome the generator drew for them.
CREATE TABLE bench_risk_open AS
SELECT $rows + i AS invoice_id, k.customer_id, d AS invoice_date, d + 30 AS due_date,
       pg_catalog.round((k.typical_amount * (0.5 + pg_catalog.random()))::numeric, 2) AS amount,
       dis AS disputed,
       pg_catalog.random() < LEAST(1, k.p_late + CASE WHEN dis THEN 0.4 ELSE 0 END) AS outcome_late
FROM (SELECT i, 1 + (i::bigint * 104729) % $customers AS c,
             DATE '2024-01-01' + (pg_catalog.random() * 30)::int AS d,
             pg_catalog.random() < 0.05 AS dis
      FROM pg_catalog.generate_series(1, $open) i) g
JOIN bench_risk_cust k USING (c);
VACUUM ANALYZE bench_risk;
VACUUM ANALYZE bench_risk_open;
SQL

n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_risk")
o=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_risk_open")
g=$(bench_psql -At -c "SELECT pg_catalog.count(DISTINCT customer_id) FROM bench_risk")
echo "risk: generated book: $n historical invoices, $g customers; $o open invoices to score"

# The floor: reading every column of every row once.
q_read="SELECT pg_catalog.count(invoice_id), pg_catalog.count(customer_id), pg_catalog.count(invoice_date),
               pg_catalog.count(due_date), pg_catalog.count(amount), pg_catalog.count(paid_on),
               pg_catalog.count(disputed) FROM bench_risk"
# What a user would write for part of the history in plain SQL.
q_hist_sql="SELECT customer_id, pg_catalog.count(*),
                   pg_catalog.count(*) FILTER (WHERE paid_on <= DATE '2023-12-31'),
                   o2c.avg_days_late(amount, due_date, paid_on) FILTER (WHERE paid_on <= DATE '2023-12-31'),
                   pg_catalog.sum(amount) FILTER (WHERE paid_on IS NULL OR paid_on > DATE '2023-12-31')
            FROM bench_risk WHERE invoice_date <= DATE '2023-12-31' GROUP BY customer_id"
q_hist="SELECT pg_catalog.count(*) FROM o2c.customer_history('SELECT * FROM bench_risk', '2023-12-31')"
q_train="CALL o2c.train_risk_model('bench_gen', 'SELECT * FROM bench_risk', '2023-12-31')"
q_read_open="SELECT (SELECT pg_catalog.count(invoice_id) + pg_catalog.count(customer_id) + pg_catalog.count(invoice_date)
                          + pg_catalog.count(due_date) + pg_catalog.count(amount) + pg_catalog.count(paid_on)
                          + pg_catalog.count(disputed) FROM bench_risk)
                  + (SELECT pg_catalog.count(invoice_id) + pg_catalog.count(customer_id) + pg_catalog.count(invoice_date)
                          + pg_catalog.count(due_date) + pg_catalog.count(amount) + pg_catalog.count(disputed)
                     FROM bench_risk_open)"
q_score="SELECT pg_catalog.count(*) FROM o2c.risk_score('bench_gen', 'SELECT * FROM bench_risk',
             'SELECT * FROM bench_risk_open', '2024-01-01')"

t_read=$(bench_median "$q_read")
t_hist_sql=$(bench_median "$q_hist_sql")
t_hist=$(bench_median "$q_hist")
t_train=$(bench_median "$q_train")
t_read_open=$(bench_median "$q_read_open")
t_score=$(bench_median "$q_score")
printf '  %-58s %10s ms\n' "read $n history rows (every column)" "$t_read"
printf '  %-58s %10s ms  x%s\n' "plain SQL GROUP BY customer (5 of the history columns)" "$t_hist_sql" "$(bench_ratio "$t_hist_sql" "$t_read")"
printf '  %-58s %10s ms  x%s\n' "customer_history on $n invoices" "$t_hist" "$(bench_ratio "$t_hist" "$t_read")"
printf '  %-58s %10s ms  x%s\n' "train_risk_model on $n invoices" "$t_train" "$(bench_ratio "$t_train" "$t_read")"
printf '  %-58s %10s ms\n' "read history + $o open rows (every column)" "$t_read_open"
printf '  %-58s %10s ms  x%s\n' "risk_score of $o open invoices" "$t_score" "$(bench_ratio "$t_score" "$t_read_open")"

gauc=$(bench_psql -At -c "$(auc_sql "
    SELECT s.probability AS p, b.outcome_late AS y
    FROM o2c.risk_score('bench_gen', 'SELECT * FROM bench_risk', 'SELECT * FROM bench_risk_open', '2024-01-01') s
    JOIN bench_risk_open b ON b.invoice_id::text = s.invoice_id")")
h=$(bench_psql -At -c "SELECT rows || ' training rows, ' || late_rows || ' late, holdout AUC '
                       || pg_catalog.round(holdout_auc::numeric, 4) FROM o2c.risk_model WHERE name = 'bench_gen'")
echo "risk: generated book: $h; open invoices against their drawn outcome: ROC AUC $gauc"

bench_check "customer_history / plain SQL GROUP BY" "$(bench_ratio "$t_hist" "$t_hist_sql")" 3
bench_check "train_risk_model, $n invoices (seconds)" "$(awk -v t="$t_train" 'BEGIN { printf "%.2f", t / 1000 }')" 60
bench_check "risk_score, $o open invoices (seconds)" "$(awk -v t="$t_score" 'BEGIN { printf "%.2f", t / 1000 }')" 10
if [ -n "${ibm_auc:-}" ]; then
    bench_check "ibm-ar 2013 ROC AUC >= 0.90 (as 1 - AUC)" "$(awk -v a="$ibm_auc" 'BEGIN { printf "%.4f", 1 - a }')" 0.10
fi

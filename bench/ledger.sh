#!/usr/bin/env bash
# Ledger benchmark, in one run over the same generated book:
#   - o2c.aging_history over 24 month-ends (one pass) against the loop a
#     user would otherwise write, o2c.open_items + o2c.aging at each of the
#     24 dates (issue 20's goal: at least 10 times faster);
#   - o2c.open_items as of one date against the hand-written SQL (sum of the
#     settlements up to the date grouped by invoice, joined to the invoices,
#     in open_items' order).
# The results are checked equal before anything is timed.
#
#   O2C_BENCH_LEDGER_INVOICES   invoices and credit notes  (default 300,000)
#   O2C_BENCH_LEDGER_CUSTOMERS  customers                  (default 20,000)
#   O2C_BENCH_RUNS              timed runs per query, after one warm-up (5)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

invoices=${O2C_BENCH_LEDGER_INVOICES:-300000}
customers=${O2C_BENCH_LEDGER_CUSTOMERS:-20000}

# Two years of invoices, 3% credit notes, 30 to 60 days terms, two
# currencies; 90% paid (a quarter in two parts, some with a discount), 1%
# over-paid, the rest open.
bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_led_inv, bench_led_stl;
CREATE TABLE bench_led_inv (
    invoice_id   text PRIMARY KEY,
    customer_id  text NOT NULL,
    invoice_date date NOT NULL,
    due_date     date NOT NULL,
    amount       numeric(12,2) NOT NULL,
    currency     text NOT NULL,
    kind         text NOT NULL
);
SELECT pg_catalog.setseed(0.2) AS seed \gset
INSERT INTO bench_led_inv
SELECT 'INV-' || i,
       'CUST-' || pg_catalog.lpad((1 + (pg_catalog.random() * ($customers - 1))::int)::text, 6, '0'),
       d,
       d + (ARRAY[30, 30, 45, 60])[1 + (pg_catalog.random() * 3)::int],
       pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2),
       CASE WHEN pg_catalog.random() < 0.2 THEN 'USD' ELSE 'EUR' END,
       CASE WHEN pg_catalog.random() < 0.03 THEN 'credit_note' ELSE 'invoice' END
FROM (SELECT i, DATE '2023-01-01' + (pg_catalog.random() * 730)::int AS d
      FROM pg_catalog.generate_series(1, $invoices) i) g;
CREATE TABLE bench_led_stl (invoice_id text NOT NULL, settled_on date NOT NULL,
                            amount numeric(12,2) NOT NULL, kind text NOT NULL, currency text);
INSERT INTO bench_led_stl
SELECT x.invoice_id, s.settled_on, s.amount, s.kind, x.currency
FROM (SELECT i.invoice_id, i.currency, i.due_date + (pg_catalog.random() * 40)::int - 15 AS paid_on,
             CASE WHEN i.kind = 'credit_note' THEN -i.amount ELSE i.amount END AS a,
             pg_catalog.random() AS r
      FROM bench_led_inv i) x,
     LATERAL (VALUES
        (CASE WHEN r < 0.25 THEN pg_catalog.round(a / 2, 2) WHEN r < 0.3 THEN pg_catalog.round(a * 0.98, 2)
              WHEN r < 0.31 THEN a + 10 ELSE a END, 'payment', paid_on),
        (CASE WHEN r < 0.25 THEN a - pg_catalog.round(a / 2, 2) WHEN r < 0.3 THEN a - pg_catalog.round(a * 0.98, 2) END,
         CASE WHEN r < 0.25 THEN 'payment' ELSE 'discount' END, paid_on + 20)
     ) s(amount, kind, settled_on)
WHERE r < 0.9 AND s.amount IS NOT NULL;
VACUUM ANALYZE bench_led_inv, bench_led_stl;
SQL

n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_led_inv")
s=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_led_stl")
g=$(bench_psql -At -c "SELECT pg_catalog.count(DISTINCT customer_id) FROM bench_led_inv")
inv="'SELECT * FROM bench_led_inv'"
stl="'SELECT * FROM bench_led_stl'"
as_of="DATE '2024-06-30'"
ends="(SELECT (DATE '2023-02-01' + k * interval '1 month' - interval '1 day')::date AS d
        FROM pg_catalog.generate_series(0, 23) k) e"

q_hist="SELECT * FROM o2c.aging_history($inv, $stl, '2023-01-31', '2024-12-31', '1 month')"
# aging_history's columns: o2c.aging's but undated and disputed (none here).
q_loop="SELECT d, customer_id, currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus,
               (a).total, (a).overdue, (a).items, (a).avg_days_past_due
          FROM (SELECT e.d, o.customer_id, o.currency, o2c.aging(o.open_amount, o.due_date, e.d) AS a
                  FROM $ends, LATERAL o2c.open_items($inv, $stl, e.d) o
                 GROUP BY e.d, o.customer_id, o.currency) s"
q_open="SELECT * FROM o2c.open_items($inv, $stl, $as_of)"
q_hand="SELECT i.invoice_id, i.customer_id, i.currency, i.invoice_date, i.due_date, a.amount,
               COALESCE(s.settled, 0) AS settled, a.amount - COALESCE(s.settled, 0) AS open_amount,
               s.last_settled_on
          FROM bench_led_inv i
          CROSS JOIN LATERAL (SELECT CASE WHEN i.kind = 'credit_note' THEN -i.amount ELSE i.amount END AS amount) a
          LEFT JOIN (SELECT invoice_id, pg_catalog.sum(amount) AS settled, pg_catalog.max(settled_on) AS last_settled_on
                       FROM bench_led_stl WHERE settled_on <= $as_of GROUP BY invoice_id) s USING (invoice_id)
         WHERE i.invoice_date <= $as_of AND a.amount - COALESCE(s.settled, 0) <> 0
         ORDER BY i.customer_id COLLATE \"C\", i.currency COLLATE \"C\", i.due_date, i.invoice_id COLLATE \"C\""

rows_hist=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM ($q_hist) h")
rows_open=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM ($q_open) o")
echo "ledger: $n invoices and credit notes, $s settlements, $g customers; aging_history 24 month-ends: $rows_hist rows; open items as of $as_of: $rows_open"

# The check that matters more than speed: the same rows.
bench_psql -At <<SQL
SET jit = off;
SELECT CASE WHEN NOT EXISTS (($q_hist) EXCEPT ($q_loop)) AND NOT EXISTS (($q_loop) EXCEPT ($q_hist))
            THEN 'ledger: aging_history equals the loop of open_items + o2c.aging'
            ELSE 'ledger: MISMATCH between aging_history and the loop of open_items + o2c.aging' END;
SELECT CASE WHEN NOT EXISTS (($q_open) EXCEPT ($q_hand)) AND NOT EXISTS (($q_hand) EXCEPT ($q_open))
            THEN 'ledger: open_items equals the hand-written SQL'
            ELSE 'ledger: MISMATCH between open_items and the hand-written SQL' END;
SQL

set_mode="SET max_parallel_workers_per_gather = 0; SET jit = off;"
# count(x.*) reads every column of every row: with count(*) the planner
# drops the loop's o2c.aging altogether (its output is unused), and the loop
# would be timed without its aging.
read -r t_hist t_loop < <(bench_medians "$set_mode" "SELECT pg_catalog.count(h.*) FROM ($q_hist) h" \
                                                    "SELECT pg_catalog.count(l.*) FROM ($q_loop) l")
read -r t_open t_hand < <(bench_medians "$set_mode" "SELECT pg_catalog.count(o.*) FROM ($q_open) o" \
                                                    "SELECT pg_catalog.count(h.*) FROM ($q_hand) h")
r_loop=$(bench_ratio "$t_loop" "$t_hist")
r_hist=$(bench_ratio "$t_hist" "$t_loop")
r_open=$(bench_ratio "$t_open" "$t_hand")
echo "ledger (serial, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds):"
printf '  %-52s %10s ms\n' "aging_history, 24 month-ends" "$t_hist" \
    "24 x (open_items + o2c.aging)" "$t_loop" \
    "open_items as of one date" "$t_open" \
    "hand-written SQL (GROUP BY settlements + join)" "$t_hand"
printf '  %-52s %10s\n' "loop / aging_history (times faster)" "$r_loop" \
    "open_items / hand-written SQL" "$r_open"
bench_check "aging_history <= 0.1 x the loop of 24 open_items + aging" "$r_hist" 0.1
bench_check "open_items <= 1.0 x hand-written SQL" "$r_open" 1.0

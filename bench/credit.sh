#!/usr/bin/env bash
# bench/credit.sh — order_guard's statement form on COPY against the same
# COPY into a table with no trigger, measured in the same run.
#
#   O2C_BENCH_ORDERS            orders per COPY       (default 1000000)
#   O2C_BENCH_CREDIT_CUSTOMERS  customers             (default 10000)
#   O2C_BENCH_RUNS              timed runs per COPY   (default 5)
#
# Each COPY starts from an empty orders table (TRUNCATE), with one open
# invoice and one manual limit per customer, and the orders source reading
# the guarded table itself (held orders left out), as a user's orders
# source reads their orders table. Two guarded tables: every customer
# within its limit (the usual case: one pass over the transition table),
# and 1 % of the customers with a low limit (a second pass over their
# orders, holds recorded and marked by one UPDATE). A third timing COPYs
# into the first table while the orders source also reads the second one's
# open orders (as many as the COPY's) of other customers (no index on customer_id): the
# cost of the user's own query over a larger book, beside the goal's
# like-for-like figure.
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

ORDERS=${O2C_BENCH_ORDERS:-1000000}
CUSTOMERS=${O2C_BENCH_CREDIT_CUSTOMERS:-10000}
CSV=/tmp/o2c_bench_orders_$$.csv
CSV_HOLD=/tmp/o2c_bench_orders_hold_$$.csv
trap 'rm -f "$CSV" "$CSV_HOLD"' EXIT

echo "== COPY of $ORDERS orders of $CUSTOMERS customers into a table guarded by order_guard"
bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_ord_plain, bench_ord_guard, bench_ord_hold, bench_ord_capture, bench_credit_inv;
DROP FUNCTION IF EXISTS bench_ord_nothing();
CREATE TABLE bench_ord_plain (order_id bigint PRIMARY KEY, customer_id text NOT NULL,
                              amount numeric(12,2) NOT NULL, currency text NOT NULL,
                              on_hold boolean NOT NULL DEFAULT false);
CREATE TABLE bench_ord_guard (LIKE bench_ord_plain INCLUDING ALL);
CREATE TABLE bench_ord_hold (LIKE bench_ord_plain INCLUDING ALL);
CREATE TRIGGER guard AFTER INSERT ON bench_ord_guard REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
CREATE TRIGGER guard AFTER INSERT ON bench_ord_hold REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
-- PostgreSQL's capture of the transition table alone: an empty statement
-- trigger with one.
CREATE FUNCTION bench_ord_nothing() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE TABLE bench_ord_capture (LIKE bench_ord_plain INCLUDING ALL);
CREATE TRIGGER capture AFTER INSERT ON bench_ord_capture REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bench_ord_nothing();
CREATE TABLE bench_credit_inv AS
SELECT 'INV-' || c AS invoice_id, p || c AS customer_id, 'EUR' AS currency,
       1000.00::numeric(12,2) AS open_amount, current_date + 20 AS due_date
FROM generate_series(0, $CUSTOMERS - 1) c, unnest('{C,X}'::text[]) p;
ANALYZE bench_credit_inv;
DELETE FROM o2c.credit_source;
DELETE FROM o2c.credit_limit WHERE customer_id ~ '^[CX][0-9]+\$';
INSERT INTO o2c.credit_source (source, query) VALUES
    ('receivables', 'SELECT customer_id, currency, open_amount, due_date FROM bench_credit_inv'),
    ('orders', 'SELECT order_id, customer_id, currency, amount FROM bench_ord_guard WHERE NOT on_hold');
-- C customers: room for all their orders; X customers: 1 % of them with
-- room for about half.
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from)
SELECT 'C' || c, 'EUR', 10000000, '2020-01-01' FROM generate_series(0, $CUSTOMERS - 1) c;
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from)
SELECT 'X' || c, 'EUR', CASE WHEN c % 100 = 0 THEN 1000 + 250 * $ORDERS / $CUSTOMERS ELSE 10000000 END, '2020-01-01'
FROM generate_series(0, $CUSTOMERS - 1) c;
COPY (SELECT i, 'C' || (i % $CUSTOMERS), (10 + i % 991)::numeric(12,2), 'EUR' FROM generate_series(1, $ORDERS) i) TO '$CSV';
COPY (SELECT i, 'X' || (i % $CUSTOMERS), (10 + i % 991)::numeric(12,2), 'EUR' FROM generate_series(1, $ORDERS) i) TO '$CSV_HOLD';
SQL

# copy_sql TABLE FILE [SQL]: a timed block, SQL run before the COPY. Only
# the run with holds clears o2c.credit_hold (the holds its previous run
# left): with the deletion in every block, the no-trigger one (the first
# after it) timed the deletion of those thousands of rows in the baseline.
copy_sql() { echo "DO \$d\$ BEGIN TRUNCATE $1; ${3:-} EXECUTE 'COPY $1 (order_id, customer_id, amount, currency) FROM ''$2'''; END \$d\$"; }
# source_sql TABLE...: the orders source set to read those guarded tables
# (one row updated, inside the timed block: well under a millisecond).
source_sql() {
    local q="" t
    for t in "$@"; do
        q="$q${q:+ UNION ALL }SELECT order_id, customer_id, currency, amount FROM $t WHERE NOT on_hold"
    done
    echo "UPDATE o2c.credit_source SET query = '$q' WHERE source = 'orders';"
}
# The transition table PostgreSQL fills for any such trigger stays in
# memory up to work_mem and costs more there than spilled to a file: the
# server's work_mem and PostgreSQL's default (4MB) are both timed.
wm=$(bench_psql -At -c "SHOW work_mem")
for w in "$wm" 4MB; do
# The last block leaves the first guarded table as the others do; the
# second table keeps its orders from the block before.
read -r t_plain t_capture t_guard t_hold t_beside < <(bench_medians "SET work_mem = '$w';" \
    "$(copy_sql bench_ord_plain "$CSV")" "$(copy_sql bench_ord_capture "$CSV")" \
    "$(copy_sql bench_ord_guard "$CSV" "$(source_sql bench_ord_guard)")" \
    "$(copy_sql bench_ord_hold "$CSV_HOLD" "DELETE FROM o2c.credit_hold; $(source_sql bench_ord_hold)")" \
    "$(copy_sql bench_ord_guard "$CSV" "$(source_sql bench_ord_guard bench_ord_hold)")")
echo "  work_mem $w:"
bench_psql -c "SELECT t, rows, held, holds FROM (VALUES
    ('no trigger', (SELECT count(*) FROM bench_ord_plain), (SELECT count(*) FROM bench_ord_plain WHERE on_hold), NULL::bigint),
    ('order_guard, all within limits', (SELECT count(*) FROM bench_ord_guard), (SELECT count(*) FROM bench_ord_guard WHERE on_hold),
     (SELECT count(*) FROM o2c.credit_hold WHERE source = 'public.bench_ord_guard')),
    ('order_guard, 1 % of customers over', (SELECT count(*) FROM bench_ord_hold), (SELECT count(*) FROM bench_ord_hold WHERE on_hold),
     (SELECT count(*) FROM o2c.credit_hold WHERE source = 'public.bench_ord_hold'))) v(t, rows, held, holds)"
printf '  %-52s %10s ms\n' "COPY, no trigger (primary key only)" "$t_plain" \
    "COPY, an empty trigger with a transition table" "$t_capture" \
    "COPY, order_guard statement form, all within limits" "$t_guard" \
    "COPY, order_guard statement form, 1 % of customers over" "$t_hold" \
    "COPY, order_guard, all within, beside $ORDERS orders" "$t_beside"
printf '  %-52s %10s\n' "per row, all within limits (us)" "$(awk -v a="$t_guard" -v b="$t_plain" -v n="$ORDERS" 'BEGIN { printf "%.2f", (a - b) * 1000 / n }')"
printf '  %-58s %6s\n' "the empty trigger (PostgreSQL's capture alone) / no trigger" "$(bench_ratio "$t_capture" "$t_plain")"
bench_check "COPY, statement-form order_guard / no trigger (work_mem $w)" "$(bench_ratio "$t_guard" "$t_plain")" 1.3
printf '  %-58s %6s\n' "ratio, 1 % of customers over / no trigger" "$(bench_ratio "$t_hold" "$t_plain")" \
    "ratio, beside $ORDERS other open orders / no trigger" "$(bench_ratio "$t_beside" "$t_plain")"
done

# The same COPYs timed by the backend's own CPU time (user + system, from
# /proc when the server runs on this machine): on a loaded machine wall
# times swing by a third between runs, CPU time far less. At both work_mem
# settings, as above; the empty trigger's capture alone beside them.
CPUF=/tmp/o2c_bench_cpu_$$
for w in "$wm" 4MB; do
if bench_psql -Atc "SELECT pg_backend_pid()" >/dev/null && [ -r /proc/self/stat ]; then
    {
        echo "SET work_mem = '$w';"
        echo "SELECT pg_backend_pid() AS pid \\gset"
        echo "\\setenv PID :pid"
        echo "\\o /dev/null"
        for ((r = 0; r < ${O2C_BENCH_RUNS:-5}; r++)); do
            for v in "plain $CSV" "capture $CSV" "guard $CSV" "hold $CSV_HOLD"; do
                set -- $v
                echo "TRUNCATE bench_ord_$1; DELETE FROM o2c.credit_hold;"
                case $1 in guard | hold) source_sql "bench_ord_$1" ;; esac
                echo "\\! [ -r /proc/\$PID/stat ] && awk '{ printf \"$1 %d \", \$14 + \$15 }' /proc/\$PID/stat >> $CPUF"
                echo "COPY bench_ord_$1 (order_id, customer_id, amount, currency) FROM '$2';"
                echo "\\! [ -r /proc/\$PID/stat ] && awk '{ printf \"%d\\n\", \$14 + \$15 }' /proc/\$PID/stat >> $CPUF"
            done
        done
    } | bench_psql -f - >/dev/null
    if [ -s "$CPUF" ]; then
        read -r c_plain c_capture c_guard c_hold < <(awk '{ d[$1] = d[$1] " " ($3 - $2) * 10 }
            END { split("plain capture guard hold", n, " ");
                  for (i = 1; i <= 4; i++) { m = split(d[n[i]], v, " ");
                      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (v[b] < v[a]) { x = v[a]; v[a] = v[b]; v[b] = x }
                      printf "%s%.0f", (i > 1 ? " " : ""), (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
                  printf "\n" }' "$CPUF")
        echo "  work_mem $w:"
        printf '  %-52s %10s ms\n' "backend CPU, COPY, no trigger" "$c_plain" \
            "backend CPU, COPY, an empty transition-table trigger" "$c_capture" \
            "backend CPU, COPY, order_guard, all within limits" "$c_guard" \
            "backend CPU, COPY, order_guard, 1 % of customers over" "$c_hold"
        printf '  %-58s %6s\n' "backend CPU, the empty trigger / no trigger" "$(bench_ratio "$c_capture" "$c_plain")"
        bench_check "backend CPU, statement-form order_guard / no trigger (work_mem $w)" "$(bench_ratio "$c_guard" "$c_plain")" 1.3
    fi
    rm -f "$CPUF"
fi
done
# Orders entered one at a time, as an order desk does: 300 single-row
# INSERTs into a table guarded by the row form, against the same into a
# table without a trigger, beside the COPY's orders (the sources' tables
# indexed on customer_id, as README advises).
bench_psql <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_ord_row, bench_ord_row0;
DROP SEQUENCE IF EXISTS bench_ord_seq;
CREATE SEQUENCE bench_ord_seq START 2000000000;
CREATE TABLE bench_ord_row (LIKE bench_ord_plain INCLUDING ALL);
CREATE TABLE bench_ord_row0 (LIKE bench_ord_plain INCLUDING ALL);
CREATE INDEX ON bench_ord_row (customer_id);
CREATE INDEX ON bench_credit_inv (customer_id);
INSERT INTO bench_ord_row SELECT * FROM bench_ord_guard;
CREATE TRIGGER guard BEFORE INSERT ON bench_ord_row FOR EACH ROW EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
ANALYZE bench_ord_row, bench_credit_inv;
$(source_sql bench_ord_row)
SQL
one_order() {  # one_order TABLE: a DO block of 300 single-row orders of 300 customers
    echo "DO \$\$ BEGIN FOR k IN 1..300 LOOP INSERT INTO $1 (order_id, customer_id, amount, currency) VALUES (nextval('bench_ord_seq'), 'C' || (k * 7919) % $CUSTOMERS, 10.00, 'EUR'); END LOOP; END \$\$"
}
nrow=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_ord_row")
echo "single-row orders into a table of $nrow orders (300 a block, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds):"
read -r t0 t1 < <(bench_medians "SET jit = off;" "$(one_order bench_ord_row0)" "$(one_order bench_ord_row)")
printf '  %-58s %10s ms %10s ms %6s x\n' "no trigger, row-form order_guard, ratio" "$t0" "$t1" "$(bench_ratio "$t1" "$t0")"
printf '  %-58s %10s\n' "per order checked (ms)" "$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f", (a - b) / 300 }')"
bench_psql -c 'DROP TABLE bench_ord_row, bench_ord_row0' -c 'DROP SEQUENCE bench_ord_seq' >/dev/null
bench_psql -c 'DROP TABLE bench_ord_plain, bench_ord_guard, bench_ord_hold, bench_ord_capture, bench_credit_inv' \
    -c 'DROP FUNCTION bench_ord_nothing()' \
    -c 'DELETE FROM o2c.credit_source' -c 'DELETE FROM o2c.credit_hold' \
    -c "DELETE FROM o2c.credit_limit WHERE customer_id ~ '^[CX][0-9]+\$'"

#!/usr/bin/env bash
# o2c over postgres_fdw: invoices hash-partitioned by customer over two shard
# databases reached through loopback foreign servers (OPTIONS (extensions
# 'o2c')), on the server the test command started (PGHOST/PGPORT). Checks
# that aging grouped by the partition key is pushed to the shards whole
# (EXPLAIN's Remote SQL names o2c.aging), that every other grouping and the
# whole table give what the same rows give in a local table, and that
# match_payments, quality_scan and a job read the partitioned table.
# Ends with "N passed, N failed".
set -uo pipefail
db=o2c_fdw
passed=0 failed=0
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
ok() { echo "ok - $1"; passed=$((passed + 1)); }
notok() { echo "not ok - $1"; shift; printf '#   %s\n' "$@"; failed=$((failed + 1)); }
# same NAME QUERY: QUERY over the partitioned table and over the local copy
# (the word invoices replaced by invoices_local) return the same rows.
same() {
    local name=$1 sql=$2 a b
    a=$(q -c "$sql" 2>&1)
    b=$(q -c "${sql//invoices/invoices_local}" 2>&1)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "$name"; else notok "$name" "sharded: ${a:0:300}" "local:   ${b:0:300}"; fi
}

for d in $db ${db}_s0 ${db}_s1; do
    psql -X -q -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $d" -c "CREATE DATABASE $d" || exit 1
done
cols="invoice_id text NOT NULL, customer_id text NOT NULL, customer_name text, invoice_date date,
      due_date date, amount numeric(12,2), open_amount numeric(12,2), currency text, reference text"
for s in 0 1; do
    psql -X -q -v ON_ERROR_STOP=1 -d ${db}_s$s -c 'CREATE EXTENSION o2c' -c "CREATE TABLE invoices ($cols)" || exit 1
done
q <<SQL || exit 1
SET client_min_messages = warning;
CREATE EXTENSION o2c;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard0 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$PGHOST', port '$PGPORT', dbname '${db}_s0', extensions 'o2c');
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$PGHOST', port '$PGPORT', dbname '${db}_s1', extensions 'o2c');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard0;
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1;
CREATE TABLE invoices ($cols) PARTITION BY HASH (customer_id);
CREATE FOREIGN TABLE invoices_0 PARTITION OF invoices FOR VALUES WITH (MODULUS 2, REMAINDER 0)
    SERVER shard0 OPTIONS (table_name 'invoices');
CREATE FOREIGN TABLE invoices_1 PARTITION OF invoices FOR VALUES WITH (MODULUS 2, REMAINDER 1)
    SERVER shard1 OPTIONS (table_name 'invoices');
CREATE TABLE invoices_local ($cols);
INSERT INTO invoices_local
SELECT 'INV-' || g, 'C' || (g % 97), 'Customer ' || (g % 97) || ' Ltd',
       DATE '2024-01-01' + (g % 300), DATE '2024-01-31' + (g % 300),
       (10 + (g * 37) % 5000)::numeric / 4, CASE WHEN g % 3 = 0 THEN 0 ELSE (10 + (g * 37) % 5000)::numeric / 4 END,
       CASE WHEN g % 11 = 0 THEN 'USD' ELSE 'EUR' END, 'INV-' || g
FROM pg_catalog.generate_series(1, 20000) g;
INSERT INTO invoices SELECT * FROM invoices_local;
ANALYZE invoices_local;
CREATE TABLE payments_local AS
SELECT 'P-' || invoice_id AS payment_id, due_date AS received_on, open_amount AS amount, currency,
       customer_name AS payer_name, 'paying ' || reference AS reference
FROM invoices_local WHERE open_amount > 0 AND invoice_id LIKE 'INV-1%' AND length(invoice_id) = 7;
SQL
for s in 0 1; do psql -X -q -d ${db}_s$s -c 'ANALYZE invoices'; done

n=$(q -c 'SELECT pg_catalog.count(*) FROM invoices_0') m=$(q -c 'SELECT pg_catalog.count(*) FROM invoices_1')
if [ "$n" -gt 0 ] && [ "$m" -gt 0 ] && [ $((n + m)) -eq 20000 ]; then ok "rows on both shards ($n + $m)"
else notok "rows on both shards" "$n + $m"; fi

agg="(o2c.aging(open_amount, due_date, DATE '2024-06-30')).*"
plan=$(q -c 'SET enable_partitionwise_aggregate = on' \
         -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, $agg FROM invoices GROUP BY customer_id")
if [ "$(grep -c 'Remote SQL: SELECT customer_id, o2c.aging(' <<<"$plan")" -eq 2 ]; then
    ok "aging grouped by the partition key runs on each shard (Remote SQL names o2c.aging)"
else notok "aging grouped by the partition key runs on each shard" "$plan"; fi

same "aging grouped by customer" \
    "SET enable_partitionwise_aggregate = on; SELECT customer_id, $agg FROM invoices GROUP BY 1 ORDER BY 1"
same "aging of the whole table" "SELECT $agg FROM invoices"
same "aging grouped by currency (not the partition key)" \
    "SELECT currency, $agg FROM invoices GROUP BY 1 ORDER BY 1"
same "aging ladder grouped by month" \
    "SELECT date_trunc('month', due_date), (o2c.aging(open_amount, due_date, DATE '2024-06-30', '{0,15,45,120}')).* FROM invoices GROUP BY 1 ORDER BY 1"
same "avg_days_late by customer" \
    "SET enable_partitionwise_aggregate = on; SELECT customer_id, o2c.avg_days_late(amount, due_date, due_date + 3) FROM invoices GROUP BY 1 ORDER BY 1"
same "match_payments reading the partitioned table" \
    "SELECT payment_id, invoice_id, applied_amount, rule, auto FROM o2c.match_payments('SELECT * FROM payments_local', 'SELECT * FROM invoices WHERE open_amount > 0') ORDER BY 1, 2"
same "quality_scan reading the partitioned table" \
    "SELECT invoice_id, rule, detail FROM o2c.quality_scan('SELECT * FROM invoices', '{\"as_of\": \"2024-06-30\"}') ORDER BY 1, 2"

if q -c "CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM invoices', DATE '2024-06-30', NULL, 'sharded')" \
     -c "CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM invoices_local', DATE '2024-06-30', NULL, 'local')" >/dev/null 2>&1; then
    d=$(q -c "SELECT pg_catalog.count(*) FROM (
                (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total FROM o2c.aging_snapshot WHERE ledger = 'sharded'
                 EXCEPT SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total FROM o2c.aging_snapshot WHERE ledger = 'local')
                UNION ALL
                (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total FROM o2c.aging_snapshot WHERE ledger = 'local'
                 EXCEPT SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total FROM o2c.aging_snapshot WHERE ledger = 'sharded')) x")
    k=$(q -c "SELECT pg_catalog.count(*) FROM o2c.aging_snapshot WHERE ledger = 'sharded'")
    if [ "$d" = 0 ] && [ "$k" -gt 0 ]; then ok "snapshot_aging over the partitioned table ($k rows, same as local)"
    else notok "snapshot_aging over the partitioned table" "differing rows: $d, rows: $k"; fi
else
    notok "snapshot_aging over the partitioned table" "$(q -c "CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM invoices', DATE '2024-06-30', NULL, 'sharded')" 2>&1)"
fi

for d in $db ${db}_s0 ${db}_s1; do
    psql -X -q -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $d" >/dev/null
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

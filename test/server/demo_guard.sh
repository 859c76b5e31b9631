#!/usr/bin/env bash
# The demo's guarded invoice tables take every kind of write (issue 13: an
# UPDATE of demo_q_invoice failed with XX000 because the table has a column
# after the last one the row-form invoice_guard reads). Runs scripts/demo.sql
# in a database of its own on the server the test command started
# (PGHOST/PGPORT), then writes to its tables; ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
db=o2c_demo_guard
passed=0 failed=0
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
check() {  # check NAME EXPECTED SQL...
    local name=$1 want=$2 have
    shift 2
    if have=$(q "$@" 2>&1) && [ "$have" = "$want" ]; then
        echo "ok - $name"; passed=$((passed + 1))
    else
        echo "not ok - $name"; echo "#   have: $have"; echo "#   want: $want"; failed=$((failed + 1))
    fi
}

psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
if ! q -f "$root/scripts/demo.sql" >/dev/null 2>&1; then
    echo "not ok - the demo runs"; echo "0 passed, 1 failed"; exit 1
fi
rows="SELECT pg_catalog.md5(pg_catalog.string_agg(i::text, ' ' ORDER BY doc_no)) FROM demo_q_invoice i"
before=$(q -c "$rows")
n=$(q -c 'SELECT pg_catalog.count(*) FROM demo_q_invoice')
check "UPDATE demo_q_invoice SET open = open" "UPDATE $n" -c '\set QUIET off' -c 'UPDATE demo_q_invoice SET open = open'
check "and every row is as it was" "$before" -c "$rows"
check "UPDATE of the column after the mapped ones" "PO 5001 (corrected)" \
    -c "UPDATE demo_q_invoice SET ref = ref || ' (corrected)' WHERE doc_no = 'INV-90001'" \
    -c "SELECT ref FROM demo_q_invoice WHERE doc_no = 'INV-90001'"
check "UPDATE that normalizes an IBAN" "DE89370400440532013000|PO 5002" \
    -c "UPDATE demo_q_invoice SET payer_iban = 'de89 3704 0044 0532 0130 00' WHERE doc_no = 'INV-90002'" \
    -c "SELECT payer_iban, ref FROM demo_q_invoice WHERE doc_no = 'INV-90002'"
check "INSERT ... ON CONFLICT DO UPDATE" "K-100|PO 5003 (again)" \
    -c "INSERT INTO demo_q_invoice VALUES ('INV-90003', 'K-100', '2024-03-06', '2024-04-05', 410.00, 410.00, 'EUR', NULL, 'PO 5003 (again)')
        ON CONFLICT (doc_no) DO UPDATE SET customer = EXCLUDED.customer, open = EXCLUDED.open, ref = EXCLUDED.ref" \
    -c "SELECT customer, ref FROM demo_q_invoice WHERE doc_no = 'INV-90003'"
check "MERGE" "0.00|PO 5004|1" \
    -c "MERGE INTO demo_q_invoice t USING (VALUES ('INV-90004'), ('INV-90007')) s (doc_no) ON t.doc_no = s.doc_no
        WHEN MATCHED THEN UPDATE SET open = 0
        WHEN NOT MATCHED THEN INSERT VALUES (s.doc_no, 'K-104', '2024-03-09', '2024-04-08', 50, 50, 'EUR', NULL, 'PO 5007')" \
    -c "SELECT open, ref, (SELECT pg_catalog.count(*) FROM demo_q_invoice WHERE doc_no = 'INV-90007') FROM demo_q_invoice WHERE doc_no = 'INV-90004'"
n=$(q -c 'SELECT pg_catalog.count(*) FROM demo_q_ledger')
check "UPDATE of the statement-form table" "UPDATE $n" -c '\set QUIET off' -c 'UPDATE demo_q_ledger SET open = open'
psql -X -q -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Dump and restore of a live ledger: tracked invoices and settlements, a
# rolled summary, pending deltas. pg_dump restores the triggers after the
# data, so the restored o2c.ledger_* rows are the dumped ones (not written a
# second time by the triggers): each copy (custom format restored serially
# and with -j 4, plain format through psql) must hold the same rows, answer
# o2c.live_aging as the brute force does, and keep doing so after more
# writes (a new chunk of pending deltas among them). The scenario runs once
# per layout of the tracked tables (O2C_LIVE_LAYOUTS, default "plain
# partitioned"): plain tables, then invoices range-partitioned by their id
# and settlements hash-partitioned by the invoice they name (each row
# restored into the partition it was dumped from; updates before and after
# the dump move rows between partitions). Needs the server named by
# PGHOST/PGPORT and O2C_PGBIN for pg_dump/pg_restore. Ends "N passed, N
# failed".
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
layouts=${O2C_LIVE_LAYOUTS:-plain partitioned}
work=$(mktemp -d)
chmod 755 "$work"
src=o2c_live_dump_src
targets=(o2c_live_dump_c o2c_live_dump_j4 o2c_live_dump_p)
passed=0 failed=0

psqlq() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $layout: $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $layout: $*"; }
cleanup() {
    for db in "$src" "${targets[@]}"; do
        psqlq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap cleanup EXIT

# The tracked tables of each layout; everything after them is shared.
tables() {
    case $1 in
        plain) cat <<'SQL' ;;
CREATE TABLE inv (invoice_id text PRIMARY KEY, customer_id text, due_date date, amount numeric(12,2), currency text);
CREATE TABLE pay (id serial PRIMARY KEY, invoice_id text, amount numeric(12,2));
SQL
        partitioned)
            cat <<'SQL'
-- The invoices' unique index must hold the partition key: partitioned by the id.
CREATE TABLE inv (invoice_id text PRIMARY KEY, customer_id text, due_date date, amount numeric(12,2), currency text)
    PARTITION BY RANGE (invoice_id);
CREATE TABLE inv_i PARTITION OF inv FOR VALUES FROM (MINVALUE) TO ('J');
CREATE TABLE inv_j PARTITION OF inv FOR VALUES FROM ('J') TO ('K');
CREATE TABLE inv_k PARTITION OF inv FOR VALUES FROM ('K') TO (MAXVALUE);
-- The settlements' unique key (needed to check UPDATE capture) holds their partition key.
CREATE TABLE pay (id serial, invoice_id text NOT NULL, amount numeric(12,2), PRIMARY KEY (id, invoice_id))
    PARTITION BY HASH (invoice_id);
SQL
            for k in 0 1 2; do
                echo "CREATE TABLE pay_$k PARTITION OF pay FOR VALUES WITH (MODULUS 3, REMAINDER $k);"
            done ;;
        *) echo "unknown layout: $1" >&2; return 1 ;;
    esac
}

# The source database of one layout: its tables, then the shared triggers,
# ledger and writes.
setup() {
    echo 'SET client_min_messages = warning;'
    echo 'CREATE EXTENSION o2c;'
    tables "$1"
    cat <<'SQL'
CREATE INDEX pay_invoice ON pay (invoice_id);
-- The four triggers on each table, as users attach them.
SELECT FROM o2c.ledger_attach('default', 'inv', 'pay');
SELECT o2c.ledger_rebuild('default', DATE '2025-06-01');
INSERT INTO inv SELECT 'I' || g, 'C' || (g % 17), DATE '2025-03-01' + g % 120, round((g * 7.31)::numeric, 2),
                       (ARRAY['EUR', 'USD'])[1 + g % 2]
                  FROM generate_series(1, 400) g;
INSERT INTO pay (invoice_id, amount) SELECT 'I' || g, round((g * 3.1)::numeric, 2) FROM generate_series(1, 400, 3) g;
CALL o2c.ledger_roll('default', DATE '2025-06-03');
-- Pending deltas and settled changes after the roll.
INSERT INTO inv SELECT 'J' || g, 'C' || (g % 5), DATE '2025-05-20' + g, 100, 'EUR' FROM generate_series(1, 50) g;
DELETE FROM pay WHERE id % 7 = 0;
UPDATE inv SET amount = amount + 1 WHERE invoice_id LIKE 'I1%';
-- Settlements moved to other invoices, and invoices renumbered (J to K):
-- rows moved to other partitions when partitioned.
UPDATE pay SET invoice_id = 'J' || (id % 40 + 1) WHERE id % 10 = 1;
UPDATE inv SET invoice_id = 'K' || invoice_id WHERE invoice_id IN ('J41', 'J42', 'J43');
CREATE FUNCTION brute_diff(as_of date) RETURNS bigint LANGUAGE sql AS $$
    WITH o AS (SELECT i.customer_id AS c, i.currency AS k, i.due_date AS d,
                      i.amount - COALESCE((SELECT sum(p.amount) FROM pay p WHERE p.invoice_id = i.invoice_id), 0) AS open
                 FROM inv i),
         b AS (SELECT c, k, COALESCE(sum(open) FILTER (WHERE as_of - d <= 0), 0) AS cur,
                      COALESCE(sum(open) FILTER (WHERE as_of - d > 90), 0) AS old, sum(open) AS total, count(*) AS items
                 FROM o WHERE open <> 0 GROUP BY c, k),
         l AS (SELECT customer_id AS c, currency AS k, current AS cur, d91_plus AS old, total, items
                 FROM o2c.live_aging(as_of))
    SELECT count(*) FROM ((TABLE b EXCEPT TABLE l) UNION ALL (TABLE l EXCEPT TABLE b)) d
$$;
SQL
}

fingerprint() {
    psqlq -At -d "$1" <<'SQL'
SELECT 'state ' || string_agg(ledger || ' ' || as_of, ',') FROM o2c.ledger_state;
SELECT 'balance ' || count(*) || ' ' || md5(string_agg(b::text, ',' ORDER BY b::text)) FROM o2c.ledger_balance b;
SELECT 'aging ' || count(*) || ' ' || md5(string_agg(a::text, ',' ORDER BY a::text)) FROM o2c.ledger_aging a;
SELECT 'delta ' || count(*) || ' ' || md5(string_agg(d.ledger || ' ' || d.chunk || ' ' || d.part || ' ' || d.rows || md5(d.data), ',' ORDER BY d.ledger, d.chunk, d.part)) FROM o2c.ledger_delta d;
SELECT 'chunks numbered up to ' || last_value FROM o2c.ledger_delta_chunk;
SELECT 'pending ' || count(*) || ' ' || md5(string_agg(p::text, ',' ORDER BY p::text)) FROM o2c.ledger_state s, o2c.ledger_pending_summary(s.ledger) p;
SELECT 'inv ' || count(*) FROM inv;
SELECT 'pay ' || count(*) FROM pay;
-- Each row in the partition (or plain table) it was dumped from.
SELECT 'inv ' || tableoid::regclass || ' ' || count(*) || ' ' || md5(string_agg(invoice_id, ',' ORDER BY invoice_id))
  FROM inv GROUP BY tableoid ORDER BY 1;
SELECT 'pay ' || tableoid::regclass || ' ' || count(*) || ' ' || md5(string_agg(id || ' ' || invoice_id, ',' ORDER BY id))
  FROM pay GROUP BY tableoid ORDER BY 1;
SQL
}

for layout in $layouts; do
    for db in "$src" "${targets[@]}"; do
        psqlq -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    done
    if setup "$layout" | psqlq -d "$src" >"$work/setup.log" 2>&1; then
        ok "the source ledger is built"
    else
        not_ok "the source ledger is built ($(grep -m1 ERROR "$work/setup.log"))"
    fi

    fingerprint "$src" >"$work/src.fp"
    if grep -q '^delta [1-9]' "$work/src.fp"; then ok "the source has pending deltas"; else not_ok "the source has pending deltas"; fi
    if grep -q "^pending [1-9]" "$work/src.fp"; then ok "the source has pending inserts in its summary"; else not_ok "the source has pending inserts in its summary"; fi
    if [ "$layout" = partitioned ]; then
        parts=$(grep -c '^\(inv\|pay\) \(inv\|pay\)_' "$work/src.fp")
        [ "$parts" = 6 ] && ok "the source's rows are spread over its 6 partitions" \
            || not_ok "the source's rows are spread over its 6 partitions (got $parts)"
    fi

    "$bin/pg_dump" -Fc -d "$src" -f "$work/src.dump" && ok "pg_dump -Fc" || not_ok "pg_dump -Fc"
    "$bin/pg_dump" -Fp -d "$src" -f "$work/src.sql" && ok "pg_dump -Fp" || not_ok "pg_dump -Fp"
    for db in "${targets[@]}"; do
        case $db in
            o2c_live_dump_c)  "$bin/pg_restore" -d "$db" "$work/src.dump" ;;
            o2c_live_dump_j4) "$bin/pg_restore" -j 4 -d "$db" "$work/src.dump" ;;
            o2c_live_dump_p)  psqlq -d "$db" -f "$work/src.sql" ;;
        esac >"$work/$db.log" 2>&1 && ok "$db: restored without error" \
            || { grep -m5 ERROR "$work/$db.log"; not_ok "$db: restored without error"; }
        fingerprint "$db" >"$work/$db.fp"
        if diff "$work/src.fp" "$work/$db.fp"; then
            ok "$db: the ledger's state, balances, summary and deltas as dumped"
        else
            not_ok "$db: the ledger's state, balances, summary and deltas as dumped"
        fi
        got=$(psqlq -At -d "$db" -c "SELECT brute_diff(DATE '2025-06-03') + brute_diff(DATE '2025-08-01')" 2>&1)
        [ "$got" = 0 ] && ok "$db: live_aging equals the brute force" || not_ok "$db: live_aging equals the brute force (got: $got)"
        got=$(psqlq -At -d "$db" 2>&1 <<'SQL'
INSERT INTO pay (invoice_id, amount) VALUES ('I5', 10), ('J3', 100);
-- A new chunk: numbered after the restored ones (the sequence is dumped too).
INSERT INTO inv SELECT 'K' || g, 'C' || (g % 3), DATE '2025-05-25' + g, 40, 'USD' FROM generate_series(1, 20) g;
UPDATE inv SET due_date = due_date - 40 WHERE invoice_id LIKE 'I2%';
DELETE FROM inv WHERE invoice_id = 'J4';
-- More settlements and an invoice moved (to other partitions when partitioned).
UPDATE pay SET invoice_id = 'I' || (id % 300 + 1), amount = amount + 2 WHERE id % 10 = 4;
UPDATE inv SET invoice_id = 'K' || invoice_id WHERE invoice_id = 'J44';
CALL o2c.ledger_roll('default', DATE '2025-06-04');
SELECT brute_diff(DATE '2025-06-04') + brute_diff(DATE '2025-05-01');
SQL
)
        [ "$got" = 0 ] && ok "$db: the restored triggers keep it exact" || not_ok "$db: the restored triggers keep it exact (got: $got)"
    done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

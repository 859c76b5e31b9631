#!/usr/bin/env bash
# order_guard under concurrency: orders of one customer written at the same
# time by several sessions never pass together when together they exceed
# the limit. (1) Row form, mode=hold: session A inserts an order and keeps
# its transaction open; session B's order waits for A's commit, then sees
# A's order and is held. (2) The same with the statement form and
# multi-row inserts. (3) mode=reject: B's order fails with 23514. (4) Eight
# sessions at once, each an order of 3000 against a limit of 10000: exactly
# three pass, in either form. (5) A statement with more customers than the
# guard locks one by one (it takes the guard's key exclusively) beside row
# inserts: every customer stays within its limit. Needs the server named by
# PGHOST/PGPORT. Ends "N passed, N failed"; takes about 15 s.
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
db=o2c_credit_concurrent
passed=0 failed=0

psqlq() { timeout 60 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() {  # check DESCRIPTION SQL: the query must answer t
    local got
    got=$(psqlq -At -c "SELECT $2" 2>&1)
    if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
    "$bin/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
psqlq <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION o2c;
CREATE TABLE orders (order_id text PRIMARY KEY, customer_id text NOT NULL, amount numeric(12,2) NOT NULL,
                     currency text NOT NULL, on_hold boolean NOT NULL DEFAULT false);
INSERT INTO o2c.credit_source (source, query)
VALUES ('orders', 'SELECT order_id, customer_id, currency, amount FROM orders WHERE NOT on_hold');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from)
SELECT 'C' || i, 'EUR', 10000, DATE '2020-01-01' FROM generate_series(1, 200) i;
SQL

row_trigger() {
    psqlq -c "DROP TRIGGER IF EXISTS guard ON orders" -c "TRUNCATE orders" -c "TRUNCATE o2c.credit_hold" \
          -c "CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON orders FOR EACH ROW
              EXECUTE FUNCTION o2c.order_guard('hold=on_hold', 'mode=$1')" 2>&1 | grep -v NOTICE
}
statement_trigger() {
    psqlq -c "DROP TRIGGER IF EXISTS guard ON orders" -c "TRUNCATE orders" -c "TRUNCATE o2c.credit_hold" \
          -c "CREATE TRIGGER guard AFTER INSERT ON orders REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
              EXECUTE FUNCTION o2c.order_guard('hold=on_hold', 'mode=$1')" 2>&1 | grep -v NOTICE
}

# A inserts and sleeps before committing; B inserts while A is open.
pair() {  # pair VALUES_A VALUES_B: B's output on stdout
    psqlq -c "BEGIN" -c "INSERT INTO orders (order_id, customer_id, amount, currency) VALUES $1" \
          -c "SELECT pg_sleep(2)" -c "COMMIT" >/dev/null 2>&1 &
    local a=$!
    sleep 0.7
    psqlq -c "INSERT INTO orders (order_id, customer_id, amount, currency) VALUES $2" 2>&1
    wait $a
}

# 1. Row form, hold.
row_trigger hold
pair "('A1', 'C1', 6000, 'EUR')" "('B1', 'C1', 6000, 'EUR')" >/dev/null
check "row form: of two orders at once over the limit together, the second is held" \
      "array_agg(order_id ORDER BY order_id)::text = '{B1}' FROM orders WHERE on_hold"
check "row form: the hold names over_limit and the exposure with the first order" \
      "(reasons, exposure, status) = ('{over_limit}', 6000, 'waiting') FROM o2c.credit_hold WHERE order_id = 'B1'"

# 2. Statement form, hold, multi-row inserts.
statement_trigger hold
pair "('A1', 'C1', 3000, 'EUR'), ('A2', 'C1', 3000, 'EUR')" "('B1', 'C1', 3000, 'EUR'), ('B2', 'C1', 3000, 'EUR')" >/dev/null
check "statement form: of two statements at once, the second's order over the limit is held" \
      "array_agg(order_id ORDER BY order_id)::text = '{B2}' FROM orders WHERE on_hold"
check "statement form: the orders not held stay within the limit" \
      "sum(amount) = 9000 FROM orders WHERE NOT on_hold"

# 3. Reject.
row_trigger reject
out=$(pair "('A1', 'C1', 6000, 'EUR')" "('B1', 'C1', 6000, 'EUR')")
case $out in
    *'order "B1" of customer "C1" fails the credit check: over_limit'*) ok "row form, reject: the second order fails" ;;
    *) not_ok "row form, reject: the second order fails (got: $out)" ;;
esac
check "row form, reject: only the first order is written" "array_agg(order_id)::text = '{A1}' FROM orders"

# 4. Eight at once, both forms.
for form in row statement; do
    ${form}_trigger hold
    pids=()
    for i in 1 2 3 4 5 6 7 8; do
        psqlq -c "INSERT INTO orders (order_id, customer_id, amount, currency) VALUES ('P$i', 'C2', 3000, 'EUR')" >/dev/null 2>&1 &
        pids+=($!)
    done
    wait "${pids[@]}"
    check "$form form: eight orders of 3000 at once against 10000, exactly three pass" \
          "count(*) FILTER (WHERE NOT on_hold) = 3 AND count(*) FILTER (WHERE on_hold) = 5 FROM orders"
    check "$form form: the five held orders have waiting holds" \
          "count(*) = 5 FROM o2c.credit_hold WHERE status = 'waiting' AND reasons = '{over_limit}'"
done

# 5. A statement over 100 customers (the guard's key, exclusive) beside row
#    inserts into the same customers.
statement_trigger hold
psqlq -c "CREATE TRIGGER guard_row BEFORE INSERT ON orders FOR EACH ROW
          EXECUTE FUNCTION o2c.order_guard('hold=on_hold')" >/dev/null
psqlq -c "BEGIN" \
      -c "INSERT INTO orders (order_id, customer_id, amount, currency)
          SELECT 'S' || i, 'C' || i, 7000, 'EUR' FROM generate_series(1, 100) i" \
      -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null 2>&1 &
a=$!
# The row inserts start once the statement has run (its session sleeping,
# holding the guard's key): a row insert that came in the middle of it could
# deadlock with it (40P01), as the statement's own row-form locks come first.
for _ in $(seq 100); do
    [ "$(psqlq -At -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                          AND query = 'SELECT pg_sleep(1)' AND state = 'active'")" = 1 ] && break
    sleep 0.05
done
for i in 1 2 3; do
    psqlq -c "INSERT INTO orders (order_id, customer_id, amount, currency) VALUES ('R$i', 'C$i', 7000, 'EUR')" >/dev/null 2>&1 &
done
wait
check "a statement over 100 customers beside row inserts: no customer passes more than its limit" \
      "max(s) <= 10000 FROM (SELECT sum(amount) s FROM orders WHERE NOT on_hold GROUP BY customer_id) x"
check "a statement over 100 customers beside row inserts: every order was written" \
      "count(*) = 103 FROM orders"

echo "$passed passed, $failed failed"

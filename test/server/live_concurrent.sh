#!/usr/bin/env bash
# Live aging under concurrent writers. Three sessions write for about
# O2C_LIVE_SECONDS (default 10) seconds, one statement per transaction: new
# invoices (batches and single rows), invoices deleted, amounts, due dates,
# customers, currencies and invoice ids changed (single rows, and several
# rows locked in id order), settlements arriving, changed, moved to another
# invoice and reversed, on the same invoices and customers; o2c.ledger_roll
# moves the summary forward twice in the middle; a fourth session only
# inserts invoices, and a fifth folds the pending inserts in (ledger_compact)
# and now and then recomputes the ledger (ledger_rebuild) all the while,
# which inserts do not wait for. Then: no writer failed (no deadlock, no
# error), o2c.live_aging equals a brute-force aging of amount less
# settlements at several dates, and o2c.ledger_rebuild gives the same
# state. Last, an insert and a COPY of invoices commit while a compaction,
# then a rebuild, holds the ledger, and stay counted once; and the pages of
# o2c.ledger_delta that VACUUM frees after a compaction stay in the table
# and take the next load's chunk. The scenario runs once per layout of the tracked tables
# (O2C_LIVE_LAYOUTS, default "plain partitioned"): plain tables, then
# invoices hash-partitioned by their id and settlements hash-partitioned by
# the invoice they name, so that changing an invoice id or the invoice a
# settlement names moves the row to another partition. A statement that
# races such a move gets PostgreSQL's 40001 "... already moved to another
# partition due to concurrent update" (documented behaviour at READ
# COMMITTED): the writer retries it and counts the retries; any other error
# fails. Needs the server named by PGHOST/PGPORT (scripts/run.sh test starts
# one). Ends "N passed, N failed".
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
db=o2c_live_concurrent
seconds=${O2C_LIVE_SECONDS:-10}
layouts=${O2C_LIVE_LAYOUTS:-plain partitioned}
work=$(mktemp -d)
passed=0 failed=0

psqlq() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $layout: $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $layout: $*"; }
check() {  # check DESCRIPTION SQL: the query must answer t
    local got
    got=$(psqlq -At -c "SELECT $2" 2>&1)
    if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
    "$bin/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

hash_partitions() {  # hash_partitions TABLE N: its N partitions, TABLE_0 ...
    local k
    for ((k = 0; k < $2; k++)); do
        echo "CREATE TABLE $1_$k PARTITION OF $1 FOR VALUES WITH (MODULUS $2, REMAINDER $k);"
    done
}
# The tracked tables of each layout; everything after them is shared.
tables() {
    case $1 in
        plain) cat <<'SQL' ;;
CREATE TABLE inv (no bigint PRIMARY KEY, customer_id text, due_date date, amount numeric(12,2), currency text);
CREATE TABLE pay (id bigserial PRIMARY KEY, invoice_id bigint, amount numeric(12,2));
SQL
        partitioned)
            cat <<'SQL'
-- The invoices' unique index must hold the partition key: partitioned by the id.
CREATE TABLE inv (no bigint PRIMARY KEY, customer_id text, due_date date, amount numeric(12,2), currency text)
    PARTITION BY HASH (no);
-- The settlements' unique key (needed to check UPDATE capture) holds their partition key.
CREATE TABLE pay (id bigserial, invoice_id bigint NOT NULL, amount numeric(12,2), PRIMARY KEY (id, invoice_id))
    PARTITION BY HASH (invoice_id);
SQL
            hash_partitions inv 4
            hash_partitions pay 3 ;;
        *) echo "unknown layout: $1" >&2; return 1 ;;
    esac
}

# The database of one layout: its tables, then the shared triggers, data,
# brute force and writers.
setup() {
    echo 'SET client_min_messages = warning;'
    echo 'CREATE EXTENSION o2c;'
    tables "$1"
    cat <<'SQL'
CREATE INDEX ON pay (invoice_id);
CREATE SEQUENCE inv_no START 1000000;
-- The four triggers on each table, as users attach them.
SELECT FROM o2c.ledger_attach('conc', 'inv', 'pay', '{"invoice_id": "no"}');
-- 2,000 invoices that settlements may name (never deleted nor renumbered), over 50 customers.
INSERT INTO inv SELECT g, 'C' || (g % 50), current_date - 120 + (g % 200), round((50 + random() * 5000)::numeric, 2),
                       (ARRAY['EUR', 'USD'])[1 + g % 2]
                  FROM generate_series(1, 2000) g;
SELECT o2c.ledger_rebuild('conc', current_date - 10);

CREATE FUNCTION brute(as_of date)
RETURNS TABLE (customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint, avg numeric)
LANGUAGE sql AS $$
    SELECT c, k,
           COALESCE(sum(open) FILTER (WHERE as_of - d <= 0), 0),
           COALESCE(sum(open) FILTER (WHERE as_of - d BETWEEN 1 AND 30), 0),
           COALESCE(sum(open) FILTER (WHERE as_of - d BETWEEN 31 AND 60), 0),
           COALESCE(sum(open) FILTER (WHERE as_of - d BETWEEN 61 AND 90), 0),
           COALESCE(sum(open) FILTER (WHERE as_of - d > 90), 0),
           sum(open), COALESCE(sum(open) FILTER (WHERE as_of - d > 0), 0), count(*),
           CASE WHEN sum(open) FILTER (WHERE as_of - d > 0) > 0
                THEN round(sum(open * (as_of - d)) FILTER (WHERE as_of - d > 0)
                           / sum(open) FILTER (WHERE as_of - d > 0), 2) END
      FROM (SELECT i.customer_id AS c, i.currency AS k, i.due_date AS d, i.amount - COALESCE(s.v, 0) AS open
              FROM inv i LEFT JOIN (SELECT invoice_id, sum(amount) AS v FROM pay GROUP BY 1) s
                ON s.invoice_id = i.no) x
     WHERE open <> 0
     GROUP BY c, k
$$;
CREATE FUNCTION diff(as_of date) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM (
        (SELECT * FROM o2c.live_aging(as_of, 'conc') EXCEPT ALL SELECT * FROM brute(as_of))
        UNION ALL
        (SELECT * FROM brute(as_of) EXCEPT ALL SELECT * FROM o2c.live_aging(as_of, 'conc'))) d
$$;

-- A writer: one statement per transaction until the time is up. A statement
-- that meets a row a concurrent UPDATE moved to another partition fails with
-- 40001 (PostgreSQL's behaviour at READ COMMITTED): it is retried, counted;
-- any other error ends the writer. Moves count the rows an UPDATE moved.
CREATE PROCEDURE writer(w int, seconds int)
LANGUAGE plpgsql AS $$
DECLARE
    stop timestamptz := clock_timestamp() + make_interval(secs => seconds);
    r float8;
    again boolean := false;
    moved boolean;
    n bigint := 0;
    moves bigint := 0;
    retries bigint := 0;
BEGIN
    PERFORM setseed(w / 10.0);
    WHILE clock_timestamp() < stop LOOP
        IF NOT again THEN
            r := random();
        END IF;
        again := false;
        moved := false;
        BEGIN
            IF w = 1 AND r < 0.3 THEN
                INSERT INTO inv SELECT nextval('inv_no'), 'C' || (random() * 49)::int, current_date - 100 + (random() * 200)::int,
                                       round((random() * 3000 - 300)::numeric, 2), (ARRAY['EUR', 'USD'])[1 + (random())::int]
                  FROM generate_series(1, 1 + (random() * 40)::int);
            ELSIF w = 1 AND r < 0.45 THEN
                -- Among the last invoices, which writer 3 renumbers too.
                DELETE FROM inv WHERE no = (SELECT no FROM inv WHERE no >= 1000000 ORDER BY no DESC
                                             LIMIT 1 OFFSET (random() * 4)::int);
            ELSIF w = 1 AND r < 0.75 THEN
                UPDATE inv SET amount = amount + round((random() * 200 - 100)::numeric, 2)
                 WHERE no = 1 + (random() * 1999)::int;
            ELSIF w = 1 THEN
                UPDATE inv SET due_date = due_date + (random() * 40 - 20)::int WHERE no = 1 + (random() * 1999)::int;
            ELSIF w = 2 AND r < 0.5 THEN
                INSERT INTO pay (invoice_id, amount)
                SELECT 1 + (random() * 1999)::int, round((random() * 1500)::numeric, 2)
                  FROM generate_series(1, 1 + (random() * 5)::int);
            ELSIF w = 2 AND r < 0.65 THEN
                DELETE FROM pay WHERE id = (SELECT id FROM pay ORDER BY random() LIMIT 1);
            ELSIF w = 2 AND r < 0.75 THEN
                UPDATE pay SET amount = amount + 10 WHERE id IN (SELECT id FROM pay ORDER BY random() LIMIT 3);
            ELSIF w = 2 AND r < 0.85 THEN
                -- A settlement reversed among the last ones, which writer 3 moves too.
                DELETE FROM pay WHERE id = (SELECT id FROM pay ORDER BY id DESC LIMIT 1 OFFSET (random() * 4)::int);
            ELSIF w = 4 THEN
                -- Loads only: they never wait for the compactions beside them.
                INSERT INTO inv SELECT nextval('inv_no'), 'C' || (random() * 49)::int, current_date - 100 + (random() * 200)::int,
                                       round((random() * 3000 - 300)::numeric, 2), (ARRAY['EUR', 'USD'])[1 + (random())::int]
                  FROM generate_series(1, 1 + (random() * 40)::int);
            ELSIF w = 2 THEN
                UPDATE pay p SET invoice_id = 1 + (random() * 1999)::int
                  FROM (SELECT id, tableoid AS part FROM pay ORDER BY random() LIMIT 1) s
                 WHERE p.id = s.id
                RETURNING p.tableoid <> s.part INTO moved;
            ELSIF r < 0.2 THEN
                -- Several invoices at once, locked in id order as the settlements' trigger does.
                UPDATE inv SET due_date = due_date + 1, amount = amount + 1
                 WHERE no IN (SELECT no FROM inv WHERE no <= 2000 AND random() < 0.005 ORDER BY no FOR UPDATE);
            ELSIF r < 0.35 THEN
                UPDATE inv SET customer_id = 'C' || (random() * 49)::int WHERE no = 1 + (random() * 1999)::int;
            ELSIF r < 0.45 THEN
                UPDATE inv SET currency = CASE currency WHEN 'EUR' THEN 'USD' ELSE 'EUR' END
                 WHERE no = 1 + (random() * 1999)::int;
            ELSIF r < 0.6 THEN
                -- A new invoice renumbered: to another partition, most of the time.
                UPDATE inv i SET no = nextval('inv_no')
                  FROM (SELECT no, tableoid AS part FROM inv WHERE no >= 1000000 ORDER BY no DESC
                         LIMIT 1 OFFSET (random() * 4)::int) s
                 WHERE i.no = s.no
                RETURNING i.tableoid <> s.part INTO moved;
            ELSIF r < 0.8 THEN
                -- One of the last settlements moved to another invoice.
                UPDATE pay p SET invoice_id = 1 + (random() * 1999)::int
                  FROM (SELECT id, tableoid AS part FROM pay ORDER BY id DESC LIMIT 1 OFFSET (random() * 4)::int) s
                 WHERE p.id = s.id
                RETURNING p.tableoid <> s.part INTO moved;
            ELSE
                INSERT INTO pay (invoice_id, amount) VALUES (1 + (random() * 1999)::int, -round((random() * 100)::numeric, 2));
            END IF;
        EXCEPTION WHEN serialization_failure THEN
            IF SQLERRM NOT LIKE '%already moved to another partition due to concurrent update' THEN
                RAISE;
            END IF;
            retries := retries + 1;
            again := true;
        END;
        IF NOT again THEN
            n := n + 1;
            moves := moves + COALESCE(moved, false)::int;
        END IF;
        COMMIT;
    END LOOP;
    RAISE NOTICE 'writer % done: % transactions, % moves, % retries', w, n, moves, retries;
END
$$;
SQL
}

# Folds the pending inserts in, in a loop for the writers' time, and
# recomputes the ledger every fifth time.
compactor() {
    local stop=$((SECONDS + seconds)) n=0 r=0
    while [ $SECONDS -lt $stop ]; do
        psqlq -At -c "SELECT o2c.ledger_compact('conc')" >/dev/null || return 1
        n=$((n + 1))
        if [ $((n % 5)) = 0 ]; then
            psqlq -At -c "SELECT o2c.ledger_rebuild('conc')" >/dev/null || return 1
            r=$((r + 1))
        fi
        sleep 0.2
    done
    echo "compactor done: $n compactions, $r rebuilds"
}

# held WHAT: a session runs WHAT on the ledger and holds it for 3 s while an
# INSERT, a COPY and a MERGE that only inserts invoices (waiting at most 1 s
# for a lock) commit, and an UPDATE and a MERGE that also updates (which
# must wait) time out; then it commits, and the new invoices are counted
# once.
held() {
    local out
    psqlq -c "BEGIN" -c "SELECT $1" -c "SELECT pg_sleep(3)" -c "COMMIT" >"$work/held.log" 2>&1 &
    # Once WHAT has done its work and holds the ledger.
    for _ in $(seq 100); do
        [ "$(psqlq -At -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)' AND state = 'active'")" = 1 ] && break
        sleep 0.1
    done
    out=$(printf '%s\tC8\t%s\t12.34\tUSD\n%s\tC9\t%s\t-5.00\tEUR\n' \
              "$((RANDOM + 5000000))" "$(date -u +%F)" "$((RANDOM + 5100000))" "$(date -u +%F)" |
          psqlq -c "SET lock_timeout = '1s'" \
                -c "INSERT INTO inv SELECT nextval('inv_no'), 'C7', current_date + g, 100 + g, 'EUR' FROM generate_series(1, 5) g" \
                -c "COPY inv FROM STDIN" \
                -c "MERGE INTO inv i USING (SELECT nextval('inv_no') AS no) s ON i.no = s.no
                    WHEN NOT MATCHED THEN INSERT VALUES (s.no, 'C6', current_date - 2, 77.70, 'USD')" 2>&1) \
        && ok "an INSERT, a COPY and a MERGE that only inserts invoices do not wait for $1" \
        || not_ok "an INSERT, a COPY and a MERGE that only inserts invoices do not wait for $1 ($out)"
    for stmt in "UPDATE inv SET amount = amount + 1 WHERE no = 7" \
                "MERGE INTO inv i USING (VALUES (7)) s(no) ON i.no = s.no
                 WHEN MATCHED THEN UPDATE SET amount = i.amount + 1
                 WHEN NOT MATCHED THEN INSERT VALUES (s.no, 'C6', current_date, 1, 'EUR')"; do
        out=$(psqlq -c "SET lock_timeout = '1s'" -c "$stmt" 2>&1)
        case $out in
            *"lock timeout"*) ok "an invoice's ${stmt%% *} waits for $1" ;;
            *) not_ok "an invoice's ${stmt%% *} waits for $1 (${out:-it did not})" ;;
        esac
    done
    wait
    if grep -q ERROR "$work/held.log"; then not_ok "$1 committed ($(grep -m1 ERROR "$work/held.log"))"; fi
    check "after $1: the loads are pending" "(SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'conc') > 0"
    for off in 0 -40 31; do
        check "after $1: live_aging as of the state date $( [ $off -ge 0 ] && echo +)$off days equals the brute force" \
            "diff(current_date - 5 + $off) = 0"
    done
}

for layout in $layouts; do
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    if setup "$layout" | psqlq >"$work/setup.log" 2>&1; then
        ok "tables, triggers and writers set up"
    else
        not_ok "tables, triggers and writers set up ($(grep -m1 ERROR "$work/setup.log"))"
    fi

    for w in 1 2 3 4; do
        psqlq -c "CALL writer($w, $seconds)" >"$work/w$w.log" 2>&1 &
    done
    compactor >"$work/compactor.log" 2>&1 &
    sleep $((seconds / 3))
    roll1=$(psqlq -At -c "CALL o2c.ledger_roll('conc', current_date - 9)" 2>&1) && ok "a roll by one day while the writers run" \
        || not_ok "a roll by one day while the writers run ($roll1)"
    sleep $((seconds / 3))
    roll2=$(psqlq -At -c "CALL o2c.ledger_roll('conc', current_date - 5)" 2>&1) && ok "a roll by four days while the writers run" \
        || not_ok "a roll by four days while the writers run ($roll2)"
    wait

    if grep -q 'compactor done' "$work/compactor.log"; then
        ok "compactions and rebuilds while the writers run ($(grep -o 'done: .*' "$work/compactor.log"))"
    else
        not_ok "compactions and rebuilds while the writers run ($(grep -m1 ERROR "$work/compactor.log"))"
    fi
    moves=0
    for w in 1 2 3 4; do
        done_line=$(grep -o 'done: [0-9]* transactions, [0-9]* moves, [0-9]* retries' "$work/w$w.log")
        if grep -q ERROR "$work/w$w.log" || [ -z "$done_line" ]; then
            not_ok "writer $w: no error, no deadlock ($(grep -m1 ERROR "$work/w$w.log"))"
        else
            ok "writer $w: no error, no deadlock ($done_line)"
            moves=$((moves + $(echo "$done_line" | sed 's/.* \([0-9]*\) moves.*/\1/')))
        fi
    done
    if [ "$layout" = partitioned ]; then
        [ "$moves" -gt 0 ] && ok "updates moved rows to other partitions ($moves)" \
            || not_ok "updates moved rows to other partitions ($moves)"
    fi
    check "the ledger is rolled to the last roll's date" \
        "(SELECT as_of FROM o2c.ledger_state WHERE ledger = 'conc') = current_date - 5"
    check "the writers left invoices and settlements" "(SELECT count(*) FROM pay) > 20 AND (SELECT count(*) FROM inv) > 2000"
    for off in 0 -40 3 31 90; do
        check "live_aging as of the state date $( [ $off -ge 0 ] && echo +)$off days equals the brute force" \
            "diff(current_date - 5 + $off) = 0"
    done
    # The summaries of inserts are pending until a compaction folds them in.
    psqlq -c "SELECT o2c.ledger_compact('conc')" \
          -c "CREATE TABLE before_aging AS SELECT * FROM o2c.ledger_aging WHERE ledger = 'conc'" \
          -c "CREATE TABLE before_balance AS SELECT * FROM o2c.ledger_balance WHERE ledger = 'conc'" \
          -c "SELECT o2c.ledger_rebuild('conc')" >/dev/null
    check "ledger_rebuild gives the summary the triggers kept" \
        "(SELECT count(*) FROM ((TABLE before_aging EXCEPT SELECT * FROM o2c.ledger_aging WHERE ledger = 'conc')
                                UNION ALL (SELECT * FROM o2c.ledger_aging WHERE ledger = 'conc' EXCEPT TABLE before_aging)) d) = 0"
    check "ledger_rebuild gives the balances the triggers kept" \
        "(SELECT count(*) FROM ((TABLE before_balance EXCEPT SELECT * FROM o2c.ledger_balance WHERE ledger = 'conc')
                                UNION ALL (SELECT * FROM o2c.ledger_balance WHERE ledger = 'conc' EXCEPT TABLE before_balance)) d) = 0"
    held "o2c.ledger_compact('conc')"
    held "o2c.ledger_rebuild('conc')"

    load="INSERT INTO inv SELECT nextval('inv_no'), 'L' || (g % 3000), current_date + g % 90, g / 100.0, 'EUR'
                         FROM generate_series(1, 30000) g"
    delta_pages="SELECT pg_relation_size(reltoastrelid) / 8192 FROM pg_class WHERE oid = 'o2c.ledger_delta'::regclass"
    psqlq -c "$load" -c "SELECT o2c.ledger_compact('conc')" -c "VACUUM o2c.ledger_delta" >/dev/null
    before=$(psqlq -At -c "$delta_pages")
    psqlq -c "$load" >/dev/null
    after=$(psqlq -At -c "$delta_pages")
    [ "$before" -gt 0 ] && [ "$after" = "$before" ] \
        && ok "a load's chunk goes into the pages vacuum freed ($before pages of TOAST before and after)" \
        || not_ok "a load's chunk goes into the pages vacuum freed ($before pages before, $after after)"
    check "after it: live_aging as of the state date equals the brute force" "diff(current_date - 5) = 0"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

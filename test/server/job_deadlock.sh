#!/usr/bin/env bash
# Jobs and a mailer at once. (1) A serialization failure or deadlock is
# retried (option "retries", default 3), any other error is not. (2) A
# deadlock forced between run_cash_application and a mailer that marks
# cash_match rows sent one by one in the opposite order: the job is the
# victim, retries, and succeeds. (3) For about 10 s, jobs run back to back
# while a mailer follows README's recipe (claim a batch in id order with FOR
# UPDATE SKIP LOCKED, send, set sent_at, commit): no run fails and none ever
# needs a retry. (4) A match marked sent while a run is in its read phase:
# what the mailer sent is what o2c.cash_match keeps. Needs the server named
# by PGHOST/PGPORT (scripts/run.sh test starts one). Ends "N passed, N
# failed"; takes about 25 s.
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
db=o2c_deadlock
work=$(mktemp -d)
passed=0 failed=0

psqlq() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# The same, bounded in time: whatever goes wrong, the test ends.
psqlt() { timeout 60 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
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
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
psqlq <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION o2c;
CREATE EXTENSION dblink;
CREATE TABLE pay AS
SELECT 'PAY-' || lpad(i::text, 4, '0') AS payment_id, DATE '2024-07-01' AS received_on,
       (100 + i)::numeric(12,2) AS amount, 'EUR' AS currency, 'Customer ' || i AS payer_name,
       'INV-' || lpad(i::text, 4, '0') AS reference
FROM generate_series(1, 200) i;
CREATE TABLE inv AS
SELECT 'INV-' || lpad(i::text, 4, '0') AS invoice_id, 'C' || i AS customer_id, 'Customer ' || i AS customer_name,
       DATE '2024-06-01' AS invoice_date, DATE '2024-07-01' AS due_date, (100 + i)::numeric(12,2) AS amount,
       (100 + i)::numeric(12,2) AS open_amount, 'EUR' AS currency, 'INV-' || lpad(i::text, 4, '0') AS reference
FROM generate_series(1, 200) i;
-- An inner query that fails with a given SQLSTATE the first n times it runs
-- (a sequence counts, as it is not rolled back).
CREATE SEQUENCE flaky_calls;
CREATE FUNCTION flaky(state text, n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF nextval('flaky_calls') <= n THEN
        RAISE EXCEPTION 'simulated failure' USING ERRCODE = state;
    END IF;
    RETURN true;
END $$;
CALL o2c.run_cash_application('SELECT * FROM pay', 'SELECT * FROM inv', ledger => 'first');
SQL
[ "$(psqlq -At -c "SELECT count(*) FROM o2c.cash_match WHERE ledger = 'first' AND status = 'auto'")" = 200 ] \
    && ok "set-up: 200 auto matches" || not_ok "set-up: 200 auto matches"

# (1) What is retried, and how often.
flaky_run() {  # flaky_run SQLSTATE FAILURES OPTIONS
    psqlq -c "ALTER SEQUENCE flaky_calls RESTART" \
          -c "CALL o2c.run_cash_application('SELECT * FROM pay WHERE flaky(''$1'', $2)', 'SELECT * FROM inv',
                                            ledger => 'flaky', job_options => '$3')" >"$work/flaky.log" 2>&1
}
last_run="(SELECT row(status, sqlstate, attempts)::text FROM o2c.job_run ORDER BY id DESC LIMIT 1)"
flaky_run 40001 2 '{}'
check "two serialization failures (40001): retried, succeeds on the 3rd attempt" "$last_run = '(succeeded,,3)'"
flaky_run 40P01 3 '{}'
check "three deadlocks (40P01): succeeds on the 4th attempt" "$last_run = '(succeeded,,4)'"
flaky_run 40P01 4 '{}'
check "four deadlocks: the default 3 retries are spent, the run fails with 40P01" "$last_run = '(failed,40P01,4)'"
grep -q 'ERROR:  simulated failure' "$work/flaky.log" && ok "and the error is raised to the caller" \
    || not_ok "and the error is raised to the caller"
flaky_run 40001 1 '{"retries": 0}'
check "retries 0: no retry" "$last_run = '(failed,40001,1)'"
flaky_run 22023 1 '{}'
check "any other error is not retried" "$last_run = '(failed,22023,1)'"
psqlq -c "CALL o2c.run_cash_application('SELECT * FROM pay', 'SELECT * FROM inv', ledger => 'flaky',
                                        job_options => '{\"retries\": 11}')" >/dev/null 2>"$work/opt.log"
grep -q 'retries must be between 0 and 10, not 11' "$work/opt.log" && ok "retries is bounded (0 to 10)" \
    || not_ok "retries is bounded (0 to 10)"

# (2) A forced deadlock. The mailer session holds the highest id; the job
# locks its rows from the lowest and waits for it; then the mailer takes the
# lowest. The job waits first and checks for deadlock first (deadlock_timeout
# 1s against 20s), so it is the victim: it rolls back, retries and succeeds.
psqlt -v ON_ERROR_STOP=0 >"$work/forced.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT format('host=%s port=%s dbname=%s user=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('mailer', :'conn'), dblink_connect('job', :'conn');
SELECT pid AS job_pid FROM dblink('job', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_exec('mailer', $$SET deadlock_timeout = '20s'$$), dblink_exec('job', $$SET deadlock_timeout = '1s'$$);
SELECT dblink_exec('mailer', 'BEGIN');
SELECT dblink_exec('mailer', $$UPDATE o2c.cash_match SET sent_at = now()
                               WHERE id = (SELECT max(id) FROM o2c.cash_match WHERE ledger = 'first')$$);
SELECT dblink_send_query('job', $$CALL o2c.run_cash_application('SELECT * FROM pay', 'SELECT * FROM inv',
                                                                 ledger => 'first')$$);
SELECT set_config('o2c_test.job_pid', :'job_pid', false);
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_locks
                           WHERE pid = current_setting('o2c_test.job_pid')::int AND NOT granted);
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
SELECT dblink_exec('mailer', $$UPDATE o2c.cash_match SET sent_at = now()
                               WHERE id = (SELECT min(id) FROM o2c.cash_match WHERE ledger = 'first')$$) AS mailer_update;
SELECT dblink_exec('mailer', 'COMMIT') AS mailer_commit;
SELECT status AS job_result FROM dblink_get_result('job', false) AS r(status text);
SELECT dblink_disconnect('mailer'), dblink_disconnect('job');
SQL
if grep -q 'job_result' "$work/forced.log" && grep -A2 'job_result' "$work/forced.log" | grep -q 'CALL'; then
    ok "forced deadlock: the job's CALL succeeds"
else
    cat "$work/forced.log"; not_ok "forced deadlock: the job's CALL succeeds"
fi
check "forced deadlock: the run took 2 attempts" \
    "(SELECT row(status, attempts)::text FROM o2c.job_run WHERE args ->> 'ledger' = 'first' ORDER BY id DESC LIMIT 1) = '(succeeded,2)'"
check "forced deadlock: both of the mailer's updates are committed" \
    "(SELECT count(*) FROM o2c.cash_match WHERE ledger = 'first' AND sent_at IS NOT NULL) = 2"

# (3) README's mailer recipe against back-to-back runs, for about 10 s.
psqlq -c "UPDATE o2c.cash_match SET sent_at = NULL" -c "DELETE FROM o2c.job_run"
end=$((SECONDS + 10))
(
    while [ $SECONDS -lt $end ]; do
        psqlt -c "CALL o2c.run_cash_application('SELECT * FROM pay', 'SELECT * FROM inv', ledger => 'first')" \
            >>"$work/jobs.log" 2>&1 || echo "job failed" >>"$work/jobs.log"
    done
) &
jobs_pid=$!
# The recipe, as README gives it; then the same rows "unsent" again the same
# way, so the mailer always has work while the jobs rewrite the rows.
psqlt >"$work/mailer.log" 2>&1 <<SQL &
SET client_min_messages = warning;
CREATE TEMP TABLE batches (n int);
INSERT INTO batches VALUES (0);
DO \$\$
DECLARE
    stop_at timestamptz := clock_timestamp() + interval '10 s';
BEGIN
    WHILE clock_timestamp() < stop_at LOOP
        -- the recipe
        WITH batch AS (
            SELECT id FROM o2c.cash_match
             WHERE status = 'auto' AND sent_at IS NULL
             ORDER BY id LIMIT 50
               FOR UPDATE SKIP LOCKED)
        UPDATE o2c.cash_match m SET sent_at = now() FROM batch WHERE m.id = batch.id;
        PERFORM pg_sleep(0.02);   -- sending
        UPDATE batches SET n = n + 1;
        COMMIT;
        -- unsend, the same way
        WITH batch AS (
            SELECT id FROM o2c.cash_match
             WHERE sent_at IS NOT NULL
             ORDER BY id LIMIT 50
               FOR UPDATE SKIP LOCKED)
        UPDATE o2c.cash_match m SET sent_at = NULL FROM batch WHERE m.id = batch.id;
        COMMIT;
    END LOOP;
END \$\$;
SELECT 'batches ' || n FROM batches;
SQL
mailer_pid=$!
mailer_rc=0
wait "$mailer_pid" || mailer_rc=$?
wait "$jobs_pid"
runs=$(psqlq -At -c "SELECT count(*) FROM o2c.job_run")
batches=$(grep -oE 'batches [0-9]+' "$work/mailer.log" | awk '{print $2}')
echo "# concurrent: $runs job runs, ${batches:-0} mailer batches"
if [ "$mailer_rc" -eq 0 ] && [ "${batches:-0}" -gt 0 ]; then
    ok "the mailer ran its batches without an error"
else
    cat "$work/mailer.log"; not_ok "the mailer ran its batches without an error"
fi
if [ "${runs:-0}" -gt 0 ] && ! grep -q 'job failed' "$work/jobs.log"; then
    ok "every job run succeeded"
else
    grep -E 'ERROR|failed' "$work/jobs.log" | head; not_ok "every job run succeeded"
fi
check "no run needed a retry (the recipe never deadlocks with the job)" \
    "NOT EXISTS (SELECT 1 FROM o2c.job_run WHERE status <> 'succeeded' OR attempts <> 1)"

# (4) A match sent while a run reads. The run has read the payments and is
# still reading the invoices (slowly) when a mailer marks the payment's
# current match sent and commits. The match as sent must stay what the
# mailer sent: the mailer waits for the run, then sends the run's new match.
psqlq <<'SQL'
SET client_min_messages = warning;
CREATE TABLE race_inv AS SELECT * FROM inv WHERE invoice_id = 'INV-0001';
CREATE TABLE race_pay AS SELECT * FROM pay WHERE payment_id = 'PAY-0001';
CREATE FUNCTION slow() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(2); RETURN true; END $$;
CALL o2c.run_cash_application('SELECT * FROM race_pay', 'SELECT * FROM race_inv', ledger => 'race');
-- Half of it paid: the next run applies 50.50 where 101 stands now.
UPDATE race_pay SET amount = 50.50;
CREATE TABLE mailed (payment_id text, invoice_id text, amount numeric);
SQL
psqlt -v ON_ERROR_STOP=0 >"$work/race.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT format('host=%s port=%s dbname=%s user=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('job', :'conn');
SELECT pid AS job_pid FROM dblink('job', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_send_query('job', $$CALL o2c.run_cash_application('SELECT * FROM race_pay',
                                   'SELECT * FROM race_inv WHERE slow()', ledger => 'race')$$);
SELECT set_config('o2c_test.job_pid', :'job_pid', false);
DO $$
BEGIN
    FOR i IN 1..100 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE pid = current_setting('o2c_test.job_pid')::int AND wait_event = 'PgSleep');
        PERFORM pg_sleep(0.05);
    END LOOP;
END $$;
-- The mailer, while the run sleeps in its read.
WITH sent AS (
    UPDATE o2c.cash_match SET sent_at = now()
     WHERE ledger = 'race' AND sent_at IS NULL
    RETURNING payment_id, invoice_id, applied_amount)
INSERT INTO mailed SELECT * FROM sent;
SELECT status AS job_result FROM dblink_get_result('job', false) AS r(status text);
SELECT dblink_disconnect('job');
SQL
if grep -A2 'job_result' "$work/race.log" | grep -q 'CALL'; then
    ok "match sent during a run's read: the run succeeds"
else
    cat "$work/race.log"; not_ok "match sent during a run's read: the run succeeds"
fi
check "the mailer sent one match, the run's new one (50.50)" \
    "(SELECT array_agg(amount) FROM mailed) = '{50.50}'"
check "what the mailer sent is what o2c.cash_match holds as sent" \
    "(SELECT count(*) FROM mailed d JOIN o2c.cash_match m
        ON m.ledger = 'race' AND m.payment_id = d.payment_id AND m.invoice_id IS NOT DISTINCT FROM d.invoice_id
       AND m.applied_amount = d.amount AND m.sent_at IS NOT NULL) = 1
     AND (SELECT count(*) FROM o2c.cash_match WHERE ledger = 'race') = 1"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

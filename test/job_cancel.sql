-- pgTAP: a job that is cancelled (statement_timeout, pg_cancel_backend) or
-- whose backend is terminated or gone leaves no lock held and no run shown as
-- running; the next run goes ahead, and a run whose backend is gone is shown
-- (job_health) and recorded (by the next run) as abandoned. Other sessions
-- are dblink connections. Runs at top level (jobs commit); cleans up.
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
DROP TABLE IF EXISTS tap_cancel_pay, tap_cancel_inv;
DELETE FROM o2c.cash_match WHERE ledger = 'tap_cancel';
DELETE FROM o2c.job_run WHERE job = 'run_cash_application';
CREATE TABLE tap_cancel_pay AS
SELECT 'PAY-' || i AS payment_id, DATE '2024-07-01' AS received_on, (100 * i)::numeric(12,2) AS amount,
       'EUR' AS currency, 'Customer ' || i AS payer_name, 'INV-' || i AS reference
FROM generate_series(1, 20) i;
CREATE TABLE tap_cancel_inv AS
SELECT 'INV-' || i AS invoice_id, 'C' || i AS customer_id, 'Customer ' || i AS customer_name,
       DATE '2024-06-01' AS invoice_date, DATE '2024-07-01' AS due_date, (100 * i)::numeric(12,2) AS amount,
       (100 * i)::numeric(12,2) AS open_amount, 'EUR' AS currency, 'INV-' || i AS reference
FROM generate_series(1, 20) i;

-- A slow run (its payments query sleeps), a quick fail-fast one, and checks.
CREATE FUNCTION pg_temp.slow_run(seconds numeric) RETURNS text LANGUAGE sql AS $f$
    SELECT format($c$CALL o2c.run_cash_application(
        'SELECT p.* FROM public.tap_cancel_pay p, (SELECT pg_sleep(%s)) s', 'SELECT * FROM public.tap_cancel_inv',
        ledger => 'tap_cancel')$c$, seconds)
$f$;
CREATE FUNCTION pg_temp.last_run() RETURNS text LANGUAGE sql AS $f$
    SELECT row(status, sqlstate)::text FROM o2c.job_run WHERE job = 'run_cash_application' ORDER BY id DESC LIMIT 1
$f$;
CREATE FUNCTION pg_temp.lock_holders() RETURNS bigint LANGUAGE sql AS $f$
    SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
       AND objid = (o2c.job_lock_key('run_cash_application') & 4294967295)::oid
$f$;
CREATE FUNCTION pg_temp.wait_until_locked(p int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    FOR i IN 1..100 LOOP
        IF EXISTS (SELECT 1 FROM pg_locks WHERE pid = p AND granted AND locktype = 'advisory'
                      AND objid = (o2c.job_lock_key('run_cash_application') & 4294967295)::oid) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END
$f$;
CREATE FUNCTION pg_temp.wait_until_idle(p int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    FOR i IN 1..100 LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = p AND state = 'active') THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
        PERFORM pg_stat_clear_snapshot();
    END LOOP;
    RETURN false;
END
$f$;
CREATE FUNCTION pg_temp.wait_until_waiting(p int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    FOR i IN 1..100 LOOP
        IF EXISTS (SELECT 1 FROM pg_locks WHERE pid = p AND NOT granted) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.1);
    END LOOP;
    RETURN false;
END
$f$;
-- dblink wants one more dblink_get_result after a query's result.
CREATE FUNCTION pg_temp.drain(c text) RETURNS void LANGUAGE sql AS $f$
    SELECT count(*) FROM dblink_get_result(c, false) AS r(status text)
$f$;
SELECT format('host=%s port=%s dbname=%s user=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS conn \gset

SELECT plan(21);

-- 1. statement_timeout cancels a run; its session stays open.
SELECT dblink_connect('tap_c1', :'conn');
SELECT pid AS c1_pid FROM dblink('tap_c1', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_exec('tap_c1', $$SET statement_timeout = '300ms'$$);
SELECT is(dblink_exec('tap_c1', pg_temp.slow_run(5), false), 'ERROR', 'statement_timeout cancels the run');
SELECT dblink_exec('tap_c1', 'RESET statement_timeout');
SELECT is((SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = :c1_pid), 0::bigint,
          'the cancelled session, still open, holds no advisory lock');
SELECT is(pg_temp.last_run(), '(failed,57014)', 'the cancelled run is recorded as failed with 57014');
CALL o2c.run_cash_application('SELECT * FROM tap_cancel_pay', 'SELECT * FROM tap_cancel_inv',
                              ledger => 'tap_cancel', job_options => '{"wait": false}');
SELECT is(pg_temp.last_run(), '(succeeded,)', 'the next fail-fast run goes ahead');

-- 2. pg_cancel_backend in the middle of a run.
SELECT dblink_send_query('tap_c1', pg_temp.slow_run(5));
SELECT ok(pg_temp.wait_until_locked(:c1_pid), 'a running job holds its lock');
SELECT ok(pg_cancel_backend(:c1_pid) AND pg_temp.wait_until_idle(:c1_pid), 'pg_cancel_backend ends the run');
SELECT * FROM dblink_get_result('tap_c1', false) AS r(status text);
SELECT pg_temp.drain('tap_c1');
SELECT is(pg_temp.lock_holders(), 0::bigint, 'after the cancel no lock is held');
SELECT is(pg_temp.last_run(), '(failed,57014)', 'the cancelled run is recorded as failed with 57014');

-- 3. A run waiting for the lock is cancelled; the run holding it goes on.
SELECT dblink_connect('tap_c2', :'conn');
SELECT pid AS c2_pid FROM dblink('tap_c2', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_send_query('tap_c1', pg_temp.slow_run(2));
SELECT pg_temp.wait_until_locked(:c1_pid);
SELECT dblink_send_query('tap_c2', pg_temp.slow_run(0));
SELECT ok(pg_temp.wait_until_waiting(:c2_pid), 'a second run waits for the lock');
SELECT ok(pg_cancel_backend(:c2_pid) AND pg_temp.wait_until_idle(:c2_pid), 'the waiting run is cancelled');
SELECT * FROM dblink_get_result('tap_c2', false) AS r(status text);
SELECT pg_temp.drain('tap_c2');
SELECT is((SELECT status FROM o2c.job_run WHERE backend_pid = :c2_pid ORDER BY id DESC LIMIT 1), 'failed',
          'the cancelled waiting run is recorded as failed');
SELECT is((SELECT status FROM dblink_get_result('tap_c1') AS r(status text)), 'CALL',
          'the run holding the lock finishes');
SELECT pg_temp.drain('tap_c1');
SELECT is((SELECT status FROM o2c.job_run WHERE backend_pid = :c1_pid ORDER BY id DESC LIMIT 1), 'succeeded',
          'and succeeds');

-- 4. pg_terminate_backend in the middle of a run.
SELECT dblink_send_query('tap_c2', pg_temp.slow_run(5));
SELECT pg_temp.wait_until_locked(:c2_pid);
SELECT is((SELECT last_status FROM o2c.job_health WHERE job = 'run_cash_application'), 'running',
          'job_health shows the live run as running');
SELECT ok(pg_terminate_backend(:c2_pid, 5000), 'pg_terminate_backend ends the backend');
SELECT dblink_disconnect('tap_c2');
SELECT is(pg_temp.lock_holders(), 0::bigint, 'no lock is held after the backend is gone');
SELECT is((SELECT last_status FROM o2c.job_health WHERE job = 'run_cash_application'), 'abandoned',
          'job_health shows a run whose backend is gone as abandoned');
CALL o2c.run_cash_application('SELECT * FROM tap_cancel_pay', 'SELECT * FROM tap_cancel_inv',
                              ledger => 'tap_cancel', job_options => '{"wait": false}');
SELECT is(pg_temp.last_run(), '(succeeded,)', 'the next fail-fast run goes ahead');
SELECT is((SELECT status FROM o2c.job_run WHERE backend_pid = :c2_pid ORDER BY id DESC LIMIT 1), 'abandoned',
          'and records the terminated run as abandoned');

-- 5. A run left running by a crash: its backend's start time is not that of
-- any live backend (here a live pid with another start time, as after a
-- restart that reused the pid).
INSERT INTO o2c.job_run (job, backend_pid, backend_start, started_at)
VALUES ('run_cash_application', pg_backend_pid(), '2000-01-01', now() - interval '1 hour');
SELECT is((SELECT last_status FROM o2c.job_health WHERE job = 'run_cash_application'), 'abandoned',
          'job_health shows a run from before a crash as abandoned');
CALL o2c.run_cash_application('SELECT * FROM tap_cancel_pay', 'SELECT * FROM tap_cancel_inv',
                              ledger => 'tap_cancel', job_options => '{"wait": false}');
SELECT is((SELECT count(*) FROM o2c.job_run WHERE job = 'run_cash_application' AND status = 'running'),
          0::bigint, 'the next run leaves no run shown as running');

SELECT dblink_disconnect('tap_c1');
SELECT * FROM finish();

DELETE FROM o2c.cash_match WHERE ledger = 'tap_cancel';
DELETE FROM o2c.job_run WHERE job = 'run_cash_application';
DROP TABLE tap_cancel_pay, tap_cancel_inv;

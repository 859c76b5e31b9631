-- pgTAP: jobs at top level (they COMMIT, so no BEGIN/ROLLBACK here):
-- idempotency, two sessions at once, failure logging, search_path safety.
-- Cleans up after itself.
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
DROP TABLE IF EXISTS tap_jobs_inv, tap_jobs_pay;
DELETE FROM o2c.aging_snapshot WHERE ledger LIKE 'tap%';
DELETE FROM o2c.job_run WHERE args ->> 'ledger' LIKE 'tap%';
CREATE TABLE tap_jobs_inv AS
SELECT i AS invoice_id, 'C' || (i % 50) AS customer_id, DATE '2024-06-30' - (i % 130) AS due_date,
       round((i * 7.31)::numeric, 2) AS open_amount, (ARRAY['EUR', 'USD', 'EUR'])[1 + i % 3] AS currency
FROM generate_series(1, 5000) i;

SELECT plan(22);

-- Idempotency: the same run twice gives the same rows.
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', ledger => 'tap');
CREATE TEMP TABLE first_run AS
    SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
    FROM o2c.aging_snapshot WHERE ledger = 'tap';
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', ledger => 'tap');
SELECT set_eq($$SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
                FROM o2c.aging_snapshot WHERE ledger = 'tap'$$,
              'SELECT * FROM first_run', 'a second run for the same day gives the same rows');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap'), 100::bigint,
          '50 customers x 2 currencies, not doubled');
SELECT is((SELECT sum(total) FROM o2c.aging_snapshot WHERE ledger = 'tap'),
          (SELECT sum(open_amount) FROM tap_jobs_inv), 'snapshot totals equal the book');
SELECT is((SELECT count(*) FROM o2c.job_run WHERE args ->> 'ledger' = 'tap' AND status = 'succeeded'),
          2::bigint, 'both runs are logged as succeeded');

-- Two sessions at once. Session a runs a slow snapshot; meanwhile a
-- fail-fast call here is refused, and a waiting call runs after it.
SELECT dblink_connect('tap_a', format('host=%s port=%s dbname=%s user=%s',
    split_part(current_setting('unix_socket_directories'), ',', 1),
    current_setting('port'), current_database(), current_user));
SELECT dblink_send_query('tap_a', $$CALL o2c.snapshot_aging(
    'SELECT t.* FROM tap_jobs_inv t, (SELECT pg_sleep(3)) s', '2024-06-30', ledger => 'tap2')$$);
SELECT pg_sleep(1);
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', ledger => 'tap2',
                        options => '{"wait": false}');
SELECT is((SELECT sqlstate FROM o2c.job_run WHERE args ->> 'ledger' = 'tap2' ORDER BY id DESC LIMIT 1),
          '55P03', 'a fail-fast call during a run is refused with 55P03 and logged');
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', ledger => 'tap2');
SELECT is((SELECT status FROM dblink_get_result('tap_a') AS r(status text)), 'CALL', 'session a finished');
SELECT dblink_disconnect('tap_a');
SELECT is((SELECT array_agg(status ORDER BY id) FROM o2c.job_run WHERE args ->> 'ledger' = 'tap2'),
          ARRAY['succeeded', 'failed', 'succeeded'], 'runs: a succeeded, fail-fast failed, waiting one succeeded');
SELECT ok((SELECT finished_at FROM o2c.job_run WHERE args ->> 'ledger' = 'tap2' ORDER BY id LIMIT 1)
          <= (SELECT finished_at FROM o2c.job_run WHERE args ->> 'ledger' = 'tap2' ORDER BY id DESC LIMIT 1),
          'the waiting run finished after the first one');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap2'), 100::bigint,
          'two runs at once: no double rows');

-- Failure logging: the run row survives the failure, with the error.
CALL o2c.snapshot_aging('SELECT customer_id, open_amount FROM tap_jobs_inv', '2024-06-30', ledger => 'tap');
SELECT is((SELECT row(status, sqlstate, error)::text FROM o2c.job_run
            WHERE args ->> 'ledger' = 'tap' ORDER BY id DESC LIMIT 1),
          '(failed,42703,"column ""due_date"" is missing from invoices_sql")', 'a failed run is logged with its error');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap'), 100::bigint,
          'a failed run leaves the previous snapshot in place');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
                       AND objid = (o2c.job_lock_key('snapshot_aging') & 4294967295)::oid),
          'the advisory lock is released after success and failure');

-- A run that fails while writing still records how many rows it read.
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', '{30,10}', ledger => 'tap');
SELECT is((SELECT row(status, sqlstate, rows_read, rows_written)::text FROM o2c.job_run
            WHERE args ->> 'ledger' = 'tap' ORDER BY id DESC LIMIT 1),
          '(failed,22023,5000,)', 'a run failing in its write phase keeps the rows_read of its read phase');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap' AND bounds IS NOT NULL), 0::bigint,
          'and writes nothing');

-- Bounded history.
CALL o2c.snapshot_aging('SELECT * FROM tap_jobs_inv', '2024-06-30', ledger => 'tap',
                        options => '{"keep_runs": 2}');
SELECT is((SELECT count(*) FROM o2c.job_run WHERE job = 'snapshot_aging' AND status <> 'running'),
          2::bigint, 'keep_runs bounds the job_run history');

-- search_path safety: hostile look-alikes in the caller's path are never used.
DROP SCHEMA IF EXISTS tap_hostile CASCADE;
CREATE SCHEMA tap_hostile;
CREATE TABLE tap_hostile.calls (what text);
CREATE FUNCTION tap_hostile.note(a text, b text) RETURNS boolean LANGUAGE sql
    AS $$ INSERT INTO tap_hostile.calls VALUES ('operator'); SELECT a::text = b::text $$;
CREATE OPERATOR tap_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = tap_hostile.note);
CREATE OPERATOR tap_hostile.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = tap_hostile.note);
CREATE FUNCTION tap_hostile.upper(text) RETURNS text LANGUAGE sql
    AS $$ INSERT INTO tap_hostile.calls VALUES ('upper'); SELECT 'HOSTILE' $$;
CREATE FUNCTION tap_hostile.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql
    AS $$ INSERT INTO tap_hostile.calls VALUES ('jsonb_typeof'); SELECT 'object' $$;
CREATE FUNCTION tap_hostile.aging(numeric, date, date) RETURNS o2c.aging_buckets LANGUAGE sql
    AS $$ INSERT INTO tap_hostile.calls VALUES ('aging'); SELECT NULL::o2c.aging_buckets $$;
CREATE TABLE tap_jobs_pay AS
SELECT 'P' || i AS payment_id, DATE '2024-07-01' AS received_on, round((i * 7.31)::numeric, 2) AS amount,
       (ARRAY['EUR', 'USD', 'EUR'])[1 + i % 3] AS currency, 'C' || (i % 50) AS payer_name, i::text AS reference
FROM generate_series(1, 30) i;
SET search_path = tap_hostile, public, pg_catalog;
CALL o2c.snapshot_aging('SELECT * FROM public.tap_jobs_inv', '2024-06-30', ledger => 'tap3');
-- twice, so that the second run replaces matches and rewrites their rows
CALL o2c.run_cash_application('SELECT * FROM public.tap_jobs_pay', 'SELECT * FROM public.tap_jobs_inv', ledger => 'tap3');
CALL o2c.run_cash_application('SELECT * FROM public.tap_jobs_pay', 'SELECT * FROM public.tap_jobs_inv', ledger => 'tap3');
RESET search_path;
SELECT is((SELECT count(*) FROM tap_hostile.calls), 0::bigint,
          'no hostile function or operator in the search_path was called');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap3' AND currency IN ('EUR', 'USD')),
          100::bigint, 'and the run under a hostile search_path produced the right rows');
SELECT is((SELECT count(*) FROM o2c.job_run WHERE job = 'run_cash_application' AND status = 'succeeded'),
          2::bigint, 'and so did two cash applications');

-- Bad options are errors before anything runs.
SELECT throws_ok($$CALL o2c.snapshot_aging('SELECT 1', '2024-06-30', options => '{"hurry": 1}')$$,
                 '22023', NULL, 'unknown option');

-- invoices_from: the inner-query reader's own errors.
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT 1 AS customer_id', '{customer}')$$,
                 '22023', '"customer" is not an invoice column', 'an unknown required column is named');
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT 1 AS amount, 2 AS amount')$$,
                 '42702', 'column "amount" appears more than once in invoices_sql', 'two columns of one name');
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT 1.5::float8 AS amount')$$,
                 '42804', 'column "amount" of invoices_sql has type double precision, expected numeric or an integer type',
                 'a float amount is refused, naming both types');

SELECT * FROM finish();

DROP SCHEMA tap_hostile CASCADE;
DROP TABLE tap_jobs_inv, tap_jobs_pay;
DELETE FROM o2c.aging_snapshot WHERE ledger LIKE 'tap%';
DELETE FROM o2c.cash_match WHERE ledger = 'tap3';
DELETE FROM o2c.job_run;

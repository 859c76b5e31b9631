-- pgTAP: a snapshot job scheduled with pg_cron runs and writes its rows.
-- pg_cron 1.4 fires at most once a minute, so this waits up to 75 s. When the
-- server has no pg_cron preloaded, the test reports itself skipped.
\set ON_ERROR_STOP 0
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(3);

SELECT current_setting('shared_preload_libraries') ~ 'pg_cron' AS have_cron \gset
\if :have_cron
DROP TABLE IF EXISTS tap_cron_inv;
CREATE TABLE tap_cron_inv AS
SELECT 'C' || (i % 7) AS customer_id, DATE '2024-06-30' - i AS due_date, i::numeric(12,2) AS open_amount
FROM generate_series(1, 70) i;
DELETE FROM o2c.aging_snapshot WHERE ledger = 'tap_cron';

-- pg_cron lives in cron.database_name; schedule into this database from there.
SELECT format('host=%s port=%s dbname=%s user=%s',
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_setting('cron.database_name'), current_user) AS cron_conn \gset
SELECT dblink_exec(:'cron_conn', 'CREATE EXTENSION IF NOT EXISTS pg_cron');
SELECT dblink(:'cron_conn', $$SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'o2c-tap-snapshot'$$);
SELECT jobid AS cron_job FROM dblink(:'cron_conn', format(
    $q$SELECT cron.schedule_in_database('o2c-tap-snapshot', '* * * * *', %L, %L)$q$,
    $c$CALL o2c.snapshot_aging('SELECT * FROM public.tap_cron_inv', '2024-06-30', ledger => 'tap_cron')$c$,
    current_database())) AS t(jobid bigint) \gset

DO $$
BEGIN
    FOR i IN 1..75 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM o2c.job_run WHERE args ->> 'ledger' = 'tap_cron' AND status <> 'running');
        PERFORM pg_sleep(1);
    END LOOP;
END $$;

SELECT is((SELECT status FROM o2c.job_run WHERE args ->> 'ledger' = 'tap_cron' ORDER BY id LIMIT 1),
          'succeeded', 'the scheduled job ran and succeeded');
SELECT is((SELECT count(*) FROM o2c.aging_snapshot WHERE ledger = 'tap_cron'), 7::bigint,
          'and wrote its snapshot rows');
SELECT ok((SELECT count(*) > 0 FROM dblink(:'cron_conn', format(
               'SELECT status FROM cron.job_run_details WHERE jobid = %s', :cron_job)) AS t(status text)),
          'pg_cron recorded the run in cron.job_run_details');

SELECT unscheduled FROM dblink(:'cron_conn', $$SELECT cron.unschedule('o2c-tap-snapshot')$$) AS t(unscheduled boolean);
DROP TABLE tap_cron_inv;
DELETE FROM o2c.aging_snapshot WHERE ledger = 'tap_cron';
\else
SELECT skip('pg_cron is not in shared_preload_libraries of this server', 3);
\endif

SELECT * FROM finish();

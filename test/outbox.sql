-- pgTAP: the outbox announces new notices and auto matches with NOTIFY on
-- commit, never for a rolled-back row. A second session listens (dblink).
-- Runs at top level (jobs commit); cleans up after itself.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
DELETE FROM o2c.dunning_notice WHERE ledger = 'tap_outbox';
DELETE FROM o2c.dunning_policy WHERE policy = 'tap_outbox';
DROP TABLE IF EXISTS tap_outbox_inv;
CREATE TEMP TABLE heard (channel text, payload json);
SELECT plan(6);

SELECT dblink_connect('tap_listener', format('host=%s port=%s dbname=%s user=%s',
    split_part(current_setting('unix_socket_directories'), ',', 1),
    current_setting('port'), current_database(), current_user));
SELECT dblink_exec('tap_listener', 'LISTEN o2c_notice');

-- A notice written and rolled back is never announced.
BEGIN;
INSERT INTO o2c.dunning_notice (ledger, invoice_id, policy, level, due, as_of, amount, fee, interest, action)
VALUES ('tap_outbox', 'TAP-0', 'tap_outbox', 1, '2024-06-01', '2024-06-30', 10, 0, 0, 'reminder');
ROLLBACK;
SELECT pg_sleep(0.5);
INSERT INTO heard SELECT notify_name, extra::json FROM dblink_get_notify('tap_listener');
SELECT is((SELECT count(*) FROM heard), 0::bigint, 'a rolled-back notice is not announced');

-- A dunning run that commits announces each new notice, once.
INSERT INTO o2c.dunning_policy (policy, level, days_after_due, fee, annual_interest_rate, action)
VALUES ('tap_outbox', 1, 7, 0, NULL, 'reminder');
CREATE TABLE tap_outbox_inv AS
SELECT 'TAP-' || i AS invoice_id, 'C1' AS customer_id, DATE '2024-06-01' AS due_date,
       100.00 AS open_amount, 'EUR' AS currency
FROM generate_series(1, 3) i;
CALL o2c.run_dunning('SELECT * FROM tap_outbox_inv', 'tap_outbox', '2024-06-30', 'tap_outbox');
SELECT pg_sleep(0.5);
INSERT INTO heard SELECT notify_name, extra::json FROM dblink_get_notify('tap_listener');
SELECT is((SELECT count(*) FROM heard), 3::bigint, 'three committed notices, three announcements');
SELECT is((SELECT array_agg(DISTINCT channel) FROM heard), ARRAY['o2c_notice'], 'on the o2c_notice channel');
SELECT set_eq('SELECT (payload ->> ''id'')::bigint FROM heard',
              $$SELECT id FROM o2c.dunning_notice WHERE ledger = 'tap_outbox'$$,
              'each payload names a new notice by id');
SELECT is((SELECT array_agg(DISTINCT payload ->> 'table') FROM heard), ARRAY['dunning_notice'],
          'and its table');

-- Running again adds nothing, so announces nothing.
DELETE FROM heard;
CALL o2c.run_dunning('SELECT * FROM tap_outbox_inv', 'tap_outbox', '2024-06-30', 'tap_outbox');
SELECT pg_sleep(0.5);
INSERT INTO heard SELECT notify_name, extra::json FROM dblink_get_notify('tap_listener');
SELECT is((SELECT count(*) FROM heard), 0::bigint, 'a rerun announces nothing twice');

SELECT dblink_disconnect('tap_listener');
SELECT * FROM finish();

DELETE FROM o2c.dunning_notice WHERE ledger = 'tap_outbox';
DELETE FROM o2c.dunning_policy WHERE policy = 'tap_outbox';
DELETE FROM o2c.job_run WHERE job = 'run_dunning';
DROP TABLE tap_outbox_inv;

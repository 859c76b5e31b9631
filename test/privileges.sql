-- pgTAP: who may do what, with real roles; RLS inside inner queries.
BEGIN;
SELECT plan(24);

CREATE ROLE tap_nobody NOLOGIN;
CREATE ROLE tap_reader NOLOGIN IN ROLE o2c_reader;
CREATE ROLE tap_operator NOLOGIN IN ROLE o2c_operator;
CREATE ROLE tap_collector NOLOGIN IN ROLE o2c_collector;

CREATE TABLE tap_ledger (customer_id text, due_date date, open_amount numeric, owner name);
INSERT INTO tap_ledger VALUES ('A', '2024-06-01', 100, 'tap_operator'), ('B', '2024-06-01', 999, 'someone_else');
CREATE TABLE tap_secret (customer_id text, due_date date, open_amount numeric);
GRANT SELECT ON tap_ledger TO tap_operator, tap_reader, tap_nobody;
ALTER TABLE tap_ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON tap_ledger USING (owner = current_user);

-- PUBLIC: pure functions only.
SET LOCAL ROLE tap_nobody;
SELECT is(o2c.days_past_due('2024-06-01', '2024-06-30'), 29, 'anyone may call pure functions');
SELECT is((SELECT (o2c.aging(1.00, DATE '2024-06-01', DATE '2024-06-30')).total), 1.00, 'anyone may use the aggregates');
SELECT throws_ok($$SELECT * FROM o2c.aging_snapshot$$, '42501', NULL, 'PUBLIC cannot read outputs');
SELECT throws_ok($$SELECT * FROM o2c.job_run$$, '42501', NULL, 'PUBLIC cannot read the job log');
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT 1 AS customer_id')$$, '42501', NULL,
                 'PUBLIC cannot run inner queries through o2c');
SELECT throws_ok($$CALL o2c.snapshot_aging('SELECT 1', '2024-06-30')$$, '42501', NULL, 'PUBLIC cannot run jobs');
RESET ROLE;

-- o2c_reader: reads outputs and views, changes nothing.
SET LOCAL ROLE tap_reader;
SELECT lives_ok($$SELECT * FROM o2c.aging_snapshot, o2c.aging_trend, o2c.job_health, o2c.job_run$$,
                'a reader reads outputs and views');
SELECT throws_ok($$DELETE FROM o2c.aging_snapshot$$, '42501', NULL, 'a reader cannot change outputs');
SELECT throws_ok($$CALL o2c.snapshot_aging('SELECT 1', '2024-06-30')$$, '42501', NULL, 'a reader cannot run jobs');
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT 1 AS customer_id')$$, '42501', NULL,
                 'a reader cannot run inner queries through o2c');
RESET ROLE;

-- o2c_operator: runs inner queries with its own rights only.
SET LOCAL ROLE tap_operator;
SELECT throws_ok($$SELECT * FROM o2c.invoices_from('SELECT * FROM tap_secret')$$, '42501', NULL,
                 'an operator cannot read through o2c a table it cannot read');
SELECT is((SELECT array_agg(customer_id) FROM o2c.invoices_from('SELECT * FROM tap_ledger')), ARRAY['A'],
          'row-level security applies inside inner queries');
SELECT is((SELECT (o2c.aging(open_amount, due_date, DATE '2024-06-30')).total
           FROM o2c.invoices_from('SELECT * FROM tap_ledger')), 100::numeric,
          'so aging through o2c sees only the permitted rows');
SELECT lives_ok($$INSERT INTO o2c.job_run (job) VALUES ('tap')$$, 'an operator may write job outputs');
RESET ROLE;

-- o2c_collector: records and cancels promises, reads, runs no job.
SET LOCAL ROLE tap_collector;
SELECT lives_ok($$SELECT o2c.record_promise('A', 'EUR', 100, '2024-07-15', NULL, 'called', '2024-07-01')$$,
                'a collector records a promise');
SELECT lives_ok($$SELECT o2c.cancel_promise((SELECT max(id) FROM o2c.promise), 'wrong customer')$$,
                'and cancels an open one');
SELECT throws_ok($$UPDATE o2c.promise SET amount = 1$$, '42501', NULL, 'but cannot change what was promised');
SELECT throws_ok($$CALL o2c.run_promise_check('SELECT 1', '2024-07-31')$$, '42501', NULL, 'nor run the jobs');
RESET ROLE;
SELECT o2c.install_dispute_reasons();
SET LOCAL ROLE tap_collector;
SELECT lives_ok($$SELECT o2c.resolve_dispute(o2c.open_dispute('INV-9', 'EUR', 50, 'pricing', 'A', NULL, NULL, '2024-07-01'),
                                             'credited', NULL, '2024-07-05')$$,
                'a collector opens and resolves a dispute');
SELECT throws_ok($$UPDATE o2c.dispute SET amount = 1$$, '42501', NULL, 'but cannot change its amount');
RESET ROLE;
SET LOCAL ROLE tap_reader;
SELECT throws_ok($$SELECT o2c.record_promise('A', 'EUR', 100, '2024-07-15')$$, '42501', NULL,
                 'a reader records no promise');
RESET ROLE;

-- Nothing of o2c is SECURITY DEFINER except the narrow recorders that say why.
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'o2c'
           WHERE p.prosecdef AND p.proname NOT LIKE 'record\_%'), 0::bigint,
          'functions are SECURITY INVOKER');
SELECT is((SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'o2c'
           WHERE obj_description(p.oid, 'pg_proc') IS NULL), 0::bigint,
          'every function has a COMMENT');

-- A pre-existing role of o2c's name that can log in is refused, not captured.
ALTER ROLE o2c_reader LOGIN;
DROP EXTENSION o2c CASCADE;
SELECT throws_ok('CREATE EXTENSION o2c', '42710', 'role "o2c_reader" exists and is not a plain group role',
                 'a login role named o2c_reader is not reused');

SELECT * FROM finish();
ROLLBACK;

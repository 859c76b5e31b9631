-- pgTAP: the kept plan of credit_state's query (credit_state_run). A
-- backend checks credit again and again with one plan; it must follow what
-- the plan was made from: the search_path the source queries resolve in,
-- their tables' columns, the sources themselves, the policy, and the
-- privileges of whoever checks. Eight checks in a row each time, past the
-- five custom plans after which PostgreSQL may settle on a generic one.
BEGIN;
SELECT plan(21);
SET LOCAL client_min_messages = warning;
CREATE SCHEMA tap_cp_a;
CREATE SCHEMA tap_cp_b;
CREATE TABLE tap_cp_a.inv (customer_id text, currency text, open_amount numeric(12,2), due_date date);
CREATE TABLE tap_cp_b.inv (customer_id text, currency text, open_amount numeric(12,2), due_date date);
INSERT INTO tap_cp_a.inv VALUES ('K', 'EUR', 100, DATE '2026-12-31');
INSERT INTO tap_cp_b.inv VALUES ('K', 'EUR', 700, DATE '2026-12-31'), ('K', 'EUR', 5, DATE '2026-01-01');
DELETE FROM o2c.credit_source;
-- The source's table is named without its schema: the search_path says which.
SET LOCAL search_path = tap_cp_a, public;
INSERT INTO o2c.credit_source (source, query)
VALUES ('receivables', 'SELECT customer_id, currency, open_amount, due_date FROM inv');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('K', 'EUR', 1000, '2020-01-01');

-- Eight checks in a row: the distinct (exposure, reasons) they gave.
CREATE FUNCTION pg_temp.eight(amount numeric DEFAULT 1) RETURNS text[] LANGUAGE sql AS $$
  SELECT ARRAY(SELECT DISTINCT format('%s %s', c.exposure, c.reasons)
                 FROM generate_series(1, 8) i, o2c.credit_check('K', amount, 'EUR', DATE '2026-06-30') c)
$$;

SELECT is(pg_temp.eight(), ARRAY['100.00 {}'], 'the source reads tap_cp_a.inv');
SET LOCAL search_path = tap_cp_b, public;
SELECT is(pg_temp.eight(), ARRAY['705.00 {overdue}'], 'another search_path: the plan follows it to tap_cp_b.inv');
SET LOCAL search_path = tap_cp_a, public;
SELECT is(pg_temp.eight(), ARRAY['100.00 {}'], 'and back');

ALTER TABLE tap_cp_a.inv ALTER COLUMN open_amount TYPE numeric(14,4);
UPDATE tap_cp_a.inv SET open_amount = 100.1234;
SELECT is(pg_temp.eight(), ARRAY['100.1234 {}'], 'a column''s type changed under the plan');
ALTER TABLE tap_cp_a.inv ADD COLUMN note text;
ALTER TABLE tap_cp_a.inv DROP COLUMN customer_id;
ALTER TABLE tap_cp_a.inv ADD COLUMN customer_id text DEFAULT 'K';
SELECT is(pg_temp.eight(), ARRAY['100.1234 {}'], 'a column dropped and added again under the plan');
INSERT INTO tap_cp_a.inv (currency, open_amount, due_date) VALUES ('EUR', 50, DATE '2026-01-01');
SELECT is(pg_temp.eight(), ARRAY['150.1234 {overdue}'], 'a row inserted is seen by the next check');

UPDATE o2c.credit_source SET query = 'SELECT customer_id, currency, open_amount * 2 AS open_amount, due_date FROM inv';
SELECT is(pg_temp.eight(), ARRAY['300.2468 {overdue}'], 'a source changed: its new query');
UPDATE o2c.credit_policy SET overdue_days = 365;
INSERT INTO o2c.credit_policy (overdue_days) SELECT 365 WHERE NOT EXISTS (SELECT FROM o2c.credit_policy);
SELECT is(pg_temp.eight(), ARRAY['300.2468 {}'], 'the policy changed: its new days');
INSERT INTO o2c.credit_source (source, query)
VALUES ('orders', 'SELECT ''O-1'' AS order_id, ''K'' AS customer_id, ''EUR'' AS currency, 40.00 AS amount');
SELECT is(pg_temp.eight(), ARRAY['340.2468 {}'], 'a source added');
SELECT is(pg_temp.eight(700), ARRAY['340.2468 {over_limit}'], 'and the amount asked for, a parameter, is the one of each call');

-- Who checks: the plan kept for one role does not lend its rights to another.
CREATE ROLE tap_cp_clerk IN ROLE o2c_reader;
GRANT USAGE ON SCHEMA tap_cp_a TO tap_cp_clerk;
SELECT is(pg_temp.eight(), ARRAY['340.2468 {}'], 'the owner checks, and the plan is kept');
SET LOCAL ROLE tap_cp_clerk;
SELECT throws_ok($$SELECT pg_temp.eight()$$, '42501', 'permission denied for table inv',
                 'a role without SELECT on the source''s table is refused by the kept plan');
RESET ROLE;
GRANT SELECT ON tap_cp_a.inv TO tap_cp_clerk;
SET LOCAL ROLE tap_cp_clerk;
SELECT is(pg_temp.eight(), ARRAY['340.2468 {}'], 'granted, the same check passes');
RESET ROLE;

SELECT is((SELECT exposure FROM o2c.credit_state(array_append(ARRAY(SELECT 'Z' || g FROM generate_series(1, 150) g), 'K'),
                                                 array_fill('EUR'::text, ARRAY[151]), DATE '2026-06-30',
                                                 NULL, NULL, NULL, NULL, true)
            WHERE customer_id = 'K'), 340.2468, 'a check of 151 customers, planned for its own count, agrees');
SELECT is((SELECT count(*) FROM o2c.credit_state(NULL, NULL, DATE '2026-06-30', NULL, NULL, NULL, NULL, true)), 0::bigint,
          'no customers: no rows');
SELECT throws_ok($$SELECT * FROM o2c.credit_state_run(NULL, true, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                                      NULL, NULL, NULL, NULL, NULL)$$,
                 '22004', 'query and keep must not be null', 'credit_state_run without a query');
SELECT throws_ok($$SELECT * FROM o2c.credit_state_run('', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                                      NULL, NULL, NULL, NULL, NULL)$$,
                 '22023', 'the query of credit_state_run must be one query that returns rows', 'an empty query');
SELECT throws_ok($$SELECT * FROM o2c.credit_state_run('CREATE TABLE tap_cp_x ()', false, NULL, NULL, NULL, NULL, NULL,
                                                      NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '22023', 'the query of credit_state_run must be one query that returns rows', 'a command');
SELECT throws_ok($$SELECT * FROM o2c.credit_state_run('SELECT 1', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                                      NULL, NULL, NULL, NULL, NULL)$$,
                 '42804', 'the query of credit_state_run returns 1 columns, expected 11 (those of credit_state)',
                 'a query of other columns');
SELECT throws_ok($$SELECT * FROM o2c.credit_state_run('SELECT 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11', true, NULL, NULL, NULL,
                                                      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
                 '42804', 'column 1 of the query of credit_state_run has type integer, expected text',
                 'or of other types');
SELECT ok(NOT has_function_privilege('public', 'o2c.credit_state_run(text, boolean, text[], text[], date, text[], text[], text[], numeric[], integer, integer, text, boolean, boolean)', 'EXECUTE')
          AND has_function_privilege('o2c_reader', 'o2c.credit_state_run(text, boolean, text[], text[], date, text[], text[], text[], numeric[], integer, integer, text, boolean, boolean)', 'EXECUTE'),
          'credit_state_run: o2c_reader''s, as credit_state is, not PUBLIC''s');

SELECT * FROM finish();
ROLLBACK;

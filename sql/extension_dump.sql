-- pg_dump keeps o2c's user data: every table registered with
-- pg_extension_config_dump has its sequences (serial and identity columns)
-- registered too, so a restored database hands out new ids, never old ones.
SELECT c.relname AS config_table
FROM pg_extension e, unnest(e.extconfig) AS x(oid)
JOIN pg_class c ON c.oid = x.oid
WHERE e.extname = 'o2c' AND c.relkind = 'r'
ORDER BY 1;

SELECT s.relname AS sequence, t.relname AS of_table, a.attname AS of_column,
       s.oid = ANY (e.extconfig) AS config_dumped
FROM pg_extension e
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.classid = 'pg_class'::regclass
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE e.extname = 'o2c' AND d.deptype IN ('a', 'i')
  AND t.relnamespace = 'o2c'::regnamespace
ORDER BY 1;

-- pg_restore -j loads the data of extension tables in parallel, in any
-- order: no foreign key may link two of them. Triggers keep the references.
SELECT con.conname, con.conrelid::regclass, con.confrelid::regclass
FROM pg_constraint con
WHERE con.contype = 'f' AND con.conrelid = ANY (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'o2c');

SELECT c.relname AS "table", t.tgname AS "trigger"
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'o2c'::regnamespace
  AND t.tgfoid IN ('o2c.reference_check'::regproc, 'o2c.reference_action'::regproc)
ORDER BY 1, 2;

-- They act as foreign keys: a holiday needs its calendar ...
\set VERBOSITY default
\set SHOW_CONTEXT never
SET datestyle = ISO;
INSERT INTO o2c.calendar (name) VALUES ('DUMP-A'), ('DUMP-B');
INSERT INTO o2c.holiday (calendar, day) VALUES ('DUMP-A', '2025-01-01'), ('DUMP-B', '2025-01-01');
INSERT INTO o2c.holiday (calendar, day) VALUES ('DUMP-A', '2025-12-25'), ('DUMP-X', '2025-12-25');
INSERT INTO o2c.holiday (calendar, day) VALUES ('DUMP-A', '2025-12-25');
UPDATE o2c.holiday SET calendar = 'DUMP-Y' WHERE calendar = 'DUMP-B';
UPDATE o2c.holiday SET name = 'moved' WHERE calendar = 'DUMP-B';
COPY o2c.holiday (calendar, day) FROM stdin;
DUMP-Z	2025-05-01
\.
-- ... a renamed calendar takes its holidays along, a deleted one removes them
UPDATE o2c.calendar SET name = 'DUMP-C' WHERE name = 'DUMP-B';
SELECT calendar, day, name FROM o2c.holiday WHERE calendar LIKE 'DUMP-%' ORDER BY 1, 2;
DELETE FROM o2c.calendar WHERE name = 'DUMP-A';
SELECT calendar, day FROM o2c.holiday WHERE calendar LIKE 'DUMP-%' ORDER BY 1, 2;

-- ... and an output row's job_run_id names a run; pruning a run sets it NULL.
-- (an id of its own, so the job_run sequence is left to the jobs tests)
INSERT INTO o2c.job_run (id, job) OVERRIDING SYSTEM VALUE VALUES (-7, 'dump_check');
\set run_id -7
INSERT INTO o2c.aging_snapshot (as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
                                total, overdue, items, job_run_id)
VALUES ('2025-01-31', 'C1', 'EUR', 1, 0, 0, 0, 0, 1, 0, 1, :run_id);
INSERT INTO o2c.aging_snapshot (as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
                                total, overdue, items, job_run_id)
VALUES ('2025-01-31', 'C2', 'EUR', 1, 0, 0, 0, 0, 1, 0, 1, :run_id + 1000);
INSERT INTO o2c.dunning_notice (invoice_id, policy, level, due, as_of, amount, fee, interest, action, job_run_id)
VALUES ('I1', 'p', 1, '2025-01-01', '2025-01-31', 10, 0, 0, 'remind', :run_id);
INSERT INTO o2c.cash_match (payment_id, invoice_id, applied_amount, rule, status, job_run_id)
VALUES ('P1', 'I1', 10, 'reference', 'auto', :run_id);
UPDATE o2c.cash_match SET job_run_id = -1 WHERE payment_id = 'P1';
DELETE FROM o2c.job_run WHERE id = :run_id;
SELECT 'aging_snapshot' AS t, job_run_id FROM o2c.aging_snapshot WHERE customer_id = 'C1'
UNION ALL SELECT 'dunning_notice', job_run_id FROM o2c.dunning_notice WHERE invoice_id = 'I1'
UNION ALL SELECT 'cash_match', job_run_id FROM o2c.cash_match WHERE payment_id = 'P1';

-- While check_function_bodies is off, as in a restore, order does not matter.
SET check_function_bodies = off;
INSERT INTO o2c.holiday (calendar, day) VALUES ('DUMP-LATER', '2025-01-01');
INSERT INTO o2c.cash_match (payment_id, invoice_id, applied_amount, rule, status, job_run_id)
VALUES ('P2', 'I2', 10, 'reference', 'auto', :run_id + 1000);
RESET check_function_bodies;
INSERT INTO o2c.calendar (name) VALUES ('DUMP-LATER');
SELECT calendar, day FROM o2c.holiday WHERE calendar = 'DUMP-LATER';

TRUNCATE o2c.calendar;
SELECT count(*) AS holidays_left FROM o2c.holiday;
DELETE FROM o2c.aging_snapshot;
DELETE FROM o2c.dunning_notice;
DELETE FROM o2c.cash_match;

-- The triggers build their SQL at run time: a look-alike operator in the
-- caller's search_path is never used.
CREATE SCHEMA dump_hostile;
CREATE TABLE dump_hostile.calls (what text);
CREATE FUNCTION dump_hostile.note(a text, b text) RETURNS boolean LANGUAGE sql
    AS $$ INSERT INTO dump_hostile.calls VALUES ('='); SELECT pg_catalog.texteq(a, b) $$;
CREATE OPERATOR dump_hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = dump_hostile.note);
SET search_path = dump_hostile, public, pg_catalog;
INSERT INTO o2c.calendar (name) VALUES ('DUMP-H');
INSERT INTO o2c.holiday (calendar, day) VALUES ('DUMP-H', '2025-01-01');
UPDATE o2c.holiday SET calendar = 'DUMP-H', name = 'x' WHERE calendar OPERATOR(pg_catalog.=) 'DUMP-H';
UPDATE o2c.calendar SET name = 'DUMP-I' WHERE name OPERATOR(pg_catalog.=) 'DUMP-H';
DELETE FROM o2c.calendar WHERE name OPERATOR(pg_catalog.=) 'DUMP-I';
RESET search_path;
SELECT count(*) AS hostile_calls FROM dump_hostile.calls;
SELECT count(*) AS holidays_left FROM o2c.holiday;
DROP SCHEMA dump_hostile CASCADE;

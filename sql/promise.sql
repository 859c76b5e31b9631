-- Promises to pay: recorded by a collector, settled by the payments that
-- arrive, holding dunning while open and raising it once broken.
-- In a database of its own: its jobs, notices and matches do not shift
-- the ids the other tests show.
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_promise_test;
CREATE DATABASE o2c_promise_test;
\c o2c_promise_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;
CREATE TABLE pr_invoices (
    invoice_id text, customer_id text, due_date date, open_amount numeric(12,2), currency text);
INSERT INTO pr_invoices VALUES
    ('A-1', 'ACME',   '2026-05-25', 1000.00, 'EUR'),
    ('A-2', 'ACME',   '2026-05-25',  500.00, 'EUR'),
    ('B-1', 'BOREAL', '2026-05-25',  800.00, 'EUR'),
    ('C-1', 'CASTOR', '2026-05-25',  300.00, 'USD'),
    ('D-1', 'DELTA',  '2026-05-25',  600.00, 'EUR');
CREATE TABLE pr_payments (
    payment_id text, customer_id text, received_on date, amount numeric(12,2), currency text, invoice_id text);

-- Four promises made on 1 June: ACME pays A-1 by 10 June, BOREAL its balance
-- by 12 June, CASTOR 300 USD by 5 June, DELTA 600 by 8 June.
SELECT o2c.record_promise('ACME', 'EUR', 1000.00, '2026-06-10', '{A-1}', 'called Ana', '2026-06-01') AS acme;
SELECT o2c.record_promise('BOREAL', 'eur', 800.00, '2026-06-12', NULL, NULL, '2026-06-01') AS boreal;
SELECT o2c.record_promise('CASTOR', 'USD', 300.00, '2026-06-05', NULL, NULL, '2026-06-01') AS castor;
SELECT o2c.record_promise('DELTA', 'EUR', 600.00, '2026-06-08', NULL, NULL, '2026-06-01') AS delta;
SELECT id, customer_id, currency, amount, promised_on, due_on, invoice_ids, status FROM o2c.promise ORDER BY id;

-- While open, dunning holds the promised invoices, to the end of the grace
-- days (3 by default): on 9 June, 15 days past due (level 1), A-2 is dunned
-- but not A-1, nor BOREAL's or DELTA's; CASTOR's grace ended on 8 June.
SELECT o2c.install_example_policy() AS example_levels;
CALL o2c.run_dunning('SELECT * FROM pr_invoices', 'example', '2026-06-09');
SELECT invoice_id, level FROM o2c.dunning_notice ORDER BY invoice_id;

-- Payments arrive: ACME pays A-1 in two parts, BOREAL pays 500, DELTA pays
-- for another invoice only (it counts for a balance promise), CASTOR nothing.
INSERT INTO pr_payments VALUES
    ('P-1', 'ACME',   '2026-06-05',  400.00, 'EUR', 'A-1'),
    ('P-2', 'ACME',   '2026-06-09',  600.00, 'EUR', 'A-1'),
    ('P-3', 'ACME',   '2026-06-09',  500.00, 'EUR', 'A-2'),
    ('P-4', 'BOREAL', '2026-06-11',  500.00, 'EUR', NULL),
    ('P-5', 'DELTA',  '2026-05-20',  600.00, 'EUR', 'D-1');   -- before the promise: does not count
CALL o2c.run_promise_check('SELECT * FROM pr_payments', '2026-06-09', 'example', 'default');
-- On 9 June ACME's promise is kept (the payment of A-2 does not count for
-- A-1) and CASTOR's broken (its grace days ended on 8 June); BOREAL's and
-- DELTA's are still open.
SELECT id, customer_id, status, paid_amount, decided_on FROM o2c.promise ORDER BY id;

-- On 20 June every grace period is over.
CALL o2c.run_promise_check('SELECT * FROM pr_payments', '2026-06-20', 'example');
SELECT id, customer_id, status, paid_amount, decided_on FROM o2c.promise ORDER BY id;
SELECT promise_id, payment_id, invoice_id, amount FROM o2c.promise_payment ORDER BY promise_id, payment_id;
-- Run again: nothing changes.
CALL o2c.run_promise_check('SELECT * FROM pr_payments', '2026-06-20', 'example');
SELECT pg_catalog.md5(pg_catalog.string_agg(p::text, ',' ORDER BY id)) =
       (SELECT pg_catalog.md5(pg_catalog.string_agg(q::text, ',' ORDER BY id)) FROM o2c.promise q) AS unchanged
FROM o2c.promise p;

-- Dunning on 20 June, 26 days past due (level 2): CASTOR's and DELTA's
-- broken promises raise their invoices to level 3, once; BOREAL's partly
-- kept promise does not.
CALL o2c.run_dunning('SELECT * FROM pr_invoices', 'example', '2026-06-20');
SELECT invoice_id, level, action FROM o2c.dunning_notice ORDER BY invoice_id, level;
SELECT customer_id, status, escalated_run IS NOT NULL AS escalated FROM o2c.promise ORDER BY id;
CALL o2c.run_dunning('SELECT * FROM pr_invoices', 'example', '2026-06-21');
SELECT pg_catalog.count(*) AS notices_after_another_day FROM o2c.dunning_notice;

-- A collection policy with 10 grace days and no escalation.
INSERT INTO o2c.collection_policy (policy, promise_grace_days, escalate_broken_promises) VALUES ('example', 10, false);
SELECT o2c.record_promise('ACME', 'EUR', 500.00, '2026-06-25', '{A-2}', NULL, '2026-06-20') AS acme_again;
CALL o2c.run_promise_check('SELECT * FROM pr_payments', '2026-07-02', 'example');
SELECT customer_id, status FROM o2c.promise WHERE invoice_ids = '{A-2}';
SELECT o2c.cancel_promise((SELECT id FROM o2c.promise WHERE invoice_ids = '{A-2}'), 'customer disputes A-2');
SELECT customer_id, status, note FROM o2c.promise WHERE invoice_ids = '{A-2}';

-- The collector's numbers.
SELECT collector = current_user AS mine, month, currency, promises, kept, partly_kept, broken, open,
       kept_rate, promised_amount, paid_amount, kept_amount_rate
FROM o2c.promise_kpi ORDER BY month, currency;

-- Errors.
SELECT o2c.record_promise('ACME', 'EURO', 10, '2026-07-01', NULL, NULL, '2026-06-01');
SELECT o2c.record_promise('ACME', 'EUR', 0, '2026-07-01');
SELECT o2c.record_promise('ACME', 'JPY', 10.5, '2026-07-01');
SELECT o2c.record_promise('ACME', 'EUR', 10, '2026-05-01', NULL, NULL, '2026-06-01');
SELECT o2c.record_promise('ACME', 'EUR', 10, '2026-07-01', '{}', NULL, '2026-06-01');
SELECT o2c.record_promise(' ', 'EUR', 10, '2026-07-01');
SELECT o2c.record_promise('ACME', 'EUR', NULL, '2026-07-01');
SELECT o2c.cancel_promise(999999);
SELECT o2c.cancel_promise((SELECT min(id) FROM o2c.promise));
CALL o2c.run_promise_check('SELECT customer_id, amount FROM pr_payments', '2026-07-02');
-- A failed job's error carries the user's inner query as its context, not
-- the o2c procedures the run went through.
\set SHOW_CONTEXT errors
CALL o2c.run_promise_check('SELECT customer_id, amount FROM pr_payments', '2026-07-02');
CALL o2c.run_promise_check('SELECT * FROM no_such_payments', '2026-07-02');
\set SHOW_CONTEXT never
SELECT o2c.settle_promises('SELECT * FROM pr_payments', '2026-07-02', -1);

\c :regress_db
DROP DATABASE o2c_promise_test;

-- The dunning, quality-scan and cash-application jobs, and the outbox.
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
SELECT o2c.install_example_policy() AS levels_added;
SELECT level, days_after_due, fee, annual_interest_rate, action
FROM o2c.dunning_policy WHERE policy = 'example' ORDER BY level;

CREATE TABLE run_invoices (
    invoice_id   text,
    customer_id  text,
    customer_name text,
    invoice_date date,
    due_date     date,
    amount       numeric(12,2),
    open_amount  numeric(12,2),
    currency     text,
    reference    text
);
INSERT INTO run_invoices VALUES
    ('INV-101', 'ACME',   'Acme Corp.',  '2024-05-21', '2024-06-20', 1000.00, 1000.00, 'EUR', 'INV-101'),  -- 10 days late
    ('INV-102', 'ACME',   'Acme Corp.',  '2024-05-06', '2024-06-05',  250.00,  250.00, 'EUR', 'INV-102'),  -- 25 days late
    ('INV-103', 'BOREAL', 'Boreal AB',   '2024-04-01', '2024-05-01', 7300.00, 7300.00, 'EUR', 'INV-103'),  -- 60 days late
    ('INV-104', 'BOREAL', 'Boreal AB',   '2024-05-29', '2024-06-28',  400.00,  400.00, 'EUR', 'INV-104'),  -- 2 days late
    ('INV-105', 'CASTOR', 'Castor GmbH', '2024-04-01', '2024-05-01',  900.00,    0.00, 'EUR', 'INV-105');  -- paid

-- Dunning as of 2024-06-30: each invoice at the highest level it reached.
CALL o2c.run_dunning('SELECT * FROM run_invoices', 'example', '2024-06-30');
SELECT invoice_id, level, due, as_of, amount, currency, fee, interest, action
FROM o2c.dunning_notice ORDER BY invoice_id, level;

-- The same day again: nothing is noticed twice.
CALL o2c.run_dunning('SELECT * FROM run_invoices', 'example', '2024-06-30');
SELECT count(*) AS notices FROM o2c.dunning_notice;

-- A week later: INV-104 reaches its first level; the others have nothing new.
CALL o2c.run_dunning('SELECT * FROM run_invoices', 'example', '2024-07-07');
SELECT invoice_id, level, as_of, action FROM o2c.dunning_notice WHERE as_of = '2024-07-07';

-- The worklist with the policy: the highest dunning level first.
SELECT currency, priority_rank, customer_id, dunning_level, overdue, priority, reason
FROM o2c.collection_worklist('SELECT * FROM run_invoices', '2024-06-30', 'example');

-- With a risk model trained on the payment history: the reason names the
-- grade and the features behind it; priority is weighted by 1 + probability.
CREATE TABLE run_history AS
SELECT 'H' || i AS invoice_id, c.cust AS customer_id,
       DATE '2023-01-01' + i * 7 AS invoice_date, DATE '2023-01-31' + i * 7 AS due_date,
       (100 + i)::numeric(12,2) AS amount,
       DATE '2023-01-31' + i * 7 + CASE WHEN c.cust = 'ACME' THEN 5 + (i % 4) * 10
                                        ELSE (i % 5) - 2 END AS paid_on
FROM generate_series(1, 30) i, (VALUES ('ACME'), ('BOREAL')) c(cust);
CALL o2c.train_risk_model('worklist', 'SELECT * FROM run_history', '2024-06-30');
SELECT currency, priority_rank, customer_id, dunning_level, risk_grade, late_probability, reason
FROM o2c.collection_worklist('SELECT * FROM run_invoices', '2024-06-30', NULL,
     '{"risk_model": "worklist", "history_sql": "SELECT * FROM run_history"}');
SELECT * FROM o2c.collection_worklist('SELECT * FROM run_invoices', '2024-06-30', NULL, '{"risk_model": "worklist"}');
SELECT * FROM o2c.collection_worklist('SELECT * FROM run_invoices', '2024-06-30', NULL, '{"model": "worklist"}');

-- An unknown policy fails the run, which is logged.
CALL o2c.run_dunning('SELECT * FROM run_invoices', 'no such policy', '2024-06-30');

-- Quality scan into o2c.finding: a rerun replaces the findings of its source.
INSERT INTO run_invoices VALUES
    ('INV-106', 'DELTA', 'Delta SA', '2024-06-10', '2024-06-01', 50.00, 50.00, 'EUR', 'INV-106'),   -- due before issued
    ('INV-107', NULL,    NULL,       '2024-06-10', '2024-07-10', -5.00, -5.00, 'EUR', 'INV-107');   -- no customer (a credit note)
CALL o2c.run_quality_scan('SELECT * FROM run_invoices', '{"rules": ["due_before_invoice", "missing_customer", "zero_amount"]}');
CALL o2c.run_quality_scan('SELECT * FROM run_invoices', '{"rules": ["due_before_invoice", "missing_customer", "zero_amount"]}');
SELECT source, row_key, rule, severity FROM o2c.finding WHERE source = 'quality_scan' ORDER BY row_key, rule;

-- Cash application into o2c.cash_match.
CREATE TABLE run_payments (
    payment_id  text,
    received_on date,
    amount      numeric(12,2),
    currency    text,
    payer_name  text,
    reference   text
);
INSERT INTO run_payments VALUES
    ('PAY-1', '2024-07-01', 1000.00, 'EUR', 'ACME CORP',   'Invoice INV-101'),
    ('PAY-2', '2024-07-01', 7300.00, 'EUR', 'Boreal AB',   'INV 103 thanks'),
    ('PAY-3', '2024-07-02',   77.00, 'EUR', 'Someone Else', 'gift');
CALL o2c.run_cash_application('SELECT * FROM run_payments',
                              'SELECT * FROM run_invoices WHERE open_amount > 0');
CALL o2c.run_cash_application('SELECT * FROM run_payments',
                              'SELECT * FROM run_invoices WHERE open_amount > 0');
SELECT payment_id, invoice_id, applied_amount, rule, status FROM o2c.cash_match ORDER BY payment_id, invoice_id;

-- The outbox: what a mailer still has to send.
SELECT table_name, summary FROM o2c.outbox ORDER BY table_name, id;
UPDATE o2c.dunning_notice SET sent_at = now() WHERE invoice_id = 'INV-101';
SELECT count(*) AS unsent FROM o2c.outbox;

SELECT job, status, rows_read, rows_written, sqlstate, error FROM o2c.job_run ORDER BY id;

-- A sent application is final. P-6 pays S-5 and is announced; P-10, for the
-- same invoice, arrives later and sorts first: it does not take S-5 while
-- P-6 is still read (not yet posted), and P-6's sent row is never replaced.
CREATE TABLE sent_invoices (invoice_id text, customer_id text, open_amount numeric, reference text);
INSERT INTO sent_invoices VALUES ('S-5', 'C1', 100.00, 'S-5'), ('S-6', 'C1', 40.00, 'S-6');
CREATE TABLE sent_payments (payment_id text, amount numeric, reference text);
INSERT INTO sent_payments VALUES ('P-6', 100.00, 'pays S-5');
CALL o2c.run_cash_application('SELECT * FROM sent_payments ORDER BY payment_id',
                              'SELECT * FROM sent_invoices WHERE open_amount > 0', '{}', 'sent');
UPDATE o2c.cash_match SET sent_at = now() WHERE ledger = 'sent' AND status = 'auto';
SELECT id AS p6_id FROM o2c.cash_match WHERE ledger = 'sent' AND payment_id = 'P-6' \gset
INSERT INTO sent_payments VALUES ('P-10', 100.00, 'pays S-5');
CALL o2c.run_cash_application('SELECT * FROM sent_payments ORDER BY payment_id',
                              'SELECT * FROM sent_invoices WHERE open_amount > 0', '{}', 'sent');
SELECT payment_id, invoice_id, applied_amount, rule, status, sent_at IS NOT NULL AS sent,
       id = :p6_id AS same_row
  FROM o2c.cash_match WHERE ledger = 'sent' ORDER BY payment_id, invoice_id;
-- The same through match_payments: applied_sql names the applications made.
SELECT * FROM o2c.match_payments('SELECT * FROM sent_payments ORDER BY payment_id',
    'SELECT * FROM sent_invoices WHERE open_amount > 0',
    '{"applied_sql": "SELECT ''P-6'' AS payment_id, ''S-5'' AS invoice_id, 100 AS amount"}');
-- P-6 posted (S-5 paid, P-6 no longer read): still one row, still sent.
UPDATE sent_invoices SET open_amount = 0 WHERE invoice_id = 'S-5';
DELETE FROM sent_payments WHERE payment_id = 'P-6';
CALL o2c.run_cash_application('SELECT * FROM sent_payments ORDER BY payment_id',
                              'SELECT * FROM sent_invoices WHERE open_amount > 0', '{}', 'sent');
SELECT payment_id, invoice_id, applied_amount, rule, status, sent_at IS NOT NULL AS sent,
       id = :p6_id AS same_row
  FROM o2c.cash_match WHERE ledger = 'sent' ORDER BY payment_id, invoice_id;
\set VERBOSITY terse
SELECT * FROM o2c.match_payments('SELECT * FROM sent_payments', 'SELECT * FROM sent_invoices', '{"applied_sql": 1}');
SELECT * FROM o2c.match_payments('SELECT * FROM sent_payments', 'SELECT * FROM sent_invoices',
    '{"applied_sql": "SELECT 1 AS payment_id, 2 AS invoice_id"}');
\set VERBOSITY default
DELETE FROM o2c.cash_match WHERE ledger = 'sent';
DROP TABLE sent_invoices, sent_payments;

DELETE FROM o2c.cash_match;
DELETE FROM o2c.dunning_notice;
DELETE FROM o2c.finding WHERE source = 'quality_scan';
DELETE FROM o2c.job_run;
DELETE FROM o2c.dunning_policy;
DELETE FROM o2c.risk_model WHERE name = 'worklist';
DROP TABLE run_invoices, run_payments, run_history;

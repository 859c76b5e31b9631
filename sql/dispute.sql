-- Disputes and deductions: opened by hand or from cash application's short
-- pays, left out of dunning while open, resolved, reported.
-- In a database of its own: its jobs, notices and matches do not shift
-- the ids the other tests show.
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_dispute_test;
CREATE DATABASE o2c_dispute_test;
\c o2c_dispute_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;
SELECT o2c.install_dispute_reasons() AS reasons_added, o2c.install_dispute_reasons() AS added_again;
SELECT code, label, owner_role FROM o2c.dispute_reason ORDER BY code;

CREATE TABLE dp_invoices (
    invoice_id text, customer_id text, customer_name text, invoice_date date, due_date date,
    open_amount numeric(12,2), currency text, reference text);
INSERT INTO dp_invoices VALUES
    ('INV-1', 'ACME',   'Acme Corp.',   '2026-04-01', '2026-05-01', 1000.00, 'EUR', 'INV-1'),
    ('INV-2', 'ACME',   'Acme Corp.',   '2026-04-05', '2026-05-05',  480.00, 'EUR', 'INV-2'),
    ('INV-3', 'BOREAL', 'Boreal AB',    '2026-04-10', '2026-05-10', 2500.00, 'EUR', 'INV-3'),
    ('INV-4', 'CASTOR', 'Castor GmbH',  '2026-04-12', '2026-05-12',  300.00, 'EUR', 'INV-4');
CREATE TABLE dp_payments (
    payment_id text, received_on date, amount numeric(12,2), currency text, payer_name text, reference text);
INSERT INTO dp_payments VALUES
    ('P-1', '2026-05-20', 2425.00, 'EUR', 'Boreal AB', 'INV-3 less 3% promo rebate'),
    ('P-2', '2026-05-21',  200.00, 'EUR', 'Castor GmbH', 'INV-4 first part');

-- ACME says 200.00 of INV-1 was overpriced.
SELECT o2c.open_dispute('INV-1', 'EUR', 200.00, 'pricing', 'ACME', NULL, 'price list of March', '2026-05-15') AS acme;

-- Cash application: BOREAL short-paid INV-3 by its rebate, CASTOR paid part of INV-4.
CALL o2c.run_cash_application('SELECT * FROM dp_payments',
                              'SELECT * FROM dp_invoices', '{"tolerance": 100}');
SELECT payment_id, invoice_id, applied_amount, rule, status FROM o2c.cash_match ORDER BY payment_id;
-- One call opens a deduction per short pay or partial payment, once.
SELECT * FROM o2c.open_deductions('SELECT * FROM dp_invoices', 'SELECT * FROM dp_payments', 'deduction',
                                  'default', '2026-05-22');
SELECT count(*) AS opened_again FROM o2c.open_deductions('SELECT * FROM dp_invoices', 'SELECT * FROM dp_payments');
SELECT id, invoice_id, customer_id, amount, reason, owner, opened_on, payment_id, remittance, status
FROM o2c.dispute ORDER BY id;

-- Dunning leaves the disputed amounts out: INV-1 is dunned on 800.00.
SELECT o2c.install_example_policy() AS example_levels;
CALL o2c.run_dunning($$SELECT invoice_id, customer_id, due_date, open_amount, currency FROM dp_invoices
                       WHERE invoice_id IN ('INV-1', 'INV-2')$$, 'example', '2026-06-01');
SELECT invoice_id, level, amount FROM o2c.dunning_notice ORDER BY invoice_id;

-- Resolved: the pricing dispute credited, the rebate written off.
SELECT o2c.resolve_dispute((SELECT id FROM o2c.dispute WHERE reason = 'pricing'), 'credited', 'credit note CN-7', '2026-06-03');
SELECT o2c.resolve_dispute((SELECT id FROM o2c.dispute WHERE payment_id = 'P-1'), 'written_off', NULL, '2026-06-10');
SELECT invoice_id, status, resolution, resolved_on, note FROM o2c.dispute ORDER BY id;
SELECT ledger, month, reason, resolution, currency, disputes, amount, avg_days_to_resolve FROM o2c.dispute_outcome;
SELECT ledger, reason, owner, currency, open_disputes, amount FROM o2c.dispute_aging;
-- Root causes: by reason and segment (from the strategies), against what was invoiced.
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES
    ('wholesale', 1, '{"segment": "wholesale"}', 'call'), ('others', 2, '{}', 'email');
SELECT customer_id, strategy FROM o2c.assign_strategies(
    $$SELECT DISTINCT customer_id, CASE WHEN customer_id = 'BOREAL' THEN 'wholesale' END AS segment FROM dp_invoices$$,
    '2026-06-30');
SELECT * FROM o2c.dispute_root_causes(
    'SELECT invoice_id, customer_id, invoice_date, open_amount AS amount, currency FROM dp_invoices',
    '2026-04-01', '2026-04-30');

-- Errors.
SELECT o2c.open_dispute('INV-1', 'EUR', 10, 'weather');
SELECT o2c.open_dispute('INV-1', 'EURO', 10, 'pricing');
SELECT o2c.open_dispute('INV-1', 'EUR', -5, 'pricing');
SELECT o2c.open_dispute('INV-1', 'EUR', 10.001, 'pricing');
SELECT o2c.open_dispute(NULL, 'EUR', 10, 'pricing');
SELECT o2c.resolve_dispute(1, 'forgotten');
SELECT o2c.resolve_dispute(1, 'collected');
SELECT o2c.resolve_dispute(999999, 'collected');
SELECT o2c.resolve_dispute((SELECT id FROM o2c.dispute WHERE status = 'open'), 'collected', NULL, '2026-01-01');

\c :regress_db
DROP DATABASE o2c_dispute_test;

-- Reports for BI tools: DSO per month from snapshots, and the collector's
-- worklist.
SET client_min_messages = warning;
SET datestyle = ISO;
CREATE TABLE rep_invoices (
    id       text,
    cust     text,
    name     text,
    issued   date,
    due      date,
    amount   numeric(12,2),
    open_amt numeric(12,2),
    cur      text
);
INSERT INTO rep_invoices VALUES
    ('I1', 'ACME',   'Acme Corp.',  '2024-05-02', '2024-06-01', 1000.00, 1000.00, 'EUR'),
    ('I2', 'ACME',   'Acme Corp.',  '2024-05-20', '2024-06-19',  500.00,    0.00, 'EUR'),
    ('I3', 'ACME',   'Acme Corp.',  '2024-06-10', '2024-07-10',  300.00,  300.00, 'EUR'),
    ('I4', 'BOREAL', 'Boreal AB',   '2024-03-01', '2024-03-31',  200.00,  200.00, 'EUR'),
    ('I5', 'BOREAL', 'Boreal AB',   '2024-06-15', '2024-07-15', 2000.00, 2000.00, 'EUR'),
    ('I6', 'CASTOR', 'Castor GmbH', '2024-06-01', '2024-06-20',  900.00,  900.00, 'USD');

-- Two month-end snapshots (May as it stood then, June as it stands).
CALL o2c.snapshot_aging($$SELECT cust AS customer_id, due AS due_date, amount AS open_amount, cur AS currency
                          FROM rep_invoices WHERE issued <= DATE '2024-05-31'$$, '2024-05-31', ledger => 'rep');
CALL o2c.snapshot_aging($$SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount, cur AS currency
                          FROM rep_invoices$$, '2024-06-30', ledger => 'rep');

-- May: EUR receivables 1700 (1000 + 500 + 200), 1500 current; sales in May
-- 1500 over 31 days: DSO 1700/1500*31 = 35.13.
SELECT * FROM o2c.dso_trend('SELECT issued AS invoice_date, amount, cur AS currency FROM rep_invoices', 'rep');

SELECT currency, priority_rank, customer_id, customer_name, overdue, d91_plus, overdue_items,
       oldest_days_past_due, avg_days_past_due, priority, reason
FROM o2c.collection_worklist(
    'SELECT id AS invoice_id, cust AS customer_id, name AS customer_name, due AS due_date,
            open_amt AS open_amount, cur AS currency FROM rep_invoices', '2024-06-30');

-- A currency in credit (a large credit note): its DSO is NULL beside the
-- negative receivables, and the other rows are still given.
CALL o2c.snapshot_aging($$SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount, cur AS currency
                          FROM rep_invoices
                          UNION ALL SELECT 'CASTOR', DATE '2024-06-25', -1500.00, 'USD'$$, '2024-06-30', ledger => 'rep_credit');
SELECT as_of, currency, credit_sales, receivables, current_receivables, dso, best_possible_dso, average_days_delinquent
FROM o2c.dso_trend('SELECT issued AS invoice_date, amount, cur AS currency FROM rep_invoices', 'rep_credit');

-- Errors name the column.
SELECT * FROM o2c.dso_trend('SELECT issued AS invoice_date FROM rep_invoices', 'rep');
-- An error in the worklist's inner query: at the default verbosity its
-- CONTEXT names the user's query, then the function called, never the
-- worklist's own SQL.
\set VERBOSITY default
\set SHOW_CONTEXT errors
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due::text AS due_date, open_amt AS open_amount FROM rep_invoices', '2024-06-30');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, open_amt / 0 AS open_amount FROM rep_invoices', '2024-06-30');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, 1 / 0 AS open_amount FROM rep_invoices', '2024-06-30', 'example');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount FROM no_such_table', '2024-06-30', NULL, '{}');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount FROM rep_invoices', '2024-06-30', 'no such policy');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount FROM rep_invoices', '2024-06-30', NULL,
    '{"risk_model": "none", "history_sql": "SELECT 1"}');
SELECT * FROM o2c.collection_worklist('SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount FROM rep_invoices', '2024-06-30', NULL,
    '{"x": 1}');
\set SHOW_CONTEXT never

DELETE FROM o2c.aging_snapshot WHERE ledger = 'rep';
DELETE FROM o2c.job_run;
DROP TABLE rep_invoices;

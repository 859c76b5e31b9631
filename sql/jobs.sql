-- Jobs: snapshot_aging writes per-customer aging; a rerun replaces, never
-- doubles; a failed run is logged and leaves the outputs untouched.
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE TABLE jobs_invoices (
    id       int,
    cust     text,
    due      date,
    open_amt numeric(12,2),
    cur      text
);
INSERT INTO jobs_invoices VALUES
    (1, 'ACME',   '2024-07-10',  500.00, 'EUR'),
    (2, 'ACME',   '2024-06-20',  120.00, 'EUR'),
    (3, 'ACME',   '2024-03-01',   80.00, 'EUR'),
    (4, 'ACME',   '2024-06-01',  300.00, 'USD'),
    (5, 'BOREAL', '2024-05-15', 1000.00, 'EUR'),
    (6, 'BOREAL', '2024-04-15',  -50.00, 'EUR'),
    (7, 'CASTOR', '2024-06-30',   42.00, NULL);

CALL o2c.snapshot_aging(
    'SELECT id AS invoice_id, cust AS customer_id, due AS due_date, open_amt AS open_amount, cur AS currency FROM jobs_invoices',
    '2024-06-30');
SELECT ledger, as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus,
       total, overdue, items, avg_days_past_due
FROM o2c.aging_snapshot ORDER BY customer_id, currency;

-- The same day again, after a payment: replaced, not doubled.
UPDATE jobs_invoices SET open_amt = 0 WHERE id = 5;
CALL o2c.snapshot_aging(
    'SELECT id AS invoice_id, cust AS customer_id, due AS due_date, open_amt AS open_amount, cur AS currency FROM jobs_invoices',
    '2024-06-30');
SELECT customer_id, currency, total, items FROM o2c.aging_snapshot ORDER BY customer_id, currency;

-- Another ledger and custom bounds live beside it.
CALL o2c.snapshot_aging(
    'SELECT cust AS customer_id, due AS due_date, open_amt AS open_amount, cur AS currency FROM jobs_invoices',
    '2024-06-30', '{0,60}', 'subsidiary');
SELECT ledger, customer_id, currency, total, bounds, labels, amounts
FROM o2c.aging_snapshot ORDER BY ledger, customer_id, currency;

-- The trend view, per ledger, date, currency and bucket.
SELECT ledger, as_of, currency, bucket, amount, customers
FROM o2c.aging_trend WHERE ledger = 'default' ORDER BY currency, bucket_order;

-- A failing run: the error is raised and recorded; the outputs stay.
CALL o2c.snapshot_aging('SELECT cust AS customer_id, due::timestamp AS due_date, open_amt AS open_amount FROM jobs_invoices',
                        '2024-06-30');
CALL o2c.snapshot_aging('SELECT cust AS customer_id, open_amt AS open_amount FROM jobs_invoices', '2024-06-30');
CALL o2c.snapshot_aging('SELECT cust AS customer_id FROM no_such_table', '2024-06-30');
CALL o2c.snapshot_aging('SELECT 1', '2024-06-30', options => '{"hurry": true}');
SELECT count(*) AS rows_still_there FROM o2c.aging_snapshot WHERE ledger = 'default';

SELECT id, job, status, rows_read, rows_written, sqlstate, error,
       args ->> 'ledger' AS ledger, finished_at >= started_at AS timed
FROM o2c.job_run ORDER BY id;

SELECT job, last_run_id, last_status, last_rows_read, last_rows_written, last_error, failures_7d
FROM o2c.job_health;

DELETE FROM o2c.aging_snapshot;
DELETE FROM o2c.job_run;
DROP TABLE jobs_invoices;

-- Receivables aging: days past due, bucket labels, the aging aggregates.

-- days_past_due is as_of - due: negative while not yet due.
SELECT o2c.days_past_due('2024-06-30', '2024-06-30') AS due_today,
       o2c.days_past_due('2024-05-31', '2024-06-30') AS thirty_late,
       o2c.days_past_due('2024-07-15', '2024-06-30') AS not_yet_due,
       o2c.days_past_due('2024-02-28', '2024-03-01') AS over_leap_day;

-- Bucket edges with the default bounds {0,30,60,90}: a day count <= a bound
-- falls in that bound's bucket.
SELECT d AS days_past_due,
       o2c.aging_bucket(DATE '2024-06-30' - d, DATE '2024-06-30') AS bucket
FROM unnest(ARRAY[-10, 0, 1, 30, 31, 60, 61, 90, 91, 400]) AS d;

-- Custom bounds give labels of the same form.
SELECT d AS days_past_due,
       o2c.aging_bucket(DATE '2024-06-30' - d, DATE '2024-06-30', '{7,14,45}') AS bucket
FROM unnest(ARRAY[0, 7, 8, 14, 15, 45, 46]) AS d;

-- A small ledger: three customers, credit notes, NULLs, mixed scales.
CREATE TABLE ledger (
    invoice_id  text,
    customer_id text,
    due_date    date,
    open_amount numeric
);
INSERT INTO ledger VALUES
    ('INV-1001', 'ACME',   '2024-07-15', 1200.00),   -- not yet due
    ('INV-1002', 'ACME',   '2024-06-30',  300.00),   -- due today: current
    ('INV-1003', 'ACME',   '2024-06-10',  250.50),   -- 20 days
    ('INV-1004', 'ACME',   '2024-04-01',   80.00),   -- 90 days
    ('CN-0007',  'ACME',   '2024-04-01',  -30.00),   -- credit note, 90 days
    ('INV-2001', 'BOREAL', '2024-05-31', 1000),      -- 30 days
    ('INV-2002', 'BOREAL', '2024-05-30', 2000.5),    -- 31 days
    ('INV-2003', 'BOREAL', '2024-03-31',  500),      -- 91 days
    ('INV-2004', 'BOREAL', NULL,          999.99),   -- no due date: skipped
    ('INV-2005', 'BOREAL', '2024-01-01',  NULL),     -- no amount: skipped
    ('INV-3001', 'CASTOR', '2024-08-01',   42.125);  -- three decimals

SELECT customer_id, (o2c.aging(open_amount, due_date, DATE '2024-06-30')).*
FROM ledger
GROUP BY customer_id
ORDER BY customer_id;

-- The whole book: every bucket equals sum() over the same rows.
SELECT (o2c.aging(open_amount, due_date, DATE '2024-06-30')).* FROM ledger;

-- No rows: zero buckets, no items, no average.
SELECT (o2c.aging(open_amount, due_date, DATE '2024-06-30')).* FROM ledger WHERE false;

-- A ladder over custom bounds.
SELECT customer_id, (o2c.aging(open_amount, due_date, DATE '2024-06-30', '{0,15,45,120}')).*
FROM ledger
GROUP BY customer_id
ORDER BY customer_id;

-- An empty group keeps its labels when the bounds are a constant.
SELECT (o2c.aging(open_amount, due_date, DATE '2024-06-30', '{0,60}')).* FROM ledger WHERE false;

-- Exact beyond 2^63 cents: two invoices of 9e16 each total 1.8e17, which no
-- bigint of cents can hold.
SELECT (o2c.aging(a, DATE '2024-06-01', DATE '2024-06-30')).total AS total,
       (SELECT sum(a) FROM (VALUES (90000000000000000.00), (90000000000000000.00)) s(a)) AS sum
FROM (VALUES (90000000000000000.00), (90000000000000000.00)) v(a);

-- Amounts with more than 8 decimals or of 10^20 and more take the exact
-- numeric path; the result is still exactly sum().
SELECT (o2c.aging(a, DATE '2024-06-01', DATE '2024-06-30')).d1_30 AS d1_30, sum(a) AS sum
FROM (VALUES (0.000000001), (123456789012345678901234567890.5), (-0.25)) v(a);

DROP TABLE ledger;

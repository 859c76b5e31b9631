-- Customer statements of account: running balance, closing balance and the
-- aging of what stays open, which must equal o2c.aging over the same items.

CREATE TABLE inv (
    invoice_id   text,
    customer_id  text,
    invoice_date date,
    due_date     date,
    amount       numeric
);
CREATE TABLE pay (
    payment_id  text,
    customer_id text,
    received_on date,
    amount      numeric,
    invoice_id  text          -- the invoice a payment settles, if known
);
INSERT INTO inv VALUES
    ('INV-101', 'ACME',   '2024-01-05', '2024-02-04', 1000.00),
    ('INV-102', 'ACME',   '2024-02-10', '2024-03-11',  250.50),
    ('CN-7',    'ACME',   '2024-02-20', '2024-02-20',  -20.00),  -- credit note
    ('INV-103', 'ACME',   '2024-03-15', '2024-04-14',   80),
    ('INV-104', 'ACME',   '2024-04-02', '2024-05-02',  999.99),  -- after to_date
    ('INV-201', 'BOREAL', '2024-01-01', '2024-01-31',    5);
INSERT INTO pay VALUES
    ('PAY-1', 'ACME', '2024-01-31', 600.00, 'INV-101'),  -- before from_date
    ('PAY-2', 'ACME', '2024-02-01', 400.00, 'INV-101'),
    ('PAY-3', 'ACME', '2024-03-20',  50,    NULL),       -- on account
    ('PAY-4', 'ACME', '2024-03-25', 100,    'INV-102'),
    ('PAY-5', 'ACME', '2024-04-03', 100,    'INV-102');  -- after to_date

-- Opening at 02-01: 1000.00 - 600.00 = 400.00. Closing: 400.00 - 400.00
-- + 250.50 - 20.00 + 80 - 50 - 100 = 160.50. Open at 03-31: INV-102
-- 150.50 (due 03-11, 20 days: 1-30), CN-7 -20.00 (due 02-20, 40 days:
-- 31-60), INV-103 80 (current), PAY-3 -50 on account (received 03-20, 11
-- days: 1-30); 1-30 = 150.50 - 50 = 100.50.
SELECT * FROM o2c.customer_statement('SELECT * FROM inv', 'SELECT * FROM pay',
                                     'ACME', '2024-02-01', '2024-03-31');

-- The same aging from o2c.aging over the open items.
WITH open_items AS (
    SELECT i.amount - COALESCE((SELECT pg_catalog.sum(p.amount) FROM pay p
                                WHERE p.invoice_id = i.invoice_id
                                  AND p.received_on <= '2024-03-31'), 0) AS amount,
           i.due_date
    FROM inv i WHERE i.customer_id = 'ACME' AND i.invoice_date <= '2024-03-31'
    UNION ALL
    SELECT -p.amount, p.received_on FROM pay p
    WHERE p.customer_id = 'ACME' AND p.invoice_id IS NULL AND p.received_on <= '2024-03-31')
SELECT (o2c.aging(amount, due_date, '2024-03-31')).* FROM open_items;

-- A customer the queries never name (a mistyped id): an error, not a
-- statement of zeros.
SELECT * FROM o2c.customer_statement('SELECT * FROM inv', 'SELECT * FROM pay',
                                     'NOBODY', '2024-02-01', '2024-03-31');

-- No activity in the period, but an open invoice: balances and its aging.
SELECT * FROM o2c.customer_statement('SELECT * FROM inv', 'SELECT * FROM pay',
                                     'BOREAL', '2024-03-01', '2024-03-31');

-- Integer ids and amounts, no invoice_id column in the payments.
SELECT line, kind, document, amount, balance
FROM o2c.customer_statement(
    'SELECT 1 AS invoice_id, 7 AS customer_id, DATE ''2024-05-01'' AS invoice_date,
            DATE ''2024-05-31'' AS due_date, 300 AS amount',
    'SELECT 9 AS payment_id, 7 AS customer_id, DATE ''2024-05-20'' AS received_on, 120 AS amount',
    '7', '2024-05-01', '2024-05-31');

-- The receivables ledger: open items as of a date, and aging over a series
-- of dates, from invoices, credit notes and the settlements applied to them.

CREATE TABLE led_invoices (
    invoice_id   text,
    customer_id  text,
    invoice_date date,
    due_date     date,
    amount       numeric(12,2),
    currency     text,
    kind         text
);
INSERT INTO led_invoices VALUES
    -- ACME: paid in two parts, the second after February
    ('INV-1', 'ACME',   '2024-01-05', '2024-02-04', 1000.00, 'EUR', 'invoice'),
    -- ACME: paid early less a 2% discount
    ('INV-2', 'ACME',   '2024-01-20', '2024-02-19',  500.00, 'EUR', 'invoice'),
    -- ACME: part paid, a credit note applied, the rest partly written off
    ('INV-3', 'ACME',   '2024-02-10', '2024-03-11',  800.00, 'EUR', NULL),
    -- ACME: a credit note, written positive, open until applied to INV-3
    ('CN-1',  'ACME',   '2024-02-20', '2024-02-20',  120.00, 'EUR', 'credit_note'),
    -- BOREAL: overpaid, a credit balance
    ('INV-4', 'BOREAL', '2024-02-28', '2024-03-29',  200.00, 'EUR', 'invoice'),
    -- BOREAL in dollars, nothing paid; and one issued after March
    ('INV-5', 'BOREAL', '2024-03-05', '2024-04-04',  300.00, 'USD', 'invoice'),
    ('INV-6', 'BOREAL', '2024-04-10', '2024-05-10',   75.50, 'USD', 'invoice');

CREATE TABLE led_settlements (
    invoice_id text,
    settled_on date,
    amount     numeric(12,2),
    kind       text,
    currency   text
);
INSERT INTO led_settlements VALUES
    ('INV-1', '2024-02-01',  400.00, 'payment',     'EUR'),
    ('INV-1', '2024-03-10',  600.00, 'payment',     'EUR'),
    ('INV-2', '2024-01-30',  490.00, 'payment',     'EUR'),
    ('INV-2', '2024-01-30',   10.00, 'discount',    'EUR'),
    ('INV-3', '2024-03-20',  300.00, 'payment',     NULL),
    ('INV-3', '2024-03-31',  120.00, 'credit_note', 'EUR'),
    ('CN-1',  '2024-03-31', -120.00, 'credit_note', 'EUR'),
    ('INV-3', '2024-04-15',   50.00, 'write_off',   'EUR'),
    ('INV-4', '2024-03-15',  250.00, 'payment',     'EUR');

-- Open items at three month-ends.
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-02-29');
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31');
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-04-30');

-- Their aging, one date at a time, ...
SELECT d AS as_of, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d)).*
  FROM (VALUES (DATE '2024-02-29'), ('2024-03-31'), ('2024-04-30')) v(d),
       LATERAL o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', d) o
 GROUP BY d, o.customer_id, o.currency
 ORDER BY d, o.customer_id, o.currency;
-- ... and in one pass: the same rows.
SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                                '2024-02-29', '2024-04-30', '1 month');
-- The ladder with custom bounds.
SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                                '2024-02-29', '2024-04-30', '1 month', '{0,15,45}'::int[]);

-- Options: settled invoices too; no credit balances.
SELECT invoice_id, open_amount, last_settled_on
  FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31',
                      '{"include_settled": true}');
SELECT invoice_id, open_amount
  FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31',
                      '{"include_credit_balances": false}');
SELECT as_of, customer_id, currency, current, total, items
  FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                         '2024-03-31', '2024-03-31', '1 day', options => '{"include_credit_balances": false}');
-- Without kind columns: credit notes by their sign, settlements as payments.
SELECT invoice_id, amount, open_amount
  FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date,
                              CASE kind WHEN ''credit_note'' THEN -amount ELSE amount END AS amount, currency
                         FROM led_invoices',
                      'SELECT invoice_id, settled_on, amount FROM led_settlements', '2024-03-01');
-- Integer amounts, ids of any type, a NULL due date (listed, not aged) and a NULL currency.
SELECT * FROM o2c.open_items(
    'SELECT 7 AS invoice_id, 1 AS customer_id, DATE ''2024-01-01'' AS invoice_date,
            NULL::date AS due_date, 100 AS amount, NULL::text AS currency',
    'SELECT 7 AS invoice_id, DATE ''2024-01-10'' AS settled_on, 30.5 AS amount', '2024-02-01');
SELECT as_of, customer_id, currency, total, items
  FROM o2c.aging_history(
    'SELECT 7 AS invoice_id, 1 AS customer_id, DATE ''2024-01-01'' AS invoice_date,
            NULL::date AS due_date, 100 AS amount, NULL::text AS currency',
    'SELECT 7 AS invoice_id, DATE ''2024-01-10'' AS settled_on, 30.5 AS amount',
    '2024-01-31', '2024-02-01', '1 day');

-- Month steps: from the 31st, from a month-end, and in days.
SELECT DISTINCT as_of FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                                             '2024-01-31', '2024-06-30', '1 month') ORDER BY 1;
SELECT DISTINCT as_of FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                                             '2024-02-29', '2024-06-30', '1 month') ORDER BY 1;
SELECT DISTINCT as_of FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements',
                                             '2024-03-15', '2024-05-15', '1 month 10 days') ORDER BY 1;

-- o2c's cash application output as settlements: the payments it matched
-- (with the payment's date), and the discount a discounted payment took.
CREATE TABLE led_payments (payment_id text, received_on date, amount numeric(12,2), currency text, reference text);
INSERT INTO led_payments VALUES
    ('P-1', '2024-04-20', 300.00, 'USD', 'INV-5'),
    ('P-2', '2024-04-22',  50.00, 'USD', 'INV-6');
-- (the run's notices are left out: its run id depends on the tests before)
SET client_min_messages = warning;
CALL o2c.run_cash_application('SELECT * FROM led_payments',
    $q$SELECT invoice_id, customer_id, invoice_date, open_amount, currency, invoice_id AS reference
         FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-04-30')$q$,
    '{}', 'led');
RESET client_min_messages;
SELECT payment_id, invoice_id, applied_amount, rule, status FROM o2c.cash_match WHERE ledger = 'led' ORDER BY payment_id, invoice_id;
SELECT invoice_id, settled, open_amount, last_settled_on
  FROM o2c.open_items('SELECT * FROM led_invoices',
    $q$SELECT invoice_id, settled_on, amount, kind, currency FROM led_settlements
       UNION ALL
       SELECT m.invoice_id, p.received_on, m.applied_amount, 'payment', p.currency
         FROM o2c.cash_match m JOIN led_payments p USING (payment_id)
        WHERE m.ledger = 'led' AND m.status = 'auto' AND m.invoice_id IS NOT NULL
       UNION ALL
       SELECT m.invoice_id, p.received_on, i.amount - m.applied_amount, 'discount', p.currency
         FROM o2c.cash_match m JOIN led_payments p USING (payment_id) JOIN led_invoices i USING (invoice_id)
        WHERE m.ledger = 'led' AND m.status = 'auto' AND m.rule = 'discount'$q$,
    '2024-04-30', '{"include_settled": true}')
 WHERE currency = 'USD';
DELETE FROM o2c.cash_match WHERE ledger = 'led';

-- Errors, each with its SQLSTATE.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$f$;
-- a settlement for an unknown invoice (23503), or skipped with a warning
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT ''NOPE'' AS invoice_id, DATE ''2024-01-01'' AS settled_on, 1 AS amount', '2024-03-31')$e$);
-- (in full: the message, its hint and the query's row)
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT ''NOPE'' AS invoice_id, DATE ''2024-01-01'' AS settled_on, 1 AS amount', '2024-03-31');
SELECT count(*) FROM o2c.open_items('SELECT * FROM led_invoices',
    'SELECT x AS invoice_id, DATE ''2024-01-01'' AS settled_on, 1 AS amount FROM (VALUES (''NOPE''), (''NADA''), (''INV-1'')) v(x)',
    '2024-03-31', '{"unknown_settlements": "skip"}');
-- a duplicate invoice (23505)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices UNION ALL SELECT * FROM led_invoices WHERE invoice_id = ''INV-2''', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
-- a settlement in another currency (22023)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT ''INV-5'' AS invoice_id, DATE ''2024-04-01'' AS settled_on, 10 AS amount, ''EUR'' AS currency', '2024-03-31')$e$);
-- unknown kinds (22023)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT ''INV-5'' AS invoice_id, DATE ''2024-04-01'' AS settled_on, 10 AS amount, ''refund'' AS kind', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date, amount, currency, ''debit_note'' AS kind FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
-- NULLs where a value is needed (22004)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT NULL::text AS invoice_id, customer_id, invoice_date, due_date, amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, NULL::text AS customer_id, invoice_date, due_date, amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, NULL::date AS invoice_date, due_date, amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date, NULL::numeric AS amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT NULL::text AS invoice_id, settled_on, amount FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT invoice_id, NULL::date AS settled_on, amount FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT invoice_id, settled_on, NULL::numeric AS amount FROM led_settlements', '2024-03-31')$e$);
-- infinite dates (22008), impossible amounts (22023, 22003)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, ''infinity''::date AS due_date, amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT invoice_id, ''-infinity''::date AS settled_on, amount FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', 'infinity')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date, ''NaN''::numeric AS amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date, 0.000000001 AS amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT ''BIG'' AS invoice_id, ''X'' AS customer_id, DATE ''2024-01-01'' AS invoice_date, NULL::date AS due_date, 9000000000000000000 AS amount, ''EUR'' AS currency',
    'SELECT ''BIG'' AS invoice_id, DATE ''2024-01-01'' AS settled_on, 0.5 AS amount', '2024-03-31')$e$);
-- missing or mistyped columns (42703, 42804), a statement without rows (22023)
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, amount, currency FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT invoice_id, settled_on::text AS settled_on, amount FROM led_settlements', '2024-03-31')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'DELETE FROM led_settlements WHERE false', '2024-03-31')$e$);
-- an error inside an inner query names it
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT invoice_id, settled_on, amount / 0 AS amount FROM led_settlements', '2024-03-31');
-- options (22023)
SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31', '{"include_paid": true}');
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31', '{"include_settled": "yes"}')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31', '{"unknown_settlements": "ignore"}')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.open_items('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-03-31', '[]')$e$);
-- the series of aging_history (22023, 54000, 22008) and its bounds (22023)
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '0 days')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '-1 month')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '1 month -1 day')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '12 hours')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-06-30', '2024-01-31', '1 month')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2000-01-01', '2024-01-31', '1 day')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '-infinity', '2024-01-31', '1 day')$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '1 month', '{30,10}'::int[])$e$);
SELECT pg_temp.err($e$SELECT * FROM o2c.aging_history('SELECT * FROM led_invoices', 'SELECT * FROM led_settlements', '2024-01-31', '2024-06-30', '1 month', '{"skip": true}'::jsonb)$e$);

DROP TABLE led_invoices, led_settlements, led_payments;

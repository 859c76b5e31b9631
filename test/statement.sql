-- pgTAP: customer statements — running balance, agreement with o2c.aging,
-- empty histories, every error path.
BEGIN;
SELECT plan(24);

CREATE TABLE s_inv (invoice_id text, customer_id text, invoice_date date,
                    due_date date, amount numeric);
CREATE TABLE s_pay (payment_id text, customer_id text, received_on date,
                    amount numeric, invoice_id text);
-- 6 customers, 40 invoices each over 2024, part paid, some credit notes,
-- some payments on account: deterministic, no random().
INSERT INTO s_inv
SELECT 'I' || c || '-' || i, 'K' || c, d, d + (ARRAY[0, 14, 30, 45])[1 + (c + i) % 4],
       CASE WHEN (c * i) % 11 = 0 THEN -((i % 7) * 10.25) ELSE 100 + (c * 53 + i * 17) % 900 + 0.01 * (i % 100) END
FROM generate_series(1, 6) c, generate_series(1, 40) i,
     LATERAL (SELECT DATE '2024-01-01' + i * 8 + c AS d) x;
INSERT INTO s_pay
SELECT 'P' || i.invoice_id, i.customer_id, i.invoice_date + 20 + (length(i.invoice_id) * 7) % 50,
       CASE WHEN right(i.invoice_id, 1) IN ('3', '7') THEN pg_catalog.round(i.amount / 2, 2) ELSE i.amount END,
       i.invoice_id
FROM s_inv i WHERE i.amount > 0 AND right(i.invoice_id, 1) <> '5';
INSERT INTO s_pay
SELECT 'OA' || c || '-' || k, 'K' || c, DATE '2024-02-01' + k * 37, 75.5, NULL
FROM generate_series(1, 6) c, generate_series(1, 8) k;

CREATE FUNCTION pg_temp.stmt(cust text, f date, t date)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT line, entry_date, kind, document, due_date, amount, balance
    FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay', cust, f, t) $$;

CREATE TEMP TABLE st AS
SELECT c AS cust, s.*
FROM (VALUES ('K1'), ('K2'), ('K3'), ('K4'), ('K5'), ('K6')) v(c),
     LATERAL o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay',
                                    c, '2024-04-01', '2024-09-30') s;

SELECT is((SELECT count(*) FROM st WHERE kind NOT IN ('opening balance', 'closing balance', 'aging')),
          (SELECT (SELECT count(*) FROM s_inv WHERE invoice_date BETWEEN '2024-04-01' AND '2024-09-30')
                + (SELECT count(*) FROM s_pay WHERE received_on BETWEEN '2024-04-01' AND '2024-09-30')),
          'every document dated in the period is a line');

SELECT is((SELECT count(*) FROM (
              SELECT balance, lag(balance) OVER (PARTITION BY cust ORDER BY line) AS prev, amount, kind
              FROM st WHERE kind <> 'aging') x
           WHERE kind NOT IN ('opening balance', 'closing balance') AND balance <> prev + amount),
          0::bigint, 'each line''s balance is the previous balance plus its amount');

SELECT is((SELECT count(*) FROM st WHERE kind IN ('opening balance', 'closing balance') AND amount IS NOT NULL),
          0::bigint, 'balance lines carry no amount');

SELECT is((SELECT array_agg(s.balance ORDER BY s.cust) FROM st s WHERE kind = 'opening balance'),
          (SELECT array_agg(b ORDER BY c) FROM (
              SELECT c, (SELECT coalesce(sum(amount), 0) FROM s_inv WHERE customer_id = c AND invoice_date < '2024-04-01')
                      - (SELECT coalesce(sum(amount), 0) FROM s_pay WHERE customer_id = c AND received_on < '2024-04-01') AS b
              FROM (VALUES ('K1'), ('K2'), ('K3'), ('K4'), ('K5'), ('K6')) v(c)) y),
          'opening balance is everything invoiced less everything received before from_date');

SELECT is((SELECT array_agg(s.balance ORDER BY s.cust) FROM st s WHERE kind = 'closing balance'),
          (SELECT array_agg(b ORDER BY c) FROM (
              SELECT c, (SELECT coalesce(sum(amount), 0) FROM s_inv WHERE customer_id = c AND invoice_date <= '2024-09-30')
                      - (SELECT coalesce(sum(amount), 0) FROM s_pay WHERE customer_id = c AND received_on <= '2024-09-30') AS b
              FROM (VALUES ('K1'), ('K2'), ('K3'), ('K4'), ('K5'), ('K6')) v(c)) y),
          'closing balance is everything invoiced less everything received up to to_date');

SELECT is((SELECT count(*) FROM (
              SELECT cust, sum(amount) FILTER (WHERE kind = 'aging') AS aged,
                     max(balance) FILTER (WHERE kind = 'closing balance') AS closing
              FROM st GROUP BY cust) x WHERE aged <> closing),
          0::bigint, 'the aging adds up to the closing balance');

-- Agreement with o2c.aging over the open items, per customer.
CREATE TEMP TABLE open_items AS
SELECT i.customer_id AS cust,
       i.amount - coalesce((SELECT sum(p.amount) FROM s_pay p WHERE p.invoice_id = i.invoice_id
                            AND p.received_on <= '2024-09-30'), 0) AS amount,
       i.due_date
FROM s_inv i WHERE i.invoice_date <= '2024-09-30'
UNION ALL
SELECT p.customer_id, -p.amount, p.received_on FROM s_pay p
WHERE p.invoice_id IS NULL AND p.received_on <= '2024-09-30';
SELECT is(
    (SELECT array_agg(row(cust, lbl, amount)::text ORDER BY cust, lbl)
     FROM (SELECT cust, document AS lbl, amount FROM st WHERE kind = 'aging') x),
    (SELECT array_agg(row(cust, lbl, amt)::text ORDER BY cust, lbl)
     FROM (SELECT cust, a.current, a.d1_30, a.d31_60, a.d61_90, a.d91_plus
           FROM (SELECT cust, (o2c.aging(amount, due_date, '2024-09-30')).* FROM open_items GROUP BY cust) a) b,
          LATERAL (VALUES ('current', b.current), ('1-30', b.d1_30), ('31-60', b.d31_60),
                          ('61-90', b.d61_90), ('91+', b.d91_plus)) v(lbl, amt)),
    'statement aging equals o2c.aging over the open items, bucket by bucket');

-- Lines are in date order.
SELECT is((SELECT count(*) FROM (
              SELECT entry_date, lag(entry_date) OVER (PARTITION BY cust ORDER BY line) AS prev FROM st) x
           WHERE entry_date < prev), 0::bigint, 'lines are in date order');

-- A customer the queries never name: an error naming it, not zeros.
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay', 'NOBODY', '2024-01-01', '2024-12-31')$$,
                 'P0002', 'customer "NOBODY" has no invoice and no payment in the queries', 'unknown customer: an error');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT * FROM s_inv WHERE false', 'SELECT * FROM s_pay WHERE false', 'K1', '2024-01-01', '2024-12-31')$$,
                 'P0002', 'customer "K1" has no invoice and no payment in the queries', 'empty queries: an error');
SELECT is((SELECT count(*) FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay', NULL, '2024-01-01', '2024-12-31')),
          0::bigint, 'STRICT: NULL customer gives no rows');

-- Errors.
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay', 'K1', '2024-02-01', '2024-01-01')$$,
                 '22023', 'from_date 2024-02-01 is after to_date 2024-01-01', 'from_date after to_date');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT * FROM s_pay', 'K1', '-infinity', '2024-01-01')$$,
                 '22008', NULL, 'infinite from_date');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT invoice_id, customer_id, invoice_date, amount FROM s_inv', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '42703', 'column "due_date" is missing from the invoices query', 'missing column');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT * FROM s_inv', 'SELECT payment_id, customer_id, received_on::timestamp AS received_on, amount FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '42804', 'column "received_on" of the payments query has type timestamp without time zone, expected date', 'date of the wrong type');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT invoice_id, customer_id, invoice_date, due_date, amount::float8 AS amount FROM s_inv', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '42804', 'column "amount" of the invoices query has type double precision, expected numeric or an integer type', 'float amount refused');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT *, 1 AS amount FROM s_inv', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '42702', 'column "amount" appears more than once in the invoices query', 'duplicate column');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT NULL::text AS invoice_id, ''K1'' AS customer_id, DATE ''2024-01-01'' AS invoice_date, DATE ''2024-01-01'' AS due_date, 1 AS amount', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '22004', 'column "invoice_id" of the invoices query must not be null', 'NULL invoice id');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT ''X'' AS invoice_id, ''K1'' AS customer_id, DATE ''2024-01-01'' AS invoice_date, DATE ''2024-01-01'' AS due_date, NULL::numeric AS amount', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '22004', 'column "amount" of the invoices query must not be null', 'NULL amount');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT ''X'' AS invoice_id, ''K1'' AS customer_id, DATE ''2024-01-01'' AS invoice_date, DATE ''2024-01-01'' AS due_date, ''NaN''::numeric AS amount', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '22023', 'column "amount" of the invoices query must be finite, not "NaN"', 'NaN amount');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELECT ''X'' AS invoice_id, ''K1'' AS customer_id, DATE ''infinity'' AS invoice_date, DATE ''2024-01-01'' AS due_date, 1 AS amount', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '22008', 'column "invoice_date" of the invoices query must be a finite date, not "infinity"', 'infinite date in the data');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('DELETE FROM s_inv', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '22023', 'the invoices query must be a query that returns rows', 'not a query');
SELECT throws_ok($$SELECT * FROM o2c.customer_statement('SELEC 1', 'SELECT * FROM s_pay', 'K1', '2024-01-01', '2024-02-01')$$,
                 '42601', NULL, 'syntax error in the inner query');

SELECT is((SELECT row(provolatile, proparallel, proisstrict, prosecdef)::text FROM pg_proc
           WHERE oid = 'o2c.customer_statement(text,text,text,date,date)'::regprocedure),
          '(v,r,t,f)', 'VOLATILE PARALLEL RESTRICTED STRICT SECURITY INVOKER');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: the ledger forms of aging_trend and dso_trend against open_items +
-- o2c.aging at each date (brute force) on a random ledger, in the reporting
-- currency too, and their errors.
BEGIN;
SELECT plan(12);

SELECT setseed(0.2020);

\ir fixtures/ledger_random.sql

-- The month-ends aging_history visits from 2024-01-31 by '1 month'.
CREATE TEMP TABLE dates AS
SELECT (DATE '2024-02-01' + make_interval(months => m))::date - 1 AS d FROM generate_series(0, 12) m;

-- Brute force: each date's open items aged per customer and currency.
CREATE TEMP TABLE aged AS
SELECT d, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d)).*
  FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d) o
 GROUP BY d, o.customer_id, o.currency;

SELECT ok((SELECT count(DISTINCT currency) FROM aged) = 2 AND (SELECT count(*) FROM aged WHERE total < 0) > 0,
          'the brute force has two currencies and customers in credit');

SELECT results_eq(
    $$SELECT * FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month')$$,
    $$SELECT a.d, a.currency, b.bucket, b.ord, sum(b.amount), count(*) FILTER (WHERE b.amount <> 0)
        FROM aged a
       CROSS JOIN LATERAL (VALUES (1, 'current', a.current), (2, '1-30', a.d1_30), (3, '31-60', a.d31_60),
                                  (4, '61-90', a.d61_90), (5, '91+', a.d91_plus)) b(ord, bucket, amount)
       GROUP BY a.d, a.currency, b.bucket, b.ord
       ORDER BY a.d, a.currency COLLATE "C", b.ord$$,
    'aging_trend equals open_items + o2c.aging summed per date, currency and bucket, in order');

SELECT results_eq(
    $$SELECT as_of, currency, sum(amount) FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl',
          '2024-01-31', '2025-01-31', '1 month', '{"include_credit_balances": false}') GROUP BY 1, 2 ORDER BY 1, 2$$,
    $$SELECT d, o.currency, sum(o.open_amount) FILTER (WHERE o.due_date IS NOT NULL)
        FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, '{"include_credit_balances": false}') o
       GROUP BY 1, 2 ORDER BY 1, 2$$,
    'aging_trend passes aging_history''s options on');

-- DSO: receivables of the brute force over the credit sales of the 60 days
-- up to each date, per currency invoiced by then.
CREATE TEMP TABLE dso_brute AS
SELECT c.d, c.currency, c.d - 59 AS period_start, 60 AS days,
       coalesce((SELECT sum(CASE WHEN i.kind = 'credit_note' THEN -abs(i.amount) ELSE i.amount END)
                   FROM inv i WHERE i.currency = c.currency AND i.invoice_date > c.d - 60 AND i.invoice_date <= c.d), 0) AS sales,
       coalesce((SELECT sum(a.total) FROM aged a WHERE a.d = c.d AND a.currency = c.currency), 0) AS rec,
       coalesce((SELECT sum(a.current) FROM aged a WHERE a.d = c.d AND a.currency = c.currency), 0) AS cur
  FROM (SELECT DISTINCT d, i.currency FROM dates JOIN inv i ON i.invoice_date <= d) c;

SELECT results_eq(
    $$SELECT as_of, currency, period_start, days, credit_sales, receivables, current_receivables, dso
        FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month', 60)$$,
    $$SELECT d, currency, period_start, days, sales, rec, cur,
             CASE WHEN rec >= 0 THEN o2c.dso(rec, sales, 60) END
        FROM dso_brute ORDER BY d, currency$$,
    'dso_trend equals the brute force per date and currency');

-- In a reporting currency: each customer's buckets (and each currency's DSO
-- figures) converted at the date's rate, then added up.
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate)
SELECT 'EUR', 'USD', DATE '2024-01-01' + 7 * k, 1.05 + 0.001 * (k % 17) FROM generate_series(1, 60) k;

SELECT results_eq(
    $$SELECT * FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month',
                                    '{"reporting_currency": "usd"}')$$,
    $$WITH per AS (
        SELECT a.d, a.customer_id, b.ord, b.bucket, sum(o2c.convert(b.amount, a.currency, 'USD', a.d)) AS amount
          FROM aged a
         CROSS JOIN LATERAL (VALUES (1, 'current', a.current), (2, '1-30', a.d1_30), (3, '31-60', a.d31_60),
                                    (4, '61-90', a.d61_90), (5, '91+', a.d91_plus)) b(ord, bucket, amount)
         GROUP BY 1, 2, 3, 4)
      SELECT d, 'USD', bucket, ord, sum(amount), count(*) FILTER (WHERE amount <> 0)
        FROM per GROUP BY d, bucket, ord ORDER BY d, ord$$,
    'aging_trend in a reporting currency: customers'' buckets converted at each date and added up');

SELECT results_eq(
    $$SELECT as_of, currency, credit_sales, receivables, current_receivables
        FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month', 60, 'EUR')$$,
    $$SELECT d, 'EUR', sum(o2c.convert(sales, currency, 'EUR', d)), sum(o2c.convert(rec, currency, 'EUR', d)),
             sum(o2c.convert(cur, currency, 'EUR', d))
        FROM dso_brute GROUP BY d ORDER BY d$$,
    'dso_trend in a reporting currency: each currency''s figures converted at the date and added up');

SELECT throws_ok(
    $$SELECT * FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-07', '2024-03-31', '1 month',
                                    '{"reporting_currency": "USD"}')$$,
    'P0002', 'no exchange rate from EUR to USD on or before 2024-01-07',
    'aging_trend: a missing rate is convert''s error');
SELECT throws_like(
    $$SELECT * FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month', 30, 'JPY')$$,
    'no exchange rate from % to JPY on or before 2024-01-31',
    'dso_trend: a missing rate is convert''s error');
SELECT throws_ok(
    $$SELECT * FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month',
                                    '{"reporting_currency": "EURO"}')$$,
    '22023', 'unknown currency: "EURO"', 'aging_trend: an unknown reporting currency');
SELECT throws_ok(
    $$SELECT * FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month', 0)$$,
    '22023', 'period_days 0 is not positive', 'dso_trend: a period of 0 days');
SELECT throws_ok(
    $$SELECT * FROM o2c.dso_trend('SELECT * FROM inv', NULL, '2024-01-31', '2024-03-31', '1 month')$$,
    '22004', NULL, 'dso_trend: a NULL argument');
-- untyped literals pick the intended forms: the snapshot form with two
-- arguments, the ledger form with five to seven
SELECT lives_ok(
    $$SELECT * FROM o2c.dso_trend('SELECT invoice_date, amount, currency FROM inv', 'default');
      SELECT * FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month');
      SELECT * FROM o2c.dso_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month', '30', 'EUR');
      SELECT * FROM o2c.aging_trend('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-03-31', '1 month', '{}');
      SELECT * FROM o2c.aging_trend$$,
    'calls with untyped literals resolve without ambiguity');

SELECT * FROM finish();
ROLLBACK;

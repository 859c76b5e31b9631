-- pgTAP: KPIs and the day-count aggregates.
BEGIN;
SELECT plan(30);

-- Definitions.
SELECT is(o2c.dso(400000, 1200000, 90), 30.00, 'DSO = receivables / sales * days');
SELECT is(o2c.best_possible_dso(250000, 1200000, 90), 18.75, 'best possible DSO uses current receivables');
SELECT is(o2c.average_days_delinquent(400000, 250000, 1200000, 90),
          o2c.dso(400000, 1200000, 90) - o2c.best_possible_dso(250000, 1200000, 90),
          'ADD = DSO - best possible DSO');
SELECT is(o2c.average_days_delinquent(100, 0, 300, 1), 0.33,
          'ADD is rounded from the exact difference, not from two rounded terms');
SELECT is(o2c.cei(500000, 1200000, 400000, 250000), 89.66, 'CEI in percent');
SELECT is(o2c.cei(100, 0, 0, 0), 100.00, 'everything collected: CEI 100');

-- Rounding: exact ratio, half away from zero, 2 decimals.
SELECT is(o2c.dso(1, 8, 1), 0.13, '0.125 rounds up');
SELECT is(o2c.average_days_delinquent(0, 0, -8, 1), NULL, 'no sales: ADD is NULL');
SELECT is(o2c.dso(1, 3, 3), 1.00, '1/3 * 3 is exactly 1');
SELECT is(o2c.dso(49999999999999999, 10000000000000000000, 1), 0.00,
          'a ratio just below 0.005 rounds down (no double rounding)');
SELECT is(o2c.dso(5000000000000000000001, 1000000000000000000000000, 1), 0.01,
          'a ratio just above 0.005 rounds up');

-- Undefined ratios are NULL; STRICT.
SELECT is(o2c.dso(100, 0, 30), NULL, 'no sales: NULL');
SELECT is(o2c.dso(100, -5, 30), NULL, 'negative sales: NULL');
SELECT is(o2c.cei(0, 100, 200, 200), NULL, 'nothing collectible: NULL');
SELECT is(o2c.dso(NULL, 100, 30), NULL, 'NULL in, NULL out');

-- Errors.
SELECT throws_ok($$SELECT o2c.dso(100, 1000, 0)$$, '22023', 'days must be positive, not 0', 'zero-day period');
SELECT throws_ok($$SELECT o2c.best_possible_dso(100, 1000, -30)$$, '22023', 'days must be positive, not -30', 'negative period');
SELECT throws_ok($$SELECT o2c.dso(-1, 8, 1)$$, '22023', 'receivables -1 is negative', 'a book in credit has no DSO');
SELECT throws_ok($$SELECT o2c.cei(-5, 100, 0, 0)$$, '22023', 'beginning_receivables -5 is negative', 'negative beginning receivables');
SELECT throws_ok($$SELECT o2c.best_possible_dso(-0.01, 1000, 30)$$, '22023',
                 'current_receivables -0.01 is negative', 'negative current receivables');
SELECT throws_ok($$SELECT o2c.dso('NaN', 1000, 30)$$, '22023', 'receivables must be a finite number, not "NaN"', 'NaN receivables');
SELECT throws_ok($$SELECT o2c.cei(1, 'Infinity', 1, 1)$$, '22023', 'credit_sales must be a finite number, not "Infinity"', 'infinite sales');
SELECT throws_ok($$SELECT o2c.avg_days_to_pay('NaN', DATE '2024-01-01', DATE '2024-02-01')$$,
                 '22023', 'invalid amount: "NaN"', 'NaN amount in avg_days_to_pay');
SELECT throws_ok($$SELECT o2c.avg_days_late(1, DATE '2024-01-01', 'infinity')$$,
                 '22008', 'paid_on date must be a finite date, not "infinity"', 'infinite paid_on');

-- Day-count aggregates: weighting, clipping, NULLs.
SELECT is((SELECT o2c.avg_days_to_pay(a, i, p) FROM (VALUES
              (300.00, DATE '2024-01-01', DATE '2024-01-11'),
              (100.00, DATE '2024-01-01', DATE '2024-01-31')) v(a, i, p)),
          15.00, 'avg_days_to_pay is amount-weighted');
SELECT is((SELECT o2c.avg_days_late(a, d, p) FROM (VALUES
              (100.00, DATE '2024-01-31', DATE '2024-01-01'),
              (100.00, DATE '2024-01-31', DATE '2024-02-10')) v(a, d, p)),
          5.00, 'early payments count as 0 days late');
SELECT is((SELECT o2c.avg_days_late(a, d, p) FROM (VALUES
              (100.00, DATE '2024-01-31', NULL::date),
              (NULL, DATE '2024-01-31', DATE '2024-02-10')) v(a, d, p)),
          NULL, 'rows with a NULL are left out; none left gives NULL');

-- Parallel equals serial.
CREATE TABLE pay (amt numeric(12,2), inv date, due date, paid date);
INSERT INTO pay
SELECT round((random() * 900 + 1)::numeric, 2), d, d + 30, d + (random() * 80)::int
FROM (SELECT DATE '2024-01-01' + (random() * 300)::int d FROM generate_series(1, 100000)) g;
ANALYZE pay;
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE s AS SELECT o2c.avg_days_to_pay(amt, inv, paid) p, o2c.avg_days_late(amt, due, paid) l FROM pay;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT set_eq('SELECT o2c.avg_days_to_pay(amt, inv, paid), o2c.avg_days_late(amt, due, paid) FROM pay',
              'SELECT p, l FROM s', 'parallel equals serial');
SELECT is((SELECT p FROM s),
          (SELECT round(sum(amt * (paid - inv)) / sum(amt), 2) FROM pay), 'avg_days_to_pay matches its formula');
SELECT is((SELECT l FROM s),
          (SELECT round(sum(amt * greatest(paid - due, 0)) / sum(amt), 2) FROM pay), 'avg_days_late matches its formula');

SELECT * FROM finish();
ROLLBACK;

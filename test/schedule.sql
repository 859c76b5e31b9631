-- pgTAP: split_amount, payment_schedule, installment_plan, late_interest and
-- dunning: errors and properties.
BEGIN;
SELECT plan(48);

-- split_amount errors: 22023.
SELECT throws_ok($$SELECT o2c.split_amount(10, '{}')$$, '22023', NULL, 'no weights');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{1,NULL}')$$, '22023', NULL, 'NULL weight');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{1,-1,1}')$$, '22023', NULL, 'negative weight');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{0,0}')$$, '22023', NULL, 'weights summing to zero');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{1,NaN}')$$, '22023', NULL, 'NaN weight');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{{1,1},{1,1}}')$$, '22023', NULL, 'two-dimensional weights');
SELECT throws_ok($$SELECT o2c.split_amount(10.005, '{1,1}')$$, '22023',
    'amount 10.005 has more than 2 decimals', 'more decimals than the currency');
SELECT throws_ok($$SELECT o2c.split_amount(10.5, '{1,1}', 'JPY')$$, '22023', NULL, 'yen with decimals');
SELECT throws_ok($$SELECT o2c.split_amount(10, '{1,1}', 'ABC')$$, '22023', NULL, 'unknown currency');
SELECT throws_ok($$SELECT o2c.split_amount('NaN', '{1,1}')$$, '22023', NULL, 'NaN amount');
SELECT throws_ok($$SELECT o2c.split_amount('Infinity', '{1,1}')$$, '22023', NULL, 'infinite amount');

-- payment_schedule errors.
SELECT throws_ok($$SELECT * FROM o2c.payment_schedule(10.001, '2024-01-01', 'NET 30')$$, '22023', NULL, 'schedule amount with 3 decimals');
SELECT throws_ok($$SELECT * FROM o2c.payment_schedule('NaN', '2024-01-01', 'NET 30')$$, '22023', NULL, 'schedule of NaN');
SELECT throws_ok($$SELECT * FROM o2c.payment_schedule(10, 'infinity', 'NET 30')$$, '22008', NULL, 'schedule from an infinite date');
SELECT throws_ok($$SELECT * FROM o2c.payment_schedule(10, '2024-01-01', 'NET 30', 'XAU')$$, '22023', NULL, 'currency without minor unit');

-- installment_plan errors.
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 0, '2024-01-01')$$, '22023', NULL, 'zero installments');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, -0.05, 12, '2024-01-01')$$, '22023', NULL, 'negative rate');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 12, '2024-01-01', '1 month 2 days')$$, '22023', NULL, 'mixed interval');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 12, '2024-01-01', '0 days')$$, '22023', NULL, 'empty interval');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 12, '2024-01-01', '-1 month')$$, '22023', NULL, 'negative interval');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 12, '2024-01-01', '12 hours')$$, '22023', NULL, 'interval of hours');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan('NaN', 0.05, 12, '2024-01-01')$$, '22023', NULL, 'NaN principal');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 3, '2024-01-01', '1000000000 months')$$, '22008', NULL, 'dates past the date range');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 3, 'infinity')$$, '22008', NULL, 'infinite first due date');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000.001, 0.05, 12, '2024-01-01')$$, '22023', NULL, 'principal with 3 decimals');
SELECT throws_ok($$SELECT * FROM o2c.installment_plan(1000, 0.05, 12, '2024-01-01', '1 month', 'QQQ')$$, '22023', NULL, 'plan in an unknown currency');

-- late_interest errors.
SELECT throws_ok($$SELECT o2c.late_interest(100, '2024-01-01', '2024-02-01', 0.05, 'act/366')$$, '22023',
    'unknown day count convention: "act/366"', 'unknown day count');
SELECT throws_ok($$SELECT o2c.late_interest(100, '2024-01-01', '2024-02-01', -0.05)$$, '22023', NULL, 'negative late rate');
SELECT throws_ok($$SELECT o2c.late_interest(-100, '2024-01-01', '2024-02-01', 0.05)$$, '22023', 'amount -100 is negative',
                 'a credit note earns no late interest');
SELECT throws_ok($$SELECT o2c.late_interest(100, '2024-01-01', 'infinity', 0.05)$$, '22008', NULL, 'infinite payment date');
SELECT throws_ok($$SELECT o2c.late_interest(100, '2024-01-01', '2024-02-01', 0.05, 'act/365', 'ZZZ')$$, '22023', NULL, 'late interest in an unknown currency');

-- dunning errors.
SELECT throws_ok($$SELECT o2c.dunning_level('2024-01-01', '2024-03-01', 'nope')$$, '22023',
    'unknown dunning policy: "nope"', 'unknown policy in dunning_level');
SELECT throws_ok($$SELECT * FROM o2c.dunning_schedule('2024-01-01', 'nope')$$, '22023', NULL, 'unknown policy in dunning_schedule');
SELECT lives_ok($$SELECT o2c.install_example_policy()$$, 'the example policy installs');
SELECT throws_ok($$SELECT * FROM o2c.dunning_schedule('2024-01-01', 'example', 'nowhere')$$, '22023', NULL, 'unknown calendar in dunning_schedule');
SELECT throws_ok($$SELECT o2c.dunning_level('infinity', '2024-03-01', 'example')$$, '22008', NULL, 'infinite due date in dunning_level');
SELECT throws_ok($$SELECT * FROM o2c.dunning_schedule('-infinity', 'example')$$, '22008', NULL, 'infinite due date in dunning_schedule');
SELECT throws_ok($$INSERT INTO o2c.dunning_policy VALUES ('x', 0, 5, 0, NULL, 'reminder')$$, '23514', NULL, 'level 0 refused');

-- Properties over random amounts and weights.
SELECT setseed(0.42);
CREATE TEMP TABLE splits AS
SELECT i, round((random() * 2000000 - 1000000)::numeric, 2) AS amount,
       ARRAY(SELECT round((random() * 10)::numeric, (j % 3)) FROM generate_series(1, 1 + i % 7) j) || 1::numeric AS weights
FROM generate_series(1, 1000) i;
SELECT is((SELECT count(*) FROM splits
           WHERE (SELECT sum(x) FROM unnest(o2c.split_amount(amount, weights)) x) <> amount),
          0::bigint, 'split parts sum to the amount');
SELECT is((SELECT count(*) FROM splits s, LATERAL unnest(o2c.split_amount(s.amount, s.weights), s.weights) u(part, w)
           WHERE abs(part - s.amount * w / (SELECT sum(x) FROM unnest(s.weights) x)) >= 0.01),
          0::bigint, 'every part is within one cent of its exact share');
SELECT is((SELECT count(*) FROM splits
           WHERE (SELECT sum(x) FROM unnest(o2c.split_amount(round(amount), weights, 'JPY')) x) <> round(amount)),
          0::bigint, 'yen splits sum to the amount');

SELECT is((SELECT count(*) FROM splits s
           WHERE (SELECT array_agg(p.amount ORDER BY p.installment)
                  FROM o2c.payment_schedule(s.amount, '2024-01-01', '33.33% NET 0; 33.33% NET 30; 33.34% NET 60') p)
                 <> o2c.split_amount(s.amount, '{33.33,33.33,33.34}')),
          0::bigint, 'schedules (integer path) split like split_amount (numeric path)');
SELECT is((SELECT count(*) FROM splits s
           WHERE (SELECT array_agg(p.amount ORDER BY p.installment)
                  FROM o2c.payment_schedule(s.amount * 1e18, '2024-01-01', '33.33% NET 0; 33.33% NET 30; 33.34% NET 60', 'KWD') p)
                 <> o2c.split_amount(s.amount * 1e18, '{33.33,33.33,33.34}', 'KWD')),
          0::bigint, 'amounts beyond the integer range split the same');

CREATE TEMP TABLE plans AS
SELECT i, round((random() * 100000 + 1)::numeric, 2) AS principal,
       round((random() * 0.2)::numeric, 4) AS rate, 1 + (i % 48) AS n,
       (ARRAY['1 month', '3 months', '14 days', '1 day'])[1 + i % 4]::interval AS every
FROM generate_series(1, 300) i;
SELECT is((SELECT count(*) FROM plans p
           WHERE (SELECT sum(r.principal) FROM o2c.installment_plan(p.principal, p.rate, p.n, '2024-01-31', p.every) r) <> p.principal),
          0::bigint, 'plan principals sum to the principal');
SELECT is((SELECT count(*) FROM plans p, o2c.installment_plan(p.principal, p.rate, p.n, '2024-01-31', p.every) r
           WHERE r.installment = p.n AND r.balance <> 0),
          0::bigint, 'plans end at a zero balance');
SELECT is((SELECT count(*) FROM plans p, o2c.installment_plan(p.principal, p.rate, p.n, '2024-01-31', p.every) r
           WHERE r.installment < p.n AND r.payment <> r.interest + r.principal),
          0::bigint, 'payment = interest + principal on every row');
SELECT is((SELECT count(*) FROM plans p, o2c.installment_plan(p.principal, p.rate, p.n, '2024-01-31', '1 month') r
           WHERE r.due_date <> (DATE '2024-01-31' + (r.installment - 1) * interval '1 month')::date),
          0::bigint, 'monthly dates step from the first due date');
SELECT is((SELECT count(*) FROM generate_series(1, 200) i
           WHERE o2c.late_interest(1000.00, '2024-01-01', DATE '2024-01-01' + i, 0.1)
                 <> round(1000.00 * 0.1 * i / 365, 2)),
          0::bigint, 'act/365 interest is amount x rate x days / 365, rounded half-up');
SELECT * FROM finish();
ROLLBACK;

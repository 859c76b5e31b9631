-- pgTAP: aging properties and every error path.
BEGIN;
SELECT plan(44);

-- Bucket edges: exactly 0, 30, 31, 90 and 91 days past due.
SELECT is(o2c.aging_bucket(DATE '2024-06-30', DATE '2024-06-30'), 'current', '0 days is current');
SELECT is(o2c.aging_bucket(DATE '2024-05-31', DATE '2024-06-30'), '1-30', '30 days is 1-30');
SELECT is(o2c.aging_bucket(DATE '2024-05-30', DATE '2024-06-30'), '31-60', '31 days is 31-60');
SELECT is(o2c.aging_bucket(DATE '2024-04-01', DATE '2024-06-30'), '61-90', '90 days is 61-90');
SELECT is(o2c.aging_bucket(DATE '2024-03-31', DATE '2024-06-30'), '91+', '91 days is 91+');
SELECT is(o2c.aging_bucket(DATE '2024-07-30', DATE '2024-06-30'), 'current', 'not yet due is current');
SELECT is(o2c.aging_bucket(DATE '2024-06-25', DATE '2024-06-30', '{5}'), 'current', 'single bound: at the bound');
SELECT is(o2c.aging_bucket(DATE '2024-06-24', DATE '2024-06-30', '{5}'), '6+', 'single bound: past it');
SELECT is(o2c.days_past_due(DATE '2024-06-30', DATE '2024-06-01'), -29, 'days_past_due is negative before due');

-- The same edges through the aggregate, one invoice of 1.00 each.
SELECT is(
    (SELECT row(a.current, a.d1_30, a.d31_60, a.d61_90, a.d91_plus, a.items)::text
     FROM (SELECT (o2c.aging(1.00, DATE '2024-06-30' - d, DATE '2024-06-30')).*
           FROM unnest(ARRAY[0, 30, 31, 90, 91]) d) a),
    '(1.00,1.00,1.00,1.00,1.00,5)',
    'aggregate puts 0, 30, 31, 90, 91 days in the five buckets');

-- NULL amount or NULL due is skipped and not counted, like sum().
SELECT is(
    (SELECT row(a.total, a.items)::text
     FROM (SELECT (o2c.aging(amt, due, DATE '2024-06-30')).*
           FROM (VALUES (10.00, DATE '2024-06-01'), (NULL, DATE '2024-06-01'),
                        (5.00, NULL), (NULL, NULL)) v(amt, due)) a),
    '(10.00,1)',
    'NULL amount or due is skipped');
SELECT is(
    (SELECT (o2c.aging(amt, due, DATE '2024-06-30')).items
     FROM (VALUES (NULL::numeric, DATE '2024-06-01')) v(amt, due)),
    0::bigint, 'a group of only NULL amounts has no items');

-- Credit notes reduce their bucket; an overdue total <= 0 has no average.
SELECT is(
    (SELECT row(a.d1_30, a.overdue, a.avg_days_past_due)::text
     FROM (SELECT (o2c.aging(amt, DATE '2024-06-20', DATE '2024-06-30')).*
           FROM (VALUES (100.00), (-150.00)) v(amt)) a),
    '(-50.00,-50.00,)',
    'negative amounts reduce their bucket; no average when overdue <= 0');

-- Empty input: zero buckets, items 0.
SELECT is(
    (SELECT row(a.current, a.d1_30, a.d31_60, a.d61_90, a.d91_plus, a.total, a.overdue, a.items)::text
     FROM (SELECT (o2c.aging(amt, due, DATE '2024-06-30')).*
           FROM (VALUES (1.00, DATE '2024-06-01')) v(amt, due) WHERE false) a),
    '(0,0,0,0,0,0,0,0)', 'no rows: zero buckets and no items');

-- Totals beyond 2^63 cents and beyond the fast path: exactly sum().
CREATE TABLE big (amt numeric, due date);
INSERT INTO big
SELECT CASE i % 4 WHEN 0 THEN 92233720368547758.07
                  WHEN 1 THEN 1e25 + 0.5
                  WHEN 2 THEN -0.000000001
                  ELSE 12345.678 END,
       DATE '2024-06-30' - (i % 120)
FROM generate_series(1, 400) i;
SELECT is((SELECT (o2c.aging(amt, due, DATE '2024-06-30')).total FROM big),
          (SELECT sum(amt) FROM big), 'total beyond 2^63 cents equals sum()');
SELECT is((SELECT (o2c.aging(amt, due, DATE '2024-06-30')).d91_plus FROM big),
          (SELECT sum(amt) FROM big WHERE DATE '2024-06-30' - due > 90), '91+ beyond 2^63 cents equals sum()');
SELECT is((SELECT (o2c.aging(amt, due, DATE '2024-06-30', '{0,30,60,90}')).amounts FROM big),
          (SELECT array_agg(s ORDER BY b) FROM (
               SELECT CASE WHEN d <= 0 THEN 0 WHEN d <= 30 THEN 1 WHEN d <= 60 THEN 2
                           WHEN d <= 90 THEN 3 ELSE 4 END b, sum(amt) s
               FROM (SELECT amt, DATE '2024-06-30' - due d FROM big) x GROUP BY 1) y),
          'ladder amounts beyond the fast path equal sum() per bucket');

-- Property: random books of mixed scale; every bucket equals the FILTER sums.
CREATE TABLE book (customer int, amt numeric, due date);
INSERT INTO book
SELECT i % 37,
       round((random() * 20000 - 1000)::numeric, (i % 5)),
       DATE '2024-06-30' - (random() * 200 - 40)::int
FROM generate_series(1, 20000) i;
SELECT is(
    (SELECT count(*) FROM (
        SELECT customer, (o2c.aging(amt, due, DATE '2024-06-30')).*
        FROM book GROUP BY customer) a
     JOIN (
        SELECT customer,
               coalesce(sum(amt) FILTER (WHERE DATE '2024-06-30' - due <= 0), 0) c,
               coalesce(sum(amt) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 1 AND 30), 0) d1,
               coalesce(sum(amt) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 31 AND 60), 0) d31,
               coalesce(sum(amt) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 61 AND 90), 0) d61,
               coalesce(sum(amt) FILTER (WHERE DATE '2024-06-30' - due > 90), 0) d91,
               sum(amt) t, count(*) n
        FROM book GROUP BY customer) h USING (customer)
     WHERE a.current = h.c AND a.d1_30 = h.d1 AND a.d31_60 = h.d31 AND a.d61_90 = h.d61
       AND a.d91_plus = h.d91 AND a.total = h.t AND a.items = h.n),
    37::bigint, 'random book: all 37 customers match the hand-written FILTER sums');
SELECT is(
    (SELECT (o2c.aging(amt, due, DATE '2024-06-30')).avg_days_past_due FROM book),
    (SELECT round(sum(amt * (DATE '2024-06-30' - due)) / sum(amt), 2)
     FROM book WHERE DATE '2024-06-30' - due > 0),
    'avg_days_past_due is the amount-weighted average of the overdue items');

-- Parallel plans give the same answer as serial ones.
CREATE TABLE par (customer int, amt numeric(12,2), due date);
INSERT INTO par
SELECT i % 101, round((random() * 5000 - 100)::numeric, 2), DATE '2024-06-30' - (random() * 150)::int
FROM generate_series(1, 200000) i;
ANALYZE par;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q; END $$;
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_whole AS SELECT (o2c.aging(amt, due, DATE '2024-06-30')).* FROM par;
CREATE TEMP TABLE serial_grouped AS
    SELECT customer, (o2c.aging(amt, due, DATE '2024-06-30')).* FROM par GROUP BY customer;
CREATE TEMP TABLE serial_ladder AS
    SELECT customer, (o2c.aging(amt, due, DATE '2024-06-30', '{0,10,20,40,80}')).* FROM par GROUP BY customer;
CREATE TEMP TABLE serial_big AS SELECT (o2c.aging(amt, due, DATE '2024-06-30')).* FROM big;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL enable_hashagg = off;
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_of(
              $q$SELECT o2c.aging(amt, due, DATE '2024-06-30') FROM par$q$) l
          WHERE l ~ 'Partial Aggregate')
      AND EXISTS (SELECT 1 FROM pg_temp.plan_of(
              $q$SELECT o2c.aging(amt, due, DATE '2024-06-30') FROM par$q$) l
          WHERE l ~ 'Workers Launched: [1-9]'),
    'the ungrouped aggregate runs as a parallel plan with workers');
SELECT ok(EXISTS (SELECT 1 FROM pg_temp.plan_of(
              $q$SELECT customer, o2c.aging(amt, due, DATE '2024-06-30') FROM par GROUP BY customer$q$) l
          WHERE l ~ 'Partial GroupAggregate|Partial HashAggregate'),
    'the grouped aggregate runs as a parallel plan');
SELECT set_eq($q$SELECT (o2c.aging(amt, due, DATE '2024-06-30')).* FROM par$q$,
              'SELECT * FROM serial_whole', 'parallel equals serial (whole book)');
SELECT set_eq($q$SELECT customer, (o2c.aging(amt, due, DATE '2024-06-30')).* FROM par GROUP BY customer$q$,
              'SELECT * FROM serial_grouped', 'parallel equals serial (by customer)');
SELECT set_eq($q$SELECT customer, (o2c.aging(amt, due, DATE '2024-06-30', '{0,10,20,40,80}')).*
                 FROM par GROUP BY customer$q$,
              'SELECT * FROM serial_ladder', 'parallel equals serial (ladder by customer)');
SELECT set_eq($q$SELECT (o2c.aging(amt, due, DATE '2024-06-30')).* FROM big$q$,
              'SELECT * FROM serial_big',
              'parallel equals serial beyond the fast path (spills travel inside the state)');
RESET enable_hashagg;
SET LOCAL max_parallel_workers_per_gather = 0;

-- Errors: bounds.
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{}')$$,
                 '22023', 'invalid aging bounds: "{}"', 'empty bounds');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{30,10}')$$,
                 '22023', 'invalid aging bounds: "{30,10}"', 'decreasing bounds');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{0,30,30}')$$,
                 '22023', 'invalid aging bounds: "{0,30,30}"', 'repeated bound');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{-1,30}')$$,
                 '22023', 'invalid aging bounds: "{-1,30}"', 'negative bound');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{0,NULL}')$$,
                 '22023', 'invalid aging bounds: "{0,NULL}"', 'NULL in bounds');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-01', DATE '2024-06-30', '{{0,30},{60,90}}')$$,
                 '22023', 'invalid aging bounds: "{{0,30},{60,90}}"', 'two-dimensional bounds');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', DATE '2024-06-30', (SELECT array_agg(i) FROM generate_series(1, 33) i))$$,
                 '22023', NULL, 'more than 32 bounds');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', DATE '2024-06-30', '{30,10}')$$,
                 '22023', 'invalid aging bounds: "{30,10}"', 'bad bounds in the ladder aggregate');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', DATE '2024-06-30', NULL::int[])$$,
                 '22004', 'aging bounds must not be null', 'NULL bounds in the ladder aggregate');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', DATE '2024-06-30', b)
                   FROM (VALUES ('{0,30}'::int[]), ('{0,60}')) v(b)$$,
                 '22023', 'aging bounds must be the same in every row of a group', 'bounds differ between rows');

-- Errors: dates and amounts.
SELECT throws_ok($$SELECT o2c.days_past_due('infinity', DATE '2024-06-30')$$,
                 '22008', 'due date must be a finite date, not "infinity"', 'infinite due date');
SELECT throws_ok($$SELECT o2c.aging_bucket(DATE '2024-06-30', '-infinity')$$,
                 '22008', 'as_of date must be a finite date, not "-infinity"', 'infinite as_of date');
SELECT throws_ok($$SELECT o2c.aging(1, 'infinity', DATE '2024-06-30')$$,
                 '22008', 'due date must be a finite date, not "infinity"', 'aggregate: infinite due date');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', 'infinity')$$,
                 '22008', 'as_of date must be a finite date, not "infinity"', 'aggregate: infinite as_of');
SELECT throws_ok($$SELECT o2c.aging('NaN', DATE '2024-06-01', DATE '2024-06-30')$$,
                 '22023', 'invalid amount: "NaN"', 'NaN amount');
SELECT throws_ok($$SELECT o2c.aging('-Infinity', DATE '2024-06-01', DATE '2024-06-30', '{0,30}')$$,
                 '22023', 'invalid amount: "-Infinity"', 'infinite amount');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', a)
                   FROM (VALUES (DATE '2024-06-30'), (DATE '2024-07-31')) v(a)$$,
                 '22023', 'as_of must be the same in every row of a group, found "2024-06-30" and "2024-07-31"',
                 'two as_of dates in one group');
SELECT throws_ok($$SELECT o2c.aging(1, DATE '2024-06-01', NULL)$$,
                 '22004', 'as_of must not be null', 'NULL as_of');
SELECT lives_ok($$SELECT o2c.aging(1, DATE '2024-06-01', a) FROM (VALUES (DATE '2024-06-30'), (DATE '2024-07-31')) v(a) GROUP BY a$$,
                'one as_of per group is fine');

SELECT * FROM finish();
ROLLBACK;

-- The aggregates' own transition state types (o2c.aging_state,
-- o2c.days_state) and o2c.aging_disputed: disputes shown apart.
BEGIN;
SELECT plan(33);

-- aging_disputed against a brute-force computation.
CREATE TABLE book (customer int, amt numeric(12,2), due date, disputed numeric(12,2));
INSERT INTO book
SELECT i % 23,
       round((random() * 4000 - 300)::numeric, 2),
       CASE WHEN i % 97 = 0 THEN NULL ELSE DATE '2024-06-30' - (random() * 150)::int END,
       CASE WHEN i % 5 = 0 THEN round((random() * 2500)::numeric, 2) END
FROM generate_series(1, 3000) i;
CREATE TEMP VIEW brute AS
SELECT customer, amt, due, disputed,
       CASE WHEN amt <= 0 OR disputed IS NULL THEN 0 ELSE least(disputed, amt) END AS part
FROM book;
SELECT is((SELECT count(*) FROM (
              SELECT customer, (o2c.aging_disputed(amt, due, DATE '2024-06-30', disputed)).* FROM book GROUP BY customer) a
          JOIN (SELECT customer,
                       coalesce(sum(amt - part) FILTER (WHERE DATE '2024-06-30' - due <= 0), 0) c,
                       coalesce(sum(amt - part) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 1 AND 30), 0) d1,
                       coalesce(sum(amt - part) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 31 AND 60), 0) d31,
                       coalesce(sum(amt - part) FILTER (WHERE DATE '2024-06-30' - due BETWEEN 61 AND 90), 0) d61,
                       coalesce(sum(amt - part) FILTER (WHERE DATE '2024-06-30' - due > 90), 0) d91,
                       coalesce(sum(amt - part) FILTER (WHERE due IS NOT NULL), 0) t,
                       coalesce(sum(amt - part) FILTER (WHERE due IS NULL), 0) u,
                       sum(part) dis,
                       count(due) n
                FROM brute GROUP BY customer) b USING (customer)
          WHERE a.current = b.c AND a.d1_30 = b.d1 AND a.d31_60 = b.d31 AND a.d61_90 = b.d61
            AND a.d91_plus = b.d91 AND a.total = b.t AND a.undated = b.u AND a.disputed = b.dis
            AND a.items = b.n),
          23::bigint, 'aging_disputed: every bucket, undated and disputed of all 23 customers match brute force');
SELECT is((SELECT a.total + a.undated + a.disputed
             FROM (SELECT (o2c.aging_disputed(amt, due, DATE '2024-06-30', disputed)).* FROM book) a),
          (SELECT sum(amt) FROM book), 'total + undated + disputed = sum(amount)');
SELECT is((SELECT o2c.aging_disputed(amt, due, DATE '2024-06-30', NULL)::text FROM book),
          (SELECT o2c.aging(amt, due, DATE '2024-06-30')::text FROM book),
          'with no disputes aging_disputed is o2c.aging');
SELECT is((SELECT (o2c.aging(amt, due, DATE '2024-06-30')).disputed FROM book), 0.00,
          'o2c.aging itself shows nothing disputed');
SELECT is((SELECT row(a.current, a.disputed, a.items)::text FROM (SELECT (o2c.aging_disputed(100.00, DATE '2024-07-10', DATE '2024-06-30', 250)).*) a),
          '(0.00,100.00,1)', 'a dispute larger than the amount takes the whole amount, and the item still counts');
SELECT is((SELECT row(a.current, a.disputed)::text FROM (SELECT (o2c.aging_disputed(-40.00, DATE '2024-07-10', DATE '2024-06-30', 10)).*) a),
          '(-40.00,0.00)', 'a credit is never disputed');
SELECT is((SELECT row(a.d1_30, a.disputed, a.avg_days_past_due)::text
             FROM (SELECT (o2c.aging_disputed(v.amt, DATE '2024-06-20', DATE '2024-06-30', v.d)).*
                     FROM (VALUES (100.00, 60.00), (50.00, NULL)) v(amt, d)) a),
          '(90.00,60.00,10.00)', 'the weighted days past due counts only what is not disputed');
SELECT is((SELECT (o2c.aging_disputed(1e25 + 0.5, DATE '2024-06-01', DATE '2024-06-30', 1e24)).disputed),
          1e24::numeric, 'disputed beyond the fast path is exact');
SELECT is((SELECT (o2c.aging_disputed(10.5, DATE '2024-06-01', DATE '2024-06-30', 0.123456789)).d1_30),
          10.376543211, 'a disputed amount of more than 8 decimals is exact');
SELECT throws_ok($$SELECT o2c.aging_disputed(10, DATE '2024-06-01', DATE '2024-06-30', -1)$$,
                 '22023', 'invalid disputed amount: "-1"', 'a negative disputed amount');
SELECT throws_ok($$SELECT o2c.aging_disputed(10, DATE '2024-06-01', DATE '2024-06-30', 'NaN')$$,
                 '22023', 'invalid disputed amount: "NaN"', 'a NaN disputed amount');
SELECT is((SELECT (o2c.aging(1, DATE '2024-06-01', DATE '2024-06-30', '{0,60}')).labels),
          '{current,1-60,61+}'::text[],
          'a bounds literal still resolves to the ladder (aging_disputed has a name of its own)');

-- In parallel plans the disputed sums travel with the state.
CREATE TABLE par AS SELECT * FROM book, generate_series(1, 40) k;
ANALYZE par;
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_par AS
    SELECT customer, (o2c.aging_disputed(amt, due, DATE '2024-06-30', disputed)).* FROM par GROUP BY customer;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT set_eq($q$SELECT customer, (o2c.aging_disputed(amt, due, DATE '2024-06-30', disputed)).* FROM par GROUP BY customer$q$,
              'SELECT * FROM serial_par', 'aging_disputed: parallel equals serial');
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- The state types: partial states as Citus ships them between servers.
-- A "partial" aggregate is the transition function without a final one;
-- a "merge" aggregate folds states with the combine function.
CREATE AGGREGATE pg_temp.aging_partial(numeric, date, date) (
    SFUNC = o2c.aging_trans, STYPE = o2c.aging_state);
CREATE AGGREGATE pg_temp.ladder_partial(numeric, date, date, int[]) (
    SFUNC = o2c.aging_trans, STYPE = o2c.aging_state);
CREATE AGGREGATE pg_temp.disputed_partial(numeric, date, date, numeric) (
    SFUNC = o2c.aging_disputed_trans, STYPE = o2c.aging_state);
CREATE AGGREGATE pg_temp.aging_merge(o2c.aging_state) (
    SFUNC = o2c.aging_combine, STYPE = o2c.aging_state, FINALFUNC = o2c.aging_final);
CREATE AGGREGATE pg_temp.ladder_merge(o2c.aging_state) (
    SFUNC = o2c.aging_combine, STYPE = o2c.aging_state, FINALFUNC = o2c.aging_ladder_final);
CREATE AGGREGATE pg_temp.days_partial(numeric, date, date) (
    SFUNC = o2c.days_to_pay_trans, STYPE = o2c.days_state);
CREATE AGGREGATE pg_temp.days_merge(o2c.days_state) (
    SFUNC = o2c.days_combine, STYPE = o2c.days_state, FINALFUNC = o2c.days_final);
CREATE TABLE spilly (part int, amt numeric, due date, paid date);
INSERT INTO spilly
SELECT i % 4,
       CASE i % 5 WHEN 0 THEN 1e25 + 0.5 WHEN 1 THEN -0.000000001 WHEN 2 THEN 92233720368547758.07
                  ELSE round((random() * 900)::numeric, 2) END,
       DATE '2024-06-30' - (i % 130), DATE '2024-06-30' - (i % 130) + (i % 17)
FROM generate_series(1, 2000) i;

SELECT is((SELECT pg_temp.aging_merge(s::text::o2c.aging_state)::text
             FROM (SELECT pg_temp.aging_partial(amt, due, DATE '2024-06-30') s FROM spilly GROUP BY part) p),
          (SELECT o2c.aging(amt, due, DATE '2024-06-30')::text FROM spilly),
          'aging: partial states through their text form, combined, equal the whole (spills included)');
SELECT is((SELECT pg_temp.ladder_merge(s::text::o2c.aging_state)::text
             FROM (SELECT pg_temp.ladder_partial(amt, due, DATE '2024-06-30', '{0,7,45}') s FROM spilly GROUP BY part) p),
          (SELECT o2c.aging(amt, due, DATE '2024-06-30', '{0,7,45}')::text FROM spilly),
          'ladder: partial states through text, combined, equal the whole');
SELECT is((SELECT pg_temp.aging_merge(s::text::o2c.aging_state)::text
             FROM (SELECT pg_temp.disputed_partial(amt, due, DATE '2024-06-30', disputed) s FROM book GROUP BY customer) p),
          (SELECT o2c.aging_disputed(amt, due, DATE '2024-06-30', disputed)::text FROM book),
          'aging_disputed: 23 partial states combined equal the whole');
SELECT is((SELECT pg_temp.days_merge(s::text::o2c.days_state)
             FROM (SELECT pg_temp.days_partial(amt, due, paid) s FROM spilly GROUP BY part) p),
          (SELECT o2c.avg_days_to_pay(amt, due, paid) FROM spilly),
          'avg_days_to_pay: partial states through text, combined, equal the whole');
SELECT is((SELECT count(*) FROM (SELECT pg_temp.aging_partial(amt, due, DATE '2024-06-30') s
                                   FROM spilly GROUP BY part) p
            WHERE s::text::o2c.aging_state::text <> s::text),
          0::bigint, 'text output and input round-trip');

-- The binary form, through COPY (FORMAT binary).
CREATE TABLE states (part int, s o2c.aging_state, d o2c.days_state);
INSERT INTO states
SELECT part, pg_temp.aging_partial(amt, due, DATE '2024-06-30'), pg_temp.days_partial(amt, due, paid)
  FROM spilly GROUP BY part;
CREATE TABLE states_back (LIKE states);
SELECT pg_catalog.set_config('o2c_test.file', '/tmp/o2c_aging_state_' || pg_backend_pid() || '.bin', true);
DO $$ BEGIN
    EXECUTE format('COPY states TO %L (FORMAT binary)', current_setting('o2c_test.file'));
    EXECUTE format('COPY states_back FROM %L (FORMAT binary)', current_setting('o2c_test.file'));
END $$;
SELECT is((SELECT row(pg_temp.aging_merge(s), pg_temp.days_merge(d))::text FROM states_back),
          (SELECT row(o2c.aging(amt, due, DATE '2024-06-30'), o2c.avg_days_to_pay(amt, due, paid))::text FROM spilly),
          'partial states through COPY binary (send and receive), combined, equal the whole');

-- Direct calls, outside an aggregate, work on copies.
SELECT is(pg_typeof(o2c.aging_trans(NULL, 12.50, DATE '2024-06-01', DATE '2024-06-30'))::text,
          'o2c.aging_state', 'the transition function returns o2c.aging_state');
SELECT is(o2c.aging_final(o2c.aging_trans(o2c.aging_trans(NULL, 12.50, DATE '2024-06-01', DATE '2024-06-30'),
                                          7.25, NULL, DATE '2024-06-30'))::text,
          '(0.00,12.50,0.00,0.00,0.00,12.50,12.50,1,29.00,7.25,0.00)',
          'transition and final functions called directly');
SELECT is((WITH s AS (SELECT o2c.aging_trans(NULL, 5, DATE '2024-06-01', DATE '2024-06-30') AS one)
           SELECT row((o2c.aging_final(o2c.aging_combine(one, one))).total,
                      (o2c.aging_final(one)).total)::text FROM s),
          '(10,5)', 'a direct combine leaves its arguments as they were');

-- Errors.
SELECT throws_ok($$SELECT 'zz'::o2c.aging_state$$, '22P02',
                 'invalid input syntax for type o2c.aging_state: "zz"', 'text input that is not hexadecimal');
SELECT throws_ok($$SELECT '0300'::o2c.aging_state$$, '22P02',
                 'invalid value of type o2c.aging_state: truncated or corrupt', 'truncated text input');
SELECT throws_ok($$SELECT ('09' || substr(o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30')::text, 3))::o2c.aging_state$$,
                 '22P02', 'invalid value of type o2c.aging_state: truncated or corrupt', 'an unknown state version');
SELECT throws_ok($$SELECT (o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30')::text || '00')::o2c.aging_state$$,
                 '22P02', 'invalid value of type o2c.aging_state: truncated or corrupt', 'trailing bytes');
SELECT throws_ok($$SELECT '02'::o2c.days_state$$, '22P02',
                 'invalid value of type o2c.days_state: truncated or corrupt', 'truncated days_state');
SELECT throws_ok($$SELECT o2c.aging_final(o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30', '{0,60}'))$$,
                 '22023', 'o2c.aging_final takes a state of the five-bucket o2c.aging, not of the aging ladder',
                 'a ladder state into the five-bucket final function');
SELECT throws_ok($$SELECT o2c.aging_ladder_final(o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30'))$$,
                 '22023', 'o2c.aging_ladder_final takes a state of the aging ladder, not of the five-bucket o2c.aging',
                 'a five-bucket state into the ladder final function');
SELECT throws_ok($$SELECT o2c.aging_combine(o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30'),
                                             o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-07-31'))$$,
                 '22023', 'as_of must be the same in every row of a group, found "2024-06-30" and "2024-07-31"',
                 'combining states of two as_of dates');
SELECT throws_ok($$SELECT o2c.aging_combine(o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30', '{0,30}'),
                                             o2c.aging_trans(NULL, 1, DATE '2024-06-01', DATE '2024-06-30', '{0,60}'))$$,
                 '22023', 'aging bounds must be the same in every row of a group', 'combining states of two ladders');

-- Result numerics are built directly in numeric's stored form: the very
-- bytes numeric's own arithmetic gives (numeric_send compares them all).
CREATE TEMP TABLE vals AS
SELECT i AS id, round(((random() - 0.5) * 10 ^ (random() * 12))::numeric, i % 9) AS x
FROM generate_series(1, 20000) i
UNION ALL
SELECT 20000 + k, v::numeric FROM unnest('{0,0.00,-0.01,0.01,9999.99,10000,-10000.0001,0.00000001,-0.00000001,
    92233720368.54775807,-92233720368.54775807,100000000000,123456789012.34567890,1e-8,5.10,-5.1000}'::text[])
    WITH ORDINALITY u(v, k);
SELECT is((SELECT count(*) FROM (SELECT id, x, (o2c.aging(x, DATE '2024-06-01', DATE '2024-06-01')).current AS a
                                   FROM vals GROUP BY id, x) t
            WHERE numeric_send(a) IS DISTINCT FROM numeric_send(x) OR a::text IS DISTINCT FROM x::text),
          0::bigint, 'aging results are numerics identical, byte for byte, to the amounts (20,016 values, scales 0 to 8)');
SELECT is((SELECT count(*) FROM o2c.open_items(
              'SELECT id::text AS invoice_id, ''C'' AS customer_id, DATE ''2024-01-01'' AS invoice_date,
                      DATE ''2024-02-01'' AS due_date, x AS amount, ''EUR'' AS currency FROM vals WHERE x <> 0 AND abs(x) < 1e9',
              'SELECT id::text AS invoice_id, DATE ''2024-01-15'' AS settled_on, round(x / 3, 2) AS amount FROM vals WHERE x <> 0 AND abs(x) < 1e9',
              DATE '2024-06-30', '{"include_settled": true}') o
            JOIN vals v ON v.id::text = o.invoice_id
           WHERE numeric_send(o.amount) IS DISTINCT FROM numeric_send(round(v.x, greatest(scale(v.x), 2)))
              OR numeric_send(o.open_amount)
                 IS DISTINCT FROM numeric_send(round(v.x - round(v.x / 3, 2), greatest(scale(v.x), 2)))),
          0::bigint, 'open_items amounts and open amounts, shown at the invoice''s scale, are byte for byte the numerics SQL gives');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: o2c.terms errors, canonical text and properties.
BEGIN;
SELECT plan(65);

-- Bad text: 22P02 with the position of what was expected.
SELECT throws_ok($$SELECT 'net'::o2c.terms$$, '22P02', NULL, 'NET without days');
SELECT throws_ok($$SELECT ''::o2c.terms$$, '22P02', NULL, 'empty text');
SELECT throws_ok($$SELECT '   '::o2c.terms$$, '22P02', NULL, 'only blanks');
SELECT throws_ok($$SELECT 'net 30 foo'::o2c.terms$$, '22P02', NULL, 'unknown word');
SELECT throws_ok($$SELECT 'net 30 $'::o2c.terms$$, '22P02', NULL, 'unexpected character');
SELECT throws_ok($$SELECT 'net 30;'::o2c.terms$$, '22P02', NULL, 'trailing semicolon');
SELECT throws_ok($$SELECT '40% net 0; net 30'::o2c.terms$$, '22P02', NULL, 'installment without a share');
SELECT throws_ok($$SELECT '2/ net 30'::o2c.terms$$, '22P02', NULL, 'discount without days');
SELECT throws_ok($$SELECT 'net 30.5'::o2c.terms$$, '22P02', NULL, 'fractional days');
SELECT throws_ok($$SELECT 'net 30.001'::o2c.terms$$, '22P02', NULL, 'days with a decimal point');
SELECT throws_ok($$SELECT 'net 3.'::o2c.terms$$, '22P02', NULL, 'decimal point without digits');
SELECT throws_ok($$SELECT 'due on'::o2c.terms$$, '22P02', NULL, 'DUE ON without RECEIPT');
SELECT throws_ok($$SELECT '30'::o2c.terms$$, '22P02', NULL, 'a bare number');
SELECT throws_ok($$SELECT '2/10 prox'::o2c.terms$$, '22P02', NULL, 'discount before PROX');
SELECT throws_ok($$SELECT 'net 30 net 60'::o2c.terms$$, '22P02', NULL, 'two terms without a separator');
SELECT throws_ok($$SELECT 'net 30x'::o2c.terms$$, '22P02', NULL, 'unknown word glued to days');
SELECT throws_ok($$SELECT 'cod eom'::o2c.terms$$, '22P02', NULL, 'EOM after COD');
SELECT throws_ok($$SELECT 'net 30 x'::o2c.terms$$, '22P02',
    'invalid payment terms: "net 30 x"', 'the message names the input');

-- Out-of-range numbers: 22023.
SELECT throws_ok($$SELECT 'net 1000'::o2c.terms$$, '22023', NULL, 'NET above 999');
SELECT throws_ok($$SELECT 'net 99999999999999999999'::o2c.terms$$, '22023', NULL, 'huge NET');
SELECT throws_ok($$SELECT '2/40 net 30'::o2c.terms$$, '22023', NULL, 'discount days above net days');
SELECT throws_ok($$SELECT '100/10 net 30'::o2c.terms$$, '22023', NULL, 'discount of 100%');
SELECT throws_ok($$SELECT '0/10 net 30'::o2c.terms$$, '22023', NULL, 'discount of 0%');
SELECT throws_ok($$SELECT '2.555/10 net 30'::o2c.terms$$, '22023', NULL, 'discount with 3 decimals');
SELECT throws_ok($$SELECT '32 prox'::o2c.terms$$, '22023', NULL, 'PROX day 32');
SELECT throws_ok($$SELECT '0 prox'::o2c.terms$$, '22023', NULL, 'PROX day 0');
SELECT throws_ok($$SELECT '40% net 0; 50% net 30'::o2c.terms$$, '22023', NULL, 'shares summing to 90');
SELECT throws_ok($$SELECT '50% net 30'::o2c.terms$$, '22023', NULL, 'a single share of 50');
SELECT throws_ok($$SELECT '0% net 0; 100% net 30'::o2c.terms$$, '22023', NULL, 'a share of 0');
SELECT throws_ok($$SELECT '33.333% net 0; 66.667% net 30'::o2c.terms$$, '22023', NULL, 'shares with 3 decimals');
SELECT throws_ok(format('SELECT %L::o2c.terms',
    (SELECT string_agg('3% NET ' || i, '; ') FROM generate_series(1, 33) i) || '; 1% NET 0'),
    '22023', NULL, 'more than 32 installments');

-- Dates and amounts.
SELECT throws_ok($$SELECT o2c.due_date('NET 30', 'infinity'::date)$$, '22008', NULL, 'infinite invoice date');
SELECT throws_ok($$SELECT o2c.due_date('NET 999', '5874897-12-01'::date)$$, '22008', NULL, 'due date past the date range');
SELECT throws_ok($$SELECT o2c.discount_amount('2/10 NET 30', 'NaN', '2024-01-01', '2024-01-02')$$, '22023', NULL, 'NaN amount');
SELECT throws_ok($$SELECT o2c.discount_amount('2/10 NET 30', 10, '2024-01-01', '2024-01-02', 'EURO')$$, '22023', NULL, 'unknown currency');
SELECT throws_ok($$SELECT o2c.discount_amount('2/10 NET 30', 10, '2024-01-01', '-infinity')$$, '22008', NULL, 'infinite payment date');

-- Properties over many generated terms.
CREATE TEMP TABLE gen AS
SELECT i,
       (CASE i % 5
            WHEN 0 THEN format('NET %s', i % 1000)
            WHEN 1 THEN format('%s/%s NET %s EOM', 1 + i % 9, i % 10, 10 + i % 90)
            WHEN 2 THEN format('%s PROX', 1 + i % 31)
            WHEN 3 THEN format('%s%% NET %s; %s%% %s PROX', 1 + i % 99, i % 60, 99 - i % 99, 1 + i % 28)
            ELSE format('%s.%s%% %s NET %s', 1 + i % 5, i % 10, i % 15, 15 + i % 50)
        END)::o2c.terms AS t,
       DATE '2020-01-01' + (i * 37) % 2000 AS d,
       round((i * 7919 % 1000000) / 100.0 + 0.01, 2) AS amount
FROM generate_series(1, 2000) i;

SELECT is((SELECT count(*) FROM gen WHERE t::text::o2c.terms OPERATOR(o2c.<>) t
                                       OR t::text::o2c.terms::text <> t::text), 0::bigint,
          'canonical text reparses to the same terms');
SELECT is((SELECT count(*) FROM gen WHERE lower(t::text)::o2c.terms OPERATOR(o2c.<>) t), 0::bigint,
          'input is case-insensitive');
SELECT is((SELECT count(*) FROM gen WHERE o2c.due_date(t, d) < d), 0::bigint,
          'due dates never precede the invoice date');
SELECT is((SELECT count(*) FROM gen WHERE o2c.discount_until(t, d) > o2c.due_date(t, d)), 0::bigint,
          'discount windows end by the due date');
SELECT is((SELECT count(*) FROM gen g
           WHERE (SELECT sum(s.amount) FROM o2c.payment_schedule(g.amount, g.d, g.t) s) <> g.amount),
          0::bigint, 'schedule amounts sum to the amount');
SELECT is((SELECT count(*) FROM gen g, o2c.payment_schedule(g.amount, g.d, g.t) s WHERE s.due_date < g.d),
          0::bigint, 'schedule dates never precede the invoice date');
SELECT is((SELECT count(*) FROM gen g
           WHERE (SELECT max(s.due_date) FROM o2c.payment_schedule(g.amount, g.d, g.t) s)
                 <> o2c.due_date(g.t, g.d)), 0::bigint,
          'due_date is the last installment date');
SELECT is((SELECT count(*) FROM gen
           WHERE o2c.discount_until(t, d) IS NOT NULL
             AND o2c.discount_amount(t, amount, d, o2c.discount_until(t, d)) = 0), 0::bigint,
          'the last day of the window still earns the discount');
SELECT is((SELECT count(*) FROM gen
           WHERE o2c.discount_until(t, d) IS NOT NULL
             AND o2c.discount_amount(t, amount, d, o2c.discount_until(t, d) + 1) <> 0), 0::bigint,
          'the day after the window earns nothing');
SELECT is(o2c.terms_hash('COD'), o2c.terms_hash('NET 0'), 'equal terms hash equally');
SELECT is(o2c.terms_hash_extended('COD', 42), o2c.terms_hash_extended('net 0', 42), 'equal terms hash equally with a seed');

-- Hash and B-tree indexes both work.
CREATE TEMP TABLE idx AS SELECT t FROM gen;
CREATE INDEX ON idx USING hash (t);
CREATE INDEX ON idx (t);
SET LOCAL enable_seqscan = off;
SELECT is((SELECT count(*) FROM idx WHERE t OPERATOR(o2c.=) '15 PROX'::o2c.terms),
          (SELECT count(*) FROM gen WHERE t::text = '15 PROX'), 'index look-up finds equal terms');
-- Binary input (COPY FORMAT binary) checks every field: 22P03.
CREATE TEMP TABLE bin_t (t o2c.terms);
CREATE FUNCTION pg_temp.copy_file(payload bytea) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    f text := format('/tmp/o2c_terms_bin_%s.bin', pg_backend_pid());
    lo oid;
BEGIN
    lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
                           || '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea);
    PERFORM lo_export(lo, f);
    PERFORM lo_unlink(lo);
    RETURN format('COPY bin_t FROM %L WITH (FORMAT binary)', f);
END
$f$;
-- NET 30: version 1, 1 part: pct 10000, no discount, 30 days, kind NET.
SELECT lives_ok(pg_temp.copy_file('\x01010000271000000000001e0000010000'), 'a valid binary value loads');
SELECT is((SELECT t::text FROM bin_t), 'NET 30', 'and reads back as NET 30');
SELECT throws_ok(pg_temp.copy_file('\x02010000271000000000001e0000010000'), '22P03', NULL, 'unknown binary version');
SELECT throws_ok(pg_temp.copy_file('\x0100'), '22P03', NULL, 'zero installments');
SELECT throws_ok(pg_temp.copy_file('\x01010000271000000000001e000001000000'), '22P03', NULL, 'trailing garbage');
SELECT throws_ok(pg_temp.copy_file('\x0101000027100000000003e80000010000'), '22P03', NULL, 'NET 1000 in binary');
SELECT throws_ok(pg_temp.copy_file('\x01010000138800000000001e0000010000'), '22P03', NULL, 'a share of 50 alone');
SELECT throws_ok(pg_temp.copy_file('\x0101000027100000000000000000020020'), '22P03', NULL, 'PROX day 32');
SELECT throws_ok(pg_temp.copy_file('\x0101000027100000000000000000070000'), '22P03', NULL, 'unknown kind');
-- a payload too short for its header or its installments is bad data too (22P03), not a protocol error
SELECT throws_ok(pg_temp.copy_file('\x01010000271000'), '22P03',
    'invalid binary payment terms: 7 bytes is too short', 'truncated value');
SELECT throws_ok(pg_temp.copy_file(''), '22P03', 'invalid binary payment terms: 0 bytes is too short', 'empty value');
SELECT throws_ok(pg_temp.copy_file('\x01'), '22P03', NULL, 'a version byte alone');
SELECT throws_ok(pg_temp.copy_file('\x0102'), '22P03', NULL, 'a header without its installments');
SELECT throws_ok(pg_temp.copy_file('\x0102000027100000000000000000010000'), '22P03', NULL, 'two installments announced, one given');

-- o2c's operators are found on the search path (README's set-up puts o2c
-- there); without it a plain = is the error README shows, and the qualified
-- operator works either way.
SET LOCAL search_path = public;
SELECT throws_ok($$SELECT 'NET 30'::o2c.terms = 'NET 30'$$, '42883',
    'operator does not exist: o2c.terms = unknown', 'without o2c on the search path, = on o2c.terms is not found');
SELECT ok('NET 30'::o2c.terms OPERATOR(o2c.=) 'net 30', 'the qualified operator needs no search path');
SET LOCAL search_path = "$user", public, o2c;
SELECT ok('2% 10 net 30'::o2c.terms = '2/10 NET 30', 'with o2c on the search path, as README sets it, = works');

SELECT * FROM finish();
ROLLBACK;

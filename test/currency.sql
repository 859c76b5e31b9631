-- pgTAP: the ISO 4217 table, and amount_check.
BEGIN;
SELECT plan(24);
SELECT is(o2c.currency_minor_units('EUR'), 2, 'EUR has 2 decimals');
SELECT is(o2c.currency_minor_units('jpy'), 0, 'JPY has none, any case');
SELECT is(o2c.currency_minor_units(' KWD '), 3, 'KWD has 3, spaces trimmed');
SELECT is(o2c.currency_minor_units('CLF'), 4, 'CLF has 4');
SELECT is((SELECT count(*) FROM unnest(ARRAY['', 'E', 'EU', 'EU R', 'EURO', 'E1R', 'ÉUR', E'EU\tR']) c
           WHERE o2c.currency_valid(c)), 0::bigint, 'currency_valid says false, never raises, on junk');
SELECT ok(NOT o2c.currency_valid('HRK'), 'withdrawn codes are not valid');
SELECT throws_ok($$SELECT o2c.currency_minor_units('EURO')$$, '22023', 'unknown currency: "EURO"', 'unknown code');
SELECT throws_ok($$SELECT o2c.currency_minor_units('XAU')$$, '22023', 'currency "XAU" has no minor unit', 'gold has no minor unit');
SELECT is(o2c.currency_minor_units(NULL), NULL, 'STRICT: NULL in, NULL out');

-- amount_check: the checks a promise's or a dispute's amount passes (its
-- hints are tested in test/collect.sql, beside those of its callers).
SELECT lives_ok($$SELECT o2c.amount_check(' eur ', 12.50)$$, 'a positive amount in a known currency, any case, spaces trimmed');
SELECT lives_ok($$SELECT o2c.amount_check('JPY', 10), o2c.amount_check('KWD', 0.001), o2c.amount_check('EUR', 1e12)$$,
                'as many decimals as the currency has, or fewer');
SELECT throws_ok($$SELECT o2c.amount_check(NULL, 10)$$, '22004', 'currency and amount must not be null', 'NULL currency');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', NULL, 'fee')$$, '22004', 'currency and fee must not be null',
                 'NULL amount, named by what');
SELECT throws_ok($$SELECT o2c.amount_check('EURO', 10)$$, '22023', 'unknown currency: "EURO"', 'unknown currency');
SELECT throws_ok($$SELECT o2c.amount_check('EURO', 0)$$, '22023', 'unknown currency: "EURO"', 'the currency is checked first');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', 0)$$, '22023', 'amount 0 is not a positive amount', 'zero');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', -5.00)$$, '22023', 'amount -5.00 is not a positive amount', 'negative');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', 'NaN')$$, '22023', 'amount NaN is not a positive amount', 'NaN');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', 'Infinity')$$, '22023', 'amount Infinity is not a positive amount', 'infinite');
SELECT throws_ok($$SELECT o2c.amount_check('EUR', '-Infinity', 'fee')$$, '22023', 'fee -Infinity is not a positive amount',
                 'minus infinity, named by what');
SELECT throws_ok($$SELECT o2c.amount_check('jpy', 10.5, 'promised amount')$$, '22023',
                 'promised amount 10.5 has more decimals than JPY has', 'more decimals than the currency');
SELECT throws_ok($$SELECT o2c.amount_check('XAU', 1)$$, '22023', 'currency "XAU" has no minor unit', 'a currency without minor units');
SELECT is((SELECT row(provolatile, proparallel, proisstrict, prosecdef)::text FROM pg_proc
           WHERE oid = 'o2c.amount_check(text, numeric, text, text)'::regprocedure),
          '(i,s,f,f)', 'IMMUTABLE PARALLEL SAFE, not STRICT (a NULL is an error), SECURITY INVOKER');
SELECT ok(has_function_privilege('public', 'o2c.amount_check(text, numeric, text, text)', 'EXECUTE')
          AND obj_description('o2c.amount_check(text, numeric, text, text)'::regprocedure, 'pg_proc') IS NOT NULL,
          'anyone may run it, and it is commented');
SELECT * FROM finish();
ROLLBACK;

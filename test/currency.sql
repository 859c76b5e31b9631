-- pgTAP: the ISO 4217 table.
BEGIN;
SELECT plan(9);
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
SELECT * FROM finish();
ROLLBACK;

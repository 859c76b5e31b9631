-- Currencies: o2c.fx_rate, o2c.settings, o2c.convert and o2c.revaluation.
-- Errors are shown as SQLSTATE: message.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- The tables: empty by default, config-dumped, readable by anyone.
SELECT count(*) AS rates FROM o2c.fx_rate;
SELECT count(*) AS settings FROM o2c.settings;
SELECT c.relname, c.oid = ANY (e.extconfig) AS config_dumped,
       has_table_privilege('public', c.oid, 'SELECT') AS public_reads
FROM pg_class c, pg_extension e
WHERE e.extname = 'o2c' AND c.oid IN ('o2c.fx_rate'::regclass, 'o2c.settings'::regclass)
ORDER BY 1;

-- convert is for anyone; revaluation runs an inner query: o2c_operator only.
SELECT f, has_function_privilege('public', f, 'EXECUTE') AS public_runs,
       has_function_privilege('o2c_operator', f, 'EXECUTE') AS operator_runs
FROM unnest(ARRAY['o2c.convert(numeric, text, text, date)', 'o2c.revaluation(text, text, date)',
                  'o2c.revaluation(text, text, date, text)']::regprocedure[]) AS f;

-- What fx_rate refuses: lower-case or unknown codes, a pair of one
-- currency, a rate that is not positive and finite, an infinite date.
SELECT pg_temp.err(q) FROM unnest(ARRAY[
    $$INSERT INTO o2c.fx_rate VALUES ('usd', 'EUR', '2025-01-01', 0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EURO', '2025-01-01', 0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'ABC', '2025-01-01', 0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('EUR', 'EUR', '2025-01-01', 1)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', 0)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', -0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', 'NaN')$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', 'Infinity')$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', 'infinity', 0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', NULL, 0.9)$$,
    $$INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', NULL)$$]) AS q;
-- ... and settings: unknown names and invalid pivots.
SELECT pg_temp.err(q) FROM unnest(ARRAY[
    $$INSERT INTO o2c.settings VALUES ('fx_pivto', 'EUR')$$,
    $$INSERT INTO o2c.settings VALUES ('fx_pivot', 'eur')$$,
    $$INSERT INTO o2c.settings VALUES ('fx_pivot', 'EURO')$$,
    $$INSERT INTO o2c.settings VALUES ('fx_pivot', NULL)$$]) AS q;

-- Rates: one unit of base is worth rate units of quote from rate_date on.
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate) VALUES
    ('USD', 'EUR', '2025-01-01', 0.92),
    ('USD', 'EUR', '2025-02-01', 0.95),
    ('EUR', 'USD', '2025-03-01', 1.10),   -- the inverse direction, more recent
    ('EUR', 'JPY', '2025-01-01', 160.00),
    ('EUR', 'KWD', '2025-01-01', 0.3215),
    ('GBP', 'EUR', '2025-01-01', 1.20),
    ('CHF', 'EUR', '2025-01-15', 1.0651),
    ('EUR', 'CHF', '2025-01-15', 0.9400); -- both directions on one day

-- Direct: the latest rate on or before the date.
SELECT d AS on_date, o2c.convert(100, 'USD', 'EUR', d) AS eur
FROM unnest(ARRAY['2025-01-01', '2025-01-31', '2025-02-01', '2025-02-28']::date[]) AS d;
-- Inverse: only EUR/JPY is stored, so JPY -> EUR divides by it.
SELECT o2c.convert(16000, 'JPY', 'EUR', '2025-06-30') AS eur;
-- The more recent of the two directions wins: from March on, EUR/USD 1.10
-- (100 USD = 100 / 1.10 EUR) beats USD/EUR 0.95 of February ...
SELECT d AS on_date, o2c.convert(100, 'USD', 'EUR', d) AS eur, o2c.convert(100, 'EUR', 'USD', d) AS usd
FROM unnest(ARRAY['2025-02-28', '2025-03-01']::date[]) AS d;
-- ... and on a tie the pair as asked (CHF/EUR 1.0651, not 1 / 0.94).
SELECT o2c.convert(100, 'CHF', 'EUR', '2025-01-15') AS eur, o2c.convert(100, 'EUR', 'CHF', '2025-01-15') AS chf;
-- Triangulated through EUR (the default pivot): USD -> EUR -> JPY and
-- GBP -> EUR -> USD, each leg at its own latest rate, one rounding.
SELECT o2c.convert(100, 'USD', 'JPY', '2025-01-31') AS jpy,    -- 100 * 0.92 * 160
       o2c.convert(100, 'GBP', 'USD', '2025-03-31') AS usd,    -- 100 * 1.20 * 1.10
       o2c.convert(100, 'GBP', 'USD', '2025-02-15') AS usd_feb; -- 100 * 1.20 / 0.95

-- Rounding: to the target's minor units, half away from zero.
SELECT amount, o2c.convert(amount, 'EUR', 'JPY', '2025-01-31') AS jpy,
       o2c.convert(amount, 'EUR', 'KWD', '2025-01-31') AS kwd
FROM unnest(ARRAY[0.01, 0.003125, -0.003125, 1.00, 12.34, -12.34]::numeric[]) AS amount;
-- 0.5 yen exactly rounds away from zero: 1/320 EUR = 0.5 JPY.
SELECT o2c.convert(0.003125, 'EUR', 'JPY', '2025-01-31') AS half_up,
       o2c.convert(-0.003125, 'EUR', 'JPY', '2025-01-31') AS half_down;
-- No intermediate rounding: 1 JPY -> KWD through EUR is 1 / 160 * 0.3215.
SELECT o2c.convert(1, 'JPY', 'KWD', '2025-01-31') AS kwd, o2c.convert(1000, 'JPY', 'KWD', '2025-01-31') AS kwd_1000;
-- Amounts beyond the 128-bit fast path and rates with many decimals are exact too.
SELECT o2c.convert(123456789012345678901234.56, 'USD', 'EUR', '2025-01-31') AS big,
       o2c.convert(1.005, 'EUR', 'JPY', '2025-01-31') AS small;
INSERT INTO o2c.fx_rate VALUES ('SEK', 'EUR', '2025-01-01', 0.087123456789123);
SELECT o2c.convert(1000000, 'SEK', 'EUR', '2025-01-31') AS eur, o2c.convert(100, 'EUR', 'SEK', '2025-01-31') AS sek;
-- Same currency: the amount unchanged, not rounded, no rate needed;
-- codes in any case, surrounding spaces allowed.
SELECT o2c.convert(12.3456, 'EUR', 'EUR', '1900-01-01') AS same, o2c.convert(100, ' usd', 'eur ', '2025-01-31') AS lower;
-- STRICT: NULL in, NULL out.
SELECT o2c.convert(NULL, 'USD', 'EUR', '2025-01-31') IS NULL AS null_amount,
       o2c.convert(1, NULL, 'EUR', '2025-01-31') IS NULL AS null_currency;

-- The pivot is a setting: through USD instead of EUR.
INSERT INTO o2c.fx_rate VALUES ('USD', 'MXN', '2025-01-01', 20.00), ('USD', 'CAD', '2025-01-01', 1.40);
SELECT pg_temp.err($$SELECT o2c.convert(100, 'MXN', 'CAD', '2025-01-31')$$);
INSERT INTO o2c.settings VALUES ('fx_pivot', 'USD');
SELECT o2c.convert(100, 'MXN', 'CAD', '2025-01-31') AS cad;   -- 100 / 20 * 1.40
SELECT pg_temp.err($$SELECT o2c.convert(100, 'JPY', 'USD', '2025-01-31')$$);
DELETE FROM o2c.settings;

-- Every error of convert, with its SQLSTATE.
SELECT pg_temp.err(q) FROM unnest(ARRAY[
    $$SELECT o2c.convert(100, 'USD', 'EUR', '2024-12-31')$$,
    $$SELECT o2c.convert(100, 'MXN', 'JPY', '2025-01-31')$$,
    $$SELECT o2c.convert(100, 'AUD', 'EUR', '2025-01-31')$$,
    $$SELECT o2c.convert(100, 'EURO', 'USD', '2025-01-31')$$,
    $$SELECT o2c.convert(100, 'USD', '', '2025-01-31')$$,
    $$SELECT o2c.convert(100, 'USD', 'XAU', '2025-01-31')$$,
    $$SELECT o2c.convert('NaN', 'USD', 'EUR', '2025-01-31')$$,
    $$SELECT o2c.convert('-Infinity', 'USD', 'EUR', '2025-01-31')$$,
    $$SELECT o2c.convert(100, 'USD', 'EUR', 'infinity')$$,
    $$SELECT o2c.convert(100, 'USD', 'EUR', '-infinity')$$]) AS q;
-- A missing rate at the default verbosity: the pair, the date, what was
-- looked for and what to add.
\set VERBOSITY default
SELECT o2c.convert(100, 'AUD', 'JPY', '2025-01-31');
\set VERBOSITY terse

-- The cache lasts one query: a change between statements of one
-- transaction is seen ...
BEGIN;
SELECT o2c.convert(100, 'GBP', 'EUR', '2025-01-31') AS before;
UPDATE o2c.fx_rate SET rate = 1.25 WHERE base = 'GBP' AND quote = 'EUR';
SELECT o2c.convert(100, 'GBP', 'EUR', '2025-01-31') AS after;
ROLLBACK;
-- ... by the statements of a PL/pgSQL loop (whose expressions outlive one
-- statement) ...
CREATE FUNCTION pg_temp.loop() RETURNS text[] LANGUAGE plpgsql AS $f$
DECLARE
    out text[] := '{}';
BEGIN
    FOR i IN 1..3 LOOP
        out := out || o2c.convert(100, 'GBP', 'EUR', '2025-01-31')::text
                   || o2c.convert(100, 'GBP', 'JPY', '2025-01-31')::text;
        UPDATE o2c.fx_rate SET rate = rate + 0.01 WHERE base = 'GBP' AND quote = 'EUR';
    END LOOP;
    INSERT INTO o2c.fx_rate VALUES ('GBP', 'EUR', '2025-01-20', 2.00);
    out := out || o2c.convert(100, 'GBP', 'EUR', '2025-01-31')::text;
    DELETE FROM o2c.fx_rate WHERE base = 'GBP';
    BEGIN
        out := out || o2c.convert(100, 'GBP', 'EUR', '2025-01-31')::text;
    EXCEPTION WHEN no_data_found THEN
        out := out || 'no rate'::text;
    END;
    INSERT INTO o2c.settings VALUES ('fx_pivot', 'JPY');
    out := out || pg_temp.err($$SELECT o2c.convert(100, 'USD', 'KWD', '2025-01-31')$$);
    RETURN out;
END
$f$;
BEGIN;
SELECT unnest(pg_temp.loop()) AS loop_results;
ROLLBACK;
-- ... by a prepared statement, custom or generic plan ...
PREPARE conv(numeric) AS SELECT o2c.convert($1, 'GBP', 'EUR', '2025-01-31');
BEGIN;
EXECUTE conv(100);
UPDATE o2c.fx_rate SET rate = 1.30 WHERE base = 'GBP' AND quote = 'EUR';
EXECUTE conv(100);
SET LOCAL plan_cache_mode = force_generic_plan;
EXECUTE conv(100);
DELETE FROM o2c.fx_rate WHERE base = 'GBP';
SELECT pg_temp.err('EXECUTE conv(100)');
ROLLBACK;
DEALLOCATE conv;
-- ... while a cursor keeps the snapshot it was opened with, as a STABLE
-- function must.
BEGIN;
DECLARE c CURSOR FOR SELECT g, o2c.convert(100, 'GBP', 'EUR', '2025-01-31') FROM generate_series(1, 3) g;
FETCH 1 FROM c;
UPDATE o2c.fx_rate SET rate = 1.50 WHERE base = 'GBP' AND quote = 'EUR';
FETCH 2 FROM c;
SELECT o2c.convert(100, 'GBP', 'EUR', '2025-01-31') AS outside_the_cursor;
ROLLBACK;

-- A book in two currencies (columns as o2c.open_items returns them),
-- aged as of 31 March 2025 in EUR: each open amount converted at the
-- rate of the aging date, then bucketed.
CREATE TABLE fx_book (invoice_id text, customer_id text, currency text, invoice_date date, due_date date,
                      amount numeric, settled numeric, open_amount numeric, last_settled_on date,
                      erp_rate numeric);
INSERT INTO fx_book VALUES
    ('INV-1', 'C1', 'EUR', '2025-01-10', '2025-02-09', 1000.00,    0.00, 1000.00, NULL,         NULL),
    ('INV-2', 'C1', 'USD', '2025-01-15', '2025-02-14', 2200.00, 1100.00, 1100.00, '2025-02-20', 0.93),
    ('INV-3', 'C2', 'USD', '2025-02-10', '2025-03-12',  550.00,    0.00,  550.00, NULL,         NULL),
    ('INV-4', 'C2', 'EUR', '2025-03-05', '2025-04-04',  300.00,    0.00,  300.00, NULL,         NULL),
    ('INV-5', 'C3', 'JPY', '2025-01-20', '2025-02-19', 48000,      0,    48000,   NULL,         0.0062);
SELECT customer_id,
       (o2c.aging(o2c.convert(open_amount, currency, 'EUR', DATE '2025-03-31'), due_date, DATE '2025-03-31')).*
FROM fx_book GROUP BY customer_id ORDER BY customer_id;
SELECT (o2c.aging(o2c.convert(open_amount, currency, 'EUR', DATE '2025-03-31'), due_date, DATE '2025-03-31')).total
    AS book_total_eur
FROM fx_book;

-- Revaluation at the end of March: booked at the invoice date's rate ...
SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', '2025-03-31') ORDER BY invoice_id;
-- ... or at the rate the ERP booked (NULL: the invoice date's rate).
SELECT invoice_id, booked_rate, booked_amount, closing_amount, gain_loss
FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', '2025-03-31', 'erp_rate') ORDER BY invoice_id;
-- In USD: the EUR items revalue, the USD ones do not.
SELECT invoice_id, currency, booked_rate, booked_amount, closing_rate, closing_amount, gain_loss
FROM o2c.revaluation('SELECT * FROM fx_book WHERE currency <> ''JPY''', 'USD', '2025-03-31') ORDER BY invoice_id;
-- The gain or loss a controller posts, per currency.
SELECT currency, sum(gain_loss) AS unrealized
FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', '2025-03-31') GROUP BY currency ORDER BY currency;
-- No rows in, no rows out.
SELECT count(*) FROM o2c.revaluation('SELECT * FROM fx_book WHERE false', 'EUR', '2025-03-31');

-- Every error of revaluation, with its SQLSTATE.
SELECT pg_temp.err(q) FROM unnest(ARRAY[
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, invoice_date FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT *, 1 AS open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, invoice_date::text, open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', '2025-03-31', 'no_such_rate')$$,
    $$SELECT * FROM o2c.revaluation('SELECT *, ''x''::text AS r FROM fx_book', 'EUR', '2025-03-31', 'r')$$,
    $$SELECT * FROM o2c.revaluation('SELECT *, -1 AS r FROM fx_book', 'EUR', '2025-03-31', 'r')$$,
    $$SELECT * FROM o2c.revaluation('SELECT *, ''NaN''::numeric AS r FROM fx_book', 'EUR', '2025-03-31', 'r')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'EURO', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'XAU', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', 'infinity')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'EUR', '2024-12-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM fx_book', 'AUD', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('UPDATE fx_book SET amount = 0', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT * FROM no_such_table', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, NULL::text AS currency, invoice_date, open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, invoice_date, NULL::numeric AS open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, invoice_date, ''NaN''::numeric AS open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, ''EURO'' AS currency, invoice_date, open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, NULL::date AS invoice_date, open_amount FROM fx_book', 'EUR', '2025-03-31')$$,
    $$SELECT * FROM o2c.revaluation('SELECT invoice_id, customer_id, currency, ''infinity''::date AS invoice_date, open_amount FROM fx_book', 'EUR', '2025-03-31')$$]) AS q;
-- A per-row error names the invoice.
\set VERBOSITY default
SELECT * FROM o2c.revaluation('SELECT * FROM fx_book ORDER BY invoice_id DESC', 'AUD', '2025-03-31');
\set VERBOSITY terse

DROP TABLE fx_book;
DELETE FROM o2c.fx_rate;

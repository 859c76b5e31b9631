-- pgTAP: an error names a bad value by a short prefix of it (issue 13): at
-- most 64 characters, whole UTF-8 characters, then "..." and the value's
-- length, so a 100 KB bad value gives a short message. Short values are
-- quoted whole, as before.
BEGIN;
SELECT plan(53);
SET LOCAL client_min_messages = warning;

-- the error a statement raises: SQLSTATE, message, detail and hint, or NULL
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    m text; d text; h text;
BEGIN
    EXECUTE q;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || m || COALESCE(' DETAIL: ' || NULLIF(d, ''), '') || COALESCE(' HINT: ' || NULLIF(h, ''), '');
END $$;
CREATE TEMP TABLE big (v text);
INSERT INTO big VALUES (pg_catalog.repeat('INV-1 ', 17000));

-- the issue's example, exactly
SELECT is(pg_temp.err($$SELECT o2c.currency_minor_units((SELECT v FROM big))$$),
    '22023: unknown currency: "INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-... (102000 characters)" '
    'HINT: Use an active ISO 4217 code such as EUR, USD or JPY.',
    'unknown currency: 64 characters of a 102,000-character code, then its length');
SELECT is(pg_temp.err($$SELECT o2c.currency_minor_units('EURO')$$),
    '22023: unknown currency: "EURO" HINT: Use an active ISO 4217 code such as EUR, USD or JPY.',
    'a short value is quoted whole');
SELECT is(pg_temp.err($$SELECT o2c.currency_minor_units(pg_catalog.repeat('x', 64))$$),
    '22023: unknown currency: "' || pg_catalog.repeat('x', 64) || '" HINT: Use an active ISO 4217 code such as EUR, USD or JPY.',
    'a value of exactly 64 characters is quoted whole');
SELECT is(pg_temp.err($$SELECT o2c.currency_minor_units(pg_catalog.repeat('x', 65))$$),
    '22023: unknown currency: "' || pg_catalog.repeat('x', 64) || '... (65 characters)" HINT: Use an active ISO 4217 code such as EUR, USD or JPY.',
    'one character more is cut');
-- characters, not bytes: never half a character
SELECT is(pg_temp.err($$SELECT o2c.currency_minor_units(pg_catalog.repeat('é€😀', 40000))$$),
    '22023: unknown currency: "' || pg_catalog.left(pg_catalog.repeat('é€😀', 40000), 64)
        || '... (120000 characters)" HINT: Use an active ISO 4217 code such as EUR, USD or JPY.',
    'multi-byte characters are counted and cut whole');

-- a row key in invoice_guard's error, a value in its finding
CREATE TABLE g_big (doc_no text PRIMARY KEY, total numeric, cur text);
CREATE TRIGGER g_big_guard BEFORE INSERT ON g_big FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total', 'currency=cur');
SELECT is(pg_temp.err($$INSERT INTO g_big SELECT pg_catalog.left(v, 3000), 0, 'EUR' FROM big$$),
    '23514: invoice INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-... (3000 characters) '
    'violates rule zero_amount DETAIL: Amount 0 is neither positive (an invoice) nor negative (a credit note) (table public.g_big).',
    'invoice_guard names a long row key by its prefix');
SELECT is(pg_temp.err($$INSERT INTO g_big SELECT 'K-1', 1, v FROM big$$),
    '23514: invoice K-1 violates rule invalid_currency DETAIL: Currency "INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-... (102000 characters)" '
    'is not an active ISO 4217 code (table public.g_big).',
    'and a long bad value in the detail by its prefix');

-- the same for values of many functions: the whole error stays short
CREATE TEMP TABLE call (name text, q text, state text, prefix text);
INSERT INTO call VALUES
    ('split_amount currency', $$SELECT o2c.split_amount(10, '{1,1}', (SELECT v FROM big))$$, '22023', 'unknown currency: "INV-1 '),
    ('split_amount amount', $$SELECT o2c.split_amount(('0.' || pg_catalog.repeat('1', 16000))::numeric, '{1,1}', 'EUR')$$,
        '22023', 'amount 0.1111'),
    ('terms input', $$SELECT (SELECT v FROM big)::o2c.terms$$, '22P02', 'invalid payment terms: "INV-1 '),
    ('terms installments', $$SELECT pg_catalog.repeat('50% NET 1; ', 20000)::o2c.terms$$, '22023', 'too many installments in payment terms "50% NET 1; '),
    ('iban_normalize', $$SELECT o2c.iban_normalize((SELECT v FROM big))$$, '22P02', 'invalid IBAN: "INV-1 '),
    ('is_business_day calendar', $$SELECT o2c.is_business_day('2024-01-01', (SELECT v FROM big))$$, '22023', 'unknown calendar: "INV-1 '),
    ('adjust convention', $$SELECT o2c.adjust('2024-01-01', 'x', (SELECT v FROM big))$$, '22023', 'unknown business day convention: "INV-1 '),
    ('late_interest day count', $$SELECT o2c.late_interest(100, '2024-01-01', '2024-02-01', 0.1, (SELECT v FROM big))$$,
        '22023', 'unknown day count convention: "INV-1 '),
    ('late_interest rate', $$SELECT o2c.late_interest(100, '2024-01-01', '2024-02-01', ('-' || pg_catalog.repeat('9', 100000))::numeric)$$,
        '22023', 'annual rate -9999'),
    ('aging_bucket bounds', $$SELECT o2c.aging_bucket('2024-01-01', '2024-02-01', (SELECT pg_catalog.array_agg(i) FROM pg_catalog.generate_series(1, 20000) i))$$,
        '22023', 'invalid aging bounds: "{1,2,3,'),
    ('quality_scan rule', $$SELECT * FROM o2c.quality_scan('SELECT 1 AS invoice_id', pg_catalog.jsonb_build_object('rules', pg_catalog.jsonb_build_array((SELECT v FROM big))))$$,
        '22023', 'unknown rule: "INV-1 '),
    ('match_payments option', $$SELECT * FROM o2c.match_payments('SELECT 1', 'SELECT 1', pg_catalog.jsonb_build_object((SELECT v FROM big), 1))$$,
        '22023', 'unknown option of match_payments: "INV-1 '),
    ('dunning_level policy', $$SELECT o2c.dunning_level('2024-01-01', '2024-02-01', (SELECT v FROM big))$$,
        '22023', 'unknown dunning policy: "INV-1 '),
    ('dunning_schedule policy', $$SELECT * FROM o2c.dunning_schedule('2024-01-01', (SELECT v FROM big))$$,
        '22023', 'unknown dunning policy: "INV-1 '),
    ('match_payments query', $$SELECT * FROM o2c.match_payments('SELECT 1', 'DELETE FROM big WHERE v = ' || pg_catalog.quote_literal((SELECT v FROM big)))$$,
        '22023', 'invoices_sql of match_payments must be a query that returns rows DETAIL: The query given was: DELETE FROM big WHERE v = ''INV-1 INV-1 ');

SELECT is(pg_catalog.substr(pg_temp.err(q), 1, 5), state, name || ': the error has its SQLSTATE') FROM call ORDER BY name;
SELECT cmp_ok(pg_catalog.length(pg_temp.err(q)), '<', 600, name || ': and is short') FROM call ORDER BY name;
SELECT matches(pg_temp.err(q), '^.{5}: ' || pg_catalog.regexp_replace(prefix, '([.$^*+?()[\]{}|\\])', '\\\1', 'g'),
    name || ': and begins with the value')
    FROM call WHERE prefix IS NOT NULL ORDER BY name;
SELECT is(pg_temp.err($$SELECT o2c.collection_worklist_check('SELECT 1', '2024-01-01', pg_catalog.jsonb_build_object('k', (SELECT v FROM big)))$$),
    '22023: invalid collection_worklist options: {"k": "INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV... (102009 characters) '
    'HINT: Known options are "risk_model", "history_sql" and "reporting_currency".',
    'the worklist quotes bad options by their prefix');

SELECT * FROM finish();
ROLLBACK;

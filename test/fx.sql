-- pgTAP: o2c.convert and o2c.revaluation against a brute-force SQL lookup
-- of the rate on random rate tables; the cache across statements; errors.
BEGIN;
SELECT plan(26);
SELECT setseed(0.2025);
SET LOCAL datestyle = 'ISO, MDY';

-- The brute force: the latest rate of a/b or b/a on or before d (a/b on a
-- tie), as a fraction num/den.
CREATE FUNCTION pg_temp.ref_leg(a text, b text, d date, OUT num numeric, OUT den numeric)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN inv THEN 1 ELSE rate END, CASE WHEN inv THEN rate ELSE 1 END
    FROM (SELECT rate, rate_date, false AS inv FROM o2c.fx_rate
           WHERE base = a AND quote = b AND rate_date <= d
          UNION ALL
          SELECT rate, rate_date, true FROM o2c.fx_rate
           WHERE base = b AND quote = a AND rate_date <= d) r
    ORDER BY rate_date DESC, inv LIMIT 1
$$;
-- amount * num / den rounded half away from zero to s decimals, on exact
-- integers (numeric division alone rounds at its own scale first).
CREATE FUNCTION pg_temp.ref_round(x numeric, y numeric, s int) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT round((q + CASE WHEN 2 * abs(x - q * y) >= abs(y) THEN sign(x) ELSE 0 END) * power(10::numeric, -s), s)
    FROM (SELECT div(x, y) AS q) t
$$;
CREATE FUNCTION pg_temp.ref_convert(amount numeric, f text, t text, d date) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s int := o2c.currency_minor_units(t);
    p text := coalesce((SELECT value FROM o2c.settings WHERE name = 'fx_pivot'), 'EUR');
    l1 record;
    l2 record;
BEGIN
    IF upper(f) = upper(t) THEN
        RETURN amount;
    END IF;
    SELECT * INTO l1 FROM pg_temp.ref_leg(f, t, d);
    IF l1.num IS NOT NULL THEN
        RETURN pg_temp.ref_round(amount * l1.num * power(10::numeric, s), l1.den, s);
    END IF;
    IF p IN (f, t) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO l1 FROM pg_temp.ref_leg(f, p, d);
    SELECT * INTO l2 FROM pg_temp.ref_leg(p, t, d);
    IF l1.num IS NULL OR l2.num IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN pg_temp.ref_round(amount * l1.num * l2.num * power(10::numeric, s), l1.den * l2.den, s);
END
$$;
-- o2c.convert with "no rate" as NULL.
CREATE FUNCTION pg_temp.conv(amount numeric, f text, t text, d date) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN o2c.convert(amount, f, t, d);
EXCEPTION WHEN no_data_found THEN
    RETURN NULL;
END
$$;

-- A random rate table: 8 currencies, rates for a random subset of pairs in
-- either direction on random days, 1 to 6 decimals (some with 15).
CREATE TEMP TABLE ccy (i int, code text);
INSERT INTO ccy VALUES (0, 'EUR'), (1, 'USD'), (2, 'JPY'), (3, 'KWD'), (4, 'GBP'), (5, 'CHF'), (6, 'CLF'), (7, 'BIF');
CREATE FUNCTION pg_temp.random_rates(n int) RETURNS void LANGUAGE sql AS $$
    DELETE FROM o2c.fx_rate;
    INSERT INTO o2c.fx_rate (base, quote, rate_date, rate)
    SELECT DISTINCT ON (a.code, b.code, d) a.code, b.code, d,
           round((exp(random() * 10 - 5))::numeric, CASE WHEN random() < 0.1 THEN 15 ELSE 1 + (random() * 5)::int END)
               + 0.000001
    FROM generate_series(1, n) g,
         LATERAL (SELECT (random() * 7.99)::int AS x, (random() * 7.99)::int AS y,
                         DATE '2025-01-01' + (random() * 120)::int AS d, g AS k) r
    JOIN ccy a ON a.i = r.x JOIN ccy b ON b.i = r.y
    WHERE a.code <> b.code;
$$;
CREATE TEMP TABLE probe AS
SELECT round((random() * 2e6 - 1e6)::numeric, (random() * 4)::int) AS amount,
       (ARRAY['EUR', 'USD', 'JPY', 'KWD', 'GBP', 'CHF', 'CLF', 'BIF'])[1 + (random() * 7.99)::int] AS f,
       (ARRAY['EUR', 'USD', 'JPY', 'KWD', 'GBP', 'CHF', 'CLF', 'BIF'])[1 + (random() * 7.99)::int] AS t,
       DATE '2024-12-20' + (random() * 150)::int AS d
FROM generate_series(1, 1500) g;

SELECT pg_temp.random_rates(60);
SELECT is((SELECT count(*) FROM probe WHERE pg_temp.conv(amount, f, t, d) IS DISTINCT FROM pg_temp.ref_convert(amount, f, t, d)),
          0::bigint, 'sparse random rates: convert equals the brute force on 1500 random conversions');
SELECT cmp_ok((SELECT count(*) FROM probe WHERE f <> t AND pg_temp.ref_convert(amount, f, t, d) IS NULL), '>', 0::bigint,
              '... some of which have no rate');
SELECT pg_temp.random_rates(600);
SELECT is((SELECT count(*) FROM probe WHERE pg_temp.conv(amount, f, t, d) IS DISTINCT FROM pg_temp.ref_convert(amount, f, t, d)),
          0::bigint, 'dense random rates: convert equals the brute force');
SELECT cmp_ok((SELECT count(*) FROM probe p WHERE f <> t AND pg_temp.ref_convert(amount, f, t, d) IS NOT NULL
                 AND (SELECT num FROM pg_temp.ref_leg(f, t, d)) IS NULL), '>', 0::bigint,
              '... some of them triangulated');
SELECT cmp_ok((SELECT count(*) FROM probe p WHERE (SELECT den FROM pg_temp.ref_leg(f, t, d)) <> 1), '>', 0::bigint,
              '... some of them through an inverse rate');
INSERT INTO o2c.settings VALUES ('fx_pivot', 'USD');
SELECT is((SELECT count(*) FROM probe WHERE pg_temp.conv(amount, f, t, d) IS DISTINCT FROM pg_temp.ref_convert(amount, f, t, d)),
          0::bigint, 'with USD as the pivot: convert equals the brute force');
DELETE FROM o2c.settings;
SELECT is((SELECT count(*) FROM probe WHERE pg_temp.conv(-amount, f, t, d) IS DISTINCT FROM -pg_temp.conv(amount, f, t, d)),
          0::bigint, 'rounding is symmetric: convert(-x) = -convert(x)');
SELECT is((SELECT count(*) FROM probe WHERE o2c.convert(amount, f, lower(f), d) <> amount), 0::bigint,
          'same currency: the amount unchanged');
SELECT is((SELECT count(*) FROM probe WHERE f <> t AND pg_temp.conv(amount, f, t, d) IS NOT NULL
             AND scale(pg_temp.conv(amount, f, t, d)) <> o2c.currency_minor_units(t)), 0::bigint,
          'every converted amount has the target''s minor units');

-- One query over many rows (one cache) equals row-by-row calls.
SELECT is((SELECT sum(o2c.convert(amount, f, 'EUR', d)) FROM probe
           WHERE pg_temp.ref_convert(amount, f, 'EUR', d) IS NOT NULL),
          (SELECT sum(pg_temp.ref_convert(amount, f, 'EUR', d)) FROM probe),
          'a whole column converted in one query equals the brute force');

-- A parallel plan (rates read in each worker) equals a serial one.
CREATE TABLE fx_tap_many AS
SELECT p.* FROM probe p, generate_series(1, 40) WHERE pg_temp.ref_convert(amount, f, 'JPY', d) IS NOT NULL;
ANALYZE fx_tap_many;
CREATE TABLE pg_temp.serial_sum AS SELECT sum(o2c.convert(amount, f, 'JPY', d)) AS s FROM fx_tap_many;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    out text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        out := out || line || E'\n';
    END LOOP;
    RETURN out;
END
$$;
SELECT matches(pg_temp.plan_of($$SELECT sum(o2c.convert(amount, f, 'JPY', d)) FROM fx_tap_many$$), 'Gather',
               'the conversion runs in a parallel plan');
SELECT is((SELECT sum(o2c.convert(amount, f, 'JPY', d)) FROM fx_tap_many), (SELECT s FROM pg_temp.serial_sum),
          'a parallel plan gives the serial sum');
RESET max_parallel_workers_per_gather;

-- The cache never outlives a statement: a PL/pgSQL loop that changes the
-- rates between conversions sees every change.
CREATE FUNCTION pg_temp.churn(n int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    bad bigint := 0;
    p record;
BEGIN
    FOR i IN 1..n LOOP
        SELECT * INTO p FROM probe ORDER BY random() LIMIT 1;
        IF pg_temp.conv(p.amount, p.f, p.t, p.d) IS DISTINCT FROM pg_temp.ref_convert(p.amount, p.f, p.t, p.d) THEN
            bad := bad + 1;
        END IF;
        IF (CASE WHEN pg_temp.ref_convert(100, 'USD', 'EUR', DATE '2025-03-01') IS NULL THEN false
                 ELSE o2c.convert(100, 'USD', 'EUR', DATE '2025-03-01')
                      IS DISTINCT FROM pg_temp.ref_convert(100, 'USD', 'EUR', DATE '2025-03-01') END) THEN
            bad := bad + 1;
        END IF;
        CASE i % 4
            WHEN 0 THEN UPDATE o2c.fx_rate SET rate = rate * 1.5 WHERE base = 'USD' OR quote = 'USD';
            WHEN 1 THEN DELETE FROM o2c.fx_rate WHERE ctid IN (SELECT ctid FROM o2c.fx_rate ORDER BY random() LIMIT 20);
            WHEN 2 THEN INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', DATE '2024-12-01' + i, 0.5 + i / 100.0)
                        ON CONFLICT DO NOTHING;
            ELSE DELETE FROM o2c.settings;
                 INSERT INTO o2c.settings VALUES ('fx_pivot', (SELECT code FROM ccy ORDER BY random() LIMIT 1));
        END CASE;
    END LOOP;
    RETURN bad;
END
$$;
SELECT is(pg_temp.churn(120), 0::bigint, 'a PL/pgSQL loop changing rates and the pivot sees every change');
DELETE FROM o2c.settings;

-- Revaluation: per item, booked and closing amounts are convert's, and the
-- gain is their difference.
SELECT pg_temp.random_rates(600);
CREATE TEMP TABLE book AS
SELECT 'INV-' || g AS invoice_id, 'C' || (g % 7) AS customer_id, f AS currency, d AS invoice_date,
       amount AS open_amount, CASE WHEN g % 3 = 0 THEN round((random() * 2)::numeric, 4) + 0.0001 END AS erp_rate
FROM (SELECT p.*, row_number() OVER () AS g FROM probe p) p
WHERE pg_temp.ref_convert(amount, f, 'CHF', d) IS NOT NULL AND pg_temp.ref_convert(amount, f, 'CHF', '2025-04-30') IS NOT NULL;
SELECT cmp_ok((SELECT count(*) FROM book), '>', 100::bigint, 'the random book has open items');
SELECT is((SELECT count(*) FROM o2c.revaluation('SELECT * FROM book', 'CHF', '2025-04-30') r
           JOIN book b USING (invoice_id)
           WHERE r.booked_amount IS DISTINCT FROM pg_temp.ref_convert(b.open_amount, b.currency, 'CHF', b.invoice_date)
              OR r.closing_amount IS DISTINCT FROM pg_temp.ref_convert(b.open_amount, b.currency, 'CHF', '2025-04-30')
              OR r.gain_loss IS DISTINCT FROM r.closing_amount - r.booked_amount),
          0::bigint, 'revaluation: booked and closing amounts equal the brute force, gain = closing - booked');
SELECT is((SELECT count(*) FROM o2c.revaluation('SELECT * FROM book', 'CHF', '2025-04-30')), (SELECT count(*) FROM book),
          'revaluation: one row per open item');
SELECT is((SELECT count(*) FROM o2c.revaluation('SELECT * FROM book', 'CHF', '2025-04-30', 'erp_rate') r
           JOIN book b USING (invoice_id)
           WHERE b.erp_rate IS NOT NULL AND b.currency <> 'CHF'
             AND (r.booked_rate <> b.erp_rate OR r.booked_amount <> round(b.open_amount * b.erp_rate, 2))),
          0::bigint, 'revaluation with a booked-rate column: booked at that rate, rounded to the target');
SELECT is((SELECT count(*) FROM o2c.revaluation('SELECT * FROM book', 'CHF', '2025-04-30') r
           WHERE r.currency = 'CHF' AND (r.booked_rate <> 1 OR r.closing_rate <> 1 OR r.gain_loss <> 0)),
          0::bigint, 'revaluation: items in the target currency have rates 1 and no gain');

-- Rate series spanning centuries (looked up by binary search rather than
-- by a per-day index) agree with the brute force too.
DELETE FROM o2c.fx_rate;
INSERT INTO o2c.fx_rate
SELECT DISTINCT ON (b, q, d) b, q, d, round((random() * 3)::numeric, 4) + 0.0001
FROM (SELECT CASE WHEN random() < 0.7 THEN 'USD' ELSE 'GBP' END AS b,
             DATE '1700-01-01' + (random() * 255000)::int AS d
      FROM generate_series(1, 300)) r, LATERAL (SELECT CASE WHEN b = 'USD' THEN 'GBP' ELSE 'USD' END AS q) x;
SELECT is((SELECT count(*) FROM (SELECT round((random() * 1e5)::numeric, 2) AS amount, DATE '1690-01-01' + (random() * 260000)::int AS d
                                 FROM generate_series(1, 500)
                                 UNION ALL
                                 SELECT 100, rate_date + k FROM o2c.fx_rate, generate_series(-1, 1) k) p
           WHERE pg_temp.conv(amount, 'USD', 'GBP', d) IS DISTINCT FROM pg_temp.ref_convert(amount, 'USD', 'GBP', d)
              OR pg_temp.conv(amount, 'GBP', 'USD', d) IS DISTINCT FROM pg_temp.ref_convert(amount, 'GBP', 'USD', d)),
          0::bigint, 'rates spanning centuries: convert equals the brute force');

-- Exact halves round away from zero, through a multiplied and a divided rate.
DELETE FROM o2c.fx_rate;
INSERT INTO o2c.fx_rate VALUES ('BIF', 'JPY', '2025-01-01', 0.5), ('KWD', 'USD', '2025-01-01', 0.2);
SELECT is((SELECT count(*) FROM generate_series(-101, 101, 2) x
           WHERE o2c.convert(x, 'BIF', 'JPY', '2025-01-31') <> sign(x) * (abs(x) + 1) / 2
              OR o2c.convert(x * 0.0001, 'USD', 'KWD', '2025-01-31') <> sign(x) * ((abs(x) + 1) / 2) / 1000.0
              OR o2c.convert(x, 'BIF', 'JPY', '2025-01-31') <> pg_temp.ref_convert(x, 'BIF', 'JPY', '2025-01-31')),
          0::bigint, 'exact halves round away from zero');

-- Errors.
DELETE FROM o2c.fx_rate;
INSERT INTO o2c.fx_rate VALUES ('USD', 'EUR', '2025-01-01', 0.9);
SELECT throws_ok($$SELECT o2c.convert(1, 'USD', 'EUR', '2024-12-31')$$, 'P0002',
                 'no exchange rate from USD to EUR on or before 2024-12-31', 'a date before the first rate');
SELECT throws_ok($$SELECT o2c.convert(1, 'USD', 'JPY', '2025-01-31')$$, 'P0002', NULL, 'no rate through the pivot');
SELECT throws_ok($$SELECT o2c.convert(1, 'USD', 'XXY', '2025-01-31')$$, '22023', 'unknown currency: "XXY"', 'unknown code');
SELECT throws_ok($$SELECT o2c.convert('NaN', 'USD', 'EUR', '2025-01-31')$$, '22023', NULL, 'NaN amount');
SELECT throws_ok($$SELECT o2c.convert(1, 'USD', 'EUR', '-infinity')$$, '22008', NULL, 'infinite date');
SELECT throws_ok($$INSERT INTO o2c.fx_rate VALUES ('USD', 'eur', '2025-01-02', 0.9)$$, '23514', NULL,
                 'codes are stored in upper case');

SELECT * FROM finish();
ROLLBACK;

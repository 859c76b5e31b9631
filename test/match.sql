BEGIN;
SELECT plan(42);

-- Random books: conservation (no invoice over-applied, every payment's money
-- accounted for exactly once) on three seeds.
CREATE TEMP TABLE b_inv AS
SELECT s AS seed, 'I' || i AS invoice_id, 'C' || (i % 40) AS customer_id,
       'Customer ' || (i % 40) || ' Ltd' AS customer_name,
       DATE '2024-01-01' + (i % 90) AS invoice_date,
       round((10 + (hashint4(i * s) & 65535) / 100.0)::numeric, 2) AS open_amount,
       'EUR' AS currency, 'INV-' || lpad(i::text, 6, '0') AS reference
FROM generate_series(1, 3) AS s, generate_series(1, 400) AS i;
CREATE TEMP TABLE b_pay AS
SELECT s AS seed, 'P' || j AS payment_id, DATE '2024-04-01' AS received_on,
       round((5 + (hashint4(j * s + 7) & 131071) / 100.0)::numeric, 2) AS amount,
       'EUR' AS currency, 'CUSTOMER ' || (j % 45) AS payer_name,
       CASE WHEN j % 3 = 0 THEN 'INV ' || ((j * 7 + s) % 400 + 1) END AS reference,
       NULL::text AS payer_iban
FROM generate_series(1, 3) AS s, generate_series(1, 300) AS j;
-- Some payments that pay invoices exactly, by reference and by name.
INSERT INTO b_pay
SELECT i.seed, 'X' || i.invoice_id, DATE '2024-04-01', i.open_amount, 'EUR',
       upper(i.customer_name), CASE WHEN random() < 0.5 THEN i.reference END, NULL
FROM b_inv AS i WHERE substr(i.invoice_id, 2)::int % 7 = 0;

CREATE TEMP TABLE b_out AS
SELECT s AS seed, m.*
FROM generate_series(1, 3) AS s,
     LATERAL o2c.match_payments(
        format('SELECT * FROM b_pay WHERE seed = %s ORDER BY payment_id', s),
        format('SELECT * FROM b_inv WHERE seed = %s', s),
        '{"tolerance": 5, "tolerance_percent": 1}') AS m;

SELECT is((SELECT count(*)::int FROM b_inv i
           JOIN (SELECT seed, invoice_id, sum(applied_amount) AS applied FROM b_out
                 WHERE invoice_id IS NOT NULL GROUP BY 1, 2) AS o USING (seed, invoice_id)
           WHERE o.applied > i.open_amount), 0, 'no invoice receives more than its open amount');
SELECT is((SELECT count(*)::int FROM b_pay p
           LEFT JOIN (SELECT seed, payment_id, sum(applied_amount) AS applied FROM b_out GROUP BY 1, 2) AS o
                  USING (seed, payment_id)
           WHERE o.applied IS DISTINCT FROM p.amount), 0, 'every payment''s amount is accounted for exactly');
SELECT ok((SELECT count(*) FROM b_out WHERE invoice_id IS NOT NULL) > 100, 'random books do get matched');
SELECT is((SELECT count(*)::int FROM b_out WHERE auto AND rule IN ('partial', 'unapplied', 'unmatched')),
          0, 'partials, unapplied and unmatched rows are never automatic');
SELECT is((SELECT count(*)::int FROM b_out WHERE invoice_id IS NULL AND rule NOT IN ('unapplied', 'unmatched')),
          0, 'rows without an invoice are unapplied or unmatched');
SELECT ok((SELECT bool_and(score BETWEEN 0 AND 1) FROM b_out), 'scores lie in [0, 1]');
SELECT is((SELECT count(*)::int FROM b_out o JOIN b_inv i USING (seed, invoice_id)
           WHERE o.auto AND o.payment_id LIKE 'X%' AND o.payment_id <> 'X' || o.invoice_id
             AND o.rule = 'reference'), 0, 'automatic reference matches hit the referenced invoice');
SELECT results_eq(
    $$SELECT * FROM o2c.match_payments('SELECT * FROM b_pay WHERE seed = 2 ORDER BY payment_id',
                                       'SELECT * FROM b_inv WHERE seed = 2', '{"tolerance": 5, "tolerance_percent": 1}')$$,
    $$SELECT payment_id, invoice_id, applied_amount, score, rule, auto FROM b_out WHERE seed = 2$$,
    'deterministic: the same call gives the same rows');

-- Unicode payer names.
SELECT results_eq(
    $$SELECT invoice_id, rule, auto FROM o2c.match_payments(
        $q$SELECT 'P1' AS payment_id, 250.00 AS amount, 'MULLER AND SOHNE' AS payer_name$q$,
        $q$SELECT * FROM (VALUES ('I1', 'C1', 'Müller & Söhne GmbH', 250.00),
                                 ('I2', 'C2', 'Meyer AG', 250.00))
             AS t(invoice_id, customer_id, customer_name, open_amount)$q$)$$,
    $$VALUES ('I1', 'name', true)$$, 'accented customer name found from an ASCII payer name');
SELECT results_eq(
    $$SELECT invoice_id FROM o2c.match_payments(
        $q$SELECT 'P1' AS payment_id, 99 AS amount, 'ООО РОМАШКА' AS payer_name$q$,
        $q$SELECT 'I1' AS invoice_id, 'C1' AS customer_id, 'ООО «Ромашка»' AS customer_name, 99 AS open_amount$q$)$$,
    $$VALUES ('I1')$$, 'Cyrillic names match across case');

-- No match across currencies.
SELECT results_eq(
    $$SELECT invoice_id, rule FROM o2c.match_payments(
        $q$SELECT 'P1' AS payment_id, 10 AS amount, 'USD' AS currency, 'INV-1' AS reference$q$,
        $q$SELECT 'I1' AS invoice_id, 'C1' AS customer_id, 10 AS open_amount, 'EUR' AS currency, 'INV-1' AS reference$q$)$$,
    $$VALUES (NULL::text, 'unmatched')$$, 'no match across currencies');

-- Error paths.
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '42703', 'column "amount" is missing from payments_sql of match_payments', 'missing payment column');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS open_amount')$$,
                 '42703', 'column "customer_id" is missing from invoices_sql of match_payments', 'missing invoice column');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, ''1'' AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '42804', 'column "amount" of payments_sql of match_payments has type text, expected numeric or an integer type', 'wrong amount type');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount, ''2024-01-01'' AS received_on', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '42804', 'column "received_on" of payments_sql of match_payments has type text, expected date', 'wrong date type');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount, 5 AS payer_name', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '42804', 'column "payer_name" of payments_sql of match_payments has type integer, expected text, varchar or char', 'wrong text type');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT * FROM no_such_table')$$,
                 '42P01', NULL, 'bad inner query');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELEC 1')$$,
                 '42601', NULL, 'syntax error in inner query');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'CREATE TEMP TABLE zz (a int)')$$,
                 '22023', 'invoices_sql of match_payments must be a query that returns rows', 'not a query');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount', '{"treshold": 1}')$$,
                 '22023', 'unknown option of match_payments: "treshold"', 'unknown option');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount', '{"margin": "x"}')$$,
                 '22023', 'option "margin" of match_payments must be a number', 'option of the wrong type');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount', '[1]')$$,
                 '22023', 'options of match_payments must be a JSON object', 'options not an object');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT NULL::text AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '22004', 'payment_id is NULL in payments_sql of match_payments', 'NULL payment id');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, ''NaN''::numeric AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount')$$,
                 '22023', 'amount in column "amount" out of range for match_payments: NaN', 'NaN amount');

SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount', '{"auto_threshold": 2}')$$,
                 '22023', NULL, 'option out of range');

-- Ids of any type are read as text; integer amounts are exact.
SELECT results_eq(
    $$SELECT payment_id, invoice_id, applied_amount, rule FROM o2c.match_payments(
        $q$SELECT 7::bigint AS payment_id, 120 AS amount, 'R-0042' AS reference$q$,
        $q$SELECT 42 AS invoice_id, 3::smallint AS customer_id, 120::numeric(10,2) AS open_amount, 'R42' AS reference$q$)$$,
    $$VALUES ('7', '42', 120.00::numeric, 'reference')$$, 'integer ids and amounts');

-- A lump payment finds the combination that pays it, preferring the oldest.
SELECT results_eq(
    $$SELECT invoice_id, rule FROM o2c.match_payments(
        $q$SELECT 'P1' AS payment_id, 300 AS amount, 'C1' AS customer_id$q$,
        $q$SELECT * FROM (VALUES ('A', 'C1', DATE '2024-01-01', 100), ('B', 'C1', DATE '2024-01-02', 200),
                                 ('C', 'C1', DATE '2024-01-03', 100), ('D', 'C1', DATE '2024-01-04', 250))
             AS t(invoice_id, customer_id, invoice_date, open_amount)$q$)$$,
    $$VALUES ('A', 'combination'), ('B', 'combination')$$, 'oldest combination first');

-- Payment terms: conservation on random books where invoices carry terms
-- (typed and as text, with and without a discount, installments) and
-- payments take the discount in and out of the window.
CREATE TEMP TABLE t_inv AS
SELECT s AS seed, 'I' || i AS invoice_id, 'C' || (i % 30) AS customer_id,
       'Customer ' || (i % 30) || ' Ltd' AS customer_name,
       DATE '2024-01-01' + (i % 60) AS invoice_date,
       round((10 + (hashint4(i * s + 3) & 65535) / 100.0)::numeric, 2) AS open_amount,
       'EUR' AS currency, 'INV-' || lpad(i::text, 6, '0') AS reference,
       (ARRAY['2/10 NET 30', '1.5/15 NET 45 EOM', 'NET 30', '3/5 NET 20',
              '50% NET 30; 50% NET 60'])[i % 5 + 1] AS terms,
       CASE WHEN i % 4 = 0 THEN 5 END AS discount_percent,
       CASE WHEN i % 4 = 0 THEN DATE '2024-12-31' END AS discount_until
FROM generate_series(1, 3) AS s, generate_series(1, 300) AS i;
CREATE TEMP TABLE t_pay AS
SELECT i.seed, 'D' || i.invoice_id AS payment_id,
       i.invoice_date + (i.invoice_id ~ '[02468]$')::int * 20 + 5 AS received_on,
       i.open_amount - o2c.discount_amount(i.terms::o2c.terms, i.open_amount, i.invoice_date,
                                           i.invoice_date + 5, 'EUR') AS amount,
       'EUR' AS currency, upper(i.customer_name) AS payer_name,
       CASE WHEN substr(i.invoice_id, 2)::int % 3 <> 0 THEN i.reference END AS reference
FROM t_inv AS i;
INSERT INTO t_pay
SELECT s, 'L' || j, DATE '2024-03-01', round((5 + (hashint4(j * s) & 131071) / 100.0)::numeric, 2),
       'EUR', 'CUSTOMER ' || (j % 35), NULL
FROM generate_series(1, 3) AS s, generate_series(1, 100) AS j;
CREATE TEMP TABLE t_out AS
SELECT s AS seed, m.*
FROM generate_series(1, 3) AS s,
     LATERAL o2c.match_payments(
        format('SELECT * FROM t_pay WHERE seed = %s ORDER BY payment_id', s),
        format('SELECT seed, invoice_id, customer_id, customer_name, invoice_date, open_amount, currency, reference, discount_percent, discount_until, %s AS terms FROM t_inv WHERE seed = %s',
               CASE WHEN s = 2 THEN 'terms::o2c.terms' ELSE 'terms' END, s),
        '{"tolerance": 1}') AS m;
SELECT is((SELECT count(*)::int FROM t_inv i
           JOIN (SELECT seed, invoice_id, sum(applied_amount) AS applied FROM t_out
                 WHERE invoice_id IS NOT NULL GROUP BY 1, 2) AS o USING (seed, invoice_id)
           WHERE o.applied > i.open_amount), 0, 'with terms: no invoice receives more than its open amount');
SELECT is((SELECT count(*)::int FROM t_pay p
           LEFT JOIN (SELECT seed, payment_id, sum(applied_amount) AS applied FROM t_out GROUP BY 1, 2) AS o
                  USING (seed, payment_id)
           WHERE o.applied IS DISTINCT FROM p.amount), 0, 'with terms: every payment''s amount is accounted for exactly');
-- A payment of open amount less discount_amount(...) within the window is a
-- discount exactly when the terms give one (terms win over the old columns).
SELECT is((SELECT count(*)::int FROM t_out o JOIN t_inv i USING (seed, invoice_id)
           WHERE o.payment_id = 'D' || o.invoice_id AND o.rule = 'discount'
             AND (o2c.discount_until(i.terms::o2c.terms, i.invoice_date) IS NULL
                  OR o2c.discount_until(i.terms::o2c.terms, i.invoice_date) < i.invoice_date + 5)),
          0, 'no discount outside the terms'' window or without one in the terms');
SELECT ok((SELECT count(*) FROM t_out o JOIN t_inv i USING (seed, invoice_id)
           WHERE o.payment_id = 'D' || o.invoice_id AND o.rule = 'discount'
             AND i.invoice_id ~ '[13579]$') > 100, 'discounts within the window are taken');
SELECT results_eq(
    $$SELECT payment_id, invoice_id, applied_amount, rule FROM t_out WHERE seed = 2 ORDER BY 1, 2$$,
    $$SELECT payment_id, invoice_id, applied_amount, rule
      FROM o2c.match_payments('SELECT * FROM t_pay WHERE seed = 2 ORDER BY payment_id',
                              'SELECT * FROM t_inv WHERE seed = 2', '{"tolerance": 1}') ORDER BY 1, 2$$,
    'terms as text and as o2c.terms give the same matches');

-- Terms error paths.
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT ''I9'' AS invoice_id, 1 AS customer_id, 1 AS open_amount, ''2/10 NET'' AS terms')$$,
                 '22P02', 'invalid terms of invoice "I9" in invoices_sql of match_payments: "2/10 NET"', 'bad terms text');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount, DATE ''2024-01-01'' AS terms')$$,
                 '42804', 'column "terms" of invoices_sql of match_payments has type date, expected o2c.terms or text', 'wrong terms type');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount, DATE ''2024-01-01'' AS invoice_date, ''XAU'' AS currency, ''2/10 NET 30'' AS terms')$$,
                 '22023', 'currency "XAU" of invoice "1" in invoices_sql of match_payments has no minor unit', 'terms discount in a currency without minor units');
SELECT throws_ok($$SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id, 1 AS amount', 'SELECT 1 AS invoice_id, 1 AS customer_id, 1 AS open_amount, DATE ''2024-01-01'' AS invoice_date, ''EURO'' AS currency, ''2/10 NET 30'' AS terms')$$,
                 '22023', 'unknown currency "EURO" of invoice "1" in invoices_sql of match_payments', 'terms discount in an unknown currency');

-- A flat tolerance does not make a short pay of a large share automatic.
SELECT results_eq(
    $$SELECT payment_id, invoice_id, rule, auto FROM o2c.match_payments(
        $q$SELECT * FROM (VALUES ('S1', 26.91, 'C7'), ('S2', 37.62, 'C7'), ('S3', 480.00, 'C8'))
               AS t(payment_id, amount, customer_id) ORDER BY payment_id$q$,
        $q$SELECT * FROM (VALUES ('S-A', 'C7', DATE '2024-01-01', 64.53), ('S-B', 'C7', DATE '2024-01-02', 40.00),
                                 ('S-C', 'C7', DATE '2024-01-03', 55.00), ('S-D', 'C8', DATE '2024-01-01', 500.00))
               AS t(invoice_id, customer_id, invoice_date, open_amount)$q$,
        '{"tolerance": 25}')$$,
    $$VALUES ('S1', 'S-B', 'short_pay', false), ('S2', 'S-C', 'short_pay', false), ('S3', 'S-D', 'short_pay', true)$$,
    'a short pay beyond 10% of the open amount is proposed, not automatic');
SELECT results_eq(
    $$SELECT auto FROM o2c.match_payments($q$SELECT 'S1' AS payment_id, 26.91 AS amount, 'C7' AS customer_id$q$,
        $q$SELECT 'S-B' AS invoice_id, 'C7' AS customer_id, 40.00 AS open_amount$q$,
        '{"tolerance": 25, "tolerance_percent": 40}')$$,
    $$VALUES (true)$$, 'tolerance_percent still allows a larger share');

-- Without a reference, a payment short of one invoice of the customer may
-- as well be part of a larger one: the short pay is only proposed. With a
-- single open invoice it stays automatic.
SELECT results_eq(
    $$SELECT payment_id, invoice_id, rule, auto FROM o2c.match_payments(
        $q$SELECT * FROM (VALUES ('U1', 95.00, 'C9'), ('U2', 95.00, 'C10'))
               AS t(payment_id, amount, customer_id) ORDER BY payment_id$q$,
        $q$SELECT * FROM (VALUES ('U-A', 'C9', DATE '2024-01-01', 100.00), ('U-B', 'C9', DATE '2024-01-02', 300.00),
                                 ('U-C', 'C10', DATE '2024-01-01', 100.00))
               AS t(invoice_id, customer_id, invoice_date, open_amount)$q$,
        '{"tolerance": 25}')$$,
    $$VALUES ('U1', 'U-A', 'short_pay', false), ('U2', 'U-C', 'short_pay', true)$$,
    'a short pay found by customer is automatic only when no other invoice could take it as a part payment');
-- The reference as written finds one of the payer's invoices, which the
-- amount pays in part: a neighbouring reference one edit away that the
-- amount would short-pay does not win.
SELECT results_eq(
    $$SELECT payment_id, invoice_id, rule, auto FROM o2c.match_payments(
        $q$SELECT 'V1' AS payment_id, 85.00 AS amount, 'C11' AS customer_id, 'INV-000501' AS reference$q$,
        $q$SELECT * FROM (VALUES ('V-A', 'C11', DATE '2024-01-01', 200.00, 'INV-000501'),
                                 ('V-B', 'C11', DATE '2024-01-02', 90.00, 'INV-000502'))
               AS t(invoice_id, customer_id, invoice_date, open_amount, reference)$q$,
        '{"tolerance": 25}')$$,
    $$VALUES ('V1', 'V-A', 'partial', false)$$,
    'a part payment of the invoice written is not turned into a short pay of its neighbour');

-- A short pay only proposed does not settle the invoice: the second
-- instalment still finds the rest open, and pays it exactly.
SELECT results_eq(
    $$SELECT payment_id, invoice_id, applied_amount, rule, auto FROM o2c.match_payments(
        $q$SELECT * FROM (VALUES ('W1', 13.99, 'C12', '25-047795'), ('W2', 23.83, 'C12', '25-047795'))
               AS t(payment_id, amount, customer_id, reference) ORDER BY payment_id$q$,
        $q$SELECT * FROM (VALUES ('W-A', 'C12', DATE '2024-01-01', 37.82, 'FA25-047795'),
                                 ('W-B', 'C12', DATE '2024-01-02', 24.26, 'FA25-047794'))
               AS t(invoice_id, customer_id, invoice_date, open_amount, reference)$q$,
        '{"tolerance": 25}')$$,
    $$VALUES ('W1', 'W-A', 13.99, 'short_pay', false), ('W2', 'W-A', 23.83, 'reference', true)$$,
    'a proposed short pay leaves the rest of the invoice open');

SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc
           WHERE oid = 'o2c.match_payments(text, text, jsonb)'::regprocedure), 'vr',
          'match_payments is VOLATILE PARALLEL RESTRICTED');

SELECT * FROM finish();
ROLLBACK;

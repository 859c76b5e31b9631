-- pgTAP: quality_scan, duplicate_invoices, duplicate_customers — every
-- error path with its SQLSTATE, catalog properties, and planted-duplicate
-- recall on generated data.
BEGIN;
SELECT plan(58);

CREATE TEMP TABLE inv (invoice_id text, customer_id text, invoice_date date, due_date date,
                       amount numeric, open_amount numeric, currency text, reference text);
INSERT INTO inv VALUES
    ('A', 'C1', '2024-01-01', '2024-01-31', 100, 100, 'EUR', 'R1'),
    ('B', NULL, '2024-01-01', '2023-12-01', -1, 5, 'EUX', 'R2');

-- errors naming columns, types, options and rules
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT invoice_id FROM inv')$$, '42703',
    'column "customer_id" is missing from invoices_sql', 'a missing column is 42703 naming it');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date::timestamp AS invoice_date, due_date, amount FROM inv')$$,
    '42804', 'column "invoice_date" of invoices_sql has type timestamp without time zone, expected date',
    'a mistyped date column is 42804 naming column, found and expected type');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount::real AS amount FROM inv')$$,
    '42804', NULL, 'a float amount is refused (money is exact)');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount, 3 AS currency FROM inv')$$,
    '42804', NULL, 'a non-text currency column is 42804');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM inv', '{"rules": ["negative_open"]}')$$,
    '42703', 'column "open_amount" is missing from invoices_sql', 'a chosen rule needs its column');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": ["nope"]}')$$,
    '22023', 'unknown rule: "nope"', 'an unknown rule is 22023 naming it');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": "missing_customer"}')$$,
    '22023', NULL, 'rules must be an array');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": [1]}')$$,
    '22023', NULL, 'rules must be strings');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"speed": 1}')$$,
    '22023', 'unknown option of o2c.quality_scan: "speed"', 'an unknown option is 22023 naming it');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '"x"')$$,
    '22023', NULL, 'options must be an object');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": ["terms_due_mismatch"]}')$$,
    '42703', 'column "terms" is missing from invoices_sql', 'terms_due_mismatch needs a terms column');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT *, 30 AS terms FROM inv')$$,
    '42804', 'column "terms" of invoices_sql has type integer, expected o2c.terms or text', 'a mistyped terms column is 42804');
SELECT results_eq($$SELECT invoice_id, rule FROM o2c.quality_scan('SELECT *, ''whenever''::text AS terms FROM inv', '{"rules": ["invalid_terms"]}')$$,
    $$VALUES ('A', 'invalid_terms'), ('B', 'invalid_terms')$$, 'text terms that do not parse are invalid_terms findings, not an error');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan('SELECT *, ''whenever''::text AS terms FROM inv', '{"rules": ["terms_due_mismatch"]}')),
    0::bigint, 'with invalid_terms off they are skipped');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": ["invalid_terms"]}')$$,
    '42703', 'column "terms" is missing from invoices_sql', 'invalid_terms needs a terms column');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"calendar": "Nowhere"}')$$,
    '22023', 'unknown calendar: "Nowhere"', 'an unknown calendar is 22023 naming it');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"calendar": ["x"]}')$$,
    '22023', 'option "calendar" must be a calendar name string', 'calendar must be a string');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"window_days": 2.5}')$$,
    '22023', 'option "window_days" must be an integer', 'window_days must be an integer');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"window_days": 99999999999}')$$,
    '22023', NULL, 'window_days out of range');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"max_reference_distance": -1}')$$,
    '22023', NULL, 'max_reference_distance out of range');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": 20240101}')$$,
    '22023', NULL, 'as_of must be a date string');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "yesterday-ish"}')$$,
    '22007', NULL, 'as_of must parse as a date');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SET search_path = public')$$,
    '22023', 'invoices_sql must be a query that returns rows', 'a statement without rows is 22023');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELEC 1')$$, '42601', NULL, 'a syntax error in the query surfaces');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_invoices('SELECT invoice_id, customer_id, invoice_date FROM inv')$$,
    '42703', 'column "amount" is missing from invoices_sql', 'duplicate_invoices names a missing column');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_invoices('SELECT * FROM inv', '{"min_score": 3}')$$,
    '22023', NULL, 'min_score must be between 0 and 1');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_invoices('SELECT * FROM inv', '{"min": 0.3}')$$,
    '22023', NULL, 'duplicate_invoices refuses an unknown option');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_customers('SELECT 1 AS customer_id')$$,
    '42703', 'column "name" is missing from customers_sql', 'duplicate_customers names a missing column');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_customers('SELECT 1 AS customer_id, 2 AS name')$$,
    '42804', 'column "name" of customers_sql has type integer, expected text, varchar or char',
    'duplicate_customers names a mistyped column');
SELECT throws_ok($$SELECT * FROM o2c.duplicate_customers('SELECT 1 AS customer_id, ''x'' AS name', '{"window": 0}')$$,
    '22023', NULL, 'window must be at least 1');

-- behaviour
SELECT set_eq($$SELECT rule FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "2024-06-30"}') WHERE invoice_id = 'B'$$,
    ARRAY['missing_customer', 'due_before_invoice', 'invalid_currency',
          'open_exceeds_amount'], 'invoice B (a credit note of -1 with 5 open) breaks exactly its four rules');
SELECT set_eq($$SELECT rule FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "2024-06-30", "credit_notes": false}') WHERE invoice_id = 'B'$$,
    ARRAY['missing_customer', 'negative_amount', 'due_before_invoice', 'invalid_currency',
          'open_exceeds_amount'], 'with credit_notes false, its negative amount breaks negative_amount');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"credit_notes": "no"}')$$,
    '22023', 'option "credit_notes" must be true or false', 'credit_notes takes a boolean');
SELECT throws_ok($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"credit_notes": true, "rules": ["negative_amount"]}')$$,
    '22023', 'option "credit_notes": true contradicts rule "negative_amount"', 'credit_notes true and rule negative_amount contradict');
SELECT is_empty($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "2024-06-30"}') WHERE invoice_id = 'A'$$,
    'the clean invoice has no finding');
SELECT results_eq($$SELECT rule FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "2023-12-31"}') WHERE invoice_id = 'A'$$,
    ARRAY['future_invoice_date'], 'as_of decides what is in the future');
SELECT is_empty($$SELECT * FROM o2c.quality_scan('SELECT * FROM inv WHERE false')$$, 'no rows, no findings');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan('SELECT * FROM inv', '{"rules": []}')), 0::bigint,
    'an empty rule list checks nothing');

-- every rule id the scan can report is allowed in o2c.finding
SELECT lives_ok($$
    INSERT INTO o2c.finding (source, row_key, rule, severity, detail)
    SELECT 'test', invoice_id, rule, severity, detail
    FROM o2c.quality_scan('SELECT * FROM inv', '{"as_of": "2020-01-01"}')$$,
    'quality_scan findings fit o2c.finding');

-- the catalog: bulk functions are VOLATILE PARALLEL RESTRICTED, invoker rights
SELECT is((SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'o2c' AND p.proname IN ('quality_scan', 'duplicate_invoices', 'duplicate_customers')
             AND p.provolatile = 'v' AND p.proparallel = 'r' AND p.proisstrict AND NOT p.prosecdef
             AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NOT NULL),
    6::bigint, 'the six bulk overloads are VOLATILE STRICT PARALLEL RESTRICTED, commented, invoker rights');

-- terms_due_mismatch flags exactly the due dates the terms do not give
CREATE TEMP TABLE tinv AS
    SELECT i::text AS invoice_id, 'C' || i AS customer_id, DATE '2024-01-01' + i AS invoice_date,
           o2c.due_date(t, DATE '2024-01-01' + i) + CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END AS due_date,
           10.00 AS amount, t AS terms
    FROM pg_catalog.generate_series(1, 300) i,
         LATERAL (SELECT (ARRAY['NET 30', 'NET 30 EOM', '15 PROX', '50% NET 30; 50% NET 60'])[i % 4 + 1]::o2c.terms AS t) x;
SELECT set_eq($$SELECT invoice_id FROM o2c.quality_scan('SELECT * FROM tinv', '{"as_of": "2030-01-01"}')$$,
    $$SELECT invoice_id FROM tinv WHERE invoice_id::int % 10 = 0$$,
    'with a terms column the rule is on by default and flags exactly the shifted due dates');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount, terms::text AS terms FROM tinv',
           '{"rules": ["terms_due_mismatch"]}')), 30::bigint, 'terms as text give the same findings');
INSERT INTO o2c.calendar (name) VALUES ('q_tap_cal');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan(
        $$SELECT invoice_id, customer_id, invoice_date, o2c.due_date(terms, invoice_date, 'q_tap_cal') AS due_date, amount, terms FROM tinv$$,
        '{"rules": ["terms_due_mismatch"], "calendar": "q_tap_cal"}')), 0::bigint,
    'due dates from o2c.due_date with the calendar match under that calendar');

-- planted duplicates are found without comparing every pair
CREATE TEMP TABLE gen_customers AS
SELECT i AS customer_id,
       'Company ' || pg_catalog.md5(i::text) AS name,
       'TX' || (1000000 + i) AS tax_id,
       NULL::text AS iban,
       'billing' || i || '@firm' || i || '.example' AS email,
       'DE' AS country
FROM pg_catalog.generate_series(1, 3000) i;
-- 60 duplicates: 20 share a tax id, 20 an email, 20 have a typo in the name
INSERT INTO gen_customers
SELECT 100000 + i, CASE WHEN i % 3 = 2 THEN overlay(name PLACING 'x' FROM 20 FOR 1) ELSE name || ' GmbH' END,
       CASE WHEN i % 3 = 0 THEN tax_id END, NULL,
       CASE WHEN i % 3 = 1 THEN pg_catalog.upper(email) END, country
FROM gen_customers g, pg_catalog.generate_series(0, 59) i
WHERE g.customer_id = 1 + i * 37;
CREATE TEMP TABLE found AS
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name, tax_id, iban, email, country FROM gen_customers');
SELECT is((SELECT pg_catalog.count(*) FROM found WHERE customer_id::int >= 100000
             AND duplicate_of::int = 1 + (customer_id::int - 100000) * 37), 60::bigint,
    'all 60 planted duplicates are found');
SELECT is((SELECT pg_catalog.count(*) FROM found WHERE NOT (customer_id::int >= 100000
             AND duplicate_of::int = 1 + (customer_id::int - 100000) * 37)), 0::bigint,
    'no false pairs among distinct generated customers');

-- a dense book where names differ by one word: a typo anywhere, even in a
-- word's first letter or in place of a space, is found with window 1, where
-- the sorted passes alone would miss most of them
CREATE TEMP TABLE dense_customers AS
SELECT i AS customer_id,
       (ARRAY['alder','birch','cedar','delta','ember','falcon','granite','harbor','iris','juniper'])[1 + i % 10] || ' ' ||
       (ARRAY['systems','foods','logistics','textiles','energy','pharma','motors','media','capital','robotics'])[1 + (i / 10) % 10] || ' ' ||
       (ARRAY['aachen','bergen','cork','dijon','esbjerg','faro','graz','haarlem','izmir','jena'])[1 + (i / 100) % 10] AS name
FROM pg_catalog.generate_series(0, 999) i;
INSERT INTO dense_customers
SELECT 5000 + k, overlay(name PLACING 'q' FROM 1 + (k * 7) % pg_catalog.length(name) FOR 1)
FROM dense_customers, pg_catalog.generate_series(0, 59) k
WHERE customer_id = k * 16 AND pg_catalog.substr(name, 1 + (k * 7) % pg_catalog.length(name), 1) <> 'q';
CREATE TEMP TABLE dense_found AS
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name FROM dense_customers', '{"window": 1}');
SELECT is((SELECT pg_catalog.count(*) FROM dense_customers d WHERE d.customer_id >= 5000 AND NOT EXISTS (
             SELECT FROM dense_found f WHERE f.customer_id::int = d.customer_id AND f.duplicate_of::int = (d.customer_id - 5000) * 16)),
    0::bigint, 'every one-letter typo is found, wherever it falls in the name');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM dense_customers d WHERE d.customer_id >= 5000
                 AND pg_catalog.substr((SELECT name FROM dense_customers o WHERE o.customer_id = (d.customer_id - 5000) * 16),
                                       1 + ((d.customer_id - 5000) * 7) % pg_catalog.length(d.name), 1) = ' '), '>', 0::bigint,
    'some of those typos replace a space');
SELECT is((SELECT pg_catalog.count(*) FROM dense_found f
             JOIN dense_customers a ON a.customer_id = f.customer_id::int JOIN dense_customers b ON b.customer_id = f.duplicate_of::int
            WHERE f.reason LIKE '%(1 edit)%' AND o2c.damerau_levenshtein(a.name, b.name) <> 1), 0::bigint,
    'a pair reported as one edit apart is one edit apart');
-- long names that differ in one whole short word are different firms, even
-- though the names as a whole are only a few edits apart; a typo in such a
-- name is still a duplicate
SELECT is((SELECT pg_catalog.count(*) FROM o2c.duplicate_customers($$SELECT * FROM (VALUES
        (1, 'Wren Timberworks Aachen Bergen Oy'), (2, 'Raven Timberworks Aachen Bergen AB'),
        (3, 'Deutsche Bank Filiale Frankfurt am Main'), (4, 'Deutsche Bahn Filiale Frankfurt am Main')) AS t(customer_id, name)$$)),
    0::bigint, 'one whole word changed in a long name is not a duplicate');
SELECT results_eq($q$SELECT customer_id, duplicate_of, reason FROM o2c.duplicate_customers($i$SELECT * FROM (VALUES
        (1, 'Wren Timberworks Aachen Bergen Oy'), (2, 'Wren Timberwroks Aachen Bergen'),
        (3, 'Deutsche Bank Filiale Frankfurt am Main'), (4, 'Deutsche Bank Filliale Frankfurt am Main')) AS t(customer_id, name)$i$)
        ORDER BY 1$q$,
    $$VALUES ('2', '1', 'similar name (2 edits)'), ('4', '3', 'similar name (1 edit)')$$,
    'typos in those names are duplicates');

-- names that differ only in a number, or in a legal form of another
-- country, are different companies; typos in letters, the same form written
-- another way, or a form dropped are still duplicates
SELECT is((SELECT pg_catalog.count(*) FROM o2c.duplicate_customers($$SELECT * FROM (VALUES
        (1, 'Store 12'), (2, 'Store 122'), (3, 'Store 21'),
        (4, 'Lumen Crest 122 B.V.'), (5, 'Lumen Crest 22 S.A.'),
        (6, 'Harbor Optics GmbH'), (7, 'Harbor Optics Inc.'), (8, 'Harbor Optics S.A.'),
        (9, 'Tan Rubber Sdn Bhd'), (10, 'Tan Rubber Pte Ltd')) AS t(customer_id, name)$$)),
    0::bigint, 'names differing only in a number or in a foreign legal form are not duplicates');
SELECT results_eq($q$SELECT customer_id, duplicate_of, reason FROM o2c.duplicate_customers($i$SELECT * FROM (VALUES
        (1, 'Northwind Traders 12 Ltd'), (2, 'Northwind Tradets 12 Limited'), (3, 'Harbor Optics GmbH'), (4, 'Harbor Optics AG'),
        (5, 'Sharma Textiles Private Limited'), (6, 'Sharma Textiles Pvt. Ltd.'), (7, 'Lumen Crest 122'),
        (8, 'Lumen Crest 122 B.V.')) AS t(customer_id, name)$i$)
        ORDER BY 1$q$,
    $$VALUES ('2', '1', 'similar name (1 edit)'), ('4', '3', 'same normalized name'),
             ('6', '5', 'same normalized name'), ('8', '7', 'same normalized name')$$,
    'a typo, forms of one country and a dropped form are still duplicates');

CREATE TEMP TABLE gen_invoices AS
SELECT 'I' || i AS invoice_id, 'C' || (i % 500) AS customer_id, DATE '2024-01-01' + (i % 90) AS invoice_date,
       DATE '2024-01-31' + (i % 90) AS due_date, (100 + i)::numeric AS amount, 'REF-' || i AS reference
FROM pg_catalog.generate_series(1, 5000) i;
INSERT INTO gen_invoices
SELECT 'D' || invoice_id, customer_id, invoice_date + 2, due_date + 2, amount, pg_catalog.replace(reference, '-', ' ')
FROM gen_invoices WHERE invoice_id LIKE 'I%' AND pg_catalog.substr(invoice_id, 2)::int % 250 = 0;
SELECT set_eq($$SELECT invoice_id, duplicate_of FROM o2c.duplicate_invoices('SELECT * FROM gen_invoices')$$,
    $$SELECT 'D' || invoice_id, invoice_id FROM gen_invoices WHERE invoice_id LIKE 'I%' AND pg_catalog.substr(invoice_id, 2)::int % 250 = 0$$,
    'duplicate_invoices finds exactly the 20 planted copies');
SELECT set_eq($$SELECT invoice_id FROM o2c.quality_scan('SELECT * FROM gen_invoices', '{"rules": ["suspected_duplicate"]}')$$,
    $$SELECT 'D' || invoice_id FROM gen_invoices WHERE invoice_id LIKE 'I%' AND pg_catalog.substr(invoice_id, 2)::int % 250 = 0$$,
    'suspected_duplicate flags exactly the 20 planted copies');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan('SELECT * FROM gen_invoices', '{"rules": ["duplicate_number"]}')),
    0::bigint, 'no duplicate numbers among distinct ids');
SELECT is(o2c.quality_scan_rows(), (SELECT pg_catalog.count(*) FROM gen_invoices),
    'quality_scan_rows is the number of invoices the last scan read, findings or not');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.quality_scan('SELECT * FROM gen_invoices WHERE false')), 0::bigint, 'an empty scan');
SELECT is(o2c.quality_scan_rows(), 0::bigint, 'reads 0 invoices');

SELECT * FROM finish();
ROLLBACK;

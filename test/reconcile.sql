-- pgTAP: o2c.reconcile
BEGIN;
SELECT plan(31);

CREATE TEMP TABLE b (line_id text, booking_date date, amount numeric, currency text,
                     counterparty_name text, counterparty_account text, reference text, remittance text);
INSERT INTO b VALUES
    ('L1', '2025-03-10', 100.00, 'EUR', 'Acme GmbH', 'DE44500105175407324931', NULL, 'Invoice INV-0042'),
    ('L2', '2025-03-10', 100.00, 'EUR', 'Other Ltd', NULL, NULL, 'payment'),
    ('L3', '2025-03-10', 55.00, 'EUR', NULL, NULL, NULL, NULL),
    ('L4', '2025-03-10', 70.00, 'USD', NULL, NULL, NULL, NULL),
    ('L5', '2025-03-01', 80.00, 'EUR', NULL, NULL, NULL, NULL);
CREATE TEMP TABLE p (payment_id bigint, received_on date, amount numeric, currency text,
                     payer_name text, payer_iban text, reference text);
INSERT INTO p VALUES
    (1, '2025-03-11', 100.00, 'EUR', NULL, NULL, 'INV-42'),
    (2, '2025-03-10', 100.00, 'EUR', 'other ltd.', NULL, NULL),
    (3, '2025-03-12', 55.00, 'EUR', NULL, NULL, NULL),
    (4, '2025-03-10', 70.00, 'EUR', NULL, NULL, NULL),
    (5, '2025-03-06', 80.00, 'EUR', NULL, NULL, NULL),
    (6, '2025-03-10', 12.34, 'EUR', NULL, NULL, NULL);

CREATE TEMP TABLE r AS SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p');

SELECT is((SELECT payment_id || ' ' || rule FROM r WHERE bank_line = 'L1'), '1 reference',
          'reference found in the remittance, leading zeros ignored');
SELECT is((SELECT payment_id || ' ' || rule FROM r WHERE bank_line = 'L2'), '2 counterparty',
          'counterparty name, case and punctuation ignored');
SELECT is((SELECT payment_id || ' ' || rule || ' ' || score FROM r WHERE bank_line = 'L3'), '3 amount_date 0.48',
          'amount and date within the window, a point less per day');
SELECT is((SELECT rule FROM r WHERE bank_line = 'L4'), 'unmatched_bank', 'never across currencies');
SELECT is((SELECT rule FROM r WHERE bank_line = 'L5'), 'unmatched_bank', 'outside the 3-day window');
SELECT bag_eq($$SELECT payment_id FROM r WHERE bank_line IS NULL$$, ARRAY['4', '5', '6'],
              'unmatched payments are listed');
SELECT is((SELECT count(*)::int FROM r), 8, 'every bank line and every payment appears once');
SELECT is((SELECT count(DISTINCT payment_id)::int FROM r WHERE payment_id IS NOT NULL AND bank_line IS NOT NULL),
          (SELECT count(*)::int FROM r WHERE payment_id IS NOT NULL AND bank_line IS NOT NULL), 'one to one');
SELECT is((SELECT payment_id FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p', '{"date_window": 10}')
           WHERE bank_line = 'L5'), '5', 'date_window option widens the window');
SELECT is((SELECT count(*)::int FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p', '{"min_score": 70}')
           WHERE bank_line IS NOT NULL AND payment_id IS NOT NULL), 2, 'min_score drops weak pairs');
SELECT results_eq($$SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p')$$,
                  $$SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p ORDER BY payment_id DESC')
                    ORDER BY bank_line IS NULL, payment_id IS NULL, bank_line, payment_id$$,
                  'the pairs do not depend on the order of the book rows');
SELECT is((SELECT count(*)::int FROM o2c.reconcile('SELECT line_id, booking_date, amount::int AS amount FROM b WHERE amount = 55',
                                                    'SELECT payment_id::numeric AS payment_id, received_on, 55 AS amount FROM p WHERE payment_id = 3')
           WHERE bank_line IS NOT NULL AND payment_id IS NOT NULL), 1, 'integer amounts and ids of any type');
SELECT is((SELECT count(*)::int FROM o2c.reconcile('SELECT * FROM b WHERE false', 'SELECT * FROM p WHERE false')), 0,
          'nothing in, nothing out');

-- errors
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT line_id, amount FROM b', 'SELECT * FROM p')$$, '42703',
                 'column "booking_date" is missing from bank_sql', 'missing bank column');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT received_on, amount FROM p')$$, '42703',
                 'column "payment_id" is missing from book_sql', 'missing book column');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT line_id, booking_date::timestamp AS booking_date, amount FROM b', 'SELECT * FROM p')$$,
                 '42804', 'column "booking_date" of bank_sql has type timestamp without time zone, expected date', 'date of the wrong type');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT line_id, booking_date, amount::float8 AS amount FROM b', 'SELECT * FROM p')$$,
                 '42804', 'column "amount" of bank_sql has type double precision, expected numeric or an integer type', 'float amounts refused');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT *, 1 AS reference FROM (SELECT line_id, booking_date, amount FROM b) s', 'SELECT * FROM p')$$,
                 '42804', 'column "reference" of bank_sql has type integer, expected text, varchar or char', 'text column of the wrong type');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT NULL::text AS line_id, booking_date, amount FROM b', 'SELECT * FROM p')$$,
                 '22004', 'column "line_id" of bank_sql is null in row 1', 'null id');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT line_id, ''infinity''::date AS booking_date, amount FROM b', 'SELECT * FROM p')$$,
                 '22008', 'column "booking_date" of bank_sql is infinite in row 1', 'infinite date');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('CREATE TEMP TABLE x ()', 'SELECT * FROM p')$$,
                 '22023', 'bank_sql must be a query that returns rows', 'not a query');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p', '{"date_window": -1}')$$,
                 '22023', 'reconcile option "date_window" is -1, outside 0 to 366', 'option out of range');
SELECT throws_ok($$SELECT * FROM o2c.reconcile('SELECT * FROM b', 'SELECT * FROM p', '[1]')$$,
                 '22023', 'reconcile options must be a JSON object', 'options not an object');
SELECT is((SELECT string_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text, ',')
           FROM pg_proc WHERE proname = 'reconcile' AND pronamespace = 'o2c'::regnamespace), 'vrtrue',
          'reconcile is VOLATILE STRICT PARALLEL RESTRICTED');

-- reconcile_report: per statement
CREATE TEMP TABLE rs AS SELECT * FROM o2c.reconcile_report(
    'SELECT *, CASE WHEN line_id IN (''L1'', ''L2'') THEN ''S1'' ELSE ''S2'' END AS statement_id, ''camt.052'' AS message FROM b',
    'SELECT * FROM p');
SELECT is((SELECT string_agg(coalesce(statement_id, '-') || ' ' || bank_lines || ' ' || matched || ' ' || unmatched_bank || ' ' ||
                             unmatched_book || ' ' || difference, '; ' ORDER BY statement_id NULLS LAST) FROM rs),
          'S1 2 2 0 2 -82.34; S2 3 1 2 1 70.00', 'reconcile_report: matched, unmatched each side and the difference per statement');
SELECT is((SELECT bank_amount - matched_amount - unmatched_bank_amount FROM rs WHERE statement_id = 'S2'), 0.00,
          'reconcile_report: bank amount = matched + unmatched');
SELECT is((SELECT count(*)::int FROM o2c.reconcile_report('SELECT * FROM b', 'SELECT * FROM p') WHERE statement_id IS NULL),
          1, 'reconcile_report: without statement_id, one statement of all lines');
SELECT is((SELECT string_agg(currency || ' ' || unmatched_book || ' ' || unmatched_book_amount, '; ' ORDER BY currency)
           FROM o2c.reconcile_report('SELECT * FROM b WHERE false', 'SELECT * FROM p')),
          'EUR 6 417.34', 'reconcile_report: payments near no statement, a row per currency');
SELECT is((SELECT matched || ' ' || unmatched_book || ' ' || difference FROM o2c.reconcile_report('SELECT * FROM b WHERE line_id = ''L3''',
                                                           'SELECT * FROM p WHERE payment_id IN (3, 6)')), '1 1 -12.34',
          'reconcile_report: an unmatched payment near a statement counts with it');
SELECT throws_ok($$SELECT * FROM o2c.reconcile_report('SELECT * FROM b', 'SELECT * FROM p', '{"date_window": "x"}')$$,
                 '22023', 'reconcile option "date_window" must be a number', 'reconcile_report: options as reconcile');
SELECT is((SELECT provolatile::text || proparallel::text || proisstrict::text
           FROM pg_proc WHERE proname = 'reconcile_report' AND pronamespace = 'o2c'::regnamespace), 'vrtrue',
          'reconcile_report is VOLATILE STRICT PARALLEL RESTRICTED');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: open_items and aging_history against brute-force SQL on random
-- ledgers (credit notes, over-settlement, settlements after as_of, mixed
-- scales, NULL due dates), and their errors.
BEGIN;
SELECT plan(38);

SELECT setseed(0.4242);

\ir fixtures/ledger_random.sql

-- The brute force: open items as of d, in open_items' documented order.
CREATE FUNCTION pg_temp.brute(d date, with_credit boolean, with_settled boolean)
RETURNS TABLE (invoice_id text, customer_id text, currency text, invoice_date date, due_date date,
               amount numeric, settled numeric, open_amount numeric, last_settled_on date)
LANGUAGE sql AS $$
    SELECT i.invoice_id, i.customer_id, i.currency, i.invoice_date, i.due_date, a.amt,
           coalesce(s.settled, 0), a.amt - coalesce(s.settled, 0), s.last
      FROM inv i
     CROSS JOIN LATERAL (SELECT CASE WHEN i.kind = 'credit_note' THEN -abs(i.amount) ELSE i.amount END AS amt) a
      LEFT JOIN (SELECT invoice_id, sum(amount) AS settled, max(settled_on) AS last
                   FROM stl WHERE settled_on <= d GROUP BY invoice_id) s USING (invoice_id)
     WHERE i.invoice_date <= d
       AND (a.amt - coalesce(s.settled, 0) <> 0 OR with_settled)
       AND (a.amt - coalesce(s.settled, 0) >= 0 OR with_credit)
     ORDER BY i.customer_id COLLATE "C", i.currency COLLATE "C" NULLS LAST,
              i.due_date NULLS LAST, i.invoice_id COLLATE "C"
$$;

CREATE TEMP TABLE dates AS
SELECT d::date AS d FROM unnest(ARRAY['2023-12-31', '2024-01-15', '2024-03-31', '2024-06-30',
                                      '2024-07-04', '2024-09-30', '2024-12-31', '2025-06-30']) d;

-- The data has what the properties are about.
SELECT ok((SELECT count(*) FROM pg_temp.brute('2024-06-30', true, false) WHERE open_amount < 0 AND amount > 0) > 0,
          'the random ledger has over-settled invoices');
SELECT ok((SELECT count(*) FROM inv WHERE kind = 'credit_note' AND amount > 0) > 0
          AND (SELECT count(*) FROM inv WHERE amount < 0) > 0,
          'the random ledger has credit notes by kind and by sign');
SELECT ok((SELECT count(*) FROM stl WHERE settled_on > DATE '2024-06-30') > 0
          AND (SELECT count(*) FROM stl s JOIN inv i USING (invoice_id) WHERE s.settled_on < i.invoice_date) > 0,
          'the random ledger has settlements after as_of and before the invoice');
SELECT ok((SELECT count(*) FROM stl WHERE scale(amount) = 3) > 0, 'some settlements have 3 decimals');

-- open_items equals the brute force, rows and order, under each option.
SELECT results_eq(
    $$SELECT d, o.* FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d) o ORDER BY d$$,
    $$SELECT d, b.* FROM dates, LATERAL pg_temp.brute(d, true, false) b ORDER BY d$$,
    'open_items equals the brute force at 8 dates');
SELECT results_eq(
    $$SELECT d, o.* FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, '{"include_settled": true}') o ORDER BY d$$,
    $$SELECT d, b.* FROM dates, LATERAL pg_temp.brute(d, true, true) b ORDER BY d$$,
    'open_items with include_settled equals the brute force');
SELECT results_eq(
    $$SELECT d, o.* FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, '{"include_credit_balances": false}') o ORDER BY d$$,
    $$SELECT d, b.* FROM dates, LATERAL pg_temp.brute(d, false, false) b ORDER BY d$$,
    'open_items without credit balances equals the brute force');
SELECT results_eq(
    $$SELECT d, o.* FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d,
                                                       '{"include_credit_balances": false, "include_settled": true}') o ORDER BY d$$,
    $$SELECT d, b.* FROM dates, LATERAL pg_temp.brute(d, false, true) b ORDER BY d$$,
    'open_items with both options equals the brute force');
-- Display scales too: open amounts show 3 decimals once a 3-decimal settlement counts.
SELECT is(
    (SELECT count(*) FROM dates, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d) o
       JOIN LATERAL pg_temp.brute(d, true, false) b USING (invoice_id)
      WHERE o.open_amount::text <> b.open_amount::text
         OR (o.settled::text <> b.settled::text AND b.last_settled_on IS NOT NULL)),
    0::bigint, 'open_items shows amounts with the scale numeric arithmetic gives');
-- Integer amounts, integer ids, and varchar ids in the settlements.
SELECT set_eq(
    $$SELECT invoice_id, open_amount FROM o2c.open_items(
        'SELECT substr(invoice_id, 2)::int AS invoice_id, customer_id, invoice_date, due_date, (amount * 100)::bigint AS amount, currency, kind FROM inv',
        'SELECT substr(invoice_id, 2)::varchar AS invoice_id, settled_on, (amount * 1000)::bigint AS amount FROM stl', '2024-06-30')$$,
    $$SELECT substr(i.invoice_id, 2), a.amt * 100 - coalesce(s.t, 0)
        FROM inv i
       CROSS JOIN LATERAL (SELECT CASE WHEN i.kind = 'credit_note' THEN -abs(i.amount) ELSE i.amount END AS amt) a
        LEFT JOIN (SELECT invoice_id, sum((amount * 1000)::bigint) AS t FROM stl WHERE settled_on <= '2024-06-30' GROUP BY 1) s USING (invoice_id)
       WHERE i.invoice_date <= '2024-06-30' AND a.amt * 100 - coalesce(s.t, 0) <> 0$$,
    'integer amounts and ids of other types give the same open items');

-- aging_history equals open_items + o2c.aging at every month-end, ...
CREATE TEMP TABLE month_ends AS
SELECT (date_trunc('month', DATE '2024-01-01') + (n + 1) * interval '1 month' - interval '1 day')::date AS d
FROM generate_series(0, 12) n;
SELECT results_eq(
    $$SELECT as_of FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month') GROUP BY as_of ORDER BY as_of$$,
    $$SELECT d FROM month_ends ORDER BY d$$,
    'month steps from a month-end land on every month-end');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month')$$,
    $$SELECT d, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d)).current, (o2c.aging(o.open_amount, o.due_date, d)).d1_30, (o2c.aging(o.open_amount, o.due_date, d)).d31_60, (o2c.aging(o.open_amount, o.due_date, d)).d61_90, (o2c.aging(o.open_amount, o.due_date, d)).d91_plus, (o2c.aging(o.open_amount, o.due_date, d)).total, (o2c.aging(o.open_amount, o.due_date, d)).overdue, (o2c.aging(o.open_amount, o.due_date, d)).items, (o2c.aging(o.open_amount, o.due_date, d)).avg_days_past_due
        FROM month_ends, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d) o
       GROUP BY d, o.customer_id, o.currency
       ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST$$,
    'aging_history equals open_items + o2c.aging at 13 month-ends, in order');
-- ... and the brute force written with FILTER.
SELECT results_eq(
    $$SELECT as_of, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items, avg_days_past_due
        FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month')$$,
    $$SELECT d, customer_id, currency,
             coalesce(sum(open_amount) FILTER (WHERE d - due_date <= 0), 0),
             coalesce(sum(open_amount) FILTER (WHERE d - due_date BETWEEN 1 AND 30), 0),
             coalesce(sum(open_amount) FILTER (WHERE d - due_date BETWEEN 31 AND 60), 0),
             coalesce(sum(open_amount) FILTER (WHERE d - due_date BETWEEN 61 AND 90), 0),
             coalesce(sum(open_amount) FILTER (WHERE d - due_date > 90), 0),
             coalesce(sum(open_amount) FILTER (WHERE due_date IS NOT NULL), 0),
             coalesce(sum(open_amount) FILTER (WHERE d - due_date > 0), 0),
             count(due_date),
             CASE WHEN sum(open_amount) FILTER (WHERE d - due_date > 0) > 0
                  THEN round(sum(open_amount * (d - due_date)) FILTER (WHERE d - due_date > 0)
                             / sum(open_amount) FILTER (WHERE d - due_date > 0), 2) END
        FROM month_ends, LATERAL pg_temp.brute(d, true, false) b
       GROUP BY d, customer_id, currency
       ORDER BY d, customer_id COLLATE "C", currency COLLATE "C" NULLS LAST$$,
    'aging_history equals the brute-force FILTER sums at 13 month-ends');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month', '{0,10,45,100}'::int[])$$,
    $$SELECT d, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d, '{0,10,45,100}')).labels, (o2c.aging(o.open_amount, o.due_date, d, '{0,10,45,100}')).amounts, (o2c.aging(o.open_amount, o.due_date, d, '{0,10,45,100}')).counts, (o2c.aging(o.open_amount, o.due_date, d, '{0,10,45,100}')).total
        FROM month_ends, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d) o
       GROUP BY d, o.customer_id, o.currency
       ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST$$,
    'the ladder form equals open_items + o2c.aging with bounds');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month',
                                      '{"include_credit_balances": false}'::jsonb)$$,
    $$SELECT d, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d)).current, (o2c.aging(o.open_amount, o.due_date, d)).d1_30, (o2c.aging(o.open_amount, o.due_date, d)).d31_60, (o2c.aging(o.open_amount, o.due_date, d)).d61_90, (o2c.aging(o.open_amount, o.due_date, d)).d91_plus, (o2c.aging(o.open_amount, o.due_date, d)).total, (o2c.aging(o.open_amount, o.due_date, d)).overdue, (o2c.aging(o.open_amount, o.due_date, d)).items, (o2c.aging(o.open_amount, o.due_date, d)).avg_days_past_due
        FROM month_ends, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, '{"include_credit_balances": false}') o
       GROUP BY d, o.customer_id, o.currency
       ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST$$,
    'without credit balances: equal to open_items with the same option');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2025-01-31', '1 month',
                                      '{0,30}'::int[], '{"include_settled": true}')$$,
    $$SELECT d, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d, '{0,30}')).labels, (o2c.aging(o.open_amount, o.due_date, d, '{0,30}')).amounts, (o2c.aging(o.open_amount, o.due_date, d, '{0,30}')).counts, (o2c.aging(o.open_amount, o.due_date, d, '{0,30}')).total
        FROM month_ends, LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, '{"include_settled": true}') o
       GROUP BY d, o.customer_id, o.currency
       ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST$$,
    'with settled items: equal to open_items with the same option');
-- Day steps: the dates of generate_series, each equal to open_items + aging.
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-02-10', '2024-08-01', '9 days')$$,
    $$SELECT d::date, o.customer_id, o.currency, (o2c.aging(o.open_amount, o.due_date, d::date)).current, (o2c.aging(o.open_amount, o.due_date, d::date)).d1_30, (o2c.aging(o.open_amount, o.due_date, d::date)).d31_60, (o2c.aging(o.open_amount, o.due_date, d::date)).d61_90, (o2c.aging(o.open_amount, o.due_date, d::date)).d91_plus, (o2c.aging(o.open_amount, o.due_date, d::date)).total, (o2c.aging(o.open_amount, o.due_date, d::date)).overdue, (o2c.aging(o.open_amount, o.due_date, d::date)).items, (o2c.aging(o.open_amount, o.due_date, d::date)).avg_days_past_due
        FROM generate_series(DATE '2024-02-10', DATE '2024-08-01', interval '9 days') d,
             LATERAL o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d::date) o
       GROUP BY d, o.customer_id, o.currency
       ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST$$,
    'day steps: every date of generate_series, equal to open_items + o2c.aging');
SELECT results_eq(
    $$SELECT as_of FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-12-31', '2 months 3 days') GROUP BY 1 ORDER BY 1$$,
    $$SELECT (DATE '2024-01-31' + n * interval '2 months' + n * interval '3 days')::date
        FROM generate_series(0, 5) n WHERE DATE '2024-01-31' + n * interval '2 months' + n * interval '3 days' <= DATE '2024-12-31'$$,
    'mixed steps: from + i * step, months first');
-- Daily steps: every settlement in the range falls on a date of the series.
CREATE FUNCTION pg_temp.loop(f date, t date, step interval, options jsonb)
RETURNS TABLE (as_of date, customer_id text, currency text, current numeric, d1_30 numeric,
               d31_60 numeric, d61_90 numeric, d91_plus numeric, total numeric, overdue numeric,
               items bigint, avg_days_past_due numeric)
LANGUAGE sql AS $$
    SELECT d, o.customer_id, o.currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus,
           (a).total, (a).overdue, (a).items, (a).avg_days_past_due
      FROM (SELECT d::date AS d FROM generate_series(f, t, step) d) s,
           LATERAL (SELECT o.customer_id, o.currency, o2c.aging(o.open_amount, o.due_date, d) AS a
                      FROM o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', d, options) o
                     GROUP BY o.customer_id, o.currency) o
     ORDER BY d, o.customer_id COLLATE "C", o.currency COLLATE "C" NULLS LAST
$$;
SELECT ok((SELECT count(*) FROM stl WHERE settled_on BETWEEN '2024-03-01' AND '2024-05-31') > 100,
          'many settlements fall on the days of March to May');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-03-01', '2024-05-31', '1 day')$$,
    $$SELECT * FROM pg_temp.loop('2024-03-01', '2024-05-31', '1 day', '{}')$$,
    'a daily step over 92 days equals open_items + o2c.aging on each day');
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-06-01', '2024-07-15', '1 day',
                                      '{"include_settled": true, "include_credit_balances": false}'::jsonb)$$,
    $$SELECT * FROM pg_temp.loop('2024-06-01', '2024-07-15', '1 day', '{"include_settled": true, "include_credit_balances": false}')$$,
    'a daily step with both options equals open_items with them');
-- A series that starts before the first invoice and ends before the last:
-- invoices issued after it never count, nor their settlements.
SELECT results_eq(
    $$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2023-11-20', '2024-02-20', '6 days')$$,
    $$SELECT * FROM pg_temp.loop('2023-11-20', '2024-02-20', '6 days', '{}')$$,
    'a series around the first invoices equals open_items + o2c.aging');

-- Unknown settlements skipped: as if they were not there (the warnings are
-- sql/ledger.sql's concern).
SET LOCAL client_min_messages = error;
SELECT results_eq(
    $$SELECT * FROM o2c.open_items('SELECT * FROM inv WHERE customer_id <> ''C1''', 'SELECT * FROM stl', '2024-09-30',
                                   '{"unknown_settlements": "skip"}')$$,
    $$SELECT * FROM pg_temp.brute('2024-09-30', true, false) WHERE customer_id <> 'C1'$$,
    'skipped unknown settlements leave the others as they are');
SELECT is(
    (SELECT count(*) FROM o2c.aging_history('SELECT * FROM inv WHERE customer_id <> ''C1''', 'SELECT * FROM stl',
                                            '2024-01-31', '2024-12-31', '1 month', '{"unknown_settlements": "skip"}'::jsonb)
      WHERE customer_id = 'C1'),
    0::bigint, 'aging_history skips unknown settlements too');

RESET client_min_messages;

-- Errors.
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv WHERE customer_id <> ''C1''', 'SELECT * FROM stl', '2024-09-30')$$,
                 '23503', NULL, 'a settlement of an unknown invoice is 23503');
SELECT throws_ok($$SELECT * FROM o2c.aging_history('SELECT * FROM inv UNION ALL SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-02-29', '1 month')$$,
                 '23505', NULL, 'a duplicate invoice is 23505');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT invoice_id, settled_on, amount, ''XXX'' AS currency FROM stl', '2024-09-30')$$,
                 '22023', NULL, 'a settlement in another currency is 22023');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT invoice_id, settled_on, amount, ''refund'' AS kind FROM stl', '2024-09-30')$$,
                 '22023', NULL, 'an unknown settlement kind is 22023');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT invoice_id, settled_on, NULL::numeric AS amount FROM stl', '2024-09-30')$$,
                 '22004', NULL, 'a NULL settlement amount is 22004');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT invoice_id, ''infinity''::date AS settled_on, amount FROM stl', '2024-09-30')$$,
                 '22008', NULL, 'an infinite settlement date is 22008');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT invoice_id, settled_on FROM stl', '2024-09-30')$$,
                 '42703', NULL, 'a missing column is 42703');
SELECT throws_ok($$SELECT * FROM o2c.open_items('SELECT * FROM inv', 'SELECT * FROM stl', '2024-09-30', '{"bogus": 1}')$$,
                 '22023', 'unknown option of open_items: "bogus"', 'an unknown option is 22023');
SELECT throws_ok($$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-12-31', '-7 days')$$,
                 '22023', NULL, 'a negative step is 22023');
SELECT throws_ok($$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '1990-01-01', '2024-12-31', '1 day')$$,
                 '54000', NULL, 'too many dates is 54000');
SELECT throws_ok($$SELECT * FROM o2c.aging_history('SELECT * FROM inv', 'SELECT * FROM stl', '2024-01-31', '2024-12-31', '1 month', '{}'::int[])$$,
                 '22023', NULL, 'empty bounds are 22023');
SELECT throws_ok($$SELECT * FROM o2c.aging_history(
    'SELECT ''BIG'' AS invoice_id, ''X'' AS customer_id, DATE ''2024-01-01'' AS invoice_date, NULL::date AS due_date, 9000000000000000000 AS amount, ''EUR'' AS currency',
    'SELECT ''BIG'' AS invoice_id, DATE ''2024-02-01'' AS settled_on, 0.5 AS amount', '2024-01-31', '2024-03-31', '1 month')$$,
                 '22003', 'amounts of invoice "BIG" are out of range for aging_history',
                 'amounts outgrowing 64 bits in the sweep are 22003, naming the invoice');
-- A 102,000-character id is named by a short prefix, its length given.
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE q;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$f$;
SELECT is(pg_temp.err($$SELECT * FROM o2c.open_items('SELECT * FROM inv',
              'SELECT repeat(''INV-1 '', 17000) AS invoice_id, DATE ''2024-01-01'' AS settled_on, 1 AS amount', '2024-09-30')$$),
          '23503: settlement for unknown invoice "INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-1 INV-... (102000 characters)" in settlements_sql',
          'a long unknown id is quoted by its first 64 characters');
-- Both are bulk functions: not for PUBLIC, granted to o2c_operator.
SELECT ok(NOT has_function_privilege('public', 'o2c.open_items(text, text, date, jsonb)', 'EXECUTE')
          AND has_function_privilege('o2c_operator', 'o2c.aging_history(text, text, date, date, interval, integer[], jsonb)', 'EXECUTE'),
          'open_items and aging_history are granted to o2c_operator, not PUBLIC');

SELECT * FROM finish();
ROLLBACK;

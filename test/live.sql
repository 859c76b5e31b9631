-- Live aging, property test: random writes to a tracked invoices table and
-- settlements table (INSERT, UPDATE of every tracked column, DELETE, MERGE,
-- COPY, settlements arriving, moved and reversed, rolls of the summary);
-- after each batch o2c.live_aging at several dates must equal a brute-force
-- aging of amount less settlements written in plain SQL. Then every error.
BEGIN;
SELECT plan(137);
SET LOCAL client_min_messages = warning;

-- Non-text keys and mapped column names on purpose.
CREATE TABLE tap_inv (no integer PRIMARY KEY, cust integer, due date, total numeric, cur varchar(3), memo text);
CREATE TABLE tap_pay (id serial PRIMARY KEY, inv integer, amt numeric);
CREATE INDEX ON tap_pay (inv);
DO $$
DECLARE
    ev text;
BEGIN
    FOREACH ev IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON tap_inv REFERENCING %s FOR EACH STATEMENT '
                       'EXECUTE FUNCTION o2c.ledger_track(%L, %L, %L, %L, %L, %L, %L)',
                       'tap_inv_' || lower(ev), ev,
                       CASE ev WHEN 'INSERT' THEN 'NEW TABLE AS n' WHEN 'UPDATE' THEN 'OLD TABLE AS o NEW TABLE AS n'
                               ELSE 'OLD TABLE AS o' END,
                       'role=invoices', 'ledger=tap', 'invoice_id=no', 'customer_id=cust', 'due_date=due',
                       'amount=total', 'currency=cur');
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON tap_pay REFERENCING %s FOR EACH STATEMENT '
                       'EXECUTE FUNCTION o2c.ledger_track(%L, %L, %L, %L, %L)',
                       'tap_pay_' || lower(ev), ev,
                       CASE ev WHEN 'INSERT' THEN 'NEW TABLE AS n' WHEN 'UPDATE' THEN 'OLD TABLE AS o NEW TABLE AS n'
                               ELSE 'OLD TABLE AS o' END,
                       'role=settlements', 'ledger=tap', 'invoices=public.tap_inv', 'invoice_id=inv', 'amount=amt');
    END LOOP;
END
$$;
CREATE TRIGGER tap_inv_truncate AFTER TRUNCATE ON tap_inv FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=tap', 'invoice_id=no', 'customer_id=cust',
                                      'due_date=due', 'amount=total', 'currency=cur');
CREATE TRIGGER tap_pay_truncate AFTER TRUNCATE ON tap_pay FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=tap', 'invoices=public.tap_inv',
                                      'invoice_id=inv', 'amount=amt');
SELECT o2c.ledger_rebuild('tap', DATE '2025-06-30');

-- Brute force: amount less all settlements, kept when not 0, aged by hand.
\ir fixtures/aging_brute.sql
CREATE FUNCTION tap_brute(as_of date)
RETURNS TABLE (customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint, avg numeric)
LANGUAGE sql AS $$
    SELECT * FROM pg_temp.aging_brute(as_of,
        'SELECT i.cust::text, i.cur::text, i.due, i.total - COALESCE(s.v, 0)
           FROM tap_inv i LEFT JOIN (SELECT inv, sum(amt) AS v FROM tap_pay GROUP BY inv) s ON s.inv = i.no')
$$;
CREATE FUNCTION tap_diff(as_of date) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM (
        (SELECT * FROM o2c.live_aging(as_of, 'tap') EXCEPT ALL SELECT * FROM tap_brute(as_of))
        UNION ALL
        (SELECT * FROM tap_brute(as_of) EXCEPT ALL SELECT * FROM o2c.live_aging(as_of, 'tap'))) d
$$;

-- One random batch of writes, all valid.
CREATE FUNCTION tap_batch(b int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    base int := (SELECT COALESCE(max(no), 0) FROM tap_inv);
    f text := '/tmp/o2c_live_tap_' || pg_backend_pid() || '.copy';
BEGIN
    -- New invoices (some credit notes, some zero), several currencies.
    INSERT INTO tap_inv
    SELECT base + g, 1 + (random() * 12)::int, DATE '2025-01-01' + (random() * 300)::int,
           CASE WHEN random() < 0.1 THEN -round((random() * 300)::numeric, 2)
                WHEN random() < 0.03 THEN 0 ELSE round((random() * 2000)::numeric, 2) END,
           (ARRAY['EUR', 'USD', 'CHF'])[1 + (random() * 2)::int], NULL
      FROM generate_series(1, 10 + (random() * 30)::int) g;
    -- Amounts beyond cents: more than 8 decimals, beyond 64 bits of units.
    IF b % 3 = 0 THEN
        INSERT INTO tap_inv VALUES (base + 3000, 1, DATE '2025-05-01' + b, 0.123456789, 'EUR', NULL),
                                   (base + 3001, 2, DATE '2025-03-01' + b, 98765432109876.125, 'EUR', NULL),
                                   (base + 3002, 3, DATE '2025-01-01' + b, -123456789012345678901234.5, 'EUR', NULL);
    END IF;
    -- Settlements: partial, exact, over, negative (a reversal).
    INSERT INTO tap_pay (inv, amt)
    SELECT no, round((total * (ARRAY[0.3, 1, 1.2, -0.1, 0.5])[1 + (random() * 4)::int])::numeric, 2)
      FROM tap_inv WHERE random() < 0.3;
    -- Settlements moved to another invoice, changed, reversed.
    UPDATE tap_pay SET inv = (SELECT no FROM tap_inv ORDER BY random() LIMIT 1) WHERE random() < 0.05;
    UPDATE tap_pay SET amt = amt + 1 WHERE random() < 0.1;
    DELETE FROM tap_pay WHERE random() < 0.1;
    -- Invoice changes of every tracked column.
    UPDATE tap_inv SET total = total + round((random() * 100 - 50)::numeric, 2) WHERE random() < 0.15;
    UPDATE tap_inv SET due = due + (random() * 60 - 30)::int WHERE random() < 0.15;
    UPDATE tap_inv SET cust = 1 + (random() * 12)::int WHERE random() < 0.1;
    UPDATE tap_inv SET cur = 'EUR' WHERE random() < 0.05;
    UPDATE tap_inv SET memo = 'b' || b WHERE random() < 0.3;
    -- Ids changed and invoices deleted, where no settlement names them.
    UPDATE tap_inv SET no = no + 100000
     WHERE random() < 0.05 AND no < 100000 AND NOT EXISTS (SELECT 1 FROM tap_pay p WHERE p.inv = tap_inv.no);
    DELETE FROM tap_inv i WHERE random() < 0.05 AND NOT EXISTS (SELECT 1 FROM tap_pay p WHERE p.inv = i.no);
    -- MERGE: update some, insert some.
    MERGE INTO tap_inv t
    USING (SELECT base + 1000 + g AS no, 1 + (random() * 12)::int AS cust FROM generate_series(1, 5) g
           UNION ALL SELECT no, cust FROM tap_inv WHERE random() < 0.05) s ON t.no = s.no
    WHEN MATCHED THEN UPDATE SET total = t.total * 2, due = t.due + 7
    WHEN NOT MATCHED THEN INSERT VALUES (s.no, s.cust, DATE '2025-05-01' + b, 99.99, 'USD', 'merge');
    -- COPY from a server file.
    EXECUTE format('COPY (SELECT %s + 2000 + g, 1 + g %% 12, DATE ''2025-04-01'' + g * 3, 10.5 * g, ''CHF'', NULL '
                   'FROM generate_series(1, 25) g) TO %L', base, f);
    EXECUTE format('COPY tap_inv FROM %L', f);
END
$$;

SELECT setseed(0.42);
CREATE FUNCTION tap_dates() RETURNS SETOF date LANGUAGE sql AS $$
    SELECT s.as_of + o FROM o2c.ledger_state s, unnest(ARRAY[0, -45, 1, 29, 95]) o WHERE s.ledger = 'tap'
$$;
CREATE FUNCTION tap_round(b int) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    d date;
BEGIN
    PERFORM tap_batch(b);
    FOR d IN SELECT tap_dates() LOOP
        RETURN NEXT is(tap_diff(d), 0::bigint, format('batch %s: live_aging as of %s equals the brute force', b, d));
    END LOOP;
END
$$;
SELECT tap_round(1);
SELECT tap_round(2);
SELECT tap_round(3);
CALL o2c.ledger_roll('tap', DATE '2025-07-01');
SELECT tap_round(4);
CALL o2c.ledger_roll('tap', DATE '2025-07-31');
SELECT tap_round(5);
SELECT tap_round(6);
CALL o2c.ledger_roll('tap', DATE '2025-10-15');
SELECT tap_round(7);
SELECT tap_round(8);
-- A settlements TRUNCATE, then more writes.
TRUNCATE tap_pay;
SELECT is(tap_diff(DATE '2025-10-15'), 0::bigint, 'after TRUNCATE of the settlements: live_aging equals the brute force');
SELECT tap_round(9);
SELECT tap_round(10);
CALL o2c.ledger_roll('tap', DATE '2025-10-20');
SELECT tap_round(11);
SELECT tap_round(12);

SELECT ok((SELECT count(*) FROM tap_inv) > 300, 'the random book has more than 300 invoices');
SELECT ok((SELECT count(*) FROM tap_pay) > 50, 'and more than 50 settlements');
-- Inserts leave their rows pending; live_aging adds them, and compaction
-- folds them into o2c.ledger_aging without changing the answer.
SELECT ok((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap') > 0,
          'inserted invoices leave pending rows');
SELECT ok((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap') > 1,
          'several statements'' rows are pending at once');
-- The pending summary against the pending rows aged by o2c.aging as of the
-- state date (overdue_due_sum: open times days since 2000-01-01, overdue).
CREATE TEMP VIEW tap_pending_brute AS
SELECT r.customer_id, r.currency, (r.a).current, (r.a).d1_30, (r.a).d31_60, (r.a).d61_90, (r.a).d91_plus,
       (r.a).total, (r.a).overdue, r.items, r.w AS overdue_due_sum
  FROM (SELECT r.customer_id, r.currency, o2c.aging(r.open_amount, r.due_date, s.as_of) AS a,
               sum(r.items) AS items,
               COALESCE(sum(r.open_amount * (r.due_date - DATE '2000-01-01')) FILTER (WHERE r.due_date < s.as_of), 0) AS w
          FROM o2c.ledger_delta_rows('tap') r
          JOIN o2c.ledger_state s ON s.ledger = 'tap'
         GROUP BY 1, 2) r
 WHERE r.items <> 0;
SELECT ok((SELECT count(*) FROM tap_pending_brute) > 10, 'more than 10 customers and currencies are pending');
SELECT is((SELECT count(*) FROM (
              (SELECT * FROM tap_pending_brute
               EXCEPT ALL
               SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items,
                      overdue_due_sum FROM o2c.ledger_pending_summary('tap'))
              UNION ALL
              (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items,
                      overdue_due_sum FROM o2c.ledger_pending_summary('tap')
               EXCEPT ALL
               SELECT * FROM tap_pending_brute)) x),
          0::bigint, 'ledger_pending_summary: the pending rows aged as of the state date, one row per customer and currency');
SELECT is((SELECT count(*) FROM (
              (SELECT r.customer_id, r.currency, r.due_date, sum(r.open_amount), sum(r.items)
                 FROM o2c.ledger_delta_rows('tap') r GROUP BY 1, 2, 3
               EXCEPT ALL SELECT * FROM o2c.ledger_pending_balances('tap'))
              UNION ALL
              (SELECT * FROM o2c.ledger_pending_balances('tap')
               EXCEPT ALL
               SELECT r.customer_id, r.currency, r.due_date, sum(r.open_amount), sum(r.items)
                 FROM o2c.ledger_delta_rows('tap') r GROUP BY 1, 2, 3)) x),
          0::bigint, 'ledger_pending_balances sums the pending rows per customer, currency and due date');
SELECT is(ARRAY(SELECT customer_id || '/' || currency || '/' || due_date FROM o2c.ledger_pending_balances('tap')),
          ARRAY(SELECT customer_id || '/' || currency || '/' || due_date FROM o2c.ledger_pending_balances('tap')
                 ORDER BY customer_id COLLATE "C", currency COLLATE "C", due_date),
          'in key order');
SELECT is(ARRAY(SELECT customer_id || '/' || currency FROM o2c.ledger_pending_summary('tap')),
          ARRAY(SELECT customer_id || '/' || currency FROM o2c.ledger_pending_summary('tap')
                 ORDER BY customer_id COLLATE "C", currency COLLATE "C"),
          'in key order');
CREATE FUNCTION tap_in_order(d date) RETURNS boolean LANGUAGE sql AS $$
    SELECT ARRAY(SELECT customer_id || '/' || currency FROM o2c.live_aging(d, 'tap'))
         = ARRAY(SELECT customer_id || '/' || currency FROM o2c.live_aging(d, 'tap')
                  ORDER BY customer_id COLLATE "C", currency COLLATE "C")
$$;
SELECT ok(tap_in_order((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap'))
          AND tap_in_order((SELECT as_of - 10 FROM o2c.ledger_state WHERE ledger = 'tap')),
          'live_aging''s rows come in key order, summaries pending or from the balances');
CREATE TEMP TABLE tap_live AS SELECT * FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap'), 'tap');
SELECT o2c.ledger_compact('tap');
SELECT is((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap'), 0::bigint, 'ledger_compact folds every chunk');
SELECT is((SELECT count(*) FROM ((TABLE tap_live EXCEPT ALL SELECT * FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap'), 'tap'))
                                  UNION ALL (SELECT * FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap'), 'tap') EXCEPT ALL TABLE tap_live)) d),
          0::bigint, 'live_aging gives the same rows, shown alike, before and after folding the summaries in');
SELECT is((SELECT count(*) FROM o2c.ledger_aging WHERE ledger = 'tap' AND items = 0), 0::bigint,
          'no summary row is left without an open invoice');
SELECT ok(tap_in_order((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap')), 'and from the summary alone');
-- The rebuild gives the same summary, and the balances after a compaction.
CREATE TEMP TABLE tap_before AS SELECT * FROM o2c.ledger_aging WHERE ledger = 'tap';
CREATE TEMP TABLE tap_bal AS SELECT * FROM o2c.ledger_balance WHERE ledger = 'tap';
SELECT o2c.ledger_rebuild('tap');
SELECT is((SELECT count(*) FROM ((TABLE tap_before EXCEPT SELECT * FROM o2c.ledger_aging WHERE ledger = 'tap')
                                  UNION ALL (SELECT * FROM o2c.ledger_aging WHERE ledger = 'tap' EXCEPT TABLE tap_before)) d),
          0::bigint, 'ledger_rebuild gives the summary the triggers kept');
SELECT is((SELECT count(*) FROM ((TABLE tap_bal EXCEPT SELECT * FROM o2c.ledger_balance WHERE ledger = 'tap')
                                  UNION ALL (SELECT * FROM o2c.ledger_balance WHERE ledger = 'tap' EXCEPT TABLE tap_bal)) d),
          0::bigint, 'ledger_rebuild gives the balances the triggers kept');
SELECT is((SELECT count(*) FROM o2c.ledger_balance WHERE ledger = 'tap' AND items = 0), 0::bigint,
          'no balance row is left without an open invoice');
-- Amounts of more than 8 decimals, exact (1.0000000000) or not, in the
-- bulk insert path (these crashed the server before).
INSERT INTO tap_inv VALUES (900001, 1, DATE '2025-10-01', 1.0000000000, 'EUR'),
                           (900002, 1, DATE '2025-10-01', 0.0000000000, 'EUR'),
                           (900003, 2, DATE '2025-09-01', 0.123456789012, 'EUR');
SELECT is(tap_diff((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap')), 0::bigint,
          'amounts of 10 and 12 decimals: live_aging as of the state date equals the brute force');
SELECT is(tap_diff(DATE '2025-12-31'), 0::bigint, 'and as of another date');
-- One statement whose customers leave the fast 64-bit sums: scales rising
-- within a customer, sums and due-weighted sums past 64 bits, and amounts
-- beyond the fast range altogether.
INSERT INTO tap_inv VALUES (900011, 50, DATE '2025-08-01', 100.5, 'EUR'),
                           (900012, 50, DATE '2025-08-02', 10.25, 'EUR'),
                           (900013, 50, DATE '2025-12-02', 1.125, 'EUR'),
                           (900014, 51, DATE '2025-12-01', 5000000000000000000, 'EUR'),
                           (900015, 51, DATE '2025-12-01', 5000000000000000000, 'EUR'),
                           (900016, 52, DATE '2025-01-01', 2000000000000000, 'EUR'),
                           (900017, 52, DATE '2025-01-02', 2000000000000000, 'EUR'),
                           (900018, 53, DATE '2025-03-01', 10000000000000000000000000.5, 'EUR'),
                           (900019, 53, DATE '2025-03-01', 1e40, 'EUR'),
                           (900020, 53, DATE '2025-03-01', -1e40, 'EUR');
SELECT is(tap_diff((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap')), 0::bigint,
          'sums past 64 bits and rising scales: live_aging as of the state date equals the brute force');
SELECT is((SELECT ARRAY[current::text, d1_30::text, d31_60::text, d61_90::text, d91_plus::text, total::text]
             FROM o2c.ledger_pending_summary('tap') WHERE customer_id = '50' AND currency = 'EUR'),
          (SELECT ARRAY[(a).current::text, (a).d1_30::text, (a).d31_60::text, (a).d61_90::text, (a).d91_plus::text,
                        (a).total::text]
             FROM (SELECT o2c.aging(total, due, s.as_of) AS a FROM tap_inv, o2c.ledger_state s
                    WHERE cust = 50 AND s.ledger = 'tap' GROUP BY s.as_of) x),
          'a customer''s pending summary shows every bucket with its largest scale, as o2c.aging does');

-- One statement of 5,000 rows, read in batches from a transition table
-- spilled to a file (each row read is freed by the next): 1,777 customers,
-- amounts beyond the fast range, of 12 decimals, zero and negative, spread
-- over the batches.
SET LOCAL work_mem = '64kB';
INSERT INTO tap_inv
SELECT 910000 + g, 1000 + (g * 7919) % 1777, DATE '2025-01-01' + g % 400,
       CASE WHEN g % 97 = 0 THEN 1e30 + g WHEN g % 31 = 0 OR g BETWEEN 2000 AND 2100 THEN round(g / 7.0, 12)
            WHEN g % 13 = 0 THEN 0 WHEN g % 11 = 0 THEN -g ELSE g * 1.25 END,
       CASE WHEN g % 5 = 0 THEN 'USD' ELSE 'EUR' END, NULL
  FROM generate_series(1, 5000) g;
RESET work_mem;
SELECT is(tap_diff((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap')), 0::bigint,
          '5,000 rows in batches from a spilled transition table: live_aging as of the state date equals the brute force');
SELECT is(tap_diff(DATE '2025-12-31'), 0::bigint, 'and as of another date');

-- Every error path.
SELECT throws_ok($$INSERT INTO tap_pay (inv, amt) VALUES (-1, 5)$$, '23503',
                 'settlement for unknown invoice "-1"', 'a settlement for an unknown invoice');
SELECT throws_ok($$INSERT INTO tap_pay (inv, amt) VALUES (NULL, 5)$$, '23502', NULL, 'a settlement without invoice');
SELECT throws_ok($$INSERT INTO tap_pay (inv, amt) SELECT no, NULL FROM tap_inv LIMIT 1$$, '23502', NULL,
                 'a settlement without amount');
SELECT throws_ok($$INSERT INTO tap_pay (inv, amt) SELECT no, 'NaN' FROM tap_inv LIMIT 1$$, '22023', NULL,
                 'a settlement of NaN');
SELECT throws_ok($$DELETE FROM tap_inv WHERE no IN (SELECT inv FROM tap_pay)$$, '23503', NULL,
                 'deleting an invoice that has settlements');
SELECT throws_ok($$UPDATE tap_inv SET no = -no WHERE no IN (SELECT inv FROM tap_pay)$$, '23503', NULL,
                 'changing the id of an invoice that has settlements');
SELECT throws_ok($$TRUNCATE tap_inv$$, '23503', NULL, 'truncating the invoices while settlements exist');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, NULL, '2025-01-01', 1, 'EUR')$$, '23502',
                 'invoice "-5" has a null customer_id (column "cust")', 'an invoice without customer');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, 1, NULL, 1, 'EUR')$$, '23502', NULL, 'an invoice without due date');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, 1, '2025-01-01', NULL, 'EUR')$$, '23502', NULL, 'an invoice without amount');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, 1, '2025-01-01', 1, NULL)$$, '23502', NULL, 'an invoice without currency');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, 1, '-infinity', 1, 'EUR')$$, '22008', NULL, 'an infinite due date');
SELECT throws_ok($$INSERT INTO tap_inv VALUES (-5, 1, '2025-01-01', 'Infinity', 'EUR')$$, '22023', NULL, 'an infinite amount');
SELECT throws_ok($$UPDATE tap_inv SET cust = NULL WHERE no = (SELECT min(no) FROM tap_inv)$$, '23502', NULL,
                 'an update to a null customer');
SELECT throws_ok($$SELECT * FROM o2c.live_aging(current_date, 'no such ledger')$$, 'P0002', NULL, 'an unknown ledger');
SELECT throws_ok($$SELECT * FROM o2c.live_aging(current_date, 'tap', '{}')$$, '22023', NULL, 'empty bounds');
SELECT throws_ok($$SELECT * FROM o2c.live_aging(NULL, 'tap')$$, '22004', NULL, 'a null as_of');
SELECT throws_ok($$SELECT o2c.live_aging_source(NULL, current_date)$$, '22004', 'as_of and ledger must not be null',
                 'live_aging_source of a null ledger');
SELECT throws_ok($$SELECT * FROM o2c.live_aging('-infinity', 'tap')$$, '22008', 'as_of date must be finite: "-infinity"',
                 'live_aging as of -infinity');
SELECT throws_ok($$SELECT * FROM o2c.live_aging_merged(current_date, NULL)$$, '22004', NULL, 'live_aging_merged of a null ledger');
SELECT throws_ok($$SELECT * FROM o2c.live_aging_merged(current_date, 'no such ledger')$$, 'P0002', NULL,
                 'live_aging_merged of an unknown ledger');
SELECT is((SELECT count(*) FROM o2c.ledger_pending_summary('no such ledger')), 0::bigint,
          'an unknown ledger has no pending summaries');
SELECT throws_ok($$CALL o2c.ledger_roll('tap', DATE '2025-01-01')$$, '22023', NULL, 'rolling back');
SELECT throws_ok($$CALL o2c.ledger_roll('tap', 'infinity')$$, '22008', NULL, 'rolling to infinity');
SELECT throws_ok($$SELECT o2c.ledger_rebuild('tap', 'infinity')$$, '22008', NULL, 'rebuilding as of infinity');
SELECT throws_ok($$SELECT o2c.ledger_rebuild(NULL)$$, '22004', NULL, 'rebuilding a null ledger');
SELECT throws_ok($$SELECT o2c.ledger_rebuild('no such ledger')$$, '42704', NULL, 'rebuilding an untracked ledger');
SELECT throws_ok($$SELECT o2c.ledger_compact('no such ledger')$$, 'P0002', NULL, 'compacting an unknown ledger');
SELECT throws_ok($q$DO $x$ BEGIN
                     INSERT INTO o2c.ledger_delta (ledger, chunk, part, rows, data)
                     VALUES ('tap_bad', 1, 0, 1, '\x00000001');
                     PERFORM FROM o2c.ledger_delta_rows('tap_bad');
                   END $x$$q$, '22P03', NULL, 'corrupt delta data');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET data = overlay(data PLACING '\x00000009'::bytea FROM 1 FOR 4)
                      WHERE ledger = 'tap';
                     PERFORM FROM o2c.ledger_pending_balances('tap');
                   END $x$$q$, '22P03', NULL, 'pending balances of an unknown version');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET data = overlay(data PLACING '\x00000009'::bytea FROM 1 FOR 4)
                      WHERE ledger = 'tap';
                     PERFORM FROM o2c.ledger_pending_summary('tap');
                   END $x$$q$, '22P03', NULL, 'a pending summary of data of an unknown version');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET data = overlay(data PLACING '\x00000009'::bytea FROM 1 FOR 4)
                      WHERE ledger = 'tap';
                     PERFORM FROM o2c.ledger_compact('tap');
                   END $x$$q$, '22P03', NULL, 'ledger_compact refuses it too, folding nothing');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET data = substr(data, 1, 20) WHERE ledger = 'tap';
                     PERFORM FROM o2c.ledger_delta_rows('tap');
                   END $x$$q$, '22P03', NULL, 'a truncated part');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET data = substr(data, 1, length(data) - 1) WHERE ledger = 'tap';
                     PERFORM FROM o2c.ledger_delta_rows('tap');
                   END $x$$q$, '22P03', NULL, 'a part missing its last byte');
SELECT throws_ok($$SELECT o2c.ledger_track()$$, '39P01', NULL, 'the trigger called as a function');
SELECT throws_ok($$SELECT o2c.ledger_avg('NaN', 1, current_date)$$, '22023', 'invalid amount: "NaN"', 'ledger_avg of NaN');
SELECT throws_ok($$SELECT o2c.ledger_avg(1, 1, 'infinity')$$, '22008', NULL, 'ledger_avg as of infinity');
SELECT is(o2c.ledger_avg(300, 300 * (current_date - DATE '2000-01-01' - 10) + 0.02, current_date), 10.00,
          'ledger_avg rounds (10 days less 0.02/300) half away from zero');
-- Misconfigured triggers.
CREATE TABLE tap_bad (no integer PRIMARY KEY, customer_id text, due_date date, amount numeric, currency text);
CREATE TABLE tap_bad_pay (invoice_id integer, amount numeric);
CREATE FUNCTION tap_attach(tbl text, VARIADIC args text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS t ON %I', tbl);
    EXECUTE format('CREATE TRIGGER t AFTER INSERT ON %I REFERENCING NEW TABLE AS n FOR EACH STATEMENT '
                   'EXECUTE FUNCTION o2c.ledger_track(%s)', tbl,
                   (SELECT string_agg(quote_literal(a), ', ') FROM unnest(args) a));
END $$;
SELECT tap_attach('tap_bad', 'role=invoices', 'ledger=bad');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '42703',
                 'ledger_track on table "tap_bad" needs a column for invoice_id', 'an unmapped id column');
SELECT tap_attach('tap_bad', 'role=invoices', 'ledger=bad', 'invoice_id=no', 'currency=missing');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '42703', NULL, 'a mapped column that does not exist');
SELECT tap_attach('tap_bad', 'role=invoices', 'ledger=bad', 'invoice_id=no', 'currency=no');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '42804', NULL, 'a column of the wrong type');
SELECT tap_attach('tap_bad', 'role=invoice', 'invoice_id=no');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '22023',
                 'ledger_track argument "role=invoice": role must be invoices or settlements', 'a bad role');
SELECT tap_attach('tap_bad', 'role=invoices', 'invoice_id=no', 'ledger=bad', 'x');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '22023',
                 'invalid ledger_track argument: "x"', 'an argument without =');
SELECT tap_attach('tap_bad', 'role=invoices', 'invoice_id=customer_id', 'ledger=bad');
SELECT throws_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, '55000', NULL,
                 'an invoice id without a unique index');
SELECT tap_attach('tap_bad', 'role=invoices', 'invoice_id=no', 'ledger=bad');
SELECT lives_ok($$INSERT INTO tap_bad VALUES (1, 'C', '2025-01-01', 1, 'EUR')$$, 'a well attached invoices table');
SELECT tap_attach('tap_bad_pay', 'role=settlements', 'ledger=bad', 'invoices=tap_bad');
SELECT throws_ok($$INSERT INTO tap_bad_pay VALUES (1, 1)$$, '55000', NULL, 'settlements without an index on the invoice column');
CREATE INDEX ON tap_bad_pay (invoice_id);
SELECT lives_ok($$INSERT INTO tap_bad_pay VALUES (1, 1)$$, 'settlements with the index');
SELECT tap_attach('tap_bad_pay', 'role=settlements', 'ledger=bad', 'invoices=tap_inv');
SELECT throws_ok($$INSERT INTO tap_bad_pay VALUES (1, 1)$$, '22023', NULL, 'settlements naming an untracked invoices table');
SELECT tap_attach('tap_bad_pay', 'role=settlements', 'ledger=bad');
SELECT throws_ok($$INSERT INTO tap_bad_pay VALUES (1, 1)$$, '22023', NULL, 'settlements without invoices=');
DROP TRIGGER t ON tap_bad_pay;
CREATE TRIGGER t BEFORE INSERT ON tap_bad_pay FOR EACH ROW EXECUTE FUNCTION o2c.ledger_track('role=settlements');
SELECT throws_ok($$INSERT INTO tap_bad_pay VALUES (1, 1)$$, '39P01', NULL, 'a row trigger');
DROP TRIGGER t ON tap_bad_pay;
DROP TRIGGER t ON tap_bad;
CREATE TRIGGER t AFTER DELETE ON tap_bad FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices');
SELECT throws_ok($$DELETE FROM tap_bad$$, '39P01', NULL, 'a statement trigger without its transition table');
DROP TRIGGER t ON tap_bad;
-- A cascade from invoices to settlements would leave settled amounts behind.
ALTER TABLE tap_bad_pay ADD FOREIGN KEY (invoice_id) REFERENCES tap_bad ON DELETE CASCADE;
CREATE TRIGGER td AFTER DELETE ON tap_bad REFERENCING OLD TABLE AS o FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'invoice_id=no', 'ledger=bad');
CREATE TRIGGER td AFTER DELETE ON tap_bad_pay REFERENCING OLD TABLE AS o FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad', 'invoices=tap_bad');
CREATE TRIGGER t AFTER INSERT ON tap_bad_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad', 'invoices=tap_bad');
SELECT throws_ok($$DELETE FROM tap_bad$$, '23503', NULL, 'a cascade from an invoice to its settlements');
-- Two triggers of one table that disagree.
CREATE TRIGGER t2 AFTER UPDATE ON tap_bad_pay REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad', 'invoices=public.tap_bad');
SELECT throws_ok($$UPDATE tap_bad_pay SET amount = 2$$, '22023', NULL, 'two triggers of a table with different arguments');

SELECT * FROM finish();
ROLLBACK;

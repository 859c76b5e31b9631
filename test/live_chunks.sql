-- pgTAP: one INSERT whose balance deltas fill several parts of about 96
-- kB, so that ledger_track writes them as several rows of
-- o2c.ledger_delta, each listing only the customers its rows add to the
-- chunk's dictionary (300,000 invoices of 60,000 customers, amounts of 12
-- decimals, which are written as text), then a second INSERT, a chunk of
-- its own, after ANALYZE (its hash table then starts at the size the
-- statistics and the first statement suggest, in the hash table the first
-- one left), then one that fails at its last row and one that follows it.
-- The pending summary, the pending balances, the pending rows,
-- live_aging and the compaction must equal a brute-force aging of the
-- invoices; a chunk missing a part is an error, never a wrong answer. Read
-- over a list of chunks (as ledger_compact does), they cover those only.
BEGIN;
SELECT plan(24);
SET LOCAL client_min_messages = warning;
CREATE TABLE tap_ch_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_ch', 'tap_ch_inv');
INSERT INTO tap_ch_inv
SELECT g, 'CUSTOMER-' || (g % 60000), DATE '2026-01-01' + (g % 500), round(g / 7.0, 12),
       CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'EUR' END
  FROM generate_series(1, 300000) g;

SELECT cmp_ok((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), '>', 3::bigint,
              'the statement''s deltas are written as several parts');
SELECT is((SELECT count(DISTINCT chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 1::bigint,
          'of one chunk');
SELECT is(ARRAY(SELECT part FROM o2c.ledger_delta WHERE ledger = 'tap_ch' ORDER BY part),
          ARRAY(SELECT generate_series(0, (SELECT count(*)::int - 1 FROM o2c.ledger_delta WHERE ledger = 'tap_ch'))),
          'numbered from 0');
SELECT cmp_ok((SELECT max(octet_length(data)) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), '<', 128 * 1024,
              'each below 128 kB');
SELECT is((SELECT sum(rows) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 300000::numeric,
          'holding every invoice once');
ANALYZE tap_ch_inv;
INSERT INTO tap_ch_inv
SELECT g, 'CUSTOMER-' || (g % 70000), DATE '2026-01-01' + (g % 400), round(g / 3.0, 2), 'EUR'
  FROM generate_series(300001, 420000) g;
SELECT is((SELECT count(DISTINCT chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 2::bigint,
          'a second statement writes a chunk of its own');
-- The hash table this one takes from the statement before is freed with
-- its error; the next INSERT of the session starts a new one.
SELECT throws_ok($$INSERT INTO tap_ch_inv
                   SELECT g, 'NEW-' || (g % 9000),
                          CASE WHEN g = 460000 THEN 'infinity' ELSE DATE '2026-03-01' + (g % 90) END, 10.25, 'CHF'
                     FROM generate_series(420001, 460000) g$$,
                 '22008', 'invoice "460000" has an infinite due date (column "due_date")',
                 'an INSERT failing at its last row');
SELECT is((SELECT count(DISTINCT chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 2::bigint,
          'writes nothing');
INSERT INTO tap_ch_inv
SELECT g, 'NEW-' || (g % 9000), DATE '2026-03-01' + (g % 90), 10.25, 'CHF' FROM generate_series(420001, 460000) g;
SELECT is((SELECT count(DISTINCT chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 3::bigint,
          'the INSERT after it writes its chunk');

CREATE TEMP VIEW tap_ch_brute AS
SELECT customer_id, currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus, (a).total,
       (a).overdue, n AS items
  FROM (SELECT customer_id, currency, o2c.aging(amount, due_date, (SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap_ch')) AS a,
               count(*) AS n
          FROM tap_ch_inv GROUP BY 1, 2) x;
SELECT is((SELECT count(*) FROM (
              (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items
                 FROM o2c.ledger_pending_summary('tap_ch') EXCEPT ALL TABLE tap_ch_brute)
              UNION ALL
              (TABLE tap_ch_brute EXCEPT ALL
               SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items
                 FROM o2c.ledger_pending_summary('tap_ch'))) d),
          0::bigint, 'the pending summary over the parts equals the brute force (every customer and currency)');
SELECT is((SELECT count(*) FROM (
              (SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_pending_balances('tap_ch')
               EXCEPT ALL SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv GROUP BY 1, 2, 3)
              UNION ALL
              (SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv GROUP BY 1, 2, 3
               EXCEPT ALL SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_pending_balances('tap_ch'))) d),
          0::bigint, 'the pending balances over the parts equal the brute force');
SELECT is((SELECT count(*) FROM (
              (SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_delta_rows('tap_ch')
               EXCEPT ALL SELECT customer_id, currency, due_date, amount FROM tap_ch_inv)
              UNION ALL
              (SELECT customer_id, currency, due_date, amount FROM tap_ch_inv
               EXCEPT ALL SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_delta_rows('tap_ch'))) d),
          0::bigint, 'ledger_delta_rows gives every invoice back');
SELECT is((SELECT count(*) FROM (
              (SELECT * FROM o2c.ledger_pending_summary('tap_ch')
               EXCEPT ALL SELECT * FROM o2c.ledger_pending_summary('tap_ch', ARRAY(SELECT chunk FROM o2c.ledger_delta)))
              UNION ALL
              (SELECT * FROM o2c.ledger_pending_summary('tap_ch', ARRAY(SELECT chunk FROM o2c.ledger_delta))
               EXCEPT ALL SELECT * FROM o2c.ledger_pending_summary('tap_ch'))) d),
          0::bigint, 'the pending summary over every chunk listed is the pending summary');
SELECT is((SELECT count(*) FROM (
              (SELECT customer_id, currency, due_date, open_amount
                 FROM o2c.ledger_pending_balances('tap_ch', ARRAY[(SELECT min(chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), -1])
               EXCEPT ALL SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv WHERE invoice_id <= 300000 GROUP BY 1, 2, 3)
              UNION ALL
              (SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv WHERE invoice_id <= 300000 GROUP BY 1, 2, 3
               EXCEPT ALL SELECT customer_id, currency, due_date, open_amount
                 FROM o2c.ledger_pending_balances('tap_ch', ARRAY[(SELECT min(chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), -1]))) d),
          0::bigint, 'the pending balances over the first chunk (and one that does not exist) are the first statement''s');
SELECT is((SELECT count(*) FROM o2c.ledger_pending_summary('tap_ch', '{}')), 0::bigint,
          'over no chunk, nothing is pending');
SELECT is((SELECT count(*) FROM o2c.ledger_pending_balances('another', ARRAY(SELECT chunk FROM o2c.ledger_delta))),
          0::bigint, 'another ledger''s list holds none of its chunks');

-- A part gone (by hand: o2c never deletes one alone) is an error.
CREATE FUNCTION pg_temp.read_without(which text, gone int, reader text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    DELETE FROM o2c.ledger_delta d WHERE d.ledger = 'tap_ch' AND d.part = gone
       AND d.chunk = (SELECT CASE which WHEN 'first' THEN min(x.chunk) ELSE max(x.chunk) END
                        FROM o2c.ledger_delta x WHERE x.ledger = 'tap_ch');
    EXECUTE format('SELECT count(*) FROM o2c.%I(%L)', reader, 'tap_ch');
END
$f$;
SELECT throws_ok($$SELECT pg_temp.read_without('first', 1, 'ledger_pending_summary')$$, '22P03',
                 'ledger delta chunk ' || (SELECT min(chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch')
                 || ' has part 2 after part 0', 'a chunk missing a middle part');
SELECT throws_ok($$SELECT pg_temp.read_without('last', 0, 'ledger_pending_balances')$$, '22P03',
                 'ledger delta chunk ' || (SELECT max(chunk) FROM o2c.ledger_delta WHERE ledger = 'tap_ch')
                 || ' starts at part 1', 'a chunk missing its first part');
SELECT throws_ok($q$DO $x$ BEGIN
                     UPDATE o2c.ledger_delta SET part = -1 WHERE ledger = 'tap_ch' AND part = 0;
                     UPDATE o2c.ledger_delta SET part = 0 WHERE ledger = 'tap_ch' AND part = 1;
                     UPDATE o2c.ledger_delta SET part = 1 WHERE ledger = 'tap_ch' AND part = -1;
                     PERFORM FROM o2c.ledger_delta_rows('tap_ch');
                   END $x$$q$, '22P03', NULL,
                 'parts swapped: the second one''s dictionary does not follow from the first''s');

-- live_aging as of the state date against the brute force: rows that differ.
CREATE FUNCTION pg_temp.live_diff() RETURNS bigint LANGUAGE sql AS $f$
    SELECT count(*) FROM (
        (SELECT customer_id, currency, current, total, items
           FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap_ch'), 'tap_ch')
         EXCEPT ALL SELECT customer_id, currency, current, total, items FROM tap_ch_brute)
        UNION ALL
        (SELECT customer_id, currency, current, total, items FROM tap_ch_brute
         EXCEPT ALL SELECT customer_id, currency, current, total, items
           FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap_ch'), 'tap_ch'))) d
$f$;
SELECT is(pg_temp.live_diff(), 0::bigint, 'live_aging with them pending equals the brute force');
SELECT cmp_ok(o2c.ledger_compact('tap_ch'), '>', 0::bigint, 'ledger_compact folds them in');
SELECT is((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 0::bigint, 'every part of the three chunks');
SELECT is(pg_temp.live_diff(), 0::bigint, 'and after it, live_aging still equals the brute force');
SELECT is((SELECT count(*) FROM o2c.ledger_delta_rows('tap_ch')), 0::bigint, 'nothing is pending then');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: one INSERT whose balance deltas pass the 32 MB of a chunk, so that
-- ledger_track writes them as several rows of o2c.ledger_delta, each with
-- the dictionary of the customers seen so far (1,600,000 invoices of
-- 300,000 customers, amounts of 12 decimals, which are written as text).
-- The pending summary, the pending balances, live_aging and the compaction
-- must equal a brute-force aging of the invoices.
BEGIN;
SELECT plan(7);
SET LOCAL client_min_messages = warning;
CREATE TABLE tap_ch_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric NOT NULL, currency text NOT NULL);
SELECT o2c.ledger_attach('tap_ch', 'tap_ch_inv');
INSERT INTO tap_ch_inv
SELECT g, 'CUSTOMER-' || (g % 300000), DATE '2026-01-01' + (g % 500), round(g / 7.0, 12),
       CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'EUR' END
  FROM generate_series(1, 1600000) g;

SELECT cmp_ok((SELECT count(*) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), '>', 1::bigint,
              'the statement''s deltas are written as several chunks');
SELECT is((SELECT sum(rows) FROM o2c.ledger_delta WHERE ledger = 'tap_ch'), 1600000::numeric,
          'holding every invoice once');

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
          0::bigint, 'the pending summary over the chunks equals the brute force (600,000 customers and currencies)');
SELECT is((SELECT count(*) FROM (
              (SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_pending_balances('tap_ch')
               EXCEPT ALL SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv GROUP BY 1, 2, 3)
              UNION ALL
              (SELECT customer_id, currency, due_date, sum(amount) FROM tap_ch_inv GROUP BY 1, 2, 3
               EXCEPT ALL SELECT customer_id, currency, due_date, open_amount FROM o2c.ledger_pending_balances('tap_ch'))) d),
          0::bigint, 'the pending balances over the chunks equal the brute force');
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
SELECT is(pg_temp.live_diff(), 0::bigint, 'and after it, live_aging still equals the brute force');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: a live ledger over partitioned tables, as large invoice books
-- often are: invoices hash-partitioned by invoice_id, settlements
-- range-partitioned by their id, attached by o2c.ledger_attach on the
-- parents. After INSERT, COPY, UPDATE (amounts, due dates, and an invoice
-- id moving a row to the other partition), DELETE, MERGE, settlements
-- arriving and reversed, ANALYZE, and TRUNCATE, o2c.live_aging at several
-- dates must equal a brute-force aging in plain SQL. A MERGE that inserts
-- rows before it updates others is applied, or refused where PostgreSQL
-- hands triggers wrong new rows for it (18.6 does), never applied wrong. A
-- table partitioned by another column cannot have the unique index: the
-- error says why.
BEGIN;
SELECT plan(26);
SET LOCAL client_min_messages = warning;

CREATE TABLE tap_pt_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric(12,2) NOT NULL, currency text NOT NULL)
    PARTITION BY HASH (invoice_id);
CREATE TABLE tap_pt_inv_0 PARTITION OF tap_pt_inv FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE tap_pt_inv_1 PARTITION OF tap_pt_inv FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE tap_pt_pay (id bigint PRIMARY KEY, invoice_id bigint NOT NULL, amount numeric(12,2) NOT NULL)
    PARTITION BY RANGE (id);
CREATE TABLE tap_pt_pay_lo PARTITION OF tap_pt_pay FOR VALUES FROM (MINVALUE) TO (100000);
CREATE TABLE tap_pt_pay_hi PARTITION OF tap_pt_pay FOR VALUES FROM (100000) TO (MAXVALUE);
CREATE INDEX ON tap_pt_pay (invoice_id);

SELECT is(o2c.ledger_attach('tap_pt', 'tap_pt_inv', 'tap_pt_pay'), 0::bigint,
          'ledger_attach puts the triggers on the partitioned parents');
SELECT o2c.ledger_rebuild('tap_pt', DATE '2026-06-30');

\ir fixtures/aging_brute.sql
CREATE FUNCTION pg_temp.brute(as_of date)
RETURNS TABLE (customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint)
LANGUAGE sql AS $$
    SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items
      FROM pg_temp.aging_brute(as_of,
        'SELECT i.customer_id, i.currency, i.due_date, i.amount - COALESCE(s.v, 0)
           FROM tap_pt_inv i
           LEFT JOIN (SELECT invoice_id, sum(amount) AS v FROM tap_pt_pay GROUP BY invoice_id) s
             ON s.invoice_id = i.invoice_id')
$$;
-- Rows that differ between live_aging and the brute force, over five dates.
CREATE FUNCTION pg_temp.diff() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(n)::bigint FROM (
        SELECT (SELECT count(*) FROM (
                   (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items
                      FROM o2c.live_aging(d, 'tap_pt') EXCEPT ALL SELECT * FROM pg_temp.brute(d))
                   UNION ALL
                   (SELECT * FROM pg_temp.brute(d) EXCEPT ALL
                    SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items
                      FROM o2c.live_aging(d, 'tap_pt'))) x) AS n
          FROM (SELECT s.as_of + o AS d FROM o2c.ledger_state s, unnest(ARRAY[0, -45, 1, 29, 95]) o
                 WHERE s.ledger = 'tap_pt') dates) y
$$;

INSERT INTO tap_pt_inv
SELECT g, 'C' || (g % 40), DATE '2026-03-01' + (g % 200), 10 + (g % 97) * 3.25, CASE WHEN g % 5 = 0 THEN 'USD' ELSE 'EUR' END
  FROM generate_series(1, 4000) g;
SELECT is((SELECT count(*) FROM tap_pt_inv_0) > 0 AND (SELECT count(*) FROM tap_pt_inv_1) > 0, true,
          'the invoices are spread over both partitions');
SELECT is(pg_temp.diff(), 0::bigint, 'INSERT: live_aging equals the brute force');

-- COPY into the parent, from a server file.
DO $$
DECLARE
    f text := '/tmp/o2c_live_pt_' || pg_backend_pid() || '.copy';
BEGIN
    EXECUTE format('COPY (SELECT g, ''C'' || (g %% 55), DATE ''2026-05-01'' + (g %% 120), (g %% 300) + 0.99, ''EUR'' '
                   'FROM generate_series(5001, 9000) g) TO %L', f);
    EXECUTE format('COPY tap_pt_inv FROM %L', f);
END
$$;
SELECT is((SELECT count(*) FROM tap_pt_inv), 8000::bigint, 'COPY into the parent');
SELECT is(pg_temp.diff(), 0::bigint, 'COPY: live_aging equals the brute force');

-- Statistics of the parent (its rows over both partitions), then more rows.
ANALYZE tap_pt_inv;
SELECT ok((SELECT n_distinct FROM pg_stats WHERE tablename = 'tap_pt_inv' AND attname = 'customer_id' AND inherited) IS NOT NULL,
          'ANALYZE gives the parent statistics of its own');
INSERT INTO tap_pt_inv
SELECT g, 'N' || (g % 300), DATE '2026-06-01' + (g % 60), 7.5, 'EUR' FROM generate_series(9001, 12000) g;
SELECT is(pg_temp.diff(), 0::bigint, 'INSERT after ANALYZE: live_aging equals the brute force');

UPDATE tap_pt_inv SET amount = amount * 2, due_date = due_date + 17 WHERE invoice_id % 7 = 0;
SELECT is(pg_temp.diff(), 0::bigint, 'UPDATE of amounts and due dates: live_aging equals the brute force');

-- A new id moves the row to the other partition (a delete and an insert
-- inside PostgreSQL, one update in the parent's transition tables).
CREATE TEMP TABLE tap_pt_moved AS
SELECT invoice_id, tableoid::regclass AS before FROM tap_pt_inv WHERE invoice_id BETWEEN 1 AND 60;
UPDATE tap_pt_inv SET invoice_id = invoice_id + 500000 WHERE invoice_id BETWEEN 1 AND 60;
SELECT ok((SELECT count(*) FROM tap_pt_moved m JOIN tap_pt_inv i ON i.invoice_id = m.invoice_id + 500000
            WHERE i.tableoid::regclass <> m.before) > 0, 'some rows moved to the other partition');
SELECT is(pg_temp.diff(), 0::bigint, 'UPDATE moving rows between partitions: live_aging equals the brute force');

DELETE FROM tap_pt_inv WHERE invoice_id % 11 = 0;
SELECT is(pg_temp.diff(), 0::bigint, 'DELETE: live_aging equals the brute force');

-- A statement run, or refused for PostgreSQL's transition tables.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'applied';
EXCEPTION WHEN feature_not_supported THEN
    RETURN 'refused: ' || SQLERRM;
END
$$;
-- Source rows in id order: ids 1, 14, ... exist, 12,001 onwards are new,
-- and ids moved past 500,000 exist again after them.
SELECT matches(pg_temp.try($m$
    MERGE INTO tap_pt_inv t
    USING (SELECT g AS id FROM generate_series(1, 12000, 13) g
           UNION ALL SELECT g FROM generate_series(12001, 12100, 11) g
           UNION ALL SELECT 500000 + g FROM generate_series(2, 60, 4) g) s ON t.invoice_id = s.id
     WHEN MATCHED THEN UPDATE SET amount = t.amount + 1, due_date = t.due_date - 30
     WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'M' || (s.id % 9), DATE '2026-11-01', 5, 'USD')$m$),
    '^(applied|refused: ledger_track cannot use this statement''s new rows: the row of public\.tap_pt_inv with \(invoice_id\) = \(\d+\) was updated but is missing from them)$',
    'MERGE inserting before updating: applied, or refused naming an invoice');
SELECT is(pg_temp.diff(), 0::bigint, 'and live_aging equals the brute force either way');
MERGE INTO tap_pt_inv t
USING (SELECT g AS id FROM generate_series(1, 20000, 13) g) s ON t.invoice_id = s.id
 WHEN MATCHED THEN UPDATE SET amount = t.amount + 1, due_date = t.due_date - 30;
MERGE INTO tap_pt_inv t
USING (SELECT g AS id FROM generate_series(1, 20000, 13) g) s ON t.invoice_id = s.id
 WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'M' || (s.id % 9), DATE '2026-11-01', 5, 'USD');
SELECT is(pg_temp.diff(), 0::bigint, 'MERGE as two statements (matched, then not matched): live_aging equals the brute force');

-- Settlements into both of their partitions, then moved and reversed.
INSERT INTO tap_pt_pay
SELECT row_number() OVER () * 61, invoice_id, round(amount / 3, 2) FROM tap_pt_inv WHERE invoice_id % 4 = 1;
SELECT is((SELECT count(*) FROM tap_pt_pay_lo) > 0 AND (SELECT count(*) FROM tap_pt_pay_hi) > 0, true,
          'the settlements are spread over both partitions');
SELECT is(pg_temp.diff(), 0::bigint, 'settlements: live_aging equals the brute force');
UPDATE tap_pt_pay SET amount = amount * 2 WHERE id % 3 = 0;
UPDATE tap_pt_pay SET id = id + 200000 WHERE id < 50000;
SELECT is(pg_temp.diff(), 0::bigint, 'settlements changed and moved between partitions: live_aging equals the brute force');
DELETE FROM tap_pt_pay WHERE id % 2 = 0;
SELECT is(pg_temp.diff(), 0::bigint, 'settlements reversed: live_aging equals the brute force');
SELECT matches(pg_temp.try($m$
    MERGE INTO tap_pt_pay p
    USING (SELECT g AS id FROM generate_series(1, 400000, 7) g) s ON p.id = s.id
     WHEN MATCHED THEN UPDATE SET amount = p.amount + 1
     WHEN NOT MATCHED AND s.id < 200 THEN INSERT VALUES (s.id, (SELECT min(invoice_id) FROM tap_pt_inv), 1)$m$),
    '^(applied|refused: ledger_track cannot use this statement''s new rows: the row of public\.tap_pt_pay with \(id\) = \(\d+\) was updated but is missing from them)$',
    'MERGE of settlements inserting before updating: applied, or refused naming a settlement');
SELECT is(pg_temp.diff(), 0::bigint, 'and live_aging equals the brute force either way');

SELECT cmp_ok(o2c.ledger_compact('tap_pt'), '>', 0::bigint, 'ledger_compact folds the pending rows in');
SELECT is(pg_temp.diff(), 0::bigint, 'after ledger_compact: live_aging equals the brute force');
SELECT o2c.ledger_rebuild('tap_pt', DATE '2026-06-30');
SELECT is(pg_temp.diff(), 0::bigint, 'after ledger_rebuild: live_aging equals the brute force');

TRUNCATE tap_pt_inv, tap_pt_pay;
SELECT is((SELECT count(*) FROM o2c.live_aging((SELECT as_of FROM o2c.ledger_state WHERE ledger = 'tap_pt'), 'tap_pt')),
          0::bigint, 'TRUNCATE of both parents empties the ledger');

-- Partitioned by the due date, the table cannot have a unique index on the
-- invoice id alone; the hint says so rather than suggest one that fails.
CREATE TABLE tap_pt_bydate (invoice_id bigint NOT NULL, customer_id text NOT NULL, due_date date NOT NULL,
                            amount numeric NOT NULL, currency text NOT NULL, PRIMARY KEY (invoice_id, due_date))
    PARTITION BY RANGE (due_date);
SELECT throws_ok($$SELECT o2c.ledger_attach('tap_pt2', 'tap_pt_bydate')$$, '55000',
                 'ledger_track needs a unique index on column "invoice_id" of table "tap_pt_bydate"',
                 'a table partitioned by its due date has no unique index on the invoice id');
CREATE FUNCTION pg_temp.attach_hint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    PERFORM o2c.ledger_attach('tap_pt2', 'tap_pt_bydate');
    RETURN NULL;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END
$$;
SELECT is(pg_temp.attach_hint(),
          'A partitioned table has one only when partitioned by invoice_id alone (PARTITION BY HASH or RANGE): '
          'then CREATE UNIQUE INDEX ON public.tap_pt_bydate (invoice_id);',
          'its hint says how a partitioned table can have one');

SELECT * FROM finish();
ROLLBACK;

-- pgTAP: the plans ledger_track keeps for statements of a few rows
-- (src/ledger/live_plans.c). One session posts single settlements and
-- changes single invoices, then changes the tables under the kept plans
-- (a column's type, a column dropped before the mapped ones, a trigger
-- recreated with other transition table names), runs a statement large
-- enough to be planned for its own size between small ones, and tracks two
-- tables whose generated SQL is the same text but whose columns differ in
-- type. After each step o2c.live_aging must equal a brute-force aging.
BEGIN;
SELECT plan(11);
SET LOCAL client_min_messages = warning;
\ir fixtures/aging_brute.sql

CREATE TABLE tap_kp_inv (invoice_id bigint PRIMARY KEY, note text, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric(12,2) NOT NULL, currency text NOT NULL);
CREATE TABLE tap_kp_pay (id bigserial PRIMARY KEY, invoice_id bigint NOT NULL, amount numeric(12,2) NOT NULL);
CREATE INDEX ON tap_kp_pay (invoice_id);
INSERT INTO tap_kp_inv
SELECT g, 'n', 'K' || (g % 7), DATE '2026-06-30' - 100 + (g % 130), 100 + g, (ARRAY['EUR', 'USD'])[1 + g % 2]
  FROM generate_series(1, 300) g;
SELECT o2c.ledger_attach('tap_kp', 'tap_kp_inv', 'tap_kp_pay');
SELECT o2c.ledger_rebuild('tap_kp', DATE '2026-06-30');

-- live_aging against the brute force at three dates: rows that differ.
CREATE FUNCTION pg_temp.kp_diff() RETURNS bigint LANGUAGE sql AS $f$
    SELECT sum(x.n)::bigint
      FROM unnest(ARRAY[DATE '2026-06-30', DATE '2026-06-30' - 45, DATE '2026-06-30' + 20]) a
     CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM (
            (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
               FROM o2c.live_aging(a, 'tap_kp')
             EXCEPT ALL
             SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
               FROM pg_temp.aging_brute(a, 'SELECT i.customer_id, i.currency, i.due_date, i.amount - COALESCE((SELECT sum(p.amount) FROM tap_kp_pay p WHERE p.invoice_id = i.invoice_id), 0) FROM tap_kp_inv i'))
            UNION ALL
            (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
               FROM pg_temp.aging_brute(a, 'SELECT i.customer_id, i.currency, i.due_date, i.amount - COALESCE((SELECT sum(p.amount) FROM tap_kp_pay p WHERE p.invoice_id = i.invoice_id), 0) FROM tap_kp_inv i')
             EXCEPT ALL
             SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, items
               FROM o2c.live_aging(a, 'tap_kp'))) d) x
$f$;

-- Single rows, each statement its own: settlements posted, changed, moved, reversed; invoices changed.
CREATE FUNCTION pg_temp.kp_singles(n int, seed int) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    r int;
BEGIN
    FOR k IN 1 .. n LOOP
        r := 1 + (k * 37 + seed) % 300;
        INSERT INTO tap_kp_pay (invoice_id, amount) VALUES (r, 1 + k % 9);
        UPDATE tap_kp_pay SET amount = amount + 0.5 WHERE id = (SELECT max(id) FROM tap_kp_pay);
        UPDATE tap_kp_pay SET invoice_id = 1 + (r + 11) % 300 WHERE id = (SELECT min(id) + k FROM tap_kp_pay);
        DELETE FROM tap_kp_pay WHERE id = (SELECT min(id) FROM tap_kp_pay) AND k % 3 = 0;
        UPDATE tap_kp_inv SET amount = amount + 1, due_date = due_date + (k % 5) - 2 WHERE invoice_id = r;
        UPDATE tap_kp_inv SET customer_id = 'K' || ((r + k) % 9) WHERE invoice_id = 1 + (r + 5) % 300;
    END LOOP;
END
$f$;
SELECT pg_temp.kp_singles(40, 1);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'single-row statements, their plans kept, agree with the brute force');

-- The tables change under the kept plans: each must be planned again.
ALTER TABLE tap_kp_pay ALTER COLUMN amount TYPE numeric(14,4);
SELECT pg_temp.kp_singles(20, 2);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'after a settlements column changes type');
ALTER TABLE tap_kp_inv DROP COLUMN note;
ALTER TABLE tap_kp_inv ALTER COLUMN amount TYPE numeric(16,6);
SELECT pg_temp.kp_singles(20, 3);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'after an invoices column before the mapped ones is dropped and one changes type');
DROP TRIGGER o2c_ledger_tap_kp_upd ON tap_kp_pay;
CREATE TRIGGER o2c_ledger_tap_kp_upd AFTER UPDATE ON tap_kp_pay REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=tap_kp', 'invoices=public.tap_kp_inv');
SELECT pg_temp.kp_singles(10, 4);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'after a trigger is recreated with other transition table names');

-- A statement of more rows than kept plans serve, between small ones.
UPDATE tap_kp_inv SET amount = amount + 2 WHERE invoice_id % 2 = 0;
INSERT INTO tap_kp_pay (invoice_id, amount) SELECT g, 3 FROM generate_series(1, 300, 2) g;
SELECT pg_temp.kp_singles(10, 5);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'statements of 150 rows between single ones');
ANALYZE tap_kp_inv, tap_kp_pay;
SELECT pg_temp.kp_singles(10, 6);
SELECT is(pg_temp.kp_diff(), 0::bigint, 'after ANALYZE');
SELECT is(o2c.ledger_rebuild('tap_kp') > 0 AND pg_temp.kp_diff() = 0, true, 'and ledger_rebuild agrees');

-- Two ledgers whose generated SQL has the same text (same column names, no
-- settlements) over tables whose amount columns differ in type: each table
-- keeps its own plans.
CREATE TABLE tap_kp_a (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                       amount numeric(12,2) NOT NULL, currency text NOT NULL);
CREATE TABLE tap_kp_b (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                       amount integer NOT NULL, currency text NOT NULL);
CREATE TRIGGER a_upd AFTER UPDATE ON tap_kp_a REFERENCING OLD TABLE AS o NEW TABLE AS n
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=tap_kp_a');
INSERT INTO tap_kp_a VALUES (1, 'A', DATE '2026-06-01', 10.25, 'EUR');
INSERT INTO tap_kp_b VALUES (1, 'B', DATE '2026-06-01', 7, 'EUR');
CREATE TRIGGER b_upd AFTER UPDATE ON tap_kp_b REFERENCING OLD TABLE AS o NEW TABLE AS n
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=tap_kp_b');
SELECT o2c.ledger_rebuild('tap_kp_a', DATE '2026-06-30'), o2c.ledger_rebuild('tap_kp_b', DATE '2026-06-30');
UPDATE tap_kp_a SET amount = 11.50;
UPDATE tap_kp_b SET amount = 9;
UPDATE tap_kp_a SET amount = 12.75;
UPDATE tap_kp_b SET amount = 13;
SELECT is((SELECT array_agg(customer_id || ' ' || total ORDER BY customer_id)
             FROM (SELECT * FROM o2c.live_aging(DATE '2026-06-30', 'tap_kp_a')
                   UNION ALL SELECT * FROM o2c.live_aging(DATE '2026-06-30', 'tap_kp_b')) x),
          ARRAY['A 12.75', 'B 13'], 'two tables whose SQL reads alike keep plans of their own');

-- A writer who loses the o2c role under a kept plan is refused (the
-- trigger checks the writer's privileges at every firing).
CREATE ROLE tap_kp_writer;
GRANT USAGE ON SCHEMA o2c TO tap_kp_writer;
GRANT SELECT, UPDATE ON tap_kp_a TO tap_kp_writer;
GRANT o2c_operator TO tap_kp_writer;
SET LOCAL ROLE tap_kp_writer;
UPDATE tap_kp_a SET amount = 14;
RESET ROLE;
REVOKE o2c_operator FROM tap_kp_writer;
SET LOCAL ROLE tap_kp_writer;
SELECT throws_ok($$UPDATE tap_kp_a SET amount = 15$$, '42501', NULL,
                 'a writer who lost the o2c role is refused though the plan was kept');
RESET ROLE;
SELECT is((SELECT total FROM o2c.live_aging(DATE '2026-06-30', 'tap_kp_a')), 14.00, 'the ledger holds the last allowed change');
SELECT is(pg_temp.kp_diff(), 0::bigint, 'and the first ledger still agrees');

SELECT * FROM finish();
ROLLBACK;

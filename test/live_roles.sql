-- pgTAP: the roles that write tracked tables. ledger_track writes o2c's
-- ledger tables with the writer's rights; a writer without them gets an
-- error that names the role, the ledger, what it lacks and the GRANT that
-- fixes it (42501), with no query of o2c's in its context. What each change
-- needs: an INSERT of invoices, o2c_operator alone; settlements and changes
-- of invoices, SELECT on the tables whose totals they read, and settlements
-- UPDATE on a column of the invoices (they lock the invoice they settle).
BEGIN;
SELECT plan(19);
SET LOCAL client_min_messages = warning;
CREATE TABLE tap_lr_inv (invoice_id bigint PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                         amount numeric(12,2) NOT NULL, currency text NOT NULL);
CREATE TABLE tap_lr_pay (settlement_id bigint PRIMARY KEY, invoice_id bigint NOT NULL, settled_on date NOT NULL,
                         amount numeric(12,2) NOT NULL);
CREATE INDEX ON tap_lr_pay (invoice_id);
SELECT o2c.ledger_attach('tap_lr', 'tap_lr_inv', 'tap_lr_pay');
CREATE ROLE tap_lr_w;
GRANT INSERT, UPDATE ON tap_lr_inv TO tap_lr_w;
GRANT INSERT ON tap_lr_pay TO tap_lr_w;

-- The error a statement of the writer's raises: state, message, detail, hint, context.
CREATE FUNCTION pg_temp.refusal(stmt text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hint text; ctx text;
BEGIN
  SET LOCAL ROLE tap_lr_w;
  EXECUTE stmt;
  RESET ROLE;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                          hint = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
  RETURN ARRAY[st, msg, det, hint, ctx];
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO tap_lr_w;

SELECT is((pg_temp.refusal($$INSERT INTO tap_lr_inv VALUES (1, 'A', DATE '2026-03-31', 100, 'EUR')$$))[1:4],
          ARRAY['42501', 'role "tap_lr_w" cannot keep ledger "tap_lr" live',
                'The ledger''s triggers write o2c.ledger_state with the rights of the role that writes the tracked tables, and it lacks SELECT, INSERT, UPDATE or DELETE on it.',
                'GRANT o2c_operator TO tap_lr_w;'],
          'a writer without o2c_operator is told what it lacks and how to grant it');
SELECT is(position('o2c.' IN (pg_temp.refusal($$INSERT INTO tap_lr_inv VALUES (1, 'A', DATE '2026-03-31', 100, 'EUR')$$))[5]),
          0, 'the context names no query of o2c''s');
SELECT is((SELECT count(*) FROM tap_lr_inv), 0::bigint, 'the invoice is not inserted');

GRANT o2c_operator TO tap_lr_w;
SELECT is(pg_temp.refusal($$INSERT INTO tap_lr_inv VALUES (1, 'A', DATE '2026-03-31', 100, 'EUR'),
                                                        (2, 'A', DATE '2026-04-30', 50, 'EUR')$$),
          NULL, 'with o2c_operator, an INSERT of invoices needs nothing more');
SELECT is((SELECT total FROM o2c.live_aging(DATE '2026-04-30', 'tap_lr')), 150.00, 'and is tracked');

SELECT is((pg_temp.refusal($$INSERT INTO tap_lr_pay VALUES (1, 1, DATE '2026-04-01', 40)$$))[1:4],
          ARRAY['42501', 'role "tap_lr_w" cannot keep ledger "tap_lr" live',
                'The ledger''s triggers read table public.tap_lr_inv with the rights of the role that writes the tracked tables, and it lacks SELECT on it.',
                'GRANT SELECT ON public.tap_lr_inv TO tap_lr_w;'],
          'a settlement needs SELECT on the invoices');
GRANT SELECT ON tap_lr_inv TO tap_lr_w;
REVOKE UPDATE ON tap_lr_inv FROM tap_lr_w;
SELECT is((pg_temp.refusal($$INSERT INTO tap_lr_pay VALUES (1, 1, DATE '2026-04-01', 40)$$))[3:4],
          ARRAY['The ledger''s triggers lock the settled invoices of table public.tap_lr_inv with the rights of the role that writes the tracked tables, and it lacks UPDATE on it.',
                'GRANT UPDATE ON public.tap_lr_inv TO tap_lr_w;'],
          'and UPDATE on them, to lock the invoice it settles');
GRANT UPDATE (amount) ON tap_lr_inv TO tap_lr_w;
SELECT is((pg_temp.refusal($$INSERT INTO tap_lr_pay VALUES (1, 1, DATE '2026-04-01', 40)$$))[3:4],
          ARRAY['The ledger''s triggers read table public.tap_lr_pay with the rights of the role that writes the tracked tables, and it lacks SELECT on it.',
                'GRANT SELECT ON public.tap_lr_pay TO tap_lr_w;'],
          'and on the settlements');
SELECT is((pg_temp.refusal($$UPDATE tap_lr_inv SET amount = 120 WHERE invoice_id = 1$$))[3:4],
          ARRAY['The ledger''s triggers read table public.tap_lr_pay with the rights of the role that writes the tracked tables, and it lacks SELECT on it.',
                'GRANT SELECT ON public.tap_lr_pay TO tap_lr_w;'],
          'so does a change of an invoice, which reads its settled total');
SELECT is((SELECT (amount, (SELECT count(*) FROM tap_lr_pay)) FROM tap_lr_inv WHERE invoice_id = 1),
          (100.00::numeric(12,2), 0::bigint), 'nothing is changed');

GRANT SELECT ON tap_lr_pay TO tap_lr_w;
SELECT is(pg_temp.refusal($$INSERT INTO tap_lr_pay VALUES (1, 1, DATE '2026-04-01', 40)$$), NULL,
          'with both, the settlement is taken');
SELECT is(pg_temp.refusal($$UPDATE tap_lr_inv SET amount = 120 WHERE invoice_id = 1$$), NULL,
          'and the change of the invoice');
SELECT is((SELECT total FROM o2c.live_aging(DATE '2026-04-30', 'tap_lr')), 130.00,
          'the ledger holds both (120 - 40 + 50)');

-- MERGE and DELETE fire the same triggers: the same refusal, then the same success.
REVOKE SELECT ON tap_lr_pay FROM tap_lr_w;
GRANT DELETE ON tap_lr_inv TO tap_lr_w;
SELECT is((pg_temp.refusal($$MERGE INTO tap_lr_inv t USING (VALUES (2, 60.00)) v(id, amt) ON t.invoice_id = v.id
                             WHEN MATCHED THEN UPDATE SET amount = v.amt$$))[4],
          'GRANT SELECT ON public.tap_lr_pay TO tap_lr_w;', 'a MERGE is refused alike');
SELECT is((pg_temp.refusal($$DELETE FROM tap_lr_inv WHERE invoice_id = 2$$))[4],
          'GRANT SELECT ON public.tap_lr_pay TO tap_lr_w;', 'and a DELETE');
GRANT SELECT ON tap_lr_pay TO tap_lr_w;
SELECT is(pg_temp.refusal($$MERGE INTO tap_lr_inv t USING (VALUES (2, 60.00)) v(id, amt) ON t.invoice_id = v.id
                            WHEN MATCHED THEN UPDATE SET amount = v.amt$$), NULL, 'granted, the MERGE is taken');
SELECT is((SELECT total FROM o2c.live_aging(DATE '2026-04-30', 'tap_lr')), 140.00,
          'and the ledger holds it (120 - 40 + 60)');

-- A DBA who narrowed o2c_operator is told which object.
REVOKE USAGE ON SEQUENCE o2c.ledger_delta_chunk FROM o2c_operator;
SELECT is((pg_temp.refusal($$INSERT INTO tap_lr_inv VALUES (3, 'B', DATE '2026-03-31', 10, 'EUR')$$))[3],
          'The ledger''s triggers number their changes with sequence o2c.ledger_delta_chunk with the rights of the role that writes the tracked tables, and it lacks USAGE on it.',
          'the sequence that numbers the chunks');
GRANT USAGE ON SEQUENCE o2c.ledger_delta_chunk TO o2c_operator;
SELECT is(pg_temp.refusal($$INSERT INTO tap_lr_inv VALUES (3, 'B', DATE '2026-03-31', 10, 'EUR')$$), NULL,
          'granted again, the INSERT is taken');

SELECT * FROM finish();
ROLLBACK;

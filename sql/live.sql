-- Live aging: o2c.ledger_track on an invoices and a settlements table, and
-- o2c.live_aging checked against the full scan (o2c.aging over amount less
-- settlements, grouped by customer and currency) after every step.
SET client_min_messages = warning;
CREATE TABLE live_inv (invoice_id text PRIMARY KEY, customer_id text, due_date date,
                       amount numeric(12,2), currency text, note text);
CREATE TABLE live_pay (payment_id serial PRIMARY KEY, invoice_id text, amount numeric(12,2),
                       kind text DEFAULT 'payment');
CREATE TRIGGER live_inv_ins AFTER INSERT ON live_inv REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=reg');
CREATE TRIGGER live_inv_upd AFTER UPDATE ON live_inv REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=reg');
CREATE TRIGGER live_inv_del AFTER DELETE ON live_inv REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=reg');
CREATE TRIGGER live_inv_trunc AFTER TRUNCATE ON live_inv
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=reg');
CREATE TRIGGER live_pay_ins AFTER INSERT ON live_pay REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=reg', 'invoices=public.live_inv');
CREATE TRIGGER live_pay_upd AFTER UPDATE ON live_pay REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=reg', 'invoices=public.live_inv');
CREATE TRIGGER live_pay_del AFTER DELETE ON live_pay REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=reg', 'invoices=public.live_inv');
CREATE TRIGGER live_pay_trunc AFTER TRUNCATE ON live_pay
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=reg', 'invoices=public.live_inv');

-- The settlements' invoice column needs an index.
INSERT INTO live_inv VALUES ('I-1', 'ACME', '2025-03-01', 1000.00, 'EUR');
CREATE INDEX ON live_pay (invoice_id);

-- A new ledger, summarized as of 2025-03-31.
SELECT o2c.ledger_rebuild('reg', DATE '2025-03-31');
SELECT ledger, as_of FROM o2c.ledger_state WHERE ledger = 'reg';
INSERT INTO live_inv VALUES ('I-1', 'ACME', '2025-03-01', 1000.00, 'EUR');

-- The full scan live aging must equal, and the check at a date.
CREATE FUNCTION live_full(as_of date) RETURNS TABLE (customer_id text, currency text, a o2c.aging_buckets)
LANGUAGE sql AS $$
    SELECT i.customer_id, i.currency, o2c.aging(i.open, i.due_date, as_of)
      FROM (SELECT i.*, i.amount - COALESCE((SELECT sum(p.amount) FROM live_pay p
                                              WHERE p.invoice_id = i.invoice_id), 0) AS open
              FROM live_inv i) i
     WHERE i.open <> 0
     GROUP BY i.customer_id, i.currency
$$;
-- Buckets compared with their values, not their display scale.
CREATE FUNCTION live_check(as_of date) RETURNS text LANGUAGE sql AS $$
    WITH l AS (SELECT customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue,
                      items, avg_days_past_due
                 FROM o2c.live_aging(as_of, 'reg')),
         f AS (SELECT customer_id, currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus,
                      (a).total, (a).overdue, (a).items, (a).avg_days_past_due FROM live_full(as_of)),
         diff AS ((SELECT * FROM l EXCEPT SELECT * FROM f) UNION ALL (SELECT * FROM f EXCEPT SELECT * FROM l))
    SELECT CASE WHEN count(*) = 0 THEN 'ok ' || (SELECT count(*) FROM l) || ' rows'
                ELSE 'MISMATCH: ' || string_agg(diff::text, '; ') END
      FROM diff
$$;

-- The balances per due date, pending deltas included, against the invoices.
CREATE FUNCTION live_balance_check() RETURNS bigint LANGUAGE sql AS $$
    WITH l AS (SELECT customer_id, currency, due_date, sum(open_amount) AS o, sum(items) AS n
                 FROM o2c.ledger_balances('reg') GROUP BY 1, 2, 3 HAVING sum(items) <> 0),
         f AS (SELECT customer_id, currency, due_date, sum(open) AS o, count(*) AS n
                 FROM (SELECT i.*, i.amount - COALESCE((SELECT sum(p.amount) FROM live_pay p
                                                         WHERE p.invoice_id = i.invoice_id), 0) AS open
                         FROM live_inv i) i
                WHERE open <> 0 GROUP BY 1, 2, 3)
    SELECT count(*) FROM ((TABLE l EXCEPT TABLE f) UNION ALL (TABLE f EXCEPT TABLE l)) d
$$;

CREATE FUNCTION live_checks() RETURNS TABLE (as_of date, result text) LANGUAGE sql AS $$
    SELECT d::date, live_check(d::date)
      FROM unnest(ARRAY[DATE '2025-02-01', '2025-03-31', '2025-04-01', '2025-05-15', '2025-09-30']) d
$$;

-- Invoices in two currencies, a credit note, then settlements: partial
-- payments, a discount, a write-off, and an overpayment (a credit balance).
INSERT INTO live_inv VALUES
    ('I-2', 'ACME',   '2025-03-31', 500.00, 'EUR'),
    ('I-3', 'ACME',   '2025-01-15', 250.00, 'EUR'),
    ('I-4', 'BOREAL', '2024-12-01', 800.00, 'USD'),
    ('I-5', 'BOREAL', '2025-04-30', 120.50, 'USD'),
    ('CN-1', 'ACME',  '2025-03-15', -100.00, 'EUR'),
    ('I-6', 'CORVUS', '2025-02-28', 300.00, 'EUR');
SELECT * FROM o2c.live_aging(DATE '2025-03-31', 'reg');
INSERT INTO live_pay (invoice_id, amount, kind) VALUES
    ('I-1', 400.00, 'payment'), ('I-1', 20.00, 'discount'),
    ('I-3', 250.00, 'payment'),
    ('I-4', 50.00, 'write_off'), ('I-4', 700.00, 'payment'),
    ('I-6', 350.00, 'payment');
SELECT * FROM o2c.live_aging(DATE '2025-03-31', 'reg');
SELECT * FROM live_checks();

-- Updates of amount, due date, customer and currency; other columns only.
UPDATE live_inv SET amount = 550.00 WHERE invoice_id = 'I-2';
UPDATE live_inv SET due_date = '2025-01-31' WHERE invoice_id = 'I-5';
UPDATE live_inv SET customer_id = 'CORVUS' WHERE invoice_id = 'I-1';
UPDATE live_inv SET currency = 'EUR' WHERE invoice_id = 'I-4';
UPDATE live_inv SET note = 'seen';
SELECT * FROM live_checks();
-- A reversed payment, a moved settlement, and an invoice paid off exactly.
DELETE FROM live_pay WHERE invoice_id = 'I-4' AND kind = 'write_off';
UPDATE live_pay SET invoice_id = 'I-2' WHERE invoice_id = 'I-6';
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-5', 120.50);
SELECT * FROM o2c.live_aging(DATE '2025-03-31', 'reg');
SELECT * FROM live_checks();
-- MERGE and COPY.
MERGE INTO live_inv t USING (VALUES ('I-7', 'DELTA', DATE '2025-03-20', 75.00, 'EUR'),
                                    ('I-2', 'ACME', DATE '2025-03-31', 560.00, 'EUR')) s(id, c, d, a, k)
    ON t.invoice_id = s.id
    WHEN MATCHED THEN UPDATE SET amount = s.a
    WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.c, s.d, s.a, s.k);
COPY live_inv (invoice_id, customer_id, due_date, amount, currency) FROM STDIN;
I-8	DELTA	2025-02-10	10.10	EUR
I-9	DELTA	2025-06-30	20.20	EUR
\.
DELETE FROM live_inv WHERE invoice_id = 'I-9';
SELECT * FROM live_checks();
SELECT count(*) > 0 AS pending, live_balance_check() AS differences FROM o2c.ledger_delta WHERE ledger = 'reg';

-- The daily roll: day by day across the edges, then a long gap.
CALL o2c.ledger_roll('reg', DATE '2025-04-01');
SELECT as_of FROM o2c.ledger_state WHERE ledger = 'reg';
SELECT live_check(DATE '2025-04-01');
CALL o2c.ledger_roll('reg', DATE '2025-05-02');
SELECT live_check(DATE '2025-05-02');
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-7', 25.00);
SELECT live_check(DATE '2025-05-02');
CALL o2c.ledger_roll('reg', DATE '2025-07-15');
SELECT live_check(DATE '2025-07-15');
SELECT * FROM o2c.live_aging(DATE '2025-07-15', 'reg');
-- The roll leaves no pending deltas and no empty balances.
SELECT count(*) AS pending FROM o2c.ledger_delta WHERE ledger = 'reg';
SELECT count(*) AS empty FROM o2c.ledger_balance WHERE ledger = 'reg' AND items = 0;
SELECT live_balance_check() AS differences;
-- The ladder, counting invoices.
SELECT * FROM o2c.live_aging(DATE '2025-07-15', 'reg', '{0,30,90}');
SELECT (o2c.aging(open, due_date, DATE '2025-07-15', '{0,30,90}')).counts
  FROM (SELECT i.*, i.amount - COALESCE((SELECT sum(amount) FROM live_pay p WHERE p.invoice_id = i.invoice_id), 0) AS open
          FROM live_inv i) i WHERE open <> 0 AND customer_id = 'ACME';
-- The rebuild gives the same state.
CREATE TEMP TABLE live_before AS SELECT * FROM o2c.ledger_aging WHERE ledger = 'reg';
SELECT o2c.ledger_rebuild('reg');
SELECT count(*) AS differences FROM (
    (SELECT * FROM live_before EXCEPT SELECT * FROM o2c.ledger_aging WHERE ledger = 'reg')
    UNION ALL (SELECT * FROM o2c.ledger_aging WHERE ledger = 'reg' EXCEPT SELECT * FROM live_before)) d;

-- TRUNCATE of the settlements: every invoice open for its amount.
TRUNCATE live_pay;
SELECT live_check(DATE '2025-07-15'), live_check(DATE '2025-03-01');

-- Errors, each naming what is wrong.
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-404', 1.00);
INSERT INTO live_pay (invoice_id, amount) VALUES (NULL, 1.00);
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-2', NULL);
INSERT INTO live_inv VALUES ('I-10', NULL, '2025-03-01', 1.00, 'EUR');
INSERT INTO live_inv VALUES ('I-10', 'X', NULL, 1.00, 'EUR');
INSERT INTO live_inv VALUES ('I-10', 'X', 'infinity', 1.00, 'EUR');
INSERT INTO live_inv VALUES ('I-10', 'X', '2025-03-01', 1.00, NULL);
INSERT INTO live_inv VALUES ('I-10', 'X', '2025-03-01', 'NaN', 'EUR');
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-2', 'NaN');
UPDATE live_inv SET amount = 'NaN' WHERE invoice_id = 'I-2';
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-2', 10.00);
DELETE FROM live_inv WHERE invoice_id = 'I-2';
UPDATE live_inv SET invoice_id = 'I-2b' WHERE invoice_id = 'I-2';
TRUNCATE live_inv;
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO live_pay (invoice_id, amount) VALUES ('I-2', 1.00);
ROLLBACK;
SELECT * FROM o2c.live_aging(DATE '2025-07-15', 'nope');
CALL o2c.ledger_roll('reg', DATE '2025-07-01');
CALL o2c.ledger_roll('nope');
SELECT * FROM o2c.live_aging(DATE '2025-07-15', 'reg', '{30,0}');
SELECT * FROM o2c.live_aging('infinity', 'reg');
SELECT o2c.ledger_rebuild('nope');
SELECT live_check(DATE '2025-07-15');
-- Deleting the settlements first, then the invoices, and TRUNCATE of both.
DELETE FROM live_pay WHERE invoice_id = 'I-2';
DELETE FROM live_inv WHERE invoice_id = 'I-2';
SELECT live_check(DATE '2025-07-15');
TRUNCATE live_inv, live_pay;
SELECT count(*) FROM o2c.ledger_balance WHERE ledger = 'reg';
SELECT * FROM o2c.live_aging(DATE '2025-07-15', 'reg');

-- Misconfigured triggers fail at their first firing, naming the argument.
CREATE TABLE live_bad (id text PRIMARY KEY, cust text, due date, total numeric, cur text, n int);
CREATE TABLE live_bad_pay (invoice_id text, amount numeric);
CREATE INDEX ON live_bad_pay (invoice_id);
CREATE FUNCTION live_try(args text[], ddl text DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER t AFTER INSERT ON live_bad REFERENCING NEW TABLE AS n FOR EACH STATEMENT '
                   'EXECUTE FUNCTION o2c.ledger_track(%s)',
                   (SELECT string_agg(quote_literal(a), ', ') FROM unnest(args) a));
    INSERT INTO live_bad VALUES ('B-1', 'C', '2025-01-01', 1, 'EUR', 1);
    RAISE EXCEPTION 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT live_try('{ledger=bad}');
SELECT live_try('{role=payments,ledger=bad}');
SELECT live_try('{role=invoices,ledger=bad,colour=red}');
SELECT live_try('{role=invoices,ledger=bad,junk}');
SELECT live_try('{role=invoices,ledger=bad}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=id,customer_id=cust,due_date=due,amount=total,currency=nope}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=id,customer_id=cust,due_date=cust,amount=total,currency=cur}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=id,customer_id=cust,due_date=due,amount=cur,currency=cur}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=id,customer_id=cust,due_date=due,amount=total,currency=n}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=id,customer_id=cust,due_date=due,amount=total,currency=cur,invoices=live_inv}');
SELECT live_try('{role=invoices,ledger=bad,invoice_id=cust,customer_id=cust,due_date=due,amount=total,currency=cur}');
CREATE TRIGGER t AFTER INSERT ON live_bad_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad2');
INSERT INTO live_bad_pay VALUES ('B-1', 1);
DROP TRIGGER t ON live_bad_pay;
CREATE TRIGGER t AFTER INSERT ON live_bad_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad2', 'invoices=no_such_table');
INSERT INTO live_bad_pay VALUES ('B-1', 1);
DROP TRIGGER t ON live_bad_pay;
CREATE TRIGGER t AFTER INSERT ON live_bad_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad2', 'invoices=live_bad', 'customer_id=x');
INSERT INTO live_bad_pay VALUES ('B-1', 1);
DROP TRIGGER t ON live_bad_pay;
CREATE TRIGGER t AFTER INSERT ON live_bad_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bad2', 'invoices=live_bad');
INSERT INTO live_bad_pay VALUES ('B-1', 1);
DROP TRIGGER t ON live_bad_pay;
-- Wrong trigger forms.
CREATE TRIGGER t BEFORE INSERT ON live_bad FOR EACH ROW EXECUTE FUNCTION o2c.ledger_track('role=invoices');
INSERT INTO live_bad VALUES ('B-2', 'C', '2025-01-01', 1, 'EUR', 1);
DROP TRIGGER t ON live_bad;
CREATE TRIGGER t AFTER INSERT ON live_bad FOR EACH STATEMENT EXECUTE FUNCTION o2c.ledger_track('role=invoices');
INSERT INTO live_bad VALUES ('B-2', 'C', '2025-01-01', 1, 'EUR', 1);
DROP TRIGGER t ON live_bad;
SELECT o2c.ledger_track();
-- Two invoices tables in one ledger.
CREATE TRIGGER t AFTER INSERT ON live_bad REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=reg', 'customer_id=cust', 'due_date=due',
                                      'amount=total', 'currency=cur', 'invoice_id=id');
INSERT INTO live_bad VALUES ('B-3', 'C', '2025-01-01', 1, 'EUR', 1);
DROP TRIGGER t ON live_bad;

-- ledger_attach: the triggers of both tables (identifiers quoted), then a rebuild.
CREATE TABLE "Live Bills" (bill_no text PRIMARY KEY, client text, due date, gross numeric(12,2), cur text);
CREATE TABLE "Live Receipts" (bill text, paid numeric(12,2));
CREATE INDEX ON "Live Receipts" (bill);
INSERT INTO "Live Bills" VALUES ('B-1', 'ACME', '2025-06-01', 300.00, 'EUR'), ('B-2', 'ACME', '2025-07-10', 80.00, 'EUR');
INSERT INTO "Live Receipts" VALUES ('B-1', 100.00);
SELECT o2c.ledger_attach('bills ledger', '"Live Bills"', '"Live Receipts"',
    '{"invoice_id": "bill_no", "customer_id": "client", "due_date": "due", "amount": "gross", "currency": "cur",
      "settlements.invoice_id": "bill", "settlements.amount": "paid"}');
SELECT tgname FROM pg_trigger WHERE tgrelid = '"Live Receipts"'::regclass ORDER BY tgname;
INSERT INTO "Live Receipts" VALUES ('B-2', 80.00);
SELECT customer_id, current, d1_30, d31_60, total, items FROM o2c.live_aging(current_date, 'bills ledger');
SELECT customer_id, current, d1_30, d31_60, total, items FROM o2c.live_aging(DATE '2025-07-15', 'bills ledger');
SELECT o2c.ledger_attach('x', 'live_bad', NULL, '{"colour": "red"}');
SELECT o2c.ledger_attach('x', 'live_bad', NULL, '{"amount": 1}');
SELECT o2c.ledger_attach('x', 'live_bad', NULL, '[]');
SELECT o2c.ledger_attach('', 'live_bad');

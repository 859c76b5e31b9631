-- pgTAP: invoice_guard and order_guard in their statement form on
-- partitioned tables, their UPDATE triggers declared with an old and a new
-- transition table. A MERGE that inserts a clean row before it updates
-- others into breaking a rule must fail: rejected by the guard, or refused
-- where PostgreSQL hands triggers wrong new rows for it (18.6 does). Never
-- stored.
BEGIN;
SELECT plan(8);
SET LOCAL client_min_messages = warning;
-- Nested loops: each MERGE reads its source in order, so its first row (a
-- new one) is inserted before the others are updated.
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;

-- The SQLSTATE a statement fails with, or 'applied'.
CREATE FUNCTION pg_temp.outcome(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'applied';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

-- invoice_guard: balances may not exceed totals.
CREATE TABLE p_bills (bill_no text PRIMARY KEY, client text, issued_on date, due date,
                      total numeric(12,2), balance numeric(12,2), cur text)
    PARTITION BY HASH (bill_no);
CREATE TABLE p_bills_0 PARTITION OF p_bills FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE p_bills_1 PARTITION OF p_bills FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TRIGGER p_guard AFTER INSERT ON p_bills REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'open_amount=balance', 'currency=cur');
CREATE TRIGGER p_guard_upd AFTER UPDATE ON p_bills REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'open_amount=balance', 'currency=cur');
INSERT INTO p_bills SELECT 'B-' || g, 'C1', '2024-01-01', '2024-01-31', 10, 10, 'EUR' FROM generate_series(1, 40) g;
SELECT is((SELECT count(DISTINCT tableoid) FROM p_bills), 2::bigint, 'the bills are in both partitions');

SELECT is(pg_temp.outcome($$UPDATE p_bills SET balance = 99 WHERE bill_no = 'B-3'$$), '23514',
          'invoice_guard: an UPDATE breaking a rule is rejected');
SELECT ok(pg_temp.outcome($m$
    MERGE INTO p_bills b
    USING (SELECT 'N-1' AS no UNION ALL SELECT 'B-' || g FROM generate_series(1, 40) g) s ON b.bill_no = s.no
     WHEN MATCHED THEN UPDATE SET balance = 99
     WHEN NOT MATCHED THEN INSERT VALUES (s.no, 'C1', '2024-01-01', '2024-01-31', 10, 10, 'EUR')$m$) IN ('23514', '0A000'),
    'invoice_guard: a MERGE inserting a clean row, then breaking rows, is rejected or refused');
SELECT is((SELECT count(*) FROM p_bills WHERE balance > total), 0::bigint, 'and no broken row is stored');

-- order_guard, reject mode: a customer's orders may not pass its limit.
CREATE TABLE p_orders (order_id int PRIMARY KEY, customer_id text NOT NULL, amount numeric(12,2) NOT NULL,
                       currency text NOT NULL)
    PARTITION BY HASH (order_id);
CREATE TABLE p_orders_0 PARTITION OF p_orders FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE p_orders_1 PARTITION OF p_orders FOR VALUES WITH (MODULUS 2, REMAINDER 1);
DELETE FROM o2c.credit_source;
INSERT INTO o2c.credit_source (source, query) VALUES
    ('orders', 'SELECT order_id, customer_id, currency, amount FROM p_orders');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('P1', 'EUR', 1000, '2020-01-01');
CREATE TRIGGER p_oguard AFTER INSERT ON p_orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('mode=reject');
CREATE TRIGGER p_oguard_upd AFTER UPDATE ON p_orders REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('mode=reject');
INSERT INTO p_orders SELECT g, 'P1', 10, 'EUR' FROM generate_series(1, 20) g;
SELECT is((SELECT sum(amount) FROM p_orders), 200.00::numeric, 'twenty orders within the limit pass');

SELECT is(pg_temp.outcome($$UPDATE p_orders SET amount = 100$$), '23514',
          'order_guard: an UPDATE taking the customer over its limit is rejected');
SELECT ok(pg_temp.outcome($m$
    MERGE INTO p_orders o
    USING (SELECT 21 AS id UNION ALL SELECT g FROM generate_series(1, 20) g) s ON o.order_id = s.id
     WHEN MATCHED THEN UPDATE SET amount = 100
     WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'P1', 10, 'EUR')$m$) IN ('23514', '0A000'),
    'order_guard: a MERGE inserting an order, then raising others over the limit, is rejected or refused');
SELECT is((SELECT sum(amount) FROM p_orders), 200.00::numeric, 'and the orders stay as they were');

SELECT * FROM finish();
ROLLBACK;

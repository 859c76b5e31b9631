-- Credit limits, exposure and the order hold: a customer's exposure from the
-- registered sources, credit checks and their reasons, an order held and
-- released, two orders written at once of which exactly one is held, and a
-- suggested limit with its reasons. In a database of its own: its holds and
-- limits do not shift the ids the other tests show.
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_credit_test;
CREATE DATABASE o2c_credit_test;
\c o2c_credit_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;

-- The book: open invoices, the orders table, deliveries not yet invoiced.
-- Dates are relative to today, as the trigger checks on the current date.
CREATE TABLE cr_invoices (invoice_id text, customer_id text, currency text,
                          open_amount numeric(12,2), due_date date);
INSERT INTO cr_invoices VALUES
    ('I-1', 'ACME',   'EUR', 3000.00, current_date + 10),
    ('I-2', 'ACME',   'USD', 1100.00, current_date - 5),
    ('I-3', 'BOREAL', 'EUR',  500.00, current_date - 75),
    ('I-4', 'CASTOR', 'EUR',  200.00, current_date + 30);
CREATE TABLE cr_orders (order_no text PRIMARY KEY, client text NOT NULL, total numeric(12,2) NOT NULL,
                        cur text NOT NULL, on_hold boolean NOT NULL DEFAULT false);
CREATE TABLE cr_deliveries (customer_id text, currency text, amount numeric(12,2));
INSERT INTO cr_deliveries VALUES ('ACME', 'EUR', 400.00);
INSERT INTO o2c.fx_rate VALUES ('EUR', 'USD', '2020-01-01', 1.10);

-- The sources, registered once; the orders query leaves held orders out.
INSERT INTO o2c.credit_source (source, query) VALUES
    ('receivables', 'SELECT invoice_id, customer_id, currency, open_amount, due_date FROM cr_invoices'),
    ('orders', 'SELECT order_no AS order_id, client AS customer_id, cur AS currency, total AS amount
                  FROM cr_orders WHERE NOT on_hold'),
    ('delivered', 'SELECT customer_id, currency, amount FROM cr_deliveries;');
SELECT source, query FROM o2c.credit_source WHERE source = 'delivered';
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from, valid_to, note) VALUES
    ('ACME',   'EUR', 10000, '2020-01-01', NULL, 'annual review'),
    ('BOREAL', 'EUR',  5000, '2020-01-01', NULL, NULL),
    ('DELTA',  'EUR',  5000, '2020-01-01', NULL, NULL),
    ('ELDER',  'EUR',  1000, '2020-01-01', '2020-12-31', 'expired');

-- ACME: 3000 EUR + 1100 USD (1000 EUR) + 400 EUR delivered.
SELECT * FROM o2c.credit_exposure('ACME', 'EUR');
SELECT * FROM o2c.credit_exposure('ACME', 'USD');
-- 5000 fits (headroom 600 left), 6000 does not; 5500 USD is 5000 EUR.
SELECT * FROM o2c.credit_check('ACME', 5000, 'EUR');
SELECT * FROM o2c.credit_check('ACME', 6000, 'EUR');
SELECT * FROM o2c.credit_check('ACME', 5500, 'USD');
-- BOREAL has an invoice 75 days overdue (the policy's default is 60).
SELECT * FROM o2c.credit_check('BOREAL', 100, 'EUR');
-- CASTOR has no limit: allowed by default, blocked when the policy says so.
SELECT * FROM o2c.credit_check('CASTOR', 100, 'EUR');
INSERT INTO o2c.credit_policy (no_limit) VALUES ('block');
SELECT * FROM o2c.credit_check('CASTOR', 100, 'EUR');
SELECT * FROM o2c.credit_check('ELDER', 100, 'EUR');
SELECT * FROM o2c.credit_check('ELDER', 100, 'EUR', '2020-06-01');

-- An order held and released (row form).
CREATE TRIGGER cr_guard BEFORE INSERT OR UPDATE ON cr_orders FOR EACH ROW
    EXECUTE FUNCTION o2c.order_guard('order_id=order_no', 'customer_id=client', 'amount=total',
                                     'currency=cur', 'hold=on_hold');
INSERT INTO cr_orders VALUES ('SO-1', 'ACME', 4000.00, 'EUR');
INSERT INTO cr_orders VALUES ('SO-2', 'ACME', 2000.00, 'EUR');
SELECT * FROM cr_orders ORDER BY order_no;
SELECT id, days_waiting, source, order_id, customer_id, amount, exposure, credit_limit, reasons
  FROM o2c.credit_hold_waiting;
SELECT id, status, decided_by, note FROM o2c.release_hold(1, 'credit.manager', 'paid I-2 by phone');
SELECT * FROM cr_orders ORDER BY order_no;
SELECT count(*) AS waiting FROM o2c.credit_hold_waiting;
-- A released order is not held again when it changes within the amount released.
UPDATE cr_orders SET total = 1900.00 WHERE order_no = 'SO-2';
SELECT * FROM cr_orders ORDER BY order_no;

-- Two orders of DELTA (limit 5000) written at once by two sessions: B waits
-- for A's lock on the customer, then sees A's order, and is held.
CREATE EXTENSION dblink;
SELECT format('dbname=%s host=%s port=%s', current_database(),
              split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')) AS conn \gset
SELECT dblink_connect('a', :'conn'), dblink_connect('b', :'conn');
SELECT dblink_exec('a', 'BEGIN');
SELECT dblink_exec('a', $$INSERT INTO cr_orders VALUES ('SO-10', 'DELTA', 3000.00, 'EUR')$$);
SELECT dblink_send_query('b', $$INSERT INTO cr_orders VALUES ('SO-11', 'DELTA', 3000.00, 'EUR')$$);
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('b') AS b_waits;
SELECT dblink_exec('a', 'COMMIT');
SELECT * FROM dblink_get_result('b') AS t(status text);
SELECT * FROM cr_orders WHERE client = 'DELTA' ORDER BY order_no;
SELECT order_id, exposure, credit_limit, reasons FROM o2c.credit_hold WHERE customer_id = 'DELTA';
SELECT dblink_disconnect('a'), dblink_disconnect('b');
DROP EXTENSION dblink;

-- A suggested limit from a year of history: two months of average
-- purchases, scaled down for days beyond terms.
CREATE TABLE cr_history (invoice_id text, customer_id text, invoice_date date, due_date date,
                         amount numeric(12,2), currency text, paid_on date);
INSERT INTO cr_history
SELECT 'H-A' || m, 'ACME', d, d + 30, 1000.00, 'EUR', d + 33
  FROM generate_series(1, 12) m, LATERAL (SELECT DATE '2025-06-15' + (m || ' months')::interval) x(ts),
       LATERAL (SELECT x.ts::date) y(d);
INSERT INTO cr_history
SELECT 'H-B' || m, 'BOREAL', d, d + 30, 3000.00, 'EUR', d + 50
  FROM generate_series(1, 12, 2) m, LATERAL (SELECT (DATE '2025-06-15' + (m || ' months')::interval)::date) y(d);
SELECT customer_id, currency, credit_limit, array_to_string(reasons, E'\n') AS reasons
  FROM o2c.suggest_credit_limit(
    $$SELECT customer_id, 'EUR' AS currency FROM (VALUES ('ACME'), ('BOREAL'), ('NEWCO')) v(customer_id)$$,
    'SELECT * FROM cr_history', '2026-06-30');
-- Suggestions sit beside the manual limits and change no check; run again
-- on the same day, they replace the day's suggestions.
SELECT count(*) AS suggestions FROM o2c.suggest_credit_limit(
    $$SELECT 'ACME' AS customer_id, 'EUR' AS currency$$, 'SELECT * FROM cr_history', '2026-06-30');
SELECT customer_id, credit_limit, source, valid_from FROM o2c.credit_limit
 WHERE source = 'suggested' ORDER BY customer_id;
SELECT credit_limit FROM o2c.credit_check('ACME', 0, 'EUR');

-- Errors.
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('ACME', 'EUR', 20000, '2026-01-01');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('ACME', 'EURO', 20000, '2026-01-01');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('ACME', 'USD', -5, '2026-01-01');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from, valid_to) VALUES ('ZED', 'EUR', 1, '2026-01-01', '2025-01-01');
INSERT INTO o2c.credit_source (source, query) VALUES ('shipments', 'SELECT 1');
UPDATE o2c.credit_source SET query = 'SELECT customer_id, currency FROM cr_deliveries' WHERE source = 'delivered';
UPDATE o2c.credit_source SET query = 'SELECT customer_id, currency, amount::text AS amount FROM cr_deliveries' WHERE source = 'delivered';
SELECT * FROM o2c.credit_check('ACME', -1, 'EUR');
SELECT * FROM o2c.credit_check('ACME', 1, 'EURO');
SELECT * FROM o2c.credit_check(' ', 1, 'EUR');
SELECT * FROM o2c.credit_check('ACME', 1, 'GBP', '2026-06-01');
SELECT * FROM o2c.credit_exposure('ACME', 'EUR', 'infinity');
SELECT o2c.release_hold(1, 'credit.manager', NULL);
SELECT o2c.release_hold(999, 'credit.manager', NULL);
-- CASTOR has no limit and the policy now blocks that: its order is held.
INSERT INTO cr_orders VALUES ('SO-20', 'CASTOR', 10.00, 'EUR');
SELECT order_no, on_hold FROM cr_orders WHERE order_no = 'SO-20';

\c :regress_db
DROP DATABASE o2c_credit_test;

-- pgTAP: credit checks and order_guard — every reason code, every mode of
-- the trigger in both forms, COPY into guarded tables, updates, currencies,
-- privileges, and every error path.
BEGIN;
SELECT plan(82);
SET LOCAL client_min_messages = warning;

CREATE TABLE t_inv (invoice_id text, customer_id text, invoice_date date, due_date date,
                    amount numeric(12,2), open_amount numeric(12,2), currency text);
INSERT INTO t_inv VALUES
    ('I-1', 'OK',    '2024-06-01', '2024-07-01', 1000, 1000, 'EUR'),
    ('I-2', 'LATE',  '2024-03-01', '2024-04-01',  500,  500, 'EUR'),
    ('I-3', 'PROM',  '2024-06-01', '2024-07-01',  100,  100, 'EUR');
CREATE TABLE t_orders (order_id text PRIMARY KEY, customer_id text, amount numeric(12,2),
                       currency text, on_hold boolean NOT NULL DEFAULT false, note text);
INSERT INTO o2c.fx_rate VALUES ('EUR', 'USD', '2020-01-01', 1.25);
INSERT INTO o2c.credit_source (source, query) VALUES
    ('receivables', 'SELECT * FROM t_inv'),
    ('orders', 'SELECT order_id, customer_id, currency, amount FROM t_orders WHERE NOT on_hold');
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from)
SELECT c, 'EUR', 5000, '2020-01-01' FROM unnest('{OK,LATE,PROM,C1,C2,C3}'::text[]) c;
INSERT INTO o2c.promise (customer_id, currency, amount, promised_on, due_on, status, decided_on)
VALUES ('PROM', 'EUR', 100, '2024-06-01', '2024-06-10', 'broken', '2024-06-13');

-- Reason codes.
SELECT is((SELECT (ok, reasons) FROM o2c.credit_check('OK', 4000, 'EUR', '2024-06-30')),
          (true, '{}'::text[]), 'within the limit: ok, no reasons');
SELECT is((SELECT (ok, reasons, headroom) FROM o2c.credit_check('OK', 4500, 'EUR', '2024-06-30')),
          (false, '{over_limit}'::text[], -500.00::numeric), 'over_limit, and the headroom says by how much');
SELECT is((SELECT reasons FROM o2c.credit_check('LATE', 1, 'EUR', '2024-06-30')), '{overdue}',
          'overdue: an open item more than 60 days past due');
SELECT is((SELECT reasons FROM o2c.credit_check('LATE', 1, 'EUR', '2024-05-30')), '{}',
          'not overdue at 59 days');
SELECT is((SELECT reasons FROM o2c.credit_check('PROM', 1, 'EUR', '2024-06-30')), '{broken_promise}',
          'broken_promise: a promise broken within 90 days');
SELECT is((SELECT reasons FROM o2c.credit_check('PROM', 1, 'EUR', '2024-12-30')), '{overdue}',
          'a promise broken longer ago than the policy''s days no longer counts');
SELECT is((SELECT (ok, credit_limit) FROM o2c.credit_check('NOBODY', 1, 'EUR', '2024-06-30')),
          (true, NULL::numeric), 'no limit on file: allowed by default');
INSERT INTO o2c.credit_policy (no_limit, overdue_days, broken_promise_days) VALUES ('block', NULL, NULL);
SELECT is((SELECT reasons FROM o2c.credit_check('NOBODY', 1, 'EUR', '2024-06-30')), '{no_limit}',
          'no_limit when the policy blocks customers without a limit');
SELECT is((SELECT reasons FROM o2c.credit_check('LATE', 1, 'EUR', '2024-06-30')), '{}',
          'overdue_days NULL turns the overdue reason off');
SELECT is((SELECT reasons FROM o2c.credit_check('PROM', 1, 'EUR', '2024-06-30')), '{}',
          'broken_promise_days NULL turns the broken promise reason off');
UPDATE o2c.credit_policy SET overdue_days = 30, broken_promise_days = 90;
SELECT is((SELECT reasons FROM o2c.credit_check('LATE', 9000, 'EUR', '2024-06-30')), '{over_limit,overdue}',
          'several reasons at once, over_limit first');
-- risk_grade: a model trained on a generated book, the floor at A grades everyone.
CREATE TABLE gen AS
SELECT 'INV-' || lpad((c * 100 + i)::text, 5, '0') AS invoice_id, 'G' || c AS customer_id,
       DATE '2023-01-02' + i * 12 AS invoice_date, DATE '2023-01-02' + i * 12 + 30 AS due_date,
       100::numeric AS amount, 100::numeric AS open_amount, 'EUR' AS currency,
       DATE '2023-01-02' + i * 12 + 30 + CASE WHEN c % 2 = 0 THEN 0 ELSE 20 + i % 7 END AS paid_on
FROM generate_series(1, 20) c, generate_series(0, 29) i;
CALL o2c.train_risk_model('credit_gen', 'SELECT * FROM gen', '2023-11-30');
UPDATE o2c.credit_source SET query = 'SELECT * FROM t_inv UNION ALL SELECT invoice_id, customer_id, invoice_date, due_date, amount, open_amount, currency FROM gen WHERE paid_on > DATE ''2023-12-01'''
 WHERE source = 'receivables';
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from) VALUES ('G1', 'EUR', 1e6, '2020-01-01'), ('G2', 'EUR', 1e6, '2020-01-01');
UPDATE o2c.credit_policy SET risk_model = 'credit_gen', risk_history_sql = 'SELECT * FROM gen', risk_grade_floor = 'A', overdue_days = NULL;
SELECT is((SELECT reasons FROM o2c.credit_check('G1', 1, 'EUR', '2023-12-01')), '{risk_grade}',
          'risk_grade: the worst open invoice grades at or below the floor');
SELECT ok((SELECT risk_grade FROM o2c.credit_state('{G1}', '{EUR}', '2023-12-01', NULL, NULL, NULL, NULL, true)) IS NOT NULL,
          'the customer''s grade comes from the model''s scores of its open invoices');
UPDATE o2c.credit_policy SET risk_grade_floor = 'E';
SELECT is((SELECT reasons FROM o2c.credit_check('G2', 1, 'EUR', '2023-12-01')), '{}',
          'a customer who pays on time grades above floor E');
UPDATE o2c.credit_policy SET risk_model = NULL, risk_history_sql = NULL, no_limit = 'allow', overdue_days = 60;
UPDATE o2c.credit_source SET query = 'SELECT * FROM t_inv' WHERE source = 'receivables';
SELECT is((SELECT (exposure, limit_currency, headroom) FROM o2c.credit_check('OK', 1250, 'USD', '2024-06-30')),
          (1000.00::numeric, 'EUR'::text, 3000.00::numeric), 'an order in USD is converted into the limit''s EUR');
SELECT is((SELECT exposure FROM o2c.credit_exposure('OK', 'USD', '2024-06-30')), 1250.00::numeric,
          'credit_exposure converts into the currency asked for');

-- Row form, each mode. The trigger checks on the current date.
UPDATE t_inv SET due_date = CASE customer_id WHEN 'LATE' THEN current_date - 90 ELSE current_date + 30 END;
CREATE TRIGGER t_guard BEFORE INSERT OR UPDATE ON t_orders FOR EACH ROW
    EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-1', 'C1', 3000, 'EUR'), ('R-2', 'C1', 3000, 'EUR');
SELECT is((SELECT array_agg(on_hold ORDER BY order_id) FROM t_orders), '{f,t}',
          'row form, hold (the default with hold=): the second order of a multi-row insert is held');
SELECT is((SELECT (status, reasons, exposure, credit_limit, hold_column, order_column) FROM o2c.credit_hold WHERE order_id = 'R-2'),
          ('waiting'::text, '{over_limit}'::text[], 3000.00::numeric, 5000::numeric, 'on_hold'::text, 'order_id'::text),
          'and a waiting hold names the reason, the exposure before it and the limit');
UPDATE o2c.credit_limit SET credit_limit = 100 WHERE customer_id = 'C1';
UPDATE t_orders SET note = 'shipped' WHERE order_id = 'R-1';
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'R-1'), false,
          'an update that leaves customer, amount and currency alone is not checked again');
UPDATE t_orders SET amount = 3100 WHERE order_id = 'R-1';
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'R-1'), true,
          'an update of the amount is checked again, without the order''s own old amount');
UPDATE t_orders SET amount = 10 WHERE order_id = 'R-2';
SELECT is((SELECT count(*) FROM o2c.credit_hold WHERE order_id = 'R-2'), 1::bigint,
          'an order on hold is not checked again while it waits');
UPDATE o2c.credit_limit SET credit_limit = 5000 WHERE customer_id = 'C1';
SELECT is((SELECT (status, decided_by) FROM o2c.release_hold((SELECT id FROM o2c.credit_hold WHERE order_id = 'R-2'), 'cm', 'ok')),
          ('released'::text, 'cm'::text), 'release_hold marks the hold released');
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'R-2'), false, 'and clears the order''s hold column');
DROP TRIGGER t_guard ON t_orders;
TRUNCATE t_orders, o2c.credit_hold;
CREATE TRIGGER t_guard BEFORE INSERT ON t_orders FOR EACH ROW EXECUTE FUNCTION o2c.order_guard();
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-3', 'C2', 3000, 'EUR');
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-4', 'C2', 3000, 'EUR')$$,
    '23514', 'order "R-4" of customer "C2" fails the credit check: over_limit',
    'row form, reject (the default without hold=): 23514 naming the order, the customer and the reasons');
DROP TRIGGER t_guard ON t_orders;
CREATE TRIGGER t_guard BEFORE INSERT ON t_orders FOR EACH ROW EXECUTE FUNCTION o2c.order_guard('mode=record');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-5', 'C2', 3000, 'EUR');
SELECT is((SELECT (o.on_hold, h.status, h.hold_column) FROM t_orders o JOIN o2c.credit_hold h ON h.order_id = o.order_id WHERE o.order_id = 'R-5'),
          (false, 'recorded'::text, NULL::text), 'row form, record: the order goes in and the failed check is recorded');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-6', NULL, 3000, 'EUR');
SELECT is((SELECT count(*) FROM o2c.credit_hold WHERE order_id = 'R-6'), 0::bigint, 'an order without a customer is not checked');
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-7', 'C2', 1, NULL)$$,
    '23502', 'order_guard: an order of customer "C2" has no currency', 'an order without a currency is an error');
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('R-8', 'C2', 'NaN', 'EUR')$$,
    '22023', 'order_guard: an order of customer "C2" has amount NaN', 'row form: a NaN amount is an error');
DROP TRIGGER t_guard ON t_orders;
TRUNCATE t_orders, o2c.credit_hold;

-- Statement form, each mode.
CREATE TRIGGER t_guard AFTER INSERT ON t_orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES
    ('S-1', 'C1', 2000, 'EUR'), ('S-2', 'C1', 2000, 'EUR'), ('S-3', 'C1', 2000, 'EUR'), ('S-4', 'C1', 1000, 'EUR'),
    ('S-5', 'C3', 2500, 'USD'), ('S-6', 'C3', 2500, 'EUR');
SELECT is((SELECT array_agg(order_id ORDER BY order_id) FROM t_orders WHERE on_hold), '{S-3}',
          'statement form, hold: orders pass in statement order until the limit; the one over it is held, a later smaller one passes');
SELECT is((SELECT array_agg(order_id ORDER BY order_id) FROM o2c.credit_hold WHERE status = 'waiting'), '{S-3}',
          'and only it has a waiting hold');
SELECT is((SELECT exposure FROM o2c.credit_hold WHERE order_id = 'S-3'), 4000.00::numeric,
          'the hold''s exposure counts the statement''s earlier orders, not its own');
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'S-6'), false,
          'mixed currencies: 2500 USD (2000 EUR) and 2500 EUR fit a limit of 5000 EUR');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('S-7', 'C3', 1001, 'EUR');
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'S-7'), true,
          'the next statement sees the orders already written');
SELECT lives_ok($$COPY t_orders (order_id, customer_id, amount, currency) FROM PROGRAM 'printf "K-1\tC2\t3000\tEUR\nK-2\tC2\t1500\tEUR\nK-3\tC2\t1000\tEUR\nK-4\tOK\t10\tEUR\n"'$$,
    'COPY into a table guarded in the statement form');
SELECT is((SELECT array_agg(order_id ORDER BY order_id) FROM t_orders WHERE on_hold AND order_id LIKE 'K-%'), '{K-3}',
          'COPY: the order over the limit is held, the others pass');
-- Many customers in one COPY: 3000, a tenth of them with room for two of
-- their ten orders of 100, a fifth with no limit, the rest with room for
-- all; some rows come already on hold, some without a customer, some with
-- the currency in lower case. Exactly the low-limit customers' orders after
-- their second are held, also when the transition table spills to disk.
CREATE FUNCTION pg_temp.many_copy(p text) RETURNS text LANGUAGE sql AS $f$
    SELECT format($c$COPY t_orders (order_id, customer_id, amount, currency, on_hold) FROM PROGRAM 'awk -v p=%s ''BEGIN { for (i = 1; i <= 30000; i++) { c = i %% 3000; k = (c %% 10 == 0 ? "LOW" : c %% 10 <= 2 ? "NL" : "HI"); printf "%%s-%%d\t%%s\t100\t%%s\t%%s\n", p, i, (i %% 89 == 0 ? "\\N" : p k c), (i %% 7 == 0 ? "eur" : "EUR"), (i %% 97 == 0 ? "t" : "f") } }'''$c$, p)
$f$;
CREATE FUNCTION pg_temp.many_expected(p text) RETURNS SETOF text LANGUAGE sql AS $f$
    SELECT order_id FROM (SELECT order_id, row_number() OVER (PARTITION BY customer_id ORDER BY split_part(order_id, '-', 2)::int) AS n
                            FROM t_orders WHERE order_id LIKE p || '-%' AND customer_id LIKE p || 'LOW%'
                             AND split_part(order_id, '-', 2)::int % 97 <> 0) o
     WHERE n > 2
$f$;
INSERT INTO o2c.credit_limit (customer_id, currency, credit_limit, valid_from)
SELECT p || CASE WHEN c % 10 = 0 THEN 'LOW' ELSE 'HI' END || c, 'EUR', CASE WHEN c % 10 = 0 THEN 250 ELSE 1000000 END, '2020-01-01'
  FROM generate_series(0, 2999) c, unnest('{M,N}'::text[]) p WHERE c % 10 NOT IN (1, 2);
SELECT lives_ok(pg_temp.many_copy('M'), 'COPY of 30000 orders of 3000 customers into a table guarded in the statement form');
SELECT set_eq($$SELECT order_id FROM o2c.credit_hold WHERE order_id LIKE 'M-%' AND status = 'waiting'$$,
              $$SELECT pg_temp.many_expected('M')$$,
              'many customers: holds for exactly the low-limit customers'' orders after their second');
SELECT is((SELECT count(*) FROM pg_temp.many_expected('M')), 2337::bigint, 'many customers: 2337 such orders');
SELECT set_eq($$SELECT order_id FROM t_orders WHERE order_id LIKE 'M-%' AND on_hold$$,
              $$SELECT pg_temp.many_expected('M') UNION ALL SELECT 'M-' || i FROM generate_series(97, 30000, 97) i$$,
              'many customers: those orders are marked held, beside the rows that came on hold');
SET LOCAL work_mem = '64kB';
SELECT lives_ok(pg_temp.many_copy('N'), 'the same COPY with the transition table spilled to disk');
RESET work_mem;
SELECT set_eq($$SELECT order_id FROM t_orders WHERE order_id LIKE 'N-%' AND on_hold$$,
              $$SELECT pg_temp.many_expected('N') UNION ALL SELECT 'N-' || i FROM generate_series(97, 30000, 97) i$$,
              'spilled: the same orders are held');
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('S-NaN', 'C2', 'NaN', 'EUR')$$,
    '22023', 'order_guard: an order of customer "C2" has amount NaN', 'statement form: a NaN amount is an error');
DROP TRIGGER t_guard ON t_orders;
CREATE TRIGGER t_guard AFTER INSERT ON t_orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('mode=reject');
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('S-8', 'OK', 1000, 'EUR'), ('S-9', 'OK', 3500, 'EUR')$$,
    '23514', 'order "S-9" of customer "OK" fails the credit check: over_limit', 'statement form, reject: the first order over the limit fails');
SELECT is((SELECT count(*) FROM t_orders WHERE order_id IN ('S-8', 'S-9')), 0::bigint, 'and the whole statement is undone');
SELECT throws_ok($$COPY t_orders (order_id, customer_id, amount, currency) FROM PROGRAM 'printf "K-5\tLATE\t1\tEUR\n"'$$,
    '23514', 'order "K-5" of customer "LATE" fails the credit check: overdue', 'COPY, reject: fails naming the reason');
DROP TRIGGER t_guard ON t_orders;
CREATE TRIGGER t_guard AFTER INSERT ON t_orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('mode=record', 'hold=on_hold');
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('S-10', 'OK', 4500, 'EUR');
SELECT is((SELECT (o.on_hold, h.status, h.hold_column) FROM t_orders o JOIN o2c.credit_hold h ON h.order_id = o.order_id WHERE o.order_id = 'S-10'),
          (false, 'recorded'::text, NULL::text), 'statement form, record: the order is in, not held, the check recorded');
DROP TRIGGER t_guard ON t_orders;
CREATE TRIGGER t_guard AFTER UPDATE ON t_orders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
UPDATE t_orders SET amount = 4000 WHERE order_id = 'S-1';
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'S-1'), true,
          'statement form on UPDATE: a raised amount over the limit is held');

-- Privileges: a clerk who only reads o2c and writes orders gets holds recorded.
DROP TRIGGER t_guard ON t_orders;
CREATE TRIGGER t_guard BEFORE INSERT ON t_orders FOR EACH ROW EXECUTE FUNCTION o2c.order_guard('hold=on_hold');
CREATE ROLE credit_clerk NOLOGIN IN ROLE o2c_reader;
GRANT SELECT, INSERT, UPDATE ON t_orders, t_inv TO credit_clerk;
SET LOCAL ROLE credit_clerk;
INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('P-1', 'C3', 9000, 'EUR');
SELECT is((SELECT on_hold FROM t_orders WHERE order_id = 'P-1'), true, 'a reader writing orders: the order is held');
SELECT throws_ok($$SELECT o2c.release_hold((SELECT max(id) FROM o2c.credit_hold), 'clerk', NULL)$$,
    '42501', NULL, 'a reader cannot release holds');
RESET ROLE;
SELECT is((SELECT count(*) FROM o2c.credit_hold WHERE order_id = 'P-1' AND status = 'waiting'), 1::bigint,
          'and its hold is recorded through record_credit_hold');
-- A writer without o2c_reader is told what it lacks before its order is taken;
-- an update that needs no check (a column the check does not read) passes.
CREATE ROLE order_writer NOLOGIN;
GRANT SELECT, INSERT, UPDATE ON t_orders, t_inv TO order_writer;
SET LOCAL ROLE order_writer;
SELECT throws_ok($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('P-2', 'C3', 10, 'EUR')$$,
    '42501', 'role "order_writer" cannot check the credit of orders written to table public.t_orders',
    'a writer without o2c_reader: an error naming the role and the table');
SELECT is((SELECT count(*) FROM t_orders WHERE order_id = 'P-2'), 0::bigint, 'the order is not taken');
RESET ROLE;
CREATE FUNCTION pg_temp.writer_error(stmt text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE det text; hint text; ctx text;
BEGIN
    SET LOCAL ROLE order_writer;
    EXECUTE stmt;
    RESET ROLE;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
    RETURN ARRAY[det, hint, (position('credit_state' IN ctx) > 0)::text];
END $$;
SELECT is(pg_temp.writer_error($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('P-2', 'C3', 10, 'EUR')$$),
          ARRAY['order_guard reads the limits, the holds and the exposure (o2c.credit_state, o2c.credit_hold) with the rights of the role that writes the orders.',
                'GRANT o2c_reader TO order_writer;', 'false'],
          'its detail says what is read, its hint what to grant, its context names no query of o2c''s');
SELECT is(pg_temp.writer_error($$INSERT INTO t_orders (order_id, customer_id, amount, currency) VALUES ('P-3', NULL, 10, 'EUR')$$),
          NULL, 'an order without a customer, which is not checked, is taken');
SELECT ok(has_function_privilege('o2c_operator', 'o2c.release_hold(bigint, text, text)', 'EXECUTE')
          AND has_table_privilege('o2c_operator', 'o2c.credit_limit', 'INSERT')
          AND NOT has_table_privilege('o2c_reader', 'o2c.credit_limit', 'INSERT')
          AND has_table_privilege('o2c_reader', 'o2c.credit_hold_waiting', 'SELECT'),
          'credit managers (operators) set limits and release holds; readers read');

SELECT ok((SELECT p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql')
                  AND p.proconfig::text[] = '{"search_path=pg_catalog, pg_temp"}'::text[]
             FROM pg_proc p WHERE p.oid = 'o2c.record_credit_hold'::regproc),
          'record_credit_hold, the definer-rights function, is one SQL INSERT under a pinned search_path');

-- Errors of the trigger's arguments and forms.
CREATE TABLE t_bad (no text PRIMARY KEY, cust text, total numeric, cur text, held boolean, amount numeric, currency text, customer_id text);
CREATE FUNCTION pg_temp.try_guard(VARIADIC args text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DROP TRIGGER IF EXISTS g ON t_bad';
    EXECUTE format('CREATE TRIGGER g BEFORE INSERT ON t_bad FOR EACH ROW EXECUTE FUNCTION o2c.order_guard(%s)',
                   (SELECT string_agg(quote_literal(a), ', ') FROM unnest(args) a));
    INSERT INTO t_bad VALUES ('1', 'C', 1, 'EUR', false, 1, 'EUR', 'C');
END $$;
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'customer')$$, '22023', 'invalid order_guard argument: "customer"',
    'an argument without = is an error naming it');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'limit=5')$$, '22023', 'unknown order_guard argument: "limit=5"',
    'an unknown key is an error naming it');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'customer_id=nope')$$, '42703',
    'order_guard argument "customer_id=nope": column "nope" does not exist in table "t_bad"', 'a missing column');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'amount=cust')$$, '42804',
    'order_guard argument "amount=cust": column "cust" of table "t_bad" has type text, expected numeric or an integer type', 'a column of the wrong type');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'mode=hold')$$, '22023',
    'order_guard argument "mode=hold" needs a hold= argument', 'mode=hold without a hold column');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'mode=later')$$, '22023',
    'order_guard argument "mode=later": mode must be hold, reject or record', 'an unknown mode');
SELECT throws_ok($$SELECT pg_temp.try_guard('customer_id=cust')$$, '22023',
    'order_guard on table "t_bad" needs a order_id= argument', 'no order id column');
SELECT throws_ok($$SELECT pg_temp.try_guard('order_id=no', 'hold=cust')$$, '42804', NULL, 'a hold column that is not boolean');
SELECT lives_ok($$SELECT pg_temp.try_guard('order_id=no', 'customer_id=cust', 'amount=total', 'currency=cur', 'hold=held')$$,
    'every column mapped');
DROP TRIGGER g ON t_bad;
CREATE TRIGGER g AFTER INSERT ON t_bad FOR EACH ROW EXECUTE FUNCTION o2c.order_guard('order_id=no');
SELECT throws_ok($$INSERT INTO t_bad VALUES ('2', 'C', 1, 'EUR', false, 1, 'EUR', 'C')$$, '39P01', NULL,
    'AFTER ... FOR EACH ROW is refused');
DROP TRIGGER g ON t_bad;
CREATE TRIGGER g AFTER INSERT ON t_bad FOR EACH STATEMENT EXECUTE FUNCTION o2c.order_guard('order_id=no');
SELECT throws_ok($$INSERT INTO t_bad VALUES ('3', 'C', 1, 'EUR', false, 1, 'EUR', 'C')$$, '39P01',
    'order_guard trigger "g" fired FOR EACH STATEMENT needs a transition table', 'a statement trigger without a transition table');
DROP TRIGGER g ON t_bad;

-- Errors of the functions.
SELECT throws_ok($$SELECT * FROM o2c.credit_check('OK', 1, 'CHF', '2024-06-30')$$, 'P0002', NULL,
    'no rate for the pair: P0002 from o2c.convert');
SELECT throws_ok($$SELECT * FROM o2c.credit_check('OK', 'NaN', 'EUR')$$, '22023', NULL, 'NaN amount');
SELECT throws_ok($$SELECT * FROM o2c.credit_exposure(' ', 'EUR')$$, '22023', 'customer_id must not be blank', 'blank customer');
SELECT throws_ok($$SELECT * FROM o2c.credit_exposure('OK', 'XYZ')$$, '22023', 'unknown currency: "XYZ"', 'unknown currency');
SELECT throws_ok($$INSERT INTO o2c.credit_source (source, query) VALUES ('delivered', 'SELEKT 1')$$, '42601', NULL,
    'a source query that does not parse');
SELECT throws_ok($$INSERT INTO o2c.credit_source (source, query) VALUES ('delivered', 'DELETE FROM t_orders')$$, '22023',
    'the delivered query must be a query that returns rows', 'a source that returns no rows');
SELECT throws_ok($$SELECT o2c.release_hold(1, NULL, NULL)$$, '22004', NULL, 'release_hold needs decided_by');
SELECT throws_ok($$SELECT * FROM o2c.suggest_credit_limit('SELECT ''X'' AS customer_id, ''EURO'' AS currency', 'SELECT * FROM gen', '2024-01-01')$$,
    '22023', NULL, 'suggest_credit_limit: a bad currency from customers_sql');
SELECT throws_ok($$SELECT * FROM o2c.suggest_credit_limit('SELECT 1 AS customer_id, ''EUR'' AS currency', 'SELECT * FROM gen', 'infinity')$$,
    '22008', NULL, 'suggest_credit_limit: an infinite as_of');

-- The receivables source read from the live ledger, and from open_items.
DELETE FROM o2c.credit_source WHERE source = 'receivables';
CREATE TABLE lv_inv (invoice_id text PRIMARY KEY, customer_id text NOT NULL, due_date date NOT NULL,
                     amount numeric(12,2) NOT NULL, currency text NOT NULL);
CREATE TABLE lv_pay (invoice_id text NOT NULL, paid_on date NOT NULL DEFAULT current_date, amount numeric(12,2) NOT NULL);
CREATE INDEX ON lv_pay (invoice_id);
SELECT o2c.ledger_attach('credit_live', 'lv_inv', 'lv_pay');
INSERT INTO lv_inv VALUES ('X1', 'LIVECO', current_date - 40, 700.00, 'EUR'), ('X2', 'LIVECO', current_date + 10, 300.00, 'EUR');
INSERT INTO lv_pay (invoice_id, amount) VALUES ('X1', 200.00);
INSERT INTO o2c.credit_source (source, query) VALUES
    ('receivables', $$SELECT customer_id, currency, open_amount, due_date FROM o2c.ledger_balances('credit_live')$$);
SELECT is((SELECT row(receivables, exposure)::text FROM o2c.credit_exposure('LIVECO', 'EUR')), '(800.00,800.00)',
    'receivables from the live ledger (o2c.ledger_balances), payments included as they are written');
INSERT INTO lv_pay (invoice_id, amount) VALUES ('X2', 300.00);
SELECT is((SELECT receivables FROM o2c.credit_exposure('LIVECO', 'EUR')), 500.00,
    'a payment written in the same transaction lowers the exposure at once');
UPDATE o2c.credit_source SET query =
    $$SELECT customer_id, currency, open_amount, due_date
        FROM o2c.open_items('SELECT invoice_id, customer_id, due_date - 30 AS invoice_date, due_date, amount, currency FROM lv_inv',
                            'SELECT invoice_id, paid_on AS settled_on, amount FROM lv_pay', current_date)$$
 WHERE source = 'receivables';
SELECT is((SELECT receivables FROM o2c.credit_exposure('LIVECO', 'EUR')), 500.00,
    'receivables from the ledger''s open items as of the day equal the live ledger');

-- No receivables source: the live ledger named default, when one is tracked.
DELETE FROM o2c.credit_source WHERE source = 'receivables';
SELECT is((SELECT receivables FROM o2c.credit_exposure('LIVECO', 'EUR')), 0::numeric,
    'without a receivables source and without a default ledger: no receivables');
CREATE TABLE lv2_inv (LIKE lv_inv INCLUDING ALL);
CREATE TABLE lv2_pay (LIKE lv_pay INCLUDING ALL);
CREATE INDEX ON lv2_pay (invoice_id);
INSERT INTO lv2_inv VALUES ('Y1', 'LIVECO', current_date - 10, 450.00, 'EUR');
SELECT o2c.ledger_attach('default', 'lv2_inv', 'lv2_pay');
SELECT is((SELECT receivables FROM o2c.credit_exposure('LIVECO', 'EUR')), 450.00,
    'without a receivables source, the live ledger named default gives the receivables');
INSERT INTO lv2_pay (invoice_id, amount) VALUES ('Y1', 100.00);
SELECT is((SELECT receivables FROM o2c.credit_exposure('LIVECO', 'EUR')), 350.00,
    'and follows a payment written in the same transaction');

SELECT * FROM finish();
ROLLBACK;

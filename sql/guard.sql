-- guard: the invoice_guard trigger on a table with its own column names,
-- in both modes, with multi-row INSERT, UPDATE and COPY.
\pset null '(null)'

CREATE TABLE bills (
    bill_no    text PRIMARY KEY,
    client     text,
    issued_on  date,
    due        date,
    total      numeric(12,2),
    balance    numeric(12,2),
    cur        char(3),
    payer_iban text
);
CREATE TRIGGER bills_guard BEFORE INSERT OR UPDATE ON bills
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard(
        'customer_id=client', 'invoice_date=issued_on', 'due_date=due',
        'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban');

-- reject mode (the default): good rows go in, IBANs normalized
INSERT INTO bills VALUES
    ('B-1', 'C1', '2024-05-01', '2024-05-31', 100.00, 100.00, 'EUR', 'de89 3704 0044 0532 0130 00'),
    ('B-2', 'C2', '2024-05-02', '2024-06-01', 250.00,  50.00, 'GBP', 'GB82-WEST-1234-5698-7654-32'),
    ('B-3', 'C3', '2024-05-03', '2024-06-02',  75.50,  75.50, 'usd', NULL);
SELECT * FROM bills ORDER BY bill_no;

-- each broken rule is an error naming the rule and the row key (23514)
INSERT INTO bills VALUES ('B-4', NULL,  '2024-05-04', '2024-06-03', 10, 10, 'EUR', NULL);
INSERT INTO bills VALUES ('B-5', 'C5',  '2024-05-05', '2024-06-04', 0, 0, 'EUR', NULL);
INSERT INTO bills VALUES ('B-6', 'C6',  '2024-05-06', '2024-05-01', 10, 10, 'EUR', NULL);
INSERT INTO bills VALUES ('B-7', 'C7',  '2024-05-07', '2024-06-06', 10, 10, 'EUX', NULL);
INSERT INTO bills VALUES ('B-8', 'C8',  '2024-05-08', '2024-06-07', 10, 20, 'EUR', NULL);
INSERT INTO bills VALUES ('B-9', 'C9',  '2024-05-09', '2024-06-08', 10, -2, 'EUR', NULL);
INSERT INTO bills VALUES ('B-10', 'C10', '2999-01-01', '2999-01-31', 10, 10, 'EUR', NULL);
INSERT INTO bills VALUES ('B-11', 'C11', '2024-05-11', '2024-06-10', 10, 10, 'EUR', 'DE89 3704 0044 0532 0130 01');
-- one bad row rejects the whole multi-row insert
INSERT INTO bills VALUES
    ('B-12', 'C12', '2024-05-12', '2024-06-11', 10, 10, 'EUR', NULL),
    ('B-13', 'C13', '2024-05-13', '2024-05-12', 10, 10, 'EUR', NULL);
-- updates are checked too
UPDATE bills SET due = '2024-04-01' WHERE bill_no = 'B-1';
UPDATE bills SET payer_iban = 'no 93 8601 1117 947' WHERE bill_no = 'B-3';
SELECT bill_no, payer_iban FROM bills ORDER BY bill_no;

-- record mode: rows go in, findings go to o2c.finding
CREATE TABLE bills_log (LIKE bills);
CREATE TRIGGER bills_log_guard BEFORE INSERT OR UPDATE ON bills_log
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard(
        'invoice_id=bill_no', 'customer_id=client', 'invoice_date=issued_on', 'due_date=due',
        'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban', 'mode=record');
INSERT INTO bills_log VALUES
    ('L-1', 'C1', '2024-05-01', '2024-05-31', 100.00, 100.00, 'EUR', 'de89 3704 0044 0532 0130 00'),
    ('L-2', '',   '2024-05-02', '2024-04-01',   0.00,   5.00, 'XXY', 'DE89 3704 0044 0532 0130 01');
COPY bills_log FROM stdin;
L-3	C3	2024-05-03	2024-06-02	30.00	30.00	EUR	gb82 west 1234 5698 7654 32
L-4	C4	2024-05-04	2024-05-01	40.00	-1.00	SEK	\N
\.
SELECT * FROM bills_log ORDER BY bill_no;
SELECT source, row_key, rule, severity, detail FROM o2c.finding ORDER BY id;

-- a table without invoice_id= and without a primary key cannot be guarded
CREATE TABLE no_key (total numeric);
CREATE TRIGGER no_key_guard BEFORE INSERT ON no_key
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('amount=total');
INSERT INTO no_key VALUES (1);

-- misconfiguration is an error at the first row, naming the argument
CREATE TABLE cfg (id int PRIMARY KEY, total text, day text, payment_terms text);
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('amount=totl');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('amount=total');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('invoice_date=day');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('colour=red');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('mode=maybe');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('rules=due_before_invoice,late');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('rules=duplicate_number');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
-- terms need both dates; a calendar needs terms; terms_due_mismatch needs terms
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('terms=payment_terms');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('calendar=TARGET');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('rules=terms_due_mismatch');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
-- a terms column must be o2c.terms or text
CREATE TRIGGER cfg_guard BEFORE INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('terms=id');
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;
CREATE TRIGGER cfg_guard AFTER INSERT ON cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard();
INSERT INTO cfg VALUES (1);
DROP TRIGGER cfg_guard ON cfg;

-- payment terms: 'terms=COLUMN' fills a NULL due date from the terms and the
-- invoice date, and rejects or records a due date that differs from them
CREATE TABLE orders_due (
    order_no   text PRIMARY KEY,
    booked_on  date,
    due        date,
    total      numeric(12,2),
    pay_terms  o2c.terms
);
CREATE TRIGGER orders_due_guard BEFORE INSERT OR UPDATE ON orders_due
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard(
        'invoice_date=booked_on', 'due_date=due', 'amount=total', 'terms=pay_terms');
INSERT INTO orders_due VALUES
    ('O-1', '2024-01-31', NULL,         100, 'NET 30'),
    ('O-2', '2024-01-15', NULL,         100, 'NET 30 EOM'),
    ('O-3', '2024-02-10', NULL,         100, '2/10 NET 30'),
    ('O-4', '2024-02-10', '2024-03-11', 100, 'NET 30'),
    ('O-5', '2024-02-10', '2024-02-20', 100, NULL),
    ('O-6', NULL,         NULL,         100, 'NET 30');
SELECT * FROM orders_due ORDER BY order_no;
-- a due date that is not what the terms give is rejected (23514)
INSERT INTO orders_due VALUES ('O-7', '2024-02-10', '2024-03-15', 100, 'NET 30');
-- updates: clearing the due date fills it again; changing the terms is checked
UPDATE orders_due SET due = NULL, pay_terms = 'NET 60' WHERE order_no = 'O-1';
UPDATE orders_due SET pay_terms = 'NET 45' WHERE order_no = 'O-4';
SELECT * FROM orders_due WHERE order_no IN ('O-1', 'O-4') ORDER BY order_no;
-- an infinite invoice date cannot give a due date
INSERT INTO orders_due VALUES ('O-8', 'infinity', NULL, 100, 'NET 30');

-- terms held as text are parsed per row; text that is not terms is 22P02
CREATE TABLE orders_txt (
    order_no   text PRIMARY KEY,
    invoice_date date,
    due_date   date,
    pay_terms  text
);
CREATE TRIGGER orders_txt_guard BEFORE INSERT ON orders_txt
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('terms=pay_terms', 'mode=record');
DELETE FROM o2c.finding;
COPY orders_txt FROM stdin;
T-1	2024-03-01	\N	net 15
T-2	2024-03-01	2024-03-31	Net 30
T-3	2024-03-01	2024-04-01	NET 30
T-4	2024-03-01	\N	50% NET 30; 50% NET 60
\.
SELECT * FROM orders_txt ORDER BY order_no;
SELECT source, row_key, rule, severity, detail FROM o2c.finding ORDER BY row_key;
-- text that is not terms: record mode keeps the row (due date NULL) and records invalid_terms
INSERT INTO orders_txt VALUES ('T-5', '2024-03-01', NULL, 'whenever');
SELECT order_no, due_date FROM orders_txt WHERE order_no = 'T-5';
SELECT row_key, rule, severity, detail FROM o2c.finding WHERE row_key = 'T-5';
-- and reject mode rejects the row under that rule
CREATE TABLE orders_txt_strict (LIKE orders_txt);
CREATE TRIGGER orders_txt_strict_guard BEFORE INSERT ON orders_txt_strict
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('invoice_id=order_no', 'terms=pay_terms');
INSERT INTO orders_txt_strict VALUES ('T-6', '2024-03-01', NULL, '30 days net');
DROP TABLE orders_txt_strict;

-- calendar=NAME: due dates move by the calendar's own default convention
INSERT INTO o2c.calendar (name, weekend, convention) VALUES
    ('guard_fwd', '{6,7}', 'following'),
    ('guard_prev', '{6,7}', 'preceding');
INSERT INTO o2c.holiday (calendar, day, name) VALUES
    ('guard_fwd', '2024-04-01', 'Easter Monday'),
    ('guard_prev', '2024-04-01', 'Easter Monday');
CREATE TABLE orders_cal (LIKE orders_txt);
CREATE TRIGGER orders_cal_guard BEFORE INSERT ON orders_cal
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('invoice_id=order_no', 'terms=pay_terms', 'calendar=guard_fwd');
-- 2024-03-01 + 30 days is Sunday 2024-03-31; Monday is a holiday: Tuesday
INSERT INTO orders_cal VALUES ('K-1', '2024-03-01', NULL, 'NET 30');
-- the unadjusted date is a mismatch under this calendar
INSERT INTO orders_cal VALUES ('K-2', '2024-03-01', '2024-03-31', 'NET 30');
CREATE TABLE orders_prev (LIKE orders_txt);
CREATE TRIGGER orders_prev_guard BEFORE INSERT ON orders_prev
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('invoice_id=order_no', 'terms=pay_terms', 'calendar=guard_prev');
INSERT INTO orders_prev VALUES ('P-1', '2024-03-01', NULL, 'NET 30');
SELECT 'orders_cal' AS t, * FROM orders_cal UNION ALL SELECT 'orders_prev', * FROM orders_prev ORDER BY 2;
-- the same dates as o2c.due_date with that calendar
SELECT o2c.due_date('NET 30', '2024-03-01', 'guard_fwd') AS fwd, o2c.due_date('NET 30', '2024-03-01', 'guard_prev') AS prev;
-- an unknown calendar is an error at the first row, naming it
CREATE TABLE orders_nocal (LIKE orders_txt);
CREATE TRIGGER orders_nocal_guard BEFORE INSERT ON orders_nocal
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('invoice_id=order_no', 'terms=pay_terms', 'calendar=Atlantis');
INSERT INTO orders_nocal VALUES ('N-1', '2024-03-01', NULL, 'NET 30');
DROP TABLE orders_due, orders_txt, orders_cal, orders_prev, orders_nocal;
DELETE FROM o2c.calendar WHERE name IN ('guard_fwd', 'guard_prev');

-- the statement form: AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH
-- STATEMENT reads the transition table, so COPY keeps its batched inserts;
-- it checks every new row in load order and changes none
CREATE TABLE bulk_bills (
    bill_no text PRIMARY KEY, client text, issued_on date, due date,
    total numeric(12,2), cur text, payer_iban text);
CREATE TRIGGER bulk_guard AFTER INSERT ON bulk_bills REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'currency=cur', 'iban=payer_iban', 'mode=record');
DELETE FROM o2c.finding;
COPY bulk_bills FROM stdin;
B-1	ACME	2024-03-01	2024-03-31	120.00	EUR	de89 3704 0044 0532 0130 00
B-2	ACME	2024-03-01	2024-02-28	80.00	EUR	\N
B-3	\N	2024-03-02	2024-04-01	-5.00	EUR	DE89 3704 0044 0532 0130 01
B-4	Initech	2024-03-02	2024-04-01	99.90	EURO	\N
\.
SELECT * FROM bulk_bills ORDER BY bill_no;
SELECT source, row_key, rule, severity, detail FROM o2c.finding ORDER BY id;
-- reject mode: the whole statement fails at its first bad row
CREATE TABLE bulk_strict (LIKE bulk_bills INCLUDING ALL);
CREATE TRIGGER bulk_strict_guard AFTER INSERT ON bulk_strict REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'currency=cur', 'iban=payer_iban');
INSERT INTO bulk_strict SELECT * FROM bulk_bills ORDER BY bill_no;
SELECT count(*) FROM bulk_strict;
-- a statement trigger without a transition table, or a row trigger AFTER
CREATE TABLE bulk_wrong (LIKE bulk_bills INCLUDING ALL);
CREATE TRIGGER bulk_wrong_guard AFTER INSERT ON bulk_wrong
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client');
INSERT INTO bulk_wrong VALUES ('W-1', 'ACME');
DROP TRIGGER bulk_wrong_guard ON bulk_wrong;
CREATE TRIGGER bulk_wrong_guard AFTER INSERT ON bulk_wrong
    FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('customer_id=client');
INSERT INTO bulk_wrong VALUES ('W-1', 'ACME');
DROP TABLE bulk_bills, bulk_strict, bulk_wrong;

-- a column after the last one the row form reads (issue 13: UPDATE failed
-- with XX000 "tuple descriptor ... lacks attribute versions")
CREATE TABLE q6 (doc_no text PRIMARY KEY, total numeric, note text);
CREATE TRIGGER g BEFORE INSERT OR UPDATE ON q6 FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total', 'mode=record');
DELETE FROM o2c.finding;
INSERT INTO q6 VALUES ('A', 10, NULL);
UPDATE q6 SET total = 5;
UPDATE q6 SET total = 0, note = 'void';
SELECT * FROM q6;
SELECT source, row_key, rule, detail FROM o2c.finding ORDER BY id;
DROP TABLE q6;

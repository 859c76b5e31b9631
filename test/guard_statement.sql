-- pgTAP: invoice_guard attached AFTER ... REFERENCING NEW TABLE ... FOR EACH
-- STATEMENT — it checks the transition table's rows in order, finds what the
-- row form finds, changes no row, and keeps working when the transition table
-- spills to disk.
BEGIN;
SELECT plan(28);
SET LOCAL client_min_messages = warning;

CREATE TABLE s_bills (
    bill_no text PRIMARY KEY, client text, issued_on date, due date,
    total numeric(12,2), balance numeric(12,2), cur text, payer_iban text);
CREATE TRIGGER s_guard AFTER INSERT ON s_bills REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on', 'due_date=due',
        'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban');
CREATE TRIGGER s_guard_upd AFTER UPDATE ON s_bills REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on', 'due_date=due',
        'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban');

-- reject mode
SELECT lives_ok($$INSERT INTO s_bills VALUES ('OK-1', 'C1', '2024-01-01', '2024-01-31', 10, 10, 'EUR', 'de89 3704 0044 0532 0130 00')$$,
    'a clean row goes in');
SELECT is((SELECT payer_iban FROM s_bills WHERE bill_no = 'OK-1'), 'de89 3704 0044 0532 0130 00',
    'the statement form changes no row: the valid IBAN is stored as typed');
SELECT throws_ok($$INSERT INTO s_bills VALUES ('R-1', NULL, '2024-01-01', '2024-01-31', 10, 10, 'EUR', NULL)$$,
    '23514', 'invoice R-1 violates rule missing_customer', 'a bad row is 23514 naming the rule and the row');
SELECT throws_ok($$INSERT INTO s_bills VALUES ('R-8', 'C', '2024-01-01', '2024-01-31', 10, 10, 'EUR', 'GB82WEST12345698765433')$$,
    '23514', 'invoice R-8 violates rule invalid_iban', 'an invalid IBAN is rejected');
SELECT throws_ok($$INSERT INTO s_bills VALUES ('M-1', 'C', '2024-01-01', '2024-01-31', 10, 10, 'EUR', NULL),
                                              ('M-2', 'C', '2024-01-01', '2023-01-31', 10, 10, 'EUR', NULL),
                                              ('M-3', 'C', '2024-01-01', '2024-01-31', 0, 0, 'EUR', NULL)$$,
    '23514', 'invoice M-2 violates rule due_before_invoice', 'a multi-row insert is rejected at its first bad row, in order');
SELECT is((SELECT pg_catalog.count(*) FROM s_bills WHERE bill_no LIKE 'M-%'), 0::bigint, 'and none of its rows stay in');
SELECT throws_ok($$UPDATE s_bills SET balance = 99 WHERE bill_no = 'OK-1'$$,
    '23514', 'invoice OK-1 violates rule open_exceeds_amount', 'AFTER UPDATE ... REFERENCING NEW TABLE checks the new values');
SELECT is((SELECT balance FROM s_bills WHERE bill_no = 'OK-1'), 10.00::numeric, 'and the update is undone');
SELECT lives_ok($$COPY s_bills FROM PROGRAM 'printf "CP-1\tC1\t2024-02-01\t2024-03-02\t5.00\t5.00\tCHF\tNO9386011117947\nCP-2\tC2\t2024-02-02\t2024-03-03\t6.00\t0.00\tSEK\t\\\\N\n"'$$,
    'COPY of good rows passes');
SELECT throws_ok($$COPY s_bills FROM PROGRAM 'printf "CP-3\tC1\t2024-02-01\t2024-03-01\t5.00\t5.00\tCHF\t\\\\N\nCP-4\tC1\t2024-02-01\t2024-01-01\t5.00\t5.00\tCHF\t\\\\N\n"'$$,
    '23514', 'invoice CP-4 violates rule due_before_invoice', 'COPY with a bad row is rejected naming it');
SELECT is((SELECT pg_catalog.count(*) FROM s_bills WHERE bill_no IN ('CP-3', 'CP-4')), 0::bigint, 'and loads nothing');

-- record mode: every row goes in, every bad row gives its findings, in order
CREATE TABLE s_log (LIKE s_bills);
CREATE TRIGGER s_log_guard AFTER INSERT ON s_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=bill_no', 'customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban', 'mode=record');
DELETE FROM o2c.finding;
SELECT lives_ok($$COPY s_log FROM PROGRAM 'printf "L-1\t\t2024-01-02\t2024-01-01\t-5\t1\tQQQ\tDE00 0000\nL-2\tC1\t2024-02-01\t2024-03-01\t5.00\t5.00\tCHF\t\\\\N\nL-3\tC1\t2024-02-01\t2024-01-01\t5.00\t6.00\tCHF\t\\\\N\n"'$$,
    'record mode: COPY with bad rows goes through');
SELECT is((SELECT pg_catalog.count(*) FROM s_log), 3::bigint, 'every row is in the table');
SELECT results_eq($$SELECT row_key, rule FROM o2c.finding WHERE source = 'public.s_log' ORDER BY id$$,
    $$VALUES ('L-1', 'invalid_iban'), ('L-1', 'missing_customer'),
             ('L-1', 'due_before_invoice'), ('L-1', 'invalid_currency'), ('L-1', 'open_exceeds_amount'),
             ('L-3', 'due_before_invoice'), ('L-3', 'open_exceeds_amount')$$,
    'one finding per broken rule, rows in load order (L-1 is a credit note of -5 with 1 open)');

-- the two forms find the same things on the same rows
CREATE TABLE s_row (LIKE s_log);
CREATE TRIGGER s_row_guard BEFORE INSERT ON s_row FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=bill_no', 'customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban', 'mode=record');
CREATE TABLE s_book AS
    SELECT 'B-' || i AS bill_no,
           CASE WHEN i % 37 = 0 THEN NULL WHEN i % 41 = 0 THEN ' ' ELSE 'C' || (i % 90) END AS client,
           DATE '2024-01-01' + (i % 300) + CASE WHEN i % 97 = 0 THEN 5000 ELSE 0 END AS issued_on,
           DATE '2024-01-01' + (i % 300) + (i % 45) - 3 AS due,
           ((i % 500) - 7)::numeric(12,2) AS total,
           ((i % 520) - 9)::numeric(12,2) AS balance,
           (ARRAY['EUR', 'usd', 'XXY', NULL, 'CHF'])[i % 5 + 1] AS cur,
           (ARRAY[NULL, 'DE89370400440532013000', 'de89 3704 0044 0532 0130 01', 'GB82 WEST 1234 5698 7654 32'])[i % 4 + 1] AS payer_iban
    FROM pg_catalog.generate_series(1, 3000) i;
DELETE FROM o2c.finding;
INSERT INTO s_row SELECT * FROM s_book;
INSERT INTO s_log SELECT * FROM s_book;
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM o2c.finding WHERE source = 'public.s_log'), '>', 1000::bigint,
    'the random book breaks many rules');
SELECT bag_eq($$SELECT row_key, rule, severity, detail FROM o2c.finding WHERE source = 'public.s_log'$$,
    $$SELECT row_key, rule, severity, detail FROM o2c.finding WHERE source = 'public.s_row'$$,
    'the statement form records exactly the findings of the row form');
SELECT is((SELECT pg_catalog.count(*) FROM s_log l JOIN s_row r USING (bill_no)
           WHERE l.payer_iban IS DISTINCT FROM r.payer_iban), 750::bigint,
    'only the row form normalizes the valid, spaced IBANs (the quarter of the book that has them)');

-- terms: checked, never filled
CREATE TABLE s_terms (no text PRIMARY KEY, invoice_date date, due_date date, payment_terms text);
CREATE TRIGGER s_terms_guard AFTER INSERT ON s_terms REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('terms=payment_terms', 'mode=record');
DELETE FROM o2c.finding;
INSERT INTO s_terms VALUES ('T-1', '2024-01-10', NULL, 'NET 30'), ('T-2', '2024-01-10', '2024-02-10', 'NET 30'),
                           ('T-3', '2024-01-10', '2024-02-09', 'net 30');
SELECT is((SELECT due_date FROM s_terms WHERE no = 'T-1'), NULL::date, 'a NULL due date stays NULL');
SELECT results_eq($$SELECT row_key, rule FROM o2c.finding$$, $$VALUES ('T-2', 'terms_due_mismatch')$$,
    'a due date the terms do not give is terms_due_mismatch');
INSERT INTO s_terms VALUES ('T-4', '2024-01-10', '2024-02-09', 'soon');
SELECT results_eq($$SELECT row_key, rule FROM o2c.finding WHERE row_key = 'T-4'$$, $$VALUES ('T-4', 'invalid_terms')$$,
    'text that is not payment terms goes in and is recorded as invalid_terms');

-- a large load: the transition table spills to disk and is read back in order
SET LOCAL work_mem = '64kB';
CREATE TABLE s_big (invoice_id bigint PRIMARY KEY, amount numeric);
CREATE TRIGGER s_big_guard AFTER INSERT ON s_big REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard();
SELECT lives_ok($$INSERT INTO s_big SELECT i, i FROM pg_catalog.generate_series(1, 50000) i$$,
    '50,000 good rows pass with a transition table larger than work_mem');
SELECT throws_ok($$INSERT INTO s_big SELECT i, CASE WHEN i = 99999 THEN 0 ELSE 1 END FROM pg_catalog.generate_series(50001, 100000) i$$,
    '23514', 'invoice 99999 violates rule zero_amount', 'the one bad row near the end is found');
-- another statement trigger reads the same transition table: both see every row
CREATE TABLE s_seen (n bigint);
CREATE FUNCTION pg_temp.s_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO s_seen SELECT pg_catalog.count(*) FROM n; RETURN NULL; END $$;
CREATE TRIGGER s_big_z AFTER INSERT ON s_big REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION pg_temp.s_count();
INSERT INTO s_big SELECT i, 1 FROM pg_catalog.generate_series(100001, 120000) i;
SELECT is((SELECT n FROM s_seen), 20000::bigint, 'a later trigger still reads the whole transition table');
RESET work_mem;

-- a partitioned table: rows of every partition, in the root's column order
CREATE TABLE s_part (region text, invoice_id int, amount numeric, PRIMARY KEY (region, invoice_id)) PARTITION BY LIST (region);
CREATE TABLE s_part_eu PARTITION OF s_part FOR VALUES IN ('EU');
CREATE TABLE s_part_us (amount numeric, invoice_id int NOT NULL, region text NOT NULL);
ALTER TABLE s_part ATTACH PARTITION s_part_us FOR VALUES IN ('US');
CREATE TRIGGER s_part_guard AFTER INSERT ON s_part REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard();
SELECT throws_ok($$INSERT INTO s_part VALUES ('EU', 1, 5), ('US', 2, 0)$$, '23514',
    'invoice 2 violates rule zero_amount', 'a partition with its own column order is read right');

-- protocol and configuration errors
CREATE TABLE s_cfg (id int PRIMARY KEY, t text);
CREATE TRIGGER s_cfg_guard AFTER INSERT ON s_cfg FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard();
SELECT throws_ok($$INSERT INTO s_cfg VALUES (1, 'x')$$, '39P01',
    'invoice_guard trigger "s_cfg_guard" fired FOR EACH STATEMENT needs a transition table',
    'a statement trigger without REFERENCING NEW TABLE is 39P01');
DROP TRIGGER s_cfg_guard ON s_cfg;
CREATE TRIGGER s_cfg_guard AFTER INSERT ON s_cfg REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('amount=t');
SELECT throws_ok($$INSERT INTO s_cfg VALUES (1, 'x')$$, '42804',
    'invoice_guard argument "amount=t": column "t" of table "s_cfg" has type text, expected numeric or an integer type',
    'a mistyped column is 42804 naming the argument');
DROP TRIGGER s_cfg_guard ON s_cfg;
CREATE TRIGGER s_cfg_guard BEFORE INSERT ON s_cfg FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard();
SELECT throws_ok($$INSERT INTO s_cfg VALUES (1, 'x')$$, '39P01', NULL, 'a BEFORE statement trigger is 39P01');
DROP TRIGGER s_cfg_guard ON s_cfg;
CREATE TRIGGER s_cfg_guard AFTER DELETE ON s_cfg REFERENCING OLD TABLE AS o FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard();
INSERT INTO s_cfg VALUES (1, 'x');
SELECT throws_ok($$DELETE FROM s_cfg$$, '39P01', NULL, 'a DELETE trigger is 39P01');

SELECT * FROM finish();
ROLLBACK;

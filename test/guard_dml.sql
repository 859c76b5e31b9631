-- pgTAP: invoice_guard under every kind of write — INSERT, UPDATE, MERGE,
-- COPY and INSERT ... ON CONFLICT DO UPDATE — on tables whose mapped columns
-- have other columns before, between and after them, dropped columns, and
-- columns added after the trigger was created (rows stored before that are
-- shorter than the table). The row form may change the row (a filled due
-- date, a normalized IBAN); every other column must come back as written.
-- Rows are compared whole, as text, so no column can be lost unseen.
BEGIN;
SELECT plan(46);
SET LOCAL client_min_messages = warning;

-- the issue's reproduction: record mode, a column after the last one read
CREATE TABLE q6 (doc_no text PRIMARY KEY, total numeric, note text);
CREATE TRIGGER g BEFORE INSERT OR UPDATE ON q6 FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total', 'mode=record');
INSERT INTO q6 VALUES ('A', 10, NULL);
SELECT lives_ok($$UPDATE q6 SET total = 5$$, 'UPDATE of a table with a column after the mapped ones');
DELETE FROM o2c.finding;
SELECT lives_ok($$UPDATE q6 SET total = 0, note = 'n'$$, 'a bad UPDATE goes in, in record mode');
SELECT is((SELECT q::text FROM q6 q), '(A,0,n)', 'with every column as written');
SELECT results_eq($$SELECT source, row_key, rule FROM o2c.finding$$,
    $$VALUES ('public.q6', 'A', 'zero_amount')$$, 'and its finding is recorded');

-- the row form on a wide table: columns before, between and after the mapped
-- ones, one dropped before and one after the trigger was created, two added
-- after it
CREATE TABLE r_wide (
    lead text DEFAULT 'lead', doc_no text PRIMARY KEY, gone_a int, issued date, memo text DEFAULT 'memo',
    due date, total numeric(12,2), payer_iban text, pt o2c.terms, note text, tail jsonb, gone_b int);
ALTER TABLE r_wide DROP COLUMN gone_a;
CREATE TRIGGER r_wide_guard BEFORE INSERT OR UPDATE ON r_wide FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'invoice_date=issued', 'due_date=due',
        'amount=total', 'iban=payer_iban', 'terms=pt');
INSERT INTO r_wide (doc_no, issued, due, total, payer_iban, pt, note, tail, gone_b)
    VALUES ('W-0', '2024-01-10', NULL, 10, 'de89 3704 0044 0532 0130 00', 'NET 30', 'old', '{"k": 0}', 7);
ALTER TABLE r_wide DROP COLUMN gone_b;
ALTER TABLE r_wide ADD COLUMN later text DEFAULT 'later';
ALTER TABLE r_wide ADD COLUMN later_null int;

SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-0'),
    '(lead,W-0,2024-01-10,memo,2024-02-09,10.00,DE89370400440532013000,"NET 30",old,"{""k"": 0}",later,)',
    'a row stored before the columns were added reads with their defaults');
SELECT lives_ok($$UPDATE r_wide SET note = 'touched' WHERE doc_no = 'W-0'$$,
    'UPDATE of a row stored before the columns were added');
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-0'),
    '(lead,W-0,2024-01-10,memo,2024-02-09,10.00,DE89370400440532013000,"NET 30",touched,"{""k"": 0}",later,)',
    'keeps every column');

-- INSERT: the due date is filled, the IBAN normalized, the rest kept
SELECT lives_ok($$INSERT INTO r_wide (doc_no, issued, due, total, payer_iban, pt, note, tail, later_null)
    VALUES ('W-1', '2024-01-10', NULL, 10, 'gb82 west 1234 5698 7654 32', 'NET 30', 'n1', '{"k": 1}', 41)$$,
    'INSERT into the wide table');
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-1'),
    '(lead,W-1,2024-01-10,memo,2024-02-09,10.00,GB82WEST12345698765432,"NET 30",n1,"{""k"": 1}",later,41)',
    'INSERT fills the due date and normalizes the IBAN, every other column as written');

-- UPDATE: of a column after the mapped ones, of the mapped ones, and a rejected one
SELECT lives_ok($$UPDATE r_wide SET note = 'n1b', later = 'l1' WHERE doc_no = 'W-1'$$,
    'UPDATE of columns after the mapped ones');
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-1'),
    '(lead,W-1,2024-01-10,memo,2024-02-09,10.00,GB82WEST12345698765432,"NET 30",n1b,"{""k"": 1}",l1,41)',
    'changes only them');
SELECT lives_ok($$UPDATE r_wide SET due = NULL, pt = 'NET 45', payer_iban = 'de89 3704 0044 0532 0130 00',
    tail = '{"k": 2}' WHERE doc_no = 'W-1'$$, 'UPDATE clearing the due date and changing the IBAN');
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-1'),
    '(lead,W-1,2024-01-10,memo,2024-02-24,10.00,DE89370400440532013000,"NET 45",n1b,"{""k"": 2}",l1,41)',
    'refills the due date from the new terms and normalizes the IBAN, keeping the rest');
SELECT throws_ok($$UPDATE r_wide SET total = 0, note = 'x' WHERE doc_no = 'W-1'$$,
    '23514', 'invoice W-1 violates rule zero_amount', 'a bad UPDATE is rejected naming the row');
SELECT lives_ok($$UPDATE r_wide SET memo = memo$$, 'UPDATE of every row to the same values');
SELECT is((SELECT pg_catalog.string_agg(r::text, ' ' ORDER BY doc_no) FROM r_wide r),
    '(lead,W-0,2024-01-10,memo,2024-02-09,10.00,DE89370400440532013000,"NET 30",touched,"{""k"": 0}",later,) '
    '(lead,W-1,2024-01-10,memo,2024-02-24,10.00,DE89370400440532013000,"NET 45",n1b,"{""k"": 2}",l1,41)',
    'leaves them as they were');

-- MERGE: an update and an insert in one statement, and a rejected update
SELECT lives_ok($$MERGE INTO r_wide t USING (VALUES ('W-1', 'merged'), ('W-2', 'new')) s (doc_no, note)
    ON t.doc_no = s.doc_no
    WHEN MATCHED THEN UPDATE SET note = s.note, due = NULL
    WHEN NOT MATCHED THEN INSERT (doc_no, issued, total, payer_iban, pt, note)
        VALUES (s.doc_no, '2024-03-01', 5, 'gb82 west 1234 5698 7654 32', 'NET 10', s.note)$$,
    'MERGE updating one row and inserting another');
SELECT is((SELECT pg_catalog.string_agg(r::text, ' ' ORDER BY doc_no) FROM r_wide r WHERE doc_no IN ('W-1', 'W-2')),
    '(lead,W-1,2024-01-10,memo,2024-02-24,10.00,DE89370400440532013000,"NET 45",merged,"{""k"": 2}",l1,41) '
    '(lead,W-2,2024-03-01,memo,2024-03-11,5.00,GB82WEST12345698765432,"NET 10",new,,later,)',
    'MERGE fills and normalizes in both rows and keeps every other column');
SELECT throws_ok($$MERGE INTO r_wide t USING (VALUES ('W-2')) s (doc_no) ON t.doc_no = s.doc_no
    WHEN MATCHED THEN UPDATE SET issued = '2024-04-01', due = '2024-03-31'$$,
    '23514', 'invoice W-2 violates rule due_before_invoice', 'a bad MERGE update is rejected naming the row');
SELECT throws_ok($$MERGE INTO r_wide t USING (VALUES ('W-9')) s (doc_no) ON t.doc_no = s.doc_no
    WHEN NOT MATCHED THEN INSERT (doc_no, total) VALUES (s.doc_no, 0)$$,
    '23514', 'invoice W-9 violates rule zero_amount', 'a bad MERGE insert is rejected naming the row');

-- COPY: with a column list in another order, and with every column
COPY r_wide (note, doc_no, pt, issued, total, payer_iban) FROM stdin;
c3	W-3	2/10 NET 30	2024-05-02	7.50	no93 8601 1117 947
\.
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-3'),
    '(lead,W-3,2024-05-02,memo,2024-06-01,7.50,NO9386011117947,"2/10 NET 30",c3,,later,)',
    'COPY with a column list fills and normalizes, defaults the columns not listed');
COPY r_wide FROM stdin;
L	W-4	2024-05-02	m	\N	8.00	\N	NET 0	c4	[1]	l4	4
\.
SELECT is((SELECT r::text FROM r_wide r WHERE doc_no = 'W-4'),
    '(L,W-4,2024-05-02,m,2024-05-02,8.00,,"NET 0",c4,[1],l4,4)', 'COPY of every column');
SELECT throws_ok($$COPY r_wide (doc_no, total, note) FROM PROGRAM 'printf "W-5\t1\tok\nW-6\t0\tbad\n"'$$,
    '23514', 'invoice W-6 violates rule zero_amount', 'COPY of a bad row is rejected naming it');

-- INSERT ... ON CONFLICT DO UPDATE: the conflicting row is updated, a new one inserted
SELECT lives_ok($$INSERT INTO r_wide AS t (doc_no, issued, total, payer_iban, pt, note)
    VALUES ('W-2', '2024-03-01', 5, 'de89 3704 0044 0532 0130 00', 'NET 20', 'upserted'),
           ('W-7', '2024-03-01', 6, 'gb82 west 1234 5698 7654 32', 'NET 20', 'fresh')
    ON CONFLICT (doc_no) DO UPDATE SET due = NULL, pt = EXCLUDED.pt, payer_iban = EXCLUDED.payer_iban,
        note = EXCLUDED.note$$,
    'INSERT ... ON CONFLICT DO UPDATE');
SELECT is((SELECT pg_catalog.string_agg(r::text, ' ' ORDER BY doc_no) FROM r_wide r WHERE doc_no IN ('W-2', 'W-7')),
    '(lead,W-2,2024-03-01,memo,2024-03-21,5.00,DE89370400440532013000,"NET 20",upserted,,later,) '
    '(lead,W-7,2024-03-01,memo,2024-03-21,6.00,GB82WEST12345698765432,"NET 20",fresh,,later,)',
    'fills and normalizes in the updated and the inserted row');
SELECT throws_ok($$INSERT INTO r_wide (doc_no, total) VALUES ('W-7', 6)
    ON CONFLICT (doc_no) DO UPDATE SET total = 0$$,
    '23514', 'invoice W-7 violates rule zero_amount', 'a bad ON CONFLICT update is rejected naming the row');
SELECT is((SELECT pg_catalog.count(*) FROM r_wide), 6::bigint, 'no rejected row stayed in the table');

-- the row form on a partitioned table whose partitions order their columns differently
CREATE TABLE r_part (region text, doc_no text, total numeric, note text, PRIMARY KEY (region, doc_no))
    PARTITION BY LIST (region);
CREATE TABLE r_part_eu PARTITION OF r_part FOR VALUES IN ('EU');
CREATE TABLE r_part_us (note text, gone int, total numeric, doc_no text NOT NULL, region text NOT NULL);
ALTER TABLE r_part_us DROP COLUMN gone;
ALTER TABLE r_part ATTACH PARTITION r_part_us FOR VALUES IN ('US');
CREATE TRIGGER r_part_guard BEFORE INSERT OR UPDATE ON r_part FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total');
INSERT INTO r_part VALUES ('EU', 'P-1', 5, 'a'), ('US', 'P-2', 6, 'b');
SELECT lives_ok($$UPDATE r_part SET note = note || '!'$$, 'UPDATE of every partition');
SELECT lives_ok($$UPDATE r_part SET region = 'US' WHERE doc_no = 'P-1'$$, 'UPDATE moving a row to another partition');
SELECT is((SELECT pg_catalog.string_agg(r::text, ' ' ORDER BY doc_no) FROM r_part r),
    '(US,P-1,5,a!) (US,P-2,6,b!)', 'keeps every column');
SELECT throws_ok($$UPDATE r_part SET total = 0 WHERE doc_no = 'P-2'$$,
    '23514', 'invoice P-2 violates rule zero_amount', 'a bad UPDATE of a partition is rejected naming the row');

-- the statement form on the same kind of table: it checks and changes nothing
CREATE TABLE s_wide (
    lead text DEFAULT 'lead', doc_no text PRIMARY KEY, gone_a int, issued date, memo text DEFAULT 'memo',
    due date, total numeric(12,2), payer_iban text, pt o2c.terms, note text, tail jsonb, gone_b int);
ALTER TABLE s_wide DROP COLUMN gone_a;
CREATE TRIGGER s_wide_ins AFTER INSERT ON s_wide REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'invoice_date=issued', 'due_date=due',
        'amount=total', 'iban=payer_iban', 'terms=pt');
CREATE TRIGGER s_wide_upd AFTER UPDATE ON s_wide REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'invoice_date=issued', 'due_date=due',
        'amount=total', 'iban=payer_iban', 'terms=pt');
INSERT INTO s_wide (doc_no, issued, due, total, payer_iban, pt, note, gone_b)
    VALUES ('S-0', '2024-01-10', NULL, 10, 'de89 3704 0044 0532 0130 00', 'NET 30', 'old', 7);
ALTER TABLE s_wide DROP COLUMN gone_b;
ALTER TABLE s_wide ADD COLUMN later text DEFAULT 'later';
SELECT lives_ok($$UPDATE s_wide SET note = 'touched'$$, 'statement form: UPDATE of a row stored before a column was added');
SELECT is((SELECT s::text FROM s_wide s),
    '(lead,S-0,2024-01-10,memo,,10.00,"de89 3704 0044 0532 0130 00","NET 30",touched,,later)',
    'statement form: the row is kept as written');
SELECT throws_ok($$UPDATE s_wide SET due = '2024-02-10', note = 'x'$$,
    '23514', 'invoice S-0 violates rule terms_due_mismatch', 'statement form: a bad UPDATE is rejected naming the row');
SELECT lives_ok($$MERGE INTO s_wide t USING (VALUES ('S-0', 'merged'), ('S-1', 'new')) s (doc_no, note)
    ON t.doc_no = s.doc_no
    WHEN MATCHED THEN UPDATE SET note = s.note
    WHEN NOT MATCHED THEN INSERT (doc_no, issued, total, pt, note) VALUES (s.doc_no, '2024-03-01', 5, 'NET 10', s.note)$$,
    'statement form: MERGE updating one row and inserting another');
SELECT throws_ok($$MERGE INTO s_wide t USING (VALUES ('S-0'), ('S-2')) s (doc_no) ON t.doc_no = s.doc_no
    WHEN MATCHED THEN UPDATE SET total = 10
    WHEN NOT MATCHED THEN INSERT (doc_no, total) VALUES (s.doc_no, 0)$$,
    '23514', 'invoice S-2 violates rule zero_amount', 'statement form: a bad MERGE insert is rejected naming the row');
SELECT throws_ok($$MERGE INTO s_wide t USING (VALUES ('S-1')) s (doc_no) ON t.doc_no = s.doc_no
    WHEN MATCHED THEN UPDATE SET payer_iban = 'GB82WEST12345698765433'$$,
    '23514', 'invoice S-1 violates rule invalid_iban', 'statement form: a bad MERGE update is rejected naming the row');
SELECT lives_ok($$COPY s_wide (note, doc_no, total) FROM PROGRAM 'printf "c\tS-3\t3\n"'$$, 'statement form: COPY with a column list');
SELECT throws_ok($$COPY s_wide (note, doc_no, total) FROM PROGRAM 'printf "c\tS-4\t4\nc\tS-5\t0\n"'$$,
    '23514', 'invoice S-5 violates rule zero_amount', 'statement form: COPY of a bad row is rejected naming it');
SELECT lives_ok($$INSERT INTO s_wide (doc_no, total, note) VALUES ('S-3', 3, 'upserted'), ('S-6', 6, 'fresh')
    ON CONFLICT (doc_no) DO UPDATE SET note = EXCLUDED.note$$, 'statement form: INSERT ... ON CONFLICT DO UPDATE');
SELECT throws_ok($$INSERT INTO s_wide (doc_no, total) VALUES ('S-6', 6) ON CONFLICT (doc_no) DO UPDATE SET total = 0$$,
    '23514', 'invoice S-6 violates rule zero_amount', 'statement form: a bad ON CONFLICT update is rejected naming the row');
SELECT is((SELECT pg_catalog.string_agg(s::text, ' ' ORDER BY doc_no) FROM s_wide s),
    '(lead,S-0,2024-01-10,memo,,10.00,"de89 3704 0044 0532 0130 00","NET 30",merged,,later) '
    '(lead,S-1,2024-03-01,memo,,5.00,,"NET 10",new,,later) '
    '(lead,S-3,,memo,,3.00,,,upserted,,later) '
    '(lead,S-6,,memo,,6.00,,,fresh,,later)',
    'statement form: every accepted row as written, no rejected one');

-- both forms on one table, in record mode: the same findings for the same writes
CREATE TABLE b_both (lead int, doc_no text PRIMARY KEY, total numeric, note text);
CREATE TRIGGER b_row BEFORE INSERT OR UPDATE ON b_both FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total', 'mode=record');
CREATE TRIGGER b_stmt AFTER UPDATE ON b_both REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'amount=total', 'mode=record');
INSERT INTO b_both VALUES (1, 'B-1', 1, 'a'), (2, 'B-2', 2, 'b');
DELETE FROM o2c.finding;
SELECT lives_ok($$UPDATE b_both SET total = 0$$, 'record mode: both forms on one table');
SELECT results_eq($$SELECT row_key, pg_catalog.count(*) FROM o2c.finding GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('B-1', 2::bigint), ('B-2', 2::bigint)$$, 'each form records each bad row once');

-- a table guarded in both forms that a column is later added to, in the same session
ALTER TABLE b_both ADD COLUMN added text;
SELECT lives_ok($$UPDATE b_both SET added = 'x', total = 1$$, 'a column added after the triggers were used');
SELECT is((SELECT pg_catalog.string_agg(b::text, ' ' ORDER BY doc_no) FROM b_both b),
    '(1,B-1,1,a,x) (2,B-2,1,b,x)', 'is written');

SELECT * FROM finish();
ROLLBACK;

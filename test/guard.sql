-- pgTAP: the invoice_guard trigger — both modes, every rule and every
-- misconfiguration with its SQLSTATE, COPY through the trigger, and the
-- narrow definer-rights writer of o2c.finding.
BEGIN;
SELECT plan(78);
SET LOCAL client_min_messages = warning;

CREATE TABLE g_bills (
    bill_no text PRIMARY KEY, client text, issued_on date, due date,
    total numeric(12,2), balance numeric(12,2), cur text, payer_iban text);
CREATE TRIGGER g_guard BEFORE INSERT OR UPDATE ON g_bills FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('customer_id=client', 'invoice_date=issued_on', 'due_date=due',
        'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban');

-- reject mode: each rule is 23514 naming the rule and the row key
SELECT lives_ok($$INSERT INTO g_bills VALUES ('OK-1', 'C1', '2024-01-01', '2024-01-31', 10, 10, 'EUR', 'de89 3704 0044 0532 0130 00')$$,
    'a clean row goes in');
SELECT is((SELECT payer_iban FROM g_bills WHERE bill_no = 'OK-1'), 'DE89370400440532013000', 'the IBAN is stored normalized');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-1', NULL, '2024-01-01', '2024-01-31', 10, 10, 'EUR', NULL)$$,
    '23514', 'invoice R-1 violates rule missing_customer', 'missing_customer is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-2', 'C', '2024-01-01', '2024-01-31', 0, 0, 'EUR', NULL)$$,
    '23514', 'invoice R-2 violates rule zero_amount', 'zero_amount is rejected');
-- a negative amount is a credit note, as o2c.aging takes it; its open amount lies between it and 0
SELECT lives_ok($$INSERT INTO g_bills VALUES ('CN-1', 'C', '2024-01-01', '2024-01-31', -10, -4, 'EUR', NULL)$$,
    'a credit note goes in by default');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('CN-2', 'C', '2024-01-01', '2024-01-31', -10, -11, 'EUR', NULL)$$,
    '23514', 'invoice CN-2 violates rule open_exceeds_amount', 'a credit note with more open than its amount is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('CN-3', 'C', '2024-01-01', '2024-01-31', -10, 1, 'EUR', NULL)$$,
    '23514', 'invoice CN-3 violates rule open_exceeds_amount', 'a credit note with a positive open amount is rejected');
CREATE TABLE g_inv_only (invoice_id text PRIMARY KEY, amount numeric);
CREATE TRIGGER g_inv_only_guard BEFORE INSERT ON g_inv_only FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('credit_notes=false');
SELECT throws_ok($$INSERT INTO g_inv_only VALUES ('N-1', -10)$$,
    '23514', 'invoice N-1 violates rule negative_amount', 'credit_notes=false refuses a negative amount');
CREATE TABLE g_cn_bad (invoice_id text PRIMARY KEY, amount numeric);
CREATE TRIGGER g_cn_bad_guard BEFORE INSERT ON g_cn_bad FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('credit_notes=perhaps');
SELECT throws_ok($$INSERT INTO g_cn_bad VALUES ('N-1', 10)$$,
    '22023', 'invoice_guard argument "credit_notes=perhaps": credit_notes must be true or false', 'credit_notes takes a boolean');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-3', 'C', '2024-01-02', '2024-01-01', 10, 10, 'EUR', NULL)$$,
    '23514', 'invoice R-3 violates rule due_before_invoice', 'due_before_invoice is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-4', 'C', '2024-01-01', '2024-01-31', 10, 10, 'ABC', NULL)$$,
    '23514', 'invoice R-4 violates rule invalid_currency', 'invalid_currency is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-5', 'C', '2024-01-01', '2024-01-31', 10, 11, 'EUR', NULL)$$,
    '23514', 'invoice R-5 violates rule open_exceeds_amount', 'open_exceeds_amount is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-6', 'C', '2024-01-01', '2024-01-31', 10, -1, 'EUR', NULL)$$,
    '23514', 'invoice R-6 violates rule negative_open', 'negative_open is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-7', 'C', current_date + 1, current_date + 31, 10, 10, 'EUR', NULL)$$,
    '23514', 'invoice R-7 violates rule future_invoice_date', 'future_invoice_date is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('R-8', 'C', '2024-01-01', '2024-01-31', 10, 10, 'EUR', 'GB82WEST12345698765433')$$,
    '23514', 'invoice R-8 violates rule invalid_iban', 'invalid_iban is rejected');
SELECT throws_ok($$INSERT INTO g_bills VALUES ('M-1', 'C', '2024-01-01', '2024-01-31', 10, 10, 'EUR', NULL),
                                              ('M-2', 'C', '2024-01-01', '2023-01-31', 10, 10, 'EUR', NULL)$$,
    '23514', 'invoice M-2 violates rule due_before_invoice', 'a multi-row insert stops at the bad row');
SELECT is((SELECT pg_catalog.count(*) FROM g_bills WHERE bill_no LIKE 'M-%'), 0::bigint, 'and none of its rows went in');
SELECT throws_ok($$UPDATE g_bills SET balance = 99 WHERE bill_no = 'OK-1'$$,
    '23514', 'invoice OK-1 violates rule open_exceeds_amount', 'updates are checked');
SELECT lives_ok($$UPDATE g_bills SET payer_iban = 'gb82 west 1234 5698 7654 32' WHERE bill_no = 'OK-1'$$, 'a good update passes');
SELECT is((SELECT payer_iban FROM g_bills WHERE bill_no = 'OK-1'), 'GB82WEST12345698765432', 'and its IBAN is normalized');
SELECT lives_ok($$COPY g_bills FROM PROGRAM 'printf "CP-1\tC1\t2024-02-01\t2024-03-02\t5.00\t5.00\tCHF\tno9386011117947\nCP-2\tC2\t2024-02-02\t2024-03-03\t6.00\t0.00\tSEK\t\\\\N\n"'$$,
    'COPY of good rows passes through the trigger');
SELECT results_eq($$SELECT bill_no, payer_iban FROM g_bills WHERE bill_no LIKE 'CP-%' ORDER BY 1$$,
    $$VALUES ('CP-1', 'NO9386011117947'), ('CP-2', NULL)$$, 'COPY rows are normalized like inserts');
SELECT throws_ok($$COPY g_bills FROM PROGRAM 'printf "CP-3\tC1\t2024-02-01\t2024-01-01\t5.00\t5.00\tCHF\t\\\\N\n"'$$,
    '23514', 'invoice CP-3 violates rule due_before_invoice', 'COPY of a bad row is rejected');
SELECT lives_ok($$INSERT INTO g_bills VALUES ('N-1', 'C', NULL, NULL, NULL, NULL, NULL, NULL)$$,
    'unknown values break no rule');

-- record mode: rows go in, findings are written with source and key
CREATE TABLE g_log (LIKE g_bills);
CREATE TRIGGER g_log_guard BEFORE INSERT OR UPDATE ON g_log FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=bill_no', 'customer_id=client', 'invoice_date=issued_on',
        'due_date=due', 'amount=total', 'open_amount=balance', 'currency=cur', 'iban=payer_iban', 'mode=record');
DELETE FROM o2c.finding;
SELECT lives_ok($$INSERT INTO g_log VALUES ('L-1', '', '2024-01-02', '2024-01-01', -5, 1, 'QQQ', 'DE00 0000')$$,
    'record mode lets a bad row in');
SELECT set_eq($$SELECT rule FROM o2c.finding WHERE source = 'public.g_log' AND row_key = 'L-1'$$,
    ARRAY['missing_customer', 'due_before_invoice', 'invalid_currency',
          'open_exceeds_amount', 'invalid_iban'], 'one finding per broken rule, keyed by the row (a credit note of -5 with 1 open)');
SELECT is((SELECT pg_catalog.count(*) FROM o2c.finding WHERE severity <> 'error' OR found_at IS NULL), 0::bigint,
    'findings carry severity and time');
SELECT lives_ok($$COPY g_log FROM PROGRAM 'printf "L-2\tC1\t2024-02-01\t2024-01-01\t5.00\t5.00\tCHF\t\\\\N\nL-3\tC1\t2024-02-01\t2024-03-01\t5.00\t5.00\tCHF\t\\\\N\n"'$$,
    'COPY through the trigger in record mode');
SELECT results_eq($$SELECT row_key, rule FROM o2c.finding WHERE row_key IN ('L-2', 'L-3') ORDER BY id$$,
    $$VALUES ('L-2', 'due_before_invoice')$$, 'COPY records the bad row only');
SELECT is((SELECT pg_catalog.count(*) FROM g_log), 3::bigint, 'all rows are in the table');

-- the row key: a composite primary key, or invoice_id=
CREATE TABLE g_pk (ledger text, no int, total numeric, PRIMARY KEY (ledger, no));
CREATE TRIGGER g_pk_guard BEFORE INSERT ON g_pk FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('amount=total');
SELECT throws_ok($$INSERT INTO g_pk VALUES ('EU', 7, 0)$$, '23514', 'invoice EU,7 violates rule zero_amount',
    'the key of a composite primary key names the row');
-- columns with the standard names need no mapping; an o2c.iban column is accepted as valid
CREATE TABLE g_std (invoice_id int, customer_id int, invoice_date date, due_date date, amount bigint, iban o2c.iban);
CREATE TRIGGER g_std_guard BEFORE INSERT ON g_std FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('iban=iban');
SELECT throws_ok($$INSERT INTO g_std VALUES (5, 1, '2024-01-02', '2024-01-01', 3, 'NO9386011117947')$$,
    '23514', 'invoice 5 violates rule due_before_invoice', 'standard column names are matched by name');
-- rules= restricts the checks
CREATE TABLE g_some (LIKE g_std);
CREATE TRIGGER g_some_guard BEFORE INSERT ON g_some FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('rules=zero_amount');
SELECT lives_ok($$INSERT INTO g_some VALUES (5, NULL, '2024-01-02', '2024-01-01', 3, NULL)$$, 'rules= turns the other rules off');
SELECT throws_ok($$INSERT INTO g_some VALUES (6, 1, '2024-01-01', '2024-01-02', 0, NULL)$$, '23514', NULL, 'and keeps the chosen one');

-- misconfiguration: an error at the first row, naming the argument
CREATE TABLE g_cfg (id int PRIMARY KEY, t text, n int, d date);
CREATE FUNCTION pg_temp.guard_with(VARIADIC args text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DROP TRIGGER IF EXISTS g_cfg_guard ON g_cfg';
    EXECUTE pg_catalog.format('CREATE TRIGGER g_cfg_guard BEFORE INSERT ON g_cfg FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard(%s)',
        (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(a), ', ') FROM pg_catalog.unnest(args) a));
    INSERT INTO g_cfg VALUES (1, 'x', 1, '2024-01-01');
END $$;
SELECT throws_ok($$SELECT pg_temp.guard_with('amount=nope')$$, '42703',
    'invoice_guard argument "amount=nope": column "nope" does not exist in table "g_cfg"', 'an unknown column is 42703 naming the argument');
SELECT throws_ok($$SELECT pg_temp.guard_with('amount=t')$$, '42804',
    'invoice_guard argument "amount=t": column "t" of table "g_cfg" has type text, expected numeric or an integer type',
    'a mistyped amount column is 42804 naming the argument');
SELECT throws_ok($$SELECT pg_temp.guard_with('due_date=t')$$, '42804', NULL, 'a mistyped date column is 42804');
SELECT throws_ok($$SELECT pg_temp.guard_with('currency=d')$$, '42804', NULL, 'a mistyped currency column is 42804');
SELECT throws_ok($$SELECT pg_temp.guard_with('iban=n')$$, '42804', NULL, 'a mistyped iban column is 42804');
SELECT throws_ok($$SELECT pg_temp.guard_with('colour=red')$$, '22023', 'unknown invoice_guard argument: "colour=red"',
    'an unknown option is 22023 naming it');
SELECT throws_ok($$SELECT pg_temp.guard_with('amount')$$, '22023', 'invalid invoice_guard argument: "amount"',
    'an argument without = is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('mode=loud')$$, '22023', NULL, 'an unknown mode is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('rules=no_such_rule')$$, '22023', NULL, 'an unknown rule is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('rules=suspected_duplicate')$$, '22023', NULL, 'a rule that compares rows is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('rules=terms_due_mismatch')$$, '22023',
    'invoice_guard rule "terms_due_mismatch" needs a terms= argument', 'terms_due_mismatch without terms= is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('terms=n')$$, '42804',
    'invoice_guard argument "terms=n": column "n" of table "g_cfg" has type integer, expected o2c.terms or text',
    'a mistyped terms column is 42804 naming the argument');
SELECT throws_ok($$SELECT pg_temp.guard_with('terms=nope')$$, '42703', NULL, 'an unknown terms column is 42703');
SELECT throws_ok($$SELECT pg_temp.guard_with('terms=t')$$, '22023',
    'invoice_guard argument "terms=t" needs an invoice date and a due date column in table "g_cfg"',
    'terms= without both date columns is 22023 naming the argument');
SELECT throws_ok($$SELECT pg_temp.guard_with('calendar=TARGET')$$, '22023',
    'invoice_guard argument "calendar=TARGET" needs a terms= argument', 'calendar= without terms= is 22023');
SELECT throws_ok($$SELECT pg_temp.guard_with('invoice_date=d', 'due_date=d', 'terms=t', 'calendar=Nowhere')$$, '22023',
    'unknown calendar: "Nowhere"', 'an unknown calendar is 22023 naming it');
SELECT throws_ok($$SELECT pg_temp.guard_with('invoice_date=d', 'due_date=d', 'terms=t')$$, '23514',
    'invoice 1 violates rule invalid_terms', 'reject mode: text that is not payment terms is rule invalid_terms');
SELECT throws_ok($$SELECT pg_temp.guard_with('rules=invalid_terms')$$, '22023',
    'invoice_guard rule "invalid_terms" needs a terms= argument', 'invalid_terms without terms= is 22023');
SELECT lives_ok($$SELECT pg_temp.guard_with('invoice_date=d', 'due_date=d', 'terms=t', 'rules=terms_due_mismatch')$$,
    'with invalid_terms off, such text is let through');
CREATE TABLE g_nokey (total numeric);
CREATE TRIGGER g_nokey_guard BEFORE INSERT ON g_nokey FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard('amount=total');
SELECT throws_ok($$INSERT INTO g_nokey VALUES (1)$$, '22023', NULL, 'no invoice_id= and no primary key is 22023');
CREATE TABLE g_after (id int PRIMARY KEY);
CREATE TRIGGER g_after_guard AFTER INSERT ON g_after FOR EACH ROW EXECUTE FUNCTION o2c.invoice_guard();
SELECT throws_ok($$INSERT INTO g_after VALUES (1)$$, '39P01', NULL, 'an AFTER trigger is a protocol violation');

-- terms=: a NULL due date is filled from the terms, a differing one is terms_due_mismatch
CREATE TABLE g_terms (no text PRIMARY KEY, issued date, due date, total numeric, pt o2c.terms);
CREATE TRIGGER g_terms_guard BEFORE INSERT OR UPDATE ON g_terms FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_date=issued', 'due_date=due', 'amount=total', 'terms=pt');
INSERT INTO g_terms SELECT 'F-' || i, DATE '2023-12-20' + i, NULL, 10, (ARRAY['NET 30', 'NET 30 EOM', '2/10 NET 45', '15 PROX', '40% NET 0; 60% NET 30'])[i % 5 + 1]::o2c.terms
    FROM pg_catalog.generate_series(1, 400) i;
SELECT is((SELECT pg_catalog.count(*) FROM g_terms WHERE due IS DISTINCT FROM o2c.due_date(pt, issued)), 0::bigint,
    'every filled due date is o2c.due_date(terms, invoice date)');
SELECT throws_ok($$INSERT INTO g_terms VALUES ('X-1', '2024-01-10', '2024-02-10', 10, 'NET 30')$$,
    '23514', 'invoice X-1 violates rule terms_due_mismatch', 'reject mode: a due date the terms do not give is 23514');
SELECT lives_ok($$INSERT INTO g_terms VALUES ('X-2', '2024-01-10', '2024-02-09', 10, 'NET 30')$$, 'the due date the terms give goes in');
SELECT lives_ok($$INSERT INTO g_terms VALUES ('X-3', '2024-01-10', '2024-03-01', 10, NULL)$$, 'no terms, no check');
SELECT throws_ok($$UPDATE g_terms SET pt = 'NET 60' WHERE no = 'X-2'$$, '23514', NULL, 'changing the terms alone is checked on update');
UPDATE g_terms SET pt = 'NET 60', due = NULL WHERE no = 'X-2';
SELECT is((SELECT due FROM g_terms WHERE no = 'X-2'), DATE '2024-03-10', 'an update clearing the due date fills it');
SELECT throws_ok($$INSERT INTO g_terms VALUES ('X-4', 'infinity', NULL, 10, 'NET 30')$$, '22008', NULL,
    'an infinite invoice date cannot give a due date');
SELECT lives_ok($$INSERT INTO g_terms VALUES ('X-5', NULL, NULL, 10, 'NET 30')$$, 'no invoice date: nothing to fill');
SELECT is((SELECT due FROM g_terms WHERE no = 'X-5'), NULL::date, 'and the due date stays NULL');
-- record mode with text terms, through COPY
CREATE TABLE g_terms_log (invoice_id text PRIMARY KEY, invoice_date date, due_date date, payment_terms varchar(40));
CREATE TRIGGER g_terms_log_guard BEFORE INSERT ON g_terms_log FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('terms=payment_terms', 'mode=record', 'rules=terms_due_mismatch');
DELETE FROM o2c.finding;
COPY g_terms_log FROM stdin;
L-1	2024-01-10	\N	net 30
L-2	2024-01-10	2024-02-10	NET 30
L-3	2024-01-10	2024-02-09	NET 30
\.
SELECT results_eq($$SELECT invoice_id, due_date FROM g_terms_log ORDER BY 1$$,
    $$VALUES ('L-1', DATE '2024-02-09'), ('L-2', DATE '2024-02-10'), ('L-3', DATE '2024-02-09')$$,
    'record mode lets every row in, filling the NULL due date from text terms');
SELECT results_eq($$SELECT row_key, rule, severity FROM o2c.finding$$, $$VALUES ('L-2', 'terms_due_mismatch', 'warning')$$,
    'and records the mismatch');
-- calendar=: the calendar's own convention, the same dates as o2c.due_date(terms, date, calendar)
INSERT INTO o2c.calendar (name, weekend, convention) VALUES ('g_tap_prev', '{6,7}', 'modified_preceding');
INSERT INTO o2c.holiday (calendar, day) VALUES ('g_tap_prev', '2024-05-01'), ('g_tap_prev', '2024-12-25');
CREATE TABLE g_cal (no int PRIMARY KEY, invoice_date date, due_date date, terms o2c.terms);
CREATE TRIGGER g_cal_guard BEFORE INSERT ON g_cal FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('terms=terms', 'calendar=g_tap_prev');
INSERT INTO g_cal SELECT i, DATE '2024-01-01' + i, NULL, (ARRAY['NET 30', 'NET 45 EOM', '10 PROX'])[i % 3 + 1]::o2c.terms
    FROM pg_catalog.generate_series(0, 365) i;
SELECT is((SELECT pg_catalog.count(*) FROM g_cal WHERE due_date IS DISTINCT FROM o2c.due_date(terms, invoice_date, 'g_tap_prev')), 0::bigint,
    'every filled due date is o2c.due_date(terms, invoice date, calendar)');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM g_cal WHERE due_date <> o2c.due_date(terms, invoice_date)), '>', 0::bigint,
    'and the calendar moved some of them');
SELECT is((SELECT pg_catalog.count(*) FROM g_cal WHERE NOT o2c.is_business_day(due_date, 'g_tap_prev')), 0::bigint,
    'all of them onto business days');

-- the SECURITY DEFINER functions: narrow, pinned search_path, insert only
-- (record_credit_hold does for order_guard what record_finding does here)
SELECT is((SELECT pg_catalog.string_agg(p.proname::text, ',' ORDER BY p.proname) FROM pg_catalog.pg_proc p
            JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'o2c' AND p.prosecdef),
    'record_credit_hold,record_finding', 'record_finding and record_credit_hold are the only SECURITY DEFINER functions');
SELECT is((SELECT p.proconfig FROM pg_catalog.pg_proc p WHERE p.oid = 'o2c.record_finding(text, text, text, text, text)'::regprocedure),
    ARRAY['search_path=pg_catalog, pg_temp'], 'its search_path is pinned');
SELECT matches((SELECT pg_catalog.btrim(p.prosrc, E' \n\t') FROM pg_catalog.pg_proc p WHERE p.oid = 'o2c.record_finding(text, text, text, text, text)'::regprocedure),
    '^INSERT INTO o2c\.finding \(source, row_key, rule, severity, detail\)\s+VALUES \(\$1, \$2, \$3, \$4, \$5\)\s+RETURNING id$',
    'its body is one INSERT into o2c.finding');
CREATE ROLE o2c_tap_clerk NOLOGIN;
GRANT INSERT, SELECT ON g_log TO o2c_tap_clerk;
DELETE FROM o2c.finding;
SET LOCAL ROLE o2c_tap_clerk;
SELECT lives_ok($$INSERT INTO g_log VALUES ('CL-1', 'C1', '2024-01-02', '2024-01-01', 5, 5, 'EUR', NULL)$$,
    'a role without rights on o2c.finding inserts a bad row in record mode');
SELECT throws_ok($$SELECT pg_catalog.count(*) FROM o2c.finding$$, '42501', NULL, 'that role cannot read o2c.finding');
RESET ROLE;
SELECT results_eq($$SELECT row_key, rule FROM o2c.finding$$, $$VALUES ('CL-1', 'due_before_invoice')$$,
    'and its finding was recorded');
CREATE TEMP TABLE stats_before AS
    SELECT relid, n_tup_ins, n_tup_upd, n_tup_del FROM pg_catalog.pg_stat_xact_all_tables;
SELECT o2c.record_finding('t', 'k', 'negative_open', 'error', 'd');
SELECT results_eq($$
    SELECT a.relid::regclass::text, a.n_tup_ins - COALESCE(b.n_tup_ins, 0), a.n_tup_upd - COALESCE(b.n_tup_upd, 0),
           a.n_tup_del - COALESCE(b.n_tup_del, 0)
    FROM pg_catalog.pg_stat_xact_all_tables a LEFT JOIN stats_before b USING (relid)
    WHERE (a.n_tup_ins, a.n_tup_upd, a.n_tup_del) IS DISTINCT FROM (b.n_tup_ins, b.n_tup_upd, b.n_tup_del)
      AND a.relid <> 'stats_before'::regclass$$,
    $$VALUES ('o2c.finding', 1::bigint, 0::bigint, 0::bigint)$$,
    'calling record_finding changes nothing but one new row of o2c.finding');

-- text terms are parsed once per distinct text in a statement: repeated,
-- invalid and long (uncached) texts each give every row its own result
CREATE TABLE g_tcache (invoice_id text PRIMARY KEY, invoice_date date, due_date date, terms text);
CREATE TRIGGER g_terms_guard BEFORE INSERT ON g_tcache FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('terms=terms', 'mode=record');
DELETE FROM o2c.finding;
INSERT INTO g_tcache VALUES
    ('T-1', '2024-01-31', NULL, 'NET 30'), ('T-2', '2024-02-29', NULL, 'NET 30'), ('T-3', '2024-03-15', NULL, 'net 30'),
    ('T-4', '2024-01-01', NULL, 'whenever'), ('T-5', '2024-01-02', NULL, 'whenever'),
    ('T-6', '2024-01-10', NULL, '10% NET 10; 10% NET 20; 10% NET 30; 10% NET 40; 10% NET 50; 50% NET 60'),
    ('T-7', '2024-01-20', NULL, '10% NET 10; 10% NET 20; 10% NET 30; 10% NET 40; 10% NET 50; 50% NET 60');
SELECT is((SELECT pg_catalog.string_agg(invoice_id || ' ' || coalesce(due_date::text, '-'), ', ' ORDER BY invoice_id) FROM g_tcache),
    'T-1 2024-03-01, T-2 2024-03-30, T-3 2024-04-14, T-4 -, T-5 -, T-6 2024-03-10, T-7 2024-03-20',
    'each row gets the due date of its own terms and invoice date');
SELECT is((SELECT pg_catalog.string_agg(row_key || ' ' || rule, ', ' ORDER BY row_key) FROM o2c.finding WHERE source = 'public.g_tcache'),
    'T-4 invalid_terms, T-5 invalid_terms', 'each row with text that is not terms gets its finding');

SELECT * FROM finish();
ROLLBACK;

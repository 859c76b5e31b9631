-- pgTAP: the collector's records (issue 16). Every state change of promises
-- (open, kept, partly kept, broken, cancelled) and disputes (open,
-- resolved three ways, deductions opened once), the promise check run
-- twice changing nothing, and every error the SQL of src/collect/ raises,
-- with its SQLSTATE and message. The job run_promise_check commits, so its
-- work, settle_promises (and job_run_promise_check, which adds the policy's
-- grace days), is called here inside the transaction.
BEGIN;
SELECT plan(121);
SET LOCAL datestyle = ISO;

-- The hint of the error a statement raises.
CREATE FUNCTION pg_temp.hint_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END
$$;
-- A promise's state, for comparing.
CREATE FUNCTION pg_temp.promise_state(p_note text) RETURNS text LANGUAGE sql AS $$
    SELECT row(p.status, p.paid_amount, p.decided_on)::text FROM o2c.promise p WHERE p.note = p_note
$$;

-- ---------------------------------------------------------------------------
-- Promises to pay.

CREATE TABLE tc_payments (payment_id text, customer_id text, received_on date, amount numeric(12,2),
                          currency text, invoice_id text);
-- All made on 1 June. K pays in two parts by its day; PP pays part of it
-- within the grace days; B pays only before it promised; N is due at the
-- end of June; I promised one invoice and pays another first; T promised
-- twice and pays 150 once.
SELECT o2c.record_promise('K',  ' eur ', 100.00, '2026-06-10', NULL, 'kept', '2026-06-01') AS k \gset
SELECT o2c.record_promise('PP', 'EUR', 500.00, '2026-06-10', NULL, 'partly', '2026-06-01') AS pp \gset
SELECT o2c.record_promise('B',  'EUR', 300.00, '2026-06-10', NULL, 'broken', '2026-06-01') AS b \gset
SELECT o2c.record_promise('N',  'EUR', 250.00, '2026-06-30', NULL, 'not due', '2026-06-01') AS n \gset
SELECT o2c.record_promise('I',  'EUR', 400.00, '2026-06-10', '{I-1}', 'invoice', '2026-06-01') AS i \gset
SELECT o2c.record_promise('T',  'EUR', 100.00, '2026-06-10', NULL, 'first', '2026-06-01') AS t1 \gset
SELECT o2c.record_promise('T',  'EUR', 100.00, '2026-06-12', NULL, 'second', '2026-06-01') AS t2 \gset
INSERT INTO tc_payments VALUES
    ('PK-1', 'K',  '2026-06-05',  60.00, 'EUR', NULL),
    ('PK-2', 'K',  '2026-06-09',  40.00, 'eur', NULL),
    ('PP-1', 'PP', '2026-06-12', 200.00, 'EUR', NULL),
    ('PB-1', 'B',  '2026-05-30', 300.00, 'EUR', NULL),
    ('PN-1', 'N',  '2026-06-05', 100.00, 'EUR', NULL),
    ('PI-1', 'I',  '2026-06-05', 400.00, 'EUR', 'I-2'),
    ('PI-2', 'I',  '2026-06-08', 400.00, 'EUR', 'I-1'),
    ('PT-1', 'T',  '2026-06-09', 150.00, 'EUR', NULL);

SELECT is((SELECT row(customer_id, currency, amount, promised_on, due_on, invoice_ids, status, paid_amount,
                      decided_on, created_by = current_user, ledger)::text
           FROM o2c.promise WHERE id = :k),
          '(K,EUR,100.00,2026-06-01,2026-06-10,,open,0,,t,default)',
          'record_promise: open, nothing paid, the currency as its code, by the current user');
SELECT is((SELECT count(*) FROM o2c.promise WHERE status = 'open'), 7::bigint, 'every recorded promise is open');
SELECT is((SELECT invoice_ids FROM o2c.promise WHERE id = :i), '{I-1}'::text[], 'the invoices it is for');

-- 13 June, the last day of grace (3 days) for the promises due on 10 June.
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-13'), 3::bigint,
          'check on 13 June: three promises decided');
SELECT is(pg_temp.promise_state('kept'), '(kept,100.00,2026-06-09)', 'kept: paid in full, on the day the last part arrived');
SELECT is(pg_temp.promise_state('invoice'), '(kept,400.00,2026-06-08)',
          'kept by the payment of its invoice; the payment of another invoice does not count');
SELECT is(pg_temp.promise_state('first'), '(kept,100.00,2026-06-09)', 'of two promises, the one due first is served first');
SELECT is(pg_temp.promise_state('partly'), '(open,200.00,)', 'paid in part within the grace days: still open');
SELECT is(pg_temp.promise_state('broken'), '(open,0.00,)', 'nothing paid, last day of grace: still open');
SELECT is(pg_temp.promise_state('second'), '(open,50.00,)', 'the second promise gets what the payment has left');
SELECT is(pg_temp.promise_state('not due'), '(open,100.00,)', 'not yet due: open, with what has come in');
SELECT is((SELECT array_agg(row(payment_id, invoice_id, amount)::text ORDER BY payment_id)
           FROM o2c.promise_payment WHERE promise_id IN (:t1, :t2)),
          ARRAY['(PT-1,"",100.00)', '(PT-1,"",50.00)'], 'one payment counts once, split between the promises');

-- 14 June: the grace days are over.
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-14'), 2::bigint,
          'check on 14 June: two more decided');
SELECT is(pg_temp.promise_state('partly'), '(partly_kept,200.00,2026-06-13)', 'partly kept, with the amount, on the last day of grace');
SELECT is(pg_temp.promise_state('second'), '(open,50.00,)', 'the second promise, due 12 June, is in its grace days');
SELECT is(pg_temp.promise_state('broken'), '(broken,0.00,2026-06-13)',
          'broken after the grace days (a payment before the promise does not count)');
SELECT is(pg_temp.promise_state('not due'), '(open,100.00,)', 'the promise not yet due stays open');
SELECT is(pg_temp.promise_state('kept'), '(kept,100.00,2026-06-09)', 'a decided promise keeps its state');

-- Idempotence: the same check again changes no row.
CREATE TEMP TABLE tc_before AS
SELECT (SELECT array_agg(p::text ORDER BY p.id) FROM o2c.promise p) AS promises,
       (SELECT array_agg(pp::text ORDER BY pp.promise_id, pp.payment_id, pp.invoice_id) FROM o2c.promise_payment pp) AS payments;
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-14'), 0::bigint, 'run again: nothing newly decided');
SELECT is((SELECT array_agg(p::text ORDER BY p.id) FROM o2c.promise p), (SELECT promises FROM tc_before),
          'run again: the promises are unchanged');
SELECT is((SELECT array_agg(pp::text ORDER BY pp.promise_id, pp.payment_id, pp.invoice_id) FROM o2c.promise_payment pp),
          (SELECT payments FROM tc_before), 'run again: what counted towards which promise is unchanged');
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-20'), 1::bigint, 'check on 20 June: one more decided');
SELECT is(pg_temp.promise_state('second'), '(partly_kept,50.00,2026-06-15)', 'the second promise partly kept');
UPDATE tc_before SET promises = (SELECT array_agg(p::text ORDER BY p.id) FROM o2c.promise p);
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-20'), 0::bigint, 'run again on 20 June: nothing decided');
SELECT is((SELECT array_agg(p::text ORDER BY p.id) FROM o2c.promise p), (SELECT promises FROM tc_before),
          'and nothing changed');
SELECT is((SELECT count(*) FROM o2c.promise WHERE job_run_id IS NOT NULL), 0::bigint, 'no run id given: none recorded');

-- The grace days of a collection policy (the job reads them).
INSERT INTO o2c.collection_policy (policy, promise_grace_days) VALUES ('tc_policy', 10);
SELECT o2c.record_promise('G', 'EUR', 80.00, '2026-06-10', NULL, 'policy', '2026-06-01', 'tc_ledger') AS g \gset
SELECT is(o2c.job_run_promise_check(NULL, '{"payments_sql": "SELECT * FROM tc_payments", "as_of": "2026-06-20",
                                           "policy": "tc_policy", "ledger": "tc_ledger"}'), ARRAY[NULL, 0]::bigint[],
          'policy with 10 grace days: open on the 20th');
SELECT is(pg_temp.promise_state('policy'), '(open,0.00,)', 'still open within the policy''s grace days');
SELECT is(o2c.job_run_promise_check(NULL, '{"payments_sql": "SELECT * FROM tc_payments", "as_of": "2026-06-21",
                                           "policy": "tc_policy", "ledger": "tc_ledger"}'), ARRAY[NULL, 1]::bigint[],
          'broken on the 21st');
SELECT is(pg_temp.promise_state('policy'), '(broken,0.00,2026-06-20)', 'broken on the last day of the policy''s grace');
SELECT is((SELECT count(*) FROM o2c.promise WHERE ledger = 'default' AND status <> 'open'), 6::bigint,
          'the check of one ledger leaves the others alone');
SELECT o2c.record_promise('G', 'EUR', 80.00, '2026-06-10', NULL, 'no policy', '2026-06-01', 'tc_ledger2') AS g2 \gset
SELECT is(o2c.job_run_promise_check(NULL, '{"payments_sql": "SELECT * FROM tc_payments", "as_of": "2026-06-14",
                                           "policy": "no such policy", "ledger": "tc_ledger2"}'), ARRAY[NULL, 1]::bigint[],
          'a policy without a row: 3 grace days');

-- Cancelling.
SELECT is((SELECT count(*) FROM o2c.promise_payment WHERE promise_id = :n), 1::bigint, 'the open promise has a payment counted');
SELECT lives_ok(format('SELECT o2c.cancel_promise(%s, %L)', :n, 'customer changed its mind'), 'cancel an open promise');
SELECT is((SELECT row(status, paid_amount, decided_on = CURRENT_DATE, note)::text FROM o2c.promise WHERE id = :n),
          '(cancelled,0,t,"customer changed its mind")', 'cancelled: nothing paid, decided today, the note replaced');
SELECT is((SELECT count(*) FROM o2c.promise_payment WHERE promise_id = :n), 0::bigint, 'its payments count for it no more');
SELECT o2c.record_promise('C', 'EUR', 10.00, '2026-06-10', NULL, 'keep note', '2026-06-01') AS c \gset
SELECT o2c.cancel_promise(:c);
SELECT is((SELECT note FROM o2c.promise WHERE id = :c), 'keep note', 'cancelled without a note: the old note is kept');
SELECT throws_ok(format('SELECT o2c.cancel_promise(%s)', :n), '55000', format('promise %s is cancelled, not open', :n),
                 'cancelling a cancelled promise');
SELECT throws_ok(format('SELECT o2c.cancel_promise(%s)', :k), '55000', format('promise %s is kept, not open', :k),
                 'cancelling a kept promise');
SELECT throws_ok(format('SELECT o2c.cancel_promise(%s)', :pp), '55000', format('promise %s is partly_kept, not open', :pp),
                 'cancelling a partly kept promise');
SELECT throws_ok(format('SELECT o2c.cancel_promise(%s)', :b), '55000', format('promise %s is broken, not open', :b),
                 'cancelling a broken promise');
SELECT is(pg_temp.hint_of(format('SELECT o2c.cancel_promise(%s)', :b)),
          'Only an open promise can be cancelled; the others are final.', 'its hint');
SELECT is(o2c.settle_promises('SELECT * FROM tc_payments', '2026-07-31'), 0::bigint, 'a cancelled promise is not checked again');
SELECT is((SELECT status FROM o2c.promise WHERE id = :n), 'cancelled', 'and stays cancelled');

-- Promise errors.
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', NULL, '2026-07-01')$$, '22004',
                 'customer_id, currency, amount, due_on, promised_on and ledger must not be null', 'record_promise: NULL amount');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, '2026-07-01', NULL, NULL, '2026-06-01', NULL)$$, '22004',
                 'customer_id, currency, amount, due_on, promised_on and ledger must not be null', 'record_promise: NULL ledger');
SELECT throws_ok($$SELECT o2c.record_promise(' ', 'EUR', 10, '2026-07-01')$$, '22023',
                 'customer_id must not be blank', 'record_promise: blank customer');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EURO', 10, '2026-07-01')$$, '22023',
                 'unknown currency: "EURO"', 'record_promise: unknown currency');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 0, '2026-07-01')$$, '22023',
                 'amount 0 is not a positive amount', 'record_promise: zero');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 'NaN', '2026-07-01')$$, '22023',
                 'amount NaN is not a positive amount', 'record_promise: NaN');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 'Infinity', '2026-07-01')$$, '22023',
                 'amount Infinity is not a positive amount', 'record_promise: infinite');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'JPY', 10.5, '2026-07-01')$$, '22023',
                 'amount 10.5 has more decimals than JPY has', 'record_promise: more decimals than the currency');
SELECT is(ARRAY[pg_temp.hint_of($$SELECT o2c.record_promise('K', 'EUR', -1, '2026-07-01')$$),
                pg_temp.hint_of($$SELECT o2c.record_promise('K', 'EURO', 1, '2026-07-01')$$)],
          ARRAY['A promise is for an amount to be paid, greater than 0.', 'Use an active ISO 4217 code such as EUR, USD or JPY.'],
          'record_promise: the hints of a promise');
SELECT is(ARRAY[pg_temp.hint_of($$SELECT o2c.amount_check('EUR', 0)$$),
                pg_temp.hint_of($$SELECT o2c.amount_check('EUR', 0, 'fee', 'A fee is greater than 0.')$$)],
          ARRAY['The amount must be greater than 0 and finite.', 'A fee is greater than 0.'],
          'amount_check on its own: its default hint, or the caller''s');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, 'infinity', NULL, NULL, '2026-06-01')$$, '22008',
                 'due_on and promised_on must be finite dates', 'record_promise: infinite due_on');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, '2026-07-01', NULL, NULL, '-infinity')$$, '22008',
                 'due_on and promised_on must be finite dates', 'record_promise: infinite promised_on');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, '2026-05-01', NULL, NULL, '2026-06-01')$$, '22023',
                 'due_on 2026-05-01 is before promised_on 2026-06-01', 'record_promise: due before promised');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, '2026-07-01', '{}', NULL, '2026-06-01')$$, '22023',
                 'invoice_ids must be NULL (the whole balance) or list invoices without NULLs', 'record_promise: no invoices');
SELECT throws_ok($$SELECT o2c.record_promise('K', 'EUR', 10, '2026-07-01', '{I-1,NULL}', NULL, '2026-06-01')$$, '22023',
                 'invoice_ids must be NULL (the whole balance) or list invoices without NULLs', 'record_promise: a NULL invoice');
SELECT throws_ok($$SELECT o2c.cancel_promise(NULL)$$, '22004', 'promise_id must not be null', 'cancel_promise: NULL');
SELECT throws_ok($$SELECT o2c.cancel_promise(-1)$$, 'P0002', 'promise -1 does not exist', 'cancel_promise: no such promise');
SELECT throws_ok($$SELECT o2c.settle_promises('SELECT * FROM tc_payments', NULL)$$, '22004',
                 'payments_sql, as_of, grace_days and ledger must not be null', 'settle_promises: NULL as_of');
SELECT throws_ok($$SELECT o2c.settle_promises(NULL, '2026-06-20')$$, '22004',
                 'payments_sql, as_of, grace_days and ledger must not be null', 'settle_promises: NULL query');
SELECT throws_ok($$SELECT o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-20', -1)$$, '22023',
                 'grace_days must be between 0 and 365, not -1', 'settle_promises: negative grace days');
SELECT throws_ok($$SELECT o2c.settle_promises('SELECT * FROM tc_payments', '2026-06-20', 366)$$, '22023',
                 'grace_days must be between 0 and 365, not 366', 'settle_promises: more than a year of grace');
SELECT throws_ok($$SELECT o2c.settle_promises('SELECT * FROM tc_payments', 'infinity')$$, '22008',
                 'as_of must be a finite date, not infinity', 'settle_promises: infinite as_of');
SELECT throws_ok($$CALL o2c.run_promise_check('SELECT * FROM tc_payments', NULL)$$, '22004',
                 'payments_sql, as_of, ledger and options must not be null', 'run_promise_check: NULL as_of');

-- ---------------------------------------------------------------------------
-- Disputes and deductions.

SELECT is(o2c.install_dispute_reasons(), 7, 'the default reasons');
SELECT is(o2c.install_dispute_reasons(), 0, 'installed again: none added');
SELECT o2c.open_dispute('TI-1', ' eur ', 50.00, 'damaged_goods', 'TC', NULL, 'two cartons', '2026-06-01') AS d1 \gset
SELECT o2c.open_dispute('TI-2', 'EUR', 20.00, 'pricing', 'TC', 'dora', NULL, '2026-06-01') AS d2 \gset
SELECT o2c.open_dispute('TI-3', 'EUR', 30.00, 'tax', 'TC', NULL, NULL, '2026-06-01') AS d3 \gset
SELECT is((SELECT row(invoice_id, customer_id, currency, amount, reason, status, owner, opened_on, resolved_on,
                      resolution, note, ledger)::text FROM o2c.dispute WHERE id = :d1),
          '(TI-1,TC,EUR,50.00,damaged_goods,open,logistics,2026-06-01,,,"two cartons",default)',
          'open_dispute: open, owned by the reason''s role');
SELECT is((SELECT owner FROM o2c.dispute WHERE id = :d2), 'dora', 'an owner named is the owner');

SELECT lives_ok(format('SELECT o2c.resolve_dispute(%s, %L, %L, %L)', :d1, 'credited', 'credit note CN-1', '2026-06-05'),
                'resolve as credited');
SELECT lives_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, %L)', :d2, 'collected', '2026-06-01'),
                'resolve as collected (on the day it was opened)');
SELECT lives_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, %L)', :d3, 'written_off', '2026-06-30'),
                'resolve as written off');
SELECT is((SELECT array_agg(row(status, resolution, resolved_on, note)::text ORDER BY id) FROM o2c.dispute
           WHERE id IN (:d1, :d2, :d3)),
          ARRAY['(resolved,credited,2026-06-05,"credit note CN-1")', '(resolved,collected,2026-06-01,)',
                '(resolved,written_off,2026-06-30,)'],
          'resolved, with the resolution and the day; the note when given');
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, %L)', :d1, 'collected', '2026-06-06'), '55000',
                 format('dispute %s is already resolved', :d1), 'resolving twice');
SELECT is((SELECT row(resolution, resolved_on)::text FROM o2c.dispute WHERE id = :d1), '(credited,2026-06-05)',
          'the first resolution stands');
SELECT o2c.open_dispute('TI-4', 'EUR', 5.00, 'quantity', 'TC', NULL, NULL, CURRENT_DATE - 1) AS d4 \gset
SELECT o2c.resolve_dispute(:d4, 'collected');
SELECT is((SELECT resolved_on FROM o2c.dispute WHERE id = :d4), CURRENT_DATE, 'resolved today by default');

-- Deductions from cash application's short pays and partial payments.
CREATE TABLE tc_invoices (invoice_id text, customer_id text, open_amount numeric(12,2), currency text);
INSERT INTO tc_invoices VALUES
    ('DI-1', 'DC', 100.00, 'EUR'), ('DI-2', 'DC', 500.00, 'eur'), ('DI-3', 'DC', 80.00, 'EUR'),
    ('DI-4', 'DC', 60.00, 'EUR'), ('DI-5', 'DC', 70.00, 'EUR');
CREATE TABLE tc_dpayments (payment_id text, received_on date, amount numeric(12,2), currency text, reference text);
INSERT INTO tc_dpayments VALUES
    ('DP-1', '2026-06-02',  97.00, 'EUR', 'DI-1 less 3% rebate'),
    ('DP-2', '2026-06-02', 200.00, 'EUR', 'DI-2 first part'),
    ('DP-3', '2026-06-02',  80.00, 'EUR', 'DI-3'),
    ('DP-4', '2026-06-02',  60.00, 'EUR', NULL);
INSERT INTO o2c.cash_match (payment_id, invoice_id, applied_amount, rule, status) VALUES
    ('DP-1', 'DI-1',  97.00, 'short_pay', 'auto'),
    ('DP-2', 'DI-2', 200.00, 'partial',   'suggested'),
    ('DP-3', 'DI-3',  80.00, 'reference', 'auto'),
    ('DP-4', 'DI-4',  60.00, 'short_pay', 'auto');   -- open amount already reduced: nothing left open
SELECT is((SELECT array_agg(row(payment_id, invoice_id, amount, remittance)::text ORDER BY payment_id)
           FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments', 'deduction', 'default', '2026-06-03')),
          ARRAY['(DP-1,DI-1,3.00,"DI-1 less 3% rebate")', '(DP-2,DI-2,300.00,"DI-2 first part")'],
          'open_deductions: one deduction per short pay or partial payment that left something open, with its remittance');
SELECT is((SELECT array_agg(row(customer_id, currency, reason, owner, status, opened_on, payment_id)::text ORDER BY payment_id)
           FROM o2c.dispute WHERE payment_id IS NOT NULL),
          ARRAY['(DC,EUR,deduction,sales,open,2026-06-03,DP-1)', '(DC,EUR,deduction,sales,open,2026-06-03,DP-2)'],
          'deductions are open disputes of the reason, owned by its role');
SELECT is((SELECT count(*) FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments',
                                                     'deduction', 'default', '2026-06-04')),
          0::bigint, 'a second call opens none');
SELECT o2c.resolve_dispute((SELECT id FROM o2c.dispute WHERE payment_id = 'DP-1'), 'written_off', NULL, '2026-06-10');
SELECT is((SELECT count(*) FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments',
                                                     'deduction', 'default', '2026-06-11')),
          0::bigint, 'nor once the deduction is resolved');
INSERT INTO o2c.cash_match (payment_id, invoice_id, applied_amount, rule, status) VALUES
    ('DP-5', 'DI-5', 69.00, 'short_pay', 'auto');
SELECT is((SELECT array_agg(row(payment_id, amount, remittance)::text)
           FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments', 'deduction', 'default', '2026-06-12')),
          ARRAY['(DP-5,1.00,)'], 'a new short pay: only it is opened (no remittance for a payment the query lacks)');
SELECT is((SELECT count(*) FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments',
                                                     'deduction', 'tc_ledger', '2026-06-12')),
          0::bigint, 'another ledger''s cash application opens none');

-- Dispute errors.
SELECT throws_ok($$SELECT o2c.open_dispute(NULL, 'EUR', 10, 'pricing')$$, '22004',
                 'invoice_id, currency, amount, reason and opened_on must not be null', 'open_dispute: NULL invoice');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 10, 'pricing', NULL, NULL, NULL, NULL)$$, '22004',
                 'invoice_id, currency, amount, reason and opened_on must not be null', 'open_dispute: NULL opened_on');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EURO', 10, 'pricing')$$, '22023',
                 'unknown currency: "EURO"', 'open_dispute: unknown currency');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', -5, 'pricing')$$, '22023',
                 'amount -5 is not a positive amount', 'open_dispute: negative');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 'NaN', 'pricing')$$, '22023',
                 'amount NaN is not a positive amount', 'open_dispute: NaN');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 10.001, 'pricing')$$, '22023',
                 'amount 10.001 has more decimals than EUR has', 'open_dispute: more decimals than the currency');
SELECT is(ARRAY[pg_temp.hint_of($$SELECT o2c.open_dispute('TI-9', 'EUR', 0, 'pricing')$$),
                pg_temp.hint_of($$SELECT o2c.open_dispute('TI-9', 'EUR', 1, 'weather')$$)],
          ARRAY['A dispute is about an amount of the invoice, greater than 0.',
                'Use a code of o2c.dispute_reason; o2c.install_dispute_reasons() adds a default set.'],
          'open_dispute: the hints of a dispute');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 10, 'pricing', NULL, NULL, NULL, 'infinity')$$, '22008',
                 'opened_on must be a finite date, not infinity', 'open_dispute: infinite opened_on');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 10, 'weather')$$, '22023',
                 'unknown dispute reason: "weather"', 'open_dispute: unknown reason');
SELECT throws_ok($$SELECT o2c.open_dispute('TI-9', 'EUR', 10, 'pricing', NULL, NULL, NULL, '2026-06-01', NULL)$$, '22004',
                 'ledger must not be null', 'open_dispute: NULL ledger');
SELECT throws_ok($$SELECT o2c.dispute_check('TI-9', 'EUR', 10, 'weather', '2026-06-01')$$, '22023',
                 'unknown dispute reason: "weather"', 'dispute_check on its own');
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, NULL)', :d4), '22004',
                 'dispute_id, resolution and resolved_on must not be null', 'resolve_dispute: NULL resolution');
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, NULL)', :d4, 'credited'), '22004',
                 'dispute_id, resolution and resolved_on must not be null', 'resolve_dispute: NULL resolved_on');
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, %L)', :d4, 'forgotten'), '22023',
                 'unknown resolution: "forgotten"', 'resolve_dispute: unknown resolution');
SELECT throws_ok($$SELECT o2c.resolve_dispute(-1, 'collected', NULL, '2026-06-05')$$, 'P0002',
                 'dispute -1 does not exist', 'resolve_dispute: no such dispute');
SELECT o2c.open_dispute('TI-5', 'EUR', 10.00, 'pricing', 'TC', NULL, NULL, '2026-06-01') AS d5 \gset
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, %L)', :d5, 'credited', '2026-05-31'), '22023',
                 'resolved_on 2026-05-31 is before the dispute was opened (2026-06-01)', 'resolve_dispute: before it was opened');
SELECT throws_ok(format('SELECT o2c.resolve_dispute(%s, %L, NULL, %L)', :d5, 'credited', 'infinity'), '22008',
                 'resolved_on must be a finite date, not infinity', 'resolve_dispute: infinite resolved_on');
SELECT is((SELECT status FROM o2c.dispute WHERE id = :d5), 'open', 'a failed resolution leaves the dispute open');
SELECT throws_ok($$SELECT * FROM o2c.open_deductions(NULL, 'SELECT * FROM tc_dpayments')$$, '22004',
                 'invoices_sql, payments_sql and ledger must not be null', 'open_deductions: NULL query');
INSERT INTO o2c.cash_match (payment_id, invoice_id, applied_amount, rule, status) VALUES
    ('DP-6', 'DI-2', 100.00, 'partial', 'suggested');
SELECT throws_ok($$SELECT * FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments', 'nope')$$,
                 '22023', 'unknown dispute reason: "nope"', 'open_deductions: unknown reason');
SELECT throws_ok($$SELECT * FROM o2c.open_deductions('SELECT * FROM tc_invoices', 'SELECT * FROM tc_dpayments',
                                                     'deduction', 'default', NULL)$$,
                 '22004', 'invoice_id, currency, amount, reason and opened_on must not be null', 'open_deductions: NULL opened_on');

-- ---------------------------------------------------------------------------
-- Strategies: a rule is checked when saved; assign_strategies' errors.

SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '[]', 'email')$$,
                 '22023', 'rule of strategy "x" must be a JSON object', 'rule not an object');
SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"segment": 5}', 'email')$$,
                 '22023', 'rule of strategy "x": segment must be a string or an array of strings', 'segment not a string');
SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"min_balance": "1000"}', 'email')$$,
                 '22023', 'rule of strategy "x": min_balance must be a number', 'min_balance not a number');
SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"risk_grade_at_least": "F"}', 'email')$$,
                 '22023', 'rule of strategy "x": risk_grade_at_least must be a grade A to E', 'not a grade');
SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"has_open_promise": "yes"}', 'email')$$,
                 '22023', 'rule of strategy "x": has_open_promise must be true or false', 'not a boolean');
SELECT throws_ok($$INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('x', 1, '{"region": "EU"}', 'email')$$,
                 '22023', 'rule of strategy "x": unknown condition "region"', 'unknown condition');
INSERT INTO o2c.collection_strategy (name, priority, rule, channel) VALUES ('tc_all', 1, '{}', 'email');
SELECT throws_ok($$UPDATE o2c.collection_strategy SET rule = '{"max_days_past_due": true}' WHERE name = 'tc_all'$$,
                 '22023', 'rule of strategy "tc_all": max_days_past_due must be a number', 'an update is checked too');
SELECT throws_ok($$SELECT * FROM o2c.assign_strategies(NULL)$$, '22004',
                 'customers_sql, as_of and ledger must not be null', 'assign_strategies: NULL query');
SELECT throws_ok($$SELECT * FROM o2c.assign_strategies('SELECT ''A'' AS customer_id UNION ALL SELECT ''A''', '2026-06-30')$$,
                 '21000', 'customers_sql gives a customer more than once: "A"', 'assign_strategies: a customer twice');

-- ---------------------------------------------------------------------------
-- Letters: templates checked when saved, rendering errors.

SELECT throws_ok($$SELECT o2c.letter_fields('Dear {{customer_name', 'subject')$$, '22023',
                 '"{{" without "}}" in subject: "{{customer_name"', 'letter_fields: an unclosed placeholder');
SELECT throws_ok($$INSERT INTO o2c.letter_template (kind, level, language, subject, body_text)
                   VALUES ('dunning', 0, 'en', 'Reminder', 'Dear {{customer}}')$$, '22023',
                 'unknown placeholder {{customer}} in body_text of template dunning/0/en', 'template: unknown placeholder');
SELECT throws_ok($$INSERT INTO o2c.letter_template (kind, level, language, subject, body_text, body_html)
                   VALUES ('dunning', 2, 'de', 'Mahnung', 'Hallo', '<p>{{customer_name</p>')$$, '22023',
                 '"{{" without "}}" in body_html of template dunning/2/de: "{{customer_name</p>"', 'template: unclosed placeholder');
SELECT throws_ok($$SELECT o2c.render_letter('Dear {{customer_name', '{}')$$, '22023',
                 '"{{" without "}}" in template: "{{customer_name"', 'render_letter: an unclosed placeholder');
SELECT throws_ok($$SELECT o2c.render_letter('Dear {{customer_name}}', '{"level": 1}')$$, '22023',
                 'placeholder {{customer_name}} has no value', 'render_letter: a placeholder without a value');
SELECT throws_ok($$SELECT o2c.render_letter('Dear {{customer_name}}', '{"customer_name": null}')$$, '22023',
                 'placeholder {{customer_name}} has no value', 'render_letter: a JSON null is no value');
SELECT throws_ok($$SELECT o2c.render_letter('{{items}}', '{"items": "INV-1"}')$$, '22023',
                 'placeholder {{items}} must be an array of invoices', 'render_letter: items not an array');

SELECT * FROM finish();
ROLLBACK;

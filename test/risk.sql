-- pgTAP: customer history, training determinism, scoring with empty
-- histories, disputed invoices left out of the lateness signal, every error
-- path.
BEGIN;
SELECT plan(50);

CREATE TABLE r_book (invoice_id text, customer_id text, invoice_date date,
                     due_date date, amount numeric, paid_on date, disputed boolean);
INSERT INTO r_book VALUES
    ('A1', 'ACME', '2024-01-10', '2024-02-09', 100.00, '2024-02-09', false),
    ('A2', 'ACME', '2024-02-10', '2024-03-11', 300.00, '2024-03-21', true),
    ('A3', 'ACME', '2024-03-10', '2024-04-09', 200.00, '2024-04-29', false),
    ('A4', 'ACME', '2024-04-10', '2024-05-10', 400.00, '2024-05-08', false),
    ('A5', 'ACME', '2024-05-10', '2024-06-09', 150.00, NULL,         false),
    ('A6', 'ACME', '2024-06-15', '2024-07-15', 250.00, '2024-07-05', false);

-- History numbers a reader can check (see sql/risk.sql for the arithmetic).
-- A2 was disputed: it counts as paid, and in dispute_rate, but not in the
-- lateness columns (A1 0, A3 20, A4 0 days late).
SELECT is((SELECT row(invoices, invoices_paid, share_paid_late, avg_days_late, recent_days_late,
                      trend_days_late, dispute_rate, open_amount, overdue_amount, max_days_late)::text
           FROM o2c.customer_history('SELECT * FROM r_book', '2024-06-30')),
          '(6,4,0.3333,5.71,6.67,0.96,0.1667,400.00,150.00,21)', 'ACME history as of 2024-06-30');
SELECT is((SELECT open_amount FROM o2c.customer_history('SELECT * FROM r_book', '2024-07-04')),
          400.00, 'an invoice settled after as_of is open then');
SELECT is((SELECT open_amount FROM o2c.customer_history('SELECT * FROM r_book', '2024-07-05')),
          150.00, 'and settled from its paid_on on');
SELECT is((SELECT recent_days_late FROM o2c.customer_history('SELECT * FROM r_book', '2024-05-01')),
          10.00, 'last settled by paid_on, disputed A2 left out: A3 20, A1 0: (20 + 0) / 2');
SELECT is((SELECT count(*) FROM o2c.customer_history('SELECT * FROM r_book', '2024-01-09')),
          0::bigint, 'nothing known before the first invoice: no row');
SELECT is((SELECT count(*) FROM o2c.customer_history('SELECT * FROM r_book WHERE false', '2024-06-30')),
          0::bigint, 'empty history: no rows');
SELECT is((SELECT count(*) FROM o2c.customer_history('SELECT * FROM r_book', NULL)),
          0::bigint, 'STRICT: NULL as_of gives no rows');
SELECT is((SELECT avg_days_late FROM o2c.customer_history(
              'SELECT invoice_id, customer_id, invoice_date, due_date, amount::int AS amount, paid_on FROM r_book', '2024-06-30')),
          7.00, 'integer amounts and no disputed column');

-- A generated book (no random()): 60 customers x 25 invoices.
CREATE TABLE r_gen AS
SELECT 'G' || lpad((c * 100 + i)::text, 6, '0') AS invoice_id,
       'C' || lpad(c::text, 3, '0') AS customer_id,
       d AS invoice_date, d + 30 AS due_date,
       (40 + (c * 31 + i * 13) % 300)::numeric(10,2) AS amount,
       CASE WHEN d > DATE '2023-11-20' AND (c + i) % 2 = 0 THEN NULL
            ELSE d + 30 + CASE c % 5
                WHEN 0 THEN -(i % 4)
                WHEN 1 THEN CASE WHEN i % 4 = 0 THEN 0 ELSE 5 + (c + i) % 20 END
                WHEN 2 THEN CASE WHEN i % 3 = 0 THEN 15 ELSE 0 END
                WHEN 3 THEN CASE WHEN dis THEN 30 ELSE 0 END
                ELSE CASE WHEN i > 12 THEN 10 + i ELSE 0 END END END AS paid_on,
       dis AS disputed
FROM generate_series(1, 60) c, generate_series(0, 24) i,
     LATERAL (SELECT DATE '2023-01-02' + (i * 14 + c % 9) AS d, (c * 3 + i * 7) % 9 = 0 AS dis) x;

-- customer_history against plain SQL and o2c.avg_days_late on the generated book.
SELECT is((SELECT array_agg(row(customer_id, invoices, invoices_paid, avg_days_late, open_amount, overdue_amount)::text ORDER BY customer_id)
           FROM o2c.customer_history('SELECT * FROM r_gen', '2023-09-15')),
          (SELECT array_agg(row(customer_id, n, np, adl, oa, oda)::text ORDER BY customer_id) FROM (
              SELECT customer_id, count(*) AS n,
                     count(*) FILTER (WHERE paid_on <= '2023-09-15') AS np,
                     o2c.avg_days_late(amount, due_date, paid_on) FILTER (WHERE paid_on <= '2023-09-15' AND NOT disputed) AS adl,
                     coalesce(sum(amount) FILTER (WHERE paid_on IS NULL OR paid_on > '2023-09-15'), 0) AS oa,
                     coalesce(sum(amount) FILTER (WHERE (paid_on IS NULL OR paid_on > '2023-09-15') AND due_date < '2023-09-15'), 0) AS oda
              FROM r_gen WHERE invoice_date <= '2023-09-15' GROUP BY customer_id) x),
          'history counts, avg_days_late (= o2c.avg_days_late over the undisputed) and open amounts agree with SQL');
SELECT is((SELECT array_agg(share_paid_late ORDER BY customer_id) FROM o2c.customer_history('SELECT * FROM r_gen', '2023-09-15')),
          (SELECT array_agg(r ORDER BY customer_id) FROM (
              SELECT customer_id, round(count(*) FILTER (WHERE paid_on > due_date)::numeric / count(*), 4) AS r
              FROM r_gen WHERE paid_on <= '2023-09-15' AND NOT disputed GROUP BY customer_id) x),
          'share_paid_late agrees with SQL over the undisputed invoices');
SELECT is((SELECT array_agg(max_days_late ORDER BY customer_id) FROM o2c.customer_history('SELECT * FROM r_gen', '2023-12-31')),
          (SELECT array_agg(m ORDER BY customer_id) FROM (
              SELECT customer_id, nullif(greatest(max(paid_on - due_date) FILTER (WHERE paid_on <= '2023-12-31'),
                                          max(DATE '2023-12-31' - due_date) FILTER (WHERE (paid_on IS NULL OR paid_on > '2023-12-31') AND due_date < '2023-12-31'), 0), NULL) AS m
              FROM r_gen WHERE invoice_date <= '2023-12-31' GROUP BY customer_id) x),
          'max_days_late covers paid and open overdue invoices');

CALL o2c.train_risk_model('t1', 'SELECT * FROM r_gen', '2023-10-31');
CALL o2c.train_risk_model('t2', 'SELECT * FROM r_gen ORDER BY md5(invoice_id)', '2023-10-31');
CALL o2c.train_risk_model('t3', 'SELECT * FROM r_gen ORDER BY invoice_id DESC', '2023-10-31');
SELECT is((SELECT count(DISTINCT row(intercept, coefficients, feature_mean, feature_scale, rows,
                                     late_rows, holdout_rows, holdout_from, holdout_auc, holdout_log_loss))
           FROM o2c.risk_model WHERE name IN ('t1', 't2', 't3')),
          1::bigint, 'training on the same rows in any order gives the same model');
CALL o2c.train_risk_model('t1', 'SELECT * FROM r_gen', '2023-10-31');
SELECT is((SELECT count(*) FROM o2c.risk_model WHERE name = 't1'), 1::bigint, 'training again replaces the model');
SELECT is((SELECT coefficients = (SELECT coefficients FROM o2c.risk_model WHERE name = 't2') FROM o2c.risk_model WHERE name = 't1'),
          true, 'and gives the same coefficients');
SELECT ok((SELECT holdout_auc > 0.75 AND holdout_auc <= 1 FROM o2c.risk_model WHERE name = 't1'),
          'holdout AUC on a book with clear payers is high');
SELECT is((SELECT rows FROM o2c.risk_model WHERE name = 't1'),
          (SELECT count(*) FROM r_gen WHERE invoice_date <= '2023-10-31'
             AND (paid_on <= '2023-10-31' OR DATE '2023-10-31' - due_date > 0)),
          'labels: settled by as_of, or open and already late');
SELECT is((SELECT late_rows FROM o2c.risk_model WHERE name = 't1'),
          (SELECT count(*) FROM r_gen WHERE invoice_date <= '2023-10-31'
             AND ((paid_on <= '2023-10-31' AND paid_on > due_date)
                  OR (paid_on IS NULL OR paid_on > '2023-10-31') AND DATE '2023-10-31' - due_date > 0)),
          'late labels counted the same way');
SELECT ok((SELECT holdout_rows::float8 / rows BETWEEN 0.15 AND 0.3 AND holdout_from > window_from
           FROM o2c.risk_model WHERE name = 't1'), 'holdout is about the latest 20% of the window');
CALL o2c.train_risk_model('t4', 'SELECT * FROM r_gen', '2023-10-31', '{"late_days": 10, "l2": 5}');
SELECT is((SELECT row(late_days, l2)::text FROM o2c.risk_model WHERE name = 't4'), '(10,5)', 'options are stored');
SELECT ok((SELECT late_rows < (SELECT late_rows FROM o2c.risk_model WHERE name = 't1') FROM o2c.risk_model WHERE name = 't4'),
          'late_days raises the bar for a late label');

-- The training sweep against plain SQL: each labelled invoice's features
-- from the history known the day before its date (disputed invoices left
-- out of share_paid_late, avg_days_late, recent_days_late, open_overdue and
-- no_paid_history's paid count); the stored means are their means.
SELECT is((SELECT array_agg(abs(m.feature_mean[j] - f.v[j]) < 1e-9 ORDER BY j)
           FROM o2c.risk_model m, generate_series(1, 9) j,
                (SELECT ARRAY[avg(ln(1 + known)), avg(CASE WHEN paid > 0 THEN late / paid ELSE 0 END),
                              avg(CASE WHEN paid > 0 THEN CASE WHEN pa > 0 THEN pad / pa ELSE pd / paid END ELSE 0 END),
                              avg(CASE WHEN paid > 0 THEN recent ELSE 0 END),
                              avg(CASE WHEN known > 0 THEN dis / known ELSE 0 END),
                              avg(CASE WHEN known > 0 AND amount > 0 AND asum > 0 THEN ln(amount / (asum / known)) ELSE 0 END),
                              avg(CASE WHEN disputed THEN 1 ELSE 0 END), avg(ln(1 + oo)),
                              avg(CASE WHEN paid = 0 THEN 1 ELSE 0 END)] AS v
                 FROM r_gen l,
                 LATERAL (SELECT count(*)::float8 AS known,
                                 count(*) FILTER (WHERE h.disputed)::float8 AS dis,
                                 coalesce(sum(h.amount::float8), 0) AS asum,
                                 count(*) FILTER (WHERE NOT h.disputed AND h.paid_on < l.invoice_date)::float8 AS paid,
                                 count(*) FILTER (WHERE NOT h.disputed AND h.paid_on < l.invoice_date
                                                  AND h.paid_on > h.due_date)::float8 AS late,
                                 coalesce(sum(h.amount::float8) FILTER (WHERE NOT h.disputed AND h.paid_on < l.invoice_date), 0) AS pa,
                                 coalesce(sum(h.amount::float8 * greatest(0, h.paid_on - h.due_date))
                                          FILTER (WHERE NOT h.disputed AND h.paid_on < l.invoice_date), 0) AS pad,
                                 coalesce(sum(greatest(0, h.paid_on - h.due_date))
                                          FILTER (WHERE NOT h.disputed AND h.paid_on < l.invoice_date), 0)::float8 AS pd,
                                 count(*) FILTER (WHERE NOT h.disputed AND h.due_date < l.invoice_date - 1
                                                  AND (h.paid_on IS NULL OR h.paid_on >= l.invoice_date))::float8 AS oo
                          FROM r_gen h WHERE h.customer_id = l.customer_id AND h.invoice_date < l.invoice_date) k,
                 LATERAL (SELECT avg(d)::float8 AS recent FROM (
                              SELECT greatest(0, h.paid_on - h.due_date) AS d FROM r_gen h
                              WHERE h.customer_id = l.customer_id AND h.invoice_date < l.invoice_date
                                AND NOT h.disputed AND h.paid_on < l.invoice_date
                              ORDER BY greatest(h.paid_on, h.invoice_date) DESC, h.paid_on DESC,
                                       h.invoice_date DESC, h.invoice_id DESC LIMIT 3) x) r
                 WHERE l.invoice_date <= '2023-10-31' AND l.amount > 0
                   AND (l.paid_on <= '2023-10-31' OR DATE '2023-10-31' - l.due_date > 0)) f
           WHERE m.name = 't1'),
          ARRAY[true, true, true, true, true, true, true, true, true],
          'training features (their stored means) agree with plain SQL over the history known the day before');

-- Disputed invoices are left out of the lateness signal ("can pay but does
-- not"): DISP paid late and is overdue only on disputed invoices; PLAIN has
-- the same invoices, none disputed; ONLYD paid only a disputed invoice.
CREATE TABLE r_disp (invoice_id text, customer_id text, invoice_date date,
                     due_date date, amount numeric, paid_on date, disputed boolean);
INSERT INTO r_disp VALUES
    ('D1', 'DISP',  '2024-01-10', '2024-02-09', 100.00, '2024-02-09', false),  -- on time
    ('D2', 'DISP',  '2024-02-10', '2024-03-11', 300.00, '2024-04-10', true),   -- 30 late, disputed
    ('D3', 'DISP',  '2024-03-10', '2024-04-09', 200.00, NULL,         true),   -- open, overdue, disputed
    ('D4', 'DISP',  '2024-04-10', '2024-05-10', 400.00, '2024-05-08', false),  -- early
    ('P1', 'PLAIN', '2024-01-10', '2024-02-09', 100.00, '2024-02-09', false),
    ('P2', 'PLAIN', '2024-02-10', '2024-03-11', 300.00, '2024-04-10', false),
    ('P3', 'PLAIN', '2024-03-10', '2024-04-09', 200.00, NULL,         false),
    ('P4', 'PLAIN', '2024-04-10', '2024-05-10', 400.00, '2024-05-08', false),
    ('E1', 'ONLYD', '2024-05-01', '2024-05-31',  50.00, '2024-06-20', true),   -- 20 late, disputed
    ('E2', 'ONLYD', '2024-06-10', '2024-07-10',  70.00, NULL,         false);  -- not due
SELECT is((SELECT array_agg(row(customer_id, invoices, invoices_paid, share_paid_late, avg_days_late, recent_days_late,
                                trend_days_late, dispute_rate, open_amount, overdue_amount, max_days_late)::text
                            ORDER BY customer_id)
           FROM o2c.customer_history('SELECT * FROM r_disp', '2024-06-30')),
          ARRAY['(DISP,4,3,0.0000,0.00,0.00,0.00,0.5000,200.00,200.00,82)',
                '(ONLYD,2,1,,,,,0.5000,70.00,0,20)',
                '(PLAIN,4,3,0.3333,11.25,10.00,-1.25,0.0000,200.00,200.00,82)'],
          'late only on disputed invoices: share_paid_late, avg and recent days late 0 (NULL with no undisputed payment); amounts, dispute_rate and max_days_late count them');
-- A model that reads only the lateness features (share_paid_late,
-- avg_days_late, recent_days_late, open_overdue), on a scale of 1.
INSERT INTO o2c.risk_model (name, as_of, late_days, l2, features, intercept, coefficients, feature_mean,
                            feature_scale, window_from, window_to, rows, late_rows, holdout_rows, trained_at)
SELECT 'lateness', '2024-06-30', 0, 1, features, 0, '{0,1,0.01,0.1,0,0,0,1,0}', '{0,0,0,0,0,0,0,0,0}',
       '{1,1,1,1,1,1,1,1,1}', '2024-01-10', '2024-06-30', 10, 5, 0, now()
FROM o2c.risk_model WHERE name = 't1';
SELECT is((SELECT array_agg(row(invoice_id, probability, reasons)::text ORDER BY invoice_id)
           FROM o2c.risk_score('lateness', 'SELECT * FROM r_disp',
                $$SELECT * FROM r_disp WHERE invoice_id = 'D3'
                  UNION ALL SELECT 'D9', 'DISP', '2024-06-20', '2024-07-20', 100, NULL, false$$, '2024-06-30')),
          ARRAY['(D3,0.5000,{})', '(D9,0.5000,{})'],
          'risk_score: disputed invoices paid late or open and overdue add nothing to the lateness features');
SELECT is((SELECT reasons FROM o2c.risk_score('lateness', 'SELECT * FROM r_disp',
                $$SELECT 'P9' AS invoice_id, 'PLAIN' AS customer_id, DATE '2024-06-20' AS invoice_date,
                         DATE '2024-07-20' AS due_date, 100 AS amount, false AS disputed$$, '2024-06-30')),
          ARRAY['recent_days_late=10.0', 'open_overdue=1', 'share_paid_late=0.33'],
          'the same invoices undisputed are the reasons of a high score');
SELECT is((SELECT probability FROM o2c.risk_score('lateness', 'SELECT * FROM r_disp WHERE invoice_id <> ''D3''',
                $$SELECT * FROM r_disp WHERE invoice_id = 'D3'$$, '2024-06-30')),
          (SELECT probability FROM o2c.risk_score('lateness', 'SELECT * FROM r_disp',
                $$SELECT * FROM r_disp WHERE invoice_id = 'D3'$$, '2024-06-30')),
          'scoring an open disputed overdue invoice that is in the history equals scoring it without it');

-- Scoring.
CREATE TEMP TABLE sc AS
SELECT * FROM o2c.risk_score('t1', 'SELECT * FROM r_gen',
    $$SELECT invoice_id, customer_id, invoice_date, due_date, amount, disputed FROM r_gen
      WHERE invoice_date >= '2023-11-01'
      UNION ALL SELECT 'N1', 'NEW-1', '2023-11-05', '2023-12-05', 100, false
      UNION ALL SELECT 'N2', 'NEW-2', '2023-11-06', '2023-12-06', 9999, false$$, '2023-11-01');
SELECT is((SELECT count(*) FROM sc), (SELECT count(*) + 2 FROM r_gen WHERE invoice_date >= '2023-11-01'),
          'one score per invoice');
SELECT is((SELECT count(*) FROM sc WHERE probability < 0 OR probability > 1), 0::bigint, 'probabilities in [0, 1]');
SELECT is((SELECT count(*) FROM sc WHERE grade <> CASE WHEN probability < 0.10 THEN 'A' WHEN probability < 0.25 THEN 'B'
                                                     WHEN probability < 0.50 THEN 'C' WHEN probability < 0.75 THEN 'D' ELSE 'E' END),
          0::bigint, 'grades follow the fixed bands');
SELECT is((SELECT count(DISTINCT probability) FROM sc WHERE customer_id LIKE 'NEW-%'), 1::bigint,
          'empty histories: the amount alone does not move the score');
SELECT ok((SELECT reasons <@ ARRAY['prior_invoices=0', 'no_paid_history', 'dispute_rate=0.00', 'open_overdue=0', 'relative_amount=1.00']
           FROM sc WHERE invoice_id = 'N1'), 'empty history reasons name only what is known');
SELECT ok((SELECT bool_and(cardinality(reasons) <= 3) FROM sc), 'at most 3 reasons');
-- A model whose dispute coefficient came out against common sense: a
-- customer with no dispute scores higher for it, but "dispute_rate=0.00" is
-- never given as a reason.
INSERT INTO o2c.risk_model (name, as_of, late_days, l2, features, intercept, coefficients, feature_mean,
                            feature_scale, window_from, window_to, rows, late_rows, holdout_rows, trained_at)
SELECT 'contrary', as_of, late_days, l2, features, intercept, coefficients, feature_mean,
       feature_scale, window_from, window_to, rows, late_rows, holdout_rows, trained_at
FROM o2c.risk_model WHERE name = 't1';
UPDATE o2c.risk_model SET coefficients[5] = -5, feature_mean[5] = 0.5, feature_scale[5] = 1 WHERE name = 'contrary';
SELECT is((SELECT row(probability > (SELECT probability FROM sc WHERE invoice_id = 'N1'),
                      'dispute_rate=0.00' = ANY (reasons))::text
           FROM o2c.risk_score('contrary', 'SELECT * FROM r_gen',
                $$SELECT 'N1' AS invoice_id, 'NEW-1' AS customer_id, DATE '2023-11-05' AS invoice_date,
                         DATE '2023-12-05' AS due_date, 100 AS amount, false AS disputed$$, '2023-11-01')),
          '(t,f)', 'a feature on its safe side of the mean is never a reason, whatever the model learned');
SELECT ok((SELECT avg(probability) FILTER (WHERE customer_id IN (SELECT customer_id FROM r_gen GROUP BY 1 HAVING min(substr(customer_id, 2)::int % 5) = 1))
               > avg(probability) FILTER (WHERE customer_id IN (SELECT customer_id FROM r_gen GROUP BY 1 HAVING min(substr(customer_id, 2)::int % 5) = 0))
           FROM sc), 'late payers score above punctual ones');
-- The scored invoice is left out of its own history.
SELECT is((SELECT array_agg(probability ORDER BY invoice_id) FROM o2c.risk_score('t1', 'SELECT * FROM r_gen',
              $$SELECT * FROM r_gen WHERE invoice_date >= '2023-10-01' AND invoice_date < '2023-11-01'$$, '2023-11-01')),
          (SELECT array_agg(s.probability ORDER BY s.invoice_id) FROM r_gen g,
              LATERAL o2c.risk_score('t1', format('SELECT * FROM r_gen WHERE invoice_id <> %L', g.invoice_id),
                                     format('SELECT * FROM r_gen WHERE invoice_id = %L', g.invoice_id), '2023-11-01') s
           WHERE g.invoice_date >= '2023-10-01' AND g.invoice_date < '2023-11-01'),
          'scoring an invoice that is in the history equals scoring it without it');
SELECT is((SELECT count(*) FROM o2c.risk_score('t1', 'SELECT * FROM r_gen WHERE false', 'SELECT * FROM r_gen WHERE false', '2023-11-01')),
          0::bigint, 'nothing to score: no rows');

-- Catalog: volatility, config dump.
SELECT is((SELECT array_agg(row(proname, provolatile, proparallel, proisstrict, prosecdef)::text ORDER BY proname)
           FROM pg_proc WHERE proname IN ('customer_history', 'risk_score') AND pronamespace = 'o2c'::regnamespace),
          ARRAY['(customer_history,v,r,t,f)', '(risk_score,v,r,t,f)'], 'VOLATILE PARALLEL RESTRICTED STRICT SECURITY INVOKER');
SELECT ok((SELECT 'o2c.risk_model'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'o2c'),
          'o2c.risk_model is dumped by pg_dump');

-- Errors.
SELECT throws_ok($$SELECT * FROM o2c.risk_score('nope', 'SELECT * FROM r_gen', 'SELECT * FROM r_gen', '2023-11-01')$$,
                 '42704', 'risk model "nope" does not exist', 'unknown model');
SELECT throws_ok($$SELECT * FROM o2c.customer_history('SELECT * FROM r_book', 'infinity')$$,
                 '22008', 'as_of date must be a finite date, not "infinity"', 'infinite as_of');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_gen', '2023-10-31', '{"late": 1}')$$,
                 '22023', 'invalid risk model option "late"', 'unknown option');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_gen', '2023-10-31', '{"late_days": -1}')$$,
                 '22023', 'invalid risk model option "late_days"', 'negative late_days');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_gen', '2023-10-31', '{"late_days": 1.5}')$$,
                 '22023', 'invalid risk model option "late_days"', 'fractional late_days');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_gen', '2023-10-31', '{"l2": "big"}')$$,
                 '22023', 'invalid risk model option "l2"', 'l2 not a number');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_gen', '2023-10-31', '[1]')$$,
                 '22023', 'risk model options must be a JSON object', 'options not an object');
SELECT throws_ok($$CALL o2c.train_risk_model('x', 'SELECT * FROM r_book', '2024-06-30')$$,
                 '22023', 'not enough labelled invoices to train risk model "x"', 'too little history');
SELECT throws_ok($$CALL o2c.train_risk_model('', 'SELECT * FROM r_gen', '2023-10-31')$$,
                 '22023', 'risk model name must not be empty', 'empty name');
SELECT throws_ok($$CALL o2c.train_risk_model(NULL, 'SELECT * FROM r_gen', '2023-10-31')$$,
                 '22004', 'name must not be null', 'NULL name');
SELECT throws_ok($$SELECT * FROM o2c.customer_history('SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM r_book', '2024-06-30')$$,
                 '42703', 'column "paid_on" is missing from the history query', 'missing paid_on');
SELECT throws_ok($$SELECT * FROM o2c.customer_history('SELECT invoice_id, customer_id, invoice_date, due_date, amount, paid_on, ''no'' AS disputed FROM r_book', '2024-06-30')$$,
                 '42804', 'column "disputed" of the history query has type text, expected boolean', 'disputed of the wrong type');
SELECT throws_ok($$SELECT * FROM o2c.risk_score('t1', 'SELECT * FROM r_gen', 'SELECT invoice_id, NULL::text AS customer_id, invoice_date, due_date, amount FROM r_gen', '2023-11-01')$$,
                 '22004', 'column "customer_id" of the invoices query must not be null', 'NULL customer in the invoices to score');

SELECT * FROM finish();
ROLLBACK;

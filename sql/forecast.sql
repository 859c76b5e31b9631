-- Cash-in forecast: predicted payment days from each customer's history,
-- promises and disputes; a four-week forecast of a small book.
-- In a database of its own (it records a promise and a dispute).
SET client_min_messages = warning;
SELECT pg_catalog.current_database() AS regress_db \gset
DROP DATABASE IF EXISTS o2c_forecast_test;
CREATE DATABASE o2c_forecast_test;
\c o2c_forecast_test
SET client_min_messages = warning;
SET datestyle = ISO;
\set SHOW_CONTEXT never
CREATE EXTENSION o2c;

-- History: ACME pays about 5 days late, BOREAL a few days early, CASTOR
-- late and irregularly; DELTA has never paid anything.
CREATE TABLE fc_history (invoice_id text, customer_id text, invoice_date date, due_date date,
                         amount numeric(12,2), paid_on date);
INSERT INTO fc_history
SELECT 'H-' || c || '-' || i, c, d - 30, d, 100, d + delay
FROM (VALUES ('ACME', 4), ('ACME', 5), ('ACME', 5), ('ACME', 6), ('ACME', 5), ('ACME', 5),
             ('BOREAL', -3), ('BOREAL', -2), ('BOREAL', 0), ('BOREAL', -1), ('BOREAL', -2), ('BOREAL', -2),
             ('CASTOR', 2), ('CASTOR', 30), ('CASTOR', 12)) h(c, delay),
     LATERAL (SELECT pg_catalog.row_number() OVER () AS i) r,
     LATERAL (SELECT DATE '2026-03-02' + (pg_catalog.length(c) * 7 + delay) AS d) x;
-- Everyone's delays: 10 % at -2, half by 4, 90 % by 12 days.
SELECT pg_catalog.percentile_disc(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY paid_on - due_date) AS everyone
FROM fc_history;

CREATE TABLE fc_open (invoice_id text, customer_id text, due_date date, open_amount numeric(12,2), currency text);
INSERT INTO fc_open VALUES
    ('O-1', 'ACME',   '2026-07-06', 1000.00, 'EUR'),   -- due next week: ACME pays 5 days after
    ('O-2', 'BOREAL', '2026-07-06', 2000.00, 'EUR'),   -- BOREAL pays before the due day
    ('O-3', 'CASTOR', '2026-07-13',  300.00, 'EUR'),   -- little history: pulled towards everyone's
    ('O-4', 'DELTA',  '2026-07-13',  400.00, 'EUR'),   -- no history: everyone's
    ('O-5', 'ACME',   '2026-06-10',  500.00, 'EUR'),   -- 20 days overdue, later than ACME ever paid
    ('O-6', 'BOREAL', '2026-07-20',  800.00, 'USD'),   -- promised for 24 July
    ('O-7', 'CASTOR', '2026-06-28',  600.00, 'EUR');   -- 250.00 of it disputed
SELECT o2c.record_promise('BOREAL', 'USD', 800.00, '2026-07-24', '{O-6}', NULL, '2026-06-29');
SELECT o2c.install_dispute_reasons();
SELECT o2c.open_dispute('O-7', 'EUR', 250.00, 'quantity', 'CASTOR', NULL, NULL, '2026-06-25');

SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01')
ORDER BY invoice_id;
-- With no pull towards everyone, CASTOR is predicted from its three payments alone.
SELECT invoice_id, expected_date, early_date, late_date, basis
FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01',
                              '{"prior_weight": 0}')
WHERE customer_id = 'CASTOR' ORDER BY invoice_id;

-- Four weeks from 1 July, per currency, and per customer: each invoice's
-- amount spread over the days its customer's (and everyone's) history says
-- it may be paid on, from 1 July on, in whole cents; O-5, later than ACME
-- ever paid, goes where everyone's late payments went (CASTOR's 30 days:
-- 10 July); the promised O-6 on its day; early and late are the p10 and
-- p90 scenarios.
SELECT * FROM o2c.cash_forecast('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', 4);
SELECT week_start, currency, customer_id, expected FROM o2c.cash_forecast('SELECT * FROM fc_open',
    'SELECT * FROM fc_history', '2026-07-01', 4, '{"by_customer": true}') WHERE expected <> 0;
-- What the forecast holds is what is open, less what is disputed.
SELECT (SELECT pg_catalog.sum(expected) FROM o2c.cash_forecast('SELECT * FROM fc_open', 'SELECT * FROM fc_history',
                                                               '2026-07-01', 52)) AS forecast_in_a_year,
       (SELECT pg_catalog.sum(open_amount) - 250.00 FROM fc_open) AS open_less_disputed;

-- With a risk model: each invoice's days reweighted so that the share paid
-- more than the model's late_days (7) late is the model's probability. Two
-- hand-made models without features (every coefficient 0): one sure that
-- every invoice is paid late (intercept 20), one sure that none is (-20).
-- ACME's history has no payment more than 7 days late, so O-1's late part
-- comes from everyone's (CASTOR's 12 and 30 days); O-5 (overdue) and O-6
-- (promised) keep their basis.
INSERT INTO o2c.risk_model (name, as_of, late_days, l2, features, intercept, coefficients, feature_mean,
                            feature_scale, window_from, window_to, rows, late_rows, holdout_rows, trained_at)
SELECT m.name, '2026-06-30', 7, 1,
       '{prior_invoices,share_paid_late,avg_days_late,recent_days_late,dispute_rate,relative_amount,disputed,open_overdue,no_paid_history}',
       m.intercept, '{0,0,0,0,0,0,0,0,0}', '{0,0,0,0,0,0,0,0,0}', '{1,1,1,1,1,1,1,1,1}',
       '2026-01-01', '2026-06-30', 15, 2, 0, '2026-06-30'
FROM (VALUES ('always_late', 20), ('never_late', -20)) m(name, intercept);
\set open_q 'SELECT o.*, o.due_date - 30 AS invoice_date, o.open_amount AS amount FROM fc_open o'
SELECT invoice_id, expected_date, early_date, late_date, basis, late_probability
FROM o2c.predict_payment_date(:'open_q', 'SELECT * FROM fc_history', '2026-07-01', '{"risk_model": "always_late"}');
SELECT invoice_id, expected_date, early_date, late_date, basis, late_probability
FROM o2c.predict_payment_date(:'open_q', 'SELECT * FROM fc_history', '2026-07-01', '{"risk_model": "never_late"}');
-- The forecast moves with it and still adds up to what is open.
SELECT f.week_start, f.expected AS always_late, g.expected AS never_late
FROM o2c.cash_forecast(:'open_q', 'SELECT * FROM fc_history', '2026-07-01', 6, '{"risk_model": "always_late"}') f
JOIN o2c.cash_forecast(:'open_q', 'SELECT * FROM fc_history', '2026-07-01', 6, '{"risk_model": "never_late"}') g
  USING (week_start, currency)
WHERE f.currency = 'EUR';
SELECT (SELECT pg_catalog.sum(expected) FROM o2c.cash_forecast(:'open_q', 'SELECT * FROM fc_history',
                                                               '2026-07-01', 52, '{"risk_model": "always_late"}')) AS forecast_in_a_year;
SELECT * FROM o2c.predict_payment_date(:'open_q', 'SELECT * FROM fc_history', '2026-07-01', '{"risk_model": "nope"}');
SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', '{"risk_model": "always_late"}');

-- Errors.
SELECT * FROM o2c.cash_forecast('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', 0);
SELECT * FROM o2c.cash_forecast('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', 4, '{"by_customer": 1}');
SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', '{"prior": 5}');
SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', '2026-07-01', '{"prior_weight": -1}');
SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT invoice_id FROM fc_history', '2026-07-01');
SELECT * FROM o2c.predict_payment_date('SELECT * FROM fc_open', 'SELECT * FROM fc_history', 'infinity');

\c :regress_db
DROP DATABASE o2c_forecast_test;

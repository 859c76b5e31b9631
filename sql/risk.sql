-- Late-payment risk: customer history on a hand-made book, a model trained
-- on a generated book, scores with reasons.

-- A hand-made book. Days late = paid_on - due_date (0 when paid early).
CREATE TABLE book (
    invoice_id   text,
    customer_id  text,
    invoice_date date,
    due_date     date,
    amount       numeric,
    paid_on      date,
    disputed     boolean
);
INSERT INTO book VALUES
    ('A1', 'ACME',   '2024-01-10', '2024-02-09', 100.00, '2024-02-09', false), --  0 late
    ('A2', 'ACME',   '2024-02-10', '2024-03-11', 300.00, '2024-03-21', true),  -- 10 late
    ('A3', 'ACME',   '2024-03-10', '2024-04-09', 200.00, '2024-04-29', false), -- 20 late
    ('A4', 'ACME',   '2024-04-10', '2024-05-10', 400.00, '2024-05-08', false), -- early
    ('A5', 'ACME',   '2024-05-10', '2024-06-09', 150.00, NULL,         false), -- open, 21 days overdue at 06-30
    ('A6', 'ACME',   '2024-06-15', '2024-07-15', 250.00, '2024-07-05', false), -- paid after 06-30: open then
    ('A7', 'ACME',   '2024-07-02', '2024-08-01',  90.00, NULL,         false), -- after 06-30: unknown then
    ('B1', 'BOREAL', '2024-06-01', '2024-07-01', 800,    NULL,         NULL),  -- new customer, not yet due
    ('C1', 'CASTOR', '2024-03-01', '2024-03-31', 500,    '2024-04-05', false), --  5 late
    ('C2', 'CASTOR', '2024-03-15', '2024-03-15', -100,   '2024-03-15', false), -- credit note, settled
    ('D1', 'DELTA',  '2024-08-01', '2024-08-31',  60,    NULL,         false); -- after 06-30

-- As of 2024-06-30. ACME: 6 invoices known, 4 paid. A2 was disputed: it
-- is paid and disputed (1 of 6), but left out of the lateness columns, so
-- of A1, A3 and A4 one was late (0.3333); amount-weighted days late
-- (100*0 + 200*20 + 400*0) / 700 = 5.71; the last 3 settled are A4 (0),
-- A3 (20), A1 (0): 6.67, trend +0.96; open A5 + A6 = 400.00, overdue A5 =
-- 150.00; longest 21 days (A5, still open). CASTOR: (500*5 - 100*0) / 400 =
-- 6.25. DELTA is not known yet.
SELECT * FROM o2c.customer_history('SELECT * FROM book', '2024-06-30');

-- As of 2024-03-31 only A1-A3 are known and A3 is not yet paid (nor due):
-- A1 was paid on time and A2, 10 days late, was disputed: 0 days late, but
-- 10 the longest; CASTOR's C1 is open and 0 days due.
SELECT * FROM o2c.customer_history('SELECT * FROM book', '2024-03-31');

-- Ids of any type, integer amounts, no disputed column.
SELECT customer_id, invoices, invoices_paid, avg_days_late, open_amount
FROM o2c.customer_history(
    $$SELECT pg_catalog.row_number() OVER (ORDER BY invoice_id) AS invoice_id,
             customer_id, invoice_date, due_date,
             (amount * 100)::bigint AS amount, paid_on
      FROM book$$, '2024-06-30');

-- A generated book: 40 customers, 30 invoices each, one every 12 days from
-- 2023-01, net 30. Groups of customers pay differently: always on time
-- (group 0), often late (1), late every third invoice (2), late only when
-- disputed (3: their lateness features stay 0, the disputed flag carries it).
CREATE TABLE gen AS
SELECT 'INV-' || pg_catalog.lpad((c * 100 + i)::text, 5, '0') AS invoice_id,
       'C' || pg_catalog.lpad(c::text, 2, '0') AS customer_id,
       d AS invoice_date,
       d + 30 AS due_date,
       (50 + (c * 37 + i * 11) % 200)::numeric(10,2) AS amount,
       d + 30 + CASE c % 4
                    WHEN 0 THEN -(i % 3)
                    WHEN 1 THEN CASE WHEN i % 5 = 0 THEN 0 ELSE 8 + i % 9 END
                    WHEN 2 THEN CASE WHEN i % 3 = 0 THEN 18 ELSE 0 END
                    ELSE CASE WHEN dis THEN 25 ELSE 0 END
                END AS paid_on,
       dis AS disputed
FROM pg_catalog.generate_series(1, 40) c,
     pg_catalog.generate_series(0, 29) i,
     LATERAL (SELECT DATE '2023-01-02' + (i * 12 + c % 7) AS d,
                     (c * 7 + i * 3) % 10 = 0 AS dis) x;

CALL o2c.train_risk_model('gen', 'SELECT * FROM gen', '2023-11-30');
SELECT name, as_of, late_days, features, window_from, window_to, rows,
       late_rows, holdout_rows, holdout_from,
       holdout_auc > 0.8 AS auc_above_0_8,
       holdout_log_loss < 0.5 AS log_loss_below_0_5
FROM o2c.risk_model;

-- Score the invoices dated in December with the history known on its first day.
-- An often-late customer (C01), one late every third invoice (C02), one
-- always on time (C04), and a customer the book has never seen (NEW).
SELECT invoice_id, customer_id, pg_catalog.round(probability, 1) AS p,
       grade, reasons
FROM o2c.risk_score('gen', 'SELECT * FROM gen',
    $$SELECT invoice_id, customer_id, invoice_date, due_date, amount, disputed
      FROM gen WHERE invoice_date >= '2023-12-01' AND customer_id IN ('C01', 'C02', 'C04')
      UNION ALL
      SELECT 'X-1', 'NEW', '2023-12-03', '2024-01-02', 120, false$$,
    '2023-12-01')
ORDER BY probability DESC, invoice_id;

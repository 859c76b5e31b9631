-- Collection KPIs. Formulas (README has them too):
--   DSO                     = receivables / credit_sales * days
--   best possible DSO       = current_receivables / credit_sales * days
--   average days delinquent = DSO - best possible DSO
--   CEI                     = (beginning + sales - ending)
--                             / (beginning + sales - ending current) * 100

-- A quarter: 1,200,000 of credit sales over 90 days, 400,000 receivable of
-- which 250,000 not yet due.
SELECT o2c.dso(400000, 1200000, 90)                       AS dso,
       o2c.best_possible_dso(250000, 1200000, 90)         AS best_possible_dso,
       o2c.average_days_delinquent(400000, 250000, 1200000, 90) AS add;

-- Rounded once, half away from zero, from the exact ratio.
SELECT o2c.dso(1, 3, 30)       AS ten,
       o2c.dso(100, 300, 1)    AS one_third,
       o2c.dso(200, 300, 1)    AS two_thirds;

-- A book in credit has no DSO. Overdue credit notes can make the current
-- receivables exceed all receivables: the ADD is then negative.
SELECT o2c.dso(-100, 800, 1) AS credit_balance;
SELECT o2c.average_days_delinquent(100, 300, 800, 30) AS overdue_credit_notes;

-- CEI: began with 500,000, sold 1,200,000, ended with 400,000 of which
-- 250,000 current.
SELECT o2c.cei(500000, 1200000, 400000, 250000) AS cei;

-- No sales: undefined, NULL.
SELECT o2c.dso(1000, 0, 30) AS dso_no_sales, o2c.cei(0, 0, 0, 0) AS cei_nothing_collectible;

-- Amount-weighted days to pay and days late over paid invoices.
CREATE TABLE paid (
    amount       numeric,
    invoice_date date,
    due_date     date,
    paid_on      date
);
INSERT INTO paid VALUES
    (1000.00, '2024-01-01', '2024-01-31', '2024-01-21'),  -- 20 days, 10 early
    ( 500.00, '2024-01-10', '2024-02-09', '2024-02-19'),  -- 40 days, 10 late
    ( 250.00, '2024-02-01', '2024-03-02', '2024-04-01'),  -- 60 days, 30 late
    ( 900.00, '2024-03-01', '2024-03-31', NULL);          -- unpaid: left out

SELECT o2c.avg_days_to_pay(amount, invoice_date, paid_on) AS avg_days_to_pay,
       o2c.avg_days_late(amount, due_date, paid_on)       AS avg_days_late
FROM paid;

SELECT o2c.avg_days_to_pay(amount, invoice_date, paid_on) AS none_paid
FROM paid WHERE paid_on IS NULL;

DROP TABLE paid;

-- o2c demo: a realistic receivables ledger, loaded and reported on.
-- Run by `scripts/run.sh demo` in a fresh database.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION o2c;
SELECT pg_catalog.setseed(0.42) AS seed \gset

\echo
\echo '== The ledger: 40 customers, 3,000 invoices over 18 months, some paid'

-- @demo:ledger
CREATE TABLE customers (
    customer_id text PRIMARY KEY,
    name        text NOT NULL,
    country     text NOT NULL,
    currency    text NOT NULL,
    terms_days  int  NOT NULL
);
INSERT INTO customers
SELECT pg_catalog.format('C%s', pg_catalog.lpad(n::text, 4, '0')), name, country, currency, terms_days
FROM (VALUES
    (1, 'Acme Industrial Supply Inc.', 'US', 'USD', 30), (2, 'Boreal Timber AB', 'SE', 'SEK', 30),
    (3, 'Castor Logistics GmbH', 'DE', 'EUR', 30), (4, 'Delmar Foods S.A.', 'ES', 'EUR', 60),
    (5, 'Elbe Maschinenbau AG', 'DE', 'EUR', 45), (6, 'Fjordline Shipping AS', 'NO', 'EUR', 30),
    (7, 'Greenleaf Organics Ltd', 'GB', 'GBP', 30), (8, 'Harbor Point Marine LLC', 'US', 'USD', 45),
    (9, 'Iberia Ceramics S.L.', 'ES', 'EUR', 60), (10, 'Juniper Health Partners', 'US', 'USD', 30),
    (11, 'Kestrel Aerospace plc', 'GB', 'GBP', 60), (12, 'Lumen Optics B.V.', 'NL', 'EUR', 30),
    (13, 'Meridian Textiles S.p.A.', 'IT', 'EUR', 90), (14, 'Northwind Traders Co.', 'US', 'USD', 30),
    (15, 'Oakridge Building Materials', 'US', 'USD', 30), (16, 'Polaris Data Systems Oy', 'FI', 'EUR', 14),
    (17, 'Quayside Hospitality Group', 'IE', 'EUR', 30), (18, 'Rheinland Chemie GmbH', 'DE', 'EUR', 30),
    (19, 'Sierra Mining Corp.', 'US', 'USD', 60), (20, 'Tessaract Software SAS', 'FR', 'EUR', 30),
    (21, 'Umbria Vini S.r.l.', 'IT', 'EUR', 60), (22, 'Valkyrie Outdoor AB', 'SE', 'SEK', 30),
    (23, 'Westbrook Pharmacy Ltd', 'GB', 'GBP', 30), (24, 'Xenon Lighting Inc.', 'US', 'USD', 45),
    (25, 'Yarrow Gardens LLP', 'GB', 'GBP', 14), (26, 'Zephyr Wind Energy ApS', 'DK', 'EUR', 30),
    (27, 'Alpine Dairy AG', 'CH', 'EUR', 30), (28, 'Bluewater Fisheries Ltd', 'IE', 'EUR', 30),
    (29, 'Cobalt Robotics Inc.', 'US', 'USD', 30), (30, 'Danube Freight Kft.', 'HU', 'EUR', 45),
    (31, 'Everest Outdoor Gear LLC', 'US', 'USD', 30), (32, 'Fairway Golf Supplies', 'US', 'USD', 30),
    (33, 'Granite State Paper Co.', 'US', 'USD', 60), (34, 'Highland Distillers Ltd', 'GB', 'GBP', 30),
    (35, 'Istra Tourism d.o.o.', 'HR', 'EUR', 30), (36, 'Jutland Agro A/S', 'DK', 'EUR', 30),
    (37, 'Kvarken Paper Oy', 'FI', 'EUR', 30), (38, 'Lisboa Cork Lda.', 'PT', 'EUR', 60),
    (39, 'Moravia Glassworks s.r.o.', 'CZ', 'EUR', 30), (40, 'Nordic Wellness AB', 'SE', 'SEK', 30)
) AS c(n, name, country, currency, terms_days);

-- 3,000 invoices from 2025-01-01 to 2026-06-30; most are paid, some late,
-- some partly; a few credit notes.
CREATE TABLE invoices (
    invoice_id   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers,
    invoice_date date NOT NULL,
    due_date     date NOT NULL,
    amount       numeric(12,2) NOT NULL,
    open_amount  numeric(12,2) NOT NULL,
    currency     text NOT NULL,
    paid_on      date
);
INSERT INTO invoices
SELECT pg_catalog.format('INV-%s', pg_catalog.lpad(i::text, 6, '0')),
       c.customer_id, g.invoice_date, g.invoice_date + c.terms_days, g.amount,
       CASE WHEN g.paid_on IS NULL OR g.paid_on > DATE '2026-06-30' THEN g.amount ELSE 0 END,
       c.currency,
       CASE WHEN g.paid_on <= DATE '2026-06-30' THEN g.paid_on END
FROM (SELECT i,
             1 + (pg_catalog.random() * 39)::int AS cust,
             DATE '2025-01-01' + (pg_catalog.random() * 545)::int AS invoice_date,
             pg_catalog.round((150 + pg_catalog.random() ^ 3 * 48000)::numeric, 2)
               * CASE WHEN pg_catalog.random() < 0.03 THEN -1 ELSE 1 END AS amount,
             pg_catalog.random() AS r
      FROM pg_catalog.generate_series(1, 3000) i) s
CROSS JOIN LATERAL (SELECT s.invoice_date, s.amount,
       CASE WHEN s.r < 0.08 THEN NULL   -- never paid
            ELSE s.invoice_date + (SELECT terms_days FROM customers
                                    WHERE customer_id = pg_catalog.format('C%s', pg_catalog.lpad(s.cust::text, 4, '0')))
                 + (pg_catalog.random() * 50 - 15)::int END AS paid_on) g
JOIN customers c ON c.customer_id = pg_catalog.format('C%s', pg_catalog.lpad(s.cust::text, 4, '0'));

SELECT currency, pg_catalog.count(*) AS invoices, pg_catalog.sum(amount) AS billed,
       pg_catalog.sum(open_amount) AS open
FROM invoices GROUP BY currency ORDER BY currency;

-- @demo:aging
\echo
\echo '== Aging of the open book as of 2026-06-30, per currency (never adding currencies)'
SELECT currency, (o2c.aging(open_amount, due_date, DATE '2026-06-30')).*
FROM invoices WHERE open_amount <> 0
GROUP BY currency ORDER BY currency;

\echo
\echo '== The ten customers with the most overdue, with their oldest open item'
SELECT c.name, a.currency, (a.b).overdue, (a.b).d91_plus, (a.b).avg_days_past_due, a.oldest_bucket
FROM (SELECT customer_id, currency, o2c.aging(open_amount, due_date, DATE '2026-06-30') AS b,
             o2c.aging_bucket(pg_catalog.min(due_date), DATE '2026-06-30') AS oldest_bucket
      FROM invoices WHERE open_amount <> 0
      GROUP BY customer_id, currency) a
JOIN customers c USING (customer_id)
ORDER BY (a.b).overdue DESC LIMIT 10;

\echo
\echo '== A weekly ladder for the collections team (custom bounds, EUR)'
SELECT (o2c.aging(open_amount, due_date, DATE '2026-06-30', '{0,7,14,21,28,60}')).*
FROM invoices WHERE currency = 'EUR' AND open_amount <> 0;

\echo
\echo '== Days past due and bucket of single invoices'
SELECT invoice_id, due_date, o2c.days_past_due(due_date, DATE '2026-06-30') AS days_past_due,
       o2c.aging_bucket(due_date, DATE '2026-06-30') AS bucket, open_amount, currency
FROM invoices WHERE open_amount > 0
ORDER BY due_date, invoice_id LIMIT 6;

-- @demo:kpi
\echo
\echo '== Collection KPIs for Q2 2026 (EUR book)'
WITH q AS (
    SELECT pg_catalog.sum(amount) FILTER (WHERE invoice_date BETWEEN DATE '2026-04-01' AND DATE '2026-06-30') AS sales,
           pg_catalog.sum(amount) FILTER (WHERE invoice_date <= DATE '2026-06-30'
                                 AND (paid_on IS NULL OR paid_on > DATE '2026-06-30')) AS ending,
           pg_catalog.sum(amount) FILTER (WHERE invoice_date <= DATE '2026-06-30' AND due_date >= DATE '2026-06-30'
                                 AND (paid_on IS NULL OR paid_on > DATE '2026-06-30')) AS ending_current,
           pg_catalog.sum(amount) FILTER (WHERE invoice_date < DATE '2026-04-01'
                                 AND (paid_on IS NULL OR paid_on >= DATE '2026-04-01')) AS beginning
    FROM invoices WHERE currency = 'EUR')
SELECT sales, ending AS receivables, ending_current AS current_receivables,
       o2c.dso(ending, sales, 91) AS dso,
       o2c.best_possible_dso(ending_current, sales, 91) AS best_possible_dso,
       o2c.average_days_delinquent(ending, ending_current, sales, 91) AS average_days_delinquent,
       o2c.cei(beginning, sales, ending, ending_current) AS cei_percent
FROM q;

\echo
\echo '== Payment behaviour per customer: amount-weighted days to pay and days late (slowest five)'
SELECT c.name, o2c.avg_days_to_pay(i.amount, i.invoice_date, i.paid_on) AS avg_days_to_pay,
       o2c.avg_days_late(i.amount, i.due_date, i.paid_on) AS avg_days_late,
       pg_catalog.count(i.paid_on) AS paid_invoices
FROM invoices i JOIN customers c USING (customer_id)
WHERE i.amount > 0
GROUP BY c.name ORDER BY avg_days_late DESC NULLS LAST, c.name LIMIT 5;

-- @demo:terms

-- @demo:quality

-- @demo:matching

-- @demo:bank

-- @demo:risk
\echo
\echo '== Late-payment risk: 30 wholesale customers, two years of invoices with disputes'
SELECT pg_catalog.setseed(0.17) AS seed \gset
CREATE TABLE risk_demo_customers (
    customer_id text PRIMARY KEY,
    name        text NOT NULL,
    habit       text NOT NULL      -- how the generator makes them pay
);
INSERT INTO risk_demo_customers
SELECT pg_catalog.format('W%s', pg_catalog.lpad(n::text, 3, '0')), name,
       (ARRAY['prompt', 'prompt', 'prompt', 'slips', 'slow', 'disputes'])[1 + n % 6]
FROM (VALUES
    (1, 'Aurora Kitchenware Ltd'), (2, 'Birchwood Stationers'), (3, 'Cedar Point Hardware'),
    (4, 'Dockside Provisions Co.'), (5, 'Eastgate Electrical'), (6, 'Foxglove Florists'),
    (7, 'Galloway Farm Supply'), (8, 'Hartley & Sons Builders'), (9, 'Ironbridge Engineering'),
    (10, 'Jasper Office Interiors'), (11, 'Kingsway Pharmacy'), (12, 'Larkspur Catering'),
    (13, 'Millbrook Dairy'), (14, 'Newhaven Marine Stores'), (15, 'Orchard Lane Bakery'),
    (16, 'Pennine Plumbing Supplies'), (17, 'Quarry Hill Stoneworks'), (18, 'Redcliffe Printing'),
    (19, 'Saltmarsh Seafoods'), (20, 'Thornbury Garden Centre'), (21, 'Upland Outdoor Wear'),
    (22, 'Vale Veterinary Group'), (23, 'Wharfedale Timber'), (24, 'Yardley Motor Parts'),
    (25, 'Zenith Cleaning Services'), (26, 'Ashdown Hotels'), (27, 'Brookfield Schools Trust'),
    (28, 'Coldharbour Cafes'), (29, 'Dunmore Textiles'), (30, 'Elmstead Care Homes')
) AS c(n, name);

-- About 2,400 invoices, net 30, from 2024-01 to 2025-12; paid_on is NULL while open.
CREATE TABLE risk_demo_invoices (
    invoice_id   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES risk_demo_customers,
    invoice_date date NOT NULL,
    due_date     date NOT NULL,
    amount       numeric(12,2) NOT NULL,
    paid_on      date,
    disputed     boolean NOT NULL
);
INSERT INTO risk_demo_invoices
SELECT pg_catalog.format('SI-%s', pg_catalog.lpad(i::text, 5, '0')), c.customer_id, d, d + 30,
       pg_catalog.round((120 + pg_catalog.random() * 2400)::numeric, 2),
       CASE WHEN p > DATE '2025-12-31' THEN NULL ELSE p END, dis
FROM (SELECT i, 1 + (i * 17) % 30 AS n, DATE '2024-01-02' + (i * 729 / 2400) AS d,
             pg_catalog.random() < 0.08 AS dis, pg_catalog.random() AS r
      FROM pg_catalog.generate_series(1, 2400) i) g
JOIN risk_demo_customers c ON c.customer_id = pg_catalog.format('W%s', pg_catalog.lpad(g.n::text, 3, '0')),
LATERAL (SELECT g.d + 30 + CASE
            WHEN g.dis THEN 15 + (g.r * 40)::int
            WHEN c.habit = 'prompt' THEN -(g.r * 8)::int
            WHEN c.habit = 'slips' THEN CASE WHEN g.r < 0.3 THEN 3 + (g.r * 30)::int ELSE -(g.r * 5)::int END
            WHEN c.habit = 'slow' THEN CASE WHEN g.r < 0.6 THEN 5 + (g.r * 50)::int ELSE -(g.r * 5)::int END
            ELSE CASE WHEN g.r < 0.15 THEN 20 ELSE 0 END END AS p) x;

\echo
\echo '== Payment history as known on 2025-12-31: the five customers who pay latest'
SELECT c.name, h.invoices, h.invoices_paid, h.share_paid_late, h.avg_days_late,
       h.recent_days_late, h.trend_days_late, h.dispute_rate, h.open_amount, h.overdue_amount,
       h.max_days_late
FROM o2c.customer_history('SELECT * FROM risk_demo_invoices', '2025-12-31') h
JOIN risk_demo_customers c USING (customer_id)
ORDER BY h.avg_days_late DESC NULLS LAST, c.name LIMIT 5;

\echo
\echo '== Train a model on what was known at 2025-09-30 (holdout: the latest 20% of that window)'
CALL o2c.train_risk_model('demo', 'SELECT * FROM risk_demo_invoices', '2025-09-30');
SELECT name, window_from, window_to, rows, late_rows, holdout_rows,
       pg_catalog.round(holdout_auc::numeric, 3) AS holdout_auc,
       pg_catalog.round(holdout_log_loss::numeric, 3) AS holdout_log_loss
FROM o2c.risk_model WHERE name = 'demo';

\echo
\echo '== Score the invoices of October 2025 as of 2025-10-01: the riskiest eight, and why'
SELECT s.invoice_id, c.name, s.probability, s.grade, s.reasons,
       i.paid_on - i.due_date AS actually_days_late
FROM o2c.risk_score('demo', 'SELECT * FROM risk_demo_invoices',
         $$SELECT * FROM risk_demo_invoices WHERE invoice_date >= '2025-10-01' AND invoice_date < '2025-11-01'$$,
         '2025-10-01') s
JOIN risk_demo_invoices i USING (invoice_id)
JOIN risk_demo_customers c ON c.customer_id = s.customer_id
ORDER BY s.probability DESC, s.invoice_id LIMIT 8;

\echo
\echo '== Grades of all October invoices against what happened'
SELECT s.grade, pg_catalog.count(*) AS invoices,
       pg_catalog.count(*) FILTER (WHERE i.paid_on > i.due_date OR i.paid_on IS NULL) AS paid_late_or_open
FROM o2c.risk_score('demo', 'SELECT * FROM risk_demo_invoices',
         $$SELECT * FROM risk_demo_invoices WHERE invoice_date >= '2025-10-01' AND invoice_date < '2025-11-01'$$,
         '2025-10-01') s
JOIN risk_demo_invoices i USING (invoice_id)
GROUP BY s.grade ORDER BY s.grade;

\echo
\echo '== A statement of account for Hartley & Sons Builders, Q4 2025'
CREATE TABLE risk_demo_payments (
    payment_id  text PRIMARY KEY,
    customer_id text NOT NULL,
    received_on date NOT NULL,
    amount      numeric(12,2) NOT NULL,
    invoice_id  text
);
INSERT INTO risk_demo_payments
SELECT 'RCPT-' || pg_catalog.substr(invoice_id, 4), customer_id, paid_on, amount, invoice_id
FROM risk_demo_invoices WHERE paid_on IS NOT NULL;
SELECT * FROM o2c.customer_statement('SELECT * FROM risk_demo_invoices', 'SELECT * FROM risk_demo_payments',
                                     'W008', '2025-10-01', '2025-12-31');

-- @demo:jobs

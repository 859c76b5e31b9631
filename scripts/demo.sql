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

-- @demo:jobs
\echo
\echo '== Jobs: nightly aging snapshots for the last three month ends, as pg_cron would run them'
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, amount AS open_amount, currency FROM public.invoices
                          WHERE invoice_date <= DATE '2026-04-30' AND (paid_on IS NULL OR paid_on > DATE '2026-04-30')$$,
                        DATE '2026-04-30');
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, amount AS open_amount, currency FROM public.invoices
                          WHERE invoice_date <= DATE '2026-05-31' AND (paid_on IS NULL OR paid_on > DATE '2026-05-31')$$,
                        DATE '2026-05-31');
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, open_amount, currency FROM public.invoices
                          WHERE open_amount <> 0$$,
                        DATE '2026-06-30');
-- Run again: the day is replaced, not doubled.
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, open_amount, currency FROM public.invoices
                          WHERE open_amount <> 0$$,
                        DATE '2026-06-30');

\echo
\echo '== o2c.aging_trend: EUR overdue buckets per month end'
SELECT as_of, bucket, amount, customers
FROM o2c.aging_trend WHERE currency = 'EUR' AND ledger = 'default'
ORDER BY as_of, bucket_order;

\echo
\echo '== o2c.dso_trend: DSO per month end from the snapshots and the sales'
SELECT as_of, currency, credit_sales, receivables, dso, best_possible_dso, average_days_delinquent
FROM o2c.dso_trend('SELECT invoice_date, amount, currency FROM public.invoices')
ORDER BY currency, as_of;

\echo
\echo '== o2c.collection_worklist: the collector''s morning list (top three per currency)'
SELECT currency, priority_rank, customer_name, reason
FROM o2c.collection_worklist($$SELECT i.customer_id, c.name AS customer_name, i.due_date, i.open_amount, i.currency
                               FROM public.invoices i JOIN public.customers c USING (customer_id)
                               WHERE i.open_amount <> 0$$, DATE '2026-06-30')
WHERE priority_rank <= 3;

\echo
\echo '== Dunning run with the shipped example policy (7, 21, 45 days), as of 2026-06-30'
SELECT o2c.install_example_policy() AS example_levels \gset
CALL o2c.run_dunning('SELECT * FROM public.invoices', 'example', DATE '2026-06-30');
SELECT level, action, pg_catalog.count(*) AS notices, pg_catalog.sum(fee) AS fees,
       pg_catalog.sum(interest) AS interest
FROM o2c.dunning_notice GROUP BY level, action ORDER BY level;
CALL o2c.run_dunning('SELECT * FROM public.invoices', 'example', DATE '2026-06-30');
SELECT pg_catalog.count(*) AS notices_after_a_second_run FROM o2c.dunning_notice;

\echo
\echo '== The collector''s list with the dunning level (top two per currency)'
SELECT currency, priority_rank, customer_id, dunning_level, reason
FROM o2c.collection_worklist('SELECT * FROM public.invoices WHERE open_amount <> 0', DATE '2026-06-30', 'example')
WHERE priority_rank <= 2;

\echo
\echo '== Outbox: what a mailer has still to send (first five)'
SELECT table_name, id, summary FROM o2c.outbox ORDER BY table_name, id LIMIT 5;

\echo
\echo '== o2c.job_health'
SELECT job, last_status, last_rows_read, last_rows_written, failures_7d FROM o2c.job_health;

\echo
\echo '== Scheduling: the nightly snapshot as a pg_cron job (created from cron.database_name)'
SELECT pg_catalog.current_setting('shared_preload_libraries') ~ 'pg_cron' AS have_cron \gset
\if :have_cron
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT pg_catalog.format('host=%s port=%s dbname=%s user=%s',
           pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1),
           pg_catalog.current_setting('port'), pg_catalog.current_setting('cron.database_name'),
           current_user) AS cron_conn \gset
SELECT public.dblink_exec(:'cron_conn', 'CREATE EXTENSION IF NOT EXISTS pg_cron') AS created \gset
SELECT jobid, schedule, command
FROM public.dblink(:'cron_conn', pg_catalog.format(
        $q$SELECT cron.schedule_in_database('o2c-demo-aging', '0 2 * * *', %L, %L)$q$,
        $c$CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM public.invoices WHERE open_amount <> 0')$c$,
        pg_catalog.current_database())) AS s(jobid bigint),
     LATERAL public.dblink(:'cron_conn', pg_catalog.format(
        'SELECT schedule, command FROM cron.job WHERE jobid = %s', s.jobid)) AS j(schedule text, command text);
-- A demo leaves no schedule behind on a server it did not start.
SELECT ok AS unscheduled FROM public.dblink(:'cron_conn',
    $q$SELECT cron.unschedule('o2c-demo-aging')$q$) AS u(ok boolean);
\else
\echo 'pg_cron is not preloaded on this server; the line to run from cron.database_name would be:'
\echo '== The line a DBA adds for a nightly run (pg_cron, from cron.database_name):'
SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);', 'o2c-aging', '0 2 * * *',
    $c$CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM public.invoices WHERE open_amount <> 0')$c$,
    pg_catalog.current_database()) AS schedule_line;
\endif

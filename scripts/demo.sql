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
\echo
\echo '== Payment terms, business calendars and schedules'

-- A German customer book with its own terms, and the TARGET2 calendar for
-- 2025 (weekends and the TARGET closing days, moved by modified following).
INSERT INTO o2c.calendar (name, weekend, convention) VALUES ('TARGET', '{6,7}', 'modified_following');
INSERT INTO o2c.holiday (calendar, day, name) VALUES
    ('TARGET', '2025-01-01', 'New Year''s Day'),
    ('TARGET', '2025-04-18', 'Good Friday'),
    ('TARGET', '2025-04-21', 'Easter Monday'),
    ('TARGET', '2025-05-01', 'Labour Day'),
    ('TARGET', '2025-12-25', 'Christmas Day'),
    ('TARGET', '2025-12-26', 'Boxing Day');

CREATE TABLE demo_terms_customer (
    customer_id text PRIMARY KEY,
    name        text NOT NULL,
    currency    text NOT NULL,
    terms       o2c.terms NOT NULL
);
INSERT INTO demo_terms_customer VALUES
    ('K-1001', 'Bäckerei Hoffmann GmbH',       'EUR', '2/10 net 30'),
    ('K-1002', 'Stadtwerke Lindau',            'EUR', 'Net 45 EOM'),
    ('K-1003', 'Nordsee Logistik AG',          'EUR', '15 prox'),
    ('K-1004', 'Kuwait Trading Co.',           'KWD', '1.5% 10 NET 60'),
    ('K-1005', 'Tanaka Seimitsu K.K.',         'JPY', 'net 30'),
    ('K-1006', 'Müller Maschinenbau KG',       'EUR', '30% cod; 30% net 30; 40% net 60 eom'),
    ('K-1007', 'Café am Markt',                'EUR', 'due on receipt');

CREATE TABLE demo_terms_invoice (
    invoice_no   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES demo_terms_customer,
    invoice_date date NOT NULL,
    amount       numeric NOT NULL
);
INSERT INTO demo_terms_invoice VALUES
    ('RE-2025-0412', 'K-1001', '2025-03-20', 4280.00),
    ('RE-2025-0413', 'K-1002', '2025-03-21', 12950.40),
    ('RE-2025-0418', 'K-1003', '2025-03-31', 7310.15),
    ('RE-2025-0420', 'K-1004', '2025-04-02', 1250.750),
    ('RE-2025-0421', 'K-1005', '2025-04-03', 986000),
    ('RE-2025-0425', 'K-1006', '2025-04-07', 48200.00),
    ('RE-2025-0430', 'K-1007', '2025-04-19', 86.90);

\echo
\echo '-- Terms print canonically; due dates with and without the TARGET calendar'
SELECT c.name, c.terms, i.invoice_date,
       o2c.due_date(c.terms, i.invoice_date) AS due,
       o2c.due_date(c.terms, i.invoice_date, 'TARGET') AS due_business_day,
       o2c.discount_until(c.terms, i.invoice_date) AS discount_until
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id)
ORDER BY i.invoice_no;

\echo
\echo '-- Payment schedules: installments in each currency''s minor units, summing exactly'
SELECT i.invoice_no, c.currency, s.*
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id),
     o2c.payment_schedule(i.amount, i.invoice_date, c.terms, c.currency, 'TARGET') s
ORDER BY i.invoice_no, s.installment;

\echo
\echo '-- Early payment: the discount on the last day of the window and one day late'
SELECT i.invoice_no, c.terms, i.amount, paid_on,
       o2c.discount_amount(c.terms, i.amount, i.invoice_date, paid_on, c.currency) AS discount
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id),
     LATERAL (VALUES (o2c.discount_until(c.terms, i.invoice_date)),
                     (o2c.discount_until(c.terms, i.invoice_date) + 1)) p(paid_on)
WHERE o2c.discount_until(c.terms, i.invoice_date) IS NOT NULL
ORDER BY i.invoice_no, paid_on;

\echo
\echo '-- A 12-month instalment plan for the machine order at 6 % a year'
SELECT * FROM o2c.installment_plan(48200.00, 0.06, 12, '2025-05-31', '1 month', 'EUR');

\echo
\echo '-- Dunning: the example policy (an example, not legal advice) and 9 % late interest'
SELECT o2c.install_example_policy() AS example_levels_added;
SELECT * FROM o2c.dunning_schedule('2025-04-17', 'example', 'TARGET');
SELECT i.invoice_no, due, o2c.dunning_level(due, DATE '2025-06-30', 'example') AS level_on_jun_30,
       o2c.late_interest(i.amount, due, DATE '2025-06-30', 0.09, 'act/365', c.currency) AS interest_to_jun_30
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id),
     LATERAL (SELECT o2c.due_date(c.terms, i.invoice_date, 'TARGET') AS due) d
ORDER BY i.invoice_no;

-- @demo:quality
\echo
\echo '== Data quality: validators, the invoice guard, scans and duplicates'
CREATE TABLE demo_q_customer (
    customer_id text PRIMARY KEY, name text, vat_no text, iban text, email text, country text);
INSERT INTO demo_q_customer VALUES
    ('K-100', 'Nordlicht Logistik GmbH',  'DE 136 695 976',   'DE89 3704 0044 0532 0130 00', 'ap@nordlicht.example',   'DE'),
    ('K-101', 'Brightwater Foods Ltd',    'GB 960 313 738',   'GB82 WEST 1234 5698 7654 32', 'ledger@brightwater.example', 'GB'),
    ('K-102', 'Fjordkraft Maskin AS',     'NO 958 770 650 MVA','NO93 8601 1117 947',        'faktura@fjordkraft.example', 'NO'),
    ('K-103', 'Maison Laurent SARL',      'FR 94 495289076',  'FR14 2004 1010 0505 0001 3M02 606', 'compta@laurent.example', 'FR'),
    ('K-104', 'NORDLICHT LOGISTIK',       'de136695976',      NULL,                          NULL,                     'DE'),
    ('K-105', 'Brightwater Food Ltd.',    NULL,               NULL,                          'LEDGER@brightwater.example', 'GB'),
    ('K-106', 'Helvetia Praezision AG',   'CHE-142.731.676 MWST', 'CH93 0076 2011 6238 5295 7', 'ap@helvetia.example', 'CH'),
    ('K-107', 'Olsen & Dahl ApS',         'DK 1555 9790',     'DK50 0040 0440 1162 43',      'olsen.dahl@example',     'DK');

\echo '-- validators over the customer master (K-107: wrong VAT check digit, e-mail without a domain dot)'
SELECT customer_id, name, o2c.vat_valid(vat_no) AS vat_ok, o2c.iban_valid(iban) AS iban_ok,
       o2c.email_valid(email) AS email_ok, o2c.country_valid(country) AS country_ok
FROM demo_q_customer ORDER BY customer_id;

\echo '-- IBANs as a type: normalized, printed in groups of four, usable as a key'
SELECT customer_id, iban::o2c.iban AS iban FROM demo_q_customer WHERE o2c.iban_valid(iban) ORDER BY 2;

\echo '-- customers that look like the same party'
SELECT * FROM o2c.duplicate_customers(
    'SELECT customer_id, name, vat_no AS tax_id, iban, email, country FROM demo_q_customer');

\echo '-- an invoice table guarded by o2c.invoice_guard in record mode'
CREATE TABLE demo_q_invoice (
    doc_no text PRIMARY KEY, customer text, issued date, due date,
    total numeric(12,2), open numeric(12,2), cur char(3), payer_iban text, ref text);
CREATE TRIGGER demo_q_guard BEFORE INSERT OR UPDATE ON demo_q_invoice FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'customer_id=customer', 'invoice_date=issued',
        'due_date=due', 'amount=total', 'open_amount=open', 'currency=cur', 'iban=payer_iban', 'mode=record');
INSERT INTO demo_q_invoice
SELECT 'INV-' || pg_catalog.lpad(i::text, 5, '0'),
       'K-10' || (i % 8),
       DATE '2024-01-02' + (i % 170),
       DATE '2024-01-02' + (i % 170) + 30,
       pg_catalog.round((100 + (i * 37) % 4900)::numeric, 2),
       CASE WHEN i % 3 = 0 THEN 0 ELSE pg_catalog.round((100 + (i * 37) % 4900)::numeric, 2) END,
       (ARRAY['EUR', 'GBP', 'NOK', 'EUR', 'EUR', 'DKK', 'CHF', 'EUR'])[i % 8 + 1],
       CASE WHEN i % 8 = 0 THEN 'de89 3704 0044 0532 0130 00' END,
       'PO ' || (4000 + i)
FROM pg_catalog.generate_series(1, 400) i;
-- a few rows typed in by hand, with the mistakes people make
INSERT INTO demo_q_invoice VALUES
    ('INV-90001', 'K-101', '2024-03-04', '2024-02-03', 1250.00, 1250.00, 'GBP', NULL, 'PO 5001'),
    ('INV-90002', '',      '2024-03-05', '2024-04-04',  880.00,  880.00, 'EUR', NULL, 'PO 5002'),
    ('INV-90003', 'K-103', '2024-03-06', '2024-04-05',  410.00,  460.00, 'EUR', NULL, 'PO 5003'),
    ('INV-90004', 'K-102', '2024-03-07', '2024-04-06',  975.00,  975.00, 'NKR', NULL, 'PO 5004'),
    ('INV-90005', 'K-100', '2024-03-08', '2024-04-07',  300.00,  300.00, 'EUR', 'DE89 3704 0044 0532 0130 01', 'PO 5005'),
    ('INV-90006', 'K-101', '2024-01-05', '2024-02-04',
        (SELECT total FROM demo_q_invoice WHERE doc_no = 'INV-00001'),
        (SELECT total FROM demo_q_invoice WHERE doc_no = 'INV-00001'), 'GBP', NULL, 'PO-04001');
SELECT pg_catalog.count(*) AS invoices_in FROM demo_q_invoice;
SELECT row_key, rule, severity, detail FROM o2c.finding WHERE source = 'public.demo_q_invoice' ORDER BY id;

\echo '-- bulk loads: the statement form checks the whole COPY from its transition table'
CREATE TABLE demo_q_ledger (LIKE demo_q_invoice INCLUDING ALL);
CREATE TRIGGER demo_q_ledger_guard AFTER INSERT ON demo_q_ledger REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'customer_id=customer',
        'invoice_date=issued', 'due_date=due', 'amount=total', 'open_amount=open', 'currency=cur',
        'iban=payer_iban', 'mode=record');
COPY demo_q_ledger FROM stdin (FORMAT csv);
LED-001,K-104,2024-05-02,2024-06-01,640.00,640.00,EUR,,PO 6001
LED-002,K-105,2024-05-02,2024-04-30,1900.00,1900.00,EUR,,PO 6002
LED-003,K-106,2024-05-03,2024-06-02,-75.00,0.00,SEK,,PO 6003
LED-004,K-107,2024-05-03,2024-06-02,310.00,310.00,EUR,GB82 WEST 1234 5698 7654 33,PO 6004
\.
SELECT pg_catalog.count(*) AS ledger_rows_in FROM demo_q_ledger;
SELECT row_key, rule, detail FROM o2c.finding WHERE source = 'public.demo_q_ledger' ORDER BY id;

\echo '-- the same table scanned in bulk, with the rules that compare rows'
SELECT * FROM o2c.quality_scan($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, due AS due_date,
           total AS amount, open AS open_amount, cur AS currency, ref AS reference
    FROM demo_q_invoice$$, '{"as_of": "2024-06-30", "rules": ["suspected_duplicate", "duplicate_number", "due_before_invoice"]}');

-- @demo:matching
\echo
\echo '== Cash application: a bank statement matched to open invoices'
CREATE TABLE demo_ar_open (
    invoice_id text PRIMARY KEY, customer_id text, customer_name text, customer_iban text,
    invoice_date date, open_amount numeric(12, 2), currency text, reference text,
    terms o2c.terms);
INSERT INTO demo_ar_open VALUES
 ('2024-1001', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-05-02', 4870.00, 'EUR', 'RE-2024-1001', 'NET 30'),
 ('2024-1002', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-05-16', 1250.50, 'EUR', 'RE-2024-1002', 'NET 30'),
 ('2024-1003', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-06-03',  980.00, 'EUR', 'RE-2024-1003', 'NET 30'),
 ('2024-1004', 'K-210', 'Bäckerei Schäfer & Söhne KG',   NULL,                          '2024-06-01',  642.80, 'EUR', 'RE-2024-1004', '2/10 NET 30'),
 ('2024-1005', 'K-305', 'The Harbour Fish Company Ltd.', 'GB33 BUKB 2020 1555 5555 55', '2024-05-20', 3120.00, 'EUR', 'RE-2024-1005', 'NET 30'),
 ('2024-1006', 'K-305', 'The Harbour Fish Company Ltd.', 'GB33 BUKB 2020 1555 5555 55', '2024-05-28', 3120.00, 'EUR', 'RE-2024-1006', 'NET 30'),
 ('2024-1007', 'K-412', 'Société Lumière S.A.R.L.',      NULL,                          '2024-05-10', 7400.00, 'EUR', 'RE-2024-1007', 'NET 30'),
 ('2024-1008', 'K-518', 'Kowalski Meble Sp. z o.o.',     NULL,                          '2024-05-12', 2215.35, 'EUR', 'RE-2024-1008', 'NET 30'),
 ('2024-1009', 'K-620', 'Alpine Outdoor AG',             'CH93 0076 2011 6238 5295 7',  '2024-05-30', 1890.00, 'CHF', 'RE-2024-1009', 'NET 30');
CREATE TABLE demo_bank_lines (
    line_id text, booked date, amount numeric(12, 2), currency text,
    counterparty text, iban text, remittance text);
INSERT INTO demo_bank_lines VALUES
 ('BL-01', '2024-06-10', 4870.00, 'EUR', 'NORDWIND LOGISTIK GMBH', 'DE02120300000000202051', 'RE-2024-1001 Danke'),
 ('BL-02', '2024-06-10',  629.94, 'EUR', 'BAECKEREI SCHAEFER',     NULL, 'Rg. 2024/1004 abzgl. 2% Skonto'),
 ('BL-03', '2024-06-12', 2230.50, 'EUR', 'NORDWIND LOGISTIK',      'DE02120300000000202051', NULL),
 ('BL-04', '2024-06-12', 7388.00, 'EUR', 'SOCIETE LUMIERE',        NULL, 'FACT RE-2024-1007 frais bancaires'),
 ('BL-05', '2024-06-13', 2215.35, 'EUR', 'KOWALSKI MEBLE SP Z OO', NULL, 'invoice 2024-1080'),
 ('BL-06', '2024-06-13', 3120.00, 'EUR', 'HARBOUR FISH CO',        'GB33BUKB20201555555555', 'May invoice'),
 ('BL-07', '2024-06-14', 1000.00, 'CHF', 'ALPINE OUTDOOR',         NULL, 'RE-2024-1009 Anzahlung'),
 ('BL-08', '2024-06-14',  149.00, 'EUR', 'J. DOE',                 NULL, 'Mitgliedsbeitrag');

SELECT m.payment_id, m.invoice_id, m.applied_amount, m.score, m.rule, m.auto
FROM o2c.match_payments(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM demo_bank_lines ORDER BY line_id',
    'SELECT * FROM demo_ar_open',
    '{"tolerance": 15}') AS m;

\echo 'BL-02 took the 2% discount its terms 2/10 NET 30 allow until 2024-06-11;'
\echo 'BL-03 paid two invoices without a reference; BL-05 typed 1080 for 1008;'
\echo 'BL-06 fits two invoices of 3120.00, so the older gets it and a person'
\echo 'confirms; BL-07 is a partial payment in CHF.'
\echo 'Auto-applied share of the statement, by amount:'
SELECT pg_catalog.round(100.0 * pg_catalog.sum(applied_amount) FILTER (WHERE auto) / pg_catalog.sum(applied_amount), 1) AS auto_pct
FROM o2c.match_payments(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM demo_bank_lines', 'SELECT * FROM demo_ar_open', '{"tolerance": 15}');

-- @demo:bank
\echo
\echo '== Bank statements: an MT940 file and a camt.053 file become rows, then reconcile'
CREATE TABLE demo_bank_file (
    file_name text PRIMARY KEY,
    format    text NOT NULL,
    body      text NOT NULL
);
INSERT INTO demo_bank_file VALUES ('NORDBANK-2025-03-11.sta', 'mt940', $mt940$
{1:F01NORDDEFFAXXX0000000000}{2:O9400000000000NORDDEFFAXXX00000000000000000000N}{4:
:20:NB20250311
:25:DE89370400440532013000
:28C:70/1
:60F:C250310EUR48210,00
:61:2503110311C12400,00NTRFINV-2025-0412//NB0311A01
:86:166?00GUTSCHRIFT?20EREF+INV-2025-0412?21SVWZ+Rechnung INV-2025-0412?32Hansen Logistik GmbH?31DE02120300000000202051
:61:2503110311C3870,50NTRFNONREF//NB0311A02
:86:/NAME/Brouwer Techniek B.V./IBAN/NL39RABO0300065264/REMI/USTD//Factuur 2025-0398/
:61:2503110311C980,00NTRFNONREF//NB0311A03
:86:Zahlung Kunde 10077 Maerz
:61:2503110311D1250,00NMSCNONREF//NB0311A04
:86:/NAME/Stadtwerke Nordhafen/REMI/Strom Februar 2025/
:62F:C250311EUR64210,50
-}
$mt940$);
INSERT INTO demo_bank_file VALUES ('ABN-2025-03-11.xml', 'camt053', $camt$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>ABN-20250311</MsgId><CreDtTm>2025-03-12T05:10:00</CreDtTm></GrpHdr>
  <Stmt><Id>ABN-20250311-01</Id>
   <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">20500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-11</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">27215.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-11</Dt></Dt></Bal>
   <Ntry><Amt Ccy="EUR">6715.75</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2025-03-11</Dt></BookgDt><ValDt><Dt>2025-03-11</Dt></ValDt><AcctSvcrRef>ABN0311-77</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls>
     <TxDtls><Refs><EndToEndId>INV-2025-0420</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">4200.00</Amt></TxAmt></AmtDtls>
      <RltdPties><Dbtr><Nm>Van Dijk Bouw B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL44RABO0123456789</IBAN></Id></DbtrAcct></RltdPties>
      <RmtInf><Ustrd>INV-2025-0420</Ustrd></RmtInf></TxDtls>
     <TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">2515.75</Amt></TxAmt></AmtDtls>
      <RltdPties><Dbtr><Nm>Café de Zwaan</Nm></Dbtr></RltdPties>
      <RmtInf><Ustrd>rekening maart</Ustrd></RmtInf></TxDtls>
    </NtryDtls></Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>$camt$);

\echo '-- every line of both files, amounts signed (credits positive)'
CREATE TABLE demo_bank_line AS
SELECT f.file_name, l.statement_id || '#' || l.line_no AS line_id, l.*
FROM demo_bank_file f,
     LATERAL (SELECT * FROM o2c.parse_mt940(f.body) WHERE f.format = 'mt940'
              UNION ALL
              SELECT * FROM o2c.parse_camt053(f.body) WHERE f.format = 'camt053') l;
SELECT line_id, booking_date, amount, counterparty_name, reference, remittance
FROM demo_bank_line ORDER BY line_id;

\echo '-- per statement: opening + lines = closing (strict mode checked it already)'
SELECT statement_id, currency, min(opening_balance) AS opening, sum(amount) AS lines,
       min(closing_balance) AS closing
FROM demo_bank_line GROUP BY statement_id, currency ORDER BY statement_id;

CREATE TABLE demo_payment (
    payment_id  text PRIMARY KEY,
    received_on date NOT NULL,
    amount      numeric(14,2) NOT NULL,
    currency    text NOT NULL,
    payer_name  text,
    payer_iban  text,
    reference   text
);
INSERT INTO demo_payment VALUES
    ('PAY-7701', '2025-03-11', 12400.00, 'EUR', 'Hansen Logistik', NULL, 'INV-2025-0412'),
    ('PAY-7702', '2025-03-10', 3870.50, 'EUR', 'Brouwer Techniek', 'NL39 RABO 0300 0652 64', 'INV-2025-0398'),
    ('PAY-7703', '2025-03-11', 4200.00, 'EUR', 'Van Dijk Bouw B.V.', NULL, 'INV-2025-0420'),
    ('PAY-7704', '2025-03-12', 2515.75, 'EUR', 'Cafe de Zwaan', NULL, NULL),
    ('PAY-7705', '2025-03-11', 1480.00, 'EUR', 'Ostseewerft AG', NULL, 'INV-2025-0433');

\echo '-- reconciliation: pairs, then the differences on each side'
SELECT * FROM o2c.reconcile(
    'SELECT line_id, booking_date, amount, currency, counterparty_name, counterparty_account,
            reference, remittance FROM demo_bank_line',
    'SELECT * FROM demo_payment');


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
\echo '== Weekly quality scan and daily cash application as jobs (findings and matches kept in o2c tables)'
CALL o2c.run_quality_scan($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, due AS due_date,
           total AS amount, open AS open_amount, cur AS currency, ref AS reference
    FROM public.demo_q_invoice$$, '{"as_of": "2024-06-30"}', 'weekly scan');
SELECT rule, pg_catalog.count(*) AS findings FROM o2c.finding WHERE source = 'weekly scan'
GROUP BY rule ORDER BY rule;
CALL o2c.run_cash_application(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM public.demo_bank_lines',
    'SELECT * FROM public.demo_ar_open', '{"tolerance": 15}');
-- Run twice: each payment's application is replaced, never doubled.
CALL o2c.run_cash_application(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM public.demo_bank_lines',
    'SELECT * FROM public.demo_ar_open', '{"tolerance": 15}');
SELECT payment_id, invoice_id, applied_amount, rule, status FROM o2c.cash_match ORDER BY payment_id, invoice_id;

\echo
\echo '== Outbox: what a mailer has still to send (first eight)'
SELECT table_name, id, summary FROM o2c.outbox ORDER BY table_name, id LIMIT 8;

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

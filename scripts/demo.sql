-- o2c demo: one company's receivables, followed through a collections team's
-- quarter. Nordlicht Components GmbH sells machine parts to 30 customers in
-- euros, US dollars and Swedish kronor; its books run from July 2025 and the
-- quarter closes on 30 June 2026. Run by `scripts/run.sh demo` in a fresh
-- database; every section reads the same customers, invoices and payments.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION o2c;
SELECT pg_catalog.setseed(0.42) AS seed \gset

\echo
\echo '== 1. The books: customers, invoices, credit notes and payments from July 2025 to June 2026'

-- @demo:ledger
-- The TARGET2 calendar for 2025 and 2026: due dates that fall on a weekend or
-- a TARGET closing day move to the next business day (modified following).
INSERT INTO o2c.calendar (name, weekend, convention) VALUES ('TARGET', '{6,7}', 'modified_following');
INSERT INTO o2c.holiday (calendar, day, name) VALUES
    ('TARGET', '2025-12-25', 'Christmas Day'), ('TARGET', '2025-12-26', 'Boxing Day'),
    ('TARGET', '2026-01-01', 'New Year''s Day'), ('TARGET', '2026-04-03', 'Good Friday'),
    ('TARGET', '2026-04-06', 'Easter Monday'), ('TARGET', '2026-05-01', 'Labour Day');

CREATE TABLE customers (
    customer_id text PRIMARY KEY,
    name        text NOT NULL,
    country     text NOT NULL,
    currency    text NOT NULL,
    terms       o2c.terms NOT NULL,
    vat_no      text,
    iban        text,
    email       text,
    habit       text NOT NULL      -- how the generator makes them pay
);
INSERT INTO customers VALUES
    ('K-1001', 'Nordwind Logistik GmbH',       'DE', 'EUR', 'NET 30',      'DE 136 695 976',     'DE02 1203 0000 0000 2020 51', 'ap@nordwind.example',      'prompt'),
    ('K-1002', 'Bäckerei Schäfer & Söhne KG',  'DE', 'EUR', '2/10 NET 30', 'DE 811 569 869',     NULL,                          'buchhaltung@schaefer.example', 'prompt'),
    ('K-1003', 'Société Lumière S.A.R.L.',     'FR', 'EUR', 'NET 45 EOM',  'FR 94 495289076',    'FR14 2004 1010 0505 0001 3M02 606', 'compta@lumiere.example', 'slips'),
    ('K-1004', 'Kowalski Meble Sp. z o.o.',    'PL', 'EUR', 'NET 30',      'PL 526 025 09 95',   NULL,                          'faktury@kowalski.example', 'slow'),
    ('K-1005', 'Brouwer Techniek B.V.',        'NL', 'EUR', 'NET 30',      NULL,                 'NL39 RABO 0300 0652 64',      'crediteuren@brouwer.example', 'prompt'),
    ('K-1006', 'Elbe Maschinenbau AG',         'DE', 'EUR', 'NET 60',      NULL,     'DE89 3704 0044 0532 0130 00', 'ap@elbe-mb.example',       'slips'),
    ('K-1007', 'Meridian Textiles S.p.A.',     'IT', 'EUR', 'NET 60 EOM',  'IT 00743110157',     NULL,                          'amministrazione@meridian.example', 'slow'),
    ('K-1008', 'Alpine Outdoor AG',            'AT', 'EUR', 'NET 30',      'ATU 13585627',       'AT61 1904 3002 3457 3201',    'ap@alpine.example',        'disputes'),
    ('K-1009', 'Polaris Data Systems Oy',      'FI', 'EUR', 'NET 14',      NULL,                 NULL,                          'laskut@polaris.example',   'prompt'),
    ('K-1010', 'Iberia Ceramics S.L.',         'ES', 'EUR', 'NET 60',      'ES B58378431',       NULL,                          'cuentas@iberia.example',   'slow'),
    ('K-1011', 'Lumen Optics B.V.',            'NL', 'EUR', 'NET 30',      NULL,                 NULL,                          'ap@lumen.example',         'prompt'),
    ('K-1012', 'Rheinland Chemie GmbH',        'DE', 'EUR', '2/10 NET 30', NULL,                 NULL,                          'kreditoren@rheinland.example', 'prompt'),
    ('K-1013', 'Tessaract Software SAS',       'FR', 'EUR', 'NET 30',      NULL,                 NULL,                          'factures@tessaract.example', 'slips'),
    ('K-1014', 'Danube Freight Kft.',          'HU', 'EUR', 'NET 45',      NULL,                 NULL,                          'szamla@danube.example',    'slips'),
    ('K-1015', 'Jutland Agro A/S',             'DK', 'EUR', 'NET 30',      NULL,                 NULL,                          'bogholderi@jutland.example', 'prompt'),
    ('K-1016', 'Moravia Glassworks s.r.o.',    'CZ', 'EUR', 'NET 30',      NULL,                 NULL,                          'ucetni@moravia.example',   'disputes'),
    ('K-1017', 'Lisboa Cork Lda.',             'PT', 'EUR', 'NET 60',      NULL,                 NULL,                          'contas@lisboa.example',    'slow'),
    ('K-1018', 'Olsen & Dahl ApS',             'DK', 'EUR', 'NET 30',      NULL,                 'DK50 0040 0440 1162 43',      'bogholderi@olsen-dahl.example',       'prompt'),
    ('K-1019', 'Acme Industrial Supply Inc.',  'US', 'USD', 'NET 30',      NULL,                 NULL,                          'ap@acme.example',          'prompt'),
    ('K-1020', 'Harbor Point Marine LLC',      'US', 'USD', 'NET 45',      NULL,                 NULL,                          'payables@harborpoint.example', 'slips'),
    ('K-1021', 'Sierra Mining Corp.',          'US', 'USD', 'NET 60',      NULL,                 NULL,                          'ap@sierra.example',        'slow'),
    ('K-1022', 'Cobalt Robotics Inc.',         'US', 'USD', 'NET 30',      NULL,                 NULL,                          'finance@cobalt.example',   'prompt'),
    ('K-1023', 'Granite State Paper Co.',      'US', 'USD', 'NET 30',      NULL,                 NULL,                          'ap@granitestate.example',  'disputes'),
    ('K-1024', 'Xenon Lighting Inc.',          'US', 'USD', 'NET 45',      NULL,                 NULL,                          'ap@xenon.example',         'slips'),
    ('K-1025', 'Everest Outdoor Gear LLC',     'US', 'USD', 'NET 30',      NULL,                 NULL,                          'ap@everest.example',       'prompt'),
    ('K-1026', 'Boreal Timber AB',             'SE', 'SEK', 'NET 30',      'SE 556036079301',    'SE45 5000 0000 0583 9825 7466', 'faktura@boreal.example', 'prompt'),
    ('K-1027', 'Valkyrie Outdoor AB',          'SE', 'SEK', 'NET 30',      NULL,                 NULL,                          'ekonomi@valkyrie.example', 'slips'),
    ('K-1028', 'Nordic Wellness AB',           'SE', 'SEK', 'NET 20',      NULL,                 NULL,                          'faktura@nordicwellness.example', 'prompt'),
    ('K-1029', 'Kvarken Shipping AB',          'SE', 'SEK', 'NET 30',      'SE 556036079302',    NULL,                          'ap@kvarken.example',       'slow'),
    ('K-1030', 'Gotland Fisk AB',              'SE', 'SEK', 'NET 30',      NULL,                 NULL,                          'ekonomi@gotland',          'slips');

-- About 2,200 invoices (about 2 % credit notes, negative), each due as its
-- customer's terms say on the TARGET calendar, paid as the customer's habit
-- says; what is not paid by 30 June 2026 is open.
CREATE TABLE invoices (
    invoice_id   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers,
    invoice_date date NOT NULL,
    due_date     date NOT NULL,
    amount       numeric(12,2) NOT NULL,
    open_amount  numeric(12,2) NOT NULL,
    currency     text NOT NULL,
    reference    text,
    paid_on      date,
    disputed     boolean NOT NULL DEFAULT false
);
INSERT INTO invoices
SELECT g.invoice_id, c.customer_id, g.invoice_date, g.due_date, g.amount,
       CASE WHEN g.paid_on <= DATE '2026-06-30' THEN 0 ELSE g.amount END,
       c.currency, g.invoice_id,
       CASE WHEN g.paid_on <= DATE '2026-06-30' THEN g.paid_on END, g.disputed
FROM (SELECT i, 1 + (i * 7) % 30 AS n, DATE '2025-07-01' + (i * 364 / 2200) AS d,
             pg_catalog.random() AS r, pg_catalog.random() AS r2, pg_catalog.random() < 0.04 AS dis,
             pg_catalog.random() < 0.02 AS credit_note
      FROM pg_catalog.generate_series(1, 2200) i) s
JOIN customers c ON c.customer_id = 'K-' || (1000 + s.n)
CROSS JOIN LATERAL (
    SELECT CASE WHEN s.credit_note THEN 'CN-' ELSE 'RE-' END || pg_catalog.to_char(s.d, 'YYYY') || '-'
               || pg_catalog.lpad(s.i::text, 5, '0') AS invoice_id,
           s.d AS invoice_date,
           CASE WHEN s.credit_note THEN s.d ELSE o2c.due_date(c.terms, s.d, 'TARGET') END AS due_date,
           -- amounts by currency: SEK invoices are about ten times the euro ones
           pg_catalog.round((CASE c.currency WHEN 'SEK' THEN 10 ELSE 1 END
                             * (180 + s.r2 ^ 2 * 9000))::numeric, 2)
               * CASE WHEN s.credit_note THEN -0.2 ELSE 1 END AS amount,
           s.dis AND NOT s.credit_note AS disputed,
           -- a credit note is set off within three weeks; invoices as the habit says
           CASE WHEN s.credit_note THEN s.d + 20
                ELSE o2c.due_date(c.terms, s.d, 'TARGET') + CASE
                     WHEN s.dis THEN 15 + (s.r * 40)::int
                     WHEN c.habit = 'prompt' THEN -(s.r * 6)::int
                     WHEN c.habit = 'slips' THEN CASE WHEN s.r < 0.3 THEN 3 + (s.r * 40)::int ELSE -(s.r * 4)::int END
                     WHEN c.habit = 'slow' THEN CASE WHEN s.r < 0.6 THEN 5 + (s.r * 45)::int ELSE -(s.r * 4)::int END
                     ELSE CASE WHEN s.r < 0.15 THEN 20 ELSE 0 END END END AS paid_on) g;
-- Three old disputed invoices nobody has paid, and the invoices the bank
-- statements of 29 and 30 June pay (section 6).
INSERT INTO invoices (invoice_id, customer_id, invoice_date, due_date, amount, open_amount, currency, reference, disputed) VALUES
    ('RE-2026-0101', 'K-1008', '2026-01-12', '2026-02-11', 4380.00, 4380.00, 'EUR', 'RE-2026-0101', true),
    ('RE-2026-0102', 'K-1016', '2026-02-03', '2026-03-05', 2960.50, 2960.50, 'EUR', 'RE-2026-0102', true),
    ('RE-2026-0103', 'K-1023', '2026-01-20', '2026-02-19', 7115.00, 7115.00, 'USD', 'RE-2026-0103', true),
    ('RE-2026-0901', 'K-1001', '2026-05-29', '2026-06-29', 4870.00, 4870.00, 'EUR', 'RE-2026-0901', false),
    ('RE-2026-0902', 'K-1001', '2026-06-12', '2026-07-13', 1250.50, 1250.50, 'EUR', 'RE-2026-0902', false),
    ('RE-2026-0903', 'K-1001', '2026-06-15', '2026-07-15',  980.00,  980.00, 'EUR', 'RE-2026-0903', false),
    ('RE-2026-0904', 'K-1002', '2026-06-19', '2026-07-20',  642.80,  642.80, 'EUR', 'RE-2026-0904', false),
    ('RE-2026-0905', 'K-1003', '2026-05-08', '2026-06-30', 7400.00, 7400.00, 'EUR', 'RE-2026-0905', false),
    ('RE-2026-0906', 'K-1004', '2026-05-29', '2026-06-29', 2215.35, 2215.35, 'EUR', 'RE-2026-0906', false),
    ('RE-2026-0907', 'K-1005', '2026-06-01', '2026-07-01', 3120.00, 3120.00, 'EUR', 'RE-2026-0907', false),
    ('RE-2026-0908', 'K-1005', '2026-06-08', '2026-07-08', 3120.00, 3120.00, 'EUR', 'RE-2026-0908', false),
    ('RE-2026-0909', 'K-1026', '2026-06-02', '2026-07-02', 48200.00, 48200.00, 'SEK', 'RE-2026-0909', false),
    ('RE-2026-0910', 'K-1027', '2026-06-04', '2026-07-06', 15625.00, 15625.00, 'SEK', 'RE-2026-0910', false),
    ('RE-2026-0911', 'K-1019', '2026-06-01', '2026-07-01', 5200.00, 5200.00, 'USD', 'RE-2026-0911', false),
    ('RE-2026-0912', 'K-1022', '2026-06-03', '2026-07-03',  754.50,  754.50, 'USD', 'RE-2026-0912', false);

-- One payment per settled invoice, received the day it was settled.
CREATE TABLE payments (
    payment_id  text PRIMARY KEY,
    customer_id text NOT NULL REFERENCES customers,
    received_on date NOT NULL,
    amount      numeric(12,2) NOT NULL,
    currency    text NOT NULL,
    invoice_id  text REFERENCES invoices
);
INSERT INTO payments
SELECT 'PAY-' || pg_catalog.substr(invoice_id, 4), customer_id, paid_on, amount, currency, invoice_id
FROM invoices WHERE paid_on IS NOT NULL;

\echo 'Per currency: what was billed, what came in, and what is open on 30 June 2026.'
SELECT i.currency, pg_catalog.count(*) FILTER (WHERE i.amount > 0) AS invoices,
       pg_catalog.count(*) FILTER (WHERE i.amount < 0) AS credit_notes,
       pg_catalog.sum(i.amount) AS billed,
       (SELECT pg_catalog.sum(p.amount) FROM payments p WHERE p.currency = i.currency) AS received,
       pg_catalog.sum(i.open_amount) AS open
FROM invoices i GROUP BY i.currency ORDER BY i.currency;

-- Month-start exchange rates the treasury keeps (illustrative figures):
-- one euro in US dollars and in Swedish kronor.
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate)
SELECT 'EUR', q.quote, m::date,
       pg_catalog.round(q.base_rate + q.step * pg_catalog.sin(k / 2.0)::numeric, q.decimals)
FROM pg_catalog.generate_series(DATE '2025-07-01', DATE '2026-06-01', interval '1 month') WITH ORDINALITY AS g(m, k),
     (VALUES ('USD', 1.12, 0.03, 4), ('SEK', 11.05, 0.25, 4)) AS q(quote, base_rate, step, decimals);

-- @demo:quality
\echo
\echo '== 2. Quality on arrival: the customer master, and the invoices the ERP sends each night'

\echo 'The validators over the master (K-1030''s e-mail has no domain dot; K-1029''s VAT number a wrong check digit).'
SELECT customer_id, name, o2c.country_valid(country) AS country_ok, o2c.currency_valid(currency) AS currency_ok,
       o2c.vat_valid(vat_no) AS vat_ok, o2c.iban_valid(iban) AS iban_ok, o2c.email_valid(email) AS email_ok
FROM customers
WHERE vat_no IS NOT NULL OR iban IS NOT NULL OR NOT o2c.email_valid(email)
ORDER BY customer_id;

\echo 'IBANs as a type: normalized, printed in groups of four, usable as a key; and a bank code check.'
SELECT customer_id, iban::o2c.iban AS iban FROM customers WHERE o2c.iban_valid(iban) ORDER BY customer_id;
SELECT o2c.bic_valid('DEUTDEFF500') AS bic_ok, o2c.lei_valid('529900T8BM49AURSDO55') AS lei_ok,
       o2c.aba_valid('121000248') AS aba_ok, o2c.luhn_valid('79927398713') AS luhn_ok;

\echo 'Sales created two of the customers again last week: the duplicates, with why.'
INSERT INTO customers VALUES
    ('K-1031', 'NORDWIND LOGISTIK', 'DE', 'EUR', 'NET 30', 'de136695976', NULL, NULL, 'prompt'),
    ('K-1032', 'Brouwer Techniek BV', 'NL', 'EUR', 'NET 30', NULL, 'NL39RABO0300065264', 'CREDITEUREN@brouwer.example', 'prompt');
SELECT * FROM o2c.duplicate_customers(
    'SELECT customer_id, name, vat_no AS tax_id, iban, email, country FROM customers');

\echo 'The nightly ERP load goes into a table guarded by o2c.invoice_guard (record mode: rows go in, findings are kept).'
CREATE TABLE demo_q_invoice (
    doc_no text PRIMARY KEY, customer text, issued date, due date,
    total numeric(12,2), open numeric(12,2), cur char(3), payer_iban text, ref text);
CREATE TRIGGER demo_q_guard BEFORE INSERT OR UPDATE ON demo_q_invoice FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'customer_id=customer', 'invoice_date=issued',
        'due_date=due', 'amount=total', 'open_amount=open', 'currency=cur', 'iban=payer_iban', 'mode=record');
INSERT INTO demo_q_invoice
SELECT 'INV-' || pg_catalog.lpad(i::text, 5, '0'), c.customer_id, DATE '2026-06-01' + (i % 29),
       DATE '2026-06-01' + (i % 29) + 30, pg_catalog.round((100 + (i * 37) % 4900)::numeric, 2),
       pg_catalog.round((100 + (i * 37) % 4900)::numeric, 2), c.currency, NULL, 'PO ' || (4000 + i)
FROM pg_catalog.generate_series(1, 400) i
JOIN customers c ON c.customer_id = 'K-' || (1001 + i % 30);
-- and a few rows typed in by hand, with the mistakes people make
INSERT INTO demo_q_invoice VALUES
    ('INV-90001', 'K-1005', '2026-06-04', '2026-05-04', 1250.00, 1250.00, 'EUR', NULL, 'PO 5001'),
    ('INV-90002', '',       '2026-06-05', '2026-07-05',  880.00,  880.00, 'EUR', NULL, 'PO 5002'),
    ('INV-90003', 'K-1003', '2026-06-06', '2026-07-06',  410.00,  460.00, 'EUR', NULL, 'PO 5003'),
    ('INV-90004', 'K-1026', '2026-06-07', '2026-07-07', 9750.00, 9750.00, 'SKR', NULL, 'PO 5004'),
    ('INV-90005', 'K-1006', '2026-06-08', '2026-08-07',  300.00,  300.00, 'EUR', 'DE89 3704 0044 0532 0130 01', 'PO 5005'),
    ('INV-90006', 'K-1002', '2026-06-02', '2026-07-02',
        (SELECT total FROM demo_q_invoice WHERE doc_no = 'INV-00001'),
        (SELECT total FROM demo_q_invoice WHERE doc_no = 'INV-00001'), 'EUR', NULL, 'PO-04001');
SELECT pg_catalog.count(*) AS invoices_in FROM demo_q_invoice;
SELECT row_key, rule, severity, detail FROM o2c.finding WHERE source = 'public.demo_q_invoice' ORDER BY id;

\echo 'A bulk COPY is checked in one pass by the statement form (LED-003 is a credit note, which is fine).'
CREATE TABLE demo_q_ledger (LIKE demo_q_invoice INCLUDING ALL);
CREATE TRIGGER demo_q_ledger_guard AFTER INSERT ON demo_q_ledger REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('invoice_id=doc_no', 'customer_id=customer',
        'invoice_date=issued', 'due_date=due', 'amount=total', 'open_amount=open', 'currency=cur',
        'iban=payer_iban', 'mode=record');
COPY demo_q_ledger FROM stdin (FORMAT csv);
LED-001,K-1011,2026-06-02,2026-07-02,640.00,640.00,EUR,,PO 6001
LED-002,K-1012,2026-06-02,2026-05-31,1900.00,1900.00,EUR,,PO 6002
LED-003,K-1027,2026-06-03,2026-06-03,-750.00,0.00,SEK,,PO 6003
LED-004,K-1018,2026-06-03,2026-07-03,310.00,310.00,EUR,GB82 WEST 1234 5698 7654 33,PO 6004
\.
SELECT row_key, rule, detail FROM o2c.finding WHERE source = 'public.demo_q_ledger' ORDER BY id;

\echo 'The whole load scanned with the rules that compare rows: the same number twice, a likely double entry.'
SELECT * FROM o2c.quality_scan($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, due AS due_date,
           total AS amount, open AS open_amount, cur AS currency, ref AS reference
    FROM demo_q_invoice$$, '{"as_of": "2026-06-30", "rules": ["suspected_duplicate", "duplicate_number", "due_before_invoice"]}');
SELECT invoice_id, duplicate_of, score, reason FROM o2c.duplicate_invoices($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, total AS amount, ref AS reference
    FROM demo_q_invoice$$);

-- @demo:terms
\echo
\echo '== 3. Terms and schedules: what each customer agreed to, on the business calendar'

\echo 'Terms print canonically; the due date of an invoice dated 30 April 2026, with and without the calendar.'
SELECT c.terms, pg_catalog.count(*) AS customers,
       o2c.due_date(c.terms, DATE '2026-04-30') AS due,
       o2c.due_date(c.terms, DATE '2026-04-30', 'TARGET') AS due_on_business_day,
       o2c.discount_until(c.terms, DATE '2026-04-30') AS discount_until
FROM customers c GROUP BY c.terms ORDER BY due, c.terms::text;
SELECT o2c.is_business_day(DATE '2026-04-03', 'TARGET') AS good_friday_open,
       o2c.add_business_days(DATE '2026-04-02', 1, 'TARGET') AS next_business_day,
       o2c.adjust(DATE '2026-05-31', 'TARGET', 'modified_following') AS may_31_adjusted;

\echo 'Q2 special deals, kept apart: a machine sold on 30/70 terms, a service contract in three parts.'
CREATE TABLE demo_terms_customer (
    customer_id text PRIMARY KEY REFERENCES customers,
    currency    text NOT NULL,
    terms       o2c.terms NOT NULL
);
INSERT INTO demo_terms_customer VALUES
    ('K-1006', 'EUR', '30% NET 0; 70% NET 60 EOM'),
    ('K-1021', 'USD', '30% NET 30; 40% NET 60; 30% NET 90'),
    ('K-1002', 'EUR', '2/10 NET 30');
CREATE TABLE demo_terms_invoice (
    invoice_no   text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES demo_terms_customer,
    invoice_date date NOT NULL,
    amount       numeric NOT NULL
);
INSERT INTO demo_terms_invoice VALUES
    ('RE-2026-0801', 'K-1006', '2026-04-15', 48200.00),
    ('RE-2026-0802', 'K-1021', '2026-05-04', 25000.00),
    ('RE-2026-0803', 'K-1002', '2026-06-19',   642.80);
SELECT i.invoice_no, c.currency, s.*
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id),
     o2c.payment_schedule(i.amount, i.invoice_date, c.terms, c.currency, 'TARGET') s
ORDER BY i.invoice_no, s.installment;
\echo 'Early payment: the discount on the last day of its window, and none a day later.'
SELECT i.invoice_no, c.terms, i.amount, p.paid_on,
       o2c.discount_amount(c.terms, i.amount, i.invoice_date, p.paid_on, c.currency) AS discount
FROM demo_terms_invoice i JOIN demo_terms_customer c USING (customer_id),
     LATERAL (VALUES (o2c.discount_until(c.terms, i.invoice_date)),
                     (o2c.discount_until(c.terms, i.invoice_date) + 1)) p(paid_on)
WHERE o2c.discount_until(c.terms, i.invoice_date) IS NOT NULL
ORDER BY i.invoice_no, p.paid_on;
\echo 'Elbe Maschinenbau pays its 70 % over 12 months instead, at 6 % a year; and a shipment split by weight.'
SELECT * FROM o2c.installment_plan(33740.00, 0.06, 12, '2026-06-30', '1 month', 'EUR');
SELECT o2c.split_amount(1250.00, '{3,2,2}', 'EUR') AS freight_split;

-- @demo:aging
\echo
\echo '== 4. Aging and KPIs on 30 June 2026'

\echo 'The open book per currency: most of it not yet due (never adding currencies).'
SELECT currency, (o2c.aging(open_amount, due_date, DATE '2026-06-30')).*
FROM invoices WHERE open_amount <> 0
GROUP BY currency ORDER BY currency;

\echo 'The same book in euros, at each day''s rate (o2c.convert): the one figure the CFO asks for.'
SELECT (o2c.aging(o2c.convert(open_amount, currency, 'EUR', DATE '2026-06-30'), due_date, DATE '2026-06-30')).*
FROM invoices WHERE open_amount <> 0;
\echo 'Month-end revaluation of the foreign-currency items: booked at the invoice day''s rate, valued at 30 June.'
SELECT currency, pg_catalog.count(*) AS items, pg_catalog.sum(open_amount) AS open,
       pg_catalog.sum(booked_amount) AS booked_eur, pg_catalog.sum(closing_amount) AS closing_eur,
       pg_catalog.sum(gain_loss) AS unrealized_gain_loss_eur
FROM o2c.revaluation($$SELECT invoice_id, customer_id, currency, invoice_date, open_amount FROM public.invoices
                       WHERE open_amount <> 0 AND currency <> 'EUR'$$, 'EUR', DATE '2026-06-30')
GROUP BY currency ORDER BY currency;

\echo 'The customers with the most overdue, per currency, with their oldest open item.'
SELECT a.currency, c.name, (a.b).overdue, (a.b).d91_plus, (a.b).avg_days_past_due, a.oldest_bucket
FROM (SELECT customer_id, currency, o2c.aging(open_amount, due_date, DATE '2026-06-30') AS b,
             o2c.aging_bucket(pg_catalog.min(due_date), DATE '2026-06-30') AS oldest_bucket
      FROM invoices WHERE open_amount <> 0
      GROUP BY customer_id, currency) a
JOIN customers c USING (customer_id)
WHERE (a.b).overdue > 0
ORDER BY a.currency, (a.b).overdue DESC, c.name;

\echo 'A weekly ladder for the euro collectors (custom bounds), and single invoices with their days past due.'
SELECT (o2c.aging(open_amount, due_date, DATE '2026-06-30', '{0,7,14,21,28,60}')).*
FROM invoices WHERE currency = 'EUR' AND open_amount <> 0;
SELECT invoice_id, due_date, o2c.days_past_due(due_date, DATE '2026-06-30') AS days_past_due,
       o2c.aging_bucket(due_date, DATE '2026-06-30') AS bucket, open_amount, currency
FROM invoices WHERE open_amount > 0
ORDER BY due_date, invoice_id LIMIT 5;

-- @demo:kpi
\echo 'Collection KPIs for the quarter, per currency: days sales outstanding, the best possible, the delinquent days, CEI.'
WITH q AS (
    SELECT currency,
           pg_catalog.sum(amount) FILTER (WHERE invoice_date BETWEEN DATE '2026-04-01' AND DATE '2026-06-30') AS sales,
           pg_catalog.sum(amount) FILTER (WHERE paid_on IS NULL OR paid_on > DATE '2026-06-30') AS ending,
           pg_catalog.sum(amount) FILTER (WHERE due_date >= DATE '2026-06-30'
                                            AND (paid_on IS NULL OR paid_on > DATE '2026-06-30')) AS ending_current,
           pg_catalog.sum(amount) FILTER (WHERE invoice_date < DATE '2026-04-01'
                                            AND (paid_on IS NULL OR paid_on >= DATE '2026-04-01')) AS beginning
    FROM invoices GROUP BY currency)
SELECT currency, sales, ending AS receivables,
       o2c.dso(ending, sales, 91) AS dso,
       o2c.best_possible_dso(ending_current, sales, 91) AS best_possible_dso,
       o2c.average_days_delinquent(ending, ending_current, sales, 91) AS average_days_delinquent,
       o2c.cei(beginning, sales, ending, ending_current) AS cei_percent
FROM q ORDER BY currency;

\echo 'The book as it stood on 31 March, rebuilt from the invoices and the payments (o2c.open_items), aged then.'
SELECT currency, (o2c.aging(open_amount, due_date, DATE '2026-03-31')).*
FROM o2c.open_items('SELECT invoice_id, customer_id, invoice_date, due_date, amount, currency FROM public.invoices',
                    'SELECT invoice_id, received_on AS settled_on, amount FROM public.payments',
                    DATE '2026-03-31')
GROUP BY currency ORDER BY currency;
\echo 'Overdue at each month end of the year, in one pass over the same rows (o2c.aging_history); the last'
\echo 'row of each currency is the aging above, and July 2025 is below zero: its first credit notes, due at once.'
SELECT as_of, currency, pg_catalog.sum(overdue) AS overdue, pg_catalog.sum(total) AS total,
       pg_catalog.round(100 * pg_catalog.sum(overdue) / NULLIF(pg_catalog.sum(total), 0), 1) AS overdue_pct
FROM o2c.aging_history('SELECT invoice_id, customer_id, invoice_date, due_date, amount, currency FROM public.invoices',
                       'SELECT invoice_id, received_on AS settled_on, amount FROM public.payments',
                       DATE '2025-07-31', DATE '2026-06-30', interval '1 month')
GROUP BY as_of, currency ORDER BY currency, as_of;

\echo 'How each customer pays: amount-weighted days to pay and days late (the slowest five).'
SELECT c.name, o2c.avg_days_to_pay(i.amount, i.invoice_date, i.paid_on) AS avg_days_to_pay,
       o2c.avg_days_late(i.amount, i.due_date, i.paid_on) AS avg_days_late,
       pg_catalog.count(i.paid_on) AS paid_invoices
FROM invoices i JOIN customers c USING (customer_id)
WHERE i.amount > 0
GROUP BY c.name ORDER BY avg_days_late DESC NULLS LAST, c.name LIMIT 5;

-- @demo:jobs
\echo
\echo '== 5. The collector''s day: month-end snapshots, the worklist, dunning'

\echo 'Nightly aging snapshots (pg_cron would run them); here the three month ends of the quarter.'
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, amount AS open_amount, currency FROM public.invoices
                          WHERE invoice_date <= DATE '2026-04-30' AND (paid_on IS NULL OR paid_on > DATE '2026-04-30')$$,
                        DATE '2026-04-30');
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, amount AS open_amount, currency FROM public.invoices
                          WHERE invoice_date <= DATE '2026-05-31' AND (paid_on IS NULL OR paid_on > DATE '2026-05-31')$$,
                        DATE '2026-05-31');
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, open_amount, currency FROM public.invoices
                          WHERE open_amount <> 0$$, DATE '2026-06-30');
-- Run again: the day is replaced, not doubled.
CALL o2c.snapshot_aging($$SELECT customer_id, due_date, open_amount, currency FROM public.invoices
                          WHERE open_amount <> 0$$, DATE '2026-06-30');

\echo 'o2c.aging_trend: the euro buckets at each month end, and how many customers are in each.'
SELECT as_of, bucket, amount, customers
FROM o2c.aging_trend WHERE currency = 'EUR' AND ledger = 'default';

\echo 'o2c.dso_trend: DSO per month end from the snapshots and the month''s sales.'
SELECT as_of, currency, credit_sales, receivables, dso, best_possible_dso, average_days_delinquent
FROM o2c.dso_trend('SELECT invoice_date, amount, currency FROM public.invoices')
ORDER BY currency, as_of;

\echo 'The shipped example dunning policy (an example, not legal advice): reminders at 7, 21 and 45 days.'
SELECT o2c.install_example_policy() AS example_levels \gset
SELECT * FROM o2c.dunning_schedule('2026-05-29', 'example', 'TARGET');
-- Fees in kronor are ten times the euro ones; letters in English and German.
INSERT INTO o2c.dunning_fee (policy, level, currency, fee) VALUES ('example', 2, 'SEK', 100.00), ('example', 3, 'SEK', 400.00);
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text) VALUES
    ('dunning', 0, 'en', 'Nordlicht Components: {{total_open}} {{currency}} overdue',
     E'Dear {{customer_name}},\n\nas of {{as_of}} these invoices are overdue:\n{{items}}\nPlease transfer {{total_due}} {{currency}} (fees {{total_fee}}, interest {{total_interest}})\nto DE44 5007 0010 0123 4567 89, quoting {{reference}}.\n\nNordlicht Components GmbH, receivables'),
    ('dunning', 0, 'de', 'Nordlicht Components: {{total_open}} {{currency}} überfällig',
     E'Sehr geehrte Damen und Herren der {{customer_name}},\n\nzum {{as_of}} sind folgende Rechnungen überfällig:\n{{items}}\nBitte überweisen Sie {{total_due}} {{currency}} (Gebühren {{total_fee}}, Zinsen {{total_interest}})\nauf DE44 5007 0010 0123 4567 89 unter Angabe von {{reference}}.\n\nNordlicht Components GmbH, Forderungsmanagement');
CALL o2c.run_dunning($$SELECT i.*, c.name AS customer_name,
                              CASE WHEN c.country IN ('DE', 'AT') THEN 'de' ELSE 'en' END AS language
                         FROM public.invoices i JOIN public.customers c USING (customer_id)$$,
                     'example', DATE '2026-06-30');
\echo 'Notices written, per level and currency (fees and interest in each invoice''s currency).'
SELECT currency, level, action, pg_catalog.count(*) AS notices, pg_catalog.sum(fee) AS fees,
       pg_catalog.sum(interest) AS interest
FROM o2c.dunning_notice GROUP BY currency, level, action ORDER BY currency, level;
CALL o2c.run_dunning('SELECT * FROM public.invoices', 'example', DATE '2026-06-30');
SELECT pg_catalog.count(*) AS notices_after_a_second_run FROM o2c.dunning_notice;
\echo 'Late interest at 9 % a year on the oldest disputed invoice, to 30 June.'
SELECT invoice_id, open_amount, due_date,
       o2c.dunning_level(due_date, DATE '2026-06-30', 'example') AS level,
       o2c.late_interest(open_amount, due_date, DATE '2026-06-30', 0.09, 'act/365', currency) AS interest
FROM invoices WHERE invoice_id = 'RE-2026-0101';

\echo 'The collector''s morning list: dunning level first, then money-days overdue (top three per currency).'
SELECT currency, priority_rank, customer_name, dunning_level, reason
FROM o2c.collection_worklist($$SELECT i.invoice_id, i.customer_id, c.name AS customer_name, i.due_date,
                                      i.open_amount, i.currency
                               FROM public.invoices i JOIN public.customers c USING (customer_id)
                               WHERE i.open_amount <> 0$$, DATE '2026-06-30', 'example')
WHERE priority_rank <= 3;

\echo 'Promises the collectors took in June, checked against the payments that came (o2c.run_promise_check).'
SELECT o2c.record_promise('K-1016', 'EUR', 2960.50, '2026-06-19', '{RE-2026-0102}', 'will pay once the glass is replaced', '2026-06-10') AS moravia,
       o2c.record_promise('K-1004', 'EUR', 3000.00, '2026-06-26', NULL, 'two transfers next week', '2026-06-17') AS kowalski,
       o2c.record_promise('K-1008', 'EUR', 4380.00, '2026-07-10', '{RE-2026-0101}', 'after their board meets', '2026-06-29') AS alpine;
CALL o2c.run_promise_check('SELECT payment_id, customer_id, received_on, amount, currency, invoice_id FROM public.payments',
                           DATE '2026-06-30', 'example');
SELECT c.name, p.amount, p.due_on, p.status, p.paid_amount, p.decided_on, p.note
FROM o2c.promise p JOIN customers c USING (customer_id) ORDER BY p.id;

\echo 'One letter per customer and currency carries the notices, in the customer''s language: one of each.'
SELECT subject, body_text FROM o2c.dunning_letter
WHERE id IN ((SELECT min(id) FROM o2c.dunning_letter WHERE language = 'en'),
             (SELECT min(id) FROM o2c.dunning_letter WHERE language = 'de'))
ORDER BY language DESC;

\echo 'What a mailer still has to send, oldest first (the outbox view; NOTIFY o2c_notice announces new rows).'
SELECT table_name, id, summary FROM o2c.outbox ORDER BY table_name, id LIMIT 5;

-- @demo:bank
\echo
\echo '== 6. The bank statements of 29 and 30 June: camt.053 (euros), MT940 (kronor), BAI2 (dollars)'
CREATE TABLE demo_bank_file (
    file_name text PRIMARY KEY,
    format    text NOT NULL,
    body      text NOT NULL
);
INSERT INTO demo_bank_file VALUES ('DEUTDEFF-2026-06-30.xml', 'camt053', $camt$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>DB-20260630</MsgId><CreDtTm>2026-07-01T05:10:00</CreDtTm></GrpHdr>
  <Stmt><Id>DB-20260630-01</Id>
   <Acct><Id><IBAN>DE44500700100123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">182400.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-29</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">203005.79</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-30</Dt></Dt></Bal>
   <Ntry><Amt Ccy="EUR">4870.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-29</Dt></BookgDt>
    <AcctSvcrRef>DB0629-01</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>NORDWIND LOGISTIK GMBH</Nm></Dbtr><DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>RE-2026-0901 Danke</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">629.94</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-29</Dt></BookgDt>
    <AcctSvcrRef>DB0629-02</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>BAECKEREI SCHAEFER</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>Rg. 2026/0904 abzgl. 2% Skonto</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">2230.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt>
    <AcctSvcrRef>DB0630-01</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>NORDWIND LOGISTIK</Nm></Dbtr><DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties>
     </TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">7388.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt>
    <AcctSvcrRef>DB0630-02</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>SOCIETE LUMIERE</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>FACT RE 2026 0905 frais bancaires</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">2215.35</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt>
    <AcctSvcrRef>DB0630-03</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>KOWALSKI MEBLE SP Z OO</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>invoice 2026-0960</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">3120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt>
    <AcctSvcrRef>DB0630-04</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>BROUWER TECHNIEK</Nm></Dbtr><DbtrAcct><Id><IBAN>NL39RABO0300065264</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>June invoice</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">152.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-06-30</Dt></BookgDt>
    <AcctSvcrRef>DB0630-05</AcctSvcrRef><NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>J. DOE</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>Mitgliedsbeitrag 2026</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>$camt$);
INSERT INTO demo_bank_file VALUES ('SWEDSESS-2026-06-30.sta', 'mt940', $mt940$
{1:F01SWEDSESSAXXX0000000000}{2:O9400000000000SWEDSESSAXXX00000000000000000000N}{4:
:20:SW20260630
:25:SE3550000000054910000003
:28C:121/1
:60F:C260629SEK512000,00
:61:2606300630C48200,00NTRFRE-2026-0909//SW0630A01
:86:/NAME/Boreal Timber AB/IBAN/SE4550000000058398257466/REMI/USTD//RE-2026-0909/
:61:2606300630C15000,00NTRFNONREF//SW0630A02
:86:/NAME/Valkyrie Outdoor AB/REMI/USTD//Faktura 2026-0910 delbetalning/
:62F:C260630SEK575200,00
-}
$mt940$);
INSERT INTO demo_bank_file VALUES ('BOFAUS3N-2026-06-30.bai', 'bai2', $bai2$01,026009593,NORDLICHT,260630,0600,1,,,2/
02,NORDLICHT,026009593,1,260630,2400,USD,2/
03,4471100925,USD,010,8600000,,,015,9195450,,/
16,195,520000,0,WT260630-11,RE-2026-0911,ACME INDUSTRIAL SUPPLY INC
88,RE-2026-0911 THANK YOU
16,175,75450,0,CHK2206,,COBALT ROBOTICS INC CHECK 2206/
49,18390900,5/
98,18390900,1,7/
99,18390900,1,9/
$bai2$);

\echo 'Every line of the three files as rows, amounts signed (credits positive).'
CREATE TABLE demo_bank_line AS
SELECT f.file_name, l.statement_id || '#' || l.line_no AS line_id, l.*
FROM demo_bank_file f,
     LATERAL (SELECT * FROM o2c.parse_camt053(f.body) WHERE f.format = 'camt053'
              UNION ALL
              SELECT * FROM o2c.parse_mt940(f.body) WHERE f.format = 'mt940'
              UNION ALL
              SELECT * FROM o2c.parse_bai2(f.body) WHERE f.format = 'bai2') l;
SELECT line_id, currency, booking_date, amount, counterparty_name, coalesce(remittance, reference) AS remittance
FROM demo_bank_line ORDER BY currency, line_id;
\echo 'Per statement: opening balance + lines = closing balance (strict parsing checked it already).'
SELECT statement_id, currency, pg_catalog.min(opening_balance) AS opening, pg_catalog.sum(amount) AS lines,
       pg_catalog.min(closing_balance) AS closing
FROM demo_bank_line GROUP BY statement_id, currency ORDER BY statement_id;

-- @demo:matching
\echo
\echo '== 7. Cash application: the statement lines matched to the open invoices'
-- The lines to apply and the open items to apply them to, in the column
-- names match_payments reads.
CREATE TABLE demo_bank_lines (
    line_id text, booked date, amount numeric(12, 2), currency text,
    counterparty text, iban text, remittance text);
INSERT INTO demo_bank_lines
SELECT line_id, booking_date, amount, currency, counterparty_name, counterparty_account,
       coalesce(remittance, reference)
FROM demo_bank_line WHERE credit;
CREATE VIEW demo_ar_open AS
SELECT i.invoice_id, i.customer_id, c.name AS customer_name, c.iban AS customer_iban, i.invoice_date,
       i.open_amount, i.currency, i.reference, c.terms
FROM invoices i JOIN customers c USING (customer_id)
WHERE i.open_amount <> 0;

\echo 'How o2c reads names and references: legal forms and accents away, references found in free text.'
SELECT o2c.normalize_name('Bäckerei Schäfer & Söhne KG') AS name_key,
       o2c.normalize_name('BAECKEREI SCHAEFER') AS payer_key,
       pg_catalog.round(o2c.jaro_winkler(o2c.normalize_name('Bäckerei Schäfer & Söhne KG'),
                                         o2c.normalize_name('BAECKEREI SCHAEFER'))::numeric, 3) AS jaro_winkler,
       o2c.damerau_levenshtein('2026-0906', '2026-0960') AS typo_edits,
       o2c.extract_refs('FACT RE 2026 0905 frais bancaires') AS refs;

\echo 'The matches, with a score and the rule that made each (auto: applied without a person).'
SELECT m.payment_id, m.invoice_id, m.applied_amount, m.score, m.rule, m.auto
FROM o2c.match_payments(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM demo_bank_lines ORDER BY line_id',
    'SELECT * FROM demo_ar_open',
    '{"tolerance": 15}') AS m
ORDER BY m.payment_id, m.invoice_id;
\echo 'Schäfer took the 2 % discount its terms allow; Nordwind paid two invoices without a reference;'
\echo 'Lumière''s bank kept 12.00 in fees (a short pay); Kowalski typed 0960 for 0906; Brouwer''s 3120.00'
\echo 'fits two invoices, so a person confirms; Valkyrie paid part of an invoice; Cobalt''s check names'
\echo 'neither the customer nor an invoice; J. Doe is not a customer.'

\echo 'As the daily job: o2c.cash_match keeps each payment''s application, replaced on the next run, never doubled.'
CALL o2c.run_cash_application(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM public.demo_bank_lines',
    'SELECT * FROM public.demo_ar_open', '{"tolerance": 15}');
CALL o2c.run_cash_application(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM public.demo_bank_lines',
    'SELECT * FROM public.demo_ar_open', '{"tolerance": 15}');
SELECT status, currency, pg_catalog.count(*) AS applications, pg_catalog.sum(applied_amount) AS amount
FROM o2c.cash_match m JOIN demo_bank_lines b ON b.line_id = m.payment_id
GROUP BY status, currency ORDER BY status, currency;

-- @demo:reconcile
\echo
\echo '== 8. Reconciliation: the bank''s lines against the payments the books recorded'
-- The payments the cashier booked by hand on those two days, before the
-- statements came (one of them, Ostsee, never reached the bank).
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
    ('CASH-0629-1', '2026-06-29', 4870.00, 'EUR', 'Nordwind Logistik', 'DE02 1203 0000 0000 2020 51', 'RE-2026-0901'),
    ('CASH-0630-1', '2026-06-30', 7388.00, 'EUR', 'Société Lumière', NULL, 'RE-2026-0905'),
    ('CASH-0630-2', '2026-06-30', 48200.00, 'SEK', 'Boreal Timber AB', NULL, 'RE-2026-0909'),
    ('CASH-0630-3', '2026-06-29', 5200.00, 'USD', 'Acme Industrial Supply', NULL, 'RE-2026-0911'),
    ('CASH-0630-4', '2026-06-30', 1480.00, 'EUR', 'Ostsee Werft AG', NULL, 'RE-2026-0433');
SELECT * FROM o2c.reconcile(
    'SELECT line_id, booking_date, amount, currency, counterparty_name, counterparty_account,
            reference, remittance FROM demo_bank_line',
    'SELECT * FROM demo_payment');

-- @demo:risk
\echo
\echo '== 9. Who will pay late: a model trained on the year''s history, then each customer''s statement'
-- The history the risk functions read: every invoice with the day it was
-- settled (NULL while open) and whether it was disputed.
CREATE VIEW risk_demo_invoices AS
SELECT invoice_id, customer_id, invoice_date, due_date, amount, paid_on, disputed
FROM invoices WHERE amount > 0;

\echo 'Payment history as known on 30 June: the five customers who pay latest.'
SELECT c.name, h.invoices, h.invoices_paid, h.share_paid_late, h.avg_days_late,
       h.recent_days_late, h.dispute_rate, h.open_amount, h.overdue_amount, h.max_days_late
FROM o2c.customer_history('SELECT * FROM risk_demo_invoices', '2026-06-30') h
JOIN customers c USING (customer_id)
ORDER BY h.avg_days_late DESC NULLS LAST, c.name LIMIT 5;

\echo 'A model trained on what was known on 31 March (its holdout: the latest fifth of that window).'
CALL o2c.train_risk_model('demo', 'SELECT * FROM risk_demo_invoices', '2026-03-31');
SELECT name, window_from, window_to, rows, late_rows, holdout_rows,
       pg_catalog.round(holdout_auc::numeric, 3) AS holdout_auc
FROM o2c.risk_model WHERE name = 'demo';

\echo 'The open invoices most likely to be paid late, and why.'
SELECT s.invoice_id, c.name, s.probability, s.grade, s.reasons
FROM o2c.risk_score('demo', 'SELECT * FROM risk_demo_invoices',
         'SELECT * FROM risk_demo_invoices WHERE paid_on IS NULL', '2026-06-30') s
JOIN customers c ON c.customer_id = s.customer_id
ORDER BY s.probability DESC, s.invoice_id LIMIT 6;

\echo 'The same model on the invoices of April, scored on 1 April, against what then happened.'
SELECT s.grade, pg_catalog.count(*) AS invoices,
       pg_catalog.count(*) FILTER (WHERE i.paid_on > i.due_date OR i.paid_on IS NULL) AS paid_late_or_open
FROM o2c.risk_score('demo', 'SELECT * FROM risk_demo_invoices',
         $$SELECT * FROM risk_demo_invoices WHERE invoice_date >= '2026-04-01' AND invoice_date < '2026-05-01'$$,
         '2026-04-01') s
JOIN invoices i USING (invoice_id)
GROUP BY s.grade ORDER BY s.grade;

\echo 'The statement of account Alpine Outdoor AG receives for the quarter: balances, every document, the aging.'
SELECT * FROM o2c.customer_statement(
    'SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM invoices',
    'SELECT payment_id, customer_id, received_on, amount, invoice_id FROM payments',
    'K-1008', '2026-04-01', '2026-06-30');

\echo 'Cash coming in over the next four weeks, per currency, from each customer''s history (o2c.cash_forecast):'
\echo 'expected, and the scenarios of everyone paying early or late.'
SELECT week_start, currency, expected, early, late, invoices
FROM o2c.cash_forecast('SELECT invoice_id, customer_id, due_date, open_amount, currency FROM public.invoices WHERE open_amount > 0',
                       'SELECT * FROM risk_demo_invoices', DATE '2026-07-01', 4)
ORDER BY currency, week_start;

\echo
\echo '== 10. Every job''s last run, and the schedule a DBA adds'
\echo 'A weekly quality scan as a job too; o2c.job_health shows each job''s latest run.'
CALL o2c.run_quality_scan($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, due AS due_date,
           total AS amount, open AS open_amount, cur AS currency, ref AS reference
    FROM public.demo_q_invoice$$, '{"as_of": "2026-06-30"}', 'weekly scan');
SELECT job, last_status, last_rows_read, last_rows_written, failures_7d FROM o2c.job_health;

SELECT pg_catalog.current_setting('shared_preload_libraries') ~ 'pg_cron' AS have_cron \gset
\if :have_cron
\echo 'pg_cron is preloaded: the nightly snapshot is scheduled from cron.database_name, shown, and removed again.'
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
\echo 'pg_cron is not preloaded on this server; the line a DBA runs from cron.database_name for a nightly snapshot:'
SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L);', 'o2c-aging', '0 2 * * *',
    $c$CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM public.invoices WHERE open_amount <> 0')$c$,
    pg_catalog.current_database()) AS schedule_line;
\endif

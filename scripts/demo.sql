-- o2c demo: a realistic receivables ledger, loaded and reported on.
-- Run by `scripts/run.sh demo` in a fresh database.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION o2c;
SELECT pg_catalog.setseed(0.42);

\echo
\echo '== The ledger: 40 customers, 3,000 invoices over 18 months, some paid'

-- @demo:ledger

-- @demo:aging

-- @demo:kpi

-- @demo:terms

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

\echo '-- the same table scanned in bulk, with the rules that compare rows'
SELECT * FROM o2c.quality_scan($$
    SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date, due AS due_date,
           total AS amount, open AS open_amount, cur AS currency, ref AS reference
    FROM demo_q_invoice$$, '{"as_of": "2024-06-30", "rules": ["suspected_duplicate", "duplicate_number", "due_before_invoice"]}');

-- @demo:matching

-- @demo:bank

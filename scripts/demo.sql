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

-- @demo:matching
\echo
\echo '== Cash application: a bank statement matched to open invoices'
CREATE TABLE demo_ar_open (
    invoice_id text PRIMARY KEY, customer_id text, customer_name text, customer_iban text,
    invoice_date date, open_amount numeric(12, 2), currency text, reference text,
    discount_percent numeric, discount_until date);
INSERT INTO demo_ar_open VALUES
 ('2024-1001', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-05-02', 4870.00, 'EUR', 'RE-2024-1001', NULL, NULL),
 ('2024-1002', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-05-16', 1250.50, 'EUR', 'RE-2024-1002', NULL, NULL),
 ('2024-1003', 'K-100', 'Nordwind Logistik GmbH',        'DE02 1203 0000 0000 2020 51', '2024-06-03',  980.00, 'EUR', 'RE-2024-1003', NULL, NULL),
 ('2024-1004', 'K-210', 'Bäckerei Schäfer & Söhne KG',   NULL,                          '2024-06-01',  642.80, 'EUR', 'RE-2024-1004', 2, '2024-06-11'),
 ('2024-1005', 'K-305', 'The Harbour Fish Company Ltd.', 'GB33 BUKB 2020 1555 5555 55', '2024-05-20', 3120.00, 'EUR', 'RE-2024-1005', NULL, NULL),
 ('2024-1006', 'K-305', 'The Harbour Fish Company Ltd.', 'GB33 BUKB 2020 1555 5555 55', '2024-05-28', 3120.00, 'EUR', 'RE-2024-1006', NULL, NULL),
 ('2024-1007', 'K-412', 'Société Lumière S.A.R.L.',      NULL,                          '2024-05-10', 7400.00, 'EUR', 'RE-2024-1007', NULL, NULL),
 ('2024-1008', 'K-518', 'Kowalski Meble Sp. z o.o.',     NULL,                          '2024-05-12', 2215.35, 'EUR', 'RE-2024-1008', NULL, NULL),
 ('2024-1009', 'K-620', 'Alpine Outdoor AG',             'CH93 0076 2011 6238 5295 7',  '2024-05-30', 1890.00, 'CHF', 'RE-2024-1009', NULL, NULL);
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

\echo 'BL-02 took the 2% discount; BL-03 paid two invoices without a reference;'
\echo 'BL-05 typed 1080 for 1008; BL-06 fits two invoices of 3120.00, so the older'
\echo 'gets it and a person confirms; BL-07 is a partial payment in CHF.'
\echo 'Auto-applied share of the statement, by amount:'
SELECT pg_catalog.round(100.0 * pg_catalog.sum(applied_amount) FILTER (WHERE auto) / pg_catalog.sum(applied_amount), 1) AS auto_pct
FROM o2c.match_payments(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM demo_bank_lines', 'SELECT * FROM demo_ar_open', '{"tolerance": 15}');

-- @demo:bank

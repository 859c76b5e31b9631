-- quality: quality_scan, duplicate_invoices and duplicate_customers over
-- fixtures written for this test. Each invoice below breaks the rules its
-- comment names, and no other.
\pset null '(null)'

CREATE TABLE q_invoices (
    invoice_id   text,
    customer_id  text,
    invoice_date date,
    due_date     date,
    amount       numeric(12,2),
    open_amount  numeric(12,2),
    currency     text,
    reference    text
);
INSERT INTO q_invoices VALUES
    ('INV-001', 'C1', '2024-03-01', '2024-03-31', 1200.00, 1200.00, 'EUR', 'PO 4711'),  -- clean
    ('INV-002', NULL, '2024-03-02', '2024-04-01',  300.00,  300.00, 'EUR', 'PO 4712'),  -- missing_customer
    ('INV-003', '  ', '2024-03-02', '2024-04-01',  310.00,  310.00, 'EUR', 'PO 4713'),  -- missing_customer (blank)
    ('INV-004', 'C2', '2024-03-03', '2024-04-02',    0.00,    0.00, 'EUR', 'PO 4714'),  -- zero_amount
    ('INV-005', 'C2', '2024-03-04', '2024-02-28',  450.00,  450.00, 'EUR', 'PO 4715'),  -- due_before_invoice
    ('INV-006', 'C3', '2024-03-05', '2024-04-04',  500.00,  500.00, 'EUX', 'PO 4716'),  -- invalid_currency
    ('INV-007', 'C3', '2024-03-06', '2024-04-05',  600.00,  650.00, 'usd', 'PO 4717'),  -- open_exceeds_amount
    ('INV-008', 'C4', '2024-03-07', '2024-04-06',  700.00,  -10.00, 'GBP', 'PO 4718'),  -- negative_open
    ('CN-001',  'C4', '2024-03-08', '2024-04-07', -100.00,  -40.00, 'GBP', 'CN 4718'),  -- a credit note: clean
    ('INV-009', 'C4', '2024-08-01', '2024-08-31',  800.00,  800.00, 'GBP', 'PO 4719'),  -- future_invoice_date (as of 2024-06-30)
    ('INV-010', 'C5', '2024-03-09', '2024-04-08',  900.00,  900.00, 'JPY', 'PO 4720'),  -- duplicate_number (with the next)
    ('INV-010', 'C6', '2024-03-10', '2024-04-09',   95.00,   95.00, 'CHF', 'X-1'),      -- duplicate_number
    ('INV-012', 'C1', '2024-03-04', '2024-04-03', 1200.00, 1200.00, 'EUR', 'PO-04711'), -- suspected_duplicate of INV-001
    ('INV-013', 'C1', '2024-03-05', '2024-04-04', 1200.00, 1200.00, 'EUR', 'PO 9999'),  -- same amount, other reference: clean
    ('INV-014', 'C1', '2024-03-30', '2024-04-29', 1200.00, 1200.00, 'EUR', 'PO 4711'),  -- same reference, too late: clean
    ('INV-015', 'C7', NULL,         NULL,           NULL,    NULL,  NULL,   NULL);      -- all unknown: clean

SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"as_of": "2024-06-30"}');

-- only some rules, a wider window and a stricter reference distance
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices',
    '{"as_of": "2024-06-30", "rules": ["suspected_duplicate", "duplicate_number"], "window_days": 30}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices',
    '{"rules": ["suspected_duplicate"], "max_reference_distance": 0}');

-- optional columns may be left out; the rules that need them are skipped
SELECT * FROM o2c.quality_scan($$
    SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM q_invoices
    WHERE invoice_id IN ('INV-004', 'INV-006', 'INV-008')$$);

-- ids of any type are read as text; amounts may be integers
SELECT * FROM o2c.quality_scan($$
    SELECT 42::bigint AS invoice_id, 7 AS customer_id, DATE '2024-01-10' AS invoice_date,
           DATE '2024-01-01' AS due_date, -5 AS amount$$);

-- IBANs when the query has an iban column
SELECT * FROM o2c.quality_scan($$
    SELECT * FROM (VALUES ('P1', 'C1', DATE '2024-01-01', DATE '2024-01-31', 10, 'DE89 3704 0044 0532 0130 00'),
                          ('P2', 'C1', DATE '2024-01-01', DATE '2024-01-31', 20, 'DE89 3704 0044 0532 0130 01'))
        AS t(invoice_id, customer_id, invoice_date, due_date, amount, iban)$$,
    '{"rules": ["invalid_iban"]}');

-- errors: missing and mistyped columns, unknown options and rules
SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, due_date, amount FROM q_invoices');
SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date::text AS invoice_date, due_date, amount FROM q_invoices');
SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount::float8 AS amount FROM q_invoices');
SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount, 1 AS currency FROM q_invoices');
SELECT * FROM o2c.quality_scan('SELECT invoice_id, customer_id, invoice_date, due_date, amount FROM q_invoices',
    '{"rules": ["invalid_currency"]}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"rules": ["late_payment"]}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"rule": ["missing_customer"]}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"rules": ["terms_due_mismatch"]}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"window_days": -1}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '[1, 2]');

-- terms_due_mismatch: an optional terms column (o2c.terms or text), and an
-- optional calendar whose default convention moves the due dates
INSERT INTO o2c.calendar (name, weekend, convention) VALUES ('quality_fwd', '{6,7}', 'following');
SELECT * FROM o2c.quality_scan($$SELECT * FROM (VALUES
        ('T-1', 'C1', DATE '2024-03-01', DATE '2024-03-31', 10.00, 'NET 30'::o2c.terms),
        ('T-2', 'C1', DATE '2024-03-01', DATE '2024-04-01', 10.00, 'NET 30'),
        ('T-3', 'C1', DATE '2024-03-01', NULL,              10.00, 'NET 30'),
        ('T-4', 'C1', DATE '2024-03-01', DATE '2024-04-30', 10.00, '50% NET 30; 50% NET 60'),
        ('T-5', 'C1', DATE '2024-03-01', DATE '2024-05-01', 10.00, NULL))
        AS t(invoice_id, customer_id, invoice_date, due_date, amount, terms)$$,
    '{"rules": ["terms_due_mismatch"]}');
SELECT * FROM o2c.quality_scan($$SELECT * FROM (VALUES
        ('T-1', 'C1', DATE '2024-03-01', DATE '2024-03-31', 10.00, 'net 30'),
        ('T-2', 'C1', DATE '2024-03-01', DATE '2024-04-01', 10.00, 'net 30'))
        AS t(invoice_id, customer_id, invoice_date, due_date, amount, terms)$$,
    '{"rules": ["terms_due_mismatch"], "calendar": "quality_fwd"}');
SELECT * FROM o2c.quality_scan('SELECT *, 30 AS terms FROM q_invoices', '{"rules": ["terms_due_mismatch"]}');
-- text that is not payment terms is a finding of its own, not an error
SELECT * FROM o2c.quality_scan($$SELECT * FROM (VALUES
        ('V-1', 'C1', DATE '2024-03-01', DATE '2024-03-31', 10.00, 'NET 30'),
        ('V-2', 'C2', DATE '2024-03-01', DATE '2024-03-31', 10.00, 'soon'),
        ('V-3', 'C3', DATE '2024-03-01', NULL::date, 10.00, 'NET 30 days'),
        ('V-4', 'C4', DATE '2024-03-01', DATE '2024-04-30', 10.00, NULL),
        ('V-5', 'C5', DATE '2024-03-01', DATE '2024-04-30', 10.00, '2/10 NET 30'))
        AS t(invoice_id, customer_id, invoice_date, due_date, amount, terms)$$, '{"as_of": "2024-06-30"}');
SELECT o2c.quality_scan_rows() AS invoices_read;
-- with invalid_terms off, such text is skipped
SELECT * FROM o2c.quality_scan($$SELECT *, 'soon'::text AS terms FROM q_invoices$$, '{"rules": ["terms_due_mismatch"]}');
SELECT * FROM o2c.quality_scan($$SELECT * FROM q_invoices$$, '{"rules": ["invalid_terms"]}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"calendar": "Atlantis"}');
SELECT * FROM o2c.quality_scan('SELECT * FROM q_invoices', '{"calendar": 7}');
DELETE FROM o2c.calendar WHERE name = 'quality_fwd';

-- duplicate invoices
SELECT * FROM o2c.duplicate_invoices('SELECT * FROM q_invoices');
SELECT * FROM o2c.duplicate_invoices('SELECT * FROM q_invoices', '{"min_score": 0.9}');
SELECT * FROM o2c.duplicate_invoices('SELECT * FROM q_invoices', '{"min_score": 0.2, "window_days": 30}');

-- duplicate customers
CREATE TABLE q_customers (customer_id int, name text, tax_id text, iban text, email text, country text);
INSERT INTO q_customers VALUES
    (1, 'ACME GmbH',           'DE136695976',    NULL,                          'ap@acme.example',  'DE'),
    (2, 'Acme',                'de 136 695 976', NULL,                          NULL,               'DE'),
    (3, 'Bäckerei Schmidt',    NULL,             'DE89 3704 0044 0532 0130 00', NULL,               'DE'),
    (4, 'Baeckerei Schmitt',   NULL,             'de89370400440532013000',      NULL,               'DE'),
    (5, 'Globex Corporation',  NULL,             NULL,                          'AR@globex.example', 'US'),
    (6, 'Globex Corp.',        NULL,             NULL,                          ' ar@globex.example', 'US'),
    (7, 'Initech Software Solutions Ltd',    NULL, NULL,                        NULL,               'GB'),
    (8, 'Initech Sofware Solutions Limited', NULL, NULL,                        NULL,               'GB'),
    (9, 'Initech Software Solutions',        NULL, NULL,                        NULL,               'FR'),
    (10, 'Umbrella SA',        NULL,             NULL,                          NULL,               'FR'),
    (11, 'Hooli Inc',          NULL,             NULL,                          NULL,               'US');
SELECT * FROM o2c.duplicate_customers('SELECT * FROM q_customers');
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name FROM q_customers', '{"min_score": 0.3}');
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name FROM q_customers', '{"name_threshold": 0.99}');
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name::bytea AS name FROM q_customers');
SELECT * FROM o2c.duplicate_customers('SELECT customer_id, name FROM q_customers', '{"threshold": 0.9}');

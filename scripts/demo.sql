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

-- @demo:matching

-- @demo:bank

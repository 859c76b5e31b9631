-- The worklists and the customer statement in a reporting currency: each
-- amount converted with o2c.convert at the as-of date (to_date for a
-- statement), rounded to the target's minor units; a missing rate is
-- convert's error; without a reporting currency nothing changes.

CREATE TABLE rc_inv (invoice_id text, customer_id text, customer_name text, invoice_date date,
                     due_date date, amount numeric, open_amount numeric, currency text);
INSERT INTO rc_inv VALUES
    ('E-1', 'ACME',   'Acme',   '2024-01-10', '2024-02-09', 1000.00,  400.00, 'EUR'),
    ('U-1', 'ACME',   'Acme',   '2024-02-01', '2024-03-02',  550.00,  550.00, 'USD'),
    ('J-1', 'ACME',   'Acme',   '2024-02-15', '2024-03-16', 48000,   48000,   'JPY'),
    ('U-2', 'BOREAL', 'Boreal', '2024-01-20', '2024-02-19',  330.00,  330.00, 'usd'),
    ('E-2', 'BOREAL', 'Boreal', '2024-03-20', '2024-04-19',  100.00,  100.00, 'EUR');
CREATE TABLE rc_pay (payment_id text, customer_id text, received_on date, amount numeric,
                     invoice_id text, currency text);
INSERT INTO rc_pay VALUES
    ('P-1', 'ACME', '2024-02-20', 600.00, 'E-1', 'EUR'),
    ('P-2', 'ACME', '2024-03-25', 110.00, NULL,  'USD');   -- on account

SELECT count(*) AS rates_before FROM o2c.fx_rate;
-- what other tests installed stays as it was (removed again at the end)
CREATE TEMP TABLE rc_had_policy AS SELECT DISTINCT policy FROM o2c.dunning_policy;
CREATE TEMP TABLE rc_had_reason AS SELECT code FROM o2c.dispute_reason;
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate) VALUES
    ('EUR', 'USD', '2024-01-01', 1.1000), ('EUR', 'USD', '2024-03-29', 1.0800),
    ('EUR', 'JPY', '2024-01-01', 160.00);

-- collection_worklist: per currency as before; in EUR one row per customer,
-- at the 2024-03-31 rates (USD 1.08, JPY 160): ACME 400.00 + 509.26 +
-- 300.00 = 1209.26.
SELECT currency, priority_rank, customer_id, overdue, d91_plus, overdue_items, priority, reason
FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31');
SELECT currency, priority_rank, customer_id, overdue, d91_plus, overdue_items, priority, reason
FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{"reporting_currency": "eur"}');
SELECT o2c.install_example_policy() >= 0 AS installed;
SELECT currency, priority_rank, customer_id, dunning_level, overdue, priority
FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', 'example', '{"reporting_currency": "JPY"}');
-- a JSON null is no reporting currency: the same rows as without
SELECT count(*) AS differing FROM (
    (SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{"reporting_currency": null}')
     EXCEPT ALL
     SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{}'))
    UNION ALL
    (SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{}')
     EXCEPT ALL
     SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{"reporting_currency": null}'))) d;
-- errors: no GBP rate; an unknown code, even with nothing to convert; not a string
SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{"reporting_currency": "GBP"}');
SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv WHERE false', '2024-03-31', NULL, '{"reporting_currency": "EURO"}');
SELECT * FROM o2c.collection_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, '{"reporting_currency": 978}');
-- a row without a currency cannot be converted
SELECT * FROM o2c.collection_worklist('SELECT customer_id, due_date, open_amount FROM rc_inv', '2024-03-31', NULL,
                                      '{"reporting_currency": "EUR"}');

-- collector_worklist: a dispute of 110 USD on U-1 is converted as the open
-- amount is (101.85 EUR at 1.08).
SELECT o2c.install_dispute_reasons() >= 0 AS reasons;
SELECT o2c.open_dispute('U-1', 'USD', 110.00, 'pricing', 'ACME', NULL, NULL, '2024-03-01', 'rc') > 0 AS disputed;
SELECT currency, customer_id, chaseable, disputed, promised, money_days, reason
FROM o2c.collector_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, 'rc');
SELECT currency, customer_id, chaseable, disputed, promised, money_days, reason
FROM o2c.collector_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, 'rc', 'EUR');
SELECT currency, customer_id, chaseable, disputed
FROM o2c.collector_worklist('SELECT * FROM rc_inv', '2024-03-31', ledger => 'rc', reporting_currency => 'usd');
SELECT * FROM o2c.collector_worklist('SELECT * FROM rc_inv', '2024-03-31', NULL, 'rc', 'GBP');
SELECT * FROM o2c.collector_worklist('SELECT * FROM rc_inv WHERE false', '2024-03-31', NULL, 'rc', 'EURO');

-- customer_statement: the five-argument form adds the amounts as given; in
-- EUR each document is converted at to_date's rate first, so the closing
-- balance still equals the aging lines' sum.
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31');
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31', 'EUR');
WITH s AS (SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31', 'USD'))
SELECT (SELECT balance FROM s WHERE kind = 'closing balance') AS closing,
       (SELECT sum(amount) FROM s WHERE kind = 'aging') AS aged;
-- errors: a missing rate at to_date, an unknown code, no currency column, a NULL currency
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31', 'GBP');
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2023-11-01', '2023-12-31', 'USD');
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31', 'EURO');
SELECT * FROM o2c.customer_statement('SELECT * FROM rc_inv', 'SELECT payment_id, customer_id, received_on, amount FROM rc_pay',
                                     'ACME', '2024-02-01', '2024-03-31', 'EUR');
SELECT * FROM o2c.customer_statement('SELECT invoice_id, customer_id, invoice_date, due_date, amount, NULL::text AS currency FROM rc_inv',
                                     'SELECT * FROM rc_pay', 'ACME', '2024-02-01', '2024-03-31', 'EUR');

DELETE FROM o2c.dispute WHERE ledger = 'rc';
DELETE FROM o2c.dispute_reason WHERE code NOT IN (SELECT code FROM rc_had_reason);
DELETE FROM o2c.dunning_policy WHERE policy NOT IN (SELECT policy FROM rc_had_policy);
DELETE FROM o2c.fx_rate;
DROP TABLE rc_inv, rc_pay;

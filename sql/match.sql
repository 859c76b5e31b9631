-- Cash application: one worked example per rule, with its score.
-- score = identification evidence x amount fit (README "How a match is scored").
SET extra_float_digits = 0;
CREATE TEMP TABLE inv (invoice_id text, customer_id text, customer_name text,
    invoice_date date, due_date date, open_amount numeric, currency text,
    reference text, customer_iban text, discount_percent numeric, discount_until date);
INSERT INTO inv VALUES
 ('I1', 'C1', 'Acme Corporation', '2024-01-10', '2024-02-09', 1000.00, 'EUR', 'INV-000101', 'DE89 3704 0044 0532 0130 00', NULL, NULL),
 ('I2', 'C1', 'Acme Corporation', '2024-01-20', '2024-02-19',  250.00, 'EUR', 'INV-000102', 'DE89 3704 0044 0532 0130 00', NULL, NULL),
 ('I3', 'C1', 'Acme Corporation', '2024-02-01', '2024-03-02',  400.00, 'EUR', 'INV-000103', 'DE89 3704 0044 0532 0130 00', NULL, NULL),
 ('I4', 'C2', 'Globex GmbH',      '2024-01-15', '2024-02-14', 1200.00, 'EUR', 'INV-000201', NULL, 2, '2024-01-25'),
 ('I5', 'C3', 'Initech Ltd.',     '2024-01-05', '2024-02-04',  800.00, 'EUR', 'INV-000301', NULL, NULL, NULL),
 ('I6', 'C4', 'Umbrella Pty',     '2024-01-05', '2024-02-04',  555.55, 'EUR', 'INV-123456', NULL, NULL, NULL),
 ('I7', 'C5', 'Hooli Inc.',       '2024-01-07', '2024-02-06',  900.00, 'EUR', NULL, 'GB29 NWBK 6016 1331 9268 19', NULL, NULL),
 ('I8', 'C6', 'Wayne Enterprises','2024-01-08', '2024-02-07', 2000.00, 'EUR', 'INV-000601', NULL, NULL, NULL),
 ('I9', 'C7', 'Stark Industries', '2024-01-09', '2024-02-08',  300.00, 'EUR', 'INV-000701', NULL, NULL, NULL),
 ('I10','C8', 'Soylent Corp',     '2024-01-09', '2024-02-08',  120.00, 'EUR', NULL, NULL, NULL, NULL),
 ('I11','C9', 'Tyrell Corp',      '2024-01-09', '2024-02-08',   75.00, 'USD', 'INV-000901', NULL, NULL, NULL);
CREATE TEMP TABLE pay (payment_id text, received_on date, amount numeric, currency text,
    payer_name text, payer_iban text, reference text, customer_id text);
INSERT INTO pay VALUES
 ('P01-reference',   '2024-02-01', 1000.00, 'EUR', 'ACME CORP', NULL, 'Payment INV-000101', NULL),
 ('P02-fuzzy-ref',   '2024-02-01',  555.55, 'EUR', 'UMBRELLA', NULL, 'INV-124356', NULL),
 ('P03-discount',    '2024-01-24', 1176.00, 'EUR', 'GLOBEX GMBH', NULL, 'Rechnung INV 201', NULL),
 ('P04-short-pay',   '2024-02-10',  795.00, 'EUR', 'INITECH LIMITED', NULL, 'inv 301 less bank fee', NULL),
 ('P05-combination', '2024-02-10',  650.00, 'EUR', 'Acme Corp.', NULL, NULL, NULL),
 ('P06-iban',        '2024-02-10',  900.00, 'EUR', 'H. Ltd', 'gb29nwbk60161331926819', NULL, NULL),
 ('P07-partial',     '2024-02-10',  500.00, 'EUR', 'Wayne Ent.', NULL, 'INV-000601', NULL),
 ('P08-overpayment', '2024-02-10',  350.00, 'EUR', 'Stark Industries', NULL, 'INV 701', NULL),
 ('P09-name',        '2024-02-10',  120.00, 'EUR', 'SOYLENT CORPORATION', NULL, NULL, NULL),
 ('P10-currency',    '2024-02-10',   75.00, 'EUR', 'Tyrell', NULL, 'INV-000901', NULL),
 ('P11-nothing',     '2024-02-10',   99.00, 'EUR', 'Nobody at all', NULL, 'thanks', NULL);

-- How each score below comes about (evidence x fit):
--   P01 reference INV-000101 found, amount equals the open amount: 1.00 x 1.00
--   P02 INV-124356 is one transposition from INV-123456, the amount fits and
--       the payer name confirms the customer: (0.92 + 0.04) x 1.00 = 0.96
--   P03 "INV 201" gives the digits 201 = INV-000201; 1176.00 = 1200.00 less
--       the 2% discount, received by 2024-01-25: 1.00 x 0.97
--   P04 "inv 301", 5.00 short, within the tolerance of 10: 1.00 x 0.95
--   P05 no reference; the name finds Acme (1.00); 650.00 = 250.00 + 400.00,
--       the only set of Acme's open invoices that sums to it: 1.00 x 0.95
--   P06 IBAN of Hooli (0.98), amount equals the open amount: 0.98 x 1.00
--   P07 reference INV-000601, 500.00 of 2000.00: 1.00 x 0.50, never automatic
--   P08 "INV 701" pays 350.00 on 300.00 from the customer itself:
--       1.00 x 0.90, and the 50.00 left is a row of its own (unapplied)
--   P09 "SOYLENT CORPORATION" normalizes to "soylent" like "Soylent Corp": 1.00
--   P10 the reference is a USD invoice, the payment is EUR: unmatched
--   P11 nothing to go on: unmatched
SELECT * FROM o2c.match_payments(
    'SELECT * FROM pay ORDER BY payment_id', 'SELECT * FROM inv', '{"tolerance": 10}');

-- The same book, without a short-pay tolerance: P04 becomes a partial (not auto).
SELECT * FROM o2c.match_payments(
    'SELECT * FROM pay WHERE payment_id LIKE ''P04%''', 'SELECT * FROM inv');

-- Ambiguity: two invoices of one customer with the same amount. The oldest
-- gets the money, but the runner-up is as good, so it is not automatic.
SELECT * FROM o2c.match_payments(
    $$SELECT 'P1' AS payment_id, 100 AS amount, 'C1' AS customer_id$$,
    $$SELECT * FROM (VALUES ('A', 'C1', DATE '2024-01-01', 100::numeric),
                            ('B', 'C1', DATE '2024-01-02', 100::numeric))
          AS t(invoice_id, customer_id, invoice_date, open_amount)$$);

-- Payment terms: an invoice's "terms" column (o2c.terms, or text) gives the
-- early-payment discount, as o2c.discount_until and o2c.discount_amount do.
-- T1 and T2 are 1000.00 on 2/10 NET 30 from 2024-03-01: the window ends on
-- 2024-03-11 (its last day included), the discount is 2% = 20.00.
--   Q1 pays 980.00 on 2024-03-11, the 10th day: discount, 1.00 x 0.97
--   Q2 pays 980.00 on 2024-03-12, the 11th day: no discount any more, so it
--      is 20.00 short: a short pay within a tolerance of 25, a partial without
-- T3 has terms NET 30 and the old discount columns (5% until 2024-03-31):
-- the terms win, so Q3's 950.00 is no discount but a partial.
-- T4 has installments (50% NET 30; 50% NET 60): no discount, so Q4 is like Q2.
CREATE TEMP TABLE tinv AS
SELECT * FROM (VALUES
  ('T1', 'C1', DATE '2024-03-01', 1000.00, 'EUR', 'INV-7001', '2/10 NET 30'::o2c.terms, NULL::numeric, NULL::date),
  ('T2', 'C2', DATE '2024-03-01', 1000.00, 'EUR', 'INV-7002', '2/10 NET 30', NULL, NULL),
  ('T3', 'C3', DATE '2024-03-01', 1000.00, 'EUR', 'INV-7003', 'NET 30', 5, DATE '2024-03-31'),
  ('T4', 'C4', DATE '2024-03-01', 1000.00, 'EUR', 'INV-7004', '50% NET 30; 50% NET 60', NULL, NULL))
  AS t(invoice_id, customer_id, invoice_date, open_amount, currency, reference, terms,
       discount_percent, discount_until);
CREATE TEMP TABLE tpay AS
SELECT * FROM (VALUES
  ('Q1-10th-day', DATE '2024-03-11', 980.00, 'EUR', 'INV-7001'),
  ('Q2-11th-day', DATE '2024-03-12', 980.00, 'EUR', 'INV-7002'),
  ('Q3-terms-win', DATE '2024-03-05', 950.00, 'EUR', 'INV-7003'),
  ('Q4-installments', DATE '2024-03-05', 980.00, 'EUR', 'INV-7004'))
  AS t(payment_id, received_on, amount, currency, reference);
SELECT o2c.discount_until(terms, invoice_date),
       o2c.discount_amount(terms, open_amount, invoice_date, DATE '2024-03-11', currency) AS on_10th_day,
       o2c.discount_amount(terms, open_amount, invoice_date, DATE '2024-03-12', currency) AS on_11th_day
FROM tinv WHERE invoice_id = 'T1';
SELECT * FROM o2c.match_payments('SELECT * FROM tpay ORDER BY payment_id',
                                 'SELECT * FROM tinv', '{"tolerance": 25}');
SELECT * FROM o2c.match_payments('SELECT * FROM tpay ORDER BY payment_id',
                                 'SELECT * FROM tinv');
-- Terms given as text are parsed the same way; JPY has no minor units, so
-- 2% of 12,345 is rounded half up to 247 (246.90).
SELECT * FROM o2c.match_payments(
    $$SELECT 'Q5' AS payment_id, DATE '2024-03-11' AS received_on, 12098 AS amount, 'JPY' AS currency, 'INV-7005' AS reference$$,
    $$SELECT 'T5' AS invoice_id, 'C5' AS customer_id, DATE '2024-03-01' AS invoice_date, 12345 AS open_amount,
             'JPY' AS currency, 'INV-7005' AS reference, '2/10 net 30' AS terms$$);

-- A flat tolerance sized for bank fees is most of a small invoice. C7 has
-- three small invoices; S1 and S2 are two instalments of S-A (64.53) paid
-- by customer id without a reference. Within the tolerance of 25, S1 (26.91)
-- is 13.09 short of S-B (40.00) and S2 (37.62) 17.38 short of S-C (55.00):
-- more than 10% of the open amount, so a short pay is only proposed
-- (1.00 x 0.80, not automatic). S3 pays a bank fee of 20.00 (4%) on
-- C8's 500.00: a short pay, automatic (1.00 x 0.95).
SELECT * FROM o2c.match_payments(
    $$SELECT * FROM (VALUES ('S1', 26.91, 'C7'), ('S2', 37.62, 'C7'), ('S3', 480.00, 'C8'))
          AS t(payment_id, amount, customer_id) ORDER BY payment_id$$,
    $$SELECT * FROM (VALUES ('S-A', 'C7', DATE '2024-01-01', 64.53), ('S-B', 'C7', DATE '2024-01-02', 40.00),
                            ('S-C', 'C7', DATE '2024-01-03', 55.00), ('S-D', 'C8', DATE '2024-01-01', 500.00))
          AS t(invoice_id, customer_id, invoice_date, open_amount)$$,
    '{"tolerance": 25}');

-- Errors name what is wrong.
SELECT * FROM o2c.match_payments('SELECT 1 AS payment_id', 'SELECT * FROM inv');
SELECT * FROM o2c.match_payments('SELECT * FROM pay', 'SELECT invoice_id, customer_id, open_amount::text AS open_amount FROM inv');
SELECT * FROM o2c.match_payments('SELECT * FROM pay', 'SELECT * FROM inv', '{"treshold": 0.8}');
SELECT * FROM o2c.match_payments('SELECT * FROM nosuchtable', 'SELECT * FROM inv');
SELECT * FROM o2c.match_payments('SELECT * FROM tpay', 'SELECT invoice_id, customer_id, open_amount, ''2/10 NET 3O'' AS terms FROM tinv');
SELECT * FROM o2c.match_payments('SELECT * FROM tpay', 'SELECT invoice_id, customer_id, open_amount, 30 AS terms FROM tinv');

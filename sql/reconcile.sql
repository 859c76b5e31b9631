-- reconcile: a bank statement against the payments recorded in the books
SET datestyle = 'ISO, YMD';
CREATE TEMP TABLE bank_line AS
SELECT statement_id || '#' || line_no AS line_id, booking_date, amount, currency,
       counterparty_name, counterparty_account, reference, remittance
FROM o2c.parse_mt940($mt940$
:20:RC20250310
:25:NL91ABNA0417164300
:28C:70/1
:60F:C250307EUR10000,00
:61:2503100310C1200,00NTRFINV-1001
:86:/NAME/Groothandel De Vries B.V./IBAN/NL20INGB0001234567/REMI/INV-1001/
:61:2503100310C450,00NTRFNONREF
:86:/NAME/Bakkerij Unal/IBAN/NL02RABO0123456789/REMI/Betaling maart/
:61:2503110311C450,00NTRFNONREF
:86:/NAME/Cafe Noord/REMI/factuur 1007/
:61:2503110311C99,95NTRFNONREF
:86:/NAME/Onbekend/REMI/geen referentie/
:61:2503110311D35,00NCHGNONREF
:86:bank charges March
:62F:C250311EUR12164,95
$mt940$);

CREATE TEMP TABLE payment (
    payment_id  integer PRIMARY KEY,
    received_on date NOT NULL,
    amount      numeric(12,2) NOT NULL,
    currency    text,
    payer_name  text,
    payer_iban  text,
    reference   text
);
INSERT INTO payment VALUES
    (1, '2025-03-10', 1200.00, 'EUR', 'Groothandel de Vries', NULL, 'INV 1001'),
    (2, '2025-03-09',  450.00, 'EUR', 'Bakkerij Ünal', 'NL02 RABO 0123 4567 89', NULL),
    (3, '2025-03-11',  450.00, 'EUR', 'Café Noord', NULL, 'INV-1007'),
    (4, '2025-03-12',  780.00, 'EUR', 'Hotel Zeezicht', NULL, 'INV-1010'),
    (5, '2025-03-10',  99.95, 'USD', 'Onbekend', NULL, NULL);

SELECT * FROM bank_line ORDER BY line_id;

-- pairs first, then what the bank has that the books do not, then the reverse
SELECT * FROM o2c.reconcile(
    'SELECT * FROM bank_line',
    'SELECT payment_id, received_on, amount, currency, payer_name, payer_iban, reference FROM payment');

-- a wider date window does not change a one-to-one result already complete
SELECT rule, count(*) FROM o2c.reconcile(
    'SELECT * FROM bank_line', 'SELECT * FROM payment', '{"date_window": 10}')
GROUP BY rule ORDER BY rule;

-- only pairs scoring at least 0.70 (line #2, counterparty one day apart, scores 0.69)
SELECT * FROM o2c.reconcile(
    'SELECT * FROM bank_line', 'SELECT * FROM payment', '{"min_score": 70}')
WHERE payment_id IS NOT NULL AND bank_line IS NOT NULL;

-- inner-query mistakes name the column
SELECT * FROM o2c.reconcile('SELECT line_id, amount FROM bank_line', 'SELECT * FROM payment');
SELECT * FROM o2c.reconcile('SELECT * FROM bank_line', 'SELECT payment_id, received_on::text, amount FROM payment');

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

-- lines from camt.052, camt.054 and MT942 reconcile like statement lines;
-- o2c.reconcile_report gives, per statement, what matched, what is left on
-- each side and the difference that remains
CREATE TEMP TABLE day_line AS
SELECT l.statement_id || '#' || l.line_no AS line_id, l.*
FROM (SELECT * FROM o2c.parse_camt($camt$<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">
 <BkToCstmrAcctRpt><Rpt><Id>RPT-0312</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
  <Ntry><Amt Ccy="EUR">780.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-12</Dt></BookgDt>
   <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Hotel Zeezicht</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV-1010</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  <Ntry><Amt Ccy="EUR">64.10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-12</Dt></BookgDt>
   <AddtlNtryInf>unknown payer</AddtlNtryInf></Ntry>
 </Rpt></BkToCstmrAcctRpt></Document>$camt$)
      UNION ALL
      SELECT * FROM o2c.parse_camt($camt$<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
 <BkToCstmrDbtCdtNtfctn><Ntfctn><Id>NTF-0313</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
  <Ntry><Amt Ccy="EUR">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2025-03-13</Dt></BookgDt>
   <NtryDtls><TxDtls><Refs><EndToEndId>INV-1011</EndToEndId></Refs><RltdPties><Dbtr><Nm>Zuidas Retail B.V.</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
 </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>$camt$)
      UNION ALL
      SELECT * FROM o2c.parse_mt940(E':20:INT-0314\n:25:NL91ABNA0417164300\n:28C:3/1\n:34F:EUR0,00\n:13D:2503141200+0100\n'
                                    ':61:2503140314C220,00NTRFINV-1012\n:86:/NAME/Bloemenhuis Lisse/REMI/INV-1012/\n-')) l;

INSERT INTO payment VALUES
    (6, '2025-03-13', 1500.00, 'EUR', 'Zuidas Retail', NULL, 'INV-1011'),
    (7, '2025-03-14', 220.00, 'EUR', 'Bloemenhuis Lisse', NULL, 'INV-1012'),
    (8, '2025-03-14', 310.00, 'EUR', 'Kaasboerderij Gouda', NULL, 'INV-1013'),
    (9, '2025-04-30', 55.00, 'EUR', 'Later Klant', NULL, 'INV-1099');

SELECT line_id, message, booking_date, amount, counterparty_name FROM day_line ORDER BY line_id;

SELECT * FROM o2c.reconcile('SELECT * FROM day_line', 'SELECT * FROM payment WHERE payment_id >= 4');

-- per statement (the bank query's statement_id and message), the MT940 of
-- 10-11 March above and these three together: payment 4 (INV-1010, 12 March)
-- now matches the camt.052 line; payment 8 (14 March) is unmatched and falls
-- in the MT942's dates; payment 5 (USD) fits no statement's currency and
-- payment 9 no statement's dates: they are rows without a statement, one
-- per currency
SELECT * FROM o2c.reconcile_report(
    'SELECT line_id, booking_date, amount, currency, counterparty_name, counterparty_account,
            reference, remittance, statement_id, message FROM day_line
     UNION ALL
     SELECT line_id, booking_date, amount, currency, counterparty_name, counterparty_account,
            reference, remittance, split_part(line_id, ''#'', 1), ''mt940'' FROM bank_line',
    'SELECT * FROM payment');
-- the same with a date window of 0 days
SELECT statement_id, matched, unmatched_bank, unmatched_book, difference FROM o2c.reconcile_report(
    'SELECT line_id, booking_date, amount, currency, statement_id FROM day_line',
    'SELECT * FROM payment WHERE payment_id >= 4', '{"date_window": 0}');

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

-- bank: camt.053, MT940 and BAI2 statements parsed into lines
SET datestyle = 'ISO, YMD';
CREATE TEMP TABLE input (format text PRIMARY KEY, body text NOT NULL);
INSERT INTO input VALUES ('mt940', $mt940$
{1:F01NORDDEFFAXXX0000000000}{2:O9400000000000NORDDEFFAXXX00000000000000000000N}{4:
:20:NB20250303
:25:DE89370400440532013000
:28C:61/1
:60F:C250228EUR12500,00
:61:2503030303C1190,00NTRFRE-2025-0142//BK77120301
:86:166?00GUTSCHRIFT?20EREF+RE-2025-0142?21SVWZ+Rechnung 2025-0142?32Müller Maschinenbau?33 GmbH?31DE44500105175407324931
:61:250303D250,50NMSCNONREF//BK77120302
:86:/NAME/Stadtwerke Nordhafen/IBAN/DE12500105170648489890/REMI/USTD//Strom Februar 2025/EREF/SW-88123/
:61:2503040304C3000,NTRFINV-2025-0150
:86:Zahlung Rechnung INV-2025-0150 Nordlicht Handel AG
:62F:C250304EUR16439,50
-}{1:F01NORDDEFFAXXX0000000000}{2:O9400000000000NORDDEFFAXXX00000000000000000000N}{4:
:20:NB20250305
:25:DE89370400440532013000
:28C:62/1
:60F:C250304EUR16439,50
:62F:C250305EUR16439,50
-}
$mt940$);
INSERT INTO input VALUES ('camt053', $camt$
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>ST-2025-0303</MsgId><CreDtTm>2025-03-04T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>ST-2025-0303-01</Id>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">5000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-03</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">6669.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-03</Dt></Dt></Bal>
      <TxsSummry><TtlNtries><NbOfNtries>3</NbOfNtries><Sum>3191.50</Sum></TtlNtries><TtlCdtNtries><NbOfNtries>2</NbOfNtries><Sum>2430.50</Sum></TtlCdtNtries><TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>761.00</Sum></TtlDbtNtries></TxsSummry>
      <Ntry>
        <Amt Ccy="EUR">1450.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-03-03</Dt></BookgDt><ValDt><Dt>2025-03-03</Dt></ValDt>
        <AcctSvcrRef>ABN-7711-01</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-4471</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>Groothandel De Vries B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL20INGB0001234567</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">980.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><DtTm>2025-03-03T14:12:00+01:00</DtTm></BookgDt><ValDt><Dt>2025-03-04</Dt></ValDt>
        <AcctSvcrRef>ABN-7711-02</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">600.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>Bakkerij Ünal</Nm></Dbtr><DbtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf><Ustrd>Factuur 2025-0311</Ustrd><Ustrd>klantnr 4410</Ustrd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Refs><EndToEndId>E2E-4480</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">380.50</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Pty><Nm>Café Noord</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Ustrd>INV 2025-0312</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">761.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2025-03-03</Dt></BookgDt><ValDt><Dt>2025-03-03</Dt></ValDt>
        <AcctSvcrRef>ABN-7711-03</AcctSvcrRef>
        <AddtlNtryInf>Bank charges and rent March</AddtlNtryInf>
      </Ntry>
    </Stmt>
    <Stmt>
      <Id>ST-2025-0303-02</Id>
      <Acct><Id><Othr><Id>USD-CLEARING-7</Id></Othr></Id><Ccy>USD</Ccy></Acct>
    </Stmt>
  </BkToCstmrStmt>
</Document>
$camt$);
INSERT INTO input VALUES ('bai2', $bai2$
01,121000248,O2CDEMO,250303,0600,42,,,2/
02,O2CDEMO,121000248,1,250303,0600,USD,2/
03,4471100925,USD,010,1250000,,,015,1694550,,/
16,195,520000,0,WT250303-17,INV-88012,PAYMENT FROM ACME HARDWARE INC
88,INV 88012 AND 88013
16,475,75450,V,250304,,CHK1042,,CHECK PAID/
49,3540000,5/
98,3540000,1,7/
99,3540000,1,9/
$bai2$);

-- MT940: block header and trailer, two statements (the second one empty),
-- German ?nn and Dutch /KEY/ :86: forms, an unstructured :86:
\x on
SELECT * FROM o2c.parse_mt940((SELECT body FROM input WHERE format = 'mt940'));
\x off
-- CRLF line ends and control characters before the first tag read the same
SELECT count(*) AS lines, sum(amount) AS net
FROM o2c.parse_mt940(E'\x01' || replace((SELECT body FROM input WHERE format = 'mt940'), E'\n', E'\r\n'));
-- the supplementary details on the second line of :61: are the remittance
-- when :86: gives none; a :86: with remittance text wins
SELECT line_no, amount, reference, bank_reference, remittance, counterparty_name
FROM o2c.parse_mt940(E':20:SUPP-1\n:25:NL91ABNA0417164300\n:28C:7/1\n:60F:C250301EUR100,00\n'
    ':61:2503010301C10,00NTRFINV-7001//B25-1\nInvoice 7001 Acme\n'
    ':61:2503020302C20,00NTRFNONREF//B25-2\nTRANSFER IPH\n:86:/NAME/Beta BV/REMI/INV-7002 March/\n'
    ':61:2503030303C30,00NTRFNONREF//B25-3\nmarechal s\n:86:/NAME/Marechal S/\n'
    ':62F:C250303EUR160,00\n-');

-- camt.053.001.04: a single entry, a batched entry (two TxDtls), an entry
-- without details, and a TxsSummry (checked in strict mode); a second
-- statement without entries
\x on
SELECT * FROM o2c.parse_camt053((SELECT body FROM input WHERE format = 'camt053'));
\x off

-- BAI2: implied decimals, an 88 continuation of the text, a V funds type
\x on
SELECT * FROM o2c.parse_bai2((SELECT body FROM input WHERE format = 'bai2'));
\x off

-- each statement balances: opening + entries = closing
SELECT format, statement_id, min(opening_balance) AS opening, sum(amount) AS entries,
       min(closing_balance) AS closing
FROM input, LATERAL (
    SELECT * FROM o2c.parse_mt940(body) WHERE format = 'mt940'
    UNION ALL SELECT * FROM o2c.parse_camt053(body) WHERE format = 'camt053'
    UNION ALL SELECT * FROM o2c.parse_bai2(body) WHERE format = 'bai2') l
GROUP BY 1, 2 ORDER BY 1, 2;

-- strict mode: a statement that does not balance is an error naming it ...
\set VERBOSITY default
SELECT count(*) FROM o2c.parse_mt940(replace((SELECT body FROM input WHERE format = 'mt940'),
                                             ':62F:C250304EUR16439,50', ':62F:C250304EUR16439,05'));
-- ... and strict => false reads the lines anyway
SELECT count(*) FROM o2c.parse_mt940(replace((SELECT body FROM input WHERE format = 'mt940'),
                                             ':62F:C250304EUR16439,50', ':62F:C250304EUR16439,05'),
                                     strict => false);
-- malformed input names the line and what was expected
SELECT * FROM o2c.parse_mt940(E':20:X\n:25:ACC\n:61:250303Q1,00NTRF\n');
SELECT * FROM o2c.parse_bai2(E'01,A,B,250303,0600,1,,,2/\n02,B,A,1,250399,,USD,2/\n');
-- a DOCTYPE is refused before any XML parsing
SELECT * FROM o2c.parse_camt053('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>');

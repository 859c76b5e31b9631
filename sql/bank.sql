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

-- MT940 as banks send it: a :61: amount with a decimal point, a :61: without
-- type and reference, a lone '-' inside :86: (text: no :20: follows it), and
-- the :86: structures of Dutch (/TRTP/ /IBAN/ /NAME/ /REMI/ /EREF/), German
-- (?00-?33, SEPA EREF+/SVWZ+), Polish (~20-~38) and Swiss (AUFTRAGGEBER:,
-- MITTEILUNGEN:) banks into counterparty, reference and remittance
SELECT line_no, amount, type_code, counterparty_name, counterparty_account, reference, remittance
FROM o2c.parse_mt940($mt940$
:20:DIAL-0305
:25:NL91ABNA0417164300
:28C:88/1
:60F:C250304EUR1000,00
:61:2503050305C1250.50NTRFNONREF//B1
:86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/Groothandel De Vries/REMI/Factuur 2025-0170/EREF/E2E-0170
:61:2503050305C300,00
:86:KARIBU TRADERS LTD INVOICE 0171
-
PAID IN TWO PARTS
:61:2503050305C89,50NTRFNONREF//B3
:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+RE-2025-0172?21SVWZ+Rechnung 0172?30COBADEFFXXX?31DE44500105175407324931?32Hansa Logistik?33 GmbH
:61:2503050305C40,00NTRFNONREF//B4
:86:020~00VE02~20FAKTURA FV/2025/0173~3010501445~32PRZEDSIEBIORSTWO KOWAL~33SKI SP Z O O~38PL61109010140000071219812874
:61:2503050305C20,00NTRFNONREF//B5
:86:GIRO AUS ONLINE-SIC 80532 AUFTRAGGEBER: ALPENBLICK AG BERN MITTEILUNGEN: RECHNUNG 2025-0174
:62F:C250305EUR2700,00
-
$mt940$);

-- MT942, the interim report (named by {2:O942 or by :34F:/:13D:/:90D:/:90C:),
-- into the same shape; :90D: and :90C: are checked in strict mode
SELECT message, statement_id, line_no, amount, counterparty_name, remittance, opening_balance, closing_balance
FROM o2c.parse_mt940($mt942$
{1:F01NORDDEFFAXXX0000000000}{2:O942NORDDEFFXXXXN}{4:
:20:INT-0305
:25:DE89370400440532013000
:28C:12/3
:34F:EURD0,00
:34F:EURC0,00
:13D:2503051200+0100
:61:2503050305C250,00NTRFRE-2025-0175//B7
:86:/NAME/Acme GmbH/REMI/RE-2025-0175/
:61:2503050305D12,50NCHGNONREF//B8
:86:Kontogebuehren
:90D:1EUR12,50
:90C:1EUR250,00
-}
$mt942$);

-- strict refuses a statement without :25:, with an unknown tag or without a
-- closing balance, naming statement, line and tag; lax reads it with a WARNING
-- saying what it skipped
SELECT * FROM o2c.parse_mt940(E':20:S9\n:28C:1/1\n:60F:C250305EUR0,00\n:61:250305C5,00NTRFX\n:12:11\n');
SELECT line_no, amount, account FROM o2c.parse_mt940(E':20:S9\n:28C:1/1\n:60F:C250305EUR0,00\n:61:250305C5,00NTRFX\n:12:11\n', false);

-- camt.053.001.04: a single entry, a batched entry (two TxDtls), an entry
-- without details, and a TxsSummry (checked in strict mode); a second
-- statement without entries
\x on
SELECT * FROM o2c.parse_camt053((SELECT body FROM input WHERE format = 'camt053'));
\x off

-- camt, every version and three messages, one code path keyed on the
-- elements: camt.053 (BkToCstmrStmt), camt.052 (BkToCstmrAcctRpt) and
-- camt.054 (BkToCstmrDbtCdtNtfctn), 001.01 to 001.13, with or without an
-- envelope; o2c.parse_camt is the general name of parse_camt053
SELECT v AS version, k AS kind, l.message, l.statement_id, l.amount
FROM (VALUES ('052', 'BkToCstmrAcctRpt', 'Rpt'), ('053', 'BkToCstmrStmt', 'Stmt'),
             ('054', 'BkToCstmrDbtCdtNtfctn', 'Ntfctn')) m(k, msg, stmt),
     generate_series(1, 13) v,
     o2c.parse_camt(format('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.%s.001.%s"><%s%s><%s><Id>V%s</Id>'
                           '<Acct><Id><IBAN>CH9300762011623852957</IBAN></Id><Ccy>CHF</Ccy></Acct>'
                           '<Ntry><Amt Ccy="CHF">%s.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>%s</Ntry></%s></%s%s></Document>',
                           k, lpad(v::text, 2, '0'), msg, CASE WHEN v = 1 THEN 'V01' ELSE '' END, stmt, v, v,
                           CASE WHEN v >= 9 THEN '<Sts><Cd>BOOK</Cd></Sts>' ELSE '<Sts>BOOK</Sts>' END,
                           stmt, msg, CASE WHEN v = 1 THEN 'V01' ELSE '' END)) l
WHERE v IN (1, 2, 8, 9, 13)
ORDER BY k, v;

-- the booked amount is the truth: entry 1 is booked at 4,500.00 and its only
-- TxDtls gives a charges amount of 0.04 (one line of 4,500.00 with its
-- details); entry 2 is booked in EUR and its TxDtls says 0 SEK (one line);
-- entry 3 is a batch whose two TxDtls add up to it (two lines); entry 4 was
-- instructed in USD (instructed amount, currency and exchange rate); a
-- camt.052 account report has interim balances: PRCD opens, ITBD closes
SELECT line_no, amount, counterparty_name, reference, remittance, message,
       instructed_amount, instructed_currency, exchange_rate, opening_balance, closing_balance
FROM o2c.parse_camt($camt$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">
 <BkToCstmrAcctRpt><GrpHdr><MsgId>R-0305</MsgId><CreDtTm>2025-03-05T12:00:00</CreDtTm></GrpHdr>
  <Rpt><Id>R-0305-1</Id>
   <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-04</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>ITBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">9545.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-05</Dt></Dt></Bal>
   <Ntry><Amt Ccy="EUR">4500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">0.04</Amt></TxAmt></AmtDtls><Refs><EndToEndId>INV-2025-0160</EndToEndId></Refs>
     <RltdPties><Dbtr><Nm>Hansa Logistik GmbH</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="SEK">0</Amt></TxAmt></AmtDtls>
     <RltdPties><Dbtr><Nm>Vänern Trä AB</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Faktura 2025-0161</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">1845.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls>
     <TxDtls><Amt Ccy="EUR">845.00</Amt><RltdPties><Dbtr><Nm>Kaffeerösterei Nord</Nm></Dbtr></RltdPties><RmtInf><Ustrd>RE 0162</Ustrd></RmtInf></TxDtls>
     <TxDtls><Amt Ccy="EUR">1000.00</Amt><RltdPties><Dbtr><Nm>Brückner KG</Nm></Dbtr></RltdPties><RmtInf><Ustrd>RE 0163</Ustrd></RmtInf></TxDtls>
    </NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls><TxDtls><AmtDtls><InstdAmt><Amt Ccy="USD">1085.20</Amt></InstdAmt>
     <TxAmt><Amt Ccy="EUR">1000.00</Amt><CcyXchg><SrcCcy>USD</SrcCcy><TrgtCcy>EUR</TrgtCcy><XchgRate>0.92149</XchgRate></CcyXchg></TxAmt></AmtDtls>
     <RltdPties><Dbtr><Nm>Great Lakes Tooling Inc</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV 2025-0164</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  </Rpt></BkToCstmrAcctRpt></Document>$camt$);

-- a camt.054 notification (no balances, so nothing to balance) inside a
-- CBPR+ business message envelope
SELECT message, statement_id, account, amount, counterparty_name, opening_balance, closing_balance
FROM o2c.parse_camt($camt$<BizMsgEnvlp>
 <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><MsgDefIdr>camt.054.001.08</MsgDefIdr></AppHdr>
 <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>N-77</MsgId><CreDtTm>2025-03-05T09:12:00</CreDtTm></GrpHdr>
  <Ntfctn><Id>N-77-1</Id><Acct><Id><IBAN>GB33BUKB20201555555555</IBAN></Id><Ccy>GBP</Ccy></Acct>
   <Ntry><Amt Ccy="GBP">310.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Thames Fittings Ltd</Nm></Pty></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
  </Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
</BizMsgEnvlp>$camt$);

-- strict refuses what does not add up; lax reads it and says what it skipped
SELECT count(*) FROM o2c.parse_camt(replace((SELECT body FROM input WHERE format = 'camt053'),
                                            '<Amt Ccy="EUR">6669.50</Amt>', '<Amt Ccy="EUR">6669.00</Amt>'));
SELECT count(*) FROM o2c.parse_camt(replace((SELECT body FROM input WHERE format = 'camt053'),
                                            '<Amt Ccy="EUR">6669.50</Amt>', '<Amt Ccy="EUR">6669.00</Amt>'), strict => false);
-- ... and o2c.parse_warnings gives the warnings as rows, for a load job to keep
SELECT * FROM o2c.parse_warnings('camt', replace((SELECT body FROM input WHERE format = 'camt053'),
                                                 '<NbOfNtries>3</NbOfNtries>', '<NbOfNtries>4</NbOfNtries>'));
-- a document that is none of the three is refused
SELECT * FROM o2c.parse_camt('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>');

-- BAI2: implied decimals, an 88 continuation of the text, a V funds type
\x on
SELECT * FROM o2c.parse_bai2((SELECT body FROM input WHERE format = 'bai2'));
\x off

-- BAI2 as banks send it: empty trailing fields before '/', records without
-- their final '/', 88 continuations at any point (inside the 03 summary, in
-- a 16 before its text, of a trailer), funds types 0, 1, 2, S, V, D and Z
-- with their extra fields, a '/' inside a reference; the control totals of
-- 49, 98 and 99 and the record counts are checked in strict mode
INSERT INTO input VALUES ('bai2 variants', $bai2$
01,121000248,O2CDEMO,250305,0600,77,,,2/
02,O2CDEMO,121000248,1,250305,0600,USD,2/
03,4471100925,USD,010,1000000,,,015
88,1180000,,,,,/
16,195,100000,0,WT1,INV-0180,WIRE FROM ACME HARDWARE INC,,,/
16,175,50000,1,CK1,,,/
16,165,20000,2,LB1,INV-0181
16,195,30000,S,10000,15000,5000,WT2,INV/0182/A,SPLIT AVAILABILITY
16,195,40000,V,250307,1200,WT3,INV-0183,
88,VALUE DATED WIRE
16,195,25000,D,2,0,15000,1,10000,WT4,INV-0184,DISTRIBUTED
16,475,85000,Z,CHK1,,CHECK PAID/
49,2530000,
88,12/
98,2530000,1,14/
99,2530000,1,16
$bai2$);
SELECT line_no, amount, value_date, type_code, bank_reference, reference, remittance,
       opening_balance, closing_balance
FROM o2c.parse_bai2((SELECT body FROM input WHERE format = 'bai2 variants'));
-- lax mode reads a file whose trailers do not add up, and says so
SELECT count(*) FROM o2c.parse_bai2(replace((SELECT body FROM input WHERE format = 'bai2 variants'),
                                            '49,2530000,', '49,2530001,'), strict => false);

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

-- pgTAP: bank statement parsers (parse_mt940, parse_camt053, parse_bai2)
BEGIN;
SELECT plan(159);
-- lax reads below warn of what they skip; o2c.parse_warnings tests the warnings
SET LOCAL client_min_messages = error;

-- The error detail of a statement, to check strict-mode messages.
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END $$;

CREATE TEMP TABLE mt (body text);
INSERT INTO mt VALUES ($m$:20:T1
:25:NL91ABNA0417164300
:28C:1/1
:60F:C250301EUR1000,00
:61:2503030303C250,25NTRFINV-7//B1
:86:/NAME/Acme B.V./IBAN/NL20INGB0001234567/REMI/INV-7/
:61:250303D100,NMSCNONREF
:86:Miete M­ärz (soft hyphen)
:62F:C250303EUR1150,25
$m$);

-- MT940: happy paths and properties
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940((SELECT body FROM mt))), 2, 'mt940: two lines');
SELECT is((SELECT sum(amount) FROM o2c.parse_mt940((SELECT body FROM mt))), 150.25::numeric,
          'mt940: amounts signed by direction');
SELECT is((SELECT closing_balance - opening_balance FROM o2c.parse_mt940((SELECT body FROM mt)) LIMIT 1),
          (SELECT sum(amount) FROM o2c.parse_mt940((SELECT body FROM mt))), 'mt940: opening + entries = closing');
SELECT results_eq($$SELECT * FROM o2c.parse_mt940(replace((SELECT body FROM mt), E'\n', E'\r\n'))$$,
                  $$SELECT * FROM o2c.parse_mt940((SELECT body FROM mt))$$, 'mt940: CRLF reads like LF');
SELECT results_eq($$SELECT * FROM o2c.parse_mt940(E'\x01\x02 ' || E'\n' || (SELECT body FROM mt) || E'\x03')$$,
                  $$SELECT * FROM o2c.parse_mt940((SELECT body FROM mt))$$, 'mt940: control characters before the first tag');
SELECT results_eq($$SELECT * FROM o2c.parse_mt940('{1:F01BANK}{2:O940}{4:' || E'\n' || (SELECT body FROM mt) || '-}')$$,
                  $$SELECT * FROM o2c.parse_mt940((SELECT body FROM mt))$$, 'mt940: SWIFT block header tolerated');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT body FROM mt)) WHERE line_no = 2),
          'Miete M­ärz (soft hyphen)', 'mt940: soft hyphen and non-ASCII kept');
SELECT is((SELECT counterparty_name || '|' || counterparty_account || '|' || reference
           FROM o2c.parse_mt940((SELECT body FROM mt)) WHERE line_no = 1),
          'Acme B.V.|NL20INGB0001234567|INV-7', 'mt940: /NAME/ /IBAN/ and reference');
SELECT is((SELECT reference FROM o2c.parse_mt940((SELECT body FROM mt)) WHERE line_no = 2),
          NULL, 'mt940: NONREF is no reference');
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940(E':20:E\n:25:A\n:60F:C250301EUR5,00\n:62F:C250301EUR5,00\n')),
          0, 'mt940: an empty statement gives no lines');
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940('')), 0, 'mt940: empty input gives no lines');
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940(NULL)), 0, 'mt940: NULL in, no rows out');
SELECT is((SELECT booking_date FROM o2c.parse_mt940(E':20:Y\n:61:2512310102C1,00NTRFX\n', false)),
          '2026-01-02'::date, 'mt940: entry date in the next year');
SELECT is((SELECT amount FROM o2c.parse_mt940(E':20:R\n:61:250301RD5,00NTRFX\n', false)),
          5.00::numeric, 'mt940: reversal of a debit is a credit');
SELECT is((SELECT remittance || '|' || counterparty_name FROM o2c.parse_mt940(
            E':20:G\n:61:250301C5,00NTRFX\n:86:166?00GUTSCHRIFT?20EREF+E1SVWZ+Rechnung 4\n?21711?32Max Muster\n', false)),
          'Rechnung 4711|Max Muster', 'mt940: German ?nn sub-fields');

SELECT is((SELECT amount FROM o2c.parse_mt940(E':20:B\n:61:250301C1234567890123,45NTRFX\n', false)),
          1234567890123.45::numeric, 'mt940: amounts up to 10^13 are exact');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:B\n:61:250301C12345678901234,5NTRFX\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected an amount such as 1234,56 in :61:', 'mt940: amount beyond 10^13');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(E'01,B,C,250303,0600,7,,,2/\n02,C,B,1,250303,,USD,2/\n03,1,,010,999999999999999999,,/\n')$$,
                 '22P02', 'invalid BAI2 file: line 3: expected an amount below 10^13 currency units', 'bai2: amount beyond 10^13');

-- MT940: no remittance text is cut, however many lines the bank writes
-- (SWIFT allows 6 x 65 characters in :86:; banks write more)
CREATE TEMP TABLE longtext AS
SELECT string_agg('word' || lpad(i::text, 4, '0'), ' ' ORDER BY i) AS words,
       string_agg('Part' || lpad(i::text, 3, '0') || ' ', '' ORDER BY i) AS parts
FROM generate_series(1, 600) i;
CREATE TEMP TABLE longmt AS
SELECT ':20:L' || E'\n:25:A\n:60F:C250301EUR0,00\n:61:250301C1,00NTRFX//B1\n:86:' ||
       (SELECT string_agg(substr(words, k * 65 + 1, 65), E'\n' ORDER BY k)
        FROM generate_series(0, (length(words) - 1) / 65) k) ||
       E'\n:62F:C250301EUR1,00\n' AS free,
       ':20:G' || E'\n:25:A\n:60F:C250301EUR0,00\n:61:250301C1,00NTRFX//B1\n:86:166?00GUTSCHRIFT' ||
       (SELECT string_agg('?2' || (k % 10) || substr(parts, k * 8 + 1, 8), E'\n' ORDER BY k)
        FROM generate_series(0, 599) k) ||
       E'\n:62F:C250301EUR1,00\n' AS german,
       ':20:S' || E'\n:25:A\n:60F:C250301EUR0,00\n:61:250301C1,00NTRFX//B1\n' ||
       (SELECT string_agg('Detail ' || k, E'\n' ORDER BY k) FROM generate_series(1, 300) k) ||
       E'\n:62F:C250301EUR1,00\n' AS supplementary
FROM longtext;
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT free FROM longmt))), (SELECT words FROM longtext),
          'mt940: 5,399 characters of :86: over 84 lines kept whole (strict)');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT free FROM longmt), false)), (SELECT words FROM longtext),
          'mt940: 5,399 characters of :86: kept whole (lax)');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT german FROM longmt))), (SELECT rtrim(parts) FROM longtext),
          'mt940: 600 German ?2x sub-field lines kept whole (strict)');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT german FROM longmt), false)), (SELECT rtrim(parts) FROM longtext),
          'mt940: 600 German ?2x sub-field lines kept whole (lax)');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT supplementary FROM longmt))),
          (SELECT string_agg('Detail ' || k, ' ' ORDER BY k) FROM generate_series(1, 300) k),
          'mt940: 300 lines of :61: supplementary details kept whole (strict)');
SELECT is((SELECT remittance FROM o2c.parse_mt940((SELECT supplementary FROM longmt), false)),
          (SELECT string_agg('Detail ' || k, ' ' ORDER BY k) FROM generate_series(1, 300) k),
          'mt940: 300 lines of :61: supplementary details kept whole (lax)');
SELECT is((SELECT remittance FROM o2c.parse_mt940(':20:R' || E'\n:61:250301C1,00NTRFX\n:86:/NAME/Acme/REMI/\n' ||
                  (SELECT string_agg(substr(words, k * 60 + 1, 60), E'\n' ORDER BY k)
                   FROM longtext, generate_series(0, (length(words) - 1) / 60) k) || E'\n', false)),
          (SELECT btrim(string_agg(substr(words, k * 60 + 1, 60), ' ' ORDER BY k))
           FROM longtext, generate_series(0, (length(words) - 1) / 60) k),
          'mt940: a /REMI/ value over 90 lines kept whole');

-- MT940 errors
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940('hello world')$$, '22P02',
                 'invalid MT940 statement: no :20: tag found', 'mt940: text without :20:');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:251399C1,00NTRFX\n')$$, '22008',
                 'invalid MT940 statement: line 2: value date "251399" is not a date', 'mt940: bad value date');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:2503011399C1,00NTRFX\n')$$, '22008',
                 NULL, 'mt940: bad entry date');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:250301X1,00NTRFX\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected C, D, RC or RD after the dates in :61:', 'mt940: no D/C mark');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:250301C1,0,0NTRFX\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected an amount such as 1234,56 in :61:', 'mt940: bad amount');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:250301C1,00ntrf\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected a transaction type such as NTRF in :61:', 'mt940: a bad type');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:61:25030\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected a value date YYMMDD in :61:', 'mt940: short :61:');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:60F:X250301EUR1,00\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected C or D in :60F:', 'mt940: bad balance mark');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:60F:C250301E1\n')$$, '22P02',
                 'invalid MT940 statement: line 2: expected a currency code in :60F:', 'mt940: bad balance currency');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n:60F:C250301EUR1,00\n:62F:C250301USD1,00\n')$$, '22P02',
                 'invalid MT940 statement: line 3: currency USD differs from the statement''s EUR', 'mt940: currency change');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n{5:{CHK:1}}\nstray text\n')$$, '22P02',
                 'invalid MT940 statement: line 3: expected a tag such as :20:, found "stray text"', 'mt940: text outside a field');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':20:X\n-}\n:61:250301C1,00NTRFX\n')$$, '22P02',
                 'invalid MT940 statement: line 3: expected :20: before :61:', 'mt940: :61: outside a message');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(E':25:A\n:20:X\n')$$, '22P02',
                 'invalid MT940 statement: line 1: expected :20: before :25:', 'mt940: :25: before :20:');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(replace((SELECT body FROM mt), '1150,25', '1150,20'))$$, '22000',
                 'MT940 statement "T1/1/1" does not balance', 'mt940: strict balance mismatch');
SELECT is(pg_temp.detail_of($$SELECT * FROM o2c.parse_mt940(replace((SELECT body FROM mt), '1150,25', '1150,20'))$$),
          'Statement "T1/1/1" (line 1): opening balance plus entries is 1150.25, closing balance is 1150.20, difference -0.05.',
          'mt940: the detail names the statement and the difference');
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940(replace((SELECT body FROM mt), '1150,25', '1150,20'), false)),
          2, 'mt940: strict => false reads an unbalanced statement');

-- MT940 as banks really send it
CREATE FUNCTION pg_temp.mt(body text) RETURNS text LANGUAGE sql AS $$
    SELECT E':20:S1\n:25:NL91ABNA0417164300\n:28C:5/1\n:60F:C250301EUR100,00\n' || body || E'\n:62F:C250301EUR110,00\n-\n' $$;
SELECT is((SELECT amount FROM o2c.parse_mt940(pg_temp.mt(':61:2503010301C10.00NTRFNONREF'))), 10.00,
          'mt940: a :61: amount with a decimal point');
SELECT is((SELECT amount || ' ' || coalesce(type_code, '-') || ' ' || coalesce(reference, '-') || ' ' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00\n:86:KARIBU TRADERS'))),
          '10.00 - - KARIBU TRADERS', 'mt940: a :61: without type and reference');
SELECT is((SELECT remittance || ' | ' || closing_balance FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:Rechnung 1\n-\nRechnung 2'))),
          'Rechnung 1 - Rechnung 2 | 110.00', 'mt940: a lone - inside :86: is text, not the end of the message');
SELECT is((SELECT count(DISTINCT statement_id)::int FROM o2c.parse_mt940(replace(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:R'), E'\n-\n', E'\n-\n') ||
                  replace(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:R'), 'S1', 'S2'))),
          2, 'mt940: a lone - before :20: ends the message');
SELECT is((SELECT count(*)::int FROM o2c.parse_mt940(E':20:S1\n:25:A\n:60F:C250301EUR0,00\n:61:250301C1,00NTRFX\n:86:R\n-\nABNANL2A\n940\nABNANL2A\n' ||
                  E':20:S2\n:25:A\n:60F:C250301EUR1,00\n:62F:C250301EUR1,00\n-', false)),
          1, 'mt940: a lone - before bank header lines and :20: ends the message');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(replace(pg_temp.mt(':61:2503010301C10,00NTRFX'), E':25:NL91ABNA0417164300\n', ''))$$,
                 '22P02', 'MT940 statement "S1/5/1": line 1: no :25: account identification', 'mt940: strict, no :25:');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', replace(pg_temp.mt(':61:2503010301C10,00NTRFX'), E':25:NL91ABNA0417164300\n', '')) w),
          'MT940 statement "S1/5/1": line 1: no :25: account identification; read without an account', 'mt940: lax, no :25:');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:12:11'))$$,
                 '22P02', 'MT940 statement "S1/5/1": line 6: unknown tag :12:', 'mt940: strict, an unknown tag');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', pg_temp.mt(E':61:2503010301C10,00NTRFX\n:12:11')) w),
          'MT940 statement "S1/5/1": line 6: unknown tag :12:; skipped', 'mt940: lax, an unknown tag');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(replace(pg_temp.mt(':61:2503010301C10,00NTRFX'), E':62F:C250301EUR110,00\n', ''))$$,
                 '22P02', 'MT940 statement "S1/5/1": line 1: no closing balance :62F: or :62M:', 'mt940: strict, no closing balance');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', replace(pg_temp.mt(':61:2503010301C10,00NTRFX'), E':62F:C250301EUR110,00\n', '')) w),
          'MT940 statement "S1/5/1": line 1: no closing balance :62F: or :62M:; read without a balance check', 'mt940: lax, no closing balance');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', pg_temp.mt(':61:2503010301C10,01NTRFX')) w),
          'MT940 statement "S1/5/1" (line 1) does not balance: opening balance plus entries is 110.01, closing balance is 110.00, difference -0.01; read anyway',
          'mt940: lax, a statement that does not balance');
SELECT is((SELECT counterparty_name || '|' || counterparty_account || '|' || reference || '|' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFNONREF\n:86:166?00SEPA-GUTSCHRIFT?109310?20EREF+RE-2025-7?21SVWZ+Rechnung 7\n' ||
                                           E'?30COBADEFFXXX?31DE44500105175407324931?32Hansa Logistik?33 GmbH?34997'))),
          'Hansa Logistik GmbH|DE44500105175407324931|RE-2025-7|Rechnung 7', 'mt940: German ?20-?33 with SEPA EREF+/SVWZ+');
SELECT is((SELECT remittance FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:805?00ENTGELTABSCHLUSS?106666?3012345678'))),
          'ENTGELTABSCHLUSS', 'mt940: German ?00 booking text when there is no purpose');
SELECT is((SELECT counterparty_name || '|' || counterparty_account || '|' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:020~00VE02~20FAKTURA FV/2025/7~21 MARZEC~3010501445~31000000123456789\n' ||
                                           E'~32PRZEDSIEBIORSTWO KOWAL~33SKI SP Z O O~38PL61109010140000071219812874'))),
          'PRZEDSIEBIORSTWO KOWALSKI SP Z O O|PL61109010140000071219812874|FAKTURA FV/2025/7 MARZEC', 'mt940: Polish ~ sub-fields, ~38 IBAN');
SELECT is((SELECT counterparty_name || '|' || counterparty_account || '|' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:911 TRANSAKCJA COLLECT; ID IPH: XX01; Z RACH.: \n' ||
                                           E'56114010810000267002001001; OD: JAN NOWAK; TYT.: FV 2025/7 ; TNR: 1793'))),
          'JAN NOWAK|56114010810000267002001001|FV 2025/7', 'mt940: Polish OD:/TYT.:/Z RACH.: keywords');
SELECT is((SELECT counterparty_name || '|' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFX\n:86:GIRO AUS ONLINE-SIC 80532 AUFTRAGGEBER: ALPENBLICK AG BERN\n' ||
                                           E' MITTEILUNGEN: RECHNUNG 2025-7'))),
          'ALPENBLICK AG BERN|RECHNUNG 2025-7', 'mt940: Swiss AUFTRAGGEBER:/MITTEILUNGEN:');
SELECT is((SELECT counterparty_name || '|' || counterparty_account || '|' || reference || '|' || remittance
           FROM o2c.parse_mt940(pg_temp.mt(E':61:2503010301C10,00NTRFNONREF\n:86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/\n' ||
                                           E'Groothandel De Vries/REMI/Factuur 2025-7/EREF/E2E-7'))),
          'Groothandel De Vries|NL20INGB0001234567|E2E-7|Factuur 2025-7', 'mt940: Dutch /TRTP/ /IBAN/ /NAME/ /REMI/ /EREF/');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(pg_temp.mt(':61:1602300301D6,00N024NONREF'))$$,
                 '22008', 'invalid MT940 statement: line 5: value date "160230" is not a date', 'mt940: strict, 30 February');
SELECT is((SELECT value_date || ' ' || booking_date FROM o2c.parse_mt940(pg_temp.mt(':61:1602300301D6,00N024NONREF'), false)),
          '2016-02-29 2016-03-01', 'mt940: lax, 30 February as the last day of February');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', pg_temp.mt(':61:1602300301D6,00N024NONREF')) w LIMIT 1),
          'MT940 statement "S1/5/1": line 5: value date "160230" is not a date; read as 2016-02-29', 'mt940: lax, 30 February warns');
-- MT942, the interim report, into the same shape
CREATE TEMP TABLE mt942 (body text);
INSERT INTO mt942 VALUES ($m$:20:INT-0305
:25:DE89370400440532013000
:28C:12/3
:34F:EURD0,00
:34F:EURC0,00
:13D:2503051200+0100
:61:2503050305C250,00NTRFRE-2025-7//B7
:86:/NAME/Acme GmbH/REMI/RE-2025-7/
:61:2503050305D12,50NCHGNONREF//B8
:86:Kontogebuehren
:90D:1EUR12,50
:90C:1EUR250,00
-$m$);
SELECT is((SELECT string_agg(message || ' ' || amount, ', ' ORDER BY line_no) FROM o2c.parse_mt940((SELECT body FROM mt942))),
          'mt942 250.00, mt942 -12.50', 'mt942: read into the same shape, no closing balance needed');
SELECT is((SELECT DISTINCT currency FROM o2c.parse_mt940((SELECT body FROM mt942))), 'EUR',
          'mt942: the currency of its :34F: floor limit');
SELECT is((SELECT message FROM o2c.parse_mt940('{1:F01BANKDEFFXXXX0000000000}{2:O942BANKDEFFXXXXN}{4:' || E'\n' ||
                  E':20:I1\n:25:A\n:28C:1\n:61:250305C1,00NTRFX\n-}')),
          'mt942', 'mt942: named by its {2: application header');
SELECT throws_ok($$SELECT * FROM o2c.parse_mt940(replace((SELECT body FROM mt942), ':90C:1EUR250,00', ':90C:2EUR250,00'))$$,
                 '22000', 'MT942 statement "INT-0305/12/3": line 12: :90C: does not match its entries', 'mt942: strict, :90C: totals');
SELECT is((SELECT w FROM o2c.parse_warnings('mt940', replace((SELECT body FROM mt942), ':90D:1EUR12,50', ':90D:1EUR12,05')) w),
          'MT942 statement "INT-0305/12/3": line 11: :90D: says 1 entries of 12.05, the debit entries are 1 of 12.50; read anyway', 'mt942: lax, :90D: totals');

-- camt.053
CREATE TEMP TABLE camt (body text);
INSERT INTO camt VALUES ($c$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt><Stmt><Id>S8</Id>
  <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
  <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>
  <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">40.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-01</Dt></Dt></Bal>
  <Ntry><Amt Ccy="EUR">140.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2025-03-01</Dt></BookgDt><ValDt><Dt>2025-03-02</Dt></ValDt>
   <NtryDtls><TxDtls><Amt Ccy="EUR">140.00</Amt><Refs><EndToEndId>E-1</EndToEndId></Refs>
    <RltdPties><Dbtr><Pty><Nm>Søren &amp; Co</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DK5000400440116243</IBAN></Id></DbtrAcct></RltdPties>
    <RmtInf><Ustrd>INV 9</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
 </Stmt></BkToCstmrStmt></Document>$c$);

SELECT is((SELECT amount || '|' || counterparty_name || '|' || counterparty_account || '|' || reference || '|' || remittance
           FROM o2c.parse_camt053((SELECT body FROM camt))),
          '140.00|Søren & Co|DK5000400440116243|E-1|INV 9', 'camt.053.001.08: party in Pty, Amt in TxDtls, escaped &amp;');
SELECT is((SELECT opening_balance FROM o2c.parse_camt053((SELECT body FROM camt))), -100.00::numeric,
          'camt: DBIT opening balance is negative');
SELECT is((SELECT value_date FROM o2c.parse_camt053((SELECT body FROM camt))), '2025-03-02'::date, 'camt: value date');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol2;</Document>')$$,
                 '22P02', 'camt document with a DOCTYPE declaration refused', 'camt: entity expansion bomb refused');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>')$$,
                 '22P02', 'camt document with a DOCTYPE declaration refused', 'camt: external entity refused');
-- A DTD hidden behind another encoding: UTF-7 writes '<' as '+ADw-'.
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<?xml version="1.0" encoding="UTF-7"?>' || E'\n' ||
                   '+ADw-+ACE-DOCTYPE Document +AFs-+ADw-+ACE-ENTITY x SYSTEM +ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-' || E'\n' ||
                   '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&x;</Id>' ||
                   '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry></Stmt></BkToCstmrStmt></Document>')$$,
                 '22P02', 'camt document in encoding "UTF-7" refused', 'camt: UTF-7 DOCTYPE refused by its encoding');
SELECT is(pg_temp.detail_of($$SELECT * FROM o2c.parse_camt053('<?xml version="1.0" encoding="utf-7"?><Document/>')$$),
          'Its XML declaration names it; camt is read in UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252.',
          'camt: the detail names the encodings read');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<?xml version="1.0" encoding="UTF-16"?>' ||
                   '<!DOCTYPE Document [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' ||
                   '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol2;</Document>')$$,
                 '22P02', 'camt document in encoding "UTF-16" refused', 'camt: UTF-16 DOCTYPE refused by its encoding');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<?xml version="1.0" encoding="IBM037"?><Document/>')$$,
                 '22P02', 'camt document in encoding "IBM037" refused', 'camt: EBCDIC refused');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<!DOCTYPE Document [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>' ||
                   '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>')$$,
                 '22P02', 'camt document with a DOCTYPE declaration refused', 'camt: external parameter entity refused');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<!DOCTYPE Document SYSTEM "file:///etc/passwd">' ||
                   '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>')$$,
                 '22P02', 'camt document with a DOCTYPE declaration refused', 'camt: external DTD refused');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<!DOCTYPE Document [<!ENTITY x ]><Document/>')$$,
                 '22P02', 'camt document with a DOCTYPE declaration refused', 'camt: a broken DTD is refused as a DTD');
-- text is in the server's encoding: a declared 8-bit encoding does not garble it
SELECT is((SELECT counterparty_name FROM o2c.parse_camt053(replace((SELECT body FROM camt), 'encoding="UTF-8"', 'encoding="ISO-8859-1"'))),
          'Søren & Co', 'camt: declared ISO-8859-1, the text read as it is');
SELECT is((SELECT counterparty_name FROM o2c.parse_camt053(replace((SELECT body FROM camt), 'encoding="UTF-8"', 'encoding="windows-1252"'))),
          'Søren & Co', 'camt: declared windows-1252, the text read as it is');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), 'INV 9', 'INV &x;'))$$,
                 '22P02', NULL, 'camt: an undeclared entity is an error, never expanded');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<Document><unclosed></Document>')$$,
                 '22P02', NULL, 'camt: not well-formed XML');
SELECT is((SELECT message FROM o2c.parse_camt053(replace((SELECT body FROM camt), 'camt.053.001.08', 'camt.054.001.08'))),
          'camt.053', 'camt: the message element decides, not the namespace');
SELECT is((SELECT amount FROM o2c.parse_camt053(replace((SELECT body FROM camt), 'camt.053.001.08', 'camt.053.001.13'))),
          140.00, 'camt: version 001.13 is read');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><Other/></Document>')$$,
                 '22P02', 'not a camt.052, camt.053 or camt.054 document: line 1: Document holds Other', 'camt: no BkToCstmrStmt');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '>140.00</Amt><CdtDbtInd>', '>1,40.0</Amt><CdtDbtInd>'))$$,
                 '22P02', 'invalid camt.053 document: line 7: expected an amount such as 1234.56 in Amt', 'camt: bad amount');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<CdtDbtInd>CRDT</CdtDbtInd><BookgDt>', '<CdtDbtInd>UP</CdtDbtInd><BookgDt>'))$$,
                 '22P02', 'invalid camt.053 document: line 7: expected CRDT or DBIT in CdtDbtInd', 'camt: bad direction');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '2025-03-02', '2025-02-30'))$$,
                 '22008', 'invalid camt.053 document: line 7: "2025-02-30" is not a date', 'camt: bad date');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '2025-03-02', '02.03.2025'))$$,
                 '22P02', 'invalid camt.053 document: line 7: expected a date YYYY-MM-DD', 'camt: date format');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Amt Ccy="EUR">40.00</Amt>', '<Amt Ccy="EUR">40.01</Amt>'))$$,
                 '22000', 'camt.053 statement "S8" does not balance', 'camt: strict balance mismatch');
SELECT is(pg_temp.detail_of($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Amt Ccy="EUR">40.00</Amt>', '<Amt Ccy="EUR">40.01</Amt>'))$$),
          'Statement "S8" (line 3): opening balance plus entries is 40.00, closing balance is 40.01, difference 0.01.',
          'camt: the detail names the statement and the difference');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls></NtryDtls>'))$$,
                 '22000', NULL, 'camt: batched transactions must add up to the entry');
SELECT is((SELECT count(*) || ' ' || sum(amount) FROM o2c.parse_camt053(replace((SELECT body FROM camt), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls></NtryDtls>'), false)),
          '1 140.00', 'camt: lax, a batch not adding up is one line of the booked amount');
SELECT is((SELECT count(*) || ' ' || sum(amount) FROM o2c.parse_camt053(replace(replace((SELECT body FROM camt), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><Refs/></TxDtls></NtryDtls>'), '<Amt Ccy="EUR">140.00</Amt><Refs>', '<Refs>'))),
          '1 140.00', 'camt: a batch with a TxDtls without an amount is one line of the booked amount');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Stmt><Id>S8</Id>',
                   '<Stmt><Id>S8</Id><TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries></TtlNtries></TxsSummry>'))$$,
                 '22000', 'camt.053 statement "S8": transaction summary TtlNtries/NbOfNtries does not match its entries',
                 'camt: TxsSummry number of entries');
SELECT is(pg_temp.detail_of($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Stmt><Id>S8</Id>',
                   '<Stmt><Id>S8</Id><TxsSummry><TtlCdtNtries><Sum>140.01</Sum></TtlCdtNtries></TxsSummry>'))$$),
          'Statement "S8" (line 3): TtlCdtNtries/Sum says 140.01, the entries give 140.00.', 'camt: TxsSummry credit sum');
SELECT is((SELECT count(*)::int FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Stmt><Id>S8</Id>',
                   '<Stmt><Id>S8</Id><TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries><Sum>140.00</Sum></TtlNtries><TtlDbtNtries><NbOfNtries>0</NbOfNtries><Sum>0</Sum></TtlDbtNtries></TxsSummry>'))),
          1, 'camt: a matching TxsSummry passes');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt053(replace((SELECT body FROM camt), '<Stmt><Id>S8</Id>',
                   '<Stmt><Id>S8</Id><TxsSummry><TtlNtries><NbOfNtries>x</NbOfNtries></TtlNtries></TxsSummry>'))$$,
                 '22P02', NULL, 'camt: TxsSummry NbOfNtries not a number');

-- camt: every version, camt.052 and camt.054, one code path keyed on the elements
CREATE TEMP TABLE camtv (body text);
INSERT INTO camtv VALUES ($c$<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.05K.001.VV">
 <MSG><GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-03-05T08:00:00</CreDtTm></GrpHdr>
  <STMT><Id>R1</Id>
   <Acct><Id><IBAN>CH9300762011623852957</IBAN></Id><Ccy>CHF</Ccy></Acct>
   BALANCES
   <Ntry><Amt Ccy="CHF">4500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>STATUS<BookgDt><Dt>2025-03-05</Dt></BookgDt>
    <NtryDtls><TxDtls><AmtDtls><TxAmt><Amt Ccy="CHF">0.04</Amt></TxAmt></AmtDtls>
     <RltdPties><Dbtr><Nm>Alpenblick AG</Nm></Dbtr></RltdPties><RmtInf><Ustrd>INV 77</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
  </STMT></MSG></Document>$c$);
CREATE FUNCTION pg_temp.camt(kind text, version int, balances text DEFAULT '') RETURNS text LANGUAGE sql AS $$
    SELECT replace(replace(replace(replace(replace(replace(body, '05K', kind), 'VV', lpad(version::text, 2, '0')),
           'STMT', CASE kind WHEN '053' THEN 'Stmt' WHEN '052' THEN 'Rpt' ELSE 'Ntfctn' END),
           'MSG', CASE kind WHEN '053' THEN 'BkToCstmrStmt' WHEN '052' THEN 'BkToCstmrAcctRpt' ELSE 'BkToCstmrDbtCdtNtfctn' END),
           'STATUS', CASE WHEN version >= 9 THEN '<Sts><Cd>BOOK</Cd></Sts>' ELSE '<Sts>BOOK</Sts>' END),
           'BALANCES', balances)
    FROM camtv $$;
CREATE FUNCTION pg_temp.bal(code text, amount text, ccy text DEFAULT 'CHF') RETURNS text LANGUAGE sql AS $$
    SELECT '<Bal><Tp><CdOrPrtry><Cd>' || code || '</Cd></CdOrPrtry></Tp><Amt Ccy="' || ccy || '">' || amount ||
           '</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2025-03-05</Dt></Dt></Bal>' $$;

SELECT is((SELECT string_agg(DISTINCT message || ' ' || amount, ',') FROM generate_series(2, 13) v,
                  (VALUES ('052'), ('053'), ('054')) m(k), o2c.parse_camt(pg_temp.camt(k, v))),
          'camt.052 4500.00,camt.053 4500.00,camt.054 4500.00', 'camt: camt.052, .053 and .054 versions 001.02 to 001.13 read alike');
SELECT is((SELECT count(*)::int FROM generate_series(2, 13) v, (VALUES ('052'), ('053'), ('054')) m(k),
                  o2c.parse_camt(pg_temp.camt(k, v))), 36, 'camt: one line each of the 36 documents');
SELECT is((SELECT message || ' ' || account FROM o2c.parse_camt(replace(replace(pg_temp.camt('053', 1), 'BkToCstmrStmt>', 'BkToCstmrStmtV01>'),
                   '<IBAN>CH9300762011623852957</IBAN>', '<PrtryAcct><Id>4711</Id></PrtryAcct>'))),
          'camt.053 4711', 'camt: version 001.01 (BkToCstmrStmtV01, PrtryAcct)');
SELECT is((SELECT amount || ' ' || counterparty_name || ' ' || remittance FROM o2c.parse_camt(pg_temp.camt('053', 8))),
          '4500.00 Alpenblick AG INV 77', 'camt: the booked amount, not the single TxDtls amount, with its details');
SELECT is((SELECT amount FROM o2c.parse_camt(replace(pg_temp.camt('053', 8), '<Amt Ccy="CHF">0.04</Amt>', '<Amt Ccy="SEK">0</Amt>'))),
          4500.00, 'camt: a TxDtls amount in another currency never becomes the line');
SELECT is((SELECT string_agg(amount::text, ' ' ORDER BY line_no) FROM o2c.parse_camt(replace(pg_temp.camt('053', 8), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><Amt Ccy="CHF">4499.96</Amt></TxDtls></NtryDtls>'))),
          '0.04 4499.96', 'camt: two TxDtls adding up to the booked amount are two lines');
SELECT is((SELECT count(*) || ' ' || sum(amount) || ' ' || min(remittance) FROM o2c.parse_camt(replace(pg_temp.camt('053', 8), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><RmtInf><Ustrd>INV 78</Ustrd></RmtInf></TxDtls></NtryDtls>'))),
          '1 4500.00 INV 77; INV 78', 'camt: transactions not split leave one line with their remittance texts');
SELECT is((SELECT instructed_amount || ' ' || instructed_currency || ' ' || exchange_rate FROM o2c.parse_camt(replace(pg_temp.camt('054', 8), '</TxAmt>',
                   '</TxAmt><InstdAmt><Amt Ccy="EUR">4750.50</Amt><CcyXchg><SrcCcy>EUR</SrcCcy><TrgtCcy>CHF</TrgtCcy><XchgRate>0.9472687</XchgRate></CcyXchg></InstdAmt>'))),
          '4750.50 EUR 0.9472687', 'camt: instructed amount, its currency and the exchange rate');
SELECT is((SELECT count(*)::int FROM o2c.parse_camt('<BizMsgEnvlp><AppHdr><Fr/><MsgDefIdr>camt.053.001.08</MsgDefIdr></AppHdr>' ||
                   regexp_replace(pg_temp.camt('053', 8), '^<\?xml[^>]*>', '') || '</BizMsgEnvlp>')),
          1, 'camt: an envelope around the Document (CBPR+)');
SELECT is((SELECT count(*)::int FROM o2c.parse_camt(replace(pg_temp.camt('053', 4), 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.04',
                   'http://www.six-interbank-clearing.com/de/camt.053.001.04.xsd'))),
          1, 'camt: a national namespace keeping the ISO elements');
SELECT is((SELECT opening_balance || ' ' || closing_balance FROM o2c.parse_camt(pg_temp.camt('052', 8,
                   pg_temp.bal('PRCD', '100.00') || pg_temp.bal('ITBD', '4600.00')))),
          '100.00 4600.00', 'camt.052: PRCD opens, the interim booked balance ITBD closes');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(pg_temp.camt('052', 8, pg_temp.bal('PRCD', '100.00') || pg_temp.bal('ITBD', '4600.01')))$$,
                 '22000', 'camt.052 statement "R1" does not balance', 'camt.052: strict, interim balances checked');
SELECT is((SELECT count(*)::int FROM o2c.parse_camt(replace(pg_temp.camt('052', 9, pg_temp.bal('PRCD', '100.00') || pg_temp.bal('ITBD', '100.00')),
                   '<Sts><Cd>BOOK</Cd></Sts>', '<Sts><Cd>PDNG</Cd></Sts>'))),
          1, 'camt.052: a pending entry is a line, left out of the balance check');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', replace(pg_temp.camt('052', 10), '<Sts><Cd>BOOK</Cd></Sts>', '<Sts><Cd>PDNG</Cd></Sts>')) w),
          'camt.052 statement "R1" (line 4): 1 entry not booked (Sts PDNG, INFO or FUTR) read as lines but left out of the balance check',
          'camt.052: lax and strict warn of entries not booked');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(replace(pg_temp.camt('053', 8), '<Amt Ccy="CHF">4500.00</Amt>', '<Amt Ccy="EUR">4500.00</Amt>'), false)$$,
                 '22000', 'camt.053 statement "R1": line 7: Ntry amount in EUR, the account is in CHF', 'camt: an entry in another currency, refused in both modes');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(pg_temp.camt('053', 8, pg_temp.bal('OPBD', '1.00', 'EUR')))$$,
                 '22000', 'camt.053 statement "R1": line 6: Bal amount in EUR, the account is in CHF', 'camt: strict, a balance in another currency');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', pg_temp.camt('053', 8, pg_temp.bal('OPBD', '1.00', 'EUR'))) w),
          'camt.053 statement "R1": line 6: balance in EUR, the account is in CHF; balance ignored', 'camt: lax, the balance in another currency ignored');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', pg_temp.camt('053', 8, pg_temp.bal('OPBD', '1.00') || pg_temp.bal('CLBD', '1.00'))) w),
          'camt.053 statement "R1" (line 4) does not balance: opening balance plus entries is 4501.00, closing balance is 1.00, difference -4500.00; read anyway',
          'camt: lax, a statement that does not balance');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', replace(pg_temp.camt('053', 8), '</TxDtls></NtryDtls>',
                   '</TxDtls><TxDtls><Amt Ccy="CHF">1.00</Amt></TxDtls></NtryDtls>')) w),
          'camt.053 statement "R1": batched entry at line 7: its 2 TxDtls amounts sum to 1.04, not the booked 4500.00; read as one line of the booked amount',
          'camt: lax, a batch not adding up');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', replace(pg_temp.camt('053', 8), '</Acct>',
                   '</Acct><TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries></TtlNtries></TxsSummry>')) w),
          'camt.053 statement "R1" (line 4): transaction summary TtlNtries/NbOfNtries says 2, the entries give 1; read anyway',
          'camt: lax, a TxsSummry that does not match');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(pg_temp.camt('053', 8, replace(pg_temp.bal('OPBD', '1.00'), '<CdtDbtInd>CRDT</CdtDbtInd>', '')))$$,
                 '22P02', 'camt.053 statement "R1": line 6: balance OPBD without CdtDbtInd', 'camt: strict, a balance without CdtDbtInd');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', pg_temp.camt('053', 8, replace(pg_temp.bal('OPBD', '1.00'), '<CdtDbtInd>CRDT</CdtDbtInd>', ''))) w),
          'camt.053 statement "R1": line 6: balance OPBD without CdtDbtInd; balance ignored', 'camt: lax, a balance without CdtDbtInd ignored');
SELECT is((SELECT count(*)::int FROM o2c.parse_camt(replace(pg_temp.camt('053', 8), '</Acct>',
                   '</Acct><TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries><Sum>-4500.00</Sum></TtlNtries></TxsSummry>'))),
          1, 'camt: a TxsSummry sum written negative is compared by its size');
SELECT is((SELECT w FROM o2c.parse_warnings('camt', replace(pg_temp.camt('053', 8), '</Acct>',
                   '</Acct><TxsSummry><TtlNtries><Sum>1,2,3</Sum></TtlNtries></TxsSummry>')) w),
          'camt.053 statement "R1": line 5: expected an amount such as 1234.56 in Sum; transaction summary not checked',
          'camt: lax, an unreadable TxsSummry is not checked');
SELECT is((SELECT count(*)::int FROM o2c.parse_warnings('camt', pg_temp.camt('053', 8))), 0, 'camt: no warning for a sound file');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(replace(pg_temp.camt('054', 8), '</TxAmt>',
                   '</TxAmt><InstdAmt><Amt Ccy="EUR">1.00</Amt><CcyXchg><XchgRate>1,05</XchgRate></CcyXchg></InstdAmt>'))$$,
                 '22P02', 'invalid camt.054 document: line 8: expected an exchange rate such as 1.0842 in XchgRate', 'camt: a malformed exchange rate');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>')$$,
                 '22P02', 'not a camt.052, camt.053 or camt.054 document: line 1: Document holds CstmrCdtTrfInitn', 'camt: a pain.001 is refused');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt(E'<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">\n</Document>')$$,
                 '22P02', 'invalid camt document: line 2: Document in namespace "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02" holds no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn',
                 'camt: an empty Document');
SELECT throws_ok($$SELECT * FROM o2c.parse_camt('<Statement><Line/></Statement>')$$,
                 '22P02', 'not a camt.052, camt.053 or camt.054 document: line 1: root element Statement in namespace ""', 'camt: no camt message element');
SELECT is((SELECT count(*) || ' ' || max(w) FILTER (WHERE w LIKE '%more%') FROM o2c.parse_warnings('mt940',
                  E':20:W\n:25:A\n:60F:C250301EUR0,00\n' || repeat(E':12:x\n', 150) || E':62F:C250301EUR0,00\n') w),
          '101 50 more warnings not shown', 'warnings are bounded: 100, then how many more');
SELECT throws_ok($$SELECT * FROM o2c.parse_warnings('csv', 'x')$$, '22023', 'unknown bank statement format "csv"', 'parse_warnings: unknown format');

-- BAI2
CREATE TEMP TABLE bai (body text);
INSERT INTO bai VALUES ($b$01,BANK,CUST,250303,0600,7,,,2/
02,CUST,BANK,1,250303,,USD,2/
03,123,,010,10000,,,015,10550,,/
16,165,1550,0,BR1,CR1,WIRE FROM X, WITH COMMA
88,AND MORE TEXT
16,495,1000,Z,BR2,,/
49,23100,5/
98,23100,1,7/
99,23100,1,9/
$b$);
SELECT is((SELECT string_agg(amount || ' ' || coalesce(remittance, '-'), '; ' ORDER BY line_no)
           FROM o2c.parse_bai2((SELECT body FROM bai))),
          '15.50 WIRE FROM X, WITH COMMA AND MORE TEXT; -10.00 -', 'bai2: implied decimals, text with commas and 88');
SELECT is((SELECT amount FROM o2c.parse_bai2(replace(replace((SELECT body FROM bai), '03,123,,', '03,123,JPY,'), '16,495', '16,195'), false) WHERE line_no = 2),
          1000::numeric, 'bai2: JPY has no implied decimals');
SELECT is((SELECT count(*)::int FROM o2c.parse_bai2(replace((SELECT body FROM bai), E'\n', E'\r\n'))), 2, 'bai2: CRLF');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2('02,CUST,BANK,1,250303,,USD,2/')$$, '22P02',
                 'invalid BAI2 file: line 1: expected 01 file header', 'bai2: no 01');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(E'01,B,C,250303,0600,7,,,2/\n02,C,B,1,250303,,USD,2/\n16,165,1,0,,,/')$$, '22P02',
                 'invalid BAI2 file: line 3: expected an 03 account record before 16', 'bai2: 16 before 03');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '16,495', '16,800'))$$, '22P02',
                 'invalid BAI2 file: line 6: detail type code 800 is neither a credit (100-399) nor a debit (400-699)', 'bai2: type code');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '16,495,1000', '16,495,10.00'))$$, '22P02',
                 'invalid BAI2 file: line 6: expected an amount in digits (implied decimals)', 'bai2: bad amount');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '1,250303,,USD', '1,250231,,USD'))$$, '22008',
                 'invalid BAI2 file: line 2: "250231" is not a date', 'bai2: bad as-of date');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '49,23100,5', '49,23101,5'))$$, '22000',
                 'BAI2 account control total of "7/123" does not match at line 7', 'bai2: account control total');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '49,23100,5', '49,23100,4'))$$, '22000',
                 'BAI2 record count of "7/123" does not match at line 7', 'bai2: account record count');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '99,23100,1,9', '99,23100,2,9'))$$, '22000',
                 NULL, 'bai2: number of groups');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '015,10550', '015,10551'))$$, '22000',
                 NULL, 'bai2: opening ledger + details = closing ledger');
SELECT is((SELECT count(*)::int FROM o2c.parse_bai2(replace((SELECT body FROM bai), '49,23100,5', '49,23101,5'), false)),
          2, 'bai2: strict => false skips control totals');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), E'99,23100,1,9/\n', ''))$$, '22P02',
                 NULL, 'bai2: strict needs the 99 trailer');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), '16,495', '77,495'))$$, '22P02',
                 'invalid BAI2 file: line 6: unknown record type "77"', 'bai2: strict, an unknown record');
SELECT is((SELECT w FROM o2c.parse_warnings('bai2', replace((SELECT body FROM bai), '16,495,1000,Z,BR2,,/', '77,495,1000,Z,BR2,,/')) w LIMIT 1),
          'BAI2 file "7/123": line 6: unknown record type "77"; record skipped', 'bai2: lax, an unknown record skipped');
SELECT is((SELECT w FROM o2c.parse_warnings('bai2', replace((SELECT body FROM bai), '16,495,1000,Z,BR2,,/', '88:EREF: X')) w LIMIT 1),
          'BAI2 file "7/123": line 6: unknown record "88:EREF: X"; record skipped', 'bai2: lax, a broken continuation skipped');
SELECT is((SELECT w FROM o2c.parse_warnings('bai2', replace((SELECT body FROM bai), '49,23100,5', '49,23101,5')) w),
          'BAI2 account control total of "7/123" does not match at line 7: the trailer says 23101, the records give 23100; read anyway',
          'bai2: lax, the account control total');
SELECT is((SELECT string_agg(w, '; ') FROM o2c.parse_warnings('bai2', replace((SELECT body FROM bai), '98,23100,1,7', '98,23100,2,7')) w),
          'BAI2 number of accounts of "7" does not match at line 8: the trailer says 2, the records give 1; read anyway',
          'bai2: lax, the number of accounts in 98');
SELECT is((SELECT w FROM o2c.parse_warnings('bai2', replace((SELECT body FROM bai), E'99,23100,1,9/\n', '')) w),
          'BAI2 file "7": line 8: no 99 file trailer at the end; read without its control totals', 'bai2: lax, no 99 trailer');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2(replace((SELECT body FROM bai), E'98,23100,1,7/\n99,23100,1,9/\n', ''))$$, '22P02',
                 'invalid BAI2 file: line 7: no 98 group trailer at the end', 'bai2: strict, no 98 trailer');
-- BAI2 as banks send it
SELECT is((SELECT count(*)::int || ' ' || count(remittance) FROM o2c.parse_bai2(replace(replace((SELECT body FROM bai), '16,495,1000,Z,BR2,,/', '16,495,1000,Z,BR2,,,,,/'),
                  '03,123,,010,10000,,,015,10550,,/', '03,123,,010,10000,,,015,10550,,,,,,/'))),
          '2 1', 'bai2: empty trailing fields before /');
SELECT results_eq($$SELECT * FROM o2c.parse_bai2(regexp_replace((SELECT body FROM bai), '/\n', E'\n', 'g'))$$,
                  $$SELECT * FROM o2c.parse_bai2((SELECT body FROM bai))$$, 'bai2: records without their final /');
SELECT results_eq($$SELECT * FROM o2c.parse_bai2(replace(replace(replace(replace((SELECT body FROM bai), '03,123,,010,10000,,,015,10550,,/', E'03,123,,010\n88,10000,,,015\n88,10550,,/'),
                  '49,23100,5/', E'49,23100,\n88,8/'), '98,23100,1,7', E'98,23100\n88,1,11'), '99,23100,1,9', E'99,23100,1,\n88,14'))$$,
                  $$SELECT * FROM o2c.parse_bai2((SELECT body FROM bai))$$, 'bai2: 88 continuations inside 03, 49, 98 and 99 records');
SELECT is((SELECT bank_reference || ' ' || reference || ' ' || remittance FROM o2c.parse_bai2(replace((SELECT body FROM bai), '16,165,1550,0,BR1,CR1,WIRE', E'16,165,1550,0,\n88,BR1,CR1,WIRE'),
                  false) WHERE line_no = 1),
          'BR1 CR1 WIRE FROM X, WITH COMMA AND MORE TEXT', 'bai2: an 88 before the text continues fields, after it the text');
SELECT is((SELECT string_agg(amount || ' ' || value_date || ' ' || coalesce(reference, '-') || ' ' || coalesce(remittance, '-'), '; ' ORDER BY line_no)
           FROM o2c.parse_bai2(replace(replace((SELECT body FROM bai), '16,165,1550,0,BR1,CR1,WIRE FROM X, WITH COMMA', '16,165,1550,D,2,0,1000,1,550,BR1,CR1/7/A,WIRE'),
                               '16,495,1000,Z,BR2,,/', '16,495,1000,V,250305,0900,BR2,,/'))),
          '15.50 2025-03-03 CR1/7/A WIRE AND MORE TEXT; -10.00 2025-03-05 - -', 'bai2: funds types D and V with their fields, a / inside a reference');
SELECT is((SELECT amount FROM o2c.parse_bai2(replace((SELECT body FROM bai), '16,165,1550,0,BR1', '16,165,1550,S,1000,500,50,BR1'))  WHERE line_no = 1),
          15.50, 'bai2: funds type S with its three amounts');
SELECT throws_ok($$SELECT * FROM o2c.parse_bai2('88,MORE')$$, '22P02',
                 'invalid BAI2 file: line 1: expected a record before the 88 continuation', 'bai2: 88 first');

-- declarations
SELECT is((SELECT string_agg(DISTINCT provolatile::text || proparallel::text || proisstrict::text, ',')
           FROM pg_proc WHERE proname IN ('parse_mt940', 'parse_camt053', 'parse_camt', 'parse_bai2', 'parse_warnings')
             AND pronamespace = 'o2c'::regnamespace), 'istrue', 'parsers are IMMUTABLE STRICT PARALLEL SAFE');

SELECT * FROM finish();
ROLLBACK;

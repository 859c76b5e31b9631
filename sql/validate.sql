-- validate: validators and the iban type, with fixtures written for this
-- test (IBANs built from each registry country's BBAN structure with their
-- mod-97 check digits computed independently; VAT numbers with check digits).
\pset null '(null)'

-- One IBAN per registry country, typed in groups of four or lower case:
-- valid; with its check digits changed: checksum fails; one character
-- longer: wrong length. Every row should read t, f, f.
CREATE TEMP TABLE iban_fixture (iban text);
INSERT INTO iban_fixture VALUES
    ('AD55 2002 9772 SRF4 0Z39 SI1Y'),
    ('ae305941184278534944592'),
    ('AL07 8504 0204 XTPU PWRD KCB7 CVPC'),
    ('at141629667170769107'),
    ('AZ20 GRLP A9TK 2GPO MWK5 058Z HFRZ'),
    ('ba398130700574763696'),
    ('BE05 7435 5405 0775'),
    ('bg28mvva23338693d2m2ru'),
    ('BH76 LTJG 5JXH C49K 81OE R2'),
    ('bi1470482894668328022725558'),
    ('BR15 9343 8907 7557 2570 8941 435T 2'),
    ('by35tvmi6583ivn0rbr5lnhhoi0j'),
    ('CH43 2848 9AQ2 V2TS G6FV 9'),
    ('cr70899694633355261962'),
    ('CY34 0980 6507 GI8B MDHK 9R7H IMUL'),
    ('cz5944530793967344956614'),
    ('DE53 4976 3539 5425 2396 10'),
    ('dj6742028526351576405314388'),
    ('DK36 7862 2175 0689 40'),
    ('do23zmoh87100304617132953000'),
    ('EE57 7784 2503 9478 5483'),
    ('eg489817242570378150219595155'),
    ('ES71 6642 1686 8405 1149 9249'),
    ('fi7878723815824903'),
    ('FK84 NF30 1442 1483 69'),
    ('fo3328323175376000'),
    ('FR60 8347 1652 30Q8 GD1J VG8G Z90'),
    ('gb06eeuy07696236780058'),
    ('GE07 LB70 4291 7233 4286 33'),
    ('gi12rrmqo5vaus6gm4xnwqs'),
    ('GL12 1651 1851 4496 25'),
    ('gr755582701noq1op637j722oi6'),
    ('GT88 PCX0 97MW PNPG OBVU 1IJH DPW3'),
    ('hr4638157741881994125'),
    ('HU16 6457 9414 0157 5149 9016 8477'),
    ('ie64ponw56629727890725'),
    ('IL56 1876 3196 8877 0330 267'),
    ('iq21rewa234716292049573'),
    ('IS38 7257 9031 9448 1181 2057 47'),
    ('it53a4829656741g2798ut6a1ps'),
    ('JO97 XYEI 3770 Z0F6 M7ZZ V6EW 2UZV 4M'),
    ('kw72cmkxqegh072wj7f9kzqws3vwt5'),
    ('KZ16 3522 F1C4 NHCJ 76Q2'),
    ('lb256358c88w73k6vaqpu5qa15s2'),
    ('LC03 NDIJ AZ6R 0XZT WYZD GQBB NG4T 1WL8'),
    ('li1057294bo1f6qct4zll'),
    ('LT26 1925 6943 6944 6288'),
    ('lu274539i2uka65e64cx'),
    ('LV89 QSJX IPYJ JGWI F84E A'),
    ('ly33738654159989989576143'),
    ('MC75 5794 0325 157S E8HK HLXJ J17'),
    ('md07kr1ztglo8xjufvfym71r'),
    ('ME25 8401 0205 3844 6150 03'),
    ('mk52456whsv0sqd1995'),
    ('MN71 6939 9633 1729 7875'),
    ('mr6208741559450945484935717'),
    ('MT11 CGOQ 7893 9NMZ 1DIK W345 ZLY4 CX3'),
    ('mu74ggti7587805886098897960hxc'),
    ('NI64 UNKT 3158 5856 7938 4382 5164'),
    ('nl16zfik6129333986'),
    ('NO61 6724 7444 731'),
    ('om80530wx13hb4qobotwout'),
    ('PK90 PRSQ 55N6 KO49 U5KL XK36'),
    ('pl85720020509836961514379666'),
    ('PS57 OMGR RAA9 H1WR 1MBY H2IY UIVC N'),
    ('pt50422223652815416652113'),
    ('QA92 OOOT 6VXI 36S2 J97A 3S5D 1BJE I'),
    ('ro69kgho6l9es198tzrh5phd'),
    ('RS35 2431 6248 1086 5751 36'),
    ('ru68793037387220139uuk7pfx5wt6uj4'),
    ('SA81 90MD TNLV WJG5 71WC YRBI'),
    ('sc97skjq01815717353184232217oyw'),
    ('SD71 4252 4990 1951 76'),
    ('se2726195326656548873464'),
    ('SI56 7255 4183 6063 047'),
    ('sk7175150980956564695730'),
    ('SM83 M951 2873 0480 1EGB 3C15 JG1'),
    ('so066360418834220849953'),
    ('ST71 9598 9328 0376 7457 8525 6'),
    ('sv25hpnb54155500308589670024'),
    ('TL38 0088 2483 0201 1811 447'),
    ('tn5169139136905200102209'),
    ('TR69 1744 29K6 8ARD LJLR FDBW 0N'),
    ('ua73186023xi0smy3cr0bl2lcxhux'),
    ('VA38 4176 3944 3327 0548 69'),
    ('vg89xpcy5416490494308840'),
    ('XK74 8751 7363 0273 0637');

SELECT pg_catalog.upper(pg_catalog.left(iban, 2)) AS country,
       o2c.iban_valid(iban) AS valid,
       o2c.iban_valid(pg_catalog.left(iban, 2)
           || pg_catalog.lpad(((pg_catalog.substr(iban, 3, 2)::int + 1) % 100)::text, 2, '0')
           || pg_catalog.substr(iban, 5)) AS wrong_check,
       o2c.iban_valid(iban || '0') AS wrong_length
FROM iban_fixture ORDER BY 1;

-- normalization and the reasons an IBAN is refused
SELECT o2c.iban_normalize(' gb82 west 1234 5698 7654 32 ') AS normalized;
SELECT o2c.iban_normalize('NO93-8601-1117-947') AS with_hyphens;
SELECT v, o2c.iban_valid(v) FROM (VALUES
    ('GB82WEST12345698765432'),   -- valid
    ('GB82WEST1234569876543'),    -- too short
    ('GB82WEST12345698765433'),   -- checksum
    ('GB821EST12345698765432'),   -- digit where GB has a letter
    ('XX82WEST12345698765432'),   -- no such country
    ('GB82_WEST12345698765432'),  -- bad character
    ('BE71096123456769'),         -- valid, Belgian check digits right
    ('BE98096123456768'),         -- mod 97 right, Belgian check digits wrong
    ('ES9121000418450200051332'), -- valid, Spanish check digits right
    ('ES2921000418460200051332'), -- mod 97 right, Spanish check digits wrong
    (''), ('GB'), ('12345')
) AS t(v);
-- national check digits: each country's registry example, and the same
-- account with one digit changed and the IBAN check digits recomputed, so
-- that only the national check can refuse it
SELECT country, good, o2c.iban_valid(good) AS good_valid, bad, o2c.iban_valid(bad) AS bad_valid
FROM (VALUES
    ('BA', 'BA391290079401028494', 'BA121290079401028495'),
    ('CZ', 'CZ6508000000192000145399', 'CZ1708000000192000145390'),
    ('EE', 'EE382200221020145685', 'EE112200221020145686'),
    ('FI', 'FI2112345600000785', 'FI9112345600000786'),
    ('FR', 'FR1420041010050500013M02606', 'FR8420041010050500013M02607'),
    ('HR', 'HR1210010051863000160', 'HR8210010051863000161'),
    ('HU', 'HU42117730161111101800000000', 'HU15117730161111101800000001'),
    ('IT', 'IT60X0542811101000000123456', 'IT33X0542811101000000123457'),
    ('MC', 'MC5811222000010123456789030', 'MC3111222000010123456789031'),
    ('ME', 'ME25505000012345678951', 'ME95505000012345678952'),
    ('MK', 'MK07250120000058984', 'MK77250120000058985'),
    ('NO', 'NO9386011117947', 'NO6686011117948'),
    ('PL', 'PL61109010140000071219812874', 'PL36109010150000071219812874'),
    ('PT', 'PT50000201231234567890154', 'PT23000201231234567890155'),
    ('RS', 'RS35260005601001611379', 'RS84260005601001611370'),
    ('SI', 'SI56191000000123438', 'SI29191000000123439'),
    ('SK', 'SK3112000000198742637541', 'SK0412000000198742637542'),
    ('SM', 'SM86U0322509800000000270100', 'SM59U0322509800000000270101'),
    ('TL', 'TL380080012345678910157', 'TL110080012345678910158')
) AS t(country, good, bad) ORDER BY country;
SELECT o2c.iban_normalize('GB82WEST12345698765433');
SELECT o2c.iban_normalize('GB82WEST1234569876543');
SELECT o2c.iban_normalize('GB821EST12345698765432');
SELECT o2c.iban_normalize('XX82WEST12345698765432');
SELECT o2c.iban_normalize('GB82 WEST 1234 5698 7654 32!');
SELECT o2c.iban_normalize('ES2921000418460200051332');

-- the iban type: input normalizes, output groups by four, text cast is compact
SELECT 'gb82west12345698765432'::o2c.iban AS iban,
       'gb82west12345698765432'::o2c.iban::text AS as_text;
SELECT 'GB82WEST12345698765432'::o2c.iban OPERATOR(o2c.=) ' gb82 west 1234 5698 7654 32'::o2c.iban AS same,
       'DE89370400440532013000'::o2c.iban OPERATOR(o2c.<) 'GB82WEST12345698765432'::o2c.iban AS less;
SELECT 'nope'::o2c.iban;
CREATE TEMP TABLE accounts (iban o2c.iban PRIMARY KEY);
INSERT INTO accounts SELECT iban FROM iban_fixture
    WHERE pg_catalog.upper(pg_catalog.left(iban, 1)) IN ('D', 'N', 'F');
SELECT iban FROM accounts ORDER BY iban;
INSERT INTO accounts VALUES ('DE89 3704 0044 0532 0130 00'), ('de89370400440532013000');
SELECT count(DISTINCT iban) AS distinct_ibans FROM accounts;

-- BIC
SELECT v, o2c.bic_valid(v) FROM (VALUES
    ('DEUTDEFF'), ('deutdeff500'), ('NEDSZAJJ XXX'), ('BKAUATWW'),
    ('DEUTDEF'),       -- 7 characters
    ('DEUTDEFF5000'),  -- 12 characters
    ('DEU1DEFF'),      -- digit in the institution code
    ('DEUTQQFF'),      -- QQ is no country
    ('DEUTDEF_'),      -- bad location character
    ('RBKOXKPR')       -- Kosovo (XK) as SWIFT uses it
) AS t(v);

-- VAT: two numbers per country with their check digits, and the first with
-- a wrong check digit. Every row should read t, t, f.
CREATE TEMP TABLE vat_fixture (country text, good1 text, good2 text, bad text);
INSERT INTO vat_fixture VALUES
    ('AT', 'ATU52601812', 'at U59.083011', 'ATU52601810'),
    ('BE', 'BE0772429707', 'be 012.4171480', 'BE0772429700'),
    ('BG', 'BG108246282', 'bg 119.482191', 'BG108246280'),
    ('CY', 'CY10935181G', 'cy 109.09378S', 'CY10935181A'),
    ('CZ', 'CZ26579758', 'cz 243.23195', 'CZ26579750'),
    ('DE', 'DE148757496', 'de 111.862528', 'DE148757490'),
    ('DK', 'DK15559799', 'dk 171.14719', 'DK15559790'),
    ('EE', 'EE100497461', 'ee 105.075299', 'EE100497460'),
    ('EL', 'EL017034230', 'el 066.712767', 'EL017034231'),
    ('ES', 'ESB84268465', 'es B56.321227', 'ESB84268460'),
    ('FI', 'FI33079245', 'fi 402.68597', 'FI33079240'),
    ('FR', 'FR94495289076', 'fr 304.86666175', 'FR00495289070'),
    ('GB', 'GB960313738', 'gb 921.590139', 'GB960313700'),
    ('HR', 'HR09281590135', 'hr 962.45957110', 'HR09281590130'),
    ('HU', 'HU17777410', 'hu 121.54728', 'HU17777411'),
    ('IE', 'IE8038528C', 'ie 084.1485T', 'IE8038528A'),
    ('IT', 'IT12538880431', 'it 139.33630264', 'IT12538880430'),
    ('LT', 'LT875004718', 'lt 439.575510', 'LT875004710'),
    ('LU', 'LU11313718', 'lu 135.37910', 'LU11313719'),
    ('LV', 'LV49075116372', 'lv 426.51676126', 'LV49075116370'),
    ('MT', 'MT12202928', 'mt 172.99718', 'MT12202900'),
    ('NL', 'NL528820011B01', 'nl 826.330435B01', 'NL528820010B01'),
    ('PL', 'PL5483954865', 'pl 520.5798688', 'PL5483954860'),
    ('PT', 'PT528288075', 'pt 529.022273', 'PT528288070'),
    ('RO', 'RO19180581', 'ro 188.71805', 'RO19180580'),
    ('SE', 'SE533401878401', 'se 501.759898701', 'SE533401878001'),
    ('SI', 'SI13478877', 'si 183.84838', 'SI13478870'),
    ('SK', 'SK2027261610', 'sk 202.7513609', 'SK2027261600'),
    ('CH', 'CHE142731676', 'ch E16.3551507', 'CHE142731670'),
    ('NO', 'NO958770650', 'no 989.481134', 'NO958770651');
SELECT country, good1, o2c.vat_valid(good1) AS v1, good2, o2c.vat_valid(good2) AS v2,
       bad, o2c.vat_valid(bad) AS v3
FROM vat_fixture ORDER BY country;

-- VAT formats beyond the check digit
SELECT v, o2c.vat_valid(v) FROM (VALUES
    ('GR017034230'),         -- Greece is EL, not GR
    ('CHE-142.731.676 MWST'),-- Swiss number with its suffix
    ('NO 958 770 650 MVA'),  -- Norwegian number with its suffix
    ('GBGD001'), ('GBHA500'), ('GBGD500'),  -- UK government departments and health authorities
    ('GB960313738001'),      -- 12 digits: a branch suffix
    ('XI960313738'),         -- Northern Ireland
    ('ES12345678Z'),         -- Spanish DNI
    ('ESX1234567L'),         -- Spanish NIE
    ('FR 0J 495289076'),     -- French new-style key
    ('FR 0K 495289076'),     -- French new-style key, wrong
    ('IE6433435F'), ('IE6433435OA'), ('IE8D79739I'),  -- Irish: plain, with a second letter, old style
    ('NL000099998B57'),      -- Dutch mod-97 number of a sole trader
    ('RO RO 19180581'),      -- duplicated prefix
    ('DE 14875749'),         -- one digit short
    ('US123456789'), ('DE'), ('')
) AS t(v);

-- e-mail: the choices documented in README
SELECT v, o2c.email_valid(v) FROM (VALUES
    ('jane.doe@example.com'), (' Jane.Doe+ar@Example.CO.UK '), ('o''brien@example.ie'),
    ('a@b.co'), ('x@123.example'),
    ('plain'), ('@example.com'), ('jane@'), ('jane@localhost'),
    ('jane..doe@example.com'), ('.jane@example.com'), ('jane.@example.com'),
    ('"jane doe"@example.com'), ('jane@[192.0.2.1]'), ('jane@-example.com'),
    ('jane@example-.com'), ('jane@example..com'), ('jane@example.123'),
    ('jane doe@example.com'), ('jöhn@example.com'),
    (pg_catalog.repeat('a', 64) || '@example.com'),
    (pg_catalog.repeat('a', 65) || '@example.com'),
    ('a@' || pg_catalog.repeat('b', 63) || '.com'),
    ('a@' || pg_catalog.repeat('b', 64) || '.com')
) AS t(v);
SELECT pg_catalog.length(v) AS length, o2c.email_valid(v) FROM (VALUES
    (pg_catalog.repeat('a', 10) || '@' || pg_catalog.repeat('abcdefghi.', 24) || 'com'),
    (pg_catalog.repeat('a', 11) || '@' || pg_catalog.repeat('abcdefghi.', 24) || 'com')
) AS t(v);

-- countries, LEI, ABA, Luhn
SELECT v, o2c.country_valid(v) FROM (VALUES
    ('DE'), ('de'), (' NO '), ('AX'), ('SS'), ('XK'), ('UK'), ('EU'), ('D'), ('DEU'), ('')
) AS t(v);
SELECT v, o2c.lei_valid(v) FROM (VALUES
    ('5299000J2N45DDNE4Y28'), ('5299 000J 2N45 DDNE 4Y28'), ('5299000J2N45DDNE4Y29'),
    ('5299000J2N45DDNE4Y2'), ('5299000J2N45DDNE4YA8')
) AS t(v);
SELECT v, o2c.aba_valid(v) FROM (VALUES
    ('011000015'), ('021000021'), ('0110-0001-5'), ('011000016'), ('01100001'),
    ('131000016'), ('A11000015')
) AS t(v);
SELECT v, o2c.luhn_valid(v) FROM (VALUES
    ('79927398713'), ('4111 1111 1111 1111'), ('4111-1111-1111-1111'),
    ('79927398710'), ('0'), ('00'), ('4111 1111 1111 111x')
) AS t(v);

-- NULL in, NULL out
SELECT o2c.iban_valid(NULL), o2c.vat_valid(NULL), o2c.email_valid(NULL), o2c.iban_normalize(NULL);

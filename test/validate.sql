-- pgTAP: validators and the iban type — error paths, properties, binary
-- round trips, index support, and the same answers in parallel plans.
BEGIN;
SELECT plan(42);

-- iban_normalize and the type refuse bad input with 22P02, naming the value
SELECT throws_ok($$SELECT o2c.iban_normalize('GB82WEST12345698765433')$$, '22P02',
    'invalid IBAN: "GB82WEST12345698765433"', 'checksum failure is 22P02 naming the value');
SELECT throws_ok($$SELECT o2c.iban_normalize('GB82WEST1234569876543')$$, '22P02',
    NULL, 'wrong length is 22P02');
SELECT throws_ok($$SELECT o2c.iban_normalize('GB821EST12345698765432')$$, '22P02',
    NULL, 'wrong BBAN structure is 22P02');
SELECT throws_ok($$SELECT o2c.iban_normalize('QQ82WEST12345698765432')$$, '22P02',
    NULL, 'unknown country is 22P02');
SELECT throws_ok($$SELECT o2c.iban_normalize('GB82 WEST 1234 5698 7654 3€')$$, '22P02',
    NULL, 'a bad character is 22P02');
SELECT throws_ok($$SELECT o2c.iban_normalize('ES2921000418460200051332')$$, '22P02',
    NULL, 'Spanish national check digits are checked');
SELECT throws_ok($$SELECT 'GB82WEST12345698765433'::o2c.iban$$, '22P02',
    NULL, 'iban input refuses a bad checksum');
SELECT throws_ok($$SELECT 'GB82WEST12345698765433'::text::o2c.iban$$, '22P02',
    NULL, 'the text cast refuses a bad checksum');
SELECT throws_ok($$SELECT pg_catalog.repeat('DE', 5000)::o2c.iban$$, '22P02',
    NULL, 'a very long value is 22P02, not a crash');

-- the failed check is in the detail
CREATE FUNCTION pg_temp.iban_detail(v text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
    PERFORM o2c.iban_normalize(v);
    RETURN NULL;
EXCEPTION WHEN invalid_text_representation THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN d;
END $$;
SELECT is(pg_temp.iban_detail('GB82WEST12345698765433'),
    'Failed check: checksum. The ISO 7064 mod 97-10 checksum is wrong.', 'detail names the checksum');
SELECT matches(pg_temp.iban_detail('GB82WEST1234569876543'), '^Failed check: length\.', 'detail names the length');
SELECT matches(pg_temp.iban_detail('GB821EST12345698765432'), '^Failed check: structure\.', 'detail names the structure');
SELECT matches(pg_temp.iban_detail('QQ82WEST12345698765432'), '^Failed check: country\.', 'detail names the country');
-- national check digits: the broken accounts pass mod 97 and fail only there
CREATE TEMP TABLE national (country text, good text, bad text);
INSERT INTO national VALUES
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
        ('TL', 'TL380080012345678910157', 'TL110080012345678910158');
SELECT is((SELECT pg_catalog.count(*) FROM national WHERE o2c.iban_valid(good)), 19::bigint,
    'every registry example of the 19 countries with national checks here is valid');
SELECT is((SELECT pg_catalog.string_agg(country, ',' ORDER BY country) FROM national
            WHERE pg_temp.iban_detail(bad) IS DISTINCT FROM 'Failed check: national check digits. The country''s national check digits are wrong.'), NULL,
    'each broken account fails the national check digits, and no other check');

-- validators never raise, whatever the bytes
SELECT lives_ok($$
    SELECT o2c.iban_valid(v), o2c.bic_valid(v), o2c.vat_valid(v), o2c.email_valid(v),
           o2c.country_valid(v), o2c.lei_valid(v), o2c.aba_valid(v), o2c.luhn_valid(v)
    FROM (SELECT pg_catalog.string_agg(pg_catalog.chr(32 + ((i * 7919 + j * 104729) % 95)), '') AS v
          FROM pg_catalog.generate_series(1, 2000) i, pg_catalog.generate_series(1, (i % 300) + 1) j
          GROUP BY i) s
$$, 'validators never raise on arbitrary printable input');
SELECT lives_ok($$SELECT o2c.vat_valid(pg_catalog.repeat('9', 100000)), o2c.email_valid(pg_catalog.repeat('a@', 100000)),
                         o2c.luhn_valid(pg_catalog.repeat('1', 100000)), o2c.iban_valid('')$$,
    'validators never raise on very long or empty input');

-- properties of normalization
SELECT is(o2c.iban_normalize(' de89 3704-0044.0532 0130 00 '), 'DE89370400440532013000', 'normalize strips separators and upper-cases');
SELECT is(o2c.iban_normalize(o2c.iban_normalize('fr14 2004 1010 0505 0001 3m02 606')),
    o2c.iban_normalize('fr14 2004 1010 0505 0001 3m02 606'), 'normalize is idempotent');
SELECT is(('fr14 2004 1010 0505 0001 3m02 606'::o2c.iban)::text,
    o2c.iban_normalize('fr14 2004 1010 0505 0001 3m02 606'), 'the type stores the normalized form');
SELECT is(('FR1420041010050500013M02606'::o2c.iban)::o2c.iban::text, 'FR1420041010050500013M02606', 'iban -> text -> iban round trip');
CREATE TEMP TABLE plain_text (t text);
INSERT INTO plain_text SELECT 'NO93 8601 1117 947'::o2c.iban;
SELECT is((SELECT t FROM plain_text), 'NO9386011117947', 'assignment cast stores the compact form in a text column');

-- the operator classes
CREATE TABLE acct (id int, iban o2c.iban);
INSERT INTO acct VALUES (1, 'GB82 WEST 1234 5698 7654 32'), (2, 'DE89370400440532013000'),
                        (3, 'gb82west12345698765432'), (4, 'NO9386011117947');
CREATE INDEX acct_btree ON acct USING btree (iban);
CREATE INDEX acct_hash ON acct USING hash (iban);
SELECT results_eq($$SELECT iban::text FROM acct ORDER BY iban, id$$,
    ARRAY['DE89370400440532013000', 'GB82WEST12345698765432', 'GB82WEST12345698765432', 'NO9386011117947'],
    'ORDER BY sorts by the compact form');
SELECT is((SELECT count(DISTINCT iban) FROM acct), 3::bigint, 'DISTINCT treats typed forms as one IBAN');
SELECT results_eq($$SELECT a.id, b.id FROM acct a JOIN acct b ON a.iban OPERATOR(o2c.=) b.iban AND a.id < b.id$$,
    $$VALUES (1, 3)$$, 'equality joins on the normalized value');
SET LOCAL enable_seqscan = off;
SELECT results_eq($$SELECT id FROM acct WHERE iban OPERATOR(o2c.=) 'GB82WEST12345698765432'::o2c.iban ORDER BY id$$,
    $$VALUES (1), (3)$$, 'index scan finds both rows');
RESET enable_seqscan;
SELECT lives_ok($$CREATE TABLE acct_pk (iban o2c.iban PRIMARY KEY)$$, 'iban can be a primary key');
SELECT throws_ok($$INSERT INTO acct_pk VALUES ('DE89370400440532013000'), ('de89 3704 0044 0532 0130 00')$$,
    '23505', NULL, 'the key sees two spellings as one IBAN');
SELECT is(o2c.iban_hash('DE89370400440532013000'::o2c.iban), o2c.iban_hash(' de89 3704 0044 0532 0130 00'::o2c.iban),
    'equal IBANs hash alike');

-- binary COPY round trip through send/recv
DO $$
BEGIN
    EXECUTE pg_catalog.format('COPY acct TO %L (FORMAT binary)', '/tmp/o2c_iban_' || pg_catalog.pg_backend_pid() || '.bin');
    CREATE TABLE acct_copy (LIKE acct);
    -- read it back through a program that also removes the file
    EXECUTE pg_catalog.format('COPY acct_copy FROM PROGRAM %L (FORMAT binary)',
        'cat /tmp/o2c_iban_' || pg_catalog.pg_backend_pid() || '.bin && rm -f /tmp/o2c_iban_' || pg_catalog.pg_backend_pid() || '.bin');
END $$;
SELECT results_eq($$SELECT id, iban::text FROM acct_copy ORDER BY id$$,
    $$SELECT id, iban::text FROM acct ORDER BY id$$, 'binary COPY round-trips iban');
-- binary input of one iban field: an empty payload is 22P03, not a protocol error
CREATE TEMP TABLE bin_iban (i o2c.iban);
CREATE FUNCTION pg_temp.iban_copy(payload bytea) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    f text := pg_catalog.format('/tmp/o2c_iban_field_%s.bin', pg_catalog.pg_backend_pid());
    lo oid;
BEGIN
    lo := pg_catalog.lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
                           || '\x0001'::bytea || pg_catalog.int4send(pg_catalog.length(payload)) || payload || '\xffff'::bytea);
    PERFORM pg_catalog.lo_export(lo, f);
    PERFORM pg_catalog.lo_unlink(lo);
    RETURN pg_catalog.format('COPY bin_iban FROM %L WITH (FORMAT binary)', f);
END
$f$;
SELECT lives_ok(pg_temp.iban_copy('\x014e4f39333836303131313137393437'), 'a binary iban loads');
SELECT throws_ok(pg_temp.iban_copy(''), '22P03', 'invalid binary iban: the value is empty', 'an empty binary iban is 22P03');

-- the catalog says what the README says
SELECT is((SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'o2c' AND p.proname IN ('iban_valid', 'bic_valid', 'vat_valid', 'email_valid',
                 'country_valid', 'lei_valid', 'aba_valid', 'luhn_valid')
             AND p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's'
             AND p.prorettype = 'boolean'::regtype AND NOT p.prosecdef),
    8::bigint, 'the eight validators are IMMUTABLE STRICT PARALLEL SAFE boolean, security invoker');
SELECT is((SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'o2c' AND p.proname LIKE 'iban%' AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL),
    0::bigint, 'every iban function has a comment');

-- the same answers in a parallel plan as in a serial one
CREATE TABLE vals AS
SELECT i AS id,
       CASE i % 5
         WHEN 0 THEN CASE WHEN i % 4 = 0 THEN (ARRAY['GB82 WEST 1234 5698 7654 32', 'de89370400440532013000',
                                                       'NO9386011117947', 'FR1420041010050500013M02606'])[(i / 5) % 4 + 1]
                          ELSE overlay('GB82WEST12345698765432' PLACING (i % 10)::text FROM (i % 22) + 1 FOR 1) END
         WHEN 1 THEN overlay('DE 148 757 496' PLACING (i % 10)::text FROM (i % 14) + 1 FOR 1)
         WHEN 2 THEN 'user' || (i % 97) || '@' || CASE WHEN i % 3 = 0 THEN 'example..com' ELSE 'example.com' END
         WHEN 3 THEN pg_catalog.lpad((i * 7919)::text, 16, '4')
         ELSE overlay('DEUTDEFF500' PLACING pg_catalog.chr(65 + i % 26) FROM (i % 11) + 1 FOR 1)
       END AS v
FROM pg_catalog.generate_series(1, 60000) i;
ANALYZE vals;
CREATE TABLE serial_answers AS
SELECT id, o2c.iban_valid(v) AS iban, o2c.vat_valid(v) AS vat, o2c.email_valid(v) AS email,
       o2c.luhn_valid(v) AS luhn, o2c.bic_valid(v) AS bic, o2c.lei_valid(v) AS lei,
       o2c.aba_valid(v) AS aba, o2c.country_valid(pg_catalog.left(v, 2)) AS country
FROM vals;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; acc text := '';
BEGIN
    FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP acc := acc || r || E'\n'; END LOOP;
    RETURN acc;
END $$;
SELECT matches(pg_temp.plan_of($$SELECT pg_catalog.count(*) FROM vals WHERE o2c.iban_valid(v) OR o2c.vat_valid(v) OR o2c.email_valid(v)$$),
    'Gather', 'the validator query runs in a parallel plan');
SELECT results_eq($$
    SELECT pg_catalog.count(*) FILTER (WHERE o2c.iban_valid(v)), pg_catalog.count(*) FILTER (WHERE o2c.vat_valid(v)),
           pg_catalog.count(*) FILTER (WHERE o2c.email_valid(v)), pg_catalog.count(*) FILTER (WHERE o2c.luhn_valid(v)),
           pg_catalog.count(*) FILTER (WHERE o2c.bic_valid(v)), pg_catalog.count(*) FILTER (WHERE o2c.lei_valid(v)),
           pg_catalog.count(*) FILTER (WHERE o2c.aba_valid(v)), pg_catalog.count(*) FILTER (WHERE o2c.country_valid(pg_catalog.left(v, 2)))
    FROM vals$$,
    $$SELECT pg_catalog.count(*) FILTER (WHERE iban), pg_catalog.count(*) FILTER (WHERE vat),
             pg_catalog.count(*) FILTER (WHERE email), pg_catalog.count(*) FILTER (WHERE luhn),
             pg_catalog.count(*) FILTER (WHERE bic), pg_catalog.count(*) FILTER (WHERE lei),
             pg_catalog.count(*) FILTER (WHERE aba), pg_catalog.count(*) FILTER (WHERE country)
      FROM serial_answers$$,
    'parallel counts equal the serial answers');
SELECT results_eq($$SELECT id FROM vals WHERE o2c.iban_valid(v) OR o2c.vat_valid(v) OR o2c.email_valid(v) ORDER BY id$$,
    $$SELECT id FROM serial_answers WHERE iban OR vat OR email ORDER BY id$$,
    'parallel plan selects the same rows as the serial answers');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM serial_answers WHERE iban), '>', 0::bigint, 'some generated IBANs are valid');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM serial_answers WHERE NOT iban AND id % 5 = 0), '>', 0::bigint, 'some generated IBANs are not');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM serial_answers WHERE email), '>', 0::bigint, 'some generated e-mails are valid');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM serial_answers WHERE NOT email AND id % 5 = 2), '>', 0::bigint, 'some generated e-mails are not');
SELECT cmp_ok((SELECT pg_catalog.count(*) FROM serial_answers WHERE vat), '>', 0::bigint, 'some generated VAT numbers are valid');

SELECT * FROM finish();
ROLLBACK;

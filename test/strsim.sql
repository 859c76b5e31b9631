BEGIN;
SELECT plan(52);

-- Winkler's reference pairs (Winkler 1994 table; standard form, 3 decimals).
SELECT is(round(o2c.jaro_winkler(a, b)::numeric, 3), e, a || ' / ' || b)
FROM (VALUES ('SHACKLEFORD', 'SHACKELFORD', 0.982), ('DUNNINGHAM', 'CUNNIGHAM', 0.896),
             ('NICHLESON', 'NICHULSON', 0.956), ('JONES', 'JOHNSON', 0.832),
             ('MASSEY', 'MASSIE', 0.933), ('ABROMS', 'ABRAMS', 0.922),
             ('JERALDINE', 'GERALDINE', 0.926), ('MARHTA', 'MARTHA', 0.961),
             ('MICHELLE', 'MICHAEL', 0.921), ('JULIES', 'JULIUS', 0.933),
             ('TANYA', 'TONYA', 0.880), ('DWAYNE', 'DUANE', 0.840),
             ('SEAN', 'SUSAN', 0.805), ('JON', 'JOHN', 0.933)) AS t(a, b, e);

-- No boost at or below a Jaro similarity of 0.7: HARDIN/MARTINEZ stays at Jaro.
SELECT is(round(o2c.jaro_winkler('HARDIN', 'MARTINEZ')::numeric, 3), 0.722, 'no prefix boost below 0.7');
SELECT is(o2c.jaro_winkler('abc', 'abc'), 1::float8, 'identical strings score 1');
SELECT is(o2c.jaro_winkler('', 'abc'), 0::float8, 'empty against non-empty scores 0');
SELECT ok(bool_and(o2c.jaro_winkler(a, b) = o2c.jaro_winkler(b, a)
                   AND o2c.jaro_winkler(a, b) BETWEEN 0 AND 1), 'symmetric and within [0, 1] on random strings')
FROM (SELECT substr(md5(i::text), 1, 1 + i % 12) AS a, substr(md5((i * 7)::text), 1, 1 + i % 9) AS b
      FROM generate_series(1, 500) AS i) AS t;
SELECT is(round(o2c.jaro_winkler('Zürich', 'Zurich')::numeric, 3), 0.900, 'counts characters, not bytes');

-- Unrestricted Damerau-Levenshtein.
SELECT is(o2c.damerau_levenshtein(a, b), e, a || ' -> ' || b)
FROM (VALUES ('CA', 'ABC', 2), ('abcd', 'acb', 2), ('jellyifhs', 'jellyfish', 2),
             ('ifhs', 'fish', 2), ('kitten', 'sitting', 3), ('', '', 0),
             ('ab', 'ba', 1), ('Straße', 'Strasse', 2)) AS t(a, b, e);
SELECT ok(bool_and(o2c.damerau_levenshtein(a, b) = o2c.damerau_levenshtein(b, a)
                   AND o2c.damerau_levenshtein(a, b) <= greatest(length(a), length(b))
                   AND o2c.damerau_levenshtein(a, b) >= abs(length(a) - length(b))),
          'symmetric and within length bounds on random strings')
FROM (SELECT substr(md5(i::text), 1, 1 + i % 12) AS a, substr(md5((i * 7)::text), 1, 1 + i % 9) AS b
      FROM generate_series(1, 500) AS i) AS t;
-- Longer strings, across the 64-character boundary of the bit-mask code:
-- renaming characters one to one (here to multibyte letters, so the
-- code-point path runs instead of the byte path) keeps the distance;
-- symmetry and the triangle inequality (which the restricted variant breaks).
CREATE TEMP TABLE dl_long AS
SELECT i, substr(repeat(md5(i::text), 5), 1 + i % 7, 1 + (i * 37) % 150) AS a,
       substr(repeat(md5((i * 7)::text), 5), 1 + i % 5, 1 + (i * 53) % 150) AS b,
       substr(repeat(md5((i * 11)::text), 5), 1, 1 + (i * 29) % 100) AS c
FROM generate_series(1, 300) AS i;
SELECT ok(bool_and(o2c.damerau_levenshtein(a, b)
                   = o2c.damerau_levenshtein(translate(a, '0123456789abcdef', 'äöüßéñçøåæжщ€λ語x'),
                                             translate(b, '0123456789abcdef', 'äöüßéñçøåæжщ€λ語x'))),
          'a one-to-one renaming to multibyte characters keeps the distance (up to 150 characters)')
FROM dl_long;
SELECT ok(bool_and(o2c.damerau_levenshtein(a, b) = o2c.damerau_levenshtein(b, a)
                   AND o2c.damerau_levenshtein(a, b) >= abs(length(a) - length(b))),
          'symmetric and above the length difference (up to 150 characters)')
FROM dl_long;
SELECT ok(bool_and(o2c.damerau_levenshtein(a, c) <= o2c.damerau_levenshtein(a, b) + o2c.damerau_levenshtein(b, c)),
          'triangle inequality (up to 150 characters)')
FROM dl_long;
SELECT throws_ok($$SELECT o2c.damerau_levenshtein(repeat('a', 2001), 'a')$$, '54000',
                 'argument of damerau_levenshtein exceeds the maximum length of 2000 characters',
                 'over-long argument is refused');

SELECT throws_ok($$SELECT o2c.jaro_winkler(repeat('é', 10001), 'a')$$, '54000',
                 'argument of jaro_winkler exceeds the maximum length of 10000 characters',
                 'over-long jaro_winkler argument is refused');

-- Names, including Unicode.
SELECT is(o2c.normalize_name('The ACME Corp., Inc.'), o2c.normalize_name('Acme'), 'legal forms and "the" removed');
SELECT is(o2c.normalize_name('AB Volvo'), 'volvo', 'legal form removed anywhere');
SELECT is(o2c.normalize_name('MÜLLER & SÖHNE GMBH'), 'muller and sohne', 'accents folded, & is and');
SELECT is(o2c.normalize_name('ΑΛΦΑ Α.Ε.'), 'αλφα αε', 'Greek lower-cased');
SELECT is(o2c.normalize_name('ООО «Ромашка»'), 'ооо ромашка', 'Cyrillic lower-cased, guillemets dropped');
SELECT is(o2c.normalize_name('The Company'), 'the company', 'a name of nothing but forms is kept');
SELECT ok(bool_and(o2c.normalize_name(o2c.normalize_name(n)) = o2c.normalize_name(n)), 'normalize_name is idempotent')
FROM (VALUES ('The ACME Corp., Inc.'), ('Müller & Söhne GmbH & Co. KG'), ('S.A.R.L. Dupont'), ('x')) AS t(n);

-- References.
SELECT is(o2c.extract_refs('invoices 123, 124 and 125'), '{123,124,125}'::text[], 'a list of references');
SELECT is(o2c.extract_refs('INV-000123 and inv 123'), '{inv123,123}'::text[], 'normalized, separators and zeros dropped');
SELECT is(o2c.extract_refs('no digits here'), '{}'::text[], 'no candidates');
SELECT ok(o2c.extract_refs('payment inv 000123 thanks') && o2c.extract_refs('INV-000123'),
          'a prefix written apart from its digits is the same reference');
SELECT is(o2c.extract_refs('order 55, invoice no. 42'), '{55,42}'::text[], 'long words and labels are not prefixes');
SELECT is(o2c.normalize_name('Infosys Pvt. Ltd.'), 'infosys', 'Indian legal form removed');
SELECT is(o2c.normalize_name('Tata Motors Private Limited'), 'tata motors', 'multi-word legal form removed');
SELECT is(o2c.normalize_name('Petronas Sdn Bhd'), 'petronas', 'Malaysian legal form removed');
SELECT is(o2c.normalize_name('Private Label Foods'), 'private label foods', '"private" alone is kept');
SELECT is(o2c.extract_refs('R-1 r-01 R1', 'r-?(\d+)'), '{1}'::text[], 'pattern capture group, deduplicated');
SELECT throws_ok($$SELECT o2c.extract_refs('x', '(')$$, '2201B', NULL, 'bad pattern is an error');

-- Volatility: all IMMUTABLE STRICT PARALLEL SAFE.
SELECT is(count(*)::int, 0, 'string functions are IMMUTABLE STRICT PARALLEL SAFE')
FROM pg_proc WHERE pronamespace = 'o2c'::regnamespace
  AND proname IN ('jaro_winkler', 'damerau_levenshtein', 'normalize_name', 'normalize_ref', 'extract_refs')
  AND NOT (provolatile = 'i' AND proisstrict AND proparallel = 's');

SELECT * FROM finish();
ROLLBACK;

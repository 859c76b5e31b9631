-- strsim: string metrics and name/reference normalization (strsim.c, strsim_sql.c)

CREATE FUNCTION @extschema@.jaro_winkler(a text, b text)
RETURNS double precision
AS 'MODULE_PATHNAME', 'o2c_jaro_winkler_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.jaro_winkler(text, text) IS
    'Jaro-Winkler similarity (0 to 1) of two strings, by characters, case-sensitive; Winkler''s standard form: prefix scale 0.1, prefix up to 4 characters, boost only above a Jaro similarity of 0.7; arguments up to 10000 characters';

CREATE FUNCTION @extschema@.damerau_levenshtein(a text, b text)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_damerau_levenshtein_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.damerau_levenshtein(text, text) IS
    'unrestricted Damerau-Levenshtein distance (insertions, deletions, substitutions, transpositions of adjacent characters, edits between transposed characters allowed) by characters; arguments up to 2000 characters';

CREATE FUNCTION @extschema@.normalize_name(name text)
RETURNS text
AS 'MODULE_PATHNAME', 'o2c_normalize_name_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normalize_name(text) IS
    'company name for comparison: lower case, accents folded, punctuation dropped, & as "and", a leading "the" and legal forms (inc, corp, ltd, gmbh, sa, ...) removed as whole words';

CREATE FUNCTION @extschema@.normalize_ref(reference text)
RETURNS text
AS 'MODULE_PATHNAME', 'o2c_normalize_ref_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normalize_ref(text) IS
    'invoice reference for comparison: lower case, separators and spaces dropped, leading zeros of each digit run dropped (INV-000123 -> inv123)';

CREATE FUNCTION @extschema@.extract_refs(remittance text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'o2c_extract_refs_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.extract_refs(text) IS
    'invoice-reference candidates in remittance text (letter-digit tokens holding a digit), normalized like normalize_ref, in order of appearance, without duplicates';

CREATE FUNCTION @extschema@.extract_refs(remittance text, pattern text)
RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE(pg_catalog.array_agg(r.ref ORDER BY r.first), '{}'::text[])
    FROM (SELECT @extschema@.normalize_ref(m.match[1]) AS ref, pg_catalog.min(m.n) AS first
          FROM pg_catalog.regexp_matches(remittance, pattern, 'g') WITH ORDINALITY AS m(match, n)
          WHERE m.match[1] IS NOT NULL
          GROUP BY 1) AS r
    WHERE r.ref OPERATOR(pg_catalog.<>) '';
END;
COMMENT ON FUNCTION @extschema@.extract_refs(text, text) IS
    'invoice-reference candidates: the matches of a regular expression (its first capture group when it has one), normalized like normalize_ref, in order of appearance, without duplicates';


-- validate: validators of account data (validate.c, vat.c, validate_sql.c).
-- All text -> boolean, IMMUTABLE STRICT PARALLEL SAFE, and never raise.

CREATE FUNCTION @extschema@.iban_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_iban_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_valid(text) IS
    'true for an IBAN (ISO 13616): registry country, its length and BBAN structure, mod 97 = 1, and national check digits for BE and ES; spaces, dots, hyphens and lower case allowed; never raises';

CREATE FUNCTION @extschema@.iban_normalize(value text)
RETURNS text
AS 'MODULE_PATHNAME', 'o2c_iban_normalize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_normalize(text) IS
    'compact upper-case form of an IBAN; error 22P02 naming the value and the failed check when it is not valid';

CREATE FUNCTION @extschema@.bic_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_bic_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bic_valid(text) IS
    'true for a BIC (ISO 9362): 4 letters, an ISO 3166 country (or XK), 2 location and an optional 3-character branch of letters and digits; never raises';

CREATE FUNCTION @extschema@.vat_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_vat_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.vat_valid(text) IS
    'true for a VAT number of an EU member state (EL for Greece), GB, XI, CH or NO with its country prefix: format and check digits; never raises';

CREATE FUNCTION @extschema@.email_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_email_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.email_valid(text) IS
    'true for a practical RFC 5321/5322 address: dot-atom local part up to 64 octets, domain of two or more letter-digit-hyphen labels, up to 254 in all; no quoted local parts or IP literals; never raises';

CREATE FUNCTION @extschema@.country_valid(code text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_country_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.country_valid(text) IS
    'true for an officially assigned ISO 3166-1 alpha-2 country code (any case, surrounding spaces allowed); never raises';

CREATE FUNCTION @extschema@.lei_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_lei_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lei_valid(text) IS
    'true for a legal entity identifier (ISO 17442): 18 letters or digits and 2 check digits, mod 97 = 1; never raises';

CREATE FUNCTION @extschema@.aba_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_aba_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aba_valid(text) IS
    'true for a US ABA routing number: 9 digits, a valid Federal Reserve prefix, 3-7-1 weighted sum divisible by 10; never raises';

CREATE FUNCTION @extschema@.luhn_valid(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_luhn_valid_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.luhn_valid(text) IS
    'true when a number of 2 or more digits (spaces and hyphens allowed) passes the Luhn mod 10 check; never raises';

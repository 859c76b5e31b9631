-- bank: statement parsers for camt.053, MT940 and BAI2 (bank_sql.c, mt940.c,
-- camt.c, bai2.c); one row per statement line, amounts signed by direction

CREATE FUNCTION @extschema@.parse_camt053(statement text, strict boolean DEFAULT true)
RETURNS TABLE (
    statement_id         text,
    account              text,
    currency             text,
    line_no              integer,
    booking_date         date,
    value_date           date,
    amount               numeric,
    credit               boolean,
    counterparty_name    text,
    counterparty_account text,
    reference            text,
    remittance           text,
    bank_reference       text,
    type_code            text,
    opening_balance      numeric,
    closing_balance      numeric
)
AS 'MODULE_PATHNAME', 'o2c_parse_camt053_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_camt053(text, boolean) IS
    'lines of a ISO 20022 camt.053 XML (versions 001.02 to 001.08; any DTD refused; a declared encoding other than UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252 refused, and the text read in the server encoding whatever it declares), one row each, amounts signed (credit positive); strict checks opening balance plus entries against the closing balance (22000 on a mismatch); malformed input is 22P02 naming the line';

CREATE FUNCTION @extschema@.parse_mt940(statement text, strict boolean DEFAULT true)
RETURNS TABLE (
    statement_id         text,
    account              text,
    currency             text,
    line_no              integer,
    booking_date         date,
    value_date           date,
    amount               numeric,
    credit               boolean,
    counterparty_name    text,
    counterparty_account text,
    reference            text,
    remittance           text,
    bank_reference       text,
    type_code            text,
    opening_balance      numeric,
    closing_balance      numeric
)
AS 'MODULE_PATHNAME', 'o2c_parse_mt940_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_mt940(text, boolean) IS
    'lines of a SWIFT MT940 statement text, one row each, amounts signed (credit positive); strict checks opening balance plus entries against the closing balance (22000 on a mismatch); malformed input is 22P02 naming the line';

CREATE FUNCTION @extschema@.parse_bai2(statement text, strict boolean DEFAULT true)
RETURNS TABLE (
    statement_id         text,
    account              text,
    currency             text,
    line_no              integer,
    booking_date         date,
    value_date           date,
    amount               numeric,
    credit               boolean,
    counterparty_name    text,
    counterparty_account text,
    reference            text,
    remittance           text,
    bank_reference       text,
    type_code            text,
    opening_balance      numeric,
    closing_balance      numeric
)
AS 'MODULE_PATHNAME', 'o2c_parse_bai2_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_bai2(text, boolean) IS
    'lines of a BAI2 cash management file, one row each, amounts signed (credit positive); strict checks opening balance plus entries against the closing balance and the control totals (22000 on a mismatch); malformed input is 22P02 naming the line';

-- bank: statement parsers for camt.052/053/054, MT940/MT942 and BAI2
-- (bank_sql.c, mt940.c, camt.c, bai2.c); one row per statement line, amounts
-- signed by direction

-- one statement line, what every parser returns
CREATE TYPE @extschema@.statement_line AS (
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
    closing_balance      numeric,
    message              text,
    instructed_amount    numeric,
    instructed_currency  text,
    exchange_rate        numeric
);
COMMENT ON TYPE @extschema@.statement_line IS
    'a bank statement line as parse_camt, parse_mt940 and parse_bai2 return it';

CREATE FUNCTION @extschema@.parse_camt(statement text, strict boolean DEFAULT true)
RETURNS SETOF @extschema@.statement_line
AS 'MODULE_PATHNAME', 'o2c_parse_camt053_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_camt(text, boolean) IS
    'lines of an ISO 20022 camt.053 statement, camt.052 account report or camt.054 debit/credit notification, any version (keyed on the message element, whatever the namespace or envelope; any DTD refused; a declared encoding other than UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 or windows-1252 refused), one row each, amounts signed (credit positive) and always the booked entry amount; strict refuses a statement whose balances, batched entries or TxsSummry do not add up (22000), lax (strict => false) reads it with a WARNING; malformed input is 22P02 naming the line';

CREATE FUNCTION @extschema@.parse_camt053(statement text, strict boolean DEFAULT true)
RETURNS SETOF @extschema@.statement_line
AS 'MODULE_PATHNAME', 'o2c_parse_camt053_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_camt053(text, boolean) IS
    'o2c.parse_camt under its first name: camt.053, camt.052 and camt.054 of any version, read the same';

CREATE FUNCTION @extschema@.parse_mt940(statement text, strict boolean DEFAULT true)
RETURNS SETOF @extschema@.statement_line
AS 'MODULE_PATHNAME', 'o2c_parse_mt940_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_mt940(text, boolean) IS
    'lines of a SWIFT MT940 statement or MT942 interim report, one row each, amounts signed (credit positive); strict checks opening balance plus entries against the closing balance and MT942 :90D:/:90C: (22000 on a mismatch) and refuses a statement without :25:, with an unknown tag or without closing balance (22P02); lax (strict => false) reads them with a WARNING; malformed input is 22P02 naming the line';

CREATE FUNCTION @extschema@.parse_bai2(statement text, strict boolean DEFAULT true)
RETURNS SETOF @extschema@.statement_line
AS 'MODULE_PATHNAME', 'o2c_parse_bai2_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_bai2(text, boolean) IS
    'lines of a BAI2 cash management file, one row each, amounts signed (credit positive); strict checks opening balance plus entries against the closing balance and the 49, 98 and 99 control totals and counts (22000 on a mismatch) and refuses missing trailers and unknown records (22P02); lax (strict => false) reads them with a WARNING; malformed input is 22P02 naming the line';

CREATE FUNCTION @extschema@.parse_warnings(format text, statement text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'o2c_parse_warnings_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_warnings(text, text) IS
    'the warnings a lax parse (strict => false) of a bank statement gives, one row each, without raising them; format camt, mt940 or bai2; malformed input is still an error';

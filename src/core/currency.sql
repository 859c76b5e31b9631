-- currency: the ISO 4217 table (currency.c, currency_sql.c)

CREATE FUNCTION @extschema@.currency_valid(code text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_currency_valid'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.currency_valid(text) IS
    'true for an active ISO 4217 currency code (any case, surrounding spaces allowed); never raises';

CREATE FUNCTION @extschema@.currency_minor_units(code text)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_currency_minor_units_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.currency_minor_units(text) IS
    'number of decimals (minor units) of an ISO 4217 currency: 2 for EUR, 0 for JPY, 3 for KWD; error 22023 for an unknown code';

-- money: exact splitting of an amount by weights (money.c)

CREATE FUNCTION @extschema@.split_amount(amount numeric, weights numeric[])
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'o2c_split_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.split_amount(numeric, numeric[]) IS
    'amount split in proportion to weights, to 2 decimals by largest remainder (ties to the earlier part); the parts sum exactly to the amount';

CREATE FUNCTION @extschema@.split_amount(amount numeric, weights numeric[], currency text)
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'o2c_split_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.split_amount(numeric, numeric[], text) IS
    'amount split in proportion to weights, in the currency''s minor units by largest remainder (ties to the earlier part); the parts sum exactly to the amount';

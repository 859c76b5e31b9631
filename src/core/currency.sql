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

-- The checks an amount in a currency passes before o2c records it (a
-- promise to pay, a dispute): one place, so each record says the same.
CREATE FUNCTION @extschema@.amount_check(currency text, amount numeric, what text DEFAULT 'amount',
                                         hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    v_what text := coalesce(what, 'amount');
BEGIN
    IF currency IS NULL OR amount IS NULL THEN
        RAISE EXCEPTION 'currency and % must not be null', v_what USING ERRCODE = '22004';
    END IF;
    IF NOT @extschema@.currency_valid(currency) THEN
        RAISE EXCEPTION 'unknown currency: "%"', pg_catalog.left(currency, 64)
            USING ERRCODE = '22023', HINT = 'Use an active ISO 4217 code such as EUR, USD or JPY.';
    END IF;
    IF amount OPERATOR(pg_catalog.=) 'NaN'::numeric OR amount OPERATOR(pg_catalog.<=) 0
       OR amount OPERATOR(pg_catalog.=) 'Infinity'::numeric THEN
        RAISE EXCEPTION '% % is not a positive amount', v_what, amount
            USING ERRCODE = '22023', HINT = coalesce(hint, 'The amount must be greater than 0 and finite.');
    END IF;
    IF pg_catalog.scale(amount) OPERATOR(pg_catalog.>) @extschema@.currency_minor_units(currency) THEN
        RAISE EXCEPTION '% % has more decimals than % has', v_what, amount, pg_catalog.upper(pg_catalog.btrim(currency))
            USING ERRCODE = '22023';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.amount_check(text, numeric, text, text) IS
    'checks an amount in a currency (o2c.record_promise and o2c.dispute_check run it): a known currency, an amount greater than 0 and finite, no more decimals than the currency has; 22004 or 22023 naming the bad value, what names the amount in the message and hint replaces the default hint';

-- fx: exchange rates, settings, currency conversion and the revaluation of
-- open items (fx.c, fx_sql.c, fx_reval.c)

CREATE TABLE @extschema@.fx_rate (
    base      text NOT NULL,
    quote     text NOT NULL,
    rate_date date NOT NULL,
    rate      numeric NOT NULL,
    PRIMARY KEY (base, quote, rate_date),
    -- Codes are stored as written in ISO 4217 (upper case): a CHECK, not a
    -- normalising trigger, so what is stored is what was inserted.
    CONSTRAINT fx_rate_base_check
        CHECK (base OPERATOR(pg_catalog.~) '^[A-Z]{3}$' AND @extschema@.currency_valid(base)),
    CONSTRAINT fx_rate_quote_check
        CHECK (quote OPERATOR(pg_catalog.~) '^[A-Z]{3}$' AND @extschema@.currency_valid(quote)),
    CONSTRAINT fx_rate_pair_check CHECK (base OPERATOR(pg_catalog.<>) quote),
    -- NaN sorts above Infinity, so this excludes both.
    CONSTRAINT fx_rate_rate_check
        CHECK (rate OPERATOR(pg_catalog.>) 0 AND rate OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT fx_rate_date_check CHECK (pg_catalog.isfinite(rate_date))
);
COMMENT ON TABLE @extschema@.fx_rate IS
    'exchange rates: one unit of base is worth rate units of quote from rate_date on (until the next rate of the pair); read by o2c.convert and o2c.revaluation';
COMMENT ON COLUMN @extschema@.fx_rate.base IS 'currency converted from: an active ISO 4217 code in upper case';
COMMENT ON COLUMN @extschema@.fx_rate.quote IS 'currency converted to: an active ISO 4217 code in upper case, not base';
COMMENT ON COLUMN @extschema@.fx_rate.rate_date IS 'first day the rate applies (a finite date)';
COMMENT ON COLUMN @extschema@.fx_rate.rate IS 'units of quote per unit of base: positive and finite';

CREATE TABLE @extschema@.settings (
    name  text PRIMARY KEY,
    value text NOT NULL,
    CONSTRAINT settings_name_check CHECK (name OPERATOR(pg_catalog.=) ANY ('{fx_pivot}'::text[])),
    CONSTRAINT settings_fx_pivot_check
        CHECK (name OPERATOR(pg_catalog.<>) 'fx_pivot'
               OR (value OPERATOR(pg_catalog.~) '^[A-Z]{3}$' AND @extschema@.currency_valid(value)))
);
COMMENT ON TABLE @extschema@.settings IS
    'o2c settings that differ from their defaults, one row each (empty by default); known names: fx_pivot';
COMMENT ON COLUMN @extschema@.settings.name IS 'the setting: fx_pivot (the currency o2c.convert triangulates through, EUR when absent)';
COMMENT ON COLUMN @extschema@.settings.value IS 'its value: for fx_pivot an active ISO 4217 code in upper case';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.fx_rate', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.settings', '');

CREATE FUNCTION @extschema@.convert(amount numeric, from_currency text, to_currency text, on_date date)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_convert'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.convert(numeric, text, text, date) IS
    'amount converted at the latest o2c.fx_rate rate on or before on_date (the pair, else its inverse, else through the fx_pivot currency), rounded half away from zero to the target currency''s minor units; the amount unchanged when the currencies are equal; P0002 when no rate applies';

CREATE FUNCTION @extschema@.revaluation(open_items_sql text, to_currency text, closing date)
RETURNS TABLE (invoice_id text, customer_id text, currency text, open_amount numeric,
               booked_rate numeric, booked_amount numeric,
               closing_rate numeric, closing_amount numeric, gain_loss numeric)
AS 'MODULE_PATHNAME', 'o2c_revaluation'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.revaluation(text, text, date) IS
    'unrealized exchange gain or loss per open item of open_items_sql: the open amount in to_currency at the rate of its invoice_date (booked) and at the closing date''s rate, and closing minus booked';

CREATE FUNCTION @extschema@.revaluation(open_items_sql text, to_currency text, closing date, booked_rate_column text)
RETURNS TABLE (invoice_id text, customer_id text, currency text, open_amount numeric,
               booked_rate numeric, booked_amount numeric,
               closing_rate numeric, closing_amount numeric, gain_loss numeric)
AS 'MODULE_PATHNAME', 'o2c_revaluation'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.revaluation(text, text, date, text) IS
    'unrealized exchange gain or loss per open item of open_items_sql, booked at the rate in the column booked_rate_column names (the invoice_date rate where it is NULL)';

-- ledger: open items as of a date and aging over a series of dates, from
-- invoices and the settlements applied to them (ledger.c, open_items.c,
-- history.c)

CREATE FUNCTION @extschema@.open_items(invoices_sql text, settlements_sql text, as_of date,
                                       options jsonb DEFAULT '{}')
RETURNS TABLE (invoice_id text, customer_id text, currency text, invoice_date date,
               due_date date, amount numeric, settled numeric, open_amount numeric,
               last_settled_on date)
AS 'MODULE_PATHNAME', 'o2c_open_items'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.open_items(text, text, date, jsonb) IS
    'open items as of a date: each invoice or credit note of invoices_sql issued on or before as_of with what its settlements (settlements_sql, up to as_of) leave open; options include_credit_balances, include_settled, unknown_settlements; ordered by customer_id, currency, due_date, invoice_id';

CREATE FUNCTION @extschema@.aging_history(invoices_sql text, settlements_sql text,
                                          from_date date, to_date date, step interval,
                                          options jsonb DEFAULT '{}')
RETURNS TABLE (as_of date, customer_id text, currency text,
               current numeric, d1_30 numeric, d31_60 numeric, d61_90 numeric,
               d91_plus numeric, total numeric, overdue numeric, items bigint,
               avg_days_past_due numeric)
AS 'MODULE_PATHNAME', 'o2c_aging_history'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.aging_history(text, text, date, date, interval, jsonb) IS
    'aging by customer and currency at every date from from_date to to_date by step, in one pass over the ledger: equal to open_items(..., as_of, options) aged with o2c.aging(open_amount, due_date, as_of) at each date; ordered by as_of, customer_id, currency';

CREATE FUNCTION @extschema@.aging_history(invoices_sql text, settlements_sql text,
                                          from_date date, to_date date, step interval,
                                          bounds integer[], options jsonb DEFAULT '{}')
RETURNS TABLE (as_of date, customer_id text, currency text,
               labels text[], amounts numeric[], counts bigint[], total numeric)
AS 'MODULE_PATHNAME', 'o2c_aging_history_ladder'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.aging_history(text, text, date, date, interval, integer[], jsonb) IS
    'aging ladder over custom bounds (inclusive upper day counts) by customer and currency at every date of the series, in one pass: equal to open_items aged with o2c.aging(open_amount, due_date, as_of, bounds) at each date';

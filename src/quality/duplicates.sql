
-- duplicates: duplicate_invoices and duplicate_customers (duplicates.c)

CREATE FUNCTION @extschema@.duplicate_invoices(
    invoices_sql text,
    OUT invoice_id text, OUT duplicate_of text, OUT score numeric, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_duplicate_invoices'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.duplicate_invoices(text) IS
    'pairs of invoices that look like duplicates (columns invoice_id, customer_id, invoice_date, amount; optional reference, currency), with a score from 0 to 1 and the reasons; blocked, never all pairs';

CREATE FUNCTION @extschema@.duplicate_invoices(
    invoices_sql text, options jsonb,
    OUT invoice_id text, OUT duplicate_of text, OUT score numeric, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_duplicate_invoices'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.duplicate_invoices(text, jsonb) IS
    'duplicate_invoices with options: min_score (0.5), window_days (7), max_reference_distance (1)';

CREATE FUNCTION @extschema@.duplicate_customers(
    customers_sql text,
    OUT customer_id text, OUT duplicate_of text, OUT score numeric, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_duplicate_customers'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.duplicate_customers(text) IS
    'pairs of customers that look like the same party (columns customer_id, name; optional tax_id, iban, email, country): same tax id, IBAN, email or normalized name, or a similar name; blocked, never all pairs';

CREATE FUNCTION @extschema@.duplicate_customers(
    customers_sql text, options jsonb,
    OUT customer_id text, OUT duplicate_of text, OUT score numeric, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_duplicate_customers'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.duplicate_customers(text, jsonb) IS
    'duplicate_customers with options: min_score (0.7), window (20 neighbours in each sorted-name pass), name_threshold (0.9: 1 - edits / length)';

-- match: cash application of payments to open invoices (match.c)

CREATE FUNCTION @extschema@.match_payments(payments_sql text, invoices_sql text, options jsonb)
RETURNS TABLE (payment_id text, invoice_id text, applied_amount numeric,
               score double precision, rule text, auto boolean)
AS 'MODULE_PATHNAME', 'o2c_match_payments'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.match_payments(text, text, jsonb) IS
    'cash application: applies the payments of payments_sql to the open invoices of invoices_sql by reference, customer (id, IBAN, name) and amount (exact, discount, short pay, combination, partial); one row per application with its score and rule, auto when the score clears options.auto_threshold by options.margin';

CREATE FUNCTION @extschema@.match_payments(payments_sql text, invoices_sql text)
RETURNS TABLE (payment_id text, invoice_id text, applied_amount numeric,
               score double precision, rule text, auto boolean)
AS 'MODULE_PATHNAME', 'o2c_match_payments'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION @extschema@.match_payments(text, text) IS
    'cash application with the default options (auto_threshold 0.9, margin 0.05, name_threshold 0.85, no short-pay tolerance, 25 candidates, 8 invoices, 100000 search steps per payment)';


-- quality: quality_scan over an inner query of invoices (quality.c)

CREATE FUNCTION @extschema@.quality_scan(
    invoices_sql text,
    OUT invoice_id text, OUT rule text, OUT severity text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_quality_scan'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.quality_scan(text) IS
    'data-quality findings over the invoices returned by invoices_sql (columns invoice_id, customer_id, invoice_date, due_date, amount; optional open_amount, currency, reference, iban): one row per invoice and failed rule';

CREATE FUNCTION @extschema@.quality_scan(
    invoices_sql text, options jsonb,
    OUT invoice_id text, OUT rule text, OUT severity text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_quality_scan'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.quality_scan(text, jsonb) IS
    'quality_scan with options: rules (array of rule ids), as_of (date), window_days (7) and max_reference_distance (1) for suspected_duplicate';

CREATE FUNCTION @extschema@.quality_scan_rows()
RETURNS bigint
AS 'MODULE_PATHNAME', 'o2c_quality_scan_rows'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.quality_scan_rows() IS
    'the number of invoices the last o2c.quality_scan of this session read (NULL before any); run_quality_scan records it as rows_read';

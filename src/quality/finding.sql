
-- finding: where invoice_guard (and jobs) record data-quality findings, and
-- the one definer-rights function that writes it (guard.c)

CREATE TABLE @extschema@.finding (
    id       bigserial PRIMARY KEY,
    found_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source   text NOT NULL,
    row_key  text,
    rule     text NOT NULL CHECK (rule IN ('missing_customer', 'zero_amount', 'negative_amount',
                 'due_before_invoice', 'invalid_currency', 'open_exceeds_amount',
                 'negative_open', 'future_invoice_date', 'invalid_iban',
                 'invalid_terms', 'terms_due_mismatch', 'duplicate_number', 'suspected_duplicate')),
    severity text NOT NULL CHECK (severity IN ('error', 'warning')),
    detail   text
);
COMMENT ON TABLE @extschema@.finding IS
    'data-quality findings: when, which table (source), which row (row_key), which rule (the ids of quality_scan), severity and detail';
CREATE INDEX finding_source_idx ON @extschema@.finding (source, found_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.finding', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.finding_id_seq', '');

-- The only SECURITY DEFINER object of o2c: it lets invoice_guard record a
-- finding for any role that may write invoices, without granting that role
-- anything on o2c.finding. It inserts one row and does nothing else; the
-- table's CHECK constraints keep rule and severity to the known values.
CREATE FUNCTION @extschema@.record_finding(source text, row_key text, rule text,
                                           severity text, detail text)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.finding (source, row_key, rule, severity, detail)
    VALUES ($1, $2, $3, $4, $5)
    RETURNING id
$$;
COMMENT ON FUNCTION @extschema@.record_finding(text, text, text, text, text) IS
    'inserts one row into o2c.finding with the owner''s rights and returns its id (used by invoice_guard in mode=record); does nothing else';

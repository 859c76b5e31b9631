
-- guard: the invoice_guard trigger function (guard.c)

CREATE FUNCTION @extschema@.invoice_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'o2c_invoice_guard'
LANGUAGE C;
COMMENT ON FUNCTION @extschema@.invoice_guard() IS
    'trigger for invoice tables: arguments map columns (invoice_id=, customer_id=, invoice_date=, due_date=, amount=, open_amount=, currency=, iban=, terms=) and choose mode=reject (error 23514) or mode=record (row into o2c.finding). BEFORE INSERT OR UPDATE FOR EACH ROW also normalizes IBANs and fills NULL due dates from terms; AFTER INSERT (or UPDATE) REFERENCING NEW TABLE ... FOR EACH STATEMENT only checks, and keeps COPY batched';

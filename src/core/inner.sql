-- inner: the user's rows through an inner query (inner.c)

CREATE FUNCTION @extschema@.invoices_from(invoices_sql text, required text[] DEFAULT '{}')
RETURNS TABLE (invoice_id text, customer_id text, customer_name text, invoice_date date,
               due_date date, amount numeric, open_amount numeric, currency text, reference text,
               language text)
AS 'MODULE_PATHNAME', 'o2c_invoices_from'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.invoices_from(text, text[]) IS
    'runs an inner query with the caller''s rights and returns its documented invoice columns, matched by name and type-checked; absent columns are NULL unless named in required';

CREATE FUNCTION @extschema@.payments_from(payments_sql text, required text[] DEFAULT '{}')
RETURNS TABLE (payment_id text, customer_id text, received_on date, amount numeric, currency text,
               invoice_id text, payer_name text, reference text)
AS 'MODULE_PATHNAME', 'o2c_payments_from'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.payments_from(text, text[]) IS
    'runs an inner query with the caller''s rights and returns its documented payment columns, matched by name and type-checked; absent columns are NULL unless named in required';

CREATE FUNCTION @extschema@.history_from(history_sql text, required text[] DEFAULT '{}')
RETURNS TABLE (invoice_id text, customer_id text, invoice_date date, due_date date, amount numeric,
               paid_on date, disputed boolean, currency text)
AS 'MODULE_PATHNAME', 'o2c_history_from'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.history_from(text, text[]) IS
    'runs an inner query of payment history with the caller''s rights and returns its documented columns (paid_on NULL while open), matched by name and type-checked; absent columns are NULL unless named in required';

CREATE FUNCTION @extschema@.customers_from(customers_sql text, required text[] DEFAULT '{}')
RETURNS TABLE (customer_id text, customer_name text, segment text, country text, currency text,
               balance numeric, days_past_due numeric, risk_grade text)
AS 'MODULE_PATHNAME', 'o2c_customers_from'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.customers_from(text, text[]) IS
    'runs an inner query of customers with the caller''s rights and returns its documented columns (the attributes collection strategies choose by), matched by name and type-checked; absent columns are NULL unless named in required';


-- statement: a customer's statement of account (statement.c)

CREATE FUNCTION @extschema@.customer_statement(
    invoices_sql text, payments_sql text, customer_id text,
    from_date date, to_date date)
RETURNS TABLE (line integer, entry_date date, kind text, document text,
               due_date date, amount numeric, balance numeric)
AS 'MODULE_PATHNAME', 'o2c_customer_statement'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.customer_statement(text, text, text, date, date) IS
    'statement of account of one customer: opening balance, invoices, credit notes and payments from from_date to to_date with a running balance, closing balance, and the aging of what stays open at to_date';

CREATE FUNCTION @extschema@.customer_statement(
    invoices_sql text, payments_sql text, customer_id text,
    from_date date, to_date date, reporting_currency text)
RETURNS TABLE (line integer, entry_date date, kind text, document text,
               due_date date, amount numeric, balance numeric)
AS 'MODULE_PATHNAME', 'o2c_customer_statement_in'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.customer_statement(text, text, text, date, date, text) IS
    'statement of account of one customer in a reporting currency: as the five-argument form, with each invoice, credit note and payment (both queries then need a currency column) converted once at to_date''s rate, rounded to the reporting currency''s minor units, before balances and aging are added up';

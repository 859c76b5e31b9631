-- reconcile: bank statement lines against recorded payments (reconcile.c)

CREATE FUNCTION @extschema@.reconcile(bank_sql text, book_sql text)
RETURNS TABLE (bank_line text, payment_id text, score numeric, rule text)
AS 'MODULE_PATHNAME', 'o2c_reconcile'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reconcile(text, text) IS
    'pairs bank lines (line_id, booking_date, amount [, currency, counterparty_name, counterparty_account, reference, remittance]) with payments (payment_id, received_on, amount [, currency, payer_name, payer_iban, reference]) one to one by equal amount within 3 days, scored by reference and counterparty; unmatched rows of both sides follow';

CREATE FUNCTION @extschema@.reconcile(bank_sql text, book_sql text, options jsonb)
RETURNS TABLE (bank_line text, payment_id text, score numeric, rule text)
AS 'MODULE_PATHNAME', 'o2c_reconcile'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reconcile(text, text, jsonb) IS
    'o2c.reconcile with options: {"date_window": days (default 3), "min_score": 0-100 (default 0)}';

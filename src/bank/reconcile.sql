-- reconcile: bank statement lines against recorded payments (reconcile.c)

CREATE FUNCTION @extschema@.reconcile(bank_sql text, book_sql text)
RETURNS TABLE (bank_line text, payment_id text, score numeric, rule text)
AS 'MODULE_PATHNAME', 'o2c_reconcile'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reconcile(text, text) IS
    'pairs bank lines (line_id, booking_date, amount [, currency, counterparty_name, counterparty_account, reference, remittance, statement_id, message]: the lines of any parse_* function) with payments (payment_id, received_on, amount [, currency, payer_name, payer_iban, reference]) one to one by equal amount within 3 days, scored by reference and counterparty; unmatched rows of both sides follow';

CREATE FUNCTION @extschema@.reconcile(bank_sql text, book_sql text, options jsonb)
RETURNS TABLE (bank_line text, payment_id text, score numeric, rule text)
AS 'MODULE_PATHNAME', 'o2c_reconcile'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reconcile(text, text, jsonb) IS
    'o2c.reconcile with options: {"date_window": days (default 3), "min_score": 0-100 (default 0)}';

CREATE FUNCTION @extschema@.reconcile_report(bank_sql text, book_sql text, options jsonb DEFAULT '{}')
RETURNS TABLE (
    statement_id          text,
    message               text,
    currency              text,
    bank_lines            integer,
    matched               integer,
    unmatched_bank        integer,
    unmatched_book        integer,
    bank_amount           numeric,
    matched_amount        numeric,
    unmatched_bank_amount numeric,
    unmatched_book_amount numeric,
    difference            numeric
)
AS 'MODULE_PATHNAME', 'o2c_reconcile_report'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.reconcile_report(text, text, jsonb) IS
    'the reconciliation of o2c.reconcile (same queries and options) per statement (the bank query''s optional statement_id and message columns): its lines, matched and unmatched on each side (an unmatched payment counts with the statement of its currency whose dates are nearest, within date_window; payments fitting none are rows with a NULL statement, one per currency), the sums, and the difference that remains (unmatched bank less unmatched book)';


-- risk: customer payment history, late-payment risk model and scores (risk.c)

CREATE TABLE @extschema@.risk_model (
    name             text PRIMARY KEY,
    as_of            date NOT NULL,
    late_days        integer NOT NULL,
    l2               double precision NOT NULL,
    features         text[] NOT NULL,
    intercept        double precision NOT NULL,
    coefficients     double precision[] NOT NULL,
    feature_mean     double precision[] NOT NULL,
    feature_scale    double precision[] NOT NULL,
    window_from      date NOT NULL,
    window_to        date NOT NULL,
    rows             bigint NOT NULL,
    late_rows        bigint NOT NULL,
    holdout_rows     bigint NOT NULL,
    holdout_from     date,
    holdout_auc      double precision,
    holdout_log_loss double precision,
    trained_at       timestamptz NOT NULL
);
COMMENT ON TABLE @extschema@.risk_model IS
    'late-payment risk models written by o2c.train_risk_model: coefficients on standardised features, feature scaling, training window, row counts and holdout ROC AUC and log loss';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_model', '');

CREATE FUNCTION @extschema@.customer_history(history_sql text, as_of date)
RETURNS TABLE (customer_id text, invoices bigint, invoices_paid bigint,
               share_paid_late numeric, avg_days_late numeric,
               recent_days_late numeric, trend_days_late numeric,
               dispute_rate numeric, open_amount numeric,
               overdue_amount numeric, max_days_late integer)
AS 'MODULE_PATHNAME', 'o2c_customer_history'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.customer_history(text, date) IS
    'payment history per customer as known at as_of: invoices, paid, share paid late, amount-weighted and recent days late, dispute rate, open and overdue amounts, longest days late';

CREATE PROCEDURE @extschema@.train_risk_model(name text, history_sql text, as_of date,
                                              options jsonb DEFAULT '{}')
AS 'MODULE_PATHNAME', 'o2c_train_risk_model'
LANGUAGE C;
COMMENT ON PROCEDURE @extschema@.train_risk_model(text, text, date, jsonb) IS
    'fit a late-payment logistic model on the invoices known at as_of and store it in o2c.risk_model under name (options: late_days, l2, from)';

CREATE FUNCTION @extschema@.risk_score(model text, history_sql text, invoices_sql text, as_of date)
RETURNS TABLE (invoice_id text, customer_id text, probability numeric, grade text,
               reasons text[])
AS 'MODULE_PATHNAME', 'o2c_risk_score'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.risk_score(text, text, text, date) IS
    'probability that each invoice is paid more than the model''s late_days late, grade A-E and the features that raised it most, from the history known at as_of';

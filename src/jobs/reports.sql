-- reports: functions a BI tool or a collector's morning list reads (over the
-- snapshots of jobs.sql and the user's own rows through inner queries).

CREATE FUNCTION @extschema@.dso_trend(sales_sql text, ledger text DEFAULT 'default')
RETURNS TABLE (as_of date, currency text, period_start date, days integer,
               credit_sales numeric, receivables numeric, current_receivables numeric,
               dso numeric, best_possible_dso numeric, average_days_delinquent numeric)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
BEGIN ATOMIC
    WITH snap AS (
        SELECT s.as_of, s.currency, pg_catalog.sum(s.total) AS receivables,
               pg_catalog.sum(s.current) AS current_receivables
          FROM @extschema@.aging_snapshot s
         WHERE s.ledger OPERATOR(pg_catalog.=) dso_trend.ledger
         GROUP BY s.as_of, s.currency),
    month_end AS (
        SELECT DISTINCT ON (pg_catalog.date_trunc('month', n.as_of), n.currency)
               n.as_of, n.currency, n.receivables, n.current_receivables,
               pg_catalog.date_trunc('month', n.as_of)::date AS period_start
          FROM snap n
         ORDER BY pg_catalog.date_trunc('month', n.as_of), n.currency, n.as_of DESC),
    sales AS (
        SELECT f.invoice_date, f.amount, coalesce(pg_catalog.upper(f.currency), 'XXX') AS currency
          FROM @extschema@.invoices_from(dso_trend.sales_sql, '{invoice_date,amount}') f)
    SELECT m.as_of, m.currency, m.period_start,
           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer,
           coalesce(pg_catalog.sum(x.amount), 0::numeric),
           m.receivables, m.current_receivables,
           -- A book in credit (receivables below 0) has no DSO: NULL beside
           -- the negative receivables shown, rather than an error for the
           -- whole trend.
           CASE WHEN m.receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.dso(m.receivables, coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer) END,
           CASE WHEN m.current_receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.best_possible_dso(m.current_receivables, coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer) END,
           CASE WHEN m.receivables OPERATOR(pg_catalog.>=) 0 AND m.current_receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.average_days_delinquent(m.receivables, m.current_receivables,
                           coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer) END
      FROM month_end m
      LEFT JOIN sales x ON x.currency OPERATOR(pg_catalog.=) m.currency
                       AND x.invoice_date OPERATOR(pg_catalog.>=) m.period_start
                       AND x.invoice_date OPERATOR(pg_catalog.<=) m.as_of
     GROUP BY m.as_of, m.currency, m.period_start, m.receivables, m.current_receivables
     ORDER BY m.as_of, m.currency;
END;
COMMENT ON FUNCTION @extschema@.dso_trend(text, text) IS
    'DSO, best possible DSO and average days delinquent per month and currency: receivables of the month''s last aging snapshot over the credit sales (inner query with invoice_date, amount, currency) from the 1st of that month to the snapshot date';

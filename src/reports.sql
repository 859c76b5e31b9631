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
           @extschema@.dso(m.receivables, coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer),
           @extschema@.best_possible_dso(m.current_receivables, coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer),
           @extschema@.average_days_delinquent(m.receivables, m.current_receivables,
                           coalesce(pg_catalog.sum(x.amount), 0::numeric),
                           (m.as_of OPERATOR(pg_catalog.-) m.period_start OPERATOR(pg_catalog.+) 1)::integer)
      FROM month_end m
      LEFT JOIN sales x ON x.currency OPERATOR(pg_catalog.=) m.currency
                       AND x.invoice_date OPERATOR(pg_catalog.>=) m.period_start
                       AND x.invoice_date OPERATOR(pg_catalog.<=) m.as_of
     GROUP BY m.as_of, m.currency, m.period_start, m.receivables, m.current_receivables
     ORDER BY m.as_of, m.currency;
END;
COMMENT ON FUNCTION @extschema@.dso_trend(text, text) IS
    'DSO, best possible DSO and average days delinquent per month and currency: receivables of the month''s last aging snapshot over the credit sales (inner query with invoice_date, amount, currency) from the 1st of that month to the snapshot date';

CREATE FUNCTION @extschema@.collection_worklist(invoices_sql text, as_of date)
RETURNS TABLE (currency text, priority_rank bigint, customer_id text, customer_name text,
               overdue numeric, d91_plus numeric, overdue_items bigint,
               oldest_days_past_due integer, avg_days_past_due numeric,
               priority numeric, reason text)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
BEGIN ATOMIC
    WITH rows AS (
        SELECT f.customer_id, f.customer_name, coalesce(pg_catalog.upper(f.currency), 'XXX') AS currency,
               f.open_amount, f.due_date
          FROM @extschema@.invoices_from(collection_worklist.invoices_sql,
                                         '{customer_id,due_date,open_amount}') f
         WHERE f.customer_id IS NOT NULL),
    per_customer AS (
        SELECT r.customer_id, pg_catalog.max(r.customer_name) AS customer_name, r.currency,
               @extschema@.aging(r.open_amount, r.due_date, collection_worklist.as_of) AS a,
               pg_catalog.count(*) FILTER (WHERE r.due_date OPERATOR(pg_catalog.<) collection_worklist.as_of
                                             AND r.open_amount OPERATOR(pg_catalog.>) 0) AS overdue_items,
               pg_catalog.max(collection_worklist.as_of OPERATOR(pg_catalog.-) r.due_date)
                   FILTER (WHERE r.open_amount OPERATOR(pg_catalog.>) 0) AS oldest,
               pg_catalog.sum(r.open_amount OPERATOR(pg_catalog.*)
                              (collection_worklist.as_of OPERATOR(pg_catalog.-) r.due_date))
                   FILTER (WHERE r.due_date OPERATOR(pg_catalog.<) collection_worklist.as_of) AS money_days
          FROM rows r
         GROUP BY r.customer_id, r.currency)
    SELECT p.currency,
           pg_catalog.rank() OVER (PARTITION BY p.currency
                                   ORDER BY p.money_days DESC),
           p.customer_id, p.customer_name, (p.a).overdue, (p.a).d91_plus, p.overdue_items,
           p.oldest, (p.a).avg_days_past_due,
           p.money_days,
           pg_catalog.format('%s %s overdue in %s items, on average %s days past due, oldest %s days%s',
                             p.currency, (p.a).overdue, p.overdue_items, (p.a).avg_days_past_due, p.oldest,
                             CASE WHEN (p.a).d91_plus OPERATOR(pg_catalog.>) 0
                                  THEN pg_catalog.format('; %s over 90 days', (p.a).d91_plus) ELSE '' END)
      FROM per_customer p
     WHERE (p.a).overdue OPERATOR(pg_catalog.>) 0
     ORDER BY p.currency, 2, p.customer_id;
END;
COMMENT ON FUNCTION @extschema@.collection_worklist(text, date) IS
    'customers with money overdue as of a date, ranked per currency by priority = money-days overdue, the exact sum of amount x days past due over the overdue items, with the reason in words';

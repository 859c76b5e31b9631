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

-- The collector's morning: each customer's chaseable overdue (less what open
-- disputes hold and what open promises cover), its strategy's collector,
-- channel and dunning level, and the action due today.
CREATE FUNCTION @extschema@.collector_worklist(invoices_sql text, as_of date, collector text DEFAULT NULL,
                                              ledger text DEFAULT 'default', reporting_currency text DEFAULT NULL)
RETURNS TABLE (collector text, currency text, priority_rank bigint, customer_id text, customer_name text,
               strategy text, channel text, action text, dunning_level integer,
               chaseable numeric, disputed numeric, promised numeric, money_days numeric, reason text)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
BEGIN ATOMIC
    -- an unknown reporting currency fails even when there is nothing to convert
    SELECT @extschema@.currency_minor_units(collector_worklist.reporting_currency)
     WHERE collector_worklist.reporting_currency IS NOT NULL;
    WITH rc AS (
        SELECT pg_catalog.upper(pg_catalog.btrim(collector_worklist.reporting_currency)) AS code),
    -- With a reporting currency the open amount and what disputes hold (both
    -- in the invoice's currency) are converted at as_of's rate, and the
    -- customer's currencies make one row; promises still match an invoice by
    -- its own currency.
    raw AS (
        SELECT f.invoice_id, f.customer_id, f.customer_name, f.currency AS doc_currency,
               coalesce(rc.code, pg_catalog.upper(f.currency), 'XXX') AS currency, rc.code AS rc,
               f.due_date, f.open_amount,
               coalesce((SELECT pg_catalog.sum(d.amount) FROM @extschema@.dispute d
                          WHERE d.ledger OPERATOR(pg_catalog.=) collector_worklist.ledger
                            AND d.status OPERATOR(pg_catalog.=) 'open'
                            AND d.invoice_id OPERATOR(pg_catalog.=) f.invoice_id), 0) AS disputed,
               EXISTS (SELECT 1 FROM @extschema@.promise h
                        WHERE h.ledger OPERATOR(pg_catalog.=) collector_worklist.ledger
                          AND h.status OPERATOR(pg_catalog.=) 'open'
                          AND h.promised_on OPERATOR(pg_catalog.<=) as_of
                          AND CASE WHEN h.invoice_ids IS NOT NULL
                                   THEN f.invoice_id OPERATOR(pg_catalog.=) ANY (h.invoice_ids)
                                   ELSE h.customer_id OPERATOR(pg_catalog.=) f.customer_id
                                        AND h.currency OPERATOR(pg_catalog.=) pg_catalog.upper(f.currency) END) AS promised
          FROM @extschema@.invoices_from(invoices_sql, '{customer_id,due_date,open_amount}') f
         CROSS JOIN rc
         WHERE f.customer_id IS NOT NULL AND f.due_date IS NOT NULL AND f.open_amount OPERATOR(pg_catalog.>) 0
           AND f.due_date OPERATOR(pg_catalog.<) as_of),
    rows AS (
        SELECT r.invoice_id, r.customer_id, r.customer_name, r.currency, r.due_date, r.promised,
               CASE WHEN r.rc IS NULL THEN r.open_amount
                    ELSE @extschema@.convert(r.open_amount, coalesce(r.doc_currency, 'NULL'), r.rc, as_of) END AS open_amount,
               CASE WHEN r.rc IS NULL OR r.disputed OPERATOR(pg_catalog.=) 0 THEN r.disputed
                    ELSE @extschema@.convert(r.disputed, coalesce(r.doc_currency, 'NULL'), r.rc, as_of) END AS disputed
          FROM raw r),
    per_customer AS (
        SELECT r.customer_id, pg_catalog.max(r.customer_name) AS customer_name, r.currency,
               pg_catalog.sum(GREATEST(r.open_amount OPERATOR(pg_catalog.-) r.disputed, 0))
                   FILTER (WHERE NOT r.promised) AS chaseable,
               pg_catalog.sum(LEAST(r.disputed, r.open_amount)) AS disputed,
               pg_catalog.sum(GREATEST(r.open_amount OPERATOR(pg_catalog.-) r.disputed, 0))
                   FILTER (WHERE r.promised) AS promised,
               pg_catalog.sum(GREATEST(r.open_amount OPERATOR(pg_catalog.-) r.disputed, 0)
                              OPERATOR(pg_catalog.*) (as_of OPERATOR(pg_catalog.-) r.due_date))
                   FILTER (WHERE NOT r.promised) AS money_days,
               pg_catalog.min(r.due_date) FILTER (WHERE NOT r.promised) AS oldest_due
          FROM rows r GROUP BY r.customer_id, r.currency),
    worked AS (
        SELECT p.*, s.strategy, s.channel, s.collector, s.dunning_policy,
               CASE WHEN s.dunning_policy IS NOT NULL AND p.oldest_due IS NOT NULL
                         AND EXISTS (SELECT 1 FROM @extschema@.dunning_policy dp
                                      WHERE dp.policy OPERATOR(pg_catalog.=) s.dunning_policy)
                    THEN @extschema@.dunning_level(p.oldest_due, as_of, s.dunning_policy) ELSE 0 END AS level,
               (SELECT pg_catalog.min(h.due_on) FROM @extschema@.promise h
                 WHERE h.ledger OPERATOR(pg_catalog.=) collector_worklist.ledger AND h.status OPERATOR(pg_catalog.=) 'open'
                   AND h.customer_id OPERATOR(pg_catalog.=) p.customer_id
                   AND (collector_worklist.reporting_currency IS NOT NULL
                        OR h.currency OPERATOR(pg_catalog.=) p.currency)) AS promise_due,
               EXISTS (SELECT 1 FROM @extschema@.promise h
                        WHERE h.ledger OPERATOR(pg_catalog.=) collector_worklist.ledger
                          AND h.status OPERATOR(pg_catalog.=) 'broken' AND h.escalated_run IS NULL
                          AND h.customer_id OPERATOR(pg_catalog.=) p.customer_id
                          AND (collector_worklist.reporting_currency IS NOT NULL
                               OR h.currency OPERATOR(pg_catalog.=) p.currency)) AS broken
          FROM per_customer p
          LEFT JOIN @extschema@.strategy_assignment s
            ON s.ledger OPERATOR(pg_catalog.=) collector_worklist.ledger
           AND s.customer_id OPERATOR(pg_catalog.=) p.customer_id
         WHERE collector_worklist.collector IS NULL OR s.collector OPERATOR(pg_catalog.=) collector_worklist.collector),
    acted AS (
        SELECT w.*,
               CASE WHEN w.broken THEN 'call: a promise was broken'
                    WHEN w.promise_due IS NOT NULL AND w.promise_due OPERATOR(pg_catalog.<) as_of
                        THEN pg_catalog.format('check the promise due %s', w.promise_due)
                    WHEN coalesce(w.chaseable, 0) OPERATOR(pg_catalog.=) 0 AND w.promise_due IS NOT NULL
                        THEN pg_catalog.format('wait: promised by %s', w.promise_due)
                    WHEN coalesce(w.chaseable, 0) OPERATOR(pg_catalog.=) 0 THEN 'wait: all in dispute'
                    WHEN w.channel OPERATOR(pg_catalog.=) 'call' THEN 'call'
                    WHEN w.channel OPERATOR(pg_catalog.=) 'letter' THEN pg_catalog.format('send a letter (level %s)', w.level)
                    WHEN w.channel OPERATOR(pg_catalog.=) 'email' THEN pg_catalog.format('send an e-mail (level %s)', w.level)
                    ELSE 'no strategy: assign one' END AS action
          FROM worked w)
    SELECT a.collector, a.currency,
           pg_catalog.rank() OVER (PARTITION BY a.collector, a.currency
                                   ORDER BY a.broken DESC, a.level DESC, coalesce(a.money_days, 0) DESC),
           a.customer_id, a.customer_name, a.strategy, a.channel, a.action, a.level,
           coalesce(a.chaseable, 0), a.disputed, coalesce(a.promised, 0), coalesce(a.money_days, 0),
           pg_catalog.concat_ws('; ',
               CASE WHEN a.broken THEN 'broken promise' END,
               CASE WHEN a.level OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('dunning level %s', a.level) END,
               CASE WHEN coalesce(a.money_days, 0) OPERATOR(pg_catalog.>) 0
                    THEN pg_catalog.format('%s %s overdue, %s money-days', a.currency, a.chaseable, a.money_days) END,
               CASE WHEN a.disputed OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s in dispute', a.disputed) END,
               CASE WHEN coalesce(a.promised, 0) OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s promised', a.promised) END)
      FROM acted a
     ORDER BY a.collector NULLS LAST, a.currency, 3, a.customer_id;
END;
COMMENT ON FUNCTION @extschema@.collector_worklist(text, date, text, text, text) IS
    'the collector''s list: per customer and currency, what can be chased (overdue less open disputes and promised invoices), its strategy''s collector, channel and dunning level, the action due today, ranked by broken promise, then dunning level, then money-days (the parts in their columns); for one collector, or all; with reporting_currency, amounts converted at as_of''s rate and one row per customer';

-- Where billing goes wrong: disputed amounts per reason and customer
-- segment against what was invoiced, so "damaged goods, segment X, 4 % of
-- revenue" stands out. Segments come from the strategies' assignments.
CREATE FUNCTION @extschema@.dispute_root_causes(invoices_sql text, from_date date, to_date date,
                                                ledger text DEFAULT 'default')
RETURNS TABLE (reason text, segment text, currency text, disputes bigint, disputed numeric,
               invoiced numeric, share_of_invoiced numeric, credited numeric, written_off numeric)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
BEGIN ATOMIC
    WITH inv AS (
        SELECT f.invoice_id, f.customer_id, pg_catalog.upper(f.currency) AS currency, f.amount,
               coalesce(a.attributes OPERATOR(pg_catalog.->>) 'segment', '(none)') AS segment
          FROM @extschema@.invoices_from(invoices_sql, '{invoice_id,customer_id,invoice_date,amount,currency}') f
          LEFT JOIN @extschema@.strategy_assignment a
            ON a.ledger OPERATOR(pg_catalog.=) dispute_root_causes.ledger
           AND a.customer_id OPERATOR(pg_catalog.=) f.customer_id
         WHERE f.invoice_date OPERATOR(pg_catalog.>=) from_date AND f.invoice_date OPERATOR(pg_catalog.<=) to_date),
    invoiced AS (
        SELECT i.segment, i.currency, pg_catalog.sum(i.amount) AS amount FROM inv i GROUP BY 1, 2),
    disp AS (
        SELECT d.reason, i.segment, i.currency, pg_catalog.count(*) AS n, pg_catalog.sum(d.amount) AS amount,
               pg_catalog.sum(d.amount) FILTER (WHERE d.resolution OPERATOR(pg_catalog.=) 'credited') AS credited,
               pg_catalog.sum(d.amount) FILTER (WHERE d.resolution OPERATOR(pg_catalog.=) 'written_off') AS written_off
          FROM @extschema@.dispute d
          JOIN inv i ON i.invoice_id OPERATOR(pg_catalog.=) d.invoice_id
         WHERE d.ledger OPERATOR(pg_catalog.=) dispute_root_causes.ledger
         GROUP BY 1, 2, 3)
    SELECT d.reason, d.segment, d.currency, d.n, d.amount, v.amount,
           pg_catalog.round(100 OPERATOR(pg_catalog.*) d.amount OPERATOR(pg_catalog./) NULLIF(v.amount, 0), 2),
           coalesce(d.credited, 0), coalesce(d.written_off, 0)
      FROM disp d JOIN invoiced v ON v.segment OPERATOR(pg_catalog.=) d.segment AND v.currency IS NOT DISTINCT FROM d.currency
     ORDER BY 7 DESC NULLS LAST, 1, 2, 3;
END;
COMMENT ON FUNCTION @extschema@.dispute_root_causes(text, date, date, text) IS
    'disputes of invoices dated from_date to to_date per reason, customer segment (from o2c.strategy_assignment; "(none)" without one) and currency: count, amount, the share of what the segment was invoiced in percent, and what was credited and written off';

-- The trends from the ledger itself (o2c.open_items' two inner queries)
-- rather than from snapshots: o2c.aging_history ages every customer at every
-- date in one pass, and these add its rows up per date and currency.

CREATE FUNCTION @extschema@.aging_trend(invoices_sql text, settlements_sql text,
                                        from_date date, to_date date, step interval,
                                        options jsonb DEFAULT '{}')
RETURNS TABLE (as_of date, currency text, bucket text, bucket_order integer,
               amount numeric, customers bigint)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
BEGIN ATOMIC
    -- an unknown reporting currency fails even when there is nothing to convert
    SELECT @extschema@.currency_minor_units(options OPERATOR(pg_catalog.->>) 'reporting_currency')
     WHERE options OPERATOR(pg_catalog.?) 'reporting_currency';
    WITH rc AS (
        SELECT pg_catalog.upper(pg_catalog.btrim(options OPERATOR(pg_catalog.->>) 'reporting_currency')) AS code),
    hist AS (
        SELECT h.as_of, h.customer_id, h.currency, h.current, h.d1_30, h.d31_60, h.d61_90, h.d91_plus
          FROM @extschema@.aging_history(aging_trend.invoices_sql, aging_trend.settlements_sql,
                                         aging_trend.from_date, aging_trend.to_date, aging_trend.step,
                                         aging_trend.options OPERATOR(pg_catalog.-) 'reporting_currency') h),
    -- Per customer and bucket, in the reporting currency when there is one:
    -- each customer-currency bucket converted at the date's rate (a NULL
    -- currency is no currency convert knows, so it fails rather than vanish).
    per_customer AS (
        SELECT h.as_of, h.customer_id, coalesce(rc.code, h.currency) AS currency, b.ord, b.bucket,
               pg_catalog.sum(CASE WHEN rc.code IS NULL THEN b.amount
                                   ELSE @extschema@.convert(b.amount, coalesce(h.currency, 'NULL'), rc.code, h.as_of) END)
                   AS amount
          FROM hist h CROSS JOIN rc
         CROSS JOIN LATERAL (VALUES (1, 'current', h.current), (2, '1-30', h.d1_30), (3, '31-60', h.d31_60),
                                    (4, '61-90', h.d61_90), (5, '91+', h.d91_plus)) AS b(ord, bucket, amount)
         GROUP BY 1, 2, 3, 4, 5)
    SELECT p.as_of, p.currency, p.bucket, p.ord, pg_catalog.sum(p.amount),
           pg_catalog.count(*) FILTER (WHERE p.amount OPERATOR(pg_catalog.<>) 0)
      FROM per_customer p
     GROUP BY p.as_of, p.currency, p.bucket, p.ord
     ORDER BY p.as_of, p.currency COLLATE "C" NULLS LAST, p.ord;
END;
COMMENT ON FUNCTION @extschema@.aging_trend(text, text, date, date, interval, jsonb) IS
    'aging totals per date of the series, currency and bucket from the ledger (invoices and settlements inner queries, through o2c.aging_history): amount and customers with an amount in the bucket, never adding currencies; options are aging_history''s and reporting_currency (convert each customer''s buckets at the date''s rate)';

-- The argument checks of dso_trend's ledger form, its first statement: it is
-- not STRICT because reporting_currency may be NULL.
CREATE FUNCTION @extschema@.dso_trend_check(invoices_sql text, settlements_sql text, from_date date,
                                            to_date date, step interval, period_days integer,
                                            reporting_currency text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF invoices_sql IS NULL OR settlements_sql IS NULL OR from_date IS NULL OR to_date IS NULL
       OR step IS NULL OR period_days IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, settlements_sql, from_date, to_date, step and period_days must not be null'
            USING ERRCODE = '22004';
    END IF;
    IF period_days OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'period_days % is not positive', period_days
            USING ERRCODE = '22023', HINT = 'Credit sales are those of the period_days days up to each date.';
    END IF;
    IF reporting_currency IS NOT NULL THEN
        PERFORM @extschema@.currency_minor_units(reporting_currency);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.dso_trend_check(text, text, date, date, interval, integer, text) IS
    'the argument checks of the ledger form of o2c.dso_trend: no NULL but reporting_currency, period_days positive, a known reporting currency';

CREATE FUNCTION @extschema@.dso_trend(invoices_sql text, settlements_sql text,
                                      from_date date, to_date date, step interval,
                                      period_days integer DEFAULT 90, reporting_currency text DEFAULT NULL)
RETURNS TABLE (as_of date, currency text, period_start date, days integer,
               credit_sales numeric, receivables numeric, current_receivables numeric,
               dso numeric, best_possible_dso numeric, average_days_delinquent numeric)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT @extschema@.dso_trend_check(invoices_sql, settlements_sql, from_date, to_date, step,
                                       period_days, reporting_currency);
    WITH rc AS (
        SELECT pg_catalog.upper(pg_catalog.btrim(dso_trend.reporting_currency)) AS code),
    -- include_settled: every currency invoiced by a date gets its row then,
    -- with receivables 0 when all is paid
    hist AS (
        SELECT h.as_of, h.currency, pg_catalog.sum(h.total) AS receivables,
               pg_catalog.sum(h.current) AS current_receivables
          FROM @extschema@.aging_history(dso_trend.invoices_sql, dso_trend.settlements_sql,
                                         dso_trend.from_date, dso_trend.to_date, dso_trend.step,
                                         '{"include_settled": true}'::jsonb) h
         GROUP BY h.as_of, h.currency),
    -- what was invoiced per currency and day by to_date (credit notes
    -- negative, as open_items signs them)
    issued AS (
        SELECT o.currency, o.invoice_date, pg_catalog.sum(o.amount) AS amount
          FROM @extschema@.open_items(dso_trend.invoices_sql, dso_trend.settlements_sql, dso_trend.to_date,
                                      '{"include_settled": true}'::jsonb) o
         GROUP BY o.currency, o.invoice_date),
    per_currency AS (
        SELECT h.as_of, h.currency, h.receivables, h.current_receivables,
               (h.as_of OPERATOR(pg_catalog.-) dso_trend.period_days OPERATOR(pg_catalog.+) 1) AS period_start,
               coalesce((SELECT pg_catalog.sum(i.amount) FROM issued i
                          WHERE i.currency IS NOT DISTINCT FROM h.currency
                            AND i.invoice_date OPERATOR(pg_catalog.>) (h.as_of OPERATOR(pg_catalog.-) dso_trend.period_days)
                            AND i.invoice_date OPERATOR(pg_catalog.<=) h.as_of), 0::numeric) AS credit_sales
          FROM hist h),
    -- in the reporting currency: each currency's figures converted at the
    -- date's rate, then added up
    reported AS (
        SELECT p.as_of, coalesce(rc.code, p.currency) AS currency, p.period_start,
               pg_catalog.sum(CASE WHEN rc.code IS NULL THEN p.credit_sales
                                   ELSE @extschema@.convert(p.credit_sales, coalesce(p.currency, 'NULL'), rc.code, p.as_of) END) AS credit_sales,
               pg_catalog.sum(CASE WHEN rc.code IS NULL THEN p.receivables
                                   ELSE @extschema@.convert(p.receivables, coalesce(p.currency, 'NULL'), rc.code, p.as_of) END) AS receivables,
               pg_catalog.sum(CASE WHEN rc.code IS NULL THEN p.current_receivables
                                   ELSE @extschema@.convert(p.current_receivables, coalesce(p.currency, 'NULL'), rc.code, p.as_of) END) AS current_receivables
          FROM per_currency p CROSS JOIN rc
         GROUP BY 1, 2, 3)
    SELECT r.as_of, r.currency, r.period_start, dso_trend.period_days, r.credit_sales,
           r.receivables, r.current_receivables,
           -- as in the snapshot form: no KPI for a book in credit
           CASE WHEN r.receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.dso(r.receivables, r.credit_sales, dso_trend.period_days) END,
           CASE WHEN r.current_receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.best_possible_dso(r.current_receivables, r.credit_sales, dso_trend.period_days) END,
           CASE WHEN r.receivables OPERATOR(pg_catalog.>=) 0 AND r.current_receivables OPERATOR(pg_catalog.>=) 0 THEN
           @extschema@.average_days_delinquent(r.receivables, r.current_receivables, r.credit_sales,
                                               dso_trend.period_days) END
      FROM reported r
     ORDER BY r.as_of, r.currency COLLATE "C" NULLS LAST;
END;
COMMENT ON FUNCTION @extschema@.dso_trend(text, text, date, date, interval, integer, text) IS
    'DSO, best possible DSO and average days delinquent per date of the series and currency from the ledger (invoices and settlements inner queries): receivables aged by o2c.aging_history over the credit sales (invoices and credit notes) of the period_days days up to the date; with reporting_currency, each currency''s figures converted at the date''s rate and added up';

-- forecast: when each open invoice will be paid, from its customer's own
-- history of days beyond terms (shrunk towards everyone's when the customer
-- has little), open promises and open disputes; and the cash that comes in
-- per week from it.

-- Days from due date to payment, per paid invoice of the history known at
-- as_of, into pg_temp.o2c_fc_delay (customer_id, delay), indexed for the
-- lookups below.
CREATE FUNCTION @extschema@.forecast_delays(history_sql text, as_of date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    n bigint;
BEGIN
    IF pg_catalog.to_regclass('pg_temp.o2c_fc_delay') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_fc_delay;
    END IF;
    CREATE TEMP TABLE o2c_fc_delay AS
    SELECT h.customer_id, (h.paid_on OPERATOR(pg_catalog.-) h.due_date) AS delay
      FROM @extschema@.history_from(history_sql, '{customer_id,due_date,paid_on}') h
     WHERE h.paid_on IS NOT NULL AND h.due_date IS NOT NULL AND h.customer_id IS NOT NULL
       AND h.paid_on OPERATOR(pg_catalog.<=) as_of
       AND pg_catalog.isfinite(h.paid_on) AND pg_catalog.isfinite(h.due_date)
       AND coalesce(h.amount, 1) OPERATOR(pg_catalog.>) 0;
    GET DIAGNOSTICS n = ROW_COUNT;
    CREATE INDEX ON pg_temp.o2c_fc_delay (customer_id, delay);
    CREATE INDEX ON pg_temp.o2c_fc_delay (delay);
    ANALYZE pg_temp.o2c_fc_delay;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_delays(text, date) IS
    'the days from due date to payment of each invoice of the history paid by as_of, into the session''s temp table pg_temp.o2c_fc_delay (used by predict_payment_date); returns the rows';

CREATE FUNCTION @extschema@.predict_payment_date(
    invoices_sql text,
    history_sql text,
    as_of date,
    options jsonb DEFAULT '{}')
RETURNS TABLE (invoice_id text, customer_id text, currency text, due_date date, open_amount numeric,
               forecast_amount numeric, expected_date date, early_date date, late_date date, basis text,
               late_probability numeric)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_prior  numeric;
    v_ledger text;
    v_min    integer;
    v_model  text;
    v_late   integer;
BEGIN
    IF invoices_sql IS NULL OR history_sql IS NULL OR as_of IS NULL OR options IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, history_sql, as_of and options must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date, not %', as_of USING ERRCODE = '22008';
    END IF;
    IF pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.<>) 'object' OR EXISTS (
           SELECT 1 FROM pg_catalog.jsonb_object_keys(options) k
            WHERE k OPERATOR(pg_catalog.<>) ALL (ARRAY['prior_weight', 'ledger', 'min_history', 'risk_model'])) THEN
        RAISE EXCEPTION 'invalid predict_payment_date options: %', pg_catalog.left(options::text, 64)
            USING ERRCODE = '22023',
                  HINT = 'Known options are "prior_weight" (number, default 5), "min_history" (integer, default 3), "ledger" (text, default "default") and "risk_model" (the name of a model of o2c.risk_model).';
    END IF;
    BEGIN
        v_prior := coalesce((options OPERATOR(pg_catalog.->>) 'prior_weight')::numeric, 5);
        v_min := coalesce((options OPERATOR(pg_catalog.->>) 'min_history')::integer, 3);
    EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
        RAISE EXCEPTION 'invalid predict_payment_date options: %', pg_catalog.left(options::text, 64)
            USING ERRCODE = '22023', HINT = 'prior_weight is a number, min_history an integer.';
    END;
    IF v_prior OPERATOR(pg_catalog.<) 0 OR v_prior OPERATOR(pg_catalog.>) 1000 OR v_prior = 'NaN'::numeric THEN
        RAISE EXCEPTION 'prior_weight must be between 0 and 1000, not %', v_prior USING ERRCODE = '22023';
    END IF;
    IF v_min OPERATOR(pg_catalog.<) 1 OR v_min OPERATOR(pg_catalog.>) 1000 THEN
        RAISE EXCEPTION 'min_history must be between 1 and 1000, not %', v_min USING ERRCODE = '22023';
    END IF;
    v_ledger := coalesce(options OPERATOR(pg_catalog.->>) 'ledger', 'default');
    v_model := options OPERATOR(pg_catalog.->>) 'risk_model';
    IF v_model IS NOT NULL THEN
        SELECT m.late_days INTO v_late FROM @extschema@.risk_model m WHERE m.name OPERATOR(pg_catalog.=) v_model;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'risk model "%" does not exist', pg_catalog.left(v_model, 64)
                USING ERRCODE = '42704', HINT = 'Train one with CALL o2c.train_risk_model(...), or leave "risk_model" out.';
        END IF;
    END IF;

    PERFORM @extschema@.forecast_delays(history_sql, as_of);
    -- Each open invoice's probability of being paid more than the model's
    -- late_days late (empty without a model).
    IF pg_catalog.to_regclass('pg_temp.o2c_fc_risk') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_fc_risk;
    END IF;
    CREATE TEMP TABLE o2c_fc_risk (invoice_id text PRIMARY KEY, probability numeric NOT NULL);
    IF v_model IS NOT NULL THEN
        INSERT INTO pg_temp.o2c_fc_risk
        SELECT DISTINCT ON (r.invoice_id) r.invoice_id, r.probability
          FROM @extschema@.risk_score(v_model, history_sql, invoices_sql, as_of) r
         WHERE r.invoice_id IS NOT NULL AND r.probability IS NOT NULL;
    END IF;

    RETURN QUERY
    WITH everyone AS (
        SELECT pg_catalog.percentile_disc(0.1) WITHIN GROUP (ORDER BY d.delay) AS q10,
               pg_catalog.percentile_disc(0.5) WITHIN GROUP (ORDER BY d.delay) AS q50,
               pg_catalog.percentile_disc(0.9) WITHIN GROUP (ORDER BY d.delay) AS q90
          FROM pg_temp.o2c_fc_delay d),
    per_customer AS (
        SELECT d.customer_id, pg_catalog.count(*) AS n,
               pg_catalog.percentile_disc(0.1) WITHIN GROUP (ORDER BY d.delay) AS q10,
               pg_catalog.percentile_disc(0.5) WITHIN GROUP (ORDER BY d.delay) AS q50,
               pg_catalog.percentile_disc(0.9) WITHIN GROUP (ORDER BY d.delay) AS q90
          FROM pg_temp.o2c_fc_delay d GROUP BY d.customer_id),
    open_items AS (
        SELECT i.invoice_id, i.customer_id, pg_catalog.upper(i.currency) AS currency, i.due_date, i.open_amount,
               i.open_amount OPERATOR(pg_catalog.-) coalesce((
                   SELECT pg_catalog.sum(g.amount) FROM @extschema@.dispute g
                    WHERE g.ledger OPERATOR(pg_catalog.=) v_ledger AND g.status OPERATOR(pg_catalog.=) 'open'
                      AND g.invoice_id OPERATOR(pg_catalog.=) i.invoice_id), 0) AS forecast_amount,
               (SELECT pg_catalog.min(h.due_on) FROM @extschema@.promise h
                 WHERE h.ledger OPERATOR(pg_catalog.=) v_ledger AND h.status OPERATOR(pg_catalog.=) 'open'
                   AND h.promised_on OPERATOR(pg_catalog.<=) as_of
                   AND CASE WHEN h.invoice_ids IS NOT NULL
                            THEN i.invoice_id OPERATOR(pg_catalog.=) ANY (h.invoice_ids)
                            ELSE h.customer_id OPERATOR(pg_catalog.=) i.customer_id
                                 AND h.currency OPERATOR(pg_catalog.=) pg_catalog.upper(i.currency) END) AS promised_on,
               (SELECT r.probability FROM pg_temp.o2c_fc_risk r
                 WHERE r.invoice_id OPERATOR(pg_catalog.=) i.invoice_id::text) AS p
          FROM @extschema@.invoices_from(invoices_sql, '{invoice_id,customer_id,due_date,open_amount}') i
         WHERE i.open_amount OPERATOR(pg_catalog.>) 0 AND i.due_date IS NOT NULL AND pg_catalog.isfinite(i.due_date)),
    -- The customer's quantiles, each pulled towards everyone's by the
    -- weight of prior_weight invoices: (n x own + k x all) / (n + k).
    blended AS (
        SELECT o.*, c.n,
               pg_catalog.round(((coalesce(c.n, 0) OPERATOR(pg_catalog.*) coalesce(c.q10, 0))
                                 OPERATOR(pg_catalog.+) (v_prior OPERATOR(pg_catalog.*) coalesce(e.q10, 0)))
                                OPERATOR(pg_catalog./) NULLIF(coalesce(c.n, 0) OPERATOR(pg_catalog.+) v_prior, 0))::integer AS b10,
               pg_catalog.round(((coalesce(c.n, 0) OPERATOR(pg_catalog.*) coalesce(c.q50, 0))
                                 OPERATOR(pg_catalog.+) (v_prior OPERATOR(pg_catalog.*) coalesce(e.q50, 0)))
                                OPERATOR(pg_catalog./) NULLIF(coalesce(c.n, 0) OPERATOR(pg_catalog.+) v_prior, 0))::integer AS b50,
               pg_catalog.round(((coalesce(c.n, 0) OPERATOR(pg_catalog.*) coalesce(c.q90, 0))
                                 OPERATOR(pg_catalog.+) (v_prior OPERATOR(pg_catalog.*) coalesce(e.q90, 0)))
                                OPERATOR(pg_catalog./) NULLIF(coalesce(c.n, 0) OPERATOR(pg_catalog.+) v_prior, 0))::integer AS b90,
               (as_of OPERATOR(pg_catalog.-) o.due_date) AS late_now
          FROM open_items o
          CROSS JOIN everyone e
          LEFT JOIN per_customer c ON c.customer_id OPERATOR(pg_catalog.=) o.customer_id
         WHERE o.forecast_amount OPERATOR(pg_catalog.>) 0),
    -- An invoice already later than its predicted day: what is known of
    -- payments at least that late, the customer's when it has min_history
    -- of them, else everyone's.
    conditioned AS (
        SELECT b.*,
               CASE WHEN b.promised_on IS NOT NULL THEN NULL
                    WHEN (b.due_date OPERATOR(pg_catalog.+) coalesce(b.b50, 0)) OPERATOR(pg_catalog.>=) as_of THEN NULL
                    ELSE (SELECT ARRAY[pg_catalog.percentile_disc(0.1) WITHIN GROUP (ORDER BY x.delay),
                                       pg_catalog.percentile_disc(0.5) WITHIN GROUP (ORDER BY x.delay),
                                       pg_catalog.percentile_disc(0.9) WITHIN GROUP (ORDER BY x.delay)]
                            FROM (SELECT d.delay FROM pg_temp.o2c_fc_delay d
                                   WHERE d.delay OPERATOR(pg_catalog.>=) b.late_now
                                     AND d.customer_id OPERATOR(pg_catalog.=) b.customer_id
                                     AND (SELECT pg_catalog.count(*) FROM pg_temp.o2c_fc_delay y
                                           WHERE y.customer_id OPERATOR(pg_catalog.=) b.customer_id
                                             AND y.delay OPERATOR(pg_catalog.>=) b.late_now) OPERATOR(pg_catalog.>=) v_min
                                  UNION ALL
                                  SELECT d.delay FROM pg_temp.o2c_fc_delay d
                                   WHERE d.delay OPERATOR(pg_catalog.>=) b.late_now
                                     AND (SELECT pg_catalog.count(*) FROM pg_temp.o2c_fc_delay y
                                           WHERE y.customer_id OPERATOR(pg_catalog.=) b.customer_id
                                             AND y.delay OPERATOR(pg_catalog.>=) b.late_now) OPERATOR(pg_catalog.<) v_min) x)
               END AS cond
          FROM blended b),
    -- With a risk model: the invoice's days as a distribution (the
    -- customer's delays and everyone's weighing prior_weight invoices, as
    -- cash_forecast spreads them), reweighted so that the share paid more
    -- than late_days late is the model's probability; its p10, p50, p90.
    risk_glob AS (
        SELECT d.delay, (pg_catalog.count(*) OPERATOR(pg_catalog.*) v_prior) OPERATOR(pg_catalog./)
                        NULLIF((SELECT pg_catalog.count(*) FROM pg_temp.o2c_fc_delay), 0) AS w
          FROM pg_temp.o2c_fc_delay d
         WHERE v_late IS NOT NULL
         GROUP BY d.delay),
    risk_dist AS (
        SELECT c.invoice_id, c.p, x.delay, pg_catalog.sum(x.w) AS w
          FROM conditioned c
          CROSS JOIN LATERAL (
              SELECT d.delay, 1::numeric AS w FROM pg_temp.o2c_fc_delay d
               WHERE d.customer_id OPERATOR(pg_catalog.=) c.customer_id
              UNION ALL
              SELECT g.delay, g.w FROM risk_glob g) x
         WHERE c.p IS NOT NULL AND c.promised_on IS NULL AND c.cond IS NULL AND x.w OPERATOR(pg_catalog.>) 0
         GROUP BY c.invoice_id, c.p, x.delay),
    risk_w AS (
        SELECT r.invoice_id, r.delay,
               r.w OPERATOR(pg_catalog.*) CASE WHEN r.delay OPERATOR(pg_catalog.>) v_late
                   THEN r.p OPERATOR(pg_catalog./) pg_catalog.sum(r.w) FILTER (WHERE r.delay OPERATOR(pg_catalog.>) v_late)
                                                      OVER (PARTITION BY r.invoice_id)
                   ELSE (1 OPERATOR(pg_catalog.-) r.p) OPERATOR(pg_catalog./)
                        pg_catalog.sum(r.w) FILTER (WHERE r.delay OPERATOR(pg_catalog.<=) v_late)
                            OVER (PARTITION BY r.invoice_id) END AS w,
               pg_catalog.bool_or(r.delay OPERATOR(pg_catalog.>) v_late) OVER (PARTITION BY r.invoice_id)
                 AND pg_catalog.bool_or(r.delay OPERATOR(pg_catalog.<=) v_late) OVER (PARTITION BY r.invoice_id) AS both_sides
          FROM risk_dist r),
    risk_cum AS (
        SELECT w.invoice_id, w.delay,
               pg_catalog.sum(w.w) OVER (PARTITION BY w.invoice_id ORDER BY w.delay)
                 OPERATOR(pg_catalog./) pg_catalog.sum(w.w) OVER (PARTITION BY w.invoice_id) AS cum
          FROM risk_w w WHERE w.both_sides),
    risk_q AS (
        SELECT r.invoice_id,
               pg_catalog.min(r.delay) FILTER (WHERE r.cum OPERATOR(pg_catalog.>=) 0.1) AS q10,
               pg_catalog.min(r.delay) FILTER (WHERE r.cum OPERATOR(pg_catalog.>=) 0.5) AS q50,
               pg_catalog.min(r.delay) FILTER (WHERE r.cum OPERATOR(pg_catalog.>=) 0.9) AS q90
          FROM risk_cum r GROUP BY r.invoice_id)
    SELECT c.invoice_id, c.customer_id, c.currency, c.due_date, c.open_amount, c.forecast_amount,
           GREATEST(t.d50, as_of), GREATEST(t.d10, as_of), GREATEST(t.d90, as_of), t.basis,
           pg_catalog.round(c.p, 4)
      FROM conditioned c
      LEFT JOIN risk_q q ON q.invoice_id OPERATOR(pg_catalog.=) c.invoice_id
     CROSS JOIN LATERAL (
         SELECT CASE WHEN c.promised_on IS NOT NULL THEN c.promised_on
                     WHEN c.cond IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) c.cond[1]
                     WHEN q.q10 IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) q.q10
                     ELSE c.due_date OPERATOR(pg_catalog.+) c.b10 END AS d10,
                CASE WHEN c.promised_on IS NOT NULL THEN c.promised_on
                     WHEN c.cond IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) c.cond[2]
                     WHEN q.q50 IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) q.q50
                     ELSE c.due_date OPERATOR(pg_catalog.+) c.b50 END AS d50,
                CASE WHEN c.promised_on IS NOT NULL THEN c.promised_on
                     WHEN c.cond IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) c.cond[3]
                     WHEN q.q90 IS NOT NULL THEN c.due_date OPERATOR(pg_catalog.+) q.q90
                     ELSE c.due_date OPERATOR(pg_catalog.+) c.b90 END AS d90,
                CASE WHEN c.promised_on IS NOT NULL THEN 'promise'
                     WHEN c.cond IS NOT NULL AND c.cond[2] IS NOT NULL THEN 'overdue'
                     -- later than anything in the history: from today on
                     WHEN c.cond IS NOT NULL THEN 'overdue beyond history'
                     WHEN q.q50 IS NOT NULL THEN 'risk model'
                     WHEN c.n IS NULL THEN 'everyone'
                     ELSE 'customer' END AS basis) t
     ORDER BY 7, 1;
END
$$;
COMMENT ON FUNCTION @extschema@.predict_payment_date(text, text, date, jsonb) IS
    'per open invoice of invoices_sql (less what open disputes hold): the expected payment day and an early (p10) and late (p90) day from the customer''s days beyond terms in history_sql, pulled towards everyone''s by prior_weight invoices; with options.risk_model, that distribution reweighted so the share paid more than the model''s late_days late is the model''s probability (late_probability); an open promise''s day wins; an invoice already later than predicted takes what is known of payments at least that late; never before as_of';

CREATE FUNCTION @extschema@.cash_forecast(
    invoices_sql text,
    history_sql text,
    from_date date,
    weeks integer,
    options jsonb DEFAULT '{}')
RETURNS TABLE (week_start date, currency text, customer_id text, expected numeric, early numeric, late numeric,
               invoices bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    v_by_customer boolean;
    v_prior       numeric;
    v_late        integer;
BEGIN
    IF invoices_sql IS NULL OR history_sql IS NULL OR from_date IS NULL OR weeks IS NULL OR options IS NULL THEN
        RAISE EXCEPTION 'invoices_sql, history_sql, from_date, weeks and options must not be null' USING ERRCODE = '22004';
    END IF;
    IF weeks OPERATOR(pg_catalog.<) 1 OR weeks OPERATOR(pg_catalog.>) 520 THEN
        RAISE EXCEPTION 'weeks must be between 1 and 520, not %', weeks USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.jsonb_typeof(options) OPERATOR(pg_catalog.=) 'object'
       AND pg_catalog.jsonb_typeof(options OPERATOR(pg_catalog.->) 'by_customer') IS NOT NULL
       AND pg_catalog.jsonb_typeof(options OPERATOR(pg_catalog.->) 'by_customer') OPERATOR(pg_catalog.<>) 'boolean' THEN
        RAISE EXCEPTION 'option "by_customer" must be true or false' USING ERRCODE = '22023';
    END IF;
    v_by_customer := coalesce((options OPERATOR(pg_catalog.->>) 'by_customer')::boolean, false);
    v_prior := coalesce((options OPERATOR(pg_catalog.->>) 'prior_weight')::numeric, 5);
    IF pg_catalog.to_regclass('pg_temp.o2c_fc_pred') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_fc_pred;
    END IF;
    -- Also fills pg_temp.o2c_fc_delay, and checks the options.
    CREATE TEMP TABLE o2c_fc_pred AS
        SELECT f.* FROM @extschema@.predict_payment_date(invoices_sql, history_sql, from_date,
                                                         options OPERATOR(pg_catalog.-) 'by_customer') f;
    SELECT m.late_days INTO v_late FROM @extschema@.risk_model m
     WHERE m.name OPERATOR(pg_catalog.=) (options OPERATOR(pg_catalog.->>) 'risk_model');
    RETURN QUERY
    WITH glob AS (
        SELECT d.delay, pg_catalog.count(*)::numeric AS w FROM pg_temp.o2c_fc_delay d GROUP BY d.delay),
    gtot AS (SELECT pg_catalog.sum(g.w) AS n FROM glob g),
    cust AS (
        SELECT d.customer_id, d.delay, pg_catalog.count(*)::numeric AS w
          FROM pg_temp.o2c_fc_delay d GROUP BY d.customer_id, d.delay),
    -- Each invoice's payment day as a distribution: the customer's delays,
    -- plus everyone's weighing prior_weight invoices in all; with a risk
    -- model, reweighted so that the share paid more than late_days late is
    -- the invoice's late_probability; then kept to the days from from_date
    -- on (it was not paid before).
    cand_all AS (
        SELECT p.invoice_id, p.due_date, p.late_probability AS lp, x.delay, pg_catalog.sum(x.w) AS w
          FROM pg_temp.o2c_fc_pred p
          CROSS JOIN LATERAL (
              SELECT c.delay, c.w FROM cust c WHERE c.customer_id OPERATOR(pg_catalog.=) p.customer_id
              UNION ALL
              SELECT g.delay, (v_prior OPERATOR(pg_catalog.*) g.w) OPERATOR(pg_catalog./) t.n FROM glob g, gtot t) x
         WHERE p.basis OPERATOR(pg_catalog.<>) 'promise' AND x.w OPERATOR(pg_catalog.>) 0
         GROUP BY p.invoice_id, p.due_date, p.late_probability, x.delay),
    cand_rw AS (
        SELECT a.invoice_id, a.due_date, a.delay,
               CASE WHEN a.lp IS NULL OR v_late IS NULL OR a.late_w IS NULL OR a.ontime_w IS NULL THEN a.w
                    WHEN a.delay OPERATOR(pg_catalog.>) v_late THEN a.w OPERATOR(pg_catalog.*) a.lp OPERATOR(pg_catalog./) a.late_w
                    ELSE a.w OPERATOR(pg_catalog.*) (1 OPERATOR(pg_catalog.-) a.lp) OPERATOR(pg_catalog./) a.ontime_w END AS w
          FROM (SELECT c.*,
                       pg_catalog.sum(c.w) FILTER (WHERE c.delay OPERATOR(pg_catalog.>) v_late) OVER (PARTITION BY c.invoice_id) AS late_w,
                       pg_catalog.sum(c.w) FILTER (WHERE c.delay OPERATOR(pg_catalog.<=) v_late) OVER (PARTITION BY c.invoice_id) AS ontime_w
                  FROM cand_all c) a),
    cand AS (
        SELECT c.invoice_id, c.delay, c.w
          FROM cand_rw c
         WHERE c.delay OPERATOR(pg_catalog.>=) (from_date OPERATOR(pg_catalog.-) c.due_date)
           AND c.w OPERATOR(pg_catalog.>) 0),
    -- split in the currency's minor units by largest remainder, so the
    -- weeks add up to the invoice exactly
    dist AS (
        SELECT c.invoice_id, pg_catalog.array_agg(c.delay ORDER BY c.delay) AS delays,
               pg_catalog.array_agg(c.w ORDER BY c.delay) AS ws
          FROM cand c GROUP BY c.invoice_id),
    share AS (
        SELECT d.invoice_id, (p.due_date OPERATOR(pg_catalog.+) x.delay) AS paid, x.part AS amount
          FROM dist d
          JOIN pg_temp.o2c_fc_pred p ON p.invoice_id OPERATOR(pg_catalog.=) d.invoice_id
          CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(d.delays), pg_catalog.unnest(
              CASE WHEN p.currency IS NOT NULL AND @extschema@.currency_valid(p.currency)
                   THEN @extschema@.split_amount(p.forecast_amount, d.ws, p.currency)
                   ELSE @extschema@.split_amount(p.forecast_amount, d.ws) END)) AS x(delay, part)
        UNION ALL
        -- a promise, or no history at all to go by: the predicted day
        SELECT p.invoice_id, p.expected_date, p.forecast_amount
          FROM pg_temp.o2c_fc_pred p
         WHERE NOT EXISTS (SELECT 1 FROM cand c WHERE c.invoice_id OPERATOR(pg_catalog.=) p.invoice_id)),
    wk AS (
        SELECT (from_date OPERATOR(pg_catalog.+) (7 OPERATOR(pg_catalog.*) w)) AS ws
          FROM pg_catalog.generate_series(0, weeks OPERATOR(pg_catalog.-) 1) w),
    cur AS (SELECT DISTINCT p.currency, CASE WHEN v_by_customer THEN p.customer_id END AS customer_id
              FROM pg_temp.o2c_fc_pred p),
    expected_in AS (
        SELECT wk.ws, p.currency, CASE WHEN v_by_customer THEN p.customer_id END AS customer_id,
               pg_catalog.sum(s.amount) AS amount, pg_catalog.count(DISTINCT s.invoice_id) AS invoices
          FROM wk
          JOIN share s ON s.paid OPERATOR(pg_catalog.>=) wk.ws AND s.paid OPERATOR(pg_catalog.<) (wk.ws OPERATOR(pg_catalog.+) 7)
          JOIN pg_temp.o2c_fc_pred p ON p.invoice_id OPERATOR(pg_catalog.=) s.invoice_id
         GROUP BY 1, 2, 3)
    SELECT wk.ws, cur.currency, cur.customer_id,
           coalesce((SELECT e.amount FROM expected_in e
                      WHERE e.ws OPERATOR(pg_catalog.=) wk.ws
                        AND e.currency IS NOT DISTINCT FROM cur.currency
                        AND e.customer_id IS NOT DISTINCT FROM cur.customer_id), 0),
           coalesce(pg_catalog.sum(p.forecast_amount) FILTER (WHERE p.early_date OPERATOR(pg_catalog.>=) wk.ws
                                                             AND p.early_date OPERATOR(pg_catalog.<) (wk.ws OPERATOR(pg_catalog.+) 7)), 0),
           coalesce(pg_catalog.sum(p.forecast_amount) FILTER (WHERE p.late_date OPERATOR(pg_catalog.>=) wk.ws
                                                             AND p.late_date OPERATOR(pg_catalog.<) (wk.ws OPERATOR(pg_catalog.+) 7)), 0),
           coalesce((SELECT e.invoices FROM expected_in e
                      WHERE e.ws OPERATOR(pg_catalog.=) wk.ws
                        AND e.currency IS NOT DISTINCT FROM cur.currency
                        AND e.customer_id IS NOT DISTINCT FROM cur.customer_id), 0)
      FROM wk CROSS JOIN cur
      LEFT JOIN pg_temp.o2c_fc_pred p ON p.currency IS NOT DISTINCT FROM cur.currency
                 AND (NOT v_by_customer OR p.customer_id OPERATOR(pg_catalog.=) cur.customer_id)
     GROUP BY wk.ws, cur.currency, cur.customer_id
     ORDER BY 2, 3, 1;
END
$$;
COMMENT ON FUNCTION @extschema@.cash_forecast(text, text, date, integer, jsonb) IS
    'cash coming in per week from from_date for weeks weeks, per currency (and per customer with {"by_customer": true}): expected (each open invoice''s amount less open disputes, spread over the days its customer''s history and everyone''s say it may be paid on from from_date on, reweighted by the risk model''s late probability with options.risk_model, split exactly in the currency''s minor units; a promise''s day wins), early and late (the amounts on their p10 and p90 days: a scenario of everyone paying early or late, not a band of the sum), and the invoices with some of their amount expected that week; options also go to predict_payment_date';

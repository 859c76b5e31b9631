-- credit: credit limits, the customer's exposure, the credit check, the
-- order_guard trigger's holds and suggested limits (credit.c, guard.c).

CREATE TABLE @extschema@.credit_limit (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  text NOT NULL CHECK (pg_catalog.btrim(customer_id) OPERATOR(pg_catalog.<>) ''),
    currency     text NOT NULL CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$' AND @extschema@.currency_valid(currency)),
    credit_limit numeric NOT NULL CHECK (credit_limit OPERATOR(pg_catalog.>=) 0
                                         AND credit_limit OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    valid_from   date NOT NULL,
    valid_to     date,
    source       text NOT NULL DEFAULT 'manual' CHECK (source OPERATOR(pg_catalog.=) ANY ('{manual,suggested}'::text[])),
    note         text,
    reasons      text[],
    created_by   text NOT NULL DEFAULT CURRENT_USER,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT credit_limit_dates_check
        CHECK (pg_catalog.isfinite(valid_from) AND (valid_to IS NULL OR
               (pg_catalog.isfinite(valid_to) AND valid_to OPERATOR(pg_catalog.>=) valid_from)))
);
CREATE INDEX credit_limit_customer ON @extschema@.credit_limit (customer_id, currency, valid_from);
COMMENT ON TABLE @extschema@.credit_limit IS
    'credit limits per customer and currency over a validity period: manual rows are the limits checks use (two manual rows of one customer and currency never overlap in time); suggested rows, written by o2c.suggest_credit_limit, are proposals a credit manager accepts by inserting a manual row, and are never checked against';
COMMENT ON COLUMN @extschema@.credit_limit.customer_id IS 'the customer, as the source queries and the orders table name it (compared as text)';
COMMENT ON COLUMN @extschema@.credit_limit.currency IS 'the limit''s currency (ISO 4217, upper case): exposure is converted into it';
COMMENT ON COLUMN @extschema@.credit_limit.credit_limit IS 'the most the customer may owe, open orders included (0 allows nothing)';
COMMENT ON COLUMN @extschema@.credit_limit.valid_from IS 'first day the limit applies';
COMMENT ON COLUMN @extschema@.credit_limit.valid_to IS 'last day the limit applies (inclusive), NULL for open-ended';
COMMENT ON COLUMN @extschema@.credit_limit.source IS 'manual (set by a credit manager, used by checks) or suggested (by o2c.suggest_credit_limit, not used until accepted)';
COMMENT ON COLUMN @extschema@.credit_limit.reasons IS 'for suggested rows: how the amount was reached';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_id_seq', '');

-- No exclusion constraint (it would need btree_gist): a trigger refuses a
-- manual row overlapping another, serialized per customer and currency by a
-- transaction-level advisory lock so two sessions cannot both insert one.
CREATE FUNCTION @extschema@.credit_limit_check()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    other record;
BEGIN
    IF NOT pg_catalog.current_setting('check_function_bodies')::boolean THEN
        RETURN NEW;
    END IF;
    -- The CHECK constraints hold too; these say what is wrong in words.
    IF pg_catalog.btrim(NEW.customer_id) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'customer_id must not be blank' USING ERRCODE = '22023';
    END IF;
    IF NOT (NEW.currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$' AND @extschema@.currency_valid(NEW.currency)) THEN
        RAISE EXCEPTION 'unknown currency: "%"', pg_catalog.left(NEW.currency, 64)
            USING ERRCODE = '22023', HINT = 'Use an active ISO 4217 code in upper case, such as EUR, USD or JPY.';
    END IF;
    IF NEW.credit_limit OPERATOR(pg_catalog.<) 0
       OR NEW.credit_limit OPERATOR(pg_catalog.>=) 'Infinity'::pg_catalog.numeric THEN
        RAISE EXCEPTION 'credit limit % is not an amount of 0 or more', NEW.credit_limit USING ERRCODE = '22023';
    END IF;
    IF NEW.valid_to OPERATOR(pg_catalog.<) NEW.valid_from THEN
        RAISE EXCEPTION 'valid_to % is before valid_from %', NEW.valid_to, NEW.valid_from USING ERRCODE = '22023';
    END IF;
    IF NEW.source OPERATOR(pg_catalog.<>) 'manual' THEN
        RETURN NEW;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('o2c.credit_limit'),
        pg_catalog.hashtext(NEW.customer_id OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) NEW.currency));
    SELECT l.id, l.valid_from, l.valid_to INTO other
      FROM @extschema@.credit_limit l
     WHERE l.customer_id OPERATOR(pg_catalog.=) NEW.customer_id
       AND l.currency OPERATOR(pg_catalog.=) NEW.currency
       AND l.source OPERATOR(pg_catalog.=) 'manual'
       AND l.id OPERATOR(pg_catalog.<>) NEW.id
       AND l.valid_from OPERATOR(pg_catalog.<=) COALESCE(NEW.valid_to, 'infinity'::date)
       AND NEW.valid_from OPERATOR(pg_catalog.<=) COALESCE(l.valid_to, 'infinity'::date)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'credit limit for customer "%" in % overlaps limit % (% to %)',
                        pg_catalog.left(NEW.customer_id, 64), NEW.currency, other.id, other.valid_from,
                        COALESCE(other.valid_to::text, 'open')
            USING ERRCODE = '23P01',
                  HINT = 'End the current limit (set its valid_to) before the new one starts.';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_limit_check() IS
    'trigger on o2c.credit_limit: refuses a manual limit whose validity overlaps another manual limit of the same customer and currency (23P01); skipped while check_function_bodies is off (restores)';
CREATE TRIGGER credit_limit_overlap BEFORE INSERT OR UPDATE ON @extschema@.credit_limit
    FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_limit_check();

CREATE TABLE @extschema@.credit_policy (
    policy              text PRIMARY KEY DEFAULT 'default' CHECK (policy OPERATOR(pg_catalog.=) 'default'),
    overdue_days        integer DEFAULT 60 CHECK (overdue_days OPERATOR(pg_catalog.>=) 0),
    risk_model          text,
    risk_history_sql    text,
    risk_grade_floor    text NOT NULL DEFAULT 'E' CHECK (risk_grade_floor OPERATOR(pg_catalog.=) ANY ('{A,B,C,D,E}'::text[])),
    broken_promise_days integer DEFAULT 90 CHECK (broken_promise_days OPERATOR(pg_catalog.>=) 0),
    no_limit            text NOT NULL DEFAULT 'allow' CHECK (no_limit OPERATOR(pg_catalog.=) ANY ('{allow,block}'::text[])),
    CONSTRAINT credit_policy_risk_check CHECK ((risk_model IS NULL) OPERATOR(pg_catalog.=) (risk_history_sql IS NULL))
);
COMMENT ON TABLE @extschema@.credit_policy IS
    'the credit check''s policy (one row, named default; without it the column defaults apply): which reasons besides over_limit block an order';
COMMENT ON COLUMN @extschema@.credit_policy.overdue_days IS 'reason overdue: an open item more than this many days past due (NULL: never)';
COMMENT ON COLUMN @extschema@.credit_policy.risk_model IS 'reason risk_grade: the o2c.risk_model that grades the customer''s open receivables (NULL: never)';
COMMENT ON COLUMN @extschema@.credit_policy.risk_history_sql IS 'the payment history query the risk model scores with (set with risk_model)';
COMMENT ON COLUMN @extschema@.credit_policy.risk_grade_floor IS 'a customer whose worst open invoice grades at or below this (A best, E worst) is blocked';
COMMENT ON COLUMN @extschema@.credit_policy.broken_promise_days IS 'reason broken_promise: a promise to pay broken within this many days before the check (NULL: never)';
COMMENT ON COLUMN @extschema@.credit_policy.no_limit IS 'a customer without a manual limit on file: allow (no reason) or block (reason no_limit)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_policy', '');

CREATE TABLE @extschema@.credit_source (
    source text PRIMARY KEY CHECK (source OPERATOR(pg_catalog.=) ANY ('{receivables,orders,delivered}'::text[])),
    query  text NOT NULL,
    note   text
);
COMMENT ON TABLE @extschema@.credit_source IS
    'the inner queries exposure reads, registered once: receivables (customer_id, currency, open_amount, due_date; invoice_id, invoice_date and amount for a risk grade), orders (order_id, customer_id, currency, amount: open orders, held ones left out) and delivered (customer_id, currency, amount: delivered, not yet invoiced); a source without a row adds nothing';
COMMENT ON COLUMN @extschema@.credit_source.query IS 'a query returning the source''s columns (matched by name, checked when the row is written); it runs with the rights of whoever checks credit';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_source', '');

CREATE FUNCTION @extschema@.credit_source_columns(source text, query text)
RETURNS void
AS 'MODULE_PATHNAME', 'o2c_credit_source_columns'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.credit_source_columns(text, text) IS
    'checks that a credit source query (receivables, orders or delivered) has its required columns with usable types; an error names the missing or mistyped column';

CREATE FUNCTION @extschema@.credit_source_check()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_catalog.current_setting('check_function_bodies')::boolean THEN
        NEW.query := pg_catalog.rtrim(NEW.query, E'; \t\r\n');
        PERFORM @extschema@.credit_source_columns(NEW.source, NEW.query);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_source_check() IS
    'trigger on o2c.credit_source: drops trailing semicolons and checks the query''s columns when the row is written (skipped while check_function_bodies is off)';
CREATE TRIGGER credit_source_columns BEFORE INSERT OR UPDATE ON @extschema@.credit_source
    FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_source_check();

CREATE TABLE @extschema@.credit_hold (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    held_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source       text NOT NULL,
    order_id     text NOT NULL,
    order_column text NOT NULL,
    hold_column  text,
    customer_id  text NOT NULL,
    currency     text NOT NULL,
    amount       numeric NOT NULL,
    exposure     numeric,
    credit_limit numeric,
    limit_currency text,
    reasons      text[] NOT NULL,
    status       text NOT NULL DEFAULT 'waiting'
                 CHECK (status OPERATOR(pg_catalog.=) ANY ('{waiting,released,recorded}'::text[])),
    decided_by   text,
    decided_at   timestamptz,
    note         text
);
CREATE INDEX credit_hold_order ON @extschema@.credit_hold (source, order_id);
CREATE INDEX credit_hold_open ON @extschema@.credit_hold (held_at) WHERE status OPERATOR(pg_catalog.=) 'waiting';
COMMENT ON TABLE @extschema@.credit_hold IS
    'orders order_guard stopped: waiting (mode=hold, until o2c.release_hold), released, or recorded (mode=record: the order went through, the failed check is kept)';
COMMENT ON COLUMN @extschema@.credit_hold.source IS 'the orders table, schema-qualified';
COMMENT ON COLUMN @extschema@.credit_hold.order_id IS 'the order''s key, as text';
COMMENT ON COLUMN @extschema@.credit_hold.order_column IS 'the orders table''s key column (order_id= of the trigger)';
COMMENT ON COLUMN @extschema@.credit_hold.hold_column IS 'the orders table''s boolean hold column (hold= of the trigger), cleared by o2c.release_hold';
COMMENT ON COLUMN @extschema@.credit_hold.amount IS 'the order''s amount, in currency';
COMMENT ON COLUMN @extschema@.credit_hold.exposure IS 'the exposure before this order, in limit_currency';
COMMENT ON COLUMN @extschema@.credit_hold.reasons IS 'the credit check''s reasons: over_limit, overdue, risk_grade, broken_promise, no_limit';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold_id_seq', '');

-- The one definer-rights object here, as record_finding for invoice_guard:
-- a role that may write orders has its holds recorded without any right on
-- o2c.credit_hold. It inserts one row and does nothing else.
CREATE FUNCTION @extschema@.record_credit_hold(source text, order_id text, order_column text,
                                               hold_column text, customer_id text, currency text,
                                               amount numeric, exposure numeric, credit_limit numeric,
                                               limit_currency text, reasons text[], status text)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.credit_hold (source, order_id, order_column, hold_column, customer_id, currency,
                                         amount, exposure, credit_limit, limit_currency, reasons, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    RETURNING id
$$;
COMMENT ON FUNCTION @extschema@.record_credit_hold(text, text, text, text, text, text, numeric, numeric, numeric, text, text[], text) IS
    'inserts one row into o2c.credit_hold with the owner''s rights and returns its id (used by order_guard); does nothing else';

-- The query credit_state builds, run with its plan kept per backend and
-- text (credit_exec.c): planning it was most of a single order's check.
CREATE FUNCTION @extschema@.credit_state_run(query text, keep boolean, customer_ids text[], currencies text[],
                                             as_of date, exclude_orders text[], order_customers text[],
                                             order_currencies text[], order_amounts numeric[],
                                             broken_promise_days integer, overdue_days integer,
                                             risk_grade_floor text, block_no_limit boolean,
                                             any_limit_currency boolean)
RETURNS TABLE (customer_id text, currency text, credit_limit numeric, receivables numeric,
               open_orders numeric, delivered numeric, exposure numeric, days_overdue integer,
               risk_grade text, broken_promises integer, blocks text[])
AS 'MODULE_PATHNAME', 'o2c_credit_state_run'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.credit_state_run(text, boolean, text[], text[], date, text[], text[], text[], numeric[], integer, integer, text, boolean, boolean) IS
    'internal: runs the query o2c.credit_state builds from the credit sources with parameters $1 to $12 (the arguments after keep), its plan kept for the backend when keep is true; with the caller''s rights';

-- The state of each customer a check is about, in one pass over each
-- source. Not for direct use: credit_exposure, credit_check and order_guard
-- call it. customer_ids[i] is expressed in currencies[i] when it has no
-- manual limit on as_of (in the limit's currency otherwise). Open orders
-- leave out exclude_orders, or, when order_customers is not NULL, are the
-- sums given (the statement form of order_guard reads them itself, leaving
-- out the statement's own rows). With any_limit_currency false only a
-- limit in the currency asked for counts. blocks lists the reasons other
-- than over_limit.
CREATE FUNCTION @extschema@.credit_state(customer_ids text[], currencies text[], as_of date,
                                         exclude_orders text[], order_customers text[],
                                         order_currencies text[], order_amounts numeric[],
                                         any_limit_currency boolean)
RETURNS TABLE (customer_id text, currency text, credit_limit numeric, receivables numeric,
               open_orders numeric, delivered numeric, exposure numeric, days_overdue integer,
               risk_grade text, broken_promises integer, blocks text[])
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
AS $$
DECLARE
    pol    @extschema@.credit_policy;
    q      text;
    recv   text := 'SELECT NULL::text AS id, 0::pg_catalog.numeric AS amount, NULL::integer AS days WHERE false';
    ords   text := 'SELECT NULL::text AS id, 0::pg_catalog.numeric AS amount WHERE false';
    dlvd   text := 'SELECT NULL::text AS id, 0::pg_catalog.numeric AS amount WHERE false';
    risk   text := 'SELECT NULL::text AS id, NULL::text AS grade WHERE false';
    v_live boolean;
    -- Kept for checks of a few customers (an order, a credit_check); a
    -- statement's thousands are planned for their own count, and a risk
    -- query, which names the customers, for its call alone.
    v_keep boolean := COALESCE(pg_catalog.cardinality(customer_ids), 0) OPERATOR(pg_catalog.<=) 100;
BEGIN
    IF as_of IS NULL OR NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date' USING ERRCODE = '22008';
    END IF;
    IF pg_catalog.cardinality(customer_ids) OPERATOR(pg_catalog.<>) pg_catalog.cardinality(currencies) THEN
        RAISE EXCEPTION 'customer_ids and currencies differ in length' USING ERRCODE = '2202E';
    END IF;
    SELECT * INTO pol FROM @extschema@.credit_policy p WHERE p.policy OPERATOR(pg_catalog.=) 'default';
    IF NOT FOUND THEN
        pol := ROW('default', 60, NULL, NULL, 'E', 90, 'allow')::@extschema@.credit_policy;
    END IF;

    -- Each source is read once, joined to the customers asked about, each
    -- amount converted into the customer's limit currency on as_of.
    SELECT s.query INTO q FROM @extschema@.credit_source s WHERE s.source OPERATOR(pg_catalog.=) 'receivables';
    -- Without a receivables source, the live ledger named default when one
    -- is tracked: its balances are the open receivables, kept by its triggers.
    v_live := NOT FOUND AND EXISTS (SELECT 1 FROM @extschema@.ledger_state l
                                     WHERE l.ledger OPERATOR(pg_catalog.=) 'default');
    IF v_live THEN
        q := 'SELECT b.customer_id, b.currency, b.open_amount, b.due_date FROM @extschema@.ledger_balances(''default'') b';
    END IF;
    IF q IS NOT NULL THEN
        recv := pg_catalog.format(
            'SELECT c.id, pg_catalog.sum(CASE WHEN q.currency::text OPERATOR(pg_catalog.=) c.cur THEN q.open_amount::pg_catalog.numeric
                                        ELSE @extschema@.convert(q.open_amount::pg_catalog.numeric, q.currency::text, c.cur, $3) END) AS amount,
                    pg_catalog.max(CASE WHEN q.open_amount OPERATOR(pg_catalog.>) 0 THEN $3 OPERATOR(pg_catalog.-) q.due_date END) AS days
               FROM (%s) q JOIN c ON c.id OPERATOR(pg_catalog.=) q.customer_id::text GROUP BY c.id', q);
        -- (The live ledger's balances carry no invoices to grade.)
        IF pol.risk_model IS NOT NULL AND NOT v_live THEN
            -- The customer's grade: the worst of its open invoices' grades.
            v_keep := false;
            risk := pg_catalog.format(
                'SELECT s.customer_id AS id, pg_catalog.max(s.grade) AS grade
                   FROM @extschema@.risk_score(%L, %L, %L, $3) s GROUP BY s.customer_id',
                pol.risk_model, pol.risk_history_sql,
                pg_catalog.format('SELECT * FROM (%s) q WHERE q.customer_id::text OPERATOR(pg_catalog.=) ANY (%L::text[]) AND q.open_amount OPERATOR(pg_catalog.>) 0',
                                  q, customer_ids));
        END IF;
    END IF;
    IF order_customers IS NOT NULL THEN
        ords := 'SELECT c.id, pg_catalog.sum(CASE WHEN o.cur OPERATOR(pg_catalog.=) c.cur THEN o.amount ELSE @extschema@.convert(o.amount, o.cur, c.cur, $3) END) AS amount
                   FROM ROWS FROM (pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7)) AS o(id, cur, amount) JOIN c ON c.id OPERATOR(pg_catalog.=) o.id GROUP BY c.id';
    ELSE
        SELECT s.query INTO q FROM @extschema@.credit_source s WHERE s.source OPERATOR(pg_catalog.=) 'orders';
        IF FOUND THEN
            ords := pg_catalog.format(
                'SELECT c.id, pg_catalog.sum(CASE WHEN q.currency::text OPERATOR(pg_catalog.=) c.cur THEN q.amount::pg_catalog.numeric
                                        ELSE @extschema@.convert(q.amount::pg_catalog.numeric, q.currency::text, c.cur, $3) END) AS amount
                   FROM (%s) q JOIN c ON c.id OPERATOR(pg_catalog.=) q.customer_id::text
                  WHERE q.order_id::text OPERATOR(pg_catalog.<>) ALL ($4) GROUP BY c.id', q);
        END IF;
    END IF;
    SELECT s.query INTO q FROM @extschema@.credit_source s WHERE s.source OPERATOR(pg_catalog.=) 'delivered';
    IF FOUND THEN
        dlvd := pg_catalog.format(
            'SELECT c.id, pg_catalog.sum(CASE WHEN q.currency::text OPERATOR(pg_catalog.=) c.cur THEN q.amount::pg_catalog.numeric
                                        ELSE @extschema@.convert(q.amount::pg_catalog.numeric, q.currency::text, c.cur, $3) END) AS amount
               FROM (%s) q JOIN c ON c.id OPERATOR(pg_catalog.=) q.customer_id::text GROUP BY c.id', q);
    END IF;

    RETURN QUERY SELECT * FROM @extschema@.credit_state_run(pg_catalog.format($q$
        WITH c AS MATERIALIZED (
            -- The limit: the manual one valid on as_of in the currency asked
            -- for, else the customer's other valid manual limit (first by
            -- currency).
            SELECT DISTINCT ON (a.id COLLATE "C") a.id, COALESCE(l.currency, pg_catalog.upper(a.cur)) AS cur,
                   l.credit_limit
              FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS a(id, cur)
              LEFT JOIN @extschema@.credit_limit l
                ON l.customer_id OPERATOR(pg_catalog.=) a.id AND l.source OPERATOR(pg_catalog.=) 'manual'
               AND ($12 OR l.currency OPERATOR(pg_catalog.=) pg_catalog.upper(a.cur))
               AND l.valid_from OPERATOR(pg_catalog.<=) $3
               AND $3 OPERATOR(pg_catalog.<=) COALESCE(l.valid_to, 'infinity'::date)
             WHERE a.id IS NOT NULL
             ORDER BY a.id COLLATE "C", (l.currency OPERATOR(pg_catalog.=) pg_catalog.upper(a.cur)) DESC NULLS LAST, l.currency),
        r AS (%s), o AS (%s), d AS (%s), g AS (%s),
        p AS (SELECT p.customer_id AS id, pg_catalog.count(*)::integer AS n
                FROM @extschema@.promise p
               WHERE $8 IS NOT NULL AND p.customer_id OPERATOR(pg_catalog.=) ANY ($1)
                 AND p.status OPERATOR(pg_catalog.=) 'broken'
                 AND p.decided_on OPERATOR(pg_catalog.<=) $3
                 AND p.decided_on OPERATOR(pg_catalog.>=) ($3 OPERATOR(pg_catalog.-) $8)
               GROUP BY p.customer_id)
        SELECT c.id, c.cur, c.credit_limit,
               COALESCE(r.amount, 0), COALESCE(o.amount, 0), COALESCE(d.amount, 0),
               COALESCE(r.amount, 0) OPERATOR(pg_catalog.+) COALESCE(o.amount, 0)
                   OPERATOR(pg_catalog.+) COALESCE(d.amount, 0),
               r.days, g.grade, COALESCE(p.n, 0),
               pg_catalog.array_remove(ARRAY[
                   CASE WHEN r.days OPERATOR(pg_catalog.>) $9 THEN 'overdue' END,
                   CASE WHEN g.grade OPERATOR(pg_catalog.>=) $10 THEN 'risk_grade' END,
                   CASE WHEN p.n OPERATOR(pg_catalog.>) 0 THEN 'broken_promise' END,
                   CASE WHEN c.credit_limit IS NULL AND $11 THEN 'no_limit' END], NULL)
          FROM c LEFT JOIN r ON r.id OPERATOR(pg_catalog.=) c.id LEFT JOIN o ON o.id OPERATOR(pg_catalog.=) c.id
                 LEFT JOIN d ON d.id OPERATOR(pg_catalog.=) c.id LEFT JOIN g ON g.id OPERATOR(pg_catalog.=) c.id
                 LEFT JOIN p ON p.id OPERATOR(pg_catalog.=) c.id$q$, recv, ords, dlvd, risk),
        v_keep, customer_ids, currencies, as_of, COALESCE(exclude_orders, '{}'::text[]),
        order_customers, order_currencies, order_amounts, pol.broken_promise_days,
        pol.overdue_days, pol.risk_grade_floor, pol.no_limit OPERATOR(pg_catalog.=) 'block', any_limit_currency);
END
$$;
COMMENT ON FUNCTION @extschema@.credit_state(text[], text[], date, text[], text[], text[], numeric[], boolean) IS
    'internal (credit_exposure, credit_check and order_guard): per customer the limit on as_of, receivables, open orders and delivered-not-invoiced in the limit''s currency, days overdue, risk grade, broken promises and the policy''s blocking reasons';

CREATE FUNCTION @extschema@.credit_exposure(customer_id text, currency text, as_of date)
RETURNS TABLE (receivables numeric, open_orders numeric, delivered numeric,
               exposure numeric, credit_limit numeric)
LANGUAGE plpgsql VOLATILE STRICT PARALLEL RESTRICTED
AS $$
BEGIN
    IF pg_catalog.btrim(customer_id) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'customer_id must not be blank' USING ERRCODE = '22023';
    END IF;
    IF NOT @extschema@.currency_valid(currency) THEN
        RAISE EXCEPTION 'unknown currency: "%"', pg_catalog.left(currency, 64)
            USING ERRCODE = '22023', HINT = 'Use an active ISO 4217 code such as EUR, USD or JPY.';
    END IF;
    RETURN QUERY
    SELECT s.receivables, s.open_orders, s.delivered, s.exposure, s.credit_limit
      FROM @extschema@.credit_state(ARRAY[customer_id], ARRAY[currency], as_of,
                                    NULL, NULL, NULL, NULL, false) s;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_exposure(text, text, date) IS
    'what the customer owes or has ordered on as_of, in currency: open receivables, open orders and delivered-not-invoiced from the o2c.credit_source queries (receivables from the live ledger named default when no receivables source is registered and that ledger is tracked; other currencies converted with o2c.convert on as_of), their sum, and the manual limit in that currency';

CREATE FUNCTION @extschema@.credit_exposure(customer_id text, currency text)
RETURNS TABLE (receivables numeric, open_orders numeric, delivered numeric,
               exposure numeric, credit_limit numeric)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
AS $$ SELECT * FROM @extschema@.credit_exposure($1, $2, CURRENT_DATE) $$;
COMMENT ON FUNCTION @extschema@.credit_exposure(text, text) IS
    'credit_exposure(customer_id, currency, as_of) on the current date';

CREATE FUNCTION @extschema@.credit_check(customer_id text, amount numeric, currency text, as_of date)
RETURNS TABLE (ok boolean, exposure numeric, credit_limit numeric, headroom numeric,
               reasons text[], limit_currency text)
LANGUAGE plpgsql VOLATILE STRICT PARALLEL RESTRICTED
AS $$
DECLARE
    s   record;
    amt numeric;
BEGIN
    IF pg_catalog.btrim(customer_id) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'customer_id must not be blank' USING ERRCODE = '22023';
    END IF;
    IF NOT @extschema@.currency_valid(currency) THEN
        RAISE EXCEPTION 'unknown currency: "%"', pg_catalog.left(currency, 64)
            USING ERRCODE = '22023', HINT = 'Use an active ISO 4217 code such as EUR, USD or JPY.';
    END IF;
    IF amount OPERATOR(pg_catalog.=) 'NaN'::numeric OR amount OPERATOR(pg_catalog.<) 0
       OR amount OPERATOR(pg_catalog.=) 'Infinity'::numeric THEN
        RAISE EXCEPTION 'amount % is not an order amount', amount
            USING ERRCODE = '22023', HINT = 'An order amount is finite and not negative.';
    END IF;
    SELECT * INTO s FROM @extschema@.credit_state(ARRAY[customer_id], ARRAY[currency], as_of,
                                                  NULL, NULL, NULL, NULL, true);
    amt := @extschema@.convert(amount, pg_catalog.upper(currency), s.currency, as_of);
    ok := true;
    exposure := s.exposure;
    credit_limit := s.credit_limit;
    headroom := s.credit_limit OPERATOR(pg_catalog.-) s.exposure OPERATOR(pg_catalog.-) amt;
    reasons := s.blocks;
    IF headroom OPERATOR(pg_catalog.<) 0 THEN
        reasons := ARRAY['over_limit'] OPERATOR(pg_catalog.||) reasons;
    END IF;
    ok := pg_catalog.cardinality(reasons) OPERATOR(pg_catalog.=) 0;
    limit_currency := s.currency;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_check(text, numeric, text, date) IS
    'may the customer order amount in currency on as_of: ok, the exposure before it and the manual limit (in limit_currency, the amount converted on as_of), headroom left after it, and reasons: over_limit, overdue, risk_grade, broken_promise, no_limit (as o2c.credit_policy sets them)';

CREATE FUNCTION @extschema@.credit_check(customer_id text, amount numeric, currency text)
RETURNS TABLE (ok boolean, exposure numeric, credit_limit numeric, headroom numeric,
               reasons text[], limit_currency text)
LANGUAGE sql VOLATILE STRICT PARALLEL RESTRICTED
AS $$ SELECT * FROM @extschema@.credit_check($1, $2, $3, CURRENT_DATE) $$;
COMMENT ON FUNCTION @extschema@.credit_check(text, numeric, text) IS
    'credit_check(customer_id, amount, currency, as_of) on the current date';

CREATE FUNCTION @extschema@.order_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'o2c_order_guard'
LANGUAGE C;
COMMENT ON FUNCTION @extschema@.order_guard() IS
    'trigger for orders tables: arguments order_id=, customer_id=, amount=, currency=, hold= (a boolean column) and mode=hold|reject|record; checks each order as o2c.credit_check does, serialized per customer by a transaction-level advisory lock. BEFORE INSERT OR UPDATE FOR EACH ROW, or AFTER INSERT (or UPDATE) REFERENCING NEW TABLE ... FOR EACH STATEMENT (keeps COPY batched)';

CREATE FUNCTION @extschema@.release_hold(hold_id bigint, decided_by text, note text)
RETURNS @extschema@.credit_hold
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    h @extschema@.credit_hold;
BEGIN
    IF hold_id IS NULL OR decided_by IS NULL OR pg_catalog.btrim(decided_by) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'hold_id and decided_by must be given' USING ERRCODE = '22004';
    END IF;
    SELECT * INTO h FROM @extschema@.credit_hold c WHERE c.id OPERATOR(pg_catalog.=) hold_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credit hold % does not exist', hold_id USING ERRCODE = 'P0002';
    END IF;
    IF h.status OPERATOR(pg_catalog.<>) 'waiting' THEN
        RAISE EXCEPTION 'credit hold % is %, not waiting', hold_id, h.status
            USING ERRCODE = '55000', DETAIL = pg_catalog.format('Decided by %s.', h.decided_by);
    END IF;
    UPDATE @extschema@.credit_hold c
       SET status = 'released', decided_by = release_hold.decided_by, decided_at = pg_catalog.now(),
           note = release_hold.note
     WHERE c.id OPERATOR(pg_catalog.=) hold_id
    RETURNING * INTO h;
    -- Clear the order's hold column; order_guard lets an order through
    -- whose hold was released (up to the amount held).
    IF h.hold_column IS NOT NULL THEN
        EXECUTE pg_catalog.format('UPDATE %s SET %I = false WHERE %I::text OPERATOR(pg_catalog.=) $1',
                                  h.source::pg_catalog.regclass, h.hold_column, h.order_column)
        USING h.order_id;
    END IF;
    RETURN h;
END
$$;
COMMENT ON FUNCTION @extschema@.release_hold(bigint, text, text) IS
    'a credit manager releases a waiting hold: the hold is marked released (who, when, why) and the order''s hold column cleared, with the caller''s rights on the orders table';

CREATE VIEW @extschema@.credit_hold_waiting AS
SELECT h.id, h.held_at,
       (CURRENT_DATE OPERATOR(pg_catalog.-) (h.held_at)::date) AS days_waiting,
       h.source, h.order_id, h.customer_id, h.currency, h.amount, h.exposure, h.credit_limit,
       h.limit_currency, h.reasons
  FROM @extschema@.credit_hold h
 WHERE h.status OPERATOR(pg_catalog.=) 'waiting'
 ORDER BY h.held_at, h.id;
COMMENT ON VIEW @extschema@.credit_hold_waiting IS
    'holds waiting for a credit manager, oldest first, with the days each has waited';

CREATE FUNCTION @extschema@.suggest_credit_limit(customers_sql text, history_sql text, as_of date)
RETURNS TABLE (customer_id text, currency text, credit_limit numeric, reasons text[])
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
    pol   @extschema@.credit_policy;
    r     record;
    grade text;
    f     numeric;
    base  numeric;
BEGIN
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date' USING ERRCODE = '22008';
    END IF;
    SELECT * INTO pol FROM @extschema@.credit_policy p WHERE p.policy OPERATOR(pg_catalog.=) 'default';
    FOR r IN EXECUTE pg_catalog.format($q$
        WITH c AS (SELECT DISTINCT q.customer_id::text AS id, pg_catalog.upper(q.currency::text) AS cur FROM (%s) q),
             h AS (SELECT q.customer_id::text AS id, q.invoice_id::text AS invoice_id, q.invoice_date, q.due_date,
                          q.amount::pg_catalog.numeric AS amount, q.paid_on, q.currency::text AS cur
                     FROM (%s) q
                    WHERE q.invoice_date OPERATOR(pg_catalog.>) ($1 OPERATOR(pg_catalog.-) 365)
                      AND q.invoice_date OPERATOR(pg_catalog.<=) $1)
        SELECT c.id, c.cur,
               COALESCE(pg_catalog.sum(@extschema@.convert(h.amount, h.cur, c.cur, $1)), 0)
                   OPERATOR(pg_catalog./) 12 AS monthly,
               pg_catalog.sum(h.amount OPERATOR(pg_catalog.*) GREATEST(h.paid_on OPERATOR(pg_catalog.-) h.due_date, 0))
                   FILTER (WHERE h.paid_on OPERATOR(pg_catalog.<=) $1)
                   OPERATOR(pg_catalog./) NULLIF(pg_catalog.sum(h.amount) FILTER (WHERE h.paid_on OPERATOR(pg_catalog.<=) $1), 0) AS days_late,
               pg_catalog.count(h.id) AS invoices
          FROM c LEFT JOIN h ON h.id OPERATOR(pg_catalog.=) c.id
         GROUP BY c.id, c.cur ORDER BY c.id, c.cur$q$, customers_sql, history_sql) USING as_of
    LOOP
        IF r.id IS NULL OR r.cur IS NULL OR NOT @extschema@.currency_valid(r.cur) THEN
            RAISE EXCEPTION 'customers_sql returned customer % with currency %', pg_catalog.quote_nullable(r.id),
                            pg_catalog.quote_nullable(r.cur)
                USING ERRCODE = '22023', HINT = 'customers_sql has customer_id and currency: an active ISO 4217 code.';
        END IF;
        customer_id := r.id;
        currency := r.cur;
        base := pg_catalog.round(r.monthly OPERATOR(pg_catalog.*) 2, 2);
        reasons := ARRAY[pg_catalog.format('average monthly purchases %s %s over the 12 months to %s (%s invoices): two months is %s',
                                           pg_catalog.round(r.monthly, 2), r.cur, as_of, r.invoices, base)];
        f := CASE WHEN r.days_late IS NULL OR r.days_late OPERATOR(pg_catalog.<=) 5 THEN 1
                  WHEN r.days_late OPERATOR(pg_catalog.<=) 15 THEN 0.75
                  WHEN r.days_late OPERATOR(pg_catalog.<=) 30 THEN 0.5 ELSE 0.25 END;
        reasons := reasons OPERATOR(pg_catalog.||) CASE WHEN r.days_late IS NULL
            THEN 'no paid invoices to judge days beyond terms: x1'
            ELSE pg_catalog.format('paid %s days beyond terms on average (amount-weighted): x%s',
                                   pg_catalog.round(r.days_late, 1), f) END;
        grade := NULL;
        IF pol.risk_model IS NOT NULL THEN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.max(s.grade) FROM @extschema@.risk_score(%L, %L, %L, $1) s',
                pol.risk_model, history_sql,
                pg_catalog.format('SELECT * FROM (%s) q WHERE q.customer_id::text OPERATOR(pg_catalog.=) %L AND (q.paid_on IS NULL OR q.paid_on OPERATOR(pg_catalog.>) %L::date) AND q.invoice_date OPERATOR(pg_catalog.<=) %L::date',
                                  history_sql, r.id, as_of, as_of))
            INTO grade USING as_of;
            IF grade IS NOT NULL THEN
                f := f OPERATOR(pg_catalog.*) CASE grade WHEN 'C' THEN 0.75 WHEN 'D' THEN 0.5 WHEN 'E' THEN 0.25 ELSE 1 END;
                reasons := reasons OPERATOR(pg_catalog.||) pg_catalog.format('risk grade %s (model %s): x%s', grade, pol.risk_model,
                    CASE grade WHEN 'C' THEN 0.75 WHEN 'D' THEN 0.5 WHEN 'E' THEN 0.25 ELSE 1 END);
            END IF;
        END IF;
        credit_limit := pg_catalog.floor(base OPERATOR(pg_catalog.*) f OPERATOR(pg_catalog./) 100) OPERATOR(pg_catalog.*) 100;
        reasons := reasons OPERATOR(pg_catalog.||) pg_catalog.format('suggested %s %s (rounded down to a hundred)', credit_limit, r.cur);
        DELETE FROM @extschema@.credit_limit l
         WHERE l.customer_id OPERATOR(pg_catalog.=) r.id AND l.currency OPERATOR(pg_catalog.=) r.cur
           AND l.source OPERATOR(pg_catalog.=) 'suggested' AND l.valid_from OPERATOR(pg_catalog.=) as_of;
        INSERT INTO @extschema@.credit_limit (customer_id, currency, credit_limit, valid_from, source, note, reasons)
        VALUES (r.id, r.cur, suggest_credit_limit.credit_limit, as_of, 'suggested',
                'suggested by o2c.suggest_credit_limit', suggest_credit_limit.reasons);
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.suggest_credit_limit(text, text, date) IS
    'suggests a limit per customer and currency of customers_sql from history_sql (invoice_id, customer_id, invoice_date, due_date, amount, currency, paid_on): two months of average purchases over the last 12, times 1, 0.75, 0.5 or 0.25 for days beyond terms, times a factor for the policy risk model''s grade, rounded down to a hundred; written as suggested rows of o2c.credit_limit (replacing the same day''s) with the reasons';

-- live aging: o2c.ledger_track keeps per-due-date open balances and a
-- per-customer bucket summary of the tracked invoices and settlements tables
-- up to date in the writing transaction; o2c.live_aging reads them
-- (live_trigger.c, live_sql.c). o2c.ledger_roll moves the summary to a new
-- day; o2c.ledger_rebuild recomputes both from the tracked tables.

-- Text keys sort as COLLATE "C": cheaper to index, and the one order in
-- which every writer locks them.
CREATE TABLE @extschema@.ledger_state (
    ledger    text COLLATE "C" PRIMARY KEY,
    as_of     date NOT NULL,
    rolled_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE @extschema@.ledger_state IS
    'one row per live ledger: the date o2c.ledger_aging is bucketed as of (moved by o2c.ledger_roll); the tracking triggers read it FOR SHARE (an insert of invoices without a lock), the roll and o2c.ledger_compact take it FOR UPDATE';
COMMENT ON COLUMN @extschema@.ledger_state.as_of IS 'the date the summary in o2c.ledger_aging is aged as of';
COMMENT ON COLUMN @extschema@.ledger_state.rolled_at IS 'when the summary was last rolled or rebuilt';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_state', '');

-- Due date second in the key: the daily roll reads the rows whose due dates
-- cross a bucket edge.
CREATE TABLE @extschema@.ledger_balance (
    ledger      text COLLATE "C" NOT NULL,
    customer_id text COLLATE "C" NOT NULL,
    currency    text COLLATE "C" NOT NULL,
    due_date    date NOT NULL,
    open_amount numeric NOT NULL,
    items       bigint NOT NULL,
    PRIMARY KEY (ledger, due_date, customer_id, currency)
);
COMMENT ON TABLE @extschema@.ledger_balance IS
    'open amount of the tracked invoices (amount less all their settlements) per ledger, customer, currency and due date, kept by o2c.ledger_track; with the pending rows of o2c.ledger_delta added, the ledger''s balances (o2c.ledger_roll and o2c.ledger_compact fold them in and remove rows with no open invoice)';
COMMENT ON COLUMN @extschema@.ledger_balance.open_amount IS 'exact sum of the open amounts of the invoices due that day (negative: credit balances)';
COMMENT ON COLUMN @extschema@.ledger_balance.items IS 'invoices due that day whose open amount is not 0';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_balance', '');

CREATE TABLE @extschema@.ledger_delta (
    ledger   text COLLATE "C" NOT NULL,
    chunk    bigint NOT NULL,
    part     integer NOT NULL,
    added_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    rows     bigint NOT NULL,
    data     bytea NOT NULL,
    PRIMARY KEY (ledger, chunk, part)
);
-- Written once per part of an inserted chunk, read rarely: not worth compressing.
ALTER TABLE @extschema@.ledger_delta ALTER COLUMN data SET STORAGE EXTERNAL;
-- A queue: compaction deletes what loads append. The pages vacuum frees are
-- kept for the next loads rather than cut off and added again; a new page
-- takes a buffer that a write must often free first (make bench: a COPY of
-- a million invoices writes 10 MB of chunks).
ALTER TABLE @extschema@.ledger_delta SET (vacuum_truncate = false, toast.vacuum_truncate = false);
COMMENT ON TABLE @extschema@.ledger_delta IS
    'changes from inserted invoices not yet folded into o2c.ledger_balance and o2c.ledger_aging: one chunk per INSERT or COPY, written as parts of about 96 kB (compact binary, read by o2c.ledger_delta_rows, o2c.ledger_pending_summary and o2c.ledger_pending_balances); folded in by o2c.ledger_compact (and so by o2c.ledger_roll)';
COMMENT ON COLUMN @extschema@.ledger_delta.chunk IS 'the statement that wrote it (o2c.ledger_delta_chunk)';
COMMENT ON COLUMN @extschema@.ledger_delta.part IS 'its place in the chunk, from 0: a part needs the customers listed by the parts before it';
COMMENT ON COLUMN @extschema@.ledger_delta.rows IS 'invoices in the part';
COMMENT ON COLUMN @extschema@.ledger_delta.data IS 'per invoice: customer, currency, due date, amount (o2c.ledger_delta_rows)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_delta', '');
CREATE SEQUENCE @extschema@.ledger_delta_chunk;
COMMENT ON SEQUENCE @extschema@.ledger_delta_chunk IS 'numbers the chunks of o2c.ledger_delta, one per statement';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_delta_chunk', '');

CREATE TABLE @extschema@.ledger_aging (
    ledger          text COLLATE "C" NOT NULL,
    customer_id     text COLLATE "C" NOT NULL,
    currency        text COLLATE "C" NOT NULL,
    current         numeric NOT NULL,
    d1_30           numeric NOT NULL,
    d31_60          numeric NOT NULL,
    d61_90          numeric NOT NULL,
    d91_plus        numeric NOT NULL,
    total           numeric NOT NULL,
    overdue         numeric NOT NULL,
    items           bigint NOT NULL,
    avg_days_past_due numeric,
    overdue_due_sum numeric NOT NULL,
    PRIMARY KEY (ledger, customer_id, currency)
);
COMMENT ON TABLE @extschema@.ledger_aging IS
    'the five aging buckets of o2c.ledger_balance per ledger, customer and currency as of o2c.ledger_state.as_of, kept by o2c.ledger_track and o2c.ledger_roll; read by o2c.live_aging';
COMMENT ON COLUMN @extschema@.ledger_aging.items IS 'invoices whose open amount is not 0';
COMMENT ON COLUMN @extschema@.ledger_aging.avg_days_past_due IS 'as o2c.aging computes it, as of the ledger''s state date (recomputed by each roll)';
COMMENT ON COLUMN @extschema@.ledger_aging.overdue_due_sum IS
    'sum over the overdue balances of open_amount * (due_date - 2000-01-01): with overdue, gives the amount-weighted days past due as of any date without touching every row each day';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.ledger_aging', '');

-- Amount-weighted days past due of the overdue items as of a date, from the
-- overdue total and sum(open * (due - 2000-01-01)); rounded half away from
-- zero, exactly, as o2c.aging rounds.
CREATE FUNCTION @extschema@.ledger_avg(overdue numeric, overdue_due_sum numeric, as_of date)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_ledger_avg'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_avg(numeric, numeric, date) IS
    'internal: avg_days_past_due of o2c.ledger_aging from its overdue total and overdue_due_sum as of a date (NULL unless overdue > 0)';

CREATE FUNCTION @extschema@.ledger_track()
RETURNS trigger
AS 'MODULE_PATHNAME', 'o2c_ledger_track'
LANGUAGE C SECURITY INVOKER;
COMMENT ON FUNCTION @extschema@.ledger_track() IS
    'statement trigger (AFTER INSERT, UPDATE, DELETE with transition tables, and AFTER TRUNCATE) keeping o2c.ledger_balance and o2c.ledger_aging for a tracked invoices table (role=invoices) or settlements table (role=settlements, invoices=TABLE); arguments key=value: role, ledger, invoice_id, customer_id, due_date, amount, currency, invoices';

CREATE FUNCTION @extschema@.ledger_delta_rows(ledger text DEFAULT 'default')
RETURNS TABLE (customer_id text, currency text, due_date date, open_amount numeric, items bigint)
AS 'MODULE_PATHNAME', 'o2c_ledger_delta_rows'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_delta_rows(text) IS
    'the balance changes of the inserts a live ledger has not folded in yet (o2c.ledger_delta.data), one row per invoice inserted';

CREATE FUNCTION @extschema@.ledger_pending_summary(ledger text DEFAULT 'default')
RETURNS TABLE (as_of date, customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint,
               overdue_due_sum numeric)
AS 'MODULE_PATHNAME', 'o2c_ledger_pending_summary'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_pending_summary(text) IS
    'the inserts a live ledger has not folded in yet (the rows of o2c.ledger_delta) in the buckets of o2c.ledger_aging as of its state date: one row per customer and currency with an open item, in key order';

CREATE FUNCTION @extschema@.ledger_pending_balances(ledger text DEFAULT 'default')
RETURNS TABLE (customer_id text, currency text, due_date date, open_amount numeric, items bigint)
AS 'MODULE_PATHNAME', 'o2c_ledger_pending_balances'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_pending_balances(text) IS
    'the balance changes of the inserts a live ledger has not folded in yet (o2c.ledger_delta.data), summed per customer, currency and due date, in that order';

-- The same two over the chunks listed: what o2c.ledger_compact has read
-- (each of its statements sees the chunks committed when it starts).
CREATE FUNCTION @extschema@.ledger_pending_summary(ledger text, chunks bigint[])
RETURNS TABLE (as_of date, customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint,
               overdue_due_sum numeric)
AS 'MODULE_PATHNAME', 'o2c_ledger_pending_summary'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_pending_summary(text, bigint[]) IS
    'o2c.ledger_pending_summary over the listed chunks of o2c.ledger_delta only (o2c.ledger_compact folds what it has read)';

CREATE FUNCTION @extschema@.ledger_pending_balances(ledger text, chunks bigint[])
RETURNS TABLE (customer_id text, currency text, due_date date, open_amount numeric, items bigint)
AS 'MODULE_PATHNAME', 'o2c_ledger_pending_balances'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ledger_pending_balances(text, bigint[]) IS
    'o2c.ledger_pending_balances over the listed chunks of o2c.ledger_delta only (o2c.ledger_compact folds what it has read)';

-- The balances with the pending deltas, unmerged: an SQL function of one
-- query, inlined into its caller's plan.
CREATE FUNCTION @extschema@.ledger_balances(ledger text DEFAULT 'default')
RETURNS TABLE (customer_id text, currency text, due_date date, open_amount numeric, items bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT x.customer_id, x.currency, x.due_date, x.open_amount, x.items
      FROM @extschema@.ledger_balance x
     WHERE x.ledger OPERATOR(pg_catalog.=) $1
    UNION ALL
    SELECT r.customer_id, r.currency, r.due_date, r.open_amount, r.items
      FROM @extschema@.ledger_delta_rows($1) r
$$;
COMMENT ON FUNCTION @extschema@.ledger_balances(text) IS
    'a live ledger''s open balances per customer, currency and due date: the rows of o2c.ledger_balance and the pending rows of o2c.ledger_delta, unmerged (a key may appear more than once: sum open_amount and items by it)';

-- Fold the pending deltas into the balances (the caller may hold the state
-- row FOR UPDATE already; taking it again is harmless). Inserts of invoices
-- do not wait for it: it folds and deletes the chunks committed when it
-- lists them, and leaves those committed since for the next one.
CREATE FUNCTION @extschema@.ledger_compact(ledger text DEFAULT 'default')
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ca text[];
    ka text[];
    da date[];
    n bigint;
    state_as_of date;
    chunks bigint[];
BEGIN
    IF ledger IS NULL THEN
        RAISE EXCEPTION 'ledger must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT s.as_of INTO state_as_of FROM @extschema@.ledger_state s
     WHERE s.ledger OPERATOR(pg_catalog.=) ledger_compact.ledger FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown ledger: "%"', pg_catalog.left(ledger, 64) USING ERRCODE = 'P0002',
            HINT = 'A ledger is created by the first write to a table with an o2c.ledger_track trigger, or by o2c.ledger_rebuild.';
    END IF;
    SELECT pg_catalog.array_agg(DISTINCT x.chunk) INTO chunks FROM @extschema@.ledger_delta x
     WHERE x.ledger OPERATOR(pg_catalog.=) ledger_compact.ledger;
    IF chunks IS NULL THEN
        RETURN 0;
    END IF;
    -- The summary first (the pending inserts aged as of the state date), in
    -- key order as the triggers upsert: the rows left with no open item go.
    WITH g AS (
        SELECT p.customer_id, p.currency, p.current AS b0, p.d1_30 AS b1, p.d31_60 AS b2, p.d61_90 AS b3, p.d91_plus AS b4,
               p.total AS t, p.overdue AS od, p.items AS n, p.overdue_due_sum AS w
          FROM @extschema@.ledger_pending_summary(ledger_compact.ledger, chunks) p),
    up AS (
        INSERT INTO @extschema@.ledger_aging AS t (ledger, customer_id, currency, current, d1_30, d31_60, d61_90,
                                                   d91_plus, total, overdue, items, avg_days_past_due, overdue_due_sum)
        SELECT ledger_compact.ledger, g.customer_id, g.currency, g.b0, g.b1, g.b2, g.b3, g.b4, g.t, g.od, g.n,
               @extschema@.ledger_avg(g.od, g.w, state_as_of), g.w
          FROM g
         ORDER BY g.customer_id COLLATE "C", g.currency COLLATE "C"
        ON CONFLICT ON CONSTRAINT ledger_aging_pkey DO UPDATE
        SET current = t.current OPERATOR(pg_catalog.+) excluded.current,
            d1_30 = t.d1_30 OPERATOR(pg_catalog.+) excluded.d1_30,
            d31_60 = t.d31_60 OPERATOR(pg_catalog.+) excluded.d31_60,
            d61_90 = t.d61_90 OPERATOR(pg_catalog.+) excluded.d61_90,
            d91_plus = t.d91_plus OPERATOR(pg_catalog.+) excluded.d91_plus,
            total = t.total OPERATOR(pg_catalog.+) excluded.total,
            overdue = t.overdue OPERATOR(pg_catalog.+) excluded.overdue,
            items = t.items OPERATOR(pg_catalog.+) excluded.items,
            overdue_due_sum = t.overdue_due_sum OPERATOR(pg_catalog.+) excluded.overdue_due_sum,
            avg_days_past_due = @extschema@.ledger_avg(t.overdue OPERATOR(pg_catalog.+) excluded.overdue,
                t.overdue_due_sum OPERATOR(pg_catalog.+) excluded.overdue_due_sum, state_as_of)
        RETURNING t.customer_id, t.currency, t.items)
    SELECT pg_catalog.array_agg(up.customer_id) FILTER (WHERE up.items OPERATOR(pg_catalog.=) 0),
           pg_catalog.array_agg(up.currency) FILTER (WHERE up.items OPERATOR(pg_catalog.=) 0)
      INTO ca, ka FROM up;
    IF ca IS NOT NULL THEN
        DELETE FROM @extschema@.ledger_aging a
         WHERE a.ledger OPERATOR(pg_catalog.=) ledger_compact.ledger
           AND (a.customer_id, a.currency) IN (SELECT * FROM ROWS FROM (pg_catalog.unnest(ca), pg_catalog.unnest(ka)))
           AND a.items OPERATOR(pg_catalog.=) 0 AND a.current OPERATOR(pg_catalog.=) 0
           AND a.d1_30 OPERATOR(pg_catalog.=) 0 AND a.d31_60 OPERATOR(pg_catalog.=) 0
           AND a.d61_90 OPERATOR(pg_catalog.=) 0 AND a.d91_plus OPERATOR(pg_catalog.=) 0
           AND a.overdue_due_sum OPERATOR(pg_catalog.=) 0;
    END IF;
    -- Then the balances, merged in C and in key order (no writer of this
    -- ledger runs meanwhile: the state row is held FOR UPDATE).
    WITH g AS (
        SELECT p.customer_id, p.currency, p.due_date, p.open_amount AS o, p.items AS i
          FROM @extschema@.ledger_pending_balances(ledger_compact.ledger, chunks) p),
    up AS (
        INSERT INTO @extschema@.ledger_balance AS t (ledger, customer_id, currency, due_date, open_amount, items)
        SELECT ledger_compact.ledger, g.customer_id, g.currency, g.due_date, g.o, g.i
          FROM g WHERE g.o OPERATOR(pg_catalog.<>) 0 OR g.i OPERATOR(pg_catalog.<>) 0
        ON CONFLICT ON CONSTRAINT ledger_balance_pkey DO UPDATE
        SET open_amount = t.open_amount OPERATOR(pg_catalog.+) excluded.open_amount,
            items = t.items OPERATOR(pg_catalog.+) excluded.items
        RETURNING t.customer_id, t.currency, t.due_date, t.open_amount, t.items)
    SELECT pg_catalog.count(*),
           pg_catalog.array_agg(up.customer_id) FILTER (WHERE up.items OPERATOR(pg_catalog.=) 0 AND up.open_amount OPERATOR(pg_catalog.=) 0),
           pg_catalog.array_agg(up.currency) FILTER (WHERE up.items OPERATOR(pg_catalog.=) 0 AND up.open_amount OPERATOR(pg_catalog.=) 0),
           pg_catalog.array_agg(up.due_date) FILTER (WHERE up.items OPERATOR(pg_catalog.=) 0 AND up.open_amount OPERATOR(pg_catalog.=) 0)
      INTO n, ca, ka, da FROM up;
    DELETE FROM @extschema@.ledger_delta x
     WHERE x.ledger OPERATOR(pg_catalog.=) ledger_compact.ledger AND x.chunk OPERATOR(pg_catalog.=) ANY (chunks);
    IF ca IS NOT NULL THEN
        DELETE FROM @extschema@.ledger_balance b
         WHERE b.ledger OPERATOR(pg_catalog.=) ledger_compact.ledger
           AND (b.customer_id, b.currency, b.due_date) IN (SELECT * FROM ROWS FROM (pg_catalog.unnest(ca), pg_catalog.unnest(ka), pg_catalog.unnest(da)))
           AND b.items OPERATOR(pg_catalog.=) 0 AND b.open_amount OPERATOR(pg_catalog.=) 0;
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.ledger_compact(text) IS
    'folds a ledger''s pending o2c.ledger_delta chunks (those committed when it lists them; inserts do not wait for it) into o2c.ledger_balance and o2c.ledger_aging and removes the rows left with no open invoice (o2c.ledger_roll does it first); returns the balance rows written';

-- Recompute a ledger's summary from its balances as of a date (used by the
-- rebuild and by a roll over a long gap).
CREATE FUNCTION @extschema@.ledger_summarize(ledger text, as_of date)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    IF ledger IS NULL OR as_of IS NULL THEN
        RAISE EXCEPTION 'ledger and as_of must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of date must be finite: "%"', as_of USING ERRCODE = '22008';
    END IF;
    -- Pending inserts into the balances first; those committed meanwhile stay
    -- pending, and their readers bucket them as of the new date.
    PERFORM @extschema@.ledger_compact(ledger);
    DELETE FROM @extschema@.ledger_aging a WHERE a.ledger OPERATOR(pg_catalog.=) ledger_summarize.ledger;
    -- Every bucket with the group's largest scale, as o2c.aging shows them.
    INSERT INTO @extschema@.ledger_aging AS a
        (ledger, customer_id, currency, current, d1_30, d31_60, d61_90, d91_plus, total, overdue, items,
         avg_days_past_due, overdue_due_sum)
    SELECT ledger_summarize.ledger, g.customer_id, g.currency,
           pg_catalog.round(g.b0, g.s), pg_catalog.round(g.b1, g.s), pg_catalog.round(g.b2, g.s),
           pg_catalog.round(g.b3, g.s), pg_catalog.round(g.b4, g.s),
           pg_catalog.round(g.b0 OPERATOR(pg_catalog.+) g.od, g.s), pg_catalog.round(g.od, g.s), g.n,
           @extschema@.ledger_avg(g.od, g.w, as_of), g.w
      FROM (SELECT b.customer_id, b.currency,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date OPERATOR(pg_catalog.<=) 0), 0) AS b0,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date BETWEEN 1 AND 30), 0) AS b1,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date BETWEEN 31 AND 60), 0) AS b2,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date BETWEEN 61 AND 90), 0) AS b3,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date OPERATOR(pg_catalog.>) 90), 0) AS b4,
                   COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date OPERATOR(pg_catalog.>) 0), 0) AS od,
                   pg_catalog.sum(b.items) AS n,
                   COALESCE(pg_catalog.sum(b.open_amount OPERATOR(pg_catalog.*) (b.due_date OPERATOR(pg_catalog.-) DATE '2000-01-01'))
                            FILTER (WHERE as_of OPERATOR(pg_catalog.-) b.due_date OPERATOR(pg_catalog.>) 0), 0) AS w,
                   pg_catalog.max(pg_catalog.scale(b.open_amount)) AS s
              FROM @extschema@.ledger_balance b
             WHERE b.ledger OPERATOR(pg_catalog.=) ledger_summarize.ledger
             GROUP BY b.customer_id, b.currency
            HAVING pg_catalog.sum(b.items) OPERATOR(pg_catalog.<>) 0) g
     ORDER BY g.customer_id, g.currency;
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE @extschema@.ledger_state s SET as_of = ledger_summarize.as_of, rolled_at = pg_catalog.clock_timestamp()
     WHERE s.ledger OPERATOR(pg_catalog.=) ledger_summarize.ledger;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.ledger_summarize(text, date) IS
    'internal: replaces the ledger''s rows of o2c.ledger_aging by its balances aged as of a date and sets o2c.ledger_state.as_of (the caller holds the state row FOR UPDATE); returns the customer rows written';

CREATE FUNCTION @extschema@.ledger_rebuild(ledger text DEFAULT 'default', as_of date DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'o2c_ledger_rebuild'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.ledger_rebuild(text, date) IS
    'recomputes o2c.ledger_balance and o2c.ledger_aging of a ledger from the tables its o2c.ledger_track triggers name (amount less all settlements, per invoice), the summary aged as of as_of (default: the ledger''s state date, today for a new ledger); returns the balance rows written';

CREATE PROCEDURE @extschema@.ledger_roll(ledger text DEFAULT 'default', to_date date DEFAULT CURRENT_DATE)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cur date;
    d date;
BEGIN
    IF ledger IS NULL OR to_date IS NULL THEN
        RAISE EXCEPTION 'ledger and to_date must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT pg_catalog.isfinite(to_date) THEN
        RAISE EXCEPTION 'to_date must be finite: "%"', to_date USING ERRCODE = '22008';
    END IF;
    SELECT s.as_of INTO cur FROM @extschema@.ledger_state s
     WHERE s.ledger OPERATOR(pg_catalog.=) ledger_roll.ledger FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown ledger: "%"', pg_catalog.left(ledger, 64) USING ERRCODE = 'P0002',
            HINT = 'A ledger is created by the first write to a table with an o2c.ledger_track trigger, or by o2c.ledger_rebuild.';
    END IF;
    PERFORM @extschema@.ledger_compact(ledger);
    IF to_date OPERATOR(pg_catalog.<) cur THEN
        RAISE EXCEPTION 'cannot roll ledger "%" back from % to %', pg_catalog.left(ledger, 64), cur, to_date
            USING ERRCODE = '22023',
                  HINT = 'o2c.live_aging answers any earlier date from the balances; o2c.ledger_rebuild recomputes the summary.';
    END IF;
    IF to_date OPERATOR(pg_catalog.-) cur OPERATOR(pg_catalog.>) 31 THEN
        -- Over a long gap one pass over the balances is cheaper than each day.
        PERFORM @extschema@.ledger_summarize(ledger, to_date);
        RETURN;
    END IF;
    d := cur;
    WHILE d OPERATOR(pg_catalog.<) to_date LOOP
        d := d OPERATOR(pg_catalog.+) 1;
        -- As of d, the balances due d-1, d-31, d-61 and d-91 have just
        -- passed an edge: from current to 1-30, 1-30 to 31-60, and so on.
        UPDATE @extschema@.ledger_aging a
           SET current  = pg_catalog.round(a.current OPERATOR(pg_catalog.-) m.c1, GREATEST(m.s, pg_catalog.scale(a.current))),
               d1_30    = pg_catalog.round(a.d1_30 OPERATOR(pg_catalog.+) m.c1 OPERATOR(pg_catalog.-) m.c31, GREATEST(m.s, pg_catalog.scale(a.current))),
               d31_60   = pg_catalog.round(a.d31_60 OPERATOR(pg_catalog.+) m.c31 OPERATOR(pg_catalog.-) m.c61, GREATEST(m.s, pg_catalog.scale(a.current))),
               d61_90   = pg_catalog.round(a.d61_90 OPERATOR(pg_catalog.+) m.c61 OPERATOR(pg_catalog.-) m.c91, GREATEST(m.s, pg_catalog.scale(a.current))),
               d91_plus = pg_catalog.round(a.d91_plus OPERATOR(pg_catalog.+) m.c91, GREATEST(m.s, pg_catalog.scale(a.current))),
               total    = pg_catalog.round(a.total, GREATEST(m.s, pg_catalog.scale(a.current))),
               overdue  = pg_catalog.round(a.overdue OPERATOR(pg_catalog.+) m.c1, GREATEST(m.s, pg_catalog.scale(a.current))),
               overdue_due_sum = a.overdue_due_sum OPERATOR(pg_catalog.+) m.w
          FROM (SELECT b.customer_id, b.currency,
                       COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE b.due_date OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.-) 1)), 0) AS c1,
                       COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE b.due_date OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.-) 31)), 0) AS c31,
                       COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE b.due_date OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.-) 61)), 0) AS c61,
                       COALESCE(pg_catalog.sum(b.open_amount) FILTER (WHERE b.due_date OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.-) 91)), 0) AS c91,
                       COALESCE(pg_catalog.sum(b.open_amount OPERATOR(pg_catalog.*) (b.due_date OPERATOR(pg_catalog.-) DATE '2000-01-01'))
                                FILTER (WHERE b.due_date OPERATOR(pg_catalog.=) (d OPERATOR(pg_catalog.-) 1)), 0) AS w,
                       pg_catalog.max(pg_catalog.scale(b.open_amount)) AS s
                  FROM @extschema@.ledger_balance b
                 WHERE b.ledger OPERATOR(pg_catalog.=) ledger_roll.ledger
                   AND b.due_date OPERATOR(pg_catalog.=) ANY (ARRAY[(d OPERATOR(pg_catalog.-) 1), (d OPERATOR(pg_catalog.-) 31),
                                                                  (d OPERATOR(pg_catalog.-) 61), (d OPERATOR(pg_catalog.-) 91)])
                 GROUP BY b.customer_id, b.currency) m
         WHERE a.ledger OPERATOR(pg_catalog.=) ledger_roll.ledger
           AND a.customer_id OPERATOR(pg_catalog.=) m.customer_id
           AND a.currency OPERATOR(pg_catalog.=) m.currency;
    END LOOP;
    -- Every overdue item is older now: the averages as of to_date.
    UPDATE @extschema@.ledger_aging a
       SET avg_days_past_due = @extschema@.ledger_avg(a.overdue, a.overdue_due_sum, to_date)
     WHERE a.ledger OPERATOR(pg_catalog.=) ledger_roll.ledger
       AND (a.overdue OPERATOR(pg_catalog.>) 0 OR a.avg_days_past_due IS NOT NULL);
    UPDATE @extschema@.ledger_state s SET as_of = to_date, rolled_at = pg_catalog.clock_timestamp()
     WHERE s.ledger OPERATOR(pg_catalog.=) ledger_roll.ledger;
END
$$;
COMMENT ON PROCEDURE @extschema@.ledger_roll(text, date) IS
    'moves a live ledger''s summary (o2c.ledger_aging) forward to to_date (default today), day by day moving only the balances whose due dates cross a bucket edge (over more than 31 days, one pass over the balances); run daily after midnight (pg_cron)';

-- Which of live_aging's three ways answers a date: 1, the summary alone (as
-- of the state date, nothing pending); 2, the summary and the pending
-- inserts' summaries; 3, the balances (any other date). Raises the errors.
CREATE FUNCTION @extschema@.live_aging_source(ledger text, as_of date)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_live_aging_source'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.live_aging_source(text, date) IS
    'internal: how o2c.live_aging answers a ledger as of a date (1 the summary, 2 the summary and pending inserts, 3 the balances); raises its errors';

-- live_aging but from the summary alone: with inserts pending, or as of
-- another date than the state date (from the balances).
CREATE FUNCTION @extschema@.live_aging_merged(as_of date, ledger text)
RETURNS TABLE (customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint,
               avg_days_past_due numeric)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.live_aging_source(ledger, as_of) OPERATOR(pg_catalog.=) 2 THEN
        -- Inserts not yet folded in: the summary plus theirs, per customer.
        RETURN QUERY
        SELECT COALESCE(a.customer_id, p.customer_id) AS customer_id, COALESCE(a.currency, p.currency) AS currency,
               COALESCE(a.current OPERATOR(pg_catalog.+) p.current, a.current, p.current),
               COALESCE(a.d1_30 OPERATOR(pg_catalog.+) p.d1_30, a.d1_30, p.d1_30),
               COALESCE(a.d31_60 OPERATOR(pg_catalog.+) p.d31_60, a.d31_60, p.d31_60),
               COALESCE(a.d61_90 OPERATOR(pg_catalog.+) p.d61_90, a.d61_90, p.d61_90),
               COALESCE(a.d91_plus OPERATOR(pg_catalog.+) p.d91_plus, a.d91_plus, p.d91_plus),
               COALESCE(a.total OPERATOR(pg_catalog.+) p.total, a.total, p.total),
               COALESCE(a.overdue OPERATOR(pg_catalog.+) p.overdue, a.overdue, p.overdue),
               COALESCE(a.items, 0) OPERATOR(pg_catalog.+) COALESCE(p.items, 0),
               CASE WHEN p.customer_id IS NULL THEN a.avg_days_past_due
                    ELSE @extschema@.ledger_avg(COALESCE(a.overdue OPERATOR(pg_catalog.+) p.overdue, p.overdue),
                                                COALESCE(a.overdue_due_sum OPERATOR(pg_catalog.+) p.overdue_due_sum,
                                                         p.overdue_due_sum),
                                                live_aging_merged.as_of) END
          FROM (SELECT * FROM @extschema@.ledger_aging x WHERE x.ledger OPERATOR(pg_catalog.=) live_aging_merged.ledger) a
          FULL JOIN @extschema@.ledger_pending_summary(live_aging_merged.ledger) p
            ON a.customer_id OPERATOR(pg_catalog.=) (p.customer_id COLLATE "C")
           AND a.currency OPERATOR(pg_catalog.=) (p.currency COLLATE "C")
         WHERE COALESCE(a.items, 0) OPERATOR(pg_catalog.+) COALESCE(p.items, 0) OPERATOR(pg_catalog.<>) 0
         ORDER BY 1, 2;
    ELSE
        RETURN QUERY
        SELECT b.customer_id, b.currency, (b.g).current, (b.g).d1_30, (b.g).d31_60, (b.g).d61_90, (b.g).d91_plus,
               (b.g).total, (b.g).overdue, b.items, (b.g).avg_days_past_due
          FROM (SELECT lb.customer_id, lb.currency,
                       @extschema@.aging(lb.open_amount, lb.due_date, live_aging_merged.as_of) AS g,
                       pg_catalog.sum(lb.items)::bigint AS items
                  FROM @extschema@.ledger_balances(live_aging_merged.ledger) lb
                 GROUP BY lb.customer_id, lb.currency
                HAVING pg_catalog.sum(lb.items) OPERATOR(pg_catalog.<>) 0) b
         ORDER BY b.customer_id, b.currency;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.live_aging_merged(date, text) IS
    'internal: o2c.live_aging when the summary alone does not answer: inserts pending (the summary plus o2c.ledger_pending_summary) or another date than the state date (o2c.ledger_balances)';

-- Aging of the current book: exact either way. One SQL query (no SET
-- clause), so the planner inlines it into the caller's: as of the state date
-- with nothing pending, the summary's rows stream in its index's order
-- without being materialized or sorted; live_aging_source, evaluated once,
-- picks the branch (and raises the errors). Each branch is in key order and
-- only one returns rows, so the rows come in key order.
CREATE FUNCTION @extschema@.live_aging(as_of date DEFAULT CURRENT_DATE, ledger text DEFAULT 'default')
RETURNS TABLE (customer_id text, currency text, current numeric, d1_30 numeric, d31_60 numeric,
               d61_90 numeric, d91_plus numeric, total numeric, overdue numeric, items bigint,
               avg_days_past_due numeric)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    (SELECT a.customer_id, a.currency, a.current, a.d1_30, a.d31_60, a.d61_90, a.d91_plus,
            a.total, a.overdue, a.items, a.avg_days_past_due
       FROM @extschema@.ledger_aging a
      WHERE a.ledger OPERATOR(pg_catalog.=) $2
        AND @extschema@.live_aging_source($2, $1) OPERATOR(pg_catalog.=) 1
      ORDER BY a.customer_id, a.currency)
    UNION ALL
    (SELECT m.customer_id COLLATE "C", m.currency COLLATE "C", m.current, m.d1_30, m.d31_60, m.d61_90,
            m.d91_plus, m.total, m.overdue, m.items, m.avg_days_past_due
       FROM @extschema@.live_aging_merged($1, $2) m
      WHERE @extschema@.live_aging_source($2, $1) OPERATOR(pg_catalog.<>) 1)
$$;
COMMENT ON FUNCTION @extschema@.live_aging(date, text) IS
    'aging by customer and currency of a live ledger''s current book (every tracked invoice less every tracked settlement) as of a date: from o2c.ledger_aging when as_of is the ledger''s state date, else from o2c.ledger_balance; equals o2c.aging of the open amounts grouped by customer and currency';

CREATE FUNCTION @extschema@.live_aging(as_of date, ledger text, bounds integer[])
RETURNS TABLE (customer_id text, currency text, labels text[], amounts numeric[], counts bigint[], total numeric)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF as_of IS NULL OR ledger IS NULL OR bounds IS NULL THEN
        RAISE EXCEPTION 'as_of, ledger and bounds must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.ledger_state s WHERE s.ledger OPERATOR(pg_catalog.=) live_aging.ledger) THEN
        RAISE EXCEPTION 'unknown ledger: "%"', pg_catalog.left(ledger, 64) USING ERRCODE = 'P0002',
            HINT = 'A ledger is created by the first write to a table with an o2c.ledger_track trigger, or by o2c.ledger_rebuild.';
    END IF;
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of date must be finite: "%"', as_of USING ERRCODE = '22008';
    END IF;
    -- Bad bounds are an error even when the ledger is empty.
    PERFORM @extschema@.aging_bucket(as_of, as_of, bounds);
    -- Counts are invoices, not balance rows: the same ladder over items.
    RETURN QUERY
    SELECT b.customer_id, b.currency, (b.l).labels, (b.l).amounts,
           (b.c).amounts::bigint[], (b.l).total
      FROM (SELECT lb.customer_id, lb.currency,
                   @extschema@.aging(lb.open_amount, lb.due_date, live_aging.as_of, live_aging.bounds) AS l,
                   @extschema@.aging(lb.items::numeric, lb.due_date, live_aging.as_of, live_aging.bounds) AS c
              FROM @extschema@.ledger_balances(live_aging.ledger) lb
             GROUP BY lb.customer_id, lb.currency
            HAVING pg_catalog.sum(lb.items) OPERATOR(pg_catalog.<>) 0) b
     ORDER BY b.customer_id, b.currency;
END
$$;
COMMENT ON FUNCTION @extschema@.live_aging(date, text, integer[]) IS
    'the aging ladder of custom bounds (labels, amounts, counts of invoices, total) by customer and currency of a live ledger''s current book as of a date, from o2c.ledger_balance';

-- Attach: the four triggers on each table, then a rebuild.
CREATE FUNCTION @extschema@.ledger_attach(ledger text, invoices regclass, settlements regclass DEFAULT NULL,
                                          mapping jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k text;
    inv_args text := pg_catalog.format('%L, %L', 'role=invoices', 'ledger=' OPERATOR(pg_catalog.||) ledger);
    set_args text;
    ev record;
BEGIN
    IF ledger IS NULL OR invoices IS NULL OR mapping IS NULL THEN
        RAISE EXCEPTION 'ledger, invoices and mapping must not be null' USING ERRCODE = '22004';
    END IF;
    IF ledger OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'ledger must not be empty' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.jsonb_typeof(mapping) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'mapping must be a JSON object: "%"', pg_catalog.left(mapping::text, 64) USING ERRCODE = '22023';
    END IF;
    set_args := pg_catalog.format('%L, %L, %L', 'role=settlements', 'ledger=' OPERATOR(pg_catalog.||) ledger,
                                  'invoices=' OPERATOR(pg_catalog.||) invoices::text);
    FOR k IN SELECT pg_catalog.jsonb_object_keys(mapping) LOOP
        IF pg_catalog.jsonb_typeof(mapping OPERATOR(pg_catalog.->) k) OPERATOR(pg_catalog.<>) 'string' THEN
            RAISE EXCEPTION 'mapping key "%" must name a column', pg_catalog.left(k, 64) USING ERRCODE = '22023';
        END IF;
        IF k OPERATOR(pg_catalog.=) ANY (ARRAY['invoice_id', 'customer_id', 'due_date', 'amount', 'currency']) THEN
            inv_args := inv_args OPERATOR(pg_catalog.||) pg_catalog.format(', %L',
                k OPERATOR(pg_catalog.||) '=' OPERATOR(pg_catalog.||) (mapping OPERATOR(pg_catalog.->>) k));
        ELSIF k OPERATOR(pg_catalog.=) ANY (ARRAY['settlements.invoice_id', 'settlements.amount']) THEN
            set_args := set_args OPERATOR(pg_catalog.||) pg_catalog.format(', %L',
                pg_catalog.substr(k, 13) OPERATOR(pg_catalog.||) '=' OPERATOR(pg_catalog.||) (mapping OPERATOR(pg_catalog.->>) k));
        ELSE
            RAISE EXCEPTION 'unknown mapping key: "%"', pg_catalog.left(k, 64) USING ERRCODE = '22023',
                HINT = 'Keys are invoice_id, customer_id, due_date, amount, currency, settlements.invoice_id and settlements.amount.';
        END IF;
    END LOOP;
    FOR ev IN SELECT * FROM (VALUES ('ins', 'INSERT', 'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'),
                                    ('upd', 'UPDATE', 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT'),
                                    ('del', 'DELETE', 'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'),
                                    ('trunc', 'TRUNCATE', 'FOR EACH STATEMENT')) e(suffix, event, clause) LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER %s ON %s %s EXECUTE FUNCTION @extschema@.ledger_track(%s)',
                                  'o2c_ledger_' OPERATOR(pg_catalog.||) ledger OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ev.suffix,
                                  ev.event, invoices, ev.clause, inv_args);
        IF settlements IS NOT NULL THEN
            EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER %s ON %s %s EXECUTE FUNCTION @extschema@.ledger_track(%s)',
                                      'o2c_ledger_' OPERATOR(pg_catalog.||) ledger OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) ev.suffix,
                                      ev.event, settlements, ev.clause, set_args);
        END IF;
    END LOOP;
    RETURN @extschema@.ledger_rebuild(ledger);
END
$$;
COMMENT ON FUNCTION @extschema@.ledger_attach(text, regclass, regclass, jsonb) IS
    'creates the o2c.ledger_track triggers of a ledger (AFTER INSERT, UPDATE, DELETE with transition tables, and AFTER TRUNCATE) on an invoices table and optionally a settlements table, with column mapping {"customer_id": "client", "settlements.amount": "paid", ...}, then rebuilds the ledger; returns the balance rows written';

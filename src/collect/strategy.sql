-- strategy: collection strategies by segment. A rule over each customer's
-- attributes (from the user's customers query, and promise and dispute
-- state from o2c's own tables) picks the customer's dunning policy, channel
-- and collector; assign_strategies writes the assignment and logs changes.

CREATE TABLE @extschema@.collection_strategy (
    name           text PRIMARY KEY,
    priority       integer NOT NULL,
    rule           jsonb NOT NULL DEFAULT '{}',
    dunning_policy text,
    channel        text NOT NULL CHECK (channel IN ('email', 'letter', 'call')),
    collector      text,
    UNIQUE (priority)
);
COMMENT ON TABLE @extschema@.collection_strategy IS
    'collection strategies, tried in priority order (lowest first): the first whose rule a customer meets gives its dunning policy, channel and collector; a rule {} meets everyone';
COMMENT ON COLUMN @extschema@.collection_strategy.rule IS
    'conditions, all of which must hold: segment, country, currency (a value or an array of values), min_balance, max_balance, min_days_past_due, max_days_past_due (numbers), risk_grade_at_least (A best to E worst: meets grades as bad or worse), has_open_promise, has_broken_promise, has_open_dispute (booleans)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.collection_strategy', '');

-- A rule is checked when saved: known keys, values of the right kind.
CREATE FUNCTION @extschema@.collection_strategy_check()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    k text;
    v jsonb;
BEGIN
    IF pg_catalog.jsonb_typeof(NEW.rule) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'rule of strategy "%" must be a JSON object', pg_catalog.left(NEW.name, 64) USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(NEW.rule) e LOOP
        IF k IN ('segment', 'country', 'currency') THEN
            IF pg_catalog.jsonb_typeof(v) NOT IN ('string', 'array') THEN
                RAISE EXCEPTION 'rule of strategy "%": % must be a string or an array of strings', pg_catalog.left(NEW.name, 64), k
                    USING ERRCODE = '22023';
            END IF;
        ELSIF k IN ('min_balance', 'max_balance', 'min_days_past_due', 'max_days_past_due') THEN
            IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'number' THEN
                RAISE EXCEPTION 'rule of strategy "%": % must be a number', pg_catalog.left(NEW.name, 64), k
                    USING ERRCODE = '22023';
            END IF;
        ELSIF k OPERATOR(pg_catalog.=) 'risk_grade_at_least' THEN
            IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'string'
               OR (v OPERATOR(pg_catalog.#>>) '{}') NOT IN ('A', 'B', 'C', 'D', 'E') THEN
                RAISE EXCEPTION 'rule of strategy "%": risk_grade_at_least must be a grade A to E', pg_catalog.left(NEW.name, 64)
                    USING ERRCODE = '22023';
            END IF;
        ELSIF k IN ('has_open_promise', 'has_broken_promise', 'has_open_dispute') THEN
            IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'boolean' THEN
                RAISE EXCEPTION 'rule of strategy "%": % must be true or false', pg_catalog.left(NEW.name, 64), k
                    USING ERRCODE = '22023';
            END IF;
        ELSE
            RAISE EXCEPTION 'rule of strategy "%": unknown condition "%"', pg_catalog.left(NEW.name, 64), pg_catalog.left(k, 64)
                USING ERRCODE = '22023',
                      HINT = 'Conditions: segment, country, currency, min_balance, max_balance, min_days_past_due, max_days_past_due, risk_grade_at_least, has_open_promise, has_broken_promise, has_open_dispute.';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.collection_strategy_check() IS
    'trigger: a strategy''s rule is saved only with known conditions of the right kind';
CREATE TRIGGER collection_strategy_check BEFORE INSERT OR UPDATE ON @extschema@.collection_strategy
    FOR EACH ROW EXECUTE FUNCTION @extschema@.collection_strategy_check();

-- Does a customer with these attributes meet the rule?
CREATE FUNCTION @extschema@.strategy_rule_met(rule jsonb, attrs jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(pg_catalog.bool_and(coalesce(
        CASE
            WHEN e.key IN ('segment', 'country', 'currency') THEN
                (attrs OPERATOR(pg_catalog.->>) e.key) IS NOT NULL AND
                CASE WHEN pg_catalog.jsonb_typeof(e.value) OPERATOR(pg_catalog.=) 'array'
                     THEN e.value OPERATOR(pg_catalog.?) (attrs OPERATOR(pg_catalog.->>) e.key)
                     ELSE (e.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.=) (attrs OPERATOR(pg_catalog.->>) e.key) END
            WHEN e.key OPERATOR(pg_catalog.=) 'min_balance' THEN
                (attrs OPERATOR(pg_catalog.->>) 'balance')::numeric OPERATOR(pg_catalog.>=) (e.value OPERATOR(pg_catalog.#>>) '{}')::numeric
            WHEN e.key OPERATOR(pg_catalog.=) 'max_balance' THEN
                (attrs OPERATOR(pg_catalog.->>) 'balance')::numeric OPERATOR(pg_catalog.<=) (e.value OPERATOR(pg_catalog.#>>) '{}')::numeric
            WHEN e.key OPERATOR(pg_catalog.=) 'min_days_past_due' THEN
                (attrs OPERATOR(pg_catalog.->>) 'days_past_due')::numeric OPERATOR(pg_catalog.>=) (e.value OPERATOR(pg_catalog.#>>) '{}')::numeric
            WHEN e.key OPERATOR(pg_catalog.=) 'max_days_past_due' THEN
                (attrs OPERATOR(pg_catalog.->>) 'days_past_due')::numeric OPERATOR(pg_catalog.<=) (e.value OPERATOR(pg_catalog.#>>) '{}')::numeric
            WHEN e.key OPERATOR(pg_catalog.=) 'risk_grade_at_least' THEN
                (attrs OPERATOR(pg_catalog.->>) 'risk_grade') OPERATOR(pg_catalog.>=) (e.value OPERATOR(pg_catalog.#>>) '{}')
            ELSE (attrs OPERATOR(pg_catalog.->) e.key) OPERATOR(pg_catalog.=) e.value
        END, false)), true)
      FROM pg_catalog.jsonb_each(rule) e;
END;
COMMENT ON FUNCTION @extschema@.strategy_rule_met(jsonb, jsonb) IS
    'whether a customer''s attributes (jsonb) meet a strategy rule: every condition holds; an attribute the customer lacks fails its condition';

CREATE TABLE @extschema@.strategy_assignment (
    ledger         text NOT NULL DEFAULT 'default',
    customer_id    text NOT NULL,
    strategy       text NOT NULL,
    dunning_policy text,
    channel        text NOT NULL,
    collector      text,
    attributes     jsonb NOT NULL,
    assigned_on    date NOT NULL,
    PRIMARY KEY (ledger, customer_id)
);
COMMENT ON TABLE @extschema@.strategy_assignment IS
    'each customer''s collection strategy, written by o2c.assign_strategies: the policy, channel and collector it gives, the attributes it was chosen by, and the day';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_assignment', '');

CREATE TABLE @extschema@.strategy_change (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ledger        text NOT NULL,
    customer_id   text NOT NULL,
    from_strategy text,
    to_strategy   text,
    attributes    jsonb,
    changed_on    date NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.strategy_change IS
    'the log of strategy changes o2c.assign_strategies made: a customer moved from one strategy to another (NULL: none before, or none now) and why';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_change', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.strategy_change_id_seq', '');

CREATE FUNCTION @extschema@.assign_strategies(
    customers_sql text,
    as_of date DEFAULT CURRENT_DATE,
    ledger text DEFAULT 'default')
RETURNS TABLE (customer_id text, strategy text, dunning_policy text, channel text, collector text,
               changed boolean)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
BEGIN
    IF customers_sql IS NULL OR as_of IS NULL OR ledger IS NULL THEN
        RAISE EXCEPTION 'customers_sql, as_of and ledger must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.to_regclass('pg_temp.o2c_strategy_new') IS NOT NULL THEN
        DROP TABLE pg_temp.o2c_strategy_new;
    END IF;
    -- Each customer's attributes, and the first strategy whose rule they meet.
    CREATE TEMP TABLE o2c_strategy_new AS
    SELECT a.customer_id, s.name AS strategy, s.dunning_policy, s.channel, s.collector, a.attrs,
           (SELECT o.strategy FROM @extschema@.strategy_assignment o
             WHERE o.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
               AND o.customer_id OPERATOR(pg_catalog.=) a.customer_id) AS prev
      FROM (SELECT c.customer_id,
                   pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                       'segment', c.segment, 'country', c.country, 'currency', pg_catalog.upper(c.currency),
                       'balance', c.balance, 'days_past_due', c.days_past_due,
                       'risk_grade', pg_catalog.upper(c.risk_grade),
                       'has_open_promise', EXISTS (
                           SELECT 1 FROM @extschema@.promise p
                            WHERE p.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
                              AND p.customer_id OPERATOR(pg_catalog.=) c.customer_id
                              AND p.status OPERATOR(pg_catalog.=) 'open'
                              AND p.promised_on OPERATOR(pg_catalog.<=) as_of),
                       'has_broken_promise', EXISTS (
                           SELECT 1 FROM @extschema@.promise p
                            WHERE p.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
                              AND p.customer_id OPERATOR(pg_catalog.=) c.customer_id
                              AND p.status OPERATOR(pg_catalog.=) 'broken'
                              AND p.escalated_run IS NULL),
                       'has_open_dispute', EXISTS (
                           SELECT 1 FROM @extschema@.dispute d
                            WHERE d.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
                              AND d.customer_id OPERATOR(pg_catalog.=) c.customer_id
                              AND d.status OPERATOR(pg_catalog.=) 'open'))) AS attrs
              FROM @extschema@.customers_from(customers_sql, '{customer_id}') c
             WHERE c.customer_id IS NOT NULL) a
      LEFT JOIN LATERAL (
          SELECT s.* FROM @extschema@.collection_strategy s
           WHERE @extschema@.strategy_rule_met(s.rule, a.attrs)
           ORDER BY s.priority LIMIT 1) s ON true;
    IF (SELECT pg_catalog.count(*) FROM pg_temp.o2c_strategy_new)
       OPERATOR(pg_catalog.<>) (SELECT pg_catalog.count(DISTINCT n.customer_id) FROM pg_temp.o2c_strategy_new n) THEN
        RAISE EXCEPTION 'customers_sql gives a customer more than once: "%"',
            (SELECT pg_catalog.left(n.customer_id, 64) FROM pg_temp.o2c_strategy_new n
              GROUP BY n.customer_id HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1 LIMIT 1)
            USING ERRCODE = '21000', HINT = 'One row per customer: aggregate balances and days past due first.';
    END IF;

    -- The log first: every customer whose strategy is not what it was.
    INSERT INTO @extschema@.strategy_change (ledger, customer_id, from_strategy, to_strategy, attributes, changed_on)
    SELECT assign_strategies.ledger, n.customer_id, n.prev, n.strategy, n.attrs, as_of
      FROM pg_temp.o2c_strategy_new n
     WHERE n.prev IS DISTINCT FROM n.strategy
     ORDER BY n.customer_id;
    -- and every customer the query no longer gives
    INSERT INTO @extschema@.strategy_change (ledger, customer_id, from_strategy, to_strategy, attributes, changed_on)
    SELECT o.ledger, o.customer_id, o.strategy, NULL, NULL, as_of
      FROM @extschema@.strategy_assignment o
     WHERE o.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
       AND NOT EXISTS (SELECT 1 FROM pg_temp.o2c_strategy_new n WHERE n.customer_id OPERATOR(pg_catalog.=) o.customer_id)
     ORDER BY o.customer_id;

    RETURN QUERY
    WITH gone AS (
        DELETE FROM @extschema@.strategy_assignment o
         WHERE o.ledger OPERATOR(pg_catalog.=) assign_strategies.ledger
           AND (NOT EXISTS (SELECT 1 FROM pg_temp.o2c_strategy_new n WHERE n.customer_id OPERATOR(pg_catalog.=) o.customer_id)
                OR EXISTS (SELECT 1 FROM pg_temp.o2c_strategy_new n
                            WHERE n.customer_id OPERATOR(pg_catalog.=) o.customer_id AND n.strategy IS NULL))
        RETURNING o.customer_id),
    kept AS (
        INSERT INTO @extschema@.strategy_assignment AS o
              (ledger, customer_id, strategy, dunning_policy, channel, collector, attributes, assigned_on)
        SELECT assign_strategies.ledger, n.customer_id, n.strategy, n.dunning_policy, n.channel, n.collector,
               n.attrs, as_of
          FROM pg_temp.o2c_strategy_new n WHERE n.strategy IS NOT NULL
        ON CONFLICT ON CONSTRAINT strategy_assignment_pkey DO UPDATE
           SET strategy = EXCLUDED.strategy, dunning_policy = EXCLUDED.dunning_policy, channel = EXCLUDED.channel,
               collector = EXCLUDED.collector, attributes = EXCLUDED.attributes,
               assigned_on = CASE WHEN o.strategy OPERATOR(pg_catalog.=) EXCLUDED.strategy THEN o.assigned_on
                                  ELSE EXCLUDED.assigned_on END
        RETURNING o.customer_id)
    SELECT n.customer_id, n.strategy, n.dunning_policy, n.channel, n.collector,
           n.prev IS DISTINCT FROM n.strategy
      FROM pg_temp.o2c_strategy_new n
     ORDER BY n.customer_id;
    DROP TABLE pg_temp.o2c_strategy_new;
END
$$;
COMMENT ON FUNCTION @extschema@.assign_strategies(text, date, text) IS
    'picks each customer''s collection strategy (the first by priority whose rule its attributes meet: customers_sql''s segment, country, currency, balance, days_past_due, risk_grade, and o2c''s promise and dispute state) and writes it into o2c.strategy_assignment, logging each change in o2c.strategy_change; returns every customer with its strategy (NULL: none) and whether it changed';

-- schedule: level-payment installment plans, late-payment interest and
-- dunning policies (schedule.c)

CREATE FUNCTION @extschema@.installment_plan(principal numeric, annual_rate numeric, n integer, first_due date,
    every interval DEFAULT '1 month',
    OUT installment integer, OUT due_date date, OUT payment numeric, OUT interest numeric, OUT principal numeric, OUT balance numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_installment_plan'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.installment_plan(numeric, numeric, integer, date, interval) IS
    'level-payment (annuity) plan to 2 decimals: payment, interest, principal and balance per installment; the last row clears the balance';

CREATE FUNCTION @extschema@.installment_plan(principal numeric, annual_rate numeric, n integer, first_due date,
    every interval, currency text,
    OUT installment integer, OUT due_date date, OUT payment numeric, OUT interest numeric, OUT principal numeric, OUT balance numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_installment_plan'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.installment_plan(numeric, numeric, integer, date, interval, text) IS
    'level-payment (annuity) plan in the currency''s minor units; the last row clears the balance';

CREATE FUNCTION @extschema@.late_interest(amount numeric, due date, paid_on date, annual_rate numeric,
    day_count text DEFAULT 'act/365')
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_late_interest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.late_interest(numeric, date, date, numeric, text) IS
    'late-payment interest amount x annual_rate x days / basis (act/365, act/360 or 30e/360), rounded half-up to 2 decimals; 0 when paid on time';

CREATE FUNCTION @extschema@.late_interest(amount numeric, due date, paid_on date, annual_rate numeric,
    day_count text, currency text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_late_interest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.late_interest(numeric, date, date, numeric, text, text) IS
    'late-payment interest rounded half-up to the currency''s minor units; 0 when paid on time';

CREATE TABLE @extschema@.dunning_policy (
    policy               text NOT NULL,
    level                integer NOT NULL CHECK (level OPERATOR(pg_catalog.>) 0),
    days_after_due       integer NOT NULL CHECK (days_after_due OPERATOR(pg_catalog.>=) 0),
    fee                  numeric NOT NULL DEFAULT 0 CHECK (fee OPERATOR(pg_catalog.>=) 0),
    annual_interest_rate numeric CHECK (annual_interest_rate OPERATOR(pg_catalog.>=) 0),
    action               text NOT NULL,
    PRIMARY KEY (policy, level)
);
COMMENT ON TABLE @extschema@.dunning_policy IS
    'dunning levels of each policy: days after the due date, fee, annual interest rate (a fraction) and the action to take';

-- The dunning functions read it with the caller's rights.
GRANT SELECT ON @extschema@.dunning_policy TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dunning_policy', '');

CREATE FUNCTION @extschema@.install_example_policy()
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
    added integer;
BEGIN
    -- An example to adapt, not legal advice: check your jurisdiction's rules.
    INSERT INTO @extschema@.dunning_policy (policy, level, days_after_due, fee, annual_interest_rate, action)
    VALUES ('example', 1, 7, 0.00, NULL, 'reminder'),
           ('example', 2, 21, 10.00, NULL, 'second reminder'),
           ('example', 3, 45, 40.00, 0.09, 'final notice')
    ON CONFLICT (policy, level) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
COMMENT ON FUNCTION @extschema@.install_example_policy() IS
    'adds the example dunning policy "example" (reminder at 7 days, second reminder with a 10.00 fee at 21, final notice with a 40.00 fee and 9% interest at 45); returns the rows added';

CREATE FUNCTION @extschema@.dunning_level(due date, as_of date, policy text)
RETURNS integer
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    result integer;
BEGIN
    SELECT pg_catalog.max(p.level) INTO result
    FROM @extschema@.dunning_policy p
    WHERE p.policy OPERATOR(pg_catalog.=) dunning_level.policy;
    IF result IS NULL THEN
        -- a short prefix of a long name, as o2c's C messages quote a value
        RAISE EXCEPTION 'unknown dunning policy: "%"',
            CASE WHEN pg_catalog.length(dunning_level.policy) OPERATOR(pg_catalog.>) 64
                 THEN pg_catalog.format('%s... (%s characters)', pg_catalog.left(dunning_level.policy, 64),
                                        pg_catalog.length(dunning_level.policy))
                 ELSE dunning_level.policy END
            USING ERRCODE = '22023',
                  HINT = 'Add its levels to o2c.dunning_policy, or call o2c.install_example_policy().';
    END IF;
    IF due OPERATOR(pg_catalog.=) 'infinity'::date OR due OPERATOR(pg_catalog.=) '-infinity'::date
       OR as_of OPERATOR(pg_catalog.=) 'infinity'::date OR as_of OPERATOR(pg_catalog.=) '-infinity'::date THEN
        RAISE EXCEPTION 'due and as_of must be finite dates, not % and %', due, as_of
            USING ERRCODE = '22008';
    END IF;
    SELECT COALESCE(pg_catalog.max(p.level), 0) INTO result
    FROM @extschema@.dunning_policy p
    WHERE p.policy OPERATOR(pg_catalog.=) dunning_level.policy
      AND (as_of OPERATOR(pg_catalog.-) due) OPERATOR(pg_catalog.>=) p.days_after_due;
    RETURN result;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_level(date, date, text) IS
    'highest dunning level of the policy reached as of a date (0 when none is reached yet)';

CREATE FUNCTION @extschema@.dunning_schedule(due date, policy text,
    OUT level integer, OUT send_on date, OUT fee numeric, OUT action text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM @extschema@.dunning_policy p
                   WHERE p.policy OPERATOR(pg_catalog.=) dunning_schedule.policy) THEN
        -- a short prefix of a long name, as o2c's C messages quote a value
        RAISE EXCEPTION 'unknown dunning policy: "%"',
            CASE WHEN pg_catalog.length(dunning_schedule.policy) OPERATOR(pg_catalog.>) 64
                 THEN pg_catalog.format('%s... (%s characters)', pg_catalog.left(dunning_schedule.policy, 64),
                                        pg_catalog.length(dunning_schedule.policy))
                 ELSE dunning_schedule.policy END
            USING ERRCODE = '22023',
                  HINT = 'Add its levels to o2c.dunning_policy, or call o2c.install_example_policy().';
    END IF;
    IF due OPERATOR(pg_catalog.=) 'infinity'::date OR due OPERATOR(pg_catalog.=) '-infinity'::date THEN
        RAISE EXCEPTION 'due must be a finite date, not "%"', due USING ERRCODE = '22008';
    END IF;
    RETURN QUERY
        SELECT p.level, due OPERATOR(pg_catalog.+) p.days_after_due, p.fee, p.action
        FROM @extschema@.dunning_policy p
        WHERE p.policy OPERATOR(pg_catalog.=) dunning_schedule.policy
        ORDER BY p.level;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_schedule(date, text) IS
    'the dunning steps of a policy for one due date: level, day to send, fee and action';

CREATE FUNCTION @extschema@.dunning_schedule(due date, policy text, calendar text,
    OUT level integer, OUT send_on date, OUT fee numeric, OUT action text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE ROWS 3
AS $$
DECLARE
    conv text;
BEGIN
    SELECT c.convention INTO conv FROM @extschema@.calendar c
    WHERE c.name OPERATOR(pg_catalog.=) dunning_schedule.calendar;
    RETURN QUERY
        SELECT s.level, @extschema@.adjust(s.send_on, dunning_schedule.calendar,
                                           COALESCE(conv, 'following')),
               s.fee, s.action
        FROM @extschema@.dunning_schedule(due, dunning_schedule.policy) s;
END
$$;
COMMENT ON FUNCTION @extschema@.dunning_schedule(date, text, text) IS
    'the dunning steps of a policy for one due date, send days moved off non-business days by the calendar''s default convention';

-- aging: days past due, bucket labels, and the aging aggregates (aging.c)

CREATE TYPE @extschema@.aging_buckets AS (
    current           numeric,
    d1_30             numeric,
    d31_60            numeric,
    d61_90            numeric,
    d91_plus          numeric,
    total             numeric,
    overdue           numeric,
    items             bigint,
    avg_days_past_due numeric,
    undated           numeric
);
COMMENT ON TYPE @extschema@.aging_buckets IS
    'result of o2c.aging(amount, due, as_of): the five standard aging buckets, total, overdue, item count, amount-weighted average days past due of the overdue items, and the amount of rows without a due date (in no bucket, nor in total)';

CREATE TYPE @extschema@.aging_ladder AS (
    labels  text[],
    amounts numeric[],
    counts  bigint[],
    total   numeric,
    undated numeric
);
COMMENT ON TYPE @extschema@.aging_ladder IS
    'result of o2c.aging(amount, due, as_of, bounds): one label, amount and count per bucket of custom bounds, the total, and the amount of rows without a due date (in no bucket, nor in total)';

CREATE FUNCTION @extschema@.days_past_due(due date, as_of date)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_days_past_due'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_past_due(date, date) IS
    'days from due to as_of (as_of - due): negative when not yet due';

CREATE FUNCTION @extschema@.aging_bucket(due date, as_of date, bounds integer[] DEFAULT '{0,30,60,90}')
RETURNS text
AS 'MODULE_PATHNAME', 'o2c_aging_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_bucket(date, date, integer[]) IS
    'aging bucket label (current, 1-30, 31-60, 61-90, 91+) of a due date as of a date; bounds are inclusive upper day counts';

-- Aggregate support functions: internal state, exact sums, parallel-safe.
CREATE FUNCTION @extschema@.aging_trans(internal, numeric, date, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_aging_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_trans(internal, numeric, date, date) IS
    'transition function of o2c.aging(amount, due, as_of)';

CREATE FUNCTION @extschema@.aging_trans(internal, numeric, date, date, integer[])
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_aging_bounds_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_trans(internal, numeric, date, date, integer[]) IS
    'transition function of o2c.aging(amount, due, as_of, bounds)';

CREATE FUNCTION @extschema@.aging_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_aging_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_combine(internal, internal) IS
    'combine function of the o2c.aging aggregates';

CREATE FUNCTION @extschema@.aging_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_aging_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_serialize(internal) IS
    'serialize function of the o2c.aging aggregates';

CREATE FUNCTION @extschema@.aging_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_aging_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_deserialize(bytea, internal) IS
    'deserialize function of the o2c.aging aggregates';

CREATE FUNCTION @extschema@.aging_final(internal)
RETURNS @extschema@.aging_buckets
AS 'MODULE_PATHNAME', 'o2c_aging_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_final(internal) IS
    'final function of o2c.aging(amount, due, as_of)';

CREATE FUNCTION @extschema@.aging_ladder_final(internal)
RETURNS @extschema@.aging_ladder
AS 'MODULE_PATHNAME', 'o2c_aging_ladder_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_ladder_final(internal) IS
    'final function of o2c.aging(amount, due, as_of, bounds)';

CREATE AGGREGATE @extschema@.aging(amount numeric, due date, as_of date) (
    SFUNC = @extschema@.aging_trans,
    STYPE = internal,
    SSPACE = 320,
    FINALFUNC = @extschema@.aging_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.aging_combine,
    SERIALFUNC = @extschema@.aging_serialize,
    DESERIALFUNC = @extschema@.aging_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging(numeric, date, date) IS
    'receivables aging: exact sums of amount in the buckets current, 1-30, 31-60, 61-90, 91+ days past due as of a date';

CREATE AGGREGATE @extschema@.aging(amount numeric, due date, as_of date, bounds integer[]) (
    SFUNC = @extschema@.aging_trans,
    STYPE = internal,
    SSPACE = 320,
    FINALFUNC = @extschema@.aging_ladder_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.aging_combine,
    SERIALFUNC = @extschema@.aging_serialize,
    DESERIALFUNC = @extschema@.aging_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging(numeric, date, date, integer[]) IS
    'receivables aging ladder over custom bounds (inclusive upper day counts): labels, exact amounts and counts per bucket, and the total';

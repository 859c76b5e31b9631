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
    undated           numeric,
    disputed          numeric
);
COMMENT ON TYPE @extschema@.aging_buckets IS
    'result of o2c.aging(amount, due, as_of) and o2c.aging_disputed(amount, due, as_of, disputed): the five standard aging buckets, total, overdue, item count, amount-weighted average days past due of the overdue items, the amount of rows without a due date, and the disputed part of the amounts (these two in no bucket, nor in total: total + undated + disputed = sum(amount))';

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

-- The aggregates' transition state: a flat varlena of its own type, not
-- internal, so that Citus splits the aggregates (partial states on the
-- workers, one combine on the coordinator) and parallel workers hand it on
-- as it is. Its text form is its binary form in hexadecimal.
CREATE TYPE @extschema@.aging_state;

CREATE FUNCTION @extschema@.aging_state_in(cstring)
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_state_in(cstring) IS
    'text input of o2c.aging_state (the hexadecimal form that its output function gives)';

CREATE FUNCTION @extschema@.aging_state_out(@extschema@.aging_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'o2c_aging_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_state_out(@extschema@.aging_state) IS
    'text output of o2c.aging_state: its binary form in hexadecimal';

CREATE FUNCTION @extschema@.aging_state_recv(internal)
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_state_recv(internal) IS
    'binary input of o2c.aging_state, checked field by field';

CREATE FUNCTION @extschema@.aging_state_send(@extschema@.aging_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_aging_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_state_send(@extschema@.aging_state) IS
    'binary output of o2c.aging_state';

CREATE TYPE @extschema@.aging_state (
    INPUT = @extschema@.aging_state_in,
    OUTPUT = @extschema@.aging_state_out,
    RECEIVE = @extschema@.aging_state_recv,
    SEND = @extschema@.aging_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.aging_state IS
    'transition state of the o2c.aging aggregates: exact bucket sums and counts, as_of and bounds; opaque, exchanged between parallel and Citus workers';

CREATE FUNCTION @extschema@.aging_trans(@extschema@.aging_state, numeric, date, date)
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_trans(@extschema@.aging_state, numeric, date, date) IS
    'transition function of o2c.aging(amount, due, as_of)';

CREATE FUNCTION @extschema@.aging_trans(@extschema@.aging_state, numeric, date, date, integer[])
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_bounds_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_trans(@extschema@.aging_state, numeric, date, date, integer[]) IS
    'transition function of o2c.aging(amount, due, as_of, bounds)';

CREATE FUNCTION @extschema@.aging_disputed_trans(@extschema@.aging_state, numeric, date, date, numeric)
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_disputed_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_disputed_trans(@extschema@.aging_state, numeric, date, date, numeric) IS
    'transition function of o2c.aging_disputed(amount, due, as_of, disputed)';

CREATE FUNCTION @extschema@.aging_combine(@extschema@.aging_state, @extschema@.aging_state)
RETURNS @extschema@.aging_state
AS 'MODULE_PATHNAME', 'o2c_aging_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_combine(@extschema@.aging_state, @extschema@.aging_state) IS
    'combine function of the o2c.aging aggregates';

CREATE FUNCTION @extschema@.aging_final(@extschema@.aging_state)
RETURNS @extschema@.aging_buckets
AS 'MODULE_PATHNAME', 'o2c_aging_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_final(@extschema@.aging_state) IS
    'final function of o2c.aging(amount, due, as_of)';

CREATE FUNCTION @extschema@.aging_ladder_final(@extschema@.aging_state)
RETURNS @extschema@.aging_ladder
AS 'MODULE_PATHNAME', 'o2c_aging_ladder_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_ladder_final(@extschema@.aging_state) IS
    'final function of o2c.aging(amount, due, as_of, bounds)';

CREATE AGGREGATE @extschema@.aging(amount numeric, due date, as_of date) (
    SFUNC = @extschema@.aging_trans,
    STYPE = @extschema@.aging_state,
    SSPACE = 256,
    FINALFUNC = @extschema@.aging_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.aging_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging(numeric, date, date) IS
    'receivables aging: exact sums of amount in the buckets current, 1-30, 31-60, 61-90, 91+ days past due as of a date';

CREATE AGGREGATE @extschema@.aging(amount numeric, due date, as_of date, bounds integer[]) (
    SFUNC = @extschema@.aging_trans,
    STYPE = @extschema@.aging_state,
    SSPACE = 256,
    FINALFUNC = @extschema@.aging_ladder_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.aging_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging(numeric, date, date, integer[]) IS
    'receivables aging ladder over custom bounds (inclusive upper day counts): labels, exact amounts and counts per bucket, and the total';

-- A name of its own: a fourth numeric argument of o2c.aging would make
-- o2c.aging(amount, due, as_of, '{0,60}') ambiguous.
CREATE AGGREGATE @extschema@.aging_disputed(amount numeric, due date, as_of date, disputed numeric) (
    SFUNC = @extschema@.aging_disputed_trans,
    STYPE = @extschema@.aging_state,
    SSPACE = 256,
    FINALFUNC = @extschema@.aging_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.aging_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging_disputed(numeric, date, date, numeric) IS
    'receivables aging with disputes shown apart: the disputed part of each amount (NULL for none, at most the amount, none of a credit) goes to the disputed column, the rest into the five buckets';

-- kpi: collection KPIs and amount-weighted day-count aggregates (kpi.c)

CREATE FUNCTION @extschema@.dso(receivables numeric, credit_sales numeric, days integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_dso'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dso(numeric, numeric, integer) IS
    'days sales outstanding: receivables / credit_sales * days, rounded to 2 decimals; NULL when credit_sales <= 0';

CREATE FUNCTION @extschema@.best_possible_dso(current_receivables numeric, credit_sales numeric, days integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_best_possible_dso'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.best_possible_dso(numeric, numeric, integer) IS
    'best possible DSO: current (not yet due) receivables / credit_sales * days, rounded to 2 decimals; NULL when credit_sales <= 0';

CREATE FUNCTION @extschema@.average_days_delinquent(receivables numeric, current_receivables numeric,
                                                    credit_sales numeric, days integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_average_days_delinquent'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.average_days_delinquent(numeric, numeric, numeric, integer) IS
    'average days delinquent: DSO - best possible DSO = (receivables - current_receivables) / credit_sales * days, rounded to 2 decimals; NULL when credit_sales <= 0';

CREATE FUNCTION @extschema@.cei(beginning_receivables numeric, credit_sales numeric,
                                ending_receivables numeric, ending_current_receivables numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_cei'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cei(numeric, numeric, numeric, numeric) IS
    'collection effectiveness index in percent: (beginning + sales - ending) / (beginning + sales - ending current) * 100, rounded to 2 decimals; NULL when the denominator <= 0';

-- The day-count aggregates' transition state: a flat varlena of its own
-- type, not internal, for the reasons given at o2c.aging_state.
CREATE TYPE @extschema@.days_state;

CREATE FUNCTION @extschema@.days_state_in(cstring)
RETURNS @extschema@.days_state
AS 'MODULE_PATHNAME', 'o2c_days_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_state_in(cstring) IS
    'text input of o2c.days_state (the hexadecimal form that its output function gives)';

CREATE FUNCTION @extschema@.days_state_out(@extschema@.days_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'o2c_days_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_state_out(@extschema@.days_state) IS
    'text output of o2c.days_state: its binary form in hexadecimal';

CREATE FUNCTION @extschema@.days_state_recv(internal)
RETURNS @extschema@.days_state
AS 'MODULE_PATHNAME', 'o2c_days_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_state_recv(internal) IS
    'binary input of o2c.days_state, checked field by field';

CREATE FUNCTION @extschema@.days_state_send(@extschema@.days_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_days_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_state_send(@extschema@.days_state) IS
    'binary output of o2c.days_state';

CREATE TYPE @extschema@.days_state (
    INPUT = @extschema@.days_state_in,
    OUTPUT = @extschema@.days_state_out,
    RECEIVE = @extschema@.days_state_recv,
    SEND = @extschema@.days_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE @extschema@.days_state IS
    'transition state of o2c.avg_days_to_pay and o2c.avg_days_late: item count and exact sums of amount and amount * days; opaque';

CREATE FUNCTION @extschema@.days_to_pay_trans(@extschema@.days_state, numeric, date, date)
RETURNS @extschema@.days_state
AS 'MODULE_PATHNAME', 'o2c_days_to_pay_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_to_pay_trans(@extschema@.days_state, numeric, date, date) IS
    'transition function of o2c.avg_days_to_pay';

CREATE FUNCTION @extschema@.days_late_trans(@extschema@.days_state, numeric, date, date)
RETURNS @extschema@.days_state
AS 'MODULE_PATHNAME', 'o2c_days_late_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_late_trans(@extschema@.days_state, numeric, date, date) IS
    'transition function of o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_combine(@extschema@.days_state, @extschema@.days_state)
RETURNS @extschema@.days_state
AS 'MODULE_PATHNAME', 'o2c_days_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_combine(@extschema@.days_state, @extschema@.days_state) IS
    'combine function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_final(@extschema@.days_state)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_days_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_final(@extschema@.days_state) IS
    'final function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE AGGREGATE @extschema@.avg_days_to_pay(amount numeric, invoice_date date, paid_on date) (
    SFUNC = @extschema@.days_to_pay_trans,
    STYPE = @extschema@.days_state,
    SSPACE = 72,
    FINALFUNC = @extschema@.days_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.days_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg_days_to_pay(numeric, date, date) IS
    'amount-weighted average of paid_on - invoice_date over paid items, rounded to 2 decimals';

CREATE AGGREGATE @extschema@.avg_days_late(amount numeric, due date, paid_on date) (
    SFUNC = @extschema@.days_late_trans,
    STYPE = @extschema@.days_state,
    SSPACE = 72,
    FINALFUNC = @extschema@.days_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.days_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg_days_late(numeric, date, date) IS
    'amount-weighted average days late (paid_on - due, an early payment counting 0) over paid items, rounded to 2 decimals';

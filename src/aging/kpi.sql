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

CREATE FUNCTION @extschema@.days_to_pay_trans(internal, numeric, date, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_days_to_pay_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_to_pay_trans(internal, numeric, date, date) IS
    'transition function of o2c.avg_days_to_pay';

CREATE FUNCTION @extschema@.days_late_trans(internal, numeric, date, date)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_days_late_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_late_trans(internal, numeric, date, date) IS
    'transition function of o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_days_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_combine(internal, internal) IS
    'combine function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_days_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_serialize(internal) IS
    'serialize function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'o2c_days_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_deserialize(bytea, internal) IS
    'deserialize function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE FUNCTION @extschema@.days_final(internal)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_days_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.days_final(internal) IS
    'final function of o2c.avg_days_to_pay and o2c.avg_days_late';

CREATE AGGREGATE @extschema@.avg_days_to_pay(amount numeric, invoice_date date, paid_on date) (
    SFUNC = @extschema@.days_to_pay_trans,
    STYPE = internal,
    SSPACE = 96,
    FINALFUNC = @extschema@.days_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.days_combine,
    SERIALFUNC = @extschema@.days_serialize,
    DESERIALFUNC = @extschema@.days_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg_days_to_pay(numeric, date, date) IS
    'amount-weighted average of paid_on - invoice_date over paid items, rounded to 2 decimals';

CREATE AGGREGATE @extschema@.avg_days_late(amount numeric, due date, paid_on date) (
    SFUNC = @extschema@.days_late_trans,
    STYPE = internal,
    SSPACE = 96,
    FINALFUNC = @extschema@.days_final,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = @extschema@.days_combine,
    SERIALFUNC = @extschema@.days_serialize,
    DESERIALFUNC = @extschema@.days_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.avg_days_late(numeric, date, date) IS
    'amount-weighted average days late (paid_on - due, an early payment counting 0) over paid items, rounded to 2 decimals';

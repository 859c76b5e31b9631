-- terms: the o2c.terms type, due dates, early-payment discounts and the
-- payment schedule (terms.c, terms_sql.c, schedule.c)

CREATE TYPE @extschema@.terms;

CREATE FUNCTION @extschema@.terms_in(cstring)
RETURNS @extschema@.terms
AS 'MODULE_PATHNAME', 'o2c_terms_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_in(cstring) IS
    'text input of o2c.terms: NET n [EOM], d/k NET n [EOM], d% k NET n [EOM], d PROX, COD, DUE ON RECEIPT, or installments p% <term>; ...';

CREATE FUNCTION @extschema@.terms_out(@extschema@.terms)
RETURNS cstring
AS 'MODULE_PATHNAME', 'o2c_terms_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_out(@extschema@.terms) IS
    'canonical text of o2c.terms (upper case, single spaces, no trailing zeros)';

CREATE FUNCTION @extschema@.terms_recv(internal)
RETURNS @extschema@.terms
AS 'MODULE_PATHNAME', 'o2c_terms_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_recv(internal) IS
    'binary input of o2c.terms';

CREATE FUNCTION @extschema@.terms_send(@extschema@.terms)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_terms_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_send(@extschema@.terms) IS
    'binary output of o2c.terms';

CREATE TYPE @extschema@.terms (
    INPUT          = @extschema@.terms_in,
    OUTPUT         = @extschema@.terms_out,
    RECEIVE        = @extschema@.terms_recv,
    SEND           = @extschema@.terms_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT      = int4,
    STORAGE        = plain
);
COMMENT ON TYPE @extschema@.terms IS
    'payment terms such as NET 30, 2/10 NET 30, NET 30 EOM, 15 PROX or 40% NET 0; 60% NET 30, stored parsed and printed canonically';

CREATE FUNCTION @extschema@.terms_cmp(@extschema@.terms, @extschema@.terms)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_terms_cmp_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_cmp(@extschema@.terms, @extschema@.terms) IS
    'B-tree comparison of o2c.terms: -1, 0 or 1';

CREATE FUNCTION @extschema@.terms_eq(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_eq(@extschema@.terms, @extschema@.terms) IS
    'true when two terms are the same (equal canonical text)';

CREATE FUNCTION @extschema@.terms_ne(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_ne(@extschema@.terms, @extschema@.terms) IS
    'true when two terms differ';

CREATE FUNCTION @extschema@.terms_lt(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_lt(@extschema@.terms, @extschema@.terms) IS
    'B-tree order of o2c.terms: less than';

CREATE FUNCTION @extschema@.terms_le(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_le(@extschema@.terms, @extschema@.terms) IS
    'B-tree order of o2c.terms: less than or equal';

CREATE FUNCTION @extschema@.terms_gt(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_gt(@extschema@.terms, @extschema@.terms) IS
    'B-tree order of o2c.terms: greater than';

CREATE FUNCTION @extschema@.terms_ge(@extschema@.terms, @extschema@.terms)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_terms_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_ge(@extschema@.terms, @extschema@.terms) IS
    'B-tree order of o2c.terms: greater than or equal';

CREATE FUNCTION @extschema@.terms_hash(@extschema@.terms)
RETURNS integer AS 'MODULE_PATHNAME', 'o2c_terms_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_hash(@extschema@.terms) IS
    'hash of o2c.terms, equal for equal terms';

CREATE FUNCTION @extschema@.terms_hash_extended(@extschema@.terms, bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'o2c_terms_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.terms_hash_extended(@extschema@.terms, bigint) IS
    'seeded 64-bit hash of o2c.terms (hash partitioning)';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.terms, RIGHTARG = @extschema@.terms,
    FUNCTION = @extschema@.terms_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.terms_ops
DEFAULT FOR TYPE @extschema@.terms USING btree AS
    OPERATOR 1 @extschema@.<,
    OPERATOR 2 @extschema@.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=,
    OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.terms_cmp(@extschema@.terms, @extschema@.terms);

CREATE OPERATOR CLASS @extschema@.terms_hash_ops
DEFAULT FOR TYPE @extschema@.terms USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.terms_hash(@extschema@.terms),
    FUNCTION 2 @extschema@.terms_hash_extended(@extschema@.terms, bigint);

CREATE FUNCTION @extschema@.due_date(terms @extschema@.terms, invoice_date date)
RETURNS date
AS 'MODULE_PATHNAME', 'o2c_terms_due_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.due_date(@extschema@.terms, date) IS
    'due date of an invoice under payment terms (the last installment''s date for installment terms)';

CREATE FUNCTION @extschema@.due_date(terms @extschema@.terms, invoice_date date, calendar text)
RETURNS date
AS 'MODULE_PATHNAME', 'o2c_terms_due_date_cal'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.due_date(@extschema@.terms, date, text) IS
    'due date under payment terms, each installment date moved off non-business days by the calendar''s default convention';

CREATE FUNCTION @extschema@.discount_until(terms @extschema@.terms, invoice_date date)
RETURNS date
AS 'MODULE_PATHNAME', 'o2c_terms_discount_until'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.discount_until(@extschema@.terms, date) IS
    'last day of the early-payment discount window (included); NULL without a discount and for installment terms';

CREATE FUNCTION @extschema@.discount_amount(terms @extschema@.terms, amount numeric, invoice_date date, paid_on date)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_terms_discount_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.discount_amount(@extschema@.terms, numeric, date, date) IS
    'early-payment discount earned when paid on paid_on, rounded half-up to 2 decimals; 0 outside the window';

CREATE FUNCTION @extschema@.discount_amount(terms @extschema@.terms, amount numeric, invoice_date date, paid_on date, currency text)
RETURNS numeric
AS 'MODULE_PATHNAME', 'o2c_terms_discount_amount'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.discount_amount(@extschema@.terms, numeric, date, date, text) IS
    'early-payment discount earned when paid on paid_on, rounded half-up to the currency''s minor units; 0 outside the window';

CREATE FUNCTION @extschema@.payment_schedule(amount numeric, invoice_date date, terms @extschema@.terms,
    OUT installment integer, OUT due_date date, OUT amount numeric, OUT discount_until date, OUT discount_amount numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_payment_schedule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.payment_schedule(numeric, date, @extschema@.terms) IS
    'one row per installment of the terms: due date, amount (2 decimals, largest remainder, summing exactly to the amount), discount window and discount';

CREATE FUNCTION @extschema@.payment_schedule(amount numeric, invoice_date date, terms @extschema@.terms, currency text,
    OUT installment integer, OUT due_date date, OUT amount numeric, OUT discount_until date, OUT discount_amount numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_payment_schedule'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.payment_schedule(numeric, date, @extschema@.terms, text) IS
    'one row per installment of the terms, amounts in the currency''s minor units summing exactly to the amount';

CREATE FUNCTION @extschema@.payment_schedule(amount numeric, invoice_date date, terms @extschema@.terms, currency text, calendar text,
    OUT installment integer, OUT due_date date, OUT amount numeric, OUT discount_until date, OUT discount_amount numeric)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'o2c_payment_schedule'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 3;
COMMENT ON FUNCTION @extschema@.payment_schedule(numeric, date, @extschema@.terms, text, text) IS
    'one row per installment of the terms, due dates moved off non-business days by the calendar''s default convention';

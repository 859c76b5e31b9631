
-- iban: the o2c.iban type, its operators, B-tree and hash classes (iban.c)

CREATE TYPE @extschema@.iban;

CREATE FUNCTION @extschema@.iban_in(cstring)
RETURNS @extschema@.iban
AS 'MODULE_PATHNAME', 'o2c_iban_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_in(cstring) IS
    'input function of o2c.iban: validates and normalizes, error 22P02 naming the failed check';

CREATE FUNCTION @extschema@.iban_out(@extschema@.iban)
RETURNS cstring
AS 'MODULE_PATHNAME', 'o2c_iban_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_out(@extschema@.iban) IS
    'output function of o2c.iban: groups of four separated by spaces';

CREATE FUNCTION @extschema@.iban_recv(internal)
RETURNS @extschema@.iban
AS 'MODULE_PATHNAME', 'o2c_iban_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_recv(internal) IS
    'binary input of o2c.iban: version byte 1, then the compact characters (validated)';

CREATE FUNCTION @extschema@.iban_send(@extschema@.iban)
RETURNS bytea
AS 'MODULE_PATHNAME', 'o2c_iban_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_send(@extschema@.iban) IS
    'binary output of o2c.iban: version byte 1, then the compact characters';

CREATE TYPE @extschema@.iban (
    INPUT = @extschema@.iban_in,
    OUTPUT = @extschema@.iban_out,
    RECEIVE = @extschema@.iban_recv,
    SEND = @extschema@.iban_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = plain,
    CATEGORY = 'S',
    COLLATABLE = false
);
COMMENT ON TYPE @extschema@.iban IS
    'a validated IBAN (ISO 13616), stored compact, printed in groups of four; B-tree and hash indexable';

CREATE FUNCTION @extschema@.iban(value text)
RETURNS @extschema@.iban
AS 'MODULE_PATHNAME', 'o2c_iban_from_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban(text) IS
    'text to o2c.iban (the cast): validates and normalizes, error 22P02 on an invalid IBAN';

CREATE FUNCTION @extschema@.text(value @extschema@.iban)
RETURNS text
AS 'MODULE_PATHNAME', 'o2c_iban_to_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.text(@extschema@.iban) IS
    'o2c.iban to text (the cast): the compact upper-case form without spaces';

CREATE CAST (text AS @extschema@.iban)
    WITH FUNCTION @extschema@.iban(text) AS ASSIGNMENT;
CREATE CAST (@extschema@.iban AS text)
    WITH FUNCTION @extschema@.text(@extschema@.iban) AS ASSIGNMENT;

CREATE FUNCTION @extschema@.iban_cmp(@extschema@.iban, @extschema@.iban)
RETURNS integer
AS 'MODULE_PATHNAME', 'o2c_iban_cmp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_cmp(@extschema@.iban, @extschema@.iban) IS
    'B-tree support: -1, 0 or 1 comparing the compact forms byte by byte';

CREATE FUNCTION @extschema@.iban_eq(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_eq'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_eq(@extschema@.iban, @extschema@.iban) IS 'implementation of = for o2c.iban';
CREATE FUNCTION @extschema@.iban_ne(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_ne'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_ne(@extschema@.iban, @extschema@.iban) IS 'implementation of <> for o2c.iban';
CREATE FUNCTION @extschema@.iban_lt(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_lt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_lt(@extschema@.iban, @extschema@.iban) IS 'implementation of < for o2c.iban';
CREATE FUNCTION @extschema@.iban_le(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_le'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_le(@extschema@.iban, @extschema@.iban) IS 'implementation of <= for o2c.iban';
CREATE FUNCTION @extschema@.iban_gt(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_gt'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_gt(@extschema@.iban, @extschema@.iban) IS 'implementation of > for o2c.iban';
CREATE FUNCTION @extschema@.iban_ge(@extschema@.iban, @extschema@.iban)
RETURNS boolean AS 'MODULE_PATHNAME', 'o2c_iban_ge'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION @extschema@.iban_ge(@extschema@.iban, @extschema@.iban) IS 'implementation of >= for o2c.iban';

CREATE FUNCTION @extschema@.iban_hash(@extschema@.iban)
RETURNS integer AS 'MODULE_PATHNAME', 'o2c_iban_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_hash(@extschema@.iban) IS 'hash support for o2c.iban';
CREATE FUNCTION @extschema@.iban_hash_extended(@extschema@.iban, bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'o2c_iban_hash_extended'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.iban_hash_extended(@extschema@.iban, bigint) IS 'seeded hash support for o2c.iban';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.iban, RIGHTARG = @extschema@.iban,
    FUNCTION = @extschema@.iban_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);

CREATE OPERATOR CLASS @extschema@.iban_ops
DEFAULT FOR TYPE @extschema@.iban USING btree AS
    OPERATOR 1 @extschema@.<,
    OPERATOR 2 @extschema@.<=,
    OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=,
    OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.iban_cmp(@extschema@.iban, @extschema@.iban);

CREATE OPERATOR CLASS @extschema@.iban_hash_ops
DEFAULT FOR TYPE @extschema@.iban USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.iban_hash(@extschema@.iban),
    FUNCTION 2 @extschema@.iban_hash_extended(@extschema@.iban, bigint);

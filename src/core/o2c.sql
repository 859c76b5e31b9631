-- o2c install script, built by the Makefile from src/*.sql (this part first).
-- Every object lives in @extschema@ (o2c); everything else is qualified.

\echo Use "CREATE EXTENSION o2c" to load this file. \quit

COMMENT ON SCHEMA @extschema@ IS 'o2c: order-to-cash and accounts receivable';

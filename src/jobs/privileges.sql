-- privileges: who may do what (runs last, over every object above).
--
--   PUBLIC        the schema and the pure functions (IMMUTABLE or STABLE),
--                 and reading the configuration those functions consult
--   o2c_reader    also reads every output table and view
--   o2c_collector also records and cancels promises to pay, and opens and
--                 resolves disputes (the records a collections team enters
--                 through o2c)
--   o2c_operator  also runs the jobs and bulk functions (VOLATILE, which run
--                 inner queries with the caller's own rights) and writes the
--                 outputs and configuration
--
-- Nothing is SECURITY DEFINER except where a file above says why.

-- The roles are cluster-wide, so they may already exist (from an earlier
-- install, or in another database). A role of that name that can log in or
-- has superuser, role-creation or bypass-RLS rights is not o2c's group role:
-- refuse it rather than hand it o2c's privileges.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['o2c_reader', 'o2c_collector', 'o2c_operator'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles
                       WHERE rolname OPERATOR(pg_catalog.=) r
                         AND (rolcanlogin OR rolsuper OR rolcreaterole OR rolbypassrls)) THEN
            RAISE EXCEPTION 'role "%" exists and is not a plain group role', r
                USING ERRCODE = '42710',
                      HINT = 'o2c grants its privileges to the NOLOGIN roles o2c_reader, o2c_collector and o2c_operator; drop or rename the existing role first.';
        END IF;
    END LOOP;
END
$$;
GRANT o2c_reader TO o2c_collector;
GRANT o2c_collector TO o2c_operator;

GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- Functions and procedures that run inner queries or write: not for PUBLIC.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::pg_catalog.regprocedure
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                                     AND d.objid OPERATOR(pg_catalog.=) p.oid
                                     AND d.deptype OPERATOR(pg_catalog.=) 'e'
          JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
         WHERE e.extname OPERATOR(pg_catalog.=) 'o2c'
           AND (p.provolatile OPERATOR(pg_catalog.=) 'v' OR p.prokind OPERATOR(pg_catalog.=) 'p')
           AND p.prorettype OPERATOR(pg_catalog.<>) 'pg_catalog.trigger'::pg_catalog.regtype
           AND NOT p.prosecdef
           -- aggregate support functions take internal and cannot be called directly
           AND NOT ('pg_catalog.internal'::pg_catalog.regtype OPERATOR(pg_catalog.=) ANY (p.proargtypes))
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON %s %s FROM PUBLIC',
                                  CASE WHEN (SELECT prokind FROM pg_catalog.pg_proc WHERE oid OPERATOR(pg_catalog.=) f)
                                            OPERATOR(pg_catalog.=) 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, f);
        EXECUTE pg_catalog.format('GRANT EXECUTE ON %s %s TO o2c_operator',
                                  CASE WHEN (SELECT prokind FROM pg_catalog.pg_proc WHERE oid OPERATOR(pg_catalog.=) f)
                                            OPERATOR(pg_catalog.=) 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, f);
    END LOOP;
END
$$;

-- Tables and views: read by o2c_reader, written by o2c_operator; the
-- configuration that STABLE pure functions consult is readable by PUBLIC.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.oid::pg_catalog.regclass AS rel, c.relkind, c.relname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                                     AND d.objid OPERATOR(pg_catalog.=) c.oid
                                     AND d.deptype OPERATOR(pg_catalog.=) 'e'
          JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
         WHERE e.extname OPERATOR(pg_catalog.=) 'o2c'
    LOOP
        IF r.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v', 'm', 'p']::"char"[]) THEN
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO o2c_reader', r.rel);
        END IF;
        IF r.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::"char"[]) THEN
            EXECUTE pg_catalog.format('GRANT INSERT, UPDATE, DELETE ON %s TO o2c_operator', r.rel);
        END IF;
        IF r.relkind OPERATOR(pg_catalog.=) 'S' THEN
            EXECUTE pg_catalog.format('GRANT USAGE, SELECT ON SEQUENCE %s TO o2c_operator', r.rel);
        END IF;
        IF r.relname OPERATOR(pg_catalog.=) ANY (ARRAY['calendar', 'holiday', 'dunning_policy', 'fx_rate', 'settings']) THEN
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO PUBLIC', r.rel);
        END IF;
    END LOOP;
END
$$;

-- o2c_collector: what a collector enters, and nothing else written. The
-- functions run with the collector's rights, so the columns they write are
-- granted; status and amounts of a promise are otherwise the job's.
GRANT EXECUTE ON FUNCTION @extschema@.record_promise(text, text, numeric, date, text[], text, date, text),
                          @extschema@.cancel_promise(bigint, text) TO o2c_collector;
GRANT INSERT (ledger, customer_id, currency, amount, promised_on, due_on, invoice_ids, note)
    ON @extschema@.promise TO o2c_collector;
GRANT UPDATE (status, paid_amount, decided_on, note) ON @extschema@.promise TO o2c_collector;
GRANT DELETE ON @extschema@.promise_payment TO o2c_collector;
GRANT EXECUTE ON FUNCTION @extschema@.open_dispute(text, text, numeric, text, text, text, text, date, text),
                          @extschema@.resolve_dispute(bigint, text, text, date) TO o2c_collector;
GRANT INSERT (ledger, invoice_id, customer_id, currency, amount, reason, owner, opened_on, note)
    ON @extschema@.dispute TO o2c_collector;
GRANT UPDATE (status, resolution, resolved_on, note) ON @extschema@.dispute TO o2c_collector;
-- The reference check of a dispute's reason locks the reason row FOR KEY
-- SHARE, which takes an UPDATE privilege on some column of dispute_reason.
GRANT UPDATE (label) ON @extschema@.dispute_reason TO o2c_collector;
-- Credit: a role writing an orders table guarded by order_guard runs the
-- credit check with its own rights, so readers may check credit (it reads
-- the limits, promises and the sources' tables, and writes nothing); holds
-- are recorded through record_credit_hold. Credit managers are operators:
-- they set limits and release holds.
GRANT EXECUTE ON FUNCTION @extschema@.credit_state(text[], text[], date, text[], text[], text[], numeric[], boolean),
                          @extschema@.credit_state_run(text, boolean, text[], text[], date, text[], text[], text[],
                                                       numeric[], integer, integer, text, boolean, boolean),
                          @extschema@.credit_check(text, numeric, text, date),
                          @extschema@.credit_check(text, numeric, text),
                          @extschema@.credit_exposure(text, text, date),
                          @extschema@.credit_exposure(text, text) TO o2c_reader;

-- reference: referential integrity between o2c's own tables, kept by
-- triggers instead of foreign keys. pg_dump restores the data of extension
-- tables as plain COPYs whose order pg_restore -j does not respect, so a
-- foreign key between two of them makes a parallel restore lose rows (a
-- deferrable one too: each COPY commits on its own). The triggers below act
-- like a foreign key, except that the check on the referencing side is
-- skipped while check_function_bodies is off, as pg_dump's scripts and
-- pg_restore set it: a restore may load a row before the row it refers to,
-- as it may create a function before the objects its body names. The SQL
-- they run is built at run time under the caller's search_path, so every
-- operator in it is qualified.

CREATE FUNCTION @extschema@.reference_check()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    -- TG_ARGV: referencing column, referenced table, referenced column, and,
    -- for a statement-level AFTER UPDATE trigger, the table's key column.
    col        text := TG_ARGV[0];
    parent     text := TG_ARGV[1];
    parent_col text := TG_ARGV[2];
    rows_sql   text := 'new_rows';
    missing    text;
    is_missing boolean;
BEGIN
    IF NOT pg_catalog.current_setting('check_function_bodies')::boolean THEN
        RETURN NULL;
    END IF;
    IF TG_LEVEL OPERATOR(pg_catalog.=) 'ROW' THEN
        -- AFTER UPDATE OF col, for rows whose reference changed to a value.
        EXECUTE pg_catalog.format('SELECT ($1).%I::text', col) INTO missing USING NEW;
        IF missing IS NULL THEN
            RETURN NULL;
        END IF;
        EXECUTE pg_catalog.format(
            'SELECT NOT EXISTS (SELECT 1 FROM %s p WHERE p.%I OPERATOR(pg_catalog.=) ($1).%I FOR KEY SHARE OF p)',
            parent, parent_col, col) INTO is_missing USING NEW;
    ELSE
        -- AFTER INSERT, over the statement's new rows; AFTER UPDATE, over
        -- those whose reference changed (matched to the old rows by key), in
        -- one query rather than one per row. The referenced rows are locked
        -- first, so a concurrent delete waits for this transaction (or has
        -- committed, and the row is then missing).
        IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
            rows_sql := pg_catalog.format(
                '(SELECT n.* FROM new_rows n JOIN old_rows o ON o.%I OPERATOR(pg_catalog.=) n.%I '
                'WHERE (o.%I OPERATOR(pg_catalog.=) n.%I) IS NOT TRUE AND n.%I IS NOT NULL)',
                TG_ARGV[3], TG_ARGV[3], col, col, col);
        END IF;
        EXECUTE pg_catalog.format(
            'SELECT 1 FROM %s p WHERE p.%I OPERATOR(pg_catalog.=) ANY (SELECT n.%I FROM %s n) FOR KEY SHARE OF p',
            parent, parent_col, col, rows_sql);
        EXECUTE pg_catalog.format(
            'SELECT n.%I::text, true FROM %s n WHERE n.%I IS NOT NULL AND NOT EXISTS '
            '(SELECT 1 FROM %s p WHERE p.%I OPERATOR(pg_catalog.=) n.%I) LIMIT 1',
            col, rows_sql, col, parent, parent_col, col) INTO missing, is_missing;
    END IF;
    IF is_missing THEN
        RAISE EXCEPTION '%.%.% % is not in %', TG_TABLE_SCHEMA, TG_TABLE_NAME, col,
                        pg_catalog.quote_literal(CASE WHEN pg_catalog.length(missing) OPERATOR(pg_catalog.>) 64
                            THEN pg_catalog.left(missing, 64) OPERATOR(pg_catalog.||) '...' ELSE missing END),
                        parent
            USING ERRCODE = '23503',
                  DETAIL = pg_catalog.format('Key (%s) is not present in table %s.', col, parent);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.reference_check() IS
    'trigger: refuses rows whose reference (TG_ARGV: column, referenced table, referenced column, and the key column for a statement-level update trigger) names no row, as a foreign key would (23503); skipped while check_function_bodies is off, so a restore may load tables in any order';

CREATE FUNCTION @extschema@.reference_action()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    -- TG_ARGV: referenced column, referencing table, referencing column, and
    -- the action on delete: cascade or set null. Updates always cascade.
    parent_col text := TG_ARGV[0];
    child      text := TG_ARGV[1];
    col        text := TG_ARGV[2];
    on_delete  text := TG_ARGV[3];
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
        EXECUTE pg_catalog.format('UPDATE %s c SET %I = ($1).%I WHERE c.%I OPERATOR(pg_catalog.=) ($2).%I',
                                  child, col, parent_col, col, parent_col) USING NEW, OLD;
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' AND on_delete OPERATOR(pg_catalog.=) 'cascade' THEN
        EXECUTE pg_catalog.format('DELETE FROM %s c WHERE c.%I OPERATOR(pg_catalog.=) ANY (SELECT o.%I FROM old_rows o)',
                                  child, col, parent_col);
    ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        EXECUTE pg_catalog.format('UPDATE %s c SET %I = NULL WHERE c.%I OPERATOR(pg_catalog.=) ANY (SELECT o.%I FROM old_rows o)',
                                  child, col, col, parent_col);
    ELSIF on_delete OPERATOR(pg_catalog.=) 'cascade' THEN
        EXECUTE pg_catalog.format('DELETE FROM %s c WHERE c.%I IS NOT NULL', child, col);
    ELSE
        EXECUTE pg_catalog.format('UPDATE %s c SET %I = NULL WHERE c.%I IS NOT NULL', child, col, col);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.reference_action() IS
    'trigger on a referenced table: when its rows are deleted (or it is truncated), deletes or sets NULL the referencing rows (TG_ARGV: referenced column, referencing table, referencing column, cascade or set null); a changed key is carried to them';

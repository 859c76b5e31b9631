-- pg_dump keeps o2c's user data: every table registered with
-- pg_extension_config_dump has its sequences (serial and identity columns)
-- registered too, so a restored database hands out new ids, never old ones.
SELECT c.relname AS config_table
FROM pg_extension e, unnest(e.extconfig) AS x(oid)
JOIN pg_class c ON c.oid = x.oid
WHERE e.extname = 'o2c' AND c.relkind = 'r'
ORDER BY 1;

SELECT s.relname AS sequence, t.relname AS of_table, a.attname AS of_column,
       s.oid = ANY (e.extconfig) AS config_dumped
FROM pg_extension e
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.classid = 'pg_class'::regclass
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE e.extname = 'o2c' AND d.deptype IN ('a', 'i')
  AND t.relnamespace = 'o2c'::regnamespace
ORDER BY 1;

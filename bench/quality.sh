#!/usr/bin/env bash
# bench/quality.sh — validators, the invoice_guard trigger and
# duplicate_customers, each against a baseline measured in the same run.
#
#   O2C_BENCH_VALUES     values per validator run     (default 5000000)
#   O2C_BENCH_INVOICES   invoices per COPY            (default 1000000)
#   O2C_BENCH_CUSTOMERS  customers for duplicates     (default 100000)
#   O2C_BENCH_RUNS       timed runs per query         (default 5; the slow
#                        PL/pgSQL and SQL validator baselines run once)
#
# Serial plans throughout (max_parallel_workers_per_gather = 0), so the
# ratios compare per-row work, not core counts.
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

VALUES=${O2C_BENCH_VALUES:-5000000}
INVOICES=${O2C_BENCH_INVOICES:-1000000}
CUSTOMERS=${O2C_BENCH_CUSTOMERS:-100000}
SERIAL="SET max_parallel_workers_per_gather = 0;"
CSV=/tmp/o2c_bench_invoices_$$.csv
CSV_TERMS=/tmp/o2c_bench_invoices_terms_$$.csv
trap 'rm -f "$CSV" "$CSV_TERMS"' EXIT

bench_psql -q -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS o2c'

# One timed run, no warm-up: for the slow baselines, which take minutes at
# full size and vary far less than the gap being measured.
bench_once() {
    { printf '%s\n' "${2:-}"; printf '\\o /dev/null\n\\timing on\n%s;\n' "$1"; } |
        bench_psql -f - | awk '/^Time: / { printf "%.1f\n", $2 }'
}

echo "== validators over $VALUES values"
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_iban, bench_vat;
-- IBANs of four countries as people type them; about one in three is wrong.
CREATE TABLE bench_iban AS
SELECT CASE i % 4
         WHEN 0 THEN 'DE' || pg_catalog.lpad(((98 - ((i::numeric * 1000000 + 131400) % 97))::int)::text, 2, '0') || '00000000' || pg_catalog.lpad(i::text, 10, '0')
         WHEN 1 THEN 'GB82 WEST 1234 5698 7654 3' || (i % 10)
         WHEN 2 THEN 'NO93 8601 1117 94' || (i % 10)
         ELSE 'fr14 2004 1010 0505 0001 3m02 60' || (i % 10)
       END AS v
FROM pg_catalog.generate_series(1, $VALUES) i;
-- German VAT numbers, one in ten with the right check digit.
CREATE TABLE bench_vat AS
SELECT 'DE' || (100000000 + (i::bigint * 7919) % 900000000)::text AS v
FROM pg_catalog.generate_series(1, $VALUES) i;
VACUUM ANALYZE bench_iban;
VACUUM ANALYZE bench_vat;

-- What a user writes without o2c: a regular expression and mod 97 over a
-- numeric built by replacing each letter with its number.
CREATE OR REPLACE FUNCTION bench_iban_sql(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS \$f\$
SELECT s ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\$'
   AND (pg_catalog.translate(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.substr(s, 5) || pg_catalog.substr(s, 1, 4),
          'A','10'),'B','11'),'C','12'),'D','13'),'E','14'),'F','15'),'G','16'),'H','17'),'I','18'),
          'J','19'),'K','20'),'L','21'),'M','22'),'N','23'),'O','24'),'P','25'),'Q','26'),'R','27'),
          'S','28'),'T','29'),'U','30'),'V','31'),'W','32'),'X','33'),'Y','34'),'Z','35'), ' ', '')::numeric % 97) = 1
FROM (SELECT pg_catalog.upper(pg_catalog.replace(v, ' ', '')) AS s) q
\$f\$;

-- The same in PL/pgSQL, character by character.
CREATE OR REPLACE FUNCTION bench_iban_plpgsql(v text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS \$f\$
DECLARE s text := pg_catalog.upper(pg_catalog.replace(v, ' ', '')); r int := 0; c int; i int;
BEGIN
    IF s !~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\$' THEN RETURN false; END IF;
    s := pg_catalog.substr(s, 5) || pg_catalog.substr(s, 1, 4);
    FOR i IN 1 .. pg_catalog.length(s) LOOP
        c := pg_catalog.ascii(pg_catalog.substr(s, i, 1));
        IF c >= 65 THEN r := (r * 100 + c - 55) % 97; ELSE r := (r * 10 + c - 48) % 97; END IF;
    END LOOP;
    RETURN r = 1;
END
\$f\$;

-- German VAT (ISO 7064 mod 11,10) in PL/pgSQL.
CREATE OR REPLACE FUNCTION bench_vat_plpgsql(v text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS \$f\$
DECLARE s text := pg_catalog.upper(pg_catalog.regexp_replace(v, '[ .-]', '', 'g')); p int := 10; t int; i int;
BEGIN
    IF s !~ '^DE[1-9][0-9]{8}\$' THEN RETURN false; END IF;
    FOR i IN 3 .. 10 LOOP
        t := (pg_catalog.substr(s, i, 1)::int + p) % 10;
        IF t = 0 THEN t := 10; END IF;
        p := (2 * t) % 11;
    END LOOP;
    RETURN (11 - p) % 10 = pg_catalog.substr(s, 11, 1)::int;
END
\$f\$;
SQL
# The baselines must agree with o2c on these rows, or the race is unfair.
bench_psql -At -c "SELECT 'agreement: iban sql ' || (SELECT pg_catalog.count(*) FILTER (WHERE bench_iban_sql(v) IS DISTINCT FROM o2c.iban_valid(v)) FROM (SELECT v FROM bench_iban LIMIT 20000) s)
                 || ' differ, iban plpgsql ' || (SELECT pg_catalog.count(*) FILTER (WHERE bench_iban_plpgsql(v) IS DISTINCT FROM o2c.iban_valid(v)) FROM (SELECT v FROM bench_iban LIMIT 20000) s)
                 || ' differ, vat plpgsql ' || (SELECT pg_catalog.count(*) FILTER (WHERE bench_vat_plpgsql(v) IS DISTINCT FROM o2c.vat_valid(v)) FROM (SELECT v FROM bench_vat LIMIT 20000) s)
                 || ' differ (of 20000 each); valid: iban ' || (SELECT pg_catalog.count(*) FILTER (WHERE o2c.iban_valid(v)) FROM bench_iban)
                 || ', vat ' || (SELECT pg_catalog.count(*) FILTER (WHERE o2c.vat_valid(v)) FROM bench_vat)"

t_len=$(bench_median "SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.length(v) > 0) FROM bench_iban" "$SERIAL")
t_iban=$(bench_median "SELECT pg_catalog.count(*) FILTER (WHERE o2c.iban_valid(v)) FROM bench_iban" "$SERIAL")
t_iban_sql=$(bench_once "SELECT pg_catalog.count(*) FILTER (WHERE bench_iban_sql(v)) FROM bench_iban" "$SERIAL")
t_iban_pl=$(bench_once "SELECT pg_catalog.count(*) FILTER (WHERE bench_iban_plpgsql(v)) FROM bench_iban" "$SERIAL")
t_vlen=$(bench_median "SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.length(v) > 0) FROM bench_vat" "$SERIAL")
t_vat=$(bench_median "SELECT pg_catalog.count(*) FILTER (WHERE o2c.vat_valid(v)) FROM bench_vat" "$SERIAL")
t_vat_pl=$(bench_once "SELECT pg_catalog.count(*) FILTER (WHERE bench_vat_plpgsql(v)) FROM bench_vat" "$SERIAL")
printf '  %-40s %10s ms\n' "length(v), IBAN rows" "$t_len" "o2c.iban_valid" "$t_iban" \
    "regex + replace + mod 97 SQL" "$t_iban_sql" "PL/pgSQL mod 97" "$t_iban_pl" \
    "length(v), VAT rows" "$t_vlen" "o2c.vat_valid" "$t_vat" "PL/pgSQL mod 11,10" "$t_vat_pl"
fastest_iban_baseline=$(awk -v a="$t_iban_sql" -v b="$t_iban_pl" 'BEGIN { print (a < b) ? a : b }')
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
bench_check "iban_valid / fastest user SQL (<= 0.05 is >= 20x faster)" "$(ratio3 "$t_iban" "$fastest_iban_baseline")" 0.05
bench_check "iban_valid / length(v)" "$(bench_ratio "$t_iban" "$t_len")" 3
bench_check "vat_valid / PL/pgSQL (<= 0.05 is >= 20x faster)" "$(ratio3 "$t_vat" "$t_vat_pl")" 0.05
bench_check "vat_valid / length(v)" "$(bench_ratio "$t_vat" "$t_vlen")" 3
echo "  speed-up: iban $(bench_ratio "$fastest_iban_baseline" "$t_iban")x, vat $(bench_ratio "$t_vat_pl" "$t_vat")x"
bench_psql -c 'DROP TABLE bench_iban, bench_vat'

echo "== COPY of $INVOICES invoices"
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_inv_plain, bench_inv_noop, bench_inv_guard, bench_inv_plpgsql,
    bench_inv_batch, bench_inv_batch_plpgsql;
CREATE TABLE bench_inv_plain (
    invoice_id bigint PRIMARY KEY, customer_id text, invoice_date date, due_date date,
    amount numeric(12,2), open_amount numeric(12,2), currency text);
CREATE TABLE bench_inv_noop (LIKE bench_inv_plain INCLUDING ALL);
CREATE TABLE bench_inv_guard (LIKE bench_inv_plain INCLUDING ALL);
-- The floor: a C BEFORE ROW trigger that returns the row unchanged. Any row
-- trigger makes COPY insert row by row; this measures that cost alone.
CREATE OR REPLACE FUNCTION bench_noop_trigger() RETURNS trigger LANGUAGE c AS 'o2c', 'o2c_bench_noop_trigger';
CREATE TRIGGER noop BEFORE INSERT OR UPDATE ON bench_inv_noop FOR EACH ROW
    EXECUTE FUNCTION bench_noop_trigger();
CREATE TABLE bench_inv_plpgsql (LIKE bench_inv_plain INCLUDING ALL);
CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON bench_inv_guard FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('mode=reject');
-- The trigger a user would write for the same rules.
CREATE OR REPLACE FUNCTION bench_guard_plpgsql() RETURNS trigger LANGUAGE plpgsql AS \$f\$
BEGIN
    IF NEW.customer_id IS NULL OR pg_catalog.btrim(NEW.customer_id) = '' THEN
        RAISE EXCEPTION 'invoice % has no customer', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.amount <= 0 THEN
        RAISE EXCEPTION 'invoice %: amount not positive', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.due_date < NEW.invoice_date THEN
        RAISE EXCEPTION 'invoice %: due before invoice', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.currency IS NOT NULL AND NOT o2c.currency_valid(NEW.currency) THEN
        RAISE EXCEPTION 'invoice %: bad currency', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.open_amount > NEW.amount THEN
        RAISE EXCEPTION 'invoice %: open exceeds amount', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.open_amount < 0 THEN
        RAISE EXCEPTION 'invoice %: negative open', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    IF NEW.invoice_date > current_date THEN
        RAISE EXCEPTION 'invoice %: future date', NEW.invoice_id USING ERRCODE = '23514'; END IF;
    RETURN NEW;
END
\$f\$;
CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON bench_inv_plpgsql FOR EACH ROW
    EXECUTE FUNCTION bench_guard_plpgsql();
-- The statement form: COPY keeps its batched inserts, the guard reads the
-- transition table.
CREATE TABLE bench_inv_batch (LIKE bench_inv_plain INCLUDING ALL);
CREATE TRIGGER guard AFTER INSERT ON bench_inv_batch REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION o2c.invoice_guard('mode=reject');
-- What a user would write for the same rules at statement level: one query
-- over the transition table.
CREATE OR REPLACE FUNCTION bench_guard_plpgsql_batch() RETURNS trigger LANGUAGE plpgsql AS \$f\$
DECLARE
    bad bigint;
BEGIN
    SELECT n.invoice_id INTO bad FROM new_rows n
     WHERE n.customer_id IS NULL OR pg_catalog.btrim(n.customer_id) = '' OR n.amount <= 0
        OR n.due_date < n.invoice_date
        OR (n.currency IS NOT NULL AND NOT o2c.currency_valid(n.currency))
        OR n.open_amount > n.amount OR n.open_amount < 0 OR n.invoice_date > current_date
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'invoice % breaks a rule', bad USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END
\$f\$;
CREATE TABLE bench_inv_batch_plpgsql (LIKE bench_inv_plain INCLUDING ALL);
CREATE TRIGGER guard AFTER INSERT ON bench_inv_batch_plpgsql REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bench_guard_plpgsql_batch();
COPY (SELECT i, 'C' || (i % 50000), DATE '2024-01-01' + (i % 365), DATE '2024-01-31' + (i % 365),
             (i % 100000) / 100.0 + 1, (i % 100000) / 200.0, (ARRAY['EUR', 'USD', 'GBP', 'SEK'])[i % 4 + 1]
      FROM pg_catalog.generate_series(1, $INVOICES) i) TO '$CSV';
SQL
copy_sql() { echo "DO \$d\$ BEGIN TRUNCATE $1; EXECUTE 'COPY $1 FROM ''$CSV'''; END \$d\$"; }
# Interleaved rounds: each round copies into all six tables, so a change of
# load on the machine falls on the triggers and their baselines alike.
read -r t_plain t_batch t_batch_pl t_noop t_guard t_plpgsql < <(bench_medians "" \
    "$(copy_sql bench_inv_plain)" "$(copy_sql bench_inv_batch)" "$(copy_sql bench_inv_batch_plpgsql)" \
    "$(copy_sql bench_inv_noop)" "$(copy_sql bench_inv_guard)" "$(copy_sql bench_inv_plpgsql)")
bench_psql -At -c "SELECT '  rows: ' || pg_catalog.string_agg(t || ' ' || n, ', ') FROM (VALUES
    ('plain', (SELECT pg_catalog.count(*) FROM bench_inv_plain)),
    ('statement guard', (SELECT pg_catalog.count(*) FROM bench_inv_batch)),
    ('statement plpgsql', (SELECT pg_catalog.count(*) FROM bench_inv_batch_plpgsql)),
    ('no-op row trigger', (SELECT pg_catalog.count(*) FROM bench_inv_noop)),
    ('row guard', (SELECT pg_catalog.count(*) FROM bench_inv_guard)),
    ('row plpgsql', (SELECT pg_catalog.count(*) FROM bench_inv_plpgsql))) v(t, n)"
printf '  %-52s %10s ms\n' "COPY, no trigger (primary key only)" "$t_plain" \
    "COPY, invoice_guard AFTER ... FOR EACH STATEMENT" "$t_batch" \
    "COPY, PL/pgSQL statement trigger, one query" "$t_batch_pl" \
    "COPY, C row trigger returning NEW (row floor)" "$t_noop" \
    "COPY, invoice_guard BEFORE ... FOR EACH ROW" "$t_guard" \
    "COPY, PL/pgSQL row trigger" "$t_plpgsql"
printf '  %-52s %10s\n' "no-op row trigger / no trigger (floor of any row form)" "$(bench_ratio "$t_noop" "$t_plain")" \
    "row-form invoice_guard / no trigger" "$(bench_ratio "$t_guard" "$t_plain")" \
    "row-form invoice_guard / no-op row trigger" "$(bench_ratio "$t_guard" "$t_noop")"
bench_check "COPY, statement-form invoice_guard / no trigger" "$(bench_ratio "$t_batch" "$t_plain")" 1.3
bench_check "COPY, statement-form guard / PL/pgSQL statement trig." "$(bench_ratio "$t_batch" "$t_batch_pl")" 1
bench_check "COPY, row-form invoice_guard / PL/pgSQL row trigger" "$(bench_ratio "$t_guard" "$t_plpgsql")" 1
bench_psql -c 'DROP TABLE bench_inv_plain, bench_inv_noop, bench_inv_guard, bench_inv_plpgsql, bench_inv_batch, bench_inv_batch_plpgsql' \
    -c 'DROP FUNCTION bench_noop_trigger(), bench_guard_plpgsql(), bench_guard_plpgsql_batch()'

echo "== COPY of $INVOICES invoices without due dates, filled from payment terms by invoice_guard"
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_terms_plain, bench_terms_guard, bench_terms_text, bench_terms_text_guard, bench_terms_text_noop;
CREATE TABLE bench_terms_plain (
    invoice_id bigint PRIMARY KEY, customer_id text, invoice_date date, due_date date,
    amount numeric(12,2), open_amount numeric(12,2), currency text, payment_terms o2c.terms);
CREATE TABLE bench_terms_guard (LIKE bench_terms_plain INCLUDING ALL);
CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON bench_terms_guard FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('terms=payment_terms');
-- the same with the terms as text, as most ERP exports hold them
CREATE TABLE bench_terms_text (LIKE bench_terms_plain INCLUDING ALL);
ALTER TABLE bench_terms_text ALTER payment_terms TYPE text;
CREATE TABLE bench_terms_text_guard (LIKE bench_terms_text INCLUDING ALL);
CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON bench_terms_text_guard FOR EACH ROW
    EXECUTE FUNCTION o2c.invoice_guard('terms=payment_terms');
-- the floor of any row trigger written in PL/pgSQL: one that only returns NEW
CREATE TABLE bench_terms_text_noop (LIKE bench_terms_text INCLUDING ALL);
CREATE OR REPLACE FUNCTION bench_plpgsql_noop() RETURNS trigger LANGUAGE plpgsql AS \$f\$ BEGIN RETURN NEW; END \$f\$;
CREATE TRIGGER noop BEFORE INSERT OR UPDATE ON bench_terms_text_noop FOR EACH ROW
    EXECUTE FUNCTION bench_plpgsql_noop();
COPY (SELECT i, 'C' || (i % 50000), DATE '2024-01-01' + (i % 365), NULL,
             (i % 100000) / 100.0 + 1, (i % 100000) / 200.0, (ARRAY['EUR', 'USD', 'GBP', 'SEK'])[i % 4 + 1],
             (ARRAY['NET 30', 'NET 30 EOM', '2/10 NET 45', '15 PROX'])[i % 4 + 1]
      FROM pg_catalog.generate_series(1, $INVOICES) i) TO '$CSV_TERMS';
SQL
copy_terms_sql() { echo "DO \$d\$ BEGIN TRUNCATE $1; EXECUTE 'COPY $1 FROM ''$CSV_TERMS'''; END \$d\$"; }
read -r t_tplain t_tguard t_ttext t_ttguard t_ttnoop < <(bench_medians "" \
    "$(copy_terms_sql bench_terms_plain)" "$(copy_terms_sql bench_terms_guard)" "$(copy_terms_sql bench_terms_text)" \
    "$(copy_terms_sql bench_terms_text_guard)" "$(copy_terms_sql bench_terms_text_noop)")
bench_psql -At -c "SELECT '  rows: o2c.terms plain ' || (SELECT pg_catalog.count(*) FROM bench_terms_plain) || ', guard ' || (SELECT pg_catalog.count(*) FROM bench_terms_guard) || ' (due dates filled ' || (SELECT pg_catalog.count(*) FROM bench_terms_guard WHERE due_date = o2c.due_date(payment_terms, invoice_date)) || '); text plain ' || (SELECT pg_catalog.count(*) FROM bench_terms_text) || ', guard ' || (SELECT pg_catalog.count(*) FROM bench_terms_text_guard) || ' (due dates filled ' || (SELECT pg_catalog.count(*) FROM bench_terms_text_guard WHERE due_date = o2c.due_date(payment_terms::o2c.terms, invoice_date)) || '), PL/pgSQL no-op ' || (SELECT pg_catalog.count(*) FROM bench_terms_text_noop)"
printf '  %-52s %10s ms\n' "COPY, no trigger (due dates NULL), o2c.terms column" "$t_tplain" \
    "COPY, invoice_guard terms= (filled), o2c.terms" "$t_tguard" \
    "COPY, no trigger, text terms column" "$t_ttext" \
    "COPY, invoice_guard terms= (filled), text terms" "$t_ttguard" \
    "COPY, PL/pgSQL row trigger returning NEW, text terms" "$t_ttnoop"
printf '  %-52s %10s\n' "invoice_guard terms= / no trigger (o2c.terms)" "$(bench_ratio "$t_tguard" "$t_tplain")" \
    "invoice_guard terms= / no trigger (text)" "$(bench_ratio "$t_ttguard" "$t_ttext")" \
    "PL/pgSQL no-op row trigger / no trigger (text)" "$(bench_ratio "$t_ttnoop" "$t_ttext")"
bench_check "COPY, guard filling from text terms / PL/pgSQL no-op" "$(bench_ratio "$t_ttguard" "$t_ttnoop")" 1
bench_psql -c 'DROP TABLE bench_terms_plain, bench_terms_guard, bench_terms_text, bench_terms_text_guard, bench_terms_text_noop' \
    -c 'DROP FUNCTION bench_plpgsql_noop()'

echo "== duplicate_customers over $CUSTOMERS customers, 2% planted duplicates"
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_cust, bench_planted;
-- Distinct base customers: three words from three lists, a legal form, a
-- tax id, an e-mail and a country.
CREATE TABLE bench_cust AS
WITH w AS (
    SELECT ARRAY['Alder','Birch','Cedar','Delta','Ember','Falcon','Granite','Harbor','Iris','Juniper',
                 'Kestrel','Linden','Maple','Nimbus','Orchid','Pioneer','Quartz','Raven','Sierra','Timber',
                 'Ursa','Vertex','Willow','Xenon','Yarrow','Zephyr','Atlas','Beacon','Cobalt','Drift',
                 'Echo','Fjord','Glacier','Horizon','Indigo','Jasper','Krypton','Lumen','Meadow','Nova',
                 'Onyx','Prairie','Quill','Ridge','Summit','Tundra','Unity','Vale','Wren','Yukon'] AS a,
           ARRAY['Systems','Foods','Logistics','Textiles','Energy','Pharma','Motors','Media','Capital','Robotics',
                 'Minerals','Optics','Brewing','Furniture','Shipping','Analytics','Ceramics','Aviation','Dairy','Paper',
                 'Plastics','Software','Tools','Timberworks','Water','Wireless','Yachts','Zinc','Acoustics','Bakery',
                 'Cables','Dental','Electric','Fabrics','Glass','Hydraulics','Instruments','Jewelry','Kitchens','Labs',
                 'Marine','Nutrition','Outdoor','Packaging','Quarries','Rail','Solar','Trading','Utilities','Vision'] AS b,
           ARRAY['Aachen','Bergen','Cork','Dijon','Esbjerg','Faro','Graz','Haarlem','Izmir','Jena',
                 'Kassel','Leuven','Malmo','Nantes','Oulu','Porto','Quimper','Riga','Split','Tartu',
                 'Umea','Varna','Wels','Xanten','Ypres','Zadar','Arles','Brno','Chur','Delft',
                 'Essen','Fulda','Genk','Hamar','Ischia','Jyvaskyla','Kiel','Lund','Mons','Narvik'] AS c,
           ARRAY['GmbH','Ltd','AB','SA','BV','Inc','Oy','AS','SRL','LLC'] AS f,
           ARRAY['DE','GB','SE','FR','NL','US','FI','NO','IT','ES'] AS cc
)
SELECT i AS customer_id,
       w.a[1 + i % 50] || ' ' || w.b[1 + (i / 50) % 50] || ' ' || w.c[1 + (i / 2500) % 40]
           || CASE WHEN i >= 100000 THEN ' ' || w.c[1 + (i / 100000) % 40] ELSE '' END
           || ' ' || w.f[1 + (i / 7) % 10] AS name,
       'TAX' || (10000000 + i) AS tax_id,
       NULL::text AS iban,
       'ap' || i || '@example' || (i % 977) || '.com' AS email,
       w.cc[1 + (i / 3) % 10] AS country
FROM pg_catalog.generate_series(1, $CUSTOMERS) i, w;
-- 2% duplicates: same tax id with the name in upper case, same e-mail in
-- upper case with doubled spaces in the name, or a name with one letter
-- changed somewhere and nothing else in common.
CREATE TABLE bench_planted AS
SELECT $CUSTOMERS + k AS customer_id, orig AS duplicate_of, kind
FROM (SELECT k, 1 + ((k * 7919) % $CUSTOMERS) AS orig, k % 3 AS kind
      FROM pg_catalog.generate_series(1, $CUSTOMERS / 50) k) s;
INSERT INTO bench_cust
SELECT p.customer_id,
       CASE p.kind WHEN 0 THEN pg_catalog.upper(c.name)
                   WHEN 1 THEN pg_catalog.replace(c.name, ' ', '  ')
                   ELSE overlay(c.name PLACING 'q' FROM 2 + (p.customer_id::int % (pg_catalog.length(c.name) - 8)) FOR 1) END,
       CASE p.kind WHEN 0 THEN pg_catalog.lower(c.tax_id) END,
       NULL,
       CASE p.kind WHEN 1 THEN pg_catalog.upper(c.email) END,
       c.country
FROM bench_planted p JOIN bench_cust c ON c.customer_id = p.duplicate_of;
VACUUM ANALYZE bench_cust;
SQL
q="SELECT pg_catalog.count(*) FROM o2c.duplicate_customers('SELECT customer_id, name, tax_id, iban, email, country FROM bench_cust')"
t_dup=$(O2C_BENCH_RUNS=${O2C_BENCH_RUNS:-3} bench_median "$q")
bench_psql -At <<SQL
CREATE TEMP TABLE found AS
SELECT customer_id::bigint AS a, duplicate_of::bigint AS b
FROM o2c.duplicate_customers('SELECT customer_id, name, tax_id, iban, email, country FROM bench_cust');
SELECT '  customers: ' || (SELECT pg_catalog.count(*) FROM bench_cust)
    || ', planted: ' || (SELECT pg_catalog.count(*) FROM bench_planted)
    || ', pairs returned: ' || (SELECT pg_catalog.count(*) FROM found);
WITH hit AS (
    SELECT pg_catalog.count(*) AS n FROM found f JOIN bench_planted p
      ON (f.a, f.b) = (p.customer_id, p.duplicate_of) OR (f.b, f.a) = (p.customer_id, p.duplicate_of))
SELECT '  precision ' || pg_catalog.round(hit.n::numeric / NULLIF((SELECT pg_catalog.count(*) FROM found), 0), 4)
    || ', recall ' || pg_catalog.round(hit.n::numeric / (SELECT pg_catalog.count(*) FROM bench_planted), 4)
FROM hit;
SQL
printf '  %-40s %10s ms\n' "duplicate_customers" "$t_dup"
bench_check "duplicate_customers seconds / 30 s" "$(bench_ratio "$t_dup" 30000)" 1
bench_psql -c 'DROP TABLE bench_cust, bench_planted'

# A book where near-names are common and mostly different companies:
# numbered branches ("Lumen Crest 12", "Lumen Crest 122") and one stem under
# legal forms of different countries ("Lumen Crest B.V.", "Lumen Crest S.A.",
# "Lumen Crest 22 Pte Ltd"), country known for a third of them. 2% planted
# duplicates: a letter typed wrong in the stem, the name in upper case, the
# legal form written another way of the same country (Pvt Ltd / Private
# Limited), or doubled spaces with the same e-mail.
NEAR=$((CUSTOMERS / 5))
echo "== duplicate_customers over about $NEAR customers with common near-names, 2% planted duplicates"
bench_psql <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_near, bench_near_planted;
CREATE TABLE bench_near AS
WITH w AS (
    SELECT ARRAY['Lumen','Crest','Harbor','Meridian','Summit','Cobalt','Falcon','Granite','Pioneer','Sterling',
                 'Willow','Beacon','Horizon','Juniper','Kestrel','Linden','Marble','Orchid','Prairie','Quarry',
                 'Raven','Sierra','Thistle','Valley','Walnut','Amber','Bramble','Copper','Dover','Elm'] AS a,
           ARRAY['Trading','Foods','Optics','Motors','Textiles','Pharma','Logistics','Stores','Bakery','Dental',
                 'Garments','Rubber','Timber','Cables','Spices','Marine','Paper','Tiles','Metals','Plastics',
                 'Market','Pharmacy','Clinic','Garage','Kitchens','Printing','Travel','Fitness','Studio','Imports'] AS b,
           ARRAY['GmbH','Inc.','S.A.','B.V.','Pte Ltd','Sdn Bhd','Pvt Ltd','ApS','S.r.l.','Oy'] AS f,
           ARRAY['DE','US','FR','NL','SG','MY','IN','DK','IT','FI'] AS cc,
           ARRAY['1','2','3','12','21','22','122','212','221','2000','20','200'] AS num
), g AS (
    SELECT i, w.a[1 + i % 30] || ' ' || w.b[1 + (i / 30) % 30]
              || CASE WHEN (i / 900) % 3 = 0 THEN '' ELSE ' ' || w.num[1 + ((i / 900) * 5 + i) % 12] END
              || ' ' || w.f[1 + ((i / 900) * 7 + i / 30) % 10] AS name,
           CASE WHEN i % 3 = 0 THEN w.cc[1 + ((i / 900) * 7 + i / 30) % 10] END AS country
    FROM pg_catalog.generate_series(1, $NEAR) i, w
)
SELECT DISTINCT ON (name) i AS customer_id, name, 'NT' || (10000000 + i) AS tax_id, NULL::text AS iban,
       'ar' || i || '@near' || (i % 613) || '.example' AS email, country
FROM g ORDER BY name, i;
CREATE TABLE bench_near_planted AS
SELECT 10000000 + k AS customer_id, orig AS duplicate_of, k % 4 AS kind
FROM (SELECT k, (SELECT customer_id FROM bench_near ORDER BY pg_catalog.hashint4(customer_id + k * 7919), customer_id LIMIT 1) AS orig
      FROM pg_catalog.generate_series(1, $NEAR / 50) k) s;
DELETE FROM bench_near_planted p USING bench_near_planted q
WHERE p.duplicate_of = q.duplicate_of AND p.customer_id > q.customer_id;
INSERT INTO bench_near
SELECT p.customer_id,
       CASE p.kind
         WHEN 0 THEN overlay(c.name PLACING 'q' FROM 2 + (p.customer_id::int % (pg_catalog.strpos(c.name, ' ') - 2)) FOR 1)
         WHEN 1 THEN pg_catalog.upper(c.name)
         WHEN 2 THEN pg_catalog.regexp_replace(c.name, ' (GmbH|Inc\.|S\.A\.|B\.V\.|Pte Ltd|Sdn Bhd|Pvt Ltd|ApS|S\.r\.l\.|Oy)\$',
                         ' ' || CASE pg_catalog.substring(c.name, ' (GmbH|Inc\.|S\.A\.|B\.V\.|Pte Ltd|Sdn Bhd|Pvt Ltd|ApS|S\.r\.l\.|Oy)\$')
                                  WHEN 'GmbH' THEN 'G.m.b.H.' WHEN 'Inc.' THEN 'Incorporated' WHEN 'S.A.' THEN 'SA'
                                  WHEN 'B.V.' THEN 'BV' WHEN 'Pte Ltd' THEN 'Pte. Limited' WHEN 'Sdn Bhd' THEN 'Sdn. Bhd.'
                                  WHEN 'Pvt Ltd' THEN 'Private Limited' WHEN 'ApS' THEN 'APS' WHEN 'S.r.l.' THEN 'SRL' ELSE 'OY' END)
         ELSE pg_catalog.replace(c.name, ' ', '  ') END,
       NULL, NULL, CASE p.kind WHEN 3 THEN pg_catalog.upper(c.email) END, c.country
FROM bench_near_planted p JOIN bench_near c ON c.customer_id = p.duplicate_of;
VACUUM ANALYZE bench_near;
SQL
bench_psql -At <<SQL
CREATE TEMP TABLE found AS
SELECT customer_id::bigint AS a, duplicate_of::bigint AS b
FROM o2c.duplicate_customers('SELECT customer_id, name, tax_id, iban, email, country FROM bench_near');
SELECT '  customers: ' || (SELECT pg_catalog.count(*) FROM bench_near)
    || ', planted: ' || (SELECT pg_catalog.count(*) FROM bench_near_planted)
    || ', pairs returned: ' || (SELECT pg_catalog.count(*) FROM found);
WITH hit AS (
    SELECT pg_catalog.count(*) AS n FROM found f JOIN bench_near_planted p
      ON (f.a, f.b) = (p.customer_id, p.duplicate_of) OR (f.b, f.a) = (p.customer_id, p.duplicate_of))
SELECT '  near-names: precision ' || pg_catalog.round(hit.n::numeric / NULLIF((SELECT pg_catalog.count(*) FROM found), 0), 4)
    || ', recall ' || pg_catalog.round(hit.n::numeric / (SELECT pg_catalog.count(*) FROM bench_near_planted), 4)
FROM hit;
SELECT '  recall by kind (letter typo, upper case, form of the same country, same e-mail): '
    || pg_catalog.string_agg(pg_catalog.round(found::numeric / n, 4)::text, ', ' ORDER BY kind)
FROM (SELECT p.kind, pg_catalog.count(*) AS n,
             pg_catalog.count(*) FILTER (WHERE EXISTS (SELECT 1 FROM found f WHERE (f.a, f.b) = (p.customer_id, p.duplicate_of)
                                                                              OR (f.b, f.a) = (p.customer_id, p.duplicate_of))) AS found
      FROM bench_near_planted p GROUP BY 1) t;
SQL
bench_psql -c 'DROP TABLE bench_near, bench_near_planted'

#!/usr/bin/env bash
# Dump and restore of a working o2c database: the demo ledger (every o2c
# type, both invoice_guard forms, every job's output, calendars, policies, a
# risk model) plus a table of o2c-typed columns, dumped in custom and plain
# format and restored serially, with pg_restore -j 4 and through psql. Each
# copy must hold every row of every o2c and user table and the same sequence
# positions, and every job must then run once more without error (new ids
# included). Needs the server named by PGHOST/PGPORT (scripts/run.sh test
# starts one) and O2C_PGBIN for pg_dump/pg_restore. Ends "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
work=$(mktemp -d)
chmod 755 "$work"
src=o2c_dr_src
targets=(o2c_dr_custom o2c_dr_custom_j4 o2c_dr_plain)
passed=0 failed=0

psqlq() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
cleanup() {
    for db in "$src" "${targets[@]}"; do
        psqlq -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    done
    rm -rf "$work"
}
trap cleanup EXIT

for db in "$src" "${targets[@]}"; do
    psqlq -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done

# The source: the demo, then a table of every o2c type.
if psqlq -d "$src" -f "$root/scripts/demo.sql" >"$work/demo.log" 2>&1; then
    ok "the demo ledger is built"
else
    tail -n 20 "$work/demo.log"; not_ok "the demo ledger is built"
fi
psqlq -d "$src" <<'SQL' || not_ok "the typed table is built"
CREATE TABLE dr_typed (
    id      serial PRIMARY KEY,
    terms   o2c.terms,
    iban    o2c.iban,
    buckets o2c.aging_buckets,
    ladder  o2c.aging_ladder
);
INSERT INTO dr_typed (terms, iban, buckets, ladder)
SELECT c.terms, 'DE89 3704 0044 0532 0130 00'::o2c.iban,
       (SELECT o2c.aging(amount, invoice_date + 30, DATE '2026-06-30') FROM demo_terms_invoice),
       (SELECT o2c.aging(amount, invoice_date + 30, DATE '2026-06-30', '{0,30,90}') FROM demo_terms_invoice)
FROM demo_terms_customer c;
-- Aggregate states kept in a table (what a Citus worker ships): a plain one,
-- one with a spilled sum, a ladder's and a day-count one.
CREATE TABLE dr_states (id int PRIMARY KEY, s o2c.aging_state, d o2c.days_state);
INSERT INTO dr_states VALUES
    (1, o2c.aging_trans(NULL, 1250.50, DATE '2026-06-01', DATE '2026-06-30'),
        o2c.days_late_trans(NULL, 100.00, DATE '2026-06-01', DATE '2026-06-21')),
    (2, o2c.aging_trans(o2c.aging_trans(NULL, 1e25 + 0.5, DATE '2026-03-01', DATE '2026-06-30'),
                        0.000000001, NULL, DATE '2026-06-30'),
        o2c.days_late_trans(NULL, 1e30, DATE '2026-06-01', DATE '2026-06-11')),
    (3, o2c.aging_trans(NULL, 7, DATE '2026-06-01', DATE '2026-06-30', '{0,15}'), NULL);
SQL

# Exchange rates and a settings override (o2c.fx_rate, o2c.settings).
psqlq -d "$src" <<'SQL' || not_ok "the exchange rates are stored"
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate) VALUES
    ('USD', 'EUR', '2025-01-01', 0.92), ('USD', 'EUR', '2025-02-01', 0.95),
    ('EUR', 'JPY', '2025-01-01', 160.25), ('GBP', 'USD', '2025-01-01', 1.2712345678901);
INSERT INTO o2c.settings (name, value) VALUES ('fx_pivot', 'USD');
SQL

# Row counts that must not be zero, so an empty copy cannot pass.
for t in calendar holiday dunning_policy job_run aging_snapshot dunning_notice cash_match finding risk_model promise promise_payment fx_rate settings; do
    n=$(psqlq -At -d "$src" -c "SELECT count(*) FROM o2c.$t")
    if [ "${n:-0}" -gt 0 ]; then ok "source o2c.$t has $n rows"; else not_ok "source o2c.$t has rows"; fi
done

"$bin/pg_dump" -Fc -d "$src" -f "$work/src.dump" && ok "pg_dump -Fc" || not_ok "pg_dump -Fc"
"$bin/pg_dump" -Fp -d "$src" -f "$work/src.sql" && ok "pg_dump -Fp" || not_ok "pg_dump -Fp"

restore() {
    case $1 in
        o2c_dr_custom)    "$bin/pg_restore" -d "$1" "$work/src.dump" ;;
        o2c_dr_custom_j4) "$bin/pg_restore" -j 4 -d "$1" "$work/src.dump" ;;
        o2c_dr_plain)     psqlq -d "$1" -f "$work/src.sql" ;;
    esac
}

# One line per table and sequence: its name and a digest of its sorted rows.
fingerprint() {
    psqlq -At -d "$1" <<'SQL'
SET client_min_messages = warning;
CREATE TEMP TABLE fp (what text, digest text);
DO $$
DECLARE r record; d text;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_catalog.pg_class c
               JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname IN ('o2c', 'public') AND c.relkind IN ('r', 'S')
              ORDER BY 1::text LOOP
        IF r.relkind = 'S' THEN
            EXECUTE pg_catalog.format('SELECT last_value || %L || is_called FROM %s', '/', r.rel) INTO d;
        ELSE
            EXECUTE pg_catalog.format(
                'SELECT count(*) || %L || md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %s t',
                ' rows ', E'\n', '', r.rel) INTO d;
        END IF;
        INSERT INTO fp VALUES (r.rel::text, d);
    END LOOP;
END
$$;
SELECT what || ' ' || digest FROM fp ORDER BY what;
SQL
}

fingerprint "$src" >"$work/src.fp"
for db in "${targets[@]}"; do
    if restore "$db" >"$work/$db.log" 2>&1; then
        ok "$db: restored without error"
    else
        grep -E 'error|ERROR' "$work/$db.log" | head -n 10; not_ok "$db: restored without error"
    fi
    fingerprint "$db" >"$work/$db.fp"
    if diff "$work/src.fp" "$work/$db.fp" >"$work/$db.diff"; then
        ok "$db: every table row for row and every sequence as in the source ($(wc -l <"$work/src.fp") relations)"
    else
        cat "$work/$db.diff"; not_ok "$db: every table row for row and every sequence as in the source"
    fi
    # The restored aggregate states still combine and finish as the source's.
    got=$(psqlq -At -d "$db" -c "SELECT o2c.aging_final(o2c.aging_combine(a.s, b.s))::text || ' ' ||
                                        o2c.days_final(o2c.days_combine(a.d, b.d))::text || ' ' ||
                                        o2c.aging_ladder_final(c.s)::text
                                   FROM dr_states a, dr_states b, dr_states c WHERE a.id = 1 AND b.id = 2 AND c.id = 3" 2>&1)
    want=$(psqlq -At -d "$src" -c "SELECT o2c.aging_final(o2c.aging_combine(a.s, b.s))::text || ' ' ||
                                         o2c.days_final(o2c.days_combine(a.d, b.d))::text || ' ' ||
                                         o2c.aging_ladder_final(c.s)::text
                                    FROM dr_states a, dr_states b, dr_states c WHERE a.id = 1 AND b.id = 2 AND c.id = 3" 2>&1)
    if [ -n "$want" ] && [ "$got" = "$want" ]; then
        ok "$db: restored aggregate states combine and finish as before ($got)"
    else
        not_ok "$db: restored aggregate states combine and finish as before (got: $got, want: $want)"
    fi
    # Every job once more, each writing new rows (new ids from the sequences),
    # a new risk model, and the restored model, calendar and types in use.
    if psqlq -d "$db" >"$work/$db.jobs.log" 2>&1 <<'SQL'
SET client_min_messages = warning;
INSERT INTO o2c.holiday (calendar, day, name) VALUES ('TARGET', '2027-01-01', 'New Year''s Day');
INSERT INTO demo_bank_lines VALUES
    ('BL-09', '2026-06-30', 980.00, 'EUR', 'NORDWIND LOGISTIK GMBH', 'DE02120300000000202051', 'RE-2026-0903');
CALL o2c.snapshot_aging('SELECT customer_id, due_date, open_amount, currency FROM public.invoices WHERE open_amount <> 0',
                        DATE '2026-07-31');
CALL o2c.run_dunning('SELECT * FROM public.invoices', 'example', DATE '2026-08-31');
CALL o2c.run_quality_scan($$SELECT doc_no AS invoice_id, customer AS customer_id, issued AS invoice_date,
                                   due AS due_date, total AS amount, open AS open_amount, cur AS currency
                              FROM public.demo_q_invoice$$, '{"as_of": "2026-07-31"}', 'dump check');
CALL o2c.run_cash_application(
    'SELECT line_id AS payment_id, booked AS received_on, amount, currency,
            counterparty AS payer_name, iban AS payer_iban, remittance AS reference
       FROM public.demo_bank_lines',
    'SELECT * FROM public.demo_ar_open', '{"tolerance": 15}');
CALL o2c.train_risk_model('after restore', 'SELECT * FROM public.risk_demo_invoices', DATE '2026-03-31');
SELECT count(*) FROM o2c.risk_score('demo', 'SELECT * FROM public.risk_demo_invoices',
                                    'SELECT * FROM public.risk_demo_invoices', DATE '2026-04-01');
SELECT o2c.due_date('2/10 NET 30'::o2c.terms, DATE '2026-04-17', 'TARGET');
INSERT INTO o2c.fx_rate (base, quote, rate_date, rate) VALUES ('USD', 'EUR', '2025-03-01', 0.91);
INSERT INTO dr_typed (terms) VALUES ('NET 30');
SELECT o2c.record_finding('dump check', 'x', 'missing_customer', 'warning', 'after restore');
DO $$
BEGIN
    IF (SELECT count(*) FROM o2c.dunning_notice WHERE as_of = DATE '2026-08-31') = 0 THEN
        RAISE EXCEPTION 'no new dunning notice was written';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM o2c.cash_match WHERE payment_id = 'BL-09') THEN
        RAISE EXCEPTION 'no new cash match was written';
    END IF;
    -- the restored rates and pivot (USD): EUR -> GBP through USD
    IF o2c.convert(1000, 'EUR', 'GBP', DATE '2025-03-31') <> 864.44 THEN
        RAISE EXCEPTION 'restored rates convert wrongly: %', o2c.convert(1000, 'EUR', 'GBP', DATE '2025-03-31');
    END IF;
END
$$;
SQL
    then
        ok "$db: every job runs once more and writes new rows"
    else
        grep -E 'ERROR|DETAIL' "$work/$db.jobs.log" | head -n 5; not_ok "$db: every job runs once more and writes new rows"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

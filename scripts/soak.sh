#!/usr/bin/env bash
# o2c soak: a hostile stretch of use against the server in PGHOST/PGPORT
# (scripts/run.sh soak starts one), for O2C_SOAK_SECONDS (default 1200),
# three parts at once in a database o2c_soak holding o2c and the demo data
# (scripts/demo.sql), with every other extension dropped (dblink reaches out):
#   1. sqlsmith's random queries, as a role that is an o2c_operator but not a
#      superuser (statement_timeout 1 s, each statement rolled back);
#   2. targeted random calls of every o2c function, aggregate, procedure and
#      trigger function listed in pg_proc, with edge values and hostile inner
#      queries (scripts/soak.pl calls);
#   3. job runners, a writer and a mailer at once, in rounds, the money
#      invariants checked after each round (scripts/soak.pl jobs).
# Fails on any server crash (counted from pg_stat_bgwriter.stats_reset, which
# a crash restart resets, and from the server log when O2C_SERVER_LOG names
# it), any XX000 from o2c, any broken invariant, any job failing other than by
# a deadlock (counted apart). O2C_SOAK_SEED makes a run repeatable (up to
# timing). The databases and the role are dropped at the end unless
# O2C_SOAK_KEEP is set. Last line: "N passed, N failed" (one per part, plus
# crashes).
set -uo pipefail

O2C_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${O2C_SOAK_SECONDS:-1200}
SEED=${O2C_SOAK_SEED:-$((RANDOM * 32768 + RANDOM))}
MAXQ=${O2C_SOAK_MAX_QUERIES:-1000000}
DB=o2c_soak
LOGDB=o2c_soak_log
SMITH=o2c_soak_smith
work=$(mktemp -d /tmp/o2c-soak.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psqlq() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
say() { printf '== soak: %s\n' "$*" >&2; }

say "seed $SEED, $SECS s"
# ---- the database -----------------------------------------------------------
psqlq -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $LOGDB WITH (FORCE)" \
    -c "CREATE DATABASE $DB" -c "CREATE DATABASE $LOGDB" || exit 1
psqlq -d "$DB" -f "$O2C_ROOT/scripts/demo.sql" >"$work/demo.log" 2>&1 \
    || { cat "$work/demo.log"; echo "soak: the demo did not load"; exit 1; }
psqlq -d "$DB" >/dev/null <<SQL || exit 1
SET client_min_messages = warning;
-- Nothing that reaches outside the server (dblink, fdw) stays installed.
DO \$\$
DECLARE e text;
BEGIN
    FOR e IN SELECT extname FROM pg_catalog.pg_extension WHERE extname NOT IN ('o2c', 'plpgsql') LOOP
        EXECUTE pg_catalog.format('DROP EXTENSION %I CASCADE', e);
    END LOOP;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '$SMITH') THEN
        CREATE ROLE $SMITH LOGIN;
    END IF;
END
\$\$;
GRANT o2c_operator TO $SMITH;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $SMITH;
ALTER ROLE $SMITH IN DATABASE $DB SET statement_timeout = '1s';
ALTER ROLE $SMITH IN DATABASE $DB SET work_mem = '4MB';
ALTER DATABASE $DB SET log_error_verbosity = verbose;

-- The jobs' books (schema soak: sqlsmith's role cannot see it).
CREATE SCHEMA soak;
CREATE SEQUENCE soak.doc_seq;
CREATE SEQUENCE soak.canary_seq;
CREATE TABLE soak.canary (note text);
CREATE TABLE soak.invoice (
    invoice_id text PRIMARY KEY, customer_id text NOT NULL, customer_name text, invoice_date date NOT NULL,
    due_date date NOT NULL, amount numeric(12,2) NOT NULL, open_amount numeric(12,2) NOT NULL,
    currency text NOT NULL, reference text);
CREATE TABLE soak.payment (
    payment_id text PRIMARY KEY, received_on date NOT NULL, amount numeric(12,2) NOT NULL, currency text NOT NULL,
    payer_name text, reference text, posted boolean NOT NULL DEFAULT false,
    closed_by_hand boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp());
CREATE TABLE soak.posting (payment_id text NOT NULL, invoice_id text NOT NULL, amount numeric NOT NULL,
                           match_id bigint NOT NULL);
CREATE TABLE soak.sent (table_name text NOT NULL, id bigint NOT NULL, key text NOT NULL, payment_id text,
                        invoice_id text, amount numeric, sent_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp());
SELECT o2c.install_example_policy();
SQL
psqlq -d "$LOGDB" >/dev/null <<'SQL' || exit 1
-- sqlsmith --log-to writes here: one row per failed statement, with SQLSTATE.
CREATE TABLE instance (id bigserial PRIMARY KEY, rev text, target text, hostname text, version text, seed text,
                       t timestamptz DEFAULT now());
CREATE TABLE error (id bigint, msg text, query text, sqlstate text, t timestamptz DEFAULT now());
CREATE TABLE stat (id bigint, generated bigint, level real, nodes real, updated timestamptz, retries real,
                   impedance text);
SQL

crash_mark() { psql -X -A -t -d postgres -c 'SELECT stats_reset FROM pg_catalog.pg_stat_bgwriter' 2>/dev/null; }
log_offset=0
if [ -n "${O2C_SERVER_LOG:-}" ] && [ -r "$O2C_SERVER_LOG" ]; then
    log_offset=$(stat -c %s "$O2C_SERVER_LOG")
fi
last_mark=$(crash_mark)
crashes_seen=0

# ---- the three parts, at once -------------------------------------------------
conn="host=$PGHOST port=$PGPORT"
(
    end=$((SECONDS + SECS)) s=$SEED
    while [ $((end - SECONDS)) -gt 3 ]; do
        timeout --signal=TERM $((end - SECONDS)) sqlsmith --target="$conn dbname=$DB user=$SMITH" \
            --log-to="$conn dbname=$LOGDB user=${PGUSER:-postgres}" --seed="$s" --max-queries="$MAXQ" \
            --exclude-catalog --verbose >/dev/null 2>>"$work/sqlsmith.err"
        s=$((s + 1))
    done
) &
pids+=($!)
PGDATABASE=$DB timeout $((SECS + 600)) perl "$O2C_ROOT/scripts/soak.pl" calls "$SECS" "$SEED" "$work/calls.out" 2>"$work/calls.err" &
pids+=($!)
PGDATABASE=$DB timeout $((SECS + 600)) perl "$O2C_ROOT/scripts/soak.pl" jobs "$SECS" "$SEED" "$work/jobs.out" 2>"$work/jobs.err" &
pids+=($!)

# Watch for crash restarts while the parts run.
while :; do
    running=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
    [ $running = 1 ] || break
    sleep 2
    m=$(crash_mark)
    if [ -n "$m" ] && [ -n "$last_mark" ] && [ "$m" != "$last_mark" ]; then
        crashes_seen=$((crashes_seen + 1))
        say "the server restarted after a crash"
    fi
    [ -n "$m" ] && last_mark=$m
done
wait
pids=()

# ---- the figures --------------------------------------------------------------
sources=$(find "$O2C_ROOT/src" -name '*.c' -printf '%f ')
O2C_SOAK_LOGDB=$LOGDB O2C_SOAK_SMITH=$SMITH O2C_SOAK_SOURCES=$sources PGDATABASE=$DB \
    perl "$O2C_ROOT/scripts/soak.pl" sqlsmith 0 0 "$work/sqlsmith.out" 2>"$work/sqlsmith-report.err"

val() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0; }
smith_sent=$(grep -E '^[.etsc]+$' "$work/sqlsmith.err" 2>/dev/null | tr -d '\n' | wc -c)
smith_broken=$(grep -E '^[.etsc]+$' "$work/sqlsmith.err" 2>/dev/null | tr -cd 'c' | wc -c)
log_crashes=0
if [ -n "${O2C_SERVER_LOG:-}" ] && [ -r "$O2C_SERVER_LOG" ]; then
    tail -c +$((log_offset + 1)) "$O2C_SERVER_LOG" >"$work/server.log"
    log_crashes=$(grep -cE 'terminated by signal|was terminated by exception|exited with exit code [^01]' "$work/server.log")
fi
crashes=$((log_crashes > crashes_seen ? log_crashes : crashes_seen))

calls_sent=$(val "$work/calls.out" calls_sent)
jobs_q=$(val "$work/jobs.out" queries_jobs)
echo
echo "soak summary (seed $SEED, $SECS s)"
echo "  queries sent:         $((smith_sent + calls_sent + jobs_q)) (sqlsmith $smith_sent, targeted calls $calls_sent, jobs/writer/mailer $jobs_q)"
echo "  crashes:              $crashes"
echo "  internal errors (o2c): sqlsmith $(val "$work/sqlsmith.out" sqlsmith_internal_errors_o2c), targeted calls $(val "$work/calls.out" calls_internal_errors), jobs $(val "$work/jobs.out" jobs_internal_errors)"
echo "  XX000 outside o2c:    $(val "$work/sqlsmith.out" sqlsmith_internal_errors_elsewhere) (sqlsmith; listed below, not failures)"
echo "  sqlsmith:             $(val "$work/sqlsmith.out" sqlsmith_errors) statements failed with a proper SQLSTATE or timed out; $smith_broken lost connections"
echo "  targeted calls:       $(val "$work/calls.out" calls_functions) functions ($(val "$work/calls.out" calls_functions_called) called; $(val "$work/calls.out" calls_functions_skipped) taking internal, reached through their aggregates), $(val "$work/calls.out" calls_ok) ok, $(val "$work/calls.out" calls_errors) proper errors, $(val "$work/calls.out" calls_timeouts) timeouts"
echo "  jobs:                 $(val "$work/jobs.out" jobs_rounds) rounds, $(val "$work/jobs.out" jobs_runs) runs, $(val "$work/jobs.out" jobs_succeeded) succeeded, $(val "$work/jobs.out" jobs_cancelled) cancelled on purpose; deadlocks: jobs $(val "$work/jobs.out" jobs_deadlocks), mailer $(val "$work/jobs.out" mailer_deadlocks), writer $(val "$work/jobs.out" writer_deadlocks)"
echo "  invariant checks:     $(( $(val "$work/jobs.out" invariant_checks) + $(val "$work/calls.out" calls_invariant_checks) )), $(val "$work/jobs.out" invariant_failures) broken"
if [ "$crashes" -gt 0 ] && [ -s "$work/server.log" ]; then
    echo "crashes in the server log:"
    grep -E -A1 'terminated by signal|was terminated by exception|exited with exit code [^01]' "$work/server.log" | cut -c1-2000
fi
passed=0 failed=0
for part in sqlsmith calls jobs; do
    f="$work/$part.out"
    if [ ! -s "$f" ]; then
        echo "FAILED $part: no report"
        cat "$work/$part.err" 2>/dev/null | tail -n 20
        failed=$((failed + 1))
    elif grep -q '^failure: ' "$f"; then
        echo "FAILED $part ($(val "$f" failures) failures):"
        grep '^failure: ' "$f" | sed 's/^failure: /  /' | head -n 40
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
    grep '^note: ' "$f" 2>/dev/null | sed 's/^note: /  note: /' | head -n 20
done
if [ "$smith_sent" -eq 0 ]; then
    echo "FAILED sqlsmith sent no query"
    tail -n 20 "$work/sqlsmith.err" 2>/dev/null
    failed=$((failed + 1))
fi
if [ "$crashes" -gt 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
# Leave nothing behind on the server, unless asked to (to look into a failure).
if [ -z "${O2C_SOAK_KEEP:-}" ]; then
    psql -X -q -d postgres -c 'SET client_min_messages = warning' \
        -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "DROP DATABASE IF EXISTS $LOGDB WITH (FORCE)" \
        -c "DROP ROLE IF EXISTS $SMITH" >/dev/null 2>&1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# A server crash in the middle of a job: the backend running it is killed
# with SIGKILL, so the postmaster restarts every backend and recovers. After
# that no lock is held, job_health shows the run as abandoned, the next
# fail-fast run goes ahead and records it as abandoned. It crashes the server,
# so it runs only when O2C_CRASH_TEST=1 (scripts/run.sh test sets it for the
# throwaway cluster it starts, never for a server named by PGHOST/PGPORT).
# Ends "N passed, N failed".
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
db=o2c_crash
passed=0 failed=0

if [ "${O2C_CRASH_TEST:-0}" != 1 ]; then
    echo "# skipped: O2C_CRASH_TEST is not 1 (the test crashes the server)"
    echo "0 passed, 0 failed"
    exit 0
fi

psqlq() { timeout 60 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() {  # check DESCRIPTION EXPRESSION: SELECT EXPRESSION must answer t
    local got
    got=$(psqlq -At -c "SELECT $2" 2>&1)
    if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}
cleanup() {
    "$bin/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
psqlq -c 'CREATE EXTENSION o2c' \
      -c "CREATE TABLE inv AS SELECT 'C' || i AS customer_id, DATE '2024-06-01' AS due_date, i::numeric AS open_amount
          FROM generate_series(1, 10) i"

# A slow run in the background; its backend is killed while it works. Its
# commits are durable (the test cluster runs with synchronous_commit off, and
# a commit still in the WAL buffers is lost in the crash).
PGOPTIONS="-c synchronous_commit=on" psqlq -c "CALL o2c.snapshot_aging('SELECT i.* FROM public.inv i, (SELECT pg_sleep(30)) s', '2024-06-30')" \
    >/dev/null 2>&1 &
pid=
for _ in $(seq 1 100); do
    pid=$(psqlq -At -c "SELECT r.backend_pid FROM o2c.job_run r JOIN pg_locks l ON l.pid = r.backend_pid
                        WHERE r.status = 'running' AND l.locktype = 'advisory' AND l.granted")
    [ -n "$pid" ] && break
    sleep 0.1
done
if [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; then
    ok "the backend running the job (pid $pid) is killed: the server restarts"
else
    not_ok "the backend running the job is killed"
fi
wait
up=0
for _ in $(seq 1 600); do
    if "$bin/psql" -X -q -At -d "$db" -c 'SELECT 1' >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
done
[ "$up" = 1 ] && ok "the server is back" || not_ok "the server is back"

check "the run is still recorded as running, with its backend's pid" \
    "(SELECT status FROM o2c.job_run WHERE backend_pid = $pid) = 'running'"
check "no lock is held after the crash" \
    "NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory')"
check "job_health shows the run as abandoned" \
    "(SELECT last_status FROM o2c.job_health WHERE job = 'snapshot_aging') = 'abandoned'"
psqlq -c "CALL o2c.snapshot_aging('SELECT * FROM public.inv', '2024-06-30', options => '{\"wait\": false}')" \
    >/dev/null 2>&1 && ok "the next fail-fast run goes ahead" || not_ok "the next fail-fast run goes ahead"
check "and records the crashed run as abandoned" \
    "(SELECT status FROM o2c.job_run WHERE backend_pid = $pid) = 'abandoned'"
check "no run is shown as running" \
    "NOT EXISTS (SELECT 1 FROM o2c.job_run WHERE status = 'running')"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

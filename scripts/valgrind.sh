#!/usr/bin/env bash
# The regression suite (pg_regress; the pgTAP files too with O2C_VALGRIND_TAP=1)
# against a throwaway server run under valgrind's memcheck, run by
# `scripts/run.sh valgrind` after the build and install. Every process of the
# server logs to its own file; an error whose stack has a frame in o2c.so is
# printed and fails the run. Errors elsewhere are counted, not failures.
# PostgreSQL is not built with USE_VALGRIND, and Debian ships no
# src/tools/valgrind.supp, so scripts/valgrind.supp holds our own
# suppressions for the server's known false positives.
# Last line: "N passed, N failed".
set -uo pipefail

O2C_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
O2C_PGBIN=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PATH="$O2C_PGBIN:$PATH"
dir=$(mktemp -d /tmp/o2c-valgrind.XXXXXX)
runas=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    runas=(runuser -u postgres --)
fi
stop() {
    "${runas[@]}" "$O2C_PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 600 stop >/dev/null 2>&1
}
cleanup() {
    stop
    "${runas[@]}" "$O2C_PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    [ -n "${O2C_VALGRIND_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${runas[@]}" "$O2C_PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
"${runas[@]}" mkdir "$dir/sock" "$dir/vg"
port=$((55000 + RANDOM % 1000))
{
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$dir/sock'"
    echo "port = $port"
    echo "fsync = off"
    echo "max_parallel_workers_per_gather = 2"
    echo "max_worker_processes = 8"
    # valgrind is 20-50 times slower: no time limits that assume a fast server.
    echo "authentication_timeout = '10min'"
    echo "jit = off"
} | "${runas[@]}" tee -a "$dir/data/postgresql.conf" >/dev/null
# pg_ctl starts this instead of postgres; children are followed (fork and exec).
cat >"$dir/postgres" <<EOF
#!/bin/sh
exec valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes --num-callers=30 --fullpath-after= \\
    --suppressions="$O2C_ROOT/scripts/valgrind.supp" --error-limit=no \\
    --log-file="$dir/vg/%p.log" "$O2C_PGBIN/postgres" "\$@"
EOF
chmod 755 "$dir/postgres"
chmod 755 "$dir"
echo "== valgrind: starting the server (slow)" >&2
"${runas[@]}" "$O2C_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -p "$dir/postgres" -w -t 600 start >/dev/null \
    || { cat "$dir/server.log"; exit 1; }
export PGHOST="$dir/sock" PGPORT=$port PGUSER=postgres

passed=0 failed=0
echo "== valgrind: pg_regress" >&2
rm -f "$O2C_ROOT/regression.diffs"
make -C "$O2C_ROOT" -s PG_CONFIG="$O2C_PGBIN/pg_config" installcheck ${O2C_VALGRIND_REGRESS:+REGRESS="$O2C_VALGRIND_REGRESS"} \
    >"$dir/regress.log" 2>&1
grep -E '^(test | )?[a-z0-9_]+ +\.\.\. ' "$dir/regress.log"
n=$(grep -cE '\.\.\. ok' "$dir/regress.log"); passed=$((passed + n))
n=$(grep -cE '\.\.\. FAILED' "$dir/regress.log"); failed=$((failed + n))
grep -qE '\.\.\. (ok|FAILED)' "$dir/regress.log" || { tail -n 20 "$dir/regress.log"; failed=$((failed + 1)); }
if [ -n "${O2C_VALGRIND_TAP:-}" ]; then
    echo "== valgrind: pgTAP" >&2
    psql -X -q -d postgres -c 'CREATE DATABASE o2c_tap'
    psql -X -q -d o2c_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION o2c'
    # Timing-based tests (a second session that must be waiting after 1 s)
    # can fail under valgrind's slowdown; they are counted all the same.
    pg_prove -v -d o2c_tap "$O2C_ROOT"/test/*.sql >"$dir/tap.log" 2>&1
    n=$(grep -cE '^ *ok [0-9]+' "$dir/tap.log"); passed=$((passed + n))
    n=$(grep -cE '^ *not ok [0-9]+' "$dir/tap.log"); failed=$((failed + n))
    grep -E '^ *not ok|^Result' "$dir/tap.log"
fi
if [ -n "${O2C_VALGRIND_SQL:-}" ]; then
    # Another psql script under valgrind, e.g. to reproduce a report.
    psql -X -q -d postgres -f "$O2C_VALGRIND_SQL" >"$dir/extra.log" 2>&1
    tail -n 5 "$dir/extra.log"
fi
stop

# An error record is the lines from one "==PID== <message>" to the blank
# "==PID== " line after its stack; keep those with a frame in o2c.so (a frame
# with debug information shows its source file instead, under $O2C_ROOT/src).
match=${O2C_VALGRIND_MATCH:-o2c[.]so|$O2C_ROOT/src/}
errors=0 o2c_errors=0
for f in "$dir"/vg/*.log; do
    [ -s "$f" ] || continue
    awk -v file="$f" -v match_re="$match" '
        /^==[0-9]+== *$/ { if (rec != "") { n++; if (rec ~ match_re) { o++; print rec > (file ".o2c") } else print rec > (file ".other") } rec = ""; next }
        /^==[0-9]+== / { rec = rec $0 "\n"; next }
        END { if (rec != "") { n++; if (rec ~ match_re) { o++; print rec > (file ".o2c") } else print rec > (file ".other") }
              print n + 0, o + 0 }' "$f" >"$f.count"
    read -r a b <"$f.count"
    errors=$((errors + a)) o2c_errors=$((o2c_errors + b))
done
echo "valgrind: $errors error records in $(ls "$dir"/vg/*.log 2>/dev/null | wc -l) server processes, $o2c_errors with a frame in o2c.so"
if [ "$o2c_errors" -gt 0 ]; then
    cat "$dir"/vg/*.o2c | head -n 200
    failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
if [ "$errors" -gt "$o2c_errors" ]; then
    echo "other records (not in o2c; kept with O2C_VALGRIND_KEEP=1 in $dir/vg):"
    grep -h -m 3 -E '^==[0-9]+== [A-Z]' "$dir"/vg/*.log | sort | uniq -c | sort -rn | head -n 10
    echo "the first of them in full:"
    cat "$dir"/vg/*.other 2>/dev/null | head -n 40
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

# o2c set-up functions, sourced by scripts/run.sh. Needs O2C_ROOT.

O2C_PACKAGES=(
    make gcc
    postgresql-15 postgresql-server-dev-15 postgresql-contrib
    postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
    postgresql-15-cron
    clang-14 libclang-rt-14-dev libxml2-dev
    sqlsmith libdbd-pg-perl
)
# O2C_PGBIN may name another PostgreSQL installation (15 or later; see
# scripts/versions.sh for the ones built from source).
O2C_PGBIN=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}

o2c_log() { printf '== %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, through sudo otherwise.
o2c_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

o2c_install_deps() {
    o2c_install_packages "${O2C_PACKAGES[@]}"
    export PATH="$O2C_PGBIN:$PATH"
}

# Install the named Debian packages that are missing.
o2c_install_packages() {
    local missing=() p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        o2c_log "installing: ${missing[*]}"
        o2c_as_root apt-get update -qq
        o2c_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

o2c_build_install() {
    local stamp="$O2C_ROOT/.o2c-built-for" want
    o2c_log "building o2c"
    # Objects built for another server version are rebuilt.
    want=$("$O2C_PGBIN/pg_config" --version)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        make -C "$O2C_ROOT" -s PG_CONFIG="$O2C_PGBIN/pg_config" clean >/dev/null
        echo "$want" >"$stamp"
    fi
    make -C "$O2C_ROOT" -s PG_CONFIG="$O2C_PGBIN/pg_config" WERROR=1 >/dev/null
    o2c_as_root make -C "$O2C_ROOT" -s PG_CONFIG="$O2C_PGBIN/pg_config" WERROR=1 install >/dev/null
}

# Start a throwaway cluster unless PGHOST and PGPORT name a server already.
# O2C_CLUSTER_PROFILE=bench sizes it for the benchmarks.
o2c_cluster_start() {
    if [ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ]; then
        o2c_log "using the server at PGHOST=$PGHOST PGPORT=$PGPORT"
        export PGUSER=${PGUSER:-postgres}
        O2C_OWN_CLUSTER=0
        return
    fi
    O2C_OWN_CLUSTER=1
    O2C_PGDIR=$(mktemp -d /tmp/o2c-pg.XXXXXX)
    O2C_RUNAS=()
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root.
        chown postgres:postgres "$O2C_PGDIR"
        O2C_RUNAS=(runuser -u postgres --)
    fi
    trap o2c_cluster_stop EXIT
    trap 'exit 130' INT TERM
    local port=$((54000 + RANDOM % 1000))
    "${O2C_RUNAS[@]}" "$O2C_PGBIN/initdb" -D "$O2C_PGDIR/data" -A trust -U postgres \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$O2C_PGDIR/initdb.log" 2>&1 \
        || { cat "$O2C_PGDIR/initdb.log" >&2; return 1; }
    "${O2C_RUNAS[@]}" mkdir "$O2C_PGDIR/sock"
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$O2C_PGDIR/sock'"
        echo "port = $port"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        # pg_cron when this server has it (a server built from source may not).
        if [ -f "$("$O2C_PGBIN/pg_config" --pkglibdir)/pg_cron.so" ]; then
            echo "shared_preload_libraries = 'pg_cron'"
            echo "cron.database_name = 'postgres'"
            echo "cron.use_background_workers = on"
        fi
        echo "max_worker_processes = 16"
        echo "max_parallel_workers = 4"
        echo "max_parallel_workers_per_gather = 2"
        if [ "${O2C_CLUSTER_PROFILE:-}" = bench ]; then
            echo "shared_buffers = '2GB'"
            echo "work_mem = '256MB'"
            echo "max_wal_size = '8GB'"
            echo "jit = off"
        fi
    } | "${O2C_RUNAS[@]}" tee -a "$O2C_PGDIR/data/postgresql.conf" >/dev/null
    "${O2C_RUNAS[@]}" "$O2C_PGBIN/pg_ctl" -D "$O2C_PGDIR/data" -l "$O2C_PGDIR/server.log" \
        -w -t 60 start >/dev/null \
        || { cat "$O2C_PGDIR/server.log" >&2; return 1; }
    export PGHOST="$O2C_PGDIR/sock" PGPORT=$port PGUSER=postgres O2C_SERVER_LOG="$O2C_PGDIR/server.log"
    o2c_log "throwaway cluster at $PGHOST port $PGPORT"
}

o2c_cluster_stop() {
    if [ "${O2C_OWN_CLUSTER:-0}" = 1 ] && [ -d "${O2C_PGDIR:-}/data" ]; then
        "${O2C_RUNAS[@]}" "$O2C_PGBIN/pg_ctl" -D "$O2C_PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$O2C_PGDIR"
        O2C_OWN_CLUSTER=0
    fi
}

o2c_psql() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }

o2c_run_demo() {
    o2c_psql -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS o2c_demo' -c 'CREATE DATABASE o2c_demo'
    o2c_psql -d o2c_demo -f "$O2C_ROOT/scripts/demo.sql"
}

# pg_regress (make installcheck), then pgTAP (pg_prove); one closing line
# "N passed, N failed". Failures print regression.diffs and the not-ok lines.
o2c_run_tests() {
    local passed=0 failed=0 n regress_log tap_log
    regress_log=$(mktemp) tap_log=$(mktemp)

    o2c_log "pg_regress"
    rm -f "$O2C_ROOT/regression.diffs"
    local regress_rc=0
    make -C "$O2C_ROOT" -s PG_CONFIG="$O2C_PGBIN/pg_config" installcheck >"$regress_log" 2>&1 || regress_rc=$?
    # pg_regress prints "test name ... ok" up to 15, TAP ("ok 1 - name") from 16.
    local rp rf
    rp=$(grep -cE '^(test | )?[a-z0-9_]+ +\.\.\. ok|^ok [0-9]+ ' "$regress_log" || true)
    rf=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$regress_log" || true)
    passed=$((passed + rp)) failed=$((failed + rf))
    echo "pg_regress: $rp passed, $rf failed"
    # Only what failed is listed.
    grep -E '\.\.\. FAILED|^not ok [0-9]+ |^make: \*\*\*|No such file' "$regress_log" || true
    if [ -s "$O2C_ROOT/regression.diffs" ]; then
        cat "$O2C_ROOT/regression.diffs"
    fi
    if ! grep -qE '\.\.\. (ok|FAILED)|^(not )?ok [0-9]+ ' "$regress_log"; then
        echo "pg_regress did not run" >&2
        failed=$((failed + 1))
    elif [ "$regress_rc" -ne 0 ] && ! grep -qE '\.\.\. FAILED|^not ok [0-9]+ ' "$regress_log"; then
        # pg_regress stopped early (a missing expected file, a crash): a failure.
        tail -n 20 "$regress_log"
        failed=$((failed + 1))
    fi

    o2c_log "pgTAP"
    o2c_psql -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS o2c_tap' -c 'CREATE DATABASE o2c_tap'
    o2c_psql -d o2c_tap -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION o2c'
    pg_prove -v -d o2c_tap "$O2C_ROOT"/test/*.sql >"$tap_log" 2>&1 || true
    local tp tf
    tp=$(grep -cE '^ *ok [0-9]+' "$tap_log" || true)
    tf=$(grep -cE '^ *not ok [0-9]+' "$tap_log" || true)
    passed=$((passed + tp)) failed=$((failed + tf))
    echo "pgTAP: $(ls "$O2C_ROOT"/test/*.sql | wc -l) files, $tp passed, $tf failed"
    grep -E '^ *not ok|^# |Failed|Parse errors|Dubious' "$tap_log" || true
    if ! grep -qE '^Result: PASS' "$tap_log"; then
        tail -n 30 "$tap_log"
        grep -qE '^ *not ok' "$tap_log" || failed=$((failed + 1))
    fi
    rm -f "$regress_log" "$tap_log"

    # Scripts that use the server started above (test/server/*.sh: README
    # examples, postgres_fdw shards, dump and restore, cancelled, crashed
    # and concurrent jobs). They find the server through PGHOST/PGPORT and
    # pg_dump/pg_restore in O2C_PGBIN; only on a throwaway cluster may a
    # test crash the server (O2C_CRASH_TEST=1).
    O2C_CRASH_TEST="${O2C_OWN_CLUSTER:-0}" o2c_run_scripts server "$O2C_ROOT"/test/server/*.sh

    # A short soak (scripts/soak.sh): sqlsmith, targeted calls, jobs at once.
    local soak_log soak_line
    soak_log=$(mktemp)
    o2c_log "soak (${O2C_TEST_SOAK_SECONDS:-60} s; scripts/run.sh soak runs it longer)"
    O2C_SOAK_SECONDS=${O2C_TEST_SOAK_SECONDS:-60} bash "$O2C_ROOT/scripts/soak.sh" >"$soak_log" 2>&1 || true
    soak_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$soak_log" | tail -n 1 || true)
    if [ -n "$soak_line" ] && [ "$(echo "$soak_line" | awk '{print $3}')" = 0 ]; then
        # One line when all is well; the whole summary when not.
        printf 'soak: %s queries, %s crashes, %s invariant checks: %s\n' \
            "$(sed -n 's/^  queries sent: *\([0-9]*\).*/\1/p' "$soak_log")" \
            "$(sed -n 's/^  crashes: *\([0-9]*\).*/\1/p' "$soak_log")" \
            "$(sed -n 's/^  invariant checks: *\([0-9]*\).*/\1/p' "$soak_log")" "$soak_line"
    else
        sed -n '/^soak summary/,$p' "$soak_log"
    fi
    if [ -n "$soak_line" ]; then
        passed=$((passed + $(echo "$soak_line" | awk '{print $1}')))
        failed=$((failed + $(echo "$soak_line" | awk '{print $3}')))
    else
        tail -n 20 "$soak_log"
        failed=$((failed + 1))
    fi
    rm -f "$soak_log"

    # The standalone checks do not depend on the server: a run over several
    # server versions (scripts/versions.sh) does them once.
    if [ "${O2C_TEST_STANDALONE:-1}" = 0 ]; then
        echo "$passed passed, $failed failed"
        [ "$failed" -eq 0 ]
        return
    fi

    # Bounded fuzzing of the parsers, when there are fuzz harnesses.
    if [ -f "$O2C_ROOT/scripts/fuzz.sh" ]; then
        local fuzz_log fuzz_line
        fuzz_log=$(mktemp)
        o2c_log "fuzzing (each parser for ${O2C_FUZZ_SECONDS:-20} s; set O2C_FUZZ_SECONDS for longer)"
        bash "$O2C_ROOT/scripts/fuzz.sh" >"$fuzz_log" 2>&1 || true
        grep -vE '^[0-9]+ passed, [0-9]+ failed' "$fuzz_log"
        fuzz_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$fuzz_log" | tail -n 1 || true)
        if [ -n "$fuzz_line" ]; then
            passed=$((passed + $(echo "$fuzz_line" | awk '{print $1}')))
            failed=$((failed + $(echo "$fuzz_line" | awk '{print $3}')))
        else
            echo "fuzzing did not report" >&2
            failed=$((failed + 1))
        fi
        rm -f "$fuzz_log"
    fi

    # Standalone unit tests of the pure-C cores (test/unit/*.sh).
    o2c_run_scripts unit "$O2C_ROOT"/test/unit/*.sh

    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# o2c_run_scripts KIND SCRIPT...: runs each script (in o2c_run_tests, whose
# passed and failed counts it adds to). A script that ends with the line
# "N passed, N failed" counts as such, others as one test; a script that
# exits non-zero has failed at least once.
o2c_run_scripts() {
    local kind=$1 script log line rc p f start
    shift
    for script in "$@"; do
        [ -f "$script" ] || continue
        log=$(mktemp)
        o2c_log "$kind: $(basename "$script")"
        rc=0 start=$SECONDS
        O2C_PGBIN="$O2C_PGBIN" bash "$script" >"$log" 2>&1 || rc=$?
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
        # One line for a script that passed; its whole output when it failed.
        if [ "$rc" -eq 0 ] && ! grep -qE '^not ok' "$log"; then
            echo "$kind: $(basename "$script"): ${line:-$(tail -n 1 "$log")} ($((SECONDS - start)) s)"
        else
            cat "$log"
        fi
        if [ -n "$line" ]; then
            p=$(echo "$line" | awk '{print $1}') f=$(echo "$line" | awk '{print $3}')
        else
            p=0 f=0
        fi
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
        elif [ "$rc" -eq 0 ] && [ -z "$line" ]; then
            p=1
        fi
        passed=$((passed + p)) failed=$((failed + f))
        rm -f "$log"
    done
}

# Every bench/<concern>.sh, or only those named in O2C_BENCH (space-separated).
o2c_run_bench() {
    local f name
    o2c_psql -d postgres -c 'SET client_min_messages = warning' \
        -c 'DROP DATABASE IF EXISTS o2c_bench' -c 'CREATE DATABASE o2c_bench'
    export PGDATABASE=o2c_bench O2C_ROOT
    for f in "$O2C_ROOT"/bench/*.sh; do
        name=$(basename "$f" .sh)
        if [ -n "${O2C_BENCH:-}" ] && ! [[ " $O2C_BENCH " == *" $name "* ]]; then
            continue
        fi
        o2c_log "bench: $name"
        bash "$f"
    done
}

#!/usr/bin/env bash
# Every SQL example of README.md runs as written (test/readme.pl), on the
# tables of test/fixtures/readme.sql, in a database of its own on the server
# the test command started (PGHOST/PGPORT); pg_cron examples run where
# pg_cron is installed (the postgres database), when the server preloads it.
# Ends with "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
db=o2c_readme
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

sql -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
# The roles README's GRANT example names.
sql -d postgres -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'metabase') THEN CREATE ROLE metabase; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'etl_batch') THEN CREATE ROLE etl_batch; END IF;
END \$\$" || exit 1
sql -d "$db" -f "$root/test/fixtures/readme.sql" >/dev/null || exit 1
echo "INSERT INTO bank_file VALUES ('2025-03-11.sta', :'content')" |
    sql -d "$db" -v content="$(cat "$root/test/fixtures/two_statements.sta")" || exit 1

crondb=
if [ "$(sql -At -d postgres -c 'SHOW shared_preload_libraries')" = pg_cron ]; then
    sql -d postgres -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' &&
        crondb=postgres
fi
perl "$root/test/readme.pl" "$root/README.md" "$db" $crondb
rc=$?
sql -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db" >/dev/null
exit $rc

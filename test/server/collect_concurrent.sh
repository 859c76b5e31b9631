#!/usr/bin/env bash
# Collections jobs at once: two sessions run run_promise_check and
# run_dunning (writing letters) back to back for about 10 s while a third
# records payments and a mailer sends letters. Afterwards no promise has
# more counted towards it than promised, no payment counts twice, every
# notice is in at most one letter and no letter is written twice for a
# notice, and every run succeeded. Needs the server named by PGHOST/PGPORT
# (scripts/run.sh test starts one). Ends "N passed, N failed".
set -uo pipefail
bin=${O2C_PGBIN:-/usr/lib/postgresql/15/bin}
export PGUSER=${PGUSER:-postgres}
db=o2c_collect_concurrent
work=$(mktemp -d)
passed=0 failed=0
psqlq() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psqlt() { timeout 60 "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() {
    local got
    got=$(psqlq -At -c "SELECT $2" 2>&1)
    if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null
    "$bin/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

"$bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
psqlq <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION o2c;
SELECT o2c.install_example_policy();
INSERT INTO o2c.letter_template (kind, level, language, subject, body_text)
VALUES ('dunning', 0, 'en', 'Reminder {{total_open}} {{currency}}', E'{{customer_name}}\n{{items}}');
CREATE TABLE cc_invoices AS
SELECT 'I-' || i AS invoice_id, 'C' || (i % 40) AS customer_id, 'Customer ' || (i % 40) AS customer_name,
       DATE '2026-04-01' + (i % 60) AS due_date, (100 + i % 900)::numeric(12,2) AS open_amount, 'EUR' AS currency
FROM pg_catalog.generate_series(1, 400) i;
CREATE TABLE cc_payments (payment_id text PRIMARY KEY, customer_id text, received_on date, amount numeric(12,2),
                          currency text, invoice_id text);
SELECT o2c.record_promise('C' || c, 'EUR', 500 + c * 10, DATE '2026-06-10' + c % 20, NULL, NULL, '2026-06-01')
FROM pg_catalog.generate_series(0, 39) c;
SQL

end=$((SECONDS + 10))
runner() {  # runner NAME SQL...
    local name=$1; shift
    while [ $SECONDS -lt $end ]; do
        psqlt "$@" >>"$work/$name.log" 2>&1 || echo "FAILED" >>"$work/$name.log"
    done
}
runner promises -c "CALL o2c.run_promise_check('SELECT * FROM cc_payments', DATE '2026-06-15' + (random() * 30)::int)" &
runner promises2 -c "CALL o2c.run_promise_check('SELECT * FROM cc_payments', DATE '2026-06-15' + (random() * 30)::int)" &
runner dunning -c "CALL o2c.run_dunning('SELECT * FROM cc_invoices', 'example', DATE '2026-06-01' + (random() * 60)::int)" &
runner dunning2 -c "CALL o2c.run_dunning('SELECT * FROM cc_invoices', 'example', DATE '2026-06-01' + (random() * 60)::int)" &
runner payer -c "INSERT INTO cc_payments SELECT 'P-' || gen_random_uuid(), 'C' || (random() * 39)::int, DATE '2026-06-01' + (random() * 25)::int, (50 + random() * 300)::numeric(12,2), 'EUR', NULL" &
runner mailer -c "WITH b AS (SELECT id FROM o2c.dunning_letter WHERE sent_at IS NULL ORDER BY id LIMIT 5 FOR UPDATE SKIP LOCKED)
                  UPDATE o2c.dunning_letter l SET sent_at = now() FROM b WHERE l.id = b.id" &
wait

if ! grep -q FAILED "$work"/*.log; then ok "every run and write succeeded"; else
    grep -h -B3 FAILED "$work"/*.log | head -20; not_ok "every run and write succeeded"; fi
echo "# $(psqlq -At -c "SELECT count(*) FROM o2c.job_run") job runs, $(psqlq -At -c "SELECT count(*) FROM o2c.dunning_letter") letters, $(psqlq -At -c "SELECT count(*) FROM cc_payments") payments"
check "no promise has more counted towards it than promised" \
    "NOT EXISTS (SELECT 1 FROM o2c.promise p WHERE p.paid_amount > p.amount
                 OR p.paid_amount <> coalesce((SELECT sum(x.amount) FROM o2c.promise_payment x WHERE x.promise_id = p.id), 0))"
check "no payment counts for more than it is" \
    "NOT EXISTS (SELECT 1 FROM o2c.promise_payment x JOIN cc_payments p USING (payment_id)
                 GROUP BY p.payment_id, p.amount HAVING sum(x.amount) > p.amount)"
check "every notice is in at most one letter" \
    "NOT EXISTS (SELECT n FROM o2c.dunning_letter l, unnest(l.notice_ids) n GROUP BY n HAVING count(*) > 1)"
check "and a notice points at the letter that lists it" \
    "NOT EXISTS (SELECT 1 FROM o2c.dunning_letter l, unnest(l.notice_ids) n
                 JOIN o2c.dunning_notice d ON d.id = n WHERE d.letter_id IS DISTINCT FROM l.id)"
check "a sent letter's notices are sent" \
    "NOT EXISTS (SELECT 1 FROM o2c.dunning_letter l, unnest(l.notice_ids) n
                 JOIN o2c.dunning_notice d ON d.id = n WHERE l.sent_at IS NOT NULL AND d.sent_at IS NULL)"
check "each invoice and level is noticed once" \
    "NOT EXISTS (SELECT 1 FROM o2c.dunning_notice GROUP BY ledger, invoice_id, level HAVING count(*) > 1)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

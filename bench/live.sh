#!/usr/bin/env bash
# Live aging benchmark: a tracked book (invoices and settlements with
# o2c.ledger_track triggers), o2c.live_aging by customer as of the ledger's
# state date (the summary) and as of another date (the balances) against the
# full scan a user would otherwise run (o2c.aging of amount less settlements
# GROUP BY customer and currency), and the trigger's cost on a COPY of new
# invoices against the same COPY into an identical table without triggers.
#
#   O2C_BENCH_LIVE_ROWS        invoices in the book    (default 2,000,000; the issue's size is 20,000,000)
#   O2C_BENCH_LIVE_CUSTOMERS   customers               (default 20,000; the issue's is 200,000)
#   O2C_BENCH_LIVE_COPY_ROWS   invoices per COPY       (default 1,000,000)
#   O2C_BENCH_RUNS             timed runs per query, after one warm-up (5)
#   O2C_BENCH_LIVE_COPY_RUNS   timed COPY rounds (9)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rows=${O2C_BENCH_LIVE_ROWS:-2000000}
customers=${O2C_BENCH_LIVE_CUSTOMERS:-20000}
copy_rows=${O2C_BENCH_LIVE_COPY_ROWS:-1000000}
copy_runs=${O2C_BENCH_LIVE_COPY_RUNS:-9}
copy_file=/tmp/o2c_bench_live_$$.copy

bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS bench_live_pay, bench_live_inv, bench_live_copy, bench_live_copy_room, bench_live_copy_plain, bench_live_copy_capture, bench_live_src;
DROP FUNCTION IF EXISTS bench_live_nothing();
SELECT pg_catalog.setseed(0.7);
-- About 100 invoices per customer over a year (with 20,000,000 over 200,000
-- customers), due dates up to a year back, 3% credit notes; 40% of the
-- invoices have a settlement, most of them in full.
CREATE TABLE bench_live_inv (
    invoice_id  bigint PRIMARY KEY,
    customer_id text NOT NULL,
    due_date    date NOT NULL,
    amount      numeric(12,2) NOT NULL,
    currency    text NOT NULL
);
INSERT INTO bench_live_inv
SELECT i, 'CUST-' || pg_catalog.lpad((1 + (pg_catalog.random() * ($customers - 1))::int)::text, 6, '0'),
       CURRENT_DATE - 330 + (pg_catalog.random() * 365)::int,
       pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2) * CASE WHEN pg_catalog.random() < 0.03 THEN -1 ELSE 1 END,
       CASE WHEN pg_catalog.random() < 0.9 THEN 'EUR' ELSE 'USD' END
FROM pg_catalog.generate_series(1, $rows) i;
CREATE TABLE bench_live_pay (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, invoice_id bigint NOT NULL,
                             amount numeric(12,2) NOT NULL);
INSERT INTO bench_live_pay (invoice_id, amount)
SELECT invoice_id, CASE WHEN pg_catalog.random() < 0.8 THEN amount ELSE pg_catalog.round(amount / 2, 2) END
FROM bench_live_inv WHERE pg_catalog.random() < 0.4;
CREATE INDEX ON bench_live_pay (invoice_id);
CREATE TRIGGER inv_ins AFTER INSERT ON bench_live_inv REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench');
CREATE TRIGGER inv_upd AFTER UPDATE ON bench_live_inv REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench');
CREATE TRIGGER inv_del AFTER DELETE ON bench_live_inv REFERENCING OLD TABLE AS o FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench');
CREATE TRIGGER pay_ins AFTER INSERT ON bench_live_pay REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=settlements', 'ledger=bench', 'invoices=public.bench_live_inv');
SELECT o2c.ledger_rebuild('bench');
VACUUM ANALYZE bench_live_inv, bench_live_pay, o2c.ledger_balance, o2c.ledger_aging;

-- The COPY pair: identical tables, one tracked.
CREATE TABLE bench_live_src AS
SELECT $rows + i AS invoice_id,
       'CUST-' || pg_catalog.lpad((1 + (pg_catalog.random() * ($customers - 1))::int)::text, 6, '0') AS customer_id,
       CURRENT_DATE - 330 + (pg_catalog.random() * 365)::int AS due_date,
       pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2) AS amount, 'EUR'::text AS currency
FROM pg_catalog.generate_series(1, $copy_rows) i;
COPY bench_live_src TO '$copy_file';
CREATE TABLE bench_live_copy_plain (LIKE bench_live_inv INCLUDING ALL);
CREATE TABLE bench_live_copy (LIKE bench_live_inv INCLUDING ALL);
-- PostgreSQL's capture of the transition table alone: a statement trigger
-- with one that does nothing.
CREATE FUNCTION bench_live_nothing() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE TABLE bench_live_copy_capture (LIKE bench_live_inv INCLUDING ALL);
CREATE TRIGGER copy_capture AFTER INSERT ON bench_live_copy_capture REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION bench_live_nothing();
CREATE TRIGGER copy_ins AFTER INSERT ON bench_live_copy REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench_copy');
-- The same, timed in rounds of their own: o2c.ledger_delta is vacuumed
-- before each, so its chunk goes into the pages the last one left.
CREATE TABLE bench_live_copy_room (LIKE bench_live_inv INCLUDING ALL);
CREATE TRIGGER copy_ins AFTER INSERT ON bench_live_copy_room REFERENCING NEW TABLE AS n FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench_copy_room');
CREATE TRIGGER copy_trunc AFTER TRUNCATE ON bench_live_copy_room FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench_copy_room');
CREATE TRIGGER copy_trunc AFTER TRUNCATE ON bench_live_copy FOR EACH STATEMENT
    EXECUTE FUNCTION o2c.ledger_track('role=invoices', 'ledger=bench_copy');
SQL
trap 'rm -f "$copy_file"' EXIT

n=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_live_inv")
np=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_live_pay")
state=$(bench_psql -At -c "SELECT as_of FROM o2c.ledger_state WHERE ledger = 'bench'")
groups=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM o2c.ledger_aging WHERE ledger = 'bench'")
nbal=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM o2c.ledger_balance WHERE ledger = 'bench'")
other="DATE '$state' - 45"
echo "live: $n invoices, $np settlements, $groups customer/currency rows, $nbal balance rows, state date $state"

full() {  # the full scan of the same book as of a date
    echo "SELECT i.customer_id, i.currency, o2c.aging(i.amount - COALESCE(s.v, 0), i.due_date, $1)
            FROM bench_live_inv i
            LEFT JOIN (SELECT invoice_id, pg_catalog.sum(amount) AS v FROM bench_live_pay GROUP BY invoice_id) s
              ON s.invoice_id = i.invoice_id
           WHERE i.amount - COALESCE(s.v, 0) <> 0
           GROUP BY i.customer_id, i.currency"
}
q_live="SELECT * FROM o2c.live_aging(DATE '$state', 'bench')"
q_full=$(full "DATE '$state'")
q_live_other="SELECT * FROM o2c.live_aging($other, 'bench')"
q_full_other=$(full "$other")

# The check that matters more than speed: the same numbers.
for d in "DATE '$state'" "$other"; do
    bench_psql -At <<SQL
WITH f AS (SELECT customer_id, currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus,
                  (a).total, (a).overdue, (a).items, (a).avg_days_past_due
             FROM ($(full "$d")) x(customer_id, currency, a)),
     l AS (SELECT * FROM o2c.live_aging($d, 'bench'))
SELECT CASE WHEN (SELECT count(*) FROM ((TABLE l EXCEPT TABLE f) UNION ALL (TABLE f EXCEPT TABLE l)) d) = 0
            THEN 'live: live_aging as of ' || $d || ' equals the full scan (' || (SELECT count(*) FROM l) || ' rows)'
            ELSE 'live: MISMATCH between live_aging and the full scan as of ' || $d END;
SQL
done

settings="SET max_parallel_workers_per_gather = 2; SET jit = off;"
# Two ways to time each: the rows sent to psql (discarded), as a dashboard
# would fetch them, and on the server only (count(x.*) reads every column
# of every row, so the aggregates are all computed, but nothing is sent).
srv() { echo "SELECT pg_catalog.count(x.*) FROM ($1) x"; }
read -r t_live t_full t_live_s t_full_s < <(bench_medians "$settings" "$q_live" "$q_full" "$(srv "$q_live")" "$(srv "$q_full")")
read -r t_live_o t_full_o t_live_os t_full_os < <(bench_medians "$settings" "$q_live_other" "$q_full_other" \
    "$(srv "$q_live_other")" "$(srv "$q_full_other")")
echo "live aging by customer ($n invoices, $groups rows out, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds, parallel scans allowed):"
printf '  %-58s %10s %10s\n' "" "rows sent" "server"
printf '  %-58s %10s %10s ms\n' \
    "live_aging as of the state date (summary)" "$t_live" "$t_live_s" \
    "full scan: o2c.aging of amount - settlements, GROUP BY" "$t_full" "$t_full_s" \
    "live_aging as of another date (balances)" "$t_live_o" "$t_live_os" \
    "full scan as of that date" "$t_full_o" "$t_full_os"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
printf '  %-58s %10s %10s x\n' \
    "speed-up as of the state date" "$(ratio "$t_full" "$t_live")" "$(ratio "$t_full_s" "$t_live_s")" \
    "speed-up as of another date" "$(ratio "$t_full_o" "$t_live_o")" "$(ratio "$t_full_os" "$t_live_os")"
for what in "rows sent:$(ratio "$t_full" "$t_live")" "server:$(ratio "$t_full_s" "$t_live_s")"; do
    r=${what#*:}
    verdict=$(awk -v r="$r" 'BEGIN { print (r >= 100) ? "met" : "NOT met" }')
    printf '  target %-58s %6s >= %-5s %s\n' "live_aging at the state date >= 100 x the full scan (${what%%:*})" "$r" 100 "$verdict"
done

# COPY with and without the trigger, in interleaved rounds; the TRUNCATEs
# between them are timed too but not reported. The transition table that
# PostgreSQL fills for any such trigger stays in memory up to work_mem and
# costs more there than spilled to a file, so both the server's work_mem and
# PostgreSQL's default (4MB) are timed. The tracked COPY writes about 10 MB
# of delta. In the first rounds, into whatever room o2c.ledger_delta has:
# the TRUNCATEs delete the last round's chunk, and only a VACUUM (autovacuum,
# when it happens to run) frees its pages; otherwise the table grows, and
# each new page takes a buffer from the pool, often one a write must free
# first. Those buffers are used ones, as on a server that has run a while
# (bench_touch_buffers), not ones that pay for a first touch by chance. In
# the second rounds, o2c.ledger_delta is vacuumed before each, as autovacuum
# does after a compaction deletes chunks, so each chunk goes into the pages
# the last one left (the table keeps them: vacuum_truncate is off). Those
# run after all the first ones, which would otherwise fill the pages they
# free. A third series times the empty trigger alone against no trigger:
# a transition table held in memory takes fresh memory (a page fault per
# 4 kB) unless the statement before left the backend the same amount, and
# in rounds of two COPYs, one with a trigger, none did. Each series also
# counts the backend's minor page faults per COPY.
bench_touch_buffers 512
wm=$(bench_psql -At -c "SHOW work_mem")
declare -A grow room alone grow_f room_f alone_f
faults=/tmp/o2c_bench_live_faults_$$
# What autovacuum did to o2c.ledger_delta's chunks (its TOAST table) meanwhile.
delta_state="SELECT pg_catalog.pg_relation_size(c.reltoastrelid) / 8192 || ' pages, ' || s.autovacuum_count
               FROM pg_catalog.pg_class c JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.reltoastrelid
              WHERE c.oid = 'o2c.ledger_delta'::pg_catalog.regclass"
delta_before=$(bench_psql -At -c "$delta_state")
for w in "$wm" 4MB; do
    grow[$w]=$(O2C_BENCH_FAULTS=$faults O2C_BENCH_RUNS=$copy_runs bench_rounds "SET jit = off; SET work_mem = '$w';" \
        "COPY bench_live_copy_plain FROM '$copy_file'" "TRUNCATE bench_live_copy_plain" \
        "COPY bench_live_copy_capture FROM '$copy_file'" "TRUNCATE bench_live_copy_capture" \
        "COPY bench_live_copy FROM '$copy_file'" "TRUNCATE bench_live_copy")
    grow_f[$w]=$(cat "$faults")
done
delta_after=$(bench_psql -At -c "$delta_state")
echo "live: o2c.ledger_delta's TOAST table before the first COPY rounds: ${delta_before} autovacuums; after them: ${delta_after} autovacuums"
for w in "$wm" 4MB; do
    room[$w]=$(O2C_BENCH_FAULTS=$faults O2C_BENCH_RUNS=$copy_runs bench_rounds "SET jit = off; SET work_mem = '$w';" \
        "COPY bench_live_copy_plain FROM '$copy_file'" "TRUNCATE bench_live_copy_plain" \
        "COPY bench_live_copy_room FROM '$copy_file'" "TRUNCATE bench_live_copy_room" "VACUUM o2c.ledger_delta")
    room_f[$w]=$(cat "$faults")
    alone[$w]=$(O2C_BENCH_FAULTS=$faults O2C_BENCH_RUNS=$copy_runs bench_rounds "SET jit = off; SET work_mem = '$w';" \
        "COPY bench_live_copy_plain FROM '$copy_file'" "TRUNCATE bench_live_copy_plain" \
        "COPY bench_live_copy_capture FROM '$copy_file'" "TRUNCATE bench_live_copy_capture")
    alone_f[$w]=$(cat "$faults")
done
rm -f "$faults"
# Each ratio twice: of the medians, and the median of the rounds' own
# ratios (with the lowest and highest), which the targets use: within a
# round the two COPYs run seconds apart, so a slow spell of the machine
# (on the virtual machines measured, a COPY's time swung from 1.0 to 1.9 s
# between rounds) falls on both.
copy_ratios() {  # LABEL ROUNDS K BASE
    local med lo hi
    local -a m
    read -r med lo hi < <(bench_paired "$2" "$3" "$4")
    read -r -a m < <(bench_medians_of "$2")
    printf '  %-58s %6s x  (rounds %s to %s; of the medians %s)\n' "$1" "$med" "$lo" "$hi" \
        "$(bench_ratio "${m[$3 - 1]}" "${m[$4 - 1]}")"
}
# The medians of a series' minor page faults, per COPY (K...), when counted.
copy_faults() {  # FAULTS K...
    local -a m
    local k out=""
    [ -n "$(tr -d ' \n' <<<"$1")" ] || return 0
    read -r -a m < <(bench_medians_of "$1")
    shift
    for k in "$@"; do out="$out${out:+ / }$(printf '%.0f' "${m[$k - 1]}")"; done
    echo "$out"
}
for w in "$wm" 4MB; do
    read -r t_plain _ t_capture _ t_track _ < <(bench_medians_of "${grow[$w]}")
    read -r t_plain2 _ t_room _ _ < <(bench_medians_of "${room[$w]}")
    read -r t_plain3 _ t_alone _ < <(bench_medians_of "${alone[$w]}")
    echo "live COPY of $copy_rows invoices of $customers customers, work_mem $w (medians of $copy_runs interleaved rounds, the table empty before each; three series):"
    printf '  %-58s %10s ms\n' "COPY, no trigger" "$t_plain" \
        "COPY, an empty trigger with a transition table" "$t_capture" \
        "COPY, tracked by o2c.ledger_track" "$t_track" \
        "COPY, no trigger (second rounds)" "$t_plain2" \
        "COPY, tracked, o2c.ledger_delta vacuumed before each" "$t_room" \
        "COPY, no trigger (third rounds)" "$t_plain3" \
        "COPY, the empty trigger alone" "$t_alone"
    copy_ratios "the empty trigger (PostgreSQL's capture alone)" "${grow[$w]}" 3 1
    copy_ratios "tracked / no trigger" "${grow[$w]}" 5 1
    copy_ratios "tracked, o2c.ledger_delta vacuumed / no trigger" "${room[$w]}" 3 1
    copy_ratios "the empty trigger alone / no trigger (third rounds)" "${alone[$w]}" 3 1
    f1=$(copy_faults "${grow_f[$w]}" 1 3 5)
    if [ -n "$f1" ]; then
        printf '  %-58s %s\n' "minor page faults per COPY: none / empty / tracked" "$f1" \
            "  second rounds: none / tracked, vacuumed" "$(copy_faults "${room_f[$w]}" 1 3)" \
            "  third rounds: none / the empty trigger alone" "$(copy_faults "${alone_f[$w]}" 1 3)"
    fi
    bench_check "COPY tracked <= 1.3 x COPY without trigger (work_mem $w)" "$(bench_paired "${grow[$w]}" 5 1 | cut -d' ' -f1)" 1.3
    bench_check "the same, o2c.ledger_delta vacuumed (work_mem $w)" "$(bench_paired "${room[$w]}" 3 1 | cut -d' ' -f1)" 1.3
done

# A bulk insert into the book leaves its rows pending until
# o2c.ledger_compact (or the daily roll) folds them in: live_aging as of the
# state date adds their per-customer sums meanwhile. Same numbers first,
# then the times.
bench_psql -c "COPY bench_live_inv FROM '$copy_file'"
npend=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM o2c.ledger_pending_summary('bench')")
bench_psql -At <<SQL
WITH f AS (SELECT customer_id, currency, (a).current, (a).d1_30, (a).d31_60, (a).d61_90, (a).d91_plus,
                  (a).total, (a).overdue, (a).items, (a).avg_days_past_due
             FROM ($(full "DATE '$state'")) x(customer_id, currency, a)),
     l AS (SELECT * FROM o2c.live_aging(DATE '$state', 'bench'))
SELECT CASE WHEN (SELECT count(*) FROM ((TABLE l EXCEPT TABLE f) UNION ALL (TABLE f EXCEPT TABLE l)) d) = 0
            THEN 'live: with $copy_rows more invoices pending, live_aging equals the full scan (' || (SELECT count(*) FROM l) || ' rows)'
            ELSE 'live: MISMATCH between live_aging and the full scan with inserts pending' END;
SQL
read -r t_pend t_pend_full < <(bench_medians "$settings" "$(srv "$q_live")" "$(srv "$q_full")")
t_compact=$(bench_psql -c '\timing on' -c "SELECT o2c.ledger_compact('bench')" | awk '/^Time: / { print $2 }')
t_after=$(bench_median "$(srv "$q_live")" "$settings")
echo "live aging with a COPY of $copy_rows invoices not yet folded in ($npend customers and currencies pending):"
printf '  %-58s %10s ms\n' \
    "live_aging as of the state date, inserts pending" "$t_pend" \
    "full scan of the same book" "$t_pend_full" \
    "o2c.ledger_compact folding them in (one run)" "$t_compact" \
    "live_aging as of the state date after it" "$t_after"
printf '  %-58s %10s x\n' "speed-up with inserts pending (server)" "$(ratio "$t_pend_full" "$t_pend")"

# Single-row statements, as an application posts payments one at a time:
# each statement fires the trigger on a transition table of one row, where
# planning the trigger's SQL would cost more than running it (kept plans,
# src/ledger/live_plans.c). A tracked pair of tables against an identical
# untracked pair, 300 statements of each kind per round, in PL/pgSQL loops.
one_rows=100000
bench_psql <<SQL >/dev/null
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_one_pay, bench_one_inv, bench_one_pay0, bench_one_inv0;
CREATE TABLE bench_one_inv0 AS SELECT * FROM bench_live_inv WHERE invoice_id <= $one_rows;
ALTER TABLE bench_one_inv0 ADD PRIMARY KEY (invoice_id);
CREATE TABLE bench_one_pay0 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, invoice_id bigint NOT NULL,
                             amount numeric(12,2) NOT NULL);
INSERT INTO bench_one_pay0 (invoice_id, amount) SELECT invoice_id, amount FROM bench_live_pay WHERE invoice_id <= $one_rows;
CREATE INDEX ON bench_one_pay0 (invoice_id);
CREATE TABLE bench_one_inv (LIKE bench_one_inv0 INCLUDING ALL);
INSERT INTO bench_one_inv SELECT * FROM bench_one_inv0;
CREATE TABLE bench_one_pay (LIKE bench_one_pay0 INCLUDING ALL);
INSERT INTO bench_one_pay (invoice_id, amount) SELECT invoice_id, amount FROM bench_one_pay0;
SELECT FROM o2c.ledger_attach('bench_one', 'bench_one_inv', 'bench_one_pay');
VACUUM ANALYZE bench_one_inv0, bench_one_pay0, bench_one_inv, bench_one_pay;
SQL
one() {  # one KIND SUFFIX: a DO block of 300 single-row statements
    local t="bench_one_inv$2" p="bench_one_pay$2" body
    case $1 in
        pay_insert) body="INSERT INTO $p (invoice_id, amount) VALUES (1 + (k * 7919) % $one_rows, 1.00);" ;;
        pay_update) body="UPDATE $p SET amount = amount + 0.01 WHERE id = 1 + (k * 104729) % 30000;" ;;
        pay_delete) body="DELETE FROM $p WHERE id = (SELECT max(id) FROM $p);" ;;
        inv_update) body="UPDATE $t SET amount = amount + 1 WHERE invoice_id = 1 + (k * 7919) % $one_rows;" ;;
    esac
    echo "DO \$\$ BEGIN FOR k IN 1..300 LOOP $body END LOOP; END \$\$"
}
nset=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM bench_one_pay")
echo "live single-row statements on $one_rows invoices and $nset settlements (300 statements a block, medians of ${O2C_BENCH_RUNS:-5} interleaved rounds):"
for kind in pay_insert pay_update pay_delete inv_update; do
    read -r t0 t1 < <(bench_medians "SET jit = off;" "$(one $kind 0)" "$(one $kind '')")
    printf '  %-58s %10s ms %10s ms %6s x\n' "$kind: untracked, tracked, ratio" "$t0" "$t1" "$(bench_ratio "$t1" "$t0")"
done

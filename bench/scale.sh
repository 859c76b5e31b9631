#!/usr/bin/env bash
# Scale run: where one server ends. A two-year invoice book of 50,000,000
# rows on one server: whole-table aging, aging by customer and by month
# (each against sum(amount) over the same rows and grouping, serial and with
# the server's parallel workers), then o2c.match_payments of 100,000
# payments against the book's open invoices; with the disk the book takes
# and the backend's peak memory.
#
# Runs only when named, as it needs ~14 GB of disk (a 6 GB database, up to
# 8 GB of WAL with the bench cluster's max_wal_size) and tens of minutes:
#   O2C_BENCH=scale scripts/run.sh bench      (or O2C_BENCH_SCALE=1 make bench)
#
#   O2C_BENCH_SCALE_ROWS       invoices                 (default 50,000,000)
#   O2C_BENCH_SCALE_CUSTOMERS  customers                (default 500,000)
#   O2C_BENCH_SCALE_PAYMENTS   payments to match        (default 100,000)
#   O2C_BENCH_SCALE_BATCH      rows per INSERT batch    (default 5,000,000)
#   O2C_BENCH_RUNS             timed rounds per query, after one warm-up (3)
#
# Peak memory is the backend's RssAnon (private memory: palloc'd contexts,
# hash tables) from /proc/<pid>/status, sampled every 0.1 s from the shell
# while the statement runs, so it needs the server on this machine and
# /proc readable (root or the server's user); VmHWM read by the backend
# itself afterwards is printed beside it, and counts the shared_buffers
# pages the backend touched as well.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! [[ " ${O2C_BENCH:-} " == *" scale "* ]] && [ "${O2C_BENCH_SCALE:-0}" != 1 ]; then
    echo "scale: skipped (50,000,000 invoices need ~14 GB of disk and 25-40 minutes); run it with O2C_BENCH=scale scripts/run.sh bench"
    exit 0
fi

rows=${O2C_BENCH_SCALE_ROWS:-50000000}
customers=${O2C_BENCH_SCALE_CUSTOMERS:-500000}
payments=${O2C_BENCH_SCALE_PAYMENTS:-100000}
batch=${O2C_BENCH_SCALE_BATCH:-5000000}
export O2C_BENCH_RUNS=${O2C_BENCH_RUNS:-3}
as_of="DATE '2025-06-30'"

# ms to seconds, one decimal.
secs() { awk -v t="$1" 'BEGIN { printf "%.1f", t / 1000 }'; }
load() { awk '{ print $1, $2, $3 }' /proc/loadavg; }

cleanup() {
    bench_psql -c 'SET client_min_messages = warning' \
        -c 'DROP TABLE IF EXISTS scale_inv, scale_cust, scale_pay, scale_res, scale_read' >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "scale: $rows invoices, $customers customers, $payments payments; load average at start $(load) ($(nproc) cores)"

# --- the book -----------------------------------------------------------
# Customers: company names from surnames, place words, sectors and legal
# forms; a currency each (85 % EUR, 10 % USD, 5 % GBP).
bench_psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
DROP TABLE IF EXISTS scale_inv, scale_cust, scale_pay, scale_res, scale_read;
CREATE TABLE scale_cust AS
WITH w AS (
  SELECT '{Hartmann,Weber,Schneider,Fischer,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Richter,Klein,Wolf,Neumann,Schwarz,Braun,Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Moore,Martin,Jackson,Thompson,White,Harris,Clark,Lewis,Walker,Young,King,Wright,Scott,Green,Baker,Adams,Dubois,Lefebvre,Moreau,Laurent,Rossi,Russo,Ferrari,Bianchi}'::text[] AS sur,
         '{Northern,Atlantic,Pacific,Alpine,Central,United,Global,Premier,Royal,Golden,Silver,Summit,Pioneer,Liberty,Heritage,Horizon,Apex,Evergreen,Lakeside,Metro,Coastal,Highland,Riverside,Sterling,Eagle,Phoenix,Vanguard,Meridian,Keystone,Granite}'::text[] AS adj,
         '{Logistics,Foods,Engineering,Consulting,Manufacturing,Industries,Trading,Services,Technologies,Systems,Solutions,Pharma,Textiles,Electronics,Construction,Holdings,Partners,Motors,Plastics,Chemicals,Furniture,Media,Software,Energy,Packaging,Metals,Supplies,Distribution,Healthcare,Marine}'::text[] AS sec,
         '{GmbH,AG,Ltd,Inc.,Corp.,LLC,S.A.,SAS,S.r.l.,B.V.,Oy,AB,plc}'::text[] AS form
)
SELECT 'CUST-' || pg_catalog.lpad(c::text, 7, '0') AS customer_id,
       sur[1 + (pg_catalog.hashint4(c) & 1023) % 50] || ' '
         || CASE WHEN c % 2 = 0 THEN adj[1 + (pg_catalog.hashint4(c + 1) & 1023) % 30]
                 ELSE sur[1 + (pg_catalog.hashint4(c + 2) & 1023) % 50] END || ' '
         || sec[1 + (pg_catalog.hashint4(c + 3) & 1023) % 30] || ' '
         || form[1 + (pg_catalog.hashint4(c + 4) & 1023) % 13] || ' ' || (c % 97)::text AS customer_name,
       CASE WHEN (pg_catalog.hashint4(c + 5) & 1023) % 100 < 85 THEN 'EUR'
            WHEN (pg_catalog.hashint4(c + 5) & 1023) % 100 < 95 THEN 'USD' ELSE 'GBP' END AS currency
FROM w, pg_catalog.generate_series(1, $customers) AS c;
ALTER TABLE scale_cust ADD PRIMARY KEY (customer_id);
CREATE TABLE scale_inv (
    invoice_id   bigint NOT NULL,
    invoice_no   text NOT NULL,
    customer_id  text NOT NULL,
    currency     text NOT NULL,
    invoice_date date NOT NULL,
    due_date     date NOT NULL,
    amount       numeric(12,2) NOT NULL,
    open_amount  numeric(12,2) NOT NULL
);
SQL

# Invoices in date order (as a book is appended), 2023-07-01 to 2025-06-30;
# terms 0-60 days; 3 % credit notes; what is still open thins out with age
# (92 % of the invoices not yet due, 30 % of those 1-30 days overdue, 8 % at
# 31-90, 0.4 % beyond).
t_gen=0
for ((from = 1; from <= rows; from += batch)); do
    to=$((from + batch - 1)); [ "$to" -gt "$rows" ] && to=$rows
    t=$(bench_psql <<SQL | awk '/^Time: / { t += $2 } END { print t }'
SELECT pg_catalog.setseed(0.5 * $from / $rows);
\timing on
INSERT INTO scale_inv
SELECT i, 'INV-' || pg_catalog.lpad(i::text, 9, '0'), c.customer_id, c.currency, d, due, amt,
       CASE WHEN pg_catalog.random() < CASE WHEN $as_of - due <= 0 THEN 0.92 WHEN $as_of - due <= 30 THEN 0.30
                                            WHEN $as_of - due <= 90 THEN 0.08 ELSE 0.004 END
            THEN amt ELSE 0 END
FROM (SELECT i, d, d + (ARRAY[0, 14, 30, 30, 30, 45, 60])[1 + (pg_catalog.random() * 6)::int] AS due,
             pg_catalog.round((10 + pg_catalog.random() * 25000)::numeric, 2)
               * CASE WHEN pg_catalog.random() < 0.03 THEN -1 ELSE 1 END AS amt,
             1 + (pg_catalog.random() * ($customers - 1))::int AS cno
      FROM (SELECT i, DATE '2023-07-01' + ((i - 1) * 731 / $rows)::int AS d
            FROM pg_catalog.generate_series($from::bigint, $to) AS i) g) g
JOIN scale_cust AS c ON c.customer_id = 'CUST-' || pg_catalog.lpad(g.cno::text, 7, '0');
SQL
)
    t_gen=$(awk -v a="$t_gen" -v b="$t" 'BEGIN { print a + b }')
    printf '  generated %11d of %d invoices  %8s s\n' "$to" "$rows" "$(secs "$t")"
done
t_idx=$(bench_psql <<'SQL' | awk '/^Time: / { t += $2 } END { print t }'
\timing on
ALTER TABLE scale_inv ADD PRIMARY KEY (invoice_id);
CREATE INDEX scale_inv_open ON scale_inv (customer_id) WHERE open_amount > 0;
VACUUM (FREEZE, ANALYZE) scale_inv;
VACUUM ANALYZE scale_cust;
SQL
)
echo "  generation $(secs "$t_gen") s; primary key, partial index of open invoices, VACUUM (FREEZE, ANALYZE) $(secs "$t_idx") s"

read -r n nopen ncust <<<"$(bench_psql -At -F ' ' -c "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE open_amount > 0), pg_catalog.count(DISTINCT customer_id) FROM scale_inv")"
echo "  $n invoices of $ncust customers, $nopen open; by currency: $(bench_psql -At -c "SELECT pg_catalog.string_agg(currency || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT currency, pg_catalog.count(*) AS n FROM scale_inv GROUP BY 1) t"); credit notes: $(bench_psql -At -c "SELECT pg_catalog.count(*) FROM scale_inv WHERE amount < 0")"

# --- memory -------------------------------------------------------------
# peak_mem SETTINGS SQL: runs SQL once in a new backend; prints
# "ms peak_rssanon_kB vmhwm_kB idle_rssanon_kB".
peak_mem() {
    local app="o2c_scale_$$_$RANDOM" out pid="" bg peak=0 idle="" v
    out=$(mktemp)
    {
        printf '%s\n' "$1"
        printf 'SELECT pg_catalog.pg_sleep(0.5);\n\\o /dev/null\n\\timing on\n%s;\n\\timing off\n\\o\n' "$2"
        printf "SELECT (pg_catalog.regexp_match(pg_catalog.pg_read_file('/proc/' || pg_catalog.pg_backend_pid() || '/status'), 'VmHWM:\\s+(\\d+) kB'))[1];\n"
    } | PGAPPNAME=$app bench_psql -At -f - >"$out" &
    bg=$!
    while [ -z "$pid" ] && kill -0 "$bg" 2>/dev/null; do
        pid=$(bench_psql -At -c "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = '$app'")
        [ -n "$pid" ] || sleep 0.05
    done
    while kill -0 "$bg" 2>/dev/null; do
        v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        if [ -n "$v" ]; then
            [ -n "$idle" ] || idle=$v
            [ "$v" -gt "$peak" ] && peak=$v
        fi
        sleep 0.1
    done
    wait "$bg"
    echo "$(awk '/^Time: / { printf "%.1f", $2 }' "$out") $peak $(tail -n 1 "$out") ${idle:-0}"
    rm -f "$out"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }

# --- aging --------------------------------------------------------------
q_sum="SELECT pg_catalog.sum(amount) FROM scale_inv"
q_aging="SELECT (a).* FROM (SELECT o2c.aging(amount, due_date, $as_of) AS a FROM scale_inv) s"
q_csum="SELECT customer_id, currency, pg_catalog.sum(amount) FROM scale_inv GROUP BY customer_id, currency"
q_caging="SELECT customer_id, currency, (a).* FROM (SELECT customer_id, currency, o2c.aging(amount, due_date, $as_of) AS a
          FROM scale_inv GROUP BY customer_id, currency) s"
q_msum="SELECT pg_catalog.date_trunc('month', invoice_date), currency, pg_catalog.sum(amount) FROM scale_inv
        GROUP BY pg_catalog.date_trunc('month', invoice_date), currency"
q_maging="SELECT m, currency, (a).* FROM (SELECT pg_catalog.date_trunc('month', invoice_date) AS m, currency,
          o2c.aging(amount, due_date, $as_of) AS a FROM scale_inv GROUP BY 1, 2) s"

bench_psql -At -c "SELECT CASE WHEN (a).total = s THEN 'aging: whole-table total equals sum(amount)'
                               ELSE 'aging: MISMATCH, total ' || (a).total || ' against sum ' || s END
                   FROM (SELECT o2c.aging(amount, due_date, $as_of) AS a, pg_catalog.sum(amount) AS s FROM scale_inv) x"
g_cust=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM (SELECT DISTINCT customer_id, currency FROM scale_inv) t")
g_month=$(bench_psql -At -c "SELECT pg_catalog.count(*) FROM (SELECT DISTINCT pg_catalog.date_trunc('month', invoice_date), currency FROM scale_inv) t")
workers=$(bench_psql -At -c "SHOW max_parallel_workers_per_gather")
temp0=$(bench_psql -At -c "SELECT temp_bytes FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()")

for mode in serial parallel; do
    if [ $mode = serial ]; then
        set_mode="SET max_parallel_workers_per_gather = 0; SET jit = off;"
        label="serial"
    else
        set_mode="SET jit = off;"
        label="parallel, the server's max_parallel_workers_per_gather = $workers"
    fi
    read -r t_sum t_aging < <(bench_medians "$set_mode" "$q_sum" "$q_aging")
    read -r t_csum t_caging < <(bench_medians "$set_mode" "$q_csum" "$q_caging")
    read -r t_msum t_maging < <(bench_medians "$set_mode" "$q_msum" "$q_maging")
    echo "aging ($label; $n rows, medians of $O2C_BENCH_RUNS interleaved rounds after a warm-up):"
    printf '  %-52s %10s ms  %10s ms  %6s\n' "" "sum(amount)" "o2c.aging" "ratio"
    printf '  %-52s %13s  %13s  %6s\n' \
        "whole table (1 row)" "$t_sum" "$t_aging" "$(bench_ratio "$t_aging" "$t_sum")" \
        "GROUP BY customer_id, currency ($g_cust groups)" "$t_csum" "$t_caging" "$(bench_ratio "$t_caging" "$t_csum")" \
        "GROUP BY month, currency ($g_month groups)" "$t_msum" "$t_maging" "$(bench_ratio "$t_maging" "$t_msum")"
    bench_check "$mode: whole-table o2c.aging <= 1.3 x sum(amount)" "$(bench_ratio "$t_aging" "$t_sum")" 1.3
    bench_check "$mode: aging by customer <= 1.15 x grouped sum(amount)" "$(bench_ratio "$t_caging" "$t_csum")" 1.15
    bench_check "$mode: aging by month <= 1.3 x grouped sum(amount)" "$(bench_ratio "$t_maging" "$t_msum")" 1.3
done
temp1=$(bench_psql -At -c "SELECT temp_bytes FROM pg_catalog.pg_stat_database WHERE datname = pg_catalog.current_database()")

# Peak memory of the grouped queries, serial, one run each in a new backend.
echo "aging, peak backend memory (serial, one run each in a new backend; RssAnon sampled / VmHWM):"
serial_set="SET max_parallel_workers_per_gather = 0; SET jit = off;"
peak_pair() {
    local ps hs pa ha
    read -r _ ps hs _ <<<"$(peak_mem "$serial_set" "$2")"
    read -r _ pa ha _ <<<"$(peak_mem "$serial_set" "$3")"
    printf '  %-12s sum(amount) %8s / %8s   o2c.aging %8s / %8s   ratio of RssAnon peaks %s\n' \
        "$1" "$(mb "$ps")" "$(mb "$hs")" "$(mb "$pa")" "$(mb "$ha")" "$(bench_ratio "$pa" "$ps")"
}
peak_pair "by customer" "$q_csum" "$q_caging"
peak_pair "by month" "$q_msum" "$q_maging"

# --- cash application ---------------------------------------------------
# Payments of open invoices, as a bank delivers them: 80 % with the invoice
# number in one of three forms and the exact amount, 10 % with the number
# and a bank fee of 5-15 deducted (tolerance 15), 10 % with no reference,
# the payer's name upper-cased and the exact amount.
bench_psql <<SQL
SET client_min_messages = warning;
CREATE TABLE scale_pay AS
SELECT 'P' || pg_catalog.lpad(k::text, 7, '0') AS payment_id, DATE '2025-07-01' AS received_on,
       CASE WHEN k % 10 = 8 THEN open_amount - (5 + k % 11) ELSE open_amount END AS amount,
       currency, pg_catalog.upper(customer_name) AS payer_name,
       CASE k % 10 WHEN 9 THEN NULL
                   ELSE CASE k % 3 WHEN 0 THEN invoice_no WHEN 1 THEN 'Invoice ' || invoice_id
                                   ELSE 'INV ' || invoice_id || ' thank you' END END AS reference,
       invoice_id AS true_invoice_id
FROM (SELECT i.invoice_id, i.invoice_no, i.open_amount, i.currency, c.customer_name,
             pg_catalog.row_number() OVER (ORDER BY pg_catalog.hashint8(i.invoice_id), i.invoice_id) AS k
      FROM scale_inv AS i JOIN scale_cust AS c USING (customer_id)
      WHERE i.open_amount > 0
      ORDER BY pg_catalog.hashint8(i.invoice_id), i.invoice_id LIMIT $payments) t;
ANALYZE scale_pay;
SQL

pay_sql="SELECT payment_id, received_on, amount, currency, payer_name, reference FROM scale_pay ORDER BY payment_id"
inv_sql="SELECT i.invoice_id, i.customer_id, c.customer_name, i.invoice_date, i.due_date, i.open_amount, i.currency,
                i.invoice_no AS reference
         FROM scale_inv AS i JOIN scale_cust AS c USING (customer_id) WHERE i.open_amount > 0"
quote() { printf "'%s'" "${1//\'/\'\'}"; }
match_sql="CREATE TABLE scale_res AS SELECT * FROM o2c.match_payments($(quote "$pay_sql"), $(quote "$inv_sql"), '{\"tolerance\": 15}')"
read_sql="CREATE TABLE scale_read AS $inv_sql"
read -r t_read p_read _ _ <<<"$(peak_mem "$serial_set" "$read_sql")"
read -r t_match p_match h_match i_match <<<"$(peak_mem "$serial_set" "$match_sql")"
read -r ninv read_size <<<"$(bench_psql -At -F ' ' -c "SELECT pg_catalog.count(*), pg_catalog.pg_total_relation_size('scale_read') FROM scale_read")"
read -r nres nauto ngood npay <<<"$(bench_psql -At -F ' ' -c "
    SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE r.auto),
           pg_catalog.count(*) FILTER (WHERE r.auto AND r.invoice_id = p.true_invoice_id::text),
           pg_catalog.count(DISTINCT r.payment_id)
    FROM scale_res AS r JOIN scale_pay AS p USING (payment_id)")"
echo "match_payments ($npay payments against the open invoices of the book: the invoices query read $ninv of $n invoices; serial, one run):"
printf '  %-58s %10s ms\n' \
    "reading the invoices query alone (CREATE TABLE AS)" "$t_read" \
    "o2c.match_payments (CREATE TABLE AS)" "$t_match"
printf '  %-58s %10s\n' \
    "match_payments / reading its invoices" "$(bench_ratio "$t_match" "$t_read")" \
    "ms per 1,000 payments" "$(awk -v t="$t_match" -v n="$npay" 'BEGIN { printf "%.1f", t / n * 1000 }')" \
    "result rows; automatic; automatic to the true invoice" "$nres; $nauto; $ngood" \
    "peak RssAnon of the backend (idle before: $(mb "$i_match"))" "$(mb "$p_match")" \
    "VmHWM of the backend (with shared_buffers pages touched)" "$(mb "$h_match")" \
    "invoices read, as a table" "$(mb $((read_size / 1024)))" \
    "peak RssAnon / invoices read as a table" "$(bench_ratio "$p_match" $((read_size / 1024)))" \
    "peak RssAnon of the reading query alone" "$(mb "$p_read")"

# --- disk and settings --------------------------------------------------
echo "disk and settings:"
bench_psql -At -F "$(printf '\t')" <<SQL | awk -F '\t' '{ printf "  %-58s %s\n", $1, $2 }'
SELECT 'scale_inv: heap ($n rows)', pg_catalog.pg_size_pretty(pg_catalog.pg_relation_size('scale_inv'))
UNION ALL SELECT 'scale_inv: indexes (primary key; partial on open invoices)',
       pg_catalog.pg_size_pretty(pg_catalog.pg_relation_size('scale_inv_pkey')) || '; '
       || pg_catalog.pg_size_pretty(pg_catalog.pg_relation_size('scale_inv_open'))
UNION ALL SELECT 'scale_inv: pg_total_relation_size',
       pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('scale_inv'))
UNION ALL SELECT 'bytes per invoice (total relation size / rows)',
       (pg_catalog.pg_total_relation_size('scale_inv') / $n)::text
UNION ALL SELECT 'scale_cust ($customers customers), total', pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('scale_cust'))
UNION ALL SELECT 'database', pg_catalog.pg_size_pretty(pg_catalog.pg_database_size(pg_catalog.current_database()))
UNION ALL SELECT 'WAL directory', pg_catalog.pg_size_pretty((SELECT pg_catalog.sum(size) FROM pg_catalog.pg_ls_waldir()))
UNION ALL SELECT 'temporary files written by the aging queries', pg_catalog.pg_size_pretty(($temp1 - $temp0)::bigint)
UNION ALL SELECT 'shared_buffers; work_mem; hash_mem_multiplier',
       pg_catalog.current_setting('shared_buffers') || '; ' || pg_catalog.current_setting('work_mem') || '; '
       || pg_catalog.current_setting('hash_mem_multiplier')
UNION ALL SELECT 'max_parallel_workers_per_gather; max_parallel_workers',
       pg_catalog.current_setting('max_parallel_workers_per_gather') || '; ' || pg_catalog.current_setting('max_parallel_workers');
SQL
echo "scale: load average at end $(load)"
cleanup
echo "scale: tables dropped"

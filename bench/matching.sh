#!/usr/bin/env bash
# Cash application benchmark: a generated book with known truth, matched by
# o2c.match_payments and by a hand-written SQL baseline (pg_trgm +
# fuzzystrmatch) in the same run; accuracy figures, time per 1,000 payments,
# and the per-call cost of the string metrics against levenshtein.
#
# Sizes: O2C_MATCH_CUSTOMERS (100000), O2C_MATCH_INVOICES (1000000),
# O2C_MATCH_PAYMENTS (10000); O2C_BENCH_RUNS timed runs of each (default 1).
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

NC=${O2C_MATCH_CUSTOMERS:-100000}
NI=${O2C_MATCH_INVOICES:-1000000}
NP=${O2C_MATCH_PAYMENTS:-10000}
RUNS=${O2C_BENCH_RUNS:-1}

echo "matching: $NC customers, $NI open invoices, $NP payments"

bench_psql -v nc="$NC" -v ni="$NI" -v np="$NP" <<'SQL'
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION IF NOT EXISTS o2c;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
DROP TABLE IF EXISTS b_cust, b_inv, b_pay, b_truth, b_pkind, b_elig, b_res, b_base;

-- Customers: real-looking company names built from surnames, place words,
-- sectors and legal forms; half have a known IBAN.
CREATE TABLE b_cust AS
WITH w AS (
  SELECT '{Hartmann,Weber,Schneider,Fischer,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Richter,Klein,Wolf,Schroeder,Neumann,Schwarz,Zimmermann,Braun,Krueger,Hofmann,Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Jackson,Thompson,White,Harris,Clark,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Green,Baker,Adams,Nelson,Dubois,Lefebvre,Moreau,Laurent,Rossi,Russo,Ferrari,Esposito,Bianchi,Romano}'::text[] AS sur,
         '{Northern,Atlantic,Pacific,Alpine,Central,United,Global,Premier,Royal,Golden,Silver,"Blue River","Red Oak","Green Valley",Summit,Pioneer,Liberty,Heritage,Crescent,Horizon,Apex,Evergreen,Lakeside,Metro,Coastal,Highland,Riverside,Sterling,Eagle,Phoenix,Vanguard,Pinnacle,Meridian,Keystone,Granite,Cedar,Falcon,Harbor,Orion,Zenith}'::text[] AS adj,
         '{Logistics,Foods,Engineering,Consulting,Manufacturing,Industries,Trading,Services,Technologies,Systems,Solutions,Pharma,Textiles,Electronics,Construction,Holdings,Partners,Motors,Plastics,Chemicals,Furniture,Media,Software,Energy,Packaging,Metals,Supplies,Distribution,Healthcare,Robotics,Analytics,Marine,Aviation,Printing,Beverages,Paper,Glass,Tools,Security,Logistik,Bau,Maschinenbau,Handel,Transport,Elektro,Optics,Ceramics,Outdoor,Imports,Exports}'::text[] AS sec,
         '{GmbH,AG,Ltd,Limited,Inc.,Corp.,LLC,S.A.,SAS,S.r.l.,B.V.,N.V.,Oy,AB,plc,"GmbH & Co. KG"}'::text[] AS form
)
SELECT c AS cno, 'C' || c AS customer_id,
       CASE c % 4
         WHEN 0 THEN sur[1 + (hashint4(c) & 1023) % 60] || ' ' || adj[1 + (hashint4(c + 1) & 1023) % 40]
         WHEN 1 THEN sur[1 + (hashint4(c) & 1023) % 60] || ' & ' || sur[1 + (hashint4(c + 2) & 1023) % 60]
         WHEN 2 THEN adj[1 + (hashint4(c + 1) & 1023) % 40] || ' ' || sur[1 + (hashint4(c) & 1023) % 60]
         ELSE sur[1 + (hashint4(c) & 1023) % 60] || ' ' || sur[1 + (hashint4(c + 2) & 1023) % 60]
       END || ' ' || sec[1 + (hashint4(c + 3) & 1023) % 50] || ' ' || form[1 + (hashint4(c + 4) & 1023) % 16]
         AS customer_name,
       CASE WHEN c % 2 = 0 THEN 'DE' || lpad((c * 7919)::text, 20, '0') END AS customer_iban
FROM w, generate_series(1, :nc) AS c;

-- Open invoices; 15% with early-payment discount terms (2% within 10 days).
CREATE TABLE b_inv AS
SELECT *, invoice_date + 30 AS due_date,
       CASE WHEN discount_percent IS NOT NULL THEN invoice_date + 10 END AS discount_until
FROM (SELECT i AS ino, 'I' || i AS invoice_id, c.customer_id, c.customer_name, c.customer_iban, c.cno,
             DATE '2024-07-01' + (hashint4(i + 11) & 1023) % 180 AS invoice_date,
             round((50 + (hashint4(i + 13) & 2097151) / 100.0)::numeric, 2) AS open_amount,
             'EUR'::text AS currency,
             'INV-' || lpad(i::text, 7, '0') AS reference,
             CASE WHEN hashint4(i + 17) & 255 < 38 THEN 2::numeric END AS discount_percent
      FROM generate_series(1, :ni) AS i
      JOIN b_cust AS c ON c.cno = 1 + (hashint4(i + 5) & 2147483647) % :nc) AS t;
CREATE INDEX ON b_inv (cno);
VACUUM ANALYZE b_inv;

-- Payment kinds, with the share of each.
CREATE TABLE b_pkind AS
SELECT j, kind, row_number() OVER (PARTITION BY kind ORDER BY j) AS k
FROM (SELECT j, CASE WHEN b < 50 THEN 'exact' WHEN b < 62 THEN 'combo' WHEN b < 71 THEN 'discount'
                     WHEN b < 81 THEN 'fee' WHEN b < 89 THEN 'over' WHEN b < 92 THEN 'none'
                     ELSE 'nameonly' END AS kind
      FROM (SELECT j, (hashint4(j + 101) & 1023) % 100 AS b FROM generate_series(1, :np) AS j) AS s) AS t;

-- Invoices paid singly come from customers outside the combination pool.
CREATE TABLE b_elig AS
SELECT ino, discount_percent IS NOT NULL AS disc,
       row_number() OVER (PARTITION BY discount_percent IS NOT NULL ORDER BY hashint4(ino + 23), ino) AS r
FROM b_inv WHERE cno % 20 <> 0;
CREATE INDEX ON b_elig (disc, r);

CREATE TABLE b_truth (payment_id text, invoice_id text, amount numeric);
CREATE TABLE b_pay (payment_id text, received_on date, amount numeric, currency text,
                    payer_name text, payer_iban text, reference text);

-- Single-invoice payments: exact, discount, bank fee, overpayment, name only.
CREATE TEMP TABLE b_single AS
SELECT p.j, p.kind, i.*,
       CASE p.kind WHEN 'exact' THEN i.open_amount WHEN 'nameonly' THEN i.open_amount
                   WHEN 'discount' THEN i.open_amount - round(i.open_amount * 0.02, 2)
                   WHEN 'fee' THEN i.open_amount - (5 + (hashint4(p.j + 7) & 1023) % 11)
                   ELSE i.open_amount + (10 + (hashint4(p.j + 7) & 1023) % 91) END AS paid
FROM b_pkind AS p
JOIN b_elig AS e ON e.disc = (p.kind = 'discount')
 AND e.r = p.k + CASE p.kind WHEN 'exact' THEN 0 WHEN 'fee' THEN 1 WHEN 'over' THEN 2 WHEN 'nameonly' THEN 3 ELSE 0 END * :np
JOIN b_inv AS i ON i.ino = e.ino
WHERE p.kind IN ('exact', 'discount', 'fee', 'over', 'nameonly');

INSERT INTO b_truth SELECT 'P' || j, invoice_id, least(paid, open_amount) FROM b_single;
INSERT INTO b_truth SELECT 'P' || j, NULL, paid - open_amount FROM b_single WHERE paid > open_amount;

-- Combined payments: 2-6 invoices of one customer from the combination pool.
CREATE TEMP TABLE b_combo AS
SELECT p.j, i.*
FROM b_pkind AS p
JOIN (SELECT cno, row_number() OVER (ORDER BY hashint4(cno + 31), cno) AS r FROM b_cust WHERE cno % 20 = 0) AS c
  ON c.r = p.k
CROSS JOIN LATERAL (SELECT * FROM b_inv AS i WHERE i.cno = c.cno
                    ORDER BY hashint4(i.ino + 37), i.ino LIMIT 2 + p.j % 5) AS i
WHERE p.kind = 'combo';
INSERT INTO b_truth SELECT 'P' || j, invoice_id, open_amount FROM b_combo;

-- What the bank delivers: reference formats, typos (adjacent digits
-- transposed), payer names upper-cased, legal forms dropped, abbreviated,
-- typed wrong and cut at 35 characters; IBANs for some.
CREATE TEMP TABLE b_noise AS
SELECT s.j, s.kind, s.invoice_id, s.received_on, s.paid, s.customer_name, s.customer_iban, s.num,
       CASE WHEN s.kind = 'nameonly' OR (s.kind = 'exact' AND s.j % 5 = 4) THEN NULL
            ELSE CASE s.j % 4
                   WHEN 0 THEN 'INV-' || lpad(s.num, 7, '0')
                   WHEN 1 THEN 'Invoice ' || s.num
                   WHEN 2 THEN 'inv' || s.num || ' thank you'
                   ELSE 'RE ' || lpad(s.num, 7, '0') || ' / payment' END
       END AS reference
FROM (SELECT j, kind, invoice_id, paid, customer_name, customer_iban,
             CASE WHEN kind = 'discount' THEN invoice_date + 5 ELSE DATE '2025-01-15' END AS received_on,
             CASE WHEN (hashint4(j + 41) & 1023) % 20 = 0 AND length(ino::text) >= 4
                  THEN overlay(ino::text PLACING substr(ino::text, 3, 1) || substr(ino::text, 2, 1) FROM 2 FOR 2)
                  ELSE ino::text END AS num
      FROM b_single) AS s;

INSERT INTO b_pay
SELECT 'P' || n.j, n.received_on, n.paid, 'EUR',
       left(CASE WHEN h % 7 = 3 THEN overlay(nm PLACING substr(nm, 5, 1) || substr(nm, 4, 1) FROM 4 FOR 2) ELSE nm END, 35),
       CASE WHEN h % 3 = 0 THEN n.customer_iban END,
       n.reference
FROM (SELECT n.*, hashint4(n.j + 43) & 1023 AS h,
             CASE (hashint4(n.j + 47) & 1023) % 4
               WHEN 0 THEN upper(n.customer_name)
               WHEN 1 THEN regexp_replace(n.customer_name, ' (GmbH & Co\. KG|GmbH|AG|Ltd|Limited|Inc\.|Corp\.|LLC|S\.A\.|SAS|S\.r\.l\.|B\.V\.|N\.V\.|Oy|AB|plc)$', '')
               WHEN 2 THEN replace(replace(replace(replace(upper(n.customer_name), 'LOGISTICS', 'LOG.'), 'ENGINEERING', 'ENG'), 'MANUFACTURING', 'MFG'), 'TECHNOLOGIES', 'TECH')
               ELSE n.customer_name END AS nm
      FROM b_noise AS n) AS n;

INSERT INTO b_pay
SELECT 'P' || c.j, DATE '2025-01-15', sum(c.open_amount), 'EUR',
       left(upper(min(c.customer_name)), 35),
       CASE WHEN c.j % 3 = 0 THEN min(c.customer_iban) END,
       CASE WHEN c.j % 2 = 0 THEN 'Invoices ' || string_agg(c.ino::text, ', ' ORDER BY c.ino) END
FROM b_combo AS c GROUP BY c.j;

-- Payments that belong to no invoice.
INSERT INTO b_pay
SELECT 'P' || p.j, DATE '2025-01-15', round((20 + (hashint4(p.j + 53) & 65535) / 10.0)::numeric, 2), 'EUR',
       'PRIVATE PERSON ' || p.j, NULL, CASE WHEN p.j % 2 = 0 THEN 'refund ' || p.j END
FROM b_pkind AS p WHERE p.kind = 'none';
INSERT INTO b_truth SELECT payment_id, NULL, amount FROM b_pay WHERE payer_name LIKE 'PRIVATE PERSON %';

-- What the hand-written baseline needs: expression indexes it would create.
CREATE INDEX ON b_inv (ltrim(regexp_replace(reference, '\D', '', 'g'), '0'));
CREATE INDEX ON b_inv (customer_id, open_amount);
CREATE TABLE b_bcust AS SELECT DISTINCT customer_id, lower(customer_name) AS lname, customer_iban FROM b_inv;
CREATE INDEX ON b_bcust USING gin (lname gin_trgm_ops);
CREATE INDEX ON b_bcust (customer_iban);
ANALYZE;
SQL

echo "  payments by kind: $(bench_psql -At -c "SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, count(*) AS n FROM b_pkind GROUP BY 1) t")"

O2C_SQL="SELECT * FROM o2c.match_payments('SELECT * FROM b_pay ORDER BY payment_id', 'SELECT * FROM b_inv', '{\"tolerance\": 15}')"

# The baseline a careful analyst would write: references by digits (index),
# then the customer by IBAN or trigram name similarity, the invoice by exact
# amount; a typo'd reference by levenshtein <= 1 among that customer's
# invoices. Automatic only for an exact amount.
BASE_SQL=$(cat <<'SQL'
SELECT p.payment_id, x.invoice_id, x.applied_amount, x.auto
FROM b_pay AS p
CROSS JOIN LATERAL (
  SELECT r.invoice_id, least(p.amount, r.open_amount) AS applied_amount, (r.open_amount = p.amount) AS auto
  FROM (SELECT i.invoice_id, i.open_amount
        FROM regexp_matches(coalesce(p.reference, ''), '(\d{3,})', 'g') AS m
        JOIN b_inv AS i ON ltrim(regexp_replace(i.reference, '\D', '', 'g'), '0') = ltrim(m[1], '0')
        ORDER BY i.open_amount = p.amount DESC LIMIT 1) AS r
  UNION ALL
  SELECT y.invoice_id, y.open_amount, y.auto
  FROM (SELECT c.customer_id, c.sim
        FROM (SELECT customer_id, 1.0::real AS sim FROM b_bcust WHERE customer_iban = p.payer_iban
              UNION ALL
              (SELECT customer_id, similarity(lname, lower(p.payer_name)) FROM b_bcust
               WHERE lname % lower(p.payer_name)
               ORDER BY lname <-> lower(p.payer_name) LIMIT 1)) AS c
        ORDER BY c.sim DESC LIMIT 1) AS cu
  CROSS JOIN LATERAL (
    SELECT i.invoice_id, i.open_amount,
           cu.sim >= 0.6 AND count(*) OVER () = 1 AS auto
    FROM b_inv AS i
    WHERE i.customer_id = cu.customer_id
      AND (i.open_amount = p.amount
           OR levenshtein(ltrim(regexp_replace(i.reference, '\D', '', 'g'), '0'),
                          ltrim(substring(coalesce(p.reference, '') FROM '(\d{3,})'), '0')) <= 1)
    ORDER BY i.invoice_date LIMIT 1) AS y
  WHERE NOT EXISTS (SELECT 1 FROM regexp_matches(coalesce(p.reference, ''), '(\d{3,})', 'g') AS m
                    JOIN b_inv AS i ON ltrim(regexp_replace(i.reference, '\D', '', 'g'), '0') = ltrim(m[1], '0'))
) AS x
SQL
)

# Runs "CREATE TABLE name AS sql" RUNS times; prints the median in ms.
timed_create() {
    local name=$1 sql=$2 i
    for ((i = 0; i < RUNS; i++)); do
        { printf 'SET max_parallel_workers_per_gather = 0;\nDROP TABLE IF EXISTS %s;\n\\timing on\n' "$name"
          printf 'CREATE TABLE %s AS %s;\n' "$name" "$sql"; } |
            bench_psql -f - | awk '/^Time: / { t = $2 } END { print t }'
    done | sort -n | awk '{ t[NR] = $1 } END { if (NR % 2) printf "%.1f\n", t[(NR + 1) / 2];
                                               else printf "%.1f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

bench_psql -q -c "SET pg_trgm.similarity_threshold = 0.5" >/dev/null
t_o2c=$(timed_create b_res "$O2C_SQL")
t_base=$(PGOPTIONS="-c pg_trgm.similarity_threshold=0.5" timed_create b_base "$BASE_SQL")

# Figures: precision of automatic applications, auto-match rate (payments
# whose every application is automatic and exactly the truth), invoice-level
# hit rate (true applications found, automatic or not).
figures() {
    bench_psql -At -F ' ' <<SQL
WITH r AS (SELECT payment_id, invoice_id, applied_amount, auto FROM $1),
t AS (SELECT * FROM b_truth),
prec AS (SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM t WHERE t.payment_id = r.payment_id
                                              AND t.invoice_id = r.invoice_id AND t.amount = r.applied_amount)) AS good,
                count(*) AS n
         FROM r WHERE r.auto AND r.invoice_id IS NOT NULL),
pay AS (SELECT p.payment_id,
               (SELECT coalesce(bool_and(auto), false) FROM r WHERE r.payment_id = p.payment_id AND r.invoice_id IS NOT NULL) AS all_auto,
               (SELECT array_agg(coalesce(invoice_id, '-') || ':' || applied_amount ORDER BY coalesce(invoice_id, '-'), applied_amount) FROM r
                 WHERE r.payment_id = p.payment_id AND (r.invoice_id IS NOT NULL OR r.applied_amount > 0)) AS got,
               (SELECT array_agg(coalesce(invoice_id, '-') || ':' || amount ORDER BY coalesce(invoice_id, '-'), amount) FROM t
                 WHERE t.payment_id = p.payment_id) AS want
        FROM b_pay AS p),
hit AS (SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM r WHERE r.payment_id = t.payment_id
                                             AND r.invoice_id = t.invoice_id AND r.applied_amount = t.amount)) AS good,
               count(*) AS n
        FROM t WHERE t.invoice_id IS NOT NULL)
SELECT round(100.0 * prec.good / greatest(prec.n, 1), 2),
       round(100.0 * (SELECT count(*) FROM pay WHERE all_auto AND got = want) / (SELECT count(*) FROM b_pay), 2),
       round(100.0 * hit.good / greatest(hit.n, 1), 2)
FROM prec, hit
SQL
}

read -r o_prec o_rate o_hit <<<"$(figures b_res)"
read -r b_prec b_rate b_hit <<<"$(figures b_base)"
o_per=$(awk -v t="$t_o2c" -v n="$NP" 'BEGIN { printf "%.1f", t / n * 1000 }')
b_per=$(awk -v t="$t_base" -v n="$NP" 'BEGIN { printf "%.1f", t / n * 1000 }')

printf '  %-34s %12s %12s\n' "" "o2c" "SQL baseline"
printf '  %-34s %11s%% %11s%%\n' "auto-match precision" "$o_prec" "$b_prec"
printf '  %-34s %11s%% %11s%%\n' "auto-match rate" "$o_rate" "$b_rate"
printf '  %-34s %11s%% %11s%%\n' "invoice-level hit rate" "$o_hit" "$b_hit"
printf '  %-34s %12s %12s\n' "whole run (ms)" "$t_o2c" "$t_base"
printf '  %-34s %12s %12s\n' "ms per 1,000 payments" "$o_per" "$b_per"
echo "  o2c by rule: $(bench_psql -At -c "SELECT string_agg(rule || ' ' || n || ' (' || a || ' auto)', ', ' ORDER BY rule) FROM (SELECT rule, count(*) AS n, count(*) FILTER (WHERE auto) AS a FROM b_res GROUP BY 1) t")"

# Targets are checked as ratios <= limit.
bench_check "auto precision >= 99.5% (shortfall/0.5)" "$(awk -v p="$o_prec" 'BEGIN { printf "%.2f", (100 - p) / 0.5 }')" 1.00
bench_check "auto-match rate >= 90% (90/rate)" "$(bench_ratio 90 "$o_rate")" 1.00
bench_check "10,000 payments under 30 s (scaled run / 30 s)" "$(awk -v t="$o_per" 'BEGIN { printf "%.2f", t * 10 / 30000 }')" 1.00
bench_check "auto precision vs baseline (base/o2c)" "$(bench_ratio "$b_prec" "$o_prec")" 1.00
bench_check "auto-match rate vs baseline (base/o2c)" "$(bench_ratio "$b_rate" "$o_rate")" 1.00
bench_check "invoice hit rate vs baseline (base/o2c)" "$(bench_ratio "$b_hit" "$o_hit")" 1.00
bench_check "time per 1,000 payments vs baseline (o2c/base)" "$(bench_ratio "$o_per" "$b_per")" 1.00

# String metrics per call against fuzzystrmatch's levenshtein on the same pairs.
bench_psql -q <<'SQL'
DROP TABLE IF EXISTS b_pairs;
CREATE TABLE b_pairs AS
SELECT left(upper(c.customer_name), 35) AS a, c2.customer_name AS b
FROM b_cust AS c JOIN b_cust AS c2 ON c2.cno = 1 + (c.cno * 13) % (SELECT count(*) FROM b_cust)
LIMIT 100000;
ANALYZE b_pairs;
SQL
t_lev=$(bench_median "SELECT sum(levenshtein(a, b)) FROM b_pairs" "SET max_parallel_workers_per_gather = 0;")
t_jw=$(bench_median "SELECT sum(o2c.jaro_winkler(a, b)) FROM b_pairs" "SET max_parallel_workers_per_gather = 0;")
t_dl=$(bench_median "SELECT sum(o2c.damerau_levenshtein(a, b)) FROM b_pairs" "SET max_parallel_workers_per_gather = 0;")
echo "  string metrics on $(bench_psql -At -c 'SELECT count(*) FROM b_pairs') pairs: levenshtein $t_lev ms, jaro_winkler $t_jw ms, damerau_levenshtein $t_dl ms"
bench_check "jaro_winkler vs levenshtein (ratio)" "$(bench_ratio "$t_jw" "$t_lev")" 1.00
bench_check "damerau_levenshtein vs levenshtein (ratio)" "$(bench_ratio "$t_dl" "$t_lev")" 1.00

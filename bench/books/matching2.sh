# A second cash-application book (sourced by bench/matching.sh), generated
# independently of the first and different in structure: South and
# South-East Asian company names (Pvt. Ltd., Sdn Bhd, Pte Ltd, PT ... Tbk)
# in four currencies, several small invoices per customer, references like
# FA24-000123 written as payers write them (spaced prefixes, bank transfer
# numbers in front, the prefix left out), bank fees of 0.50 to 25.00 (most
# of them small) deducted under a flat tolerance of 25, invoices paid in two instalments,
# and payer names with "M/S" in front or the legal form dropped.
#
# Sizes follow the first book: O2C_MATCH_CUSTOMERS / 4 customers with 2 to
# 13 invoices each, O2C_MATCH_PAYMENTS payments. Tables b2_*.

NC2=$(( NC / 4 > 200 ? NC / 4 : 200 ))

bench_psql -v nc="$NC2" -v np="$NP" <<'SQL'
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
DROP TABLE IF EXISTS b2_cust, b2_inv, b2_pkind, b2_elig, b2_pay, b2_truth, b2_res;

CREATE TABLE b2_cust AS
WITH w AS (
  SELECT '{Sharma,Gupta,Patel,Iyer,Reddy,Nair,Mehta,Kapoor,Joshi,Rao,Singh,Kumar,Das,Bose,Chatterjee,Agarwal,Pillai,Menon,Desai,Shah}'::text[] AS ind,
         '{Tan,Lim,Lee,Ng,Wong,Chan,Goh,Ong,Teo,Koh,Chong,Yap,Ho,Low,Chua,Sim}'::text[] AS chn,
         '{Maju,Jaya,Sentosa,Abadi,Makmur,Sejahtera,Mandiri,Sukses,Karya,Indah,Utama,Bersama,Perkasa,Mulia}'::text[] AS idn,
         '{Mumbai,Delhi,Chennai,Pune,Kochi,Penang,Johor,Klang,Jurong,Bedok,Surabaya,Bandung,Medan,Eastern,Western,Coastal,Royal,Golden,Pacific,Lotus}'::text[] AS place,
         '{Textiles,Pharma,Steel,Polymers,Agro,Exports,Traders,Engineering,Electricals,Foods,Logistics,Chemicals,Infotech,Garments,Spices,Rubber,Timber,Cables,Motors,Packaging,Auto,Paper,Tiles,Marine}'::text[] AS sec
)
SELECT k AS cno, 'K' || k AS customer_id,
       CASE k % 5
         WHEN 0 THEN ind[1 + (hashint4(k + 900) & 1023) % 20] || ' ' || place[1 + (hashint4(k + 901) & 1023) % 20] || ' ' || sec[1 + (hashint4(k + 902) & 1023) % 24] || ' Pvt. Ltd.'
         WHEN 1 THEN chn[1 + (hashint4(k + 900) & 1023) % 16] || ' ' || place[1 + (hashint4(k + 901) & 1023) % 20] || ' ' || sec[1 + (hashint4(k + 902) & 1023) % 24] || ' Sdn. Bhd.'
         WHEN 2 THEN 'PT ' || idn[1 + (hashint4(k + 900) & 1023) % 14] || ' ' || idn[1 + (hashint4(k + 903) & 1023) % 14] || ' ' || sec[1 + (hashint4(k + 902) & 1023) % 24] || ' Tbk'
         WHEN 3 THEN chn[1 + (hashint4(k + 900) & 1023) % 16] || ' & ' || chn[1 + (hashint4(k + 903) & 1023) % 16] || ' ' || sec[1 + (hashint4(k + 902) & 1023) % 24] || ' Pte Ltd'
         ELSE ind[1 + (hashint4(k + 900) & 1023) % 20] || ' & Sons ' || place[1 + (hashint4(k + 901) & 1023) % 20] || ' ' || sec[1 + (hashint4(k + 902) & 1023) % 24] || ' Private Limited'
       END AS customer_name,
       (ARRAY['INR', 'SGD', 'MYR', 'USD'])[1 + (hashint4(k + 904) & 1023) % 4] AS currency,
       2 + (hashint4(k + 905) & 1023) % 12 AS ninv
FROM w, generate_series(1, :nc) AS k;

-- Several invoices per customer, most of them small.
CREATE TABLE b2_inv AS
SELECT row_number() OVER (ORDER BY c.cno, s) AS ino, c.cno, c.customer_id, c.customer_name, c.currency,
       DATE '2025-03-01' + (hashint4(c.cno * 16 + s) & 1023) % 90 AS invoice_date,
       CASE WHEN (hashint4(c.cno * 16 + s + 7) & 1023) % 10 < 7
            THEN round((15 + (hashint4(c.cno * 16 + s + 11) & 65535) / 230.0)::numeric, 2)
            ELSE round((300 + (hashint4(c.cno * 16 + s + 11) & 2097151) / 105.0)::numeric, 2) END AS open_amount
FROM b2_cust AS c, generate_series(1, 13) AS s
WHERE s <= c.ninv;
ALTER TABLE b2_inv ADD COLUMN invoice_id text, ADD COLUMN reference text;
UPDATE b2_inv SET invoice_id = 'B' || ino, reference = 'FA25-' || lpad(ino::text, 6, '0');
CREATE INDEX ON b2_inv (cno);
VACUUM ANALYZE b2_inv;

CREATE TABLE b2_pkind AS
SELECT j, kind, row_number() OVER (PARTITION BY kind ORDER BY j) AS k
FROM (SELECT j, CASE WHEN b < 36 THEN 'exact' WHEN b < 50 THEN 'fee' WHEN b < 62 THEN 'instalment'
                     WHEN b < 74 THEN 'combo' WHEN b < 86 THEN 'nameonly' WHEN b < 92 THEN 'typo'
                     ELSE 'none' END AS kind
      FROM (SELECT j, (hashint4(j + 907) & 1023) % 100 AS b FROM generate_series(1, :np) AS j) AS s) AS t;

-- Single invoices from customers outside the combination pool (cno % 10 <> 0);
-- fees only on invoices of 60 or more, from a disjoint half of the invoices.
CREATE TABLE b2_elig AS
SELECT ino, grp, row_number() OVER (PARTITION BY grp ORDER BY hashint4(ino::int + 909), ino) AS r
FROM (SELECT ino, CASE WHEN hashint4(ino::int + 908) & 1 = 0 THEN CASE WHEN open_amount >= 60 THEN 'fee' END
                       ELSE 'other' END AS grp
      FROM b2_inv WHERE cno % 10 <> 0) AS t
WHERE grp IS NOT NULL;
CREATE INDEX ON b2_elig (grp, r);

CREATE TABLE b2_truth (payment_id text, invoice_id text, amount numeric);
CREATE TABLE b2_pay (payment_id text, received_on date, amount numeric, currency text,
                     customer_id text, payer_name text, reference text);

CREATE TEMP TABLE b2_single AS
SELECT p.j, p.kind, i.*,
       CASE p.kind WHEN 'fee' THEN i.open_amount - round((0.5 + 24.5 * power(((hashint4(p.j + 911) & 1023) % 1000) / 1000.0, 2))::numeric, 2)
                   ELSE i.open_amount END AS paid,
       round(i.open_amount * (0.3 + (hashint4(p.j + 912) & 1023) % 41 / 100.0), 2) AS first_part
FROM b2_pkind AS p
JOIN b2_elig AS e ON e.grp = CASE WHEN p.kind = 'fee' THEN 'fee' ELSE 'other' END
 AND e.r = p.k + CASE p.kind WHEN 'exact' THEN 0 WHEN 'instalment' THEN 1 WHEN 'nameonly' THEN 2 WHEN 'typo' THEN 3 ELSE 0 END * :np
JOIN b2_inv AS i ON i.ino = e.ino
WHERE p.kind IN ('exact', 'fee', 'instalment', 'nameonly', 'typo');

-- One row per payment: instalments are two payments (a, b) of one invoice.
CREATE TEMP TABLE b2_one AS
SELECT 'Q' || lpad(j::text, 7, '0') || 's' AS payment_id, j, kind, ino, invoice_id, cno, customer_id, customer_name,
       currency, reference, paid AS amount, paid AS truth_amount
FROM b2_single WHERE kind <> 'instalment'
UNION ALL
SELECT 'Q' || lpad(j::text, 7, '0') || x.part, j, kind, ino, invoice_id, cno, customer_id, customer_name,
       currency, reference, x.amt, x.amt
FROM b2_single, LATERAL (VALUES ('a', first_part), ('b', open_amount - first_part)) AS x(part, amt)
WHERE kind = 'instalment';
INSERT INTO b2_truth SELECT payment_id, invoice_id, truth_amount FROM b2_one;

-- References as payers write FA25-000123, and payer names as banks pass them on.
INSERT INTO b2_pay
SELECT o.payment_id, DATE '2025-06-30', o.amount, o.currency,
       CASE WHEN h % 4 = 0 THEN o.customer_id END,
       left(CASE (h / 4) % 4
              WHEN 0 THEN upper(o.customer_name)
              WHEN 1 THEN 'M/S ' || upper(o.customer_name)
              WHEN 2 THEN regexp_replace(o.customer_name, ' (Pvt\. Ltd\.|Sdn\. Bhd\.|Tbk|Pte Ltd|Private Limited)$', '')
              ELSE upper(replace(o.customer_name, ' & ', ' AND ')) END, 35),
       CASE WHEN o.kind = 'nameonly' OR (o.kind = 'instalment' AND h % 3 = 0) THEN NULL
            ELSE CASE (h / 16) % 5
                   WHEN 0 THEN r
                   WHEN 1 THEN 'fa 25-' || ltrim(substr(r, 6), '0') || ' part payment'
                   WHEN 2 THEN 'NEFT ' || (100000000 + (hashint4(o.j + 913) & 268435455)) || ' ' || r
                   WHEN 3 THEN 'Bill FA25/' || substr(r, 6)
                   ELSE '25-' || substr(r, 6) END
       END
FROM (SELECT o.*, hashint4(o.j + 914) & 1023 AS h,
             CASE WHEN o.kind = 'typo'
                  THEN 'FA25-' || overlay(substr(o.reference, 6) PLACING ((substr(o.reference, 11, 1)::int + 1) % 10)::text FROM 6 FOR 1)
                  ELSE o.reference END AS r
      FROM b2_one AS o) AS o;

-- Several small invoices of one customer paid together.
CREATE TEMP TABLE b2_combo AS
SELECT p.j, i.*
FROM b2_pkind AS p
JOIN (SELECT cno, row_number() OVER (ORDER BY hashint4(cno::int + 915), cno) AS r FROM b2_cust WHERE cno % 10 = 0) AS c
  ON c.r = p.k
CROSS JOIN LATERAL (SELECT * FROM b2_inv AS i WHERE i.cno = c.cno
                    ORDER BY i.open_amount, i.ino LIMIT 2 + p.j % 3) AS i
WHERE p.kind = 'combo';
DELETE FROM b2_combo WHERE j IN (SELECT j FROM b2_combo GROUP BY j HAVING count(*) < 2);
INSERT INTO b2_truth SELECT 'Q' || lpad(j::text, 7, '0') || 's', invoice_id, open_amount FROM b2_combo;
INSERT INTO b2_pay
SELECT 'Q' || lpad(j::text, 7, '0') || 's', DATE '2025-06-30', sum(open_amount), min(currency),
       CASE WHEN j % 4 = 1 THEN min(customer_id) END, left('M/S ' || upper(min(customer_name)), 35),
       CASE WHEN j % 2 = 0 THEN 'Bills ' || string_agg(reference, ', ' ORDER BY ino) END
FROM b2_combo GROUP BY j;

-- Money that is not for any invoice of the book.
INSERT INTO b2_pay
SELECT 'Q' || lpad(p.j::text, 7, '0') || 's', DATE '2025-06-30',
       round((10 + (hashint4(p.j + 916) & 65535) / 50.0)::numeric, 2),
       (ARRAY['INR', 'SGD', 'MYR', 'USD'])[1 + p.j % 4], NULL, 'CASH DEPOSIT BRANCH ' || (p.j % 97),
       CASE WHEN p.j % 2 = 0 THEN 'IMPS ' || (500000000 + p.j) END
FROM b2_pkind AS p WHERE p.kind = 'none';
INSERT INTO b2_truth SELECT payment_id, NULL, amount FROM b2_pay WHERE payer_name LIKE 'CASH DEPOSIT %';
ANALYZE;
SQL

echo "  book 2: $(bench_psql -At -c "SELECT count(*) FROM b2_cust") customers, $(bench_psql -At -c "SELECT count(*) FROM b2_inv") open invoices, $(bench_psql -At -c "SELECT count(*) FROM b2_pay") payments; by kind: $(bench_psql -At -c "SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind) FROM (SELECT kind, count(*) AS n FROM b2_pkind GROUP BY 1) t")"

O2C2_SQL="SELECT * FROM o2c.match_payments('SELECT * FROM b2_pay ORDER BY payment_id', 'SELECT * FROM b2_inv', '{\"tolerance\": 25}')"
t_o2c2=$(timed_create b2_res "$O2C2_SQL")

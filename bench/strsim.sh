#!/usr/bin/env bash
# String metrics per call: o2c.damerau_levenshtein and o2c.jaro_winkler
# against fuzzystrmatch's levenshtein on the same pairs, in the same run,
# with the floor (a trivial call per pair) so the per-call overhead shows.
#
# The pairs are what cash application compares: company names (5-40
# characters, some with accented or non-Latin letters) against a noisy
# variant (upper case, a typo, transposed letters, cut at 35 characters),
# against their normalized form or against another name, and invoice
# references against the ways payers write them; then unrelated names, one
# in upper case, where the whole table must be computed.
#
# Sizes: O2C_STRSIM_PAIRS (100000); O2C_BENCH_RUNS timed runs (default 5).
set -euo pipefail
. "$O2C_ROOT/bench/lib.sh"

NP=${O2C_STRSIM_PAIRS:-100000}

bench_psql -v np="$NP" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS o2c;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
DROP TABLE IF EXISTS b_sspairs;
CREATE TABLE b_sspairs AS
WITH w AS (
  SELECT '{Hartmann,Weber,Schneider,Fischer,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Richter,Klein,Wolf,Neumann,Schwarz,Zimmermann,Braun,Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Jackson,Thompson,White,Harris,Clark,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Green,Baker,Adams,Nelson,Dubois,Lefebvre,Moreau,Laurent,Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Müller,Schröder,Krüger,Jäger,Søndergaard,Łukasiewicz,Čapek,Ferrández,Öztürk,Žukauskas,Ñúñez,Иванов,Παπαδόπουλος}'::text[] AS sur,
         '{Northern,Atlantic,Pacific,Alpine,Central,United,Global,Premier,Royal,Golden,Silver,"Blue River","Red Oak",Summit,Pioneer,Liberty,Heritage,Crescent,Horizon,Apex,Evergreen,Lakeside,Metro,Coastal,Highland,Riverside,Sterling,Eagle,Phoenix,Vanguard}'::text[] AS adj,
         '{Logistics,Foods,Engineering,Consulting,Manufacturing,Industries,Trading,Services,Technologies,Systems,Solutions,Pharma,Textiles,Electronics,Construction,Holdings,Partners,Motors,Plastics,Chemicals,Software,Energy,Packaging,Metals,Logistik,Maschinenbau,Handel,Transport,Elektro,Optics}'::text[] AS sec,
         '{GmbH,AG,Ltd,Limited,Inc.,Corp.,LLC,S.A.,SAS,S.r.l.,B.V.,N.V.,Oy,AB,plc,"GmbH & Co. KG"}'::text[] AS form
),
g AS (
  SELECT n,
         CASE n % 3
           WHEN 0 THEN sur[1 + (hashint4(n) & 1023) % 70] || ' ' || sec[1 + (hashint4(n + 1) & 1023) % 30]
           WHEN 1 THEN adj[1 + (hashint4(n) & 1023) % 30] || ' ' || sec[1 + (hashint4(n + 1) & 1023) % 30]
                       || ' ' || form[1 + (hashint4(n + 2) & 1023) % 16]
           ELSE sur[1 + (hashint4(n) & 1023) % 70] || ' & ' || sur[1 + (hashint4(n + 3) & 1023) % 70]
                || ' ' || form[1 + (hashint4(n + 2) & 1023) % 16]
         END AS name,
         CASE n % 3
           WHEN 0 THEN adj[1 + (hashint4(-n) & 1023) % 30] || ' ' || sur[1 + (hashint4(n + 5) & 1023) % 70]
                       || ' ' || form[1 + (hashint4(n + 6) & 1023) % 16]
           ELSE sur[1 + (hashint4(-n) & 1023) % 70] || ' ' || sec[1 + (hashint4(n + 7) & 1023) % 30]
         END AS other,
         (hashint4(n + 9) & 65535) AS r,
         100000 + (hashint4(n + 11) & 262143) AS inv
  FROM generate_series(1, :np) AS n, w
)
SELECT n,
       CASE WHEN n % 10 < 6 THEN name ELSE 'INV-' || lpad(inv::text, 7, '0') END AS a,
       CASE n % 10
         WHEN 0 THEN left(upper(name), 35)
         WHEN 1 THEN overlay(name PLACING chr(97 + r % 26) FROM 1 + r % length(name) FOR 1)
         WHEN 2 THEN overlay(name PLACING substr(name, 2 + r % (length(name) - 1), 1)
                                       || substr(name, 1 + r % (length(name) - 1), 1)
                             FROM 1 + r % (length(name) - 1) FOR 2)
         WHEN 3 THEN o2c.normalize_name(name)
         WHEN 4 THEN other
         WHEN 5 THEN left(other || ' ' || name, 40)
         WHEN 6 THEN 'inv ' || inv
         WHEN 7 THEN 'INV-' || lpad(overlay(inv::text PLACING substr(inv::text, 3, 1) || substr(inv::text, 2, 1)
                                           FROM 2 FOR 2), 7, '0')
         WHEN 8 THEN 'Rechnung 2024/' || inv || ' vom 12.03.'
         ELSE 'Payment invoice ' || inv || ' thank you'
       END AS b
FROM g;
ANALYZE b_sspairs;
SQL

# The hardest case too: unrelated names, one in upper case and cut at 35
# (what a bank sends), so no common prefix or suffix shortens the table.
bench_psql -q <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS b_ssunrel;
CREATE TABLE b_ssunrel AS
SELECT left(upper(p.a), 35) AS a, q.a AS b
FROM b_sspairs AS p
JOIN b_sspairs AS q ON q.n = 1 + (p.n * 13) % (SELECT count(*) FROM b_sspairs)
WHERE p.n % 10 < 6 AND q.n % 10 < 6;
ANALYZE b_ssunrel;
SQL

# interleaved_medians SETTINGS SQL...: the median time in ms of each SQL
# over O2C_BENCH_RUNS rounds (default 5), on one line.
interleaved_medians() {
    local settings=$1 runs=${O2C_BENCH_RUNS:-5} i q
    shift
    {
        printf '%s\n\\o /dev/null\n' "$settings"
        for q in "$@"; do printf '%s;\n' "$q"; done
        printf '\\timing on\n'
        for ((i = 0; i < runs; i++)); do
            for q in "$@"; do printf '%s;\n' "$q"; done
        done
    } | bench_psql -f - | awk -v n="$#" '/^Time: / { t[k % n, int(k / n)] = $2; k++ }
        END { r = k / n
              for (q = 0; q < n; q++) {
                  for (i = 0; i < r; i++) v[i] = t[q, i]
                  for (i = 1; i < r; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
                  m = (r % 2) ? v[(r - 1) / 2] : (v[r / 2 - 1] + v[r / 2]) / 2
                  printf "%s%.1f", (q ? " " : ""), m
              }
              printf "\n" }'
}

S="SET max_parallel_workers_per_gather = 0;"
for t in b_sspairs b_ssunrel; do
    if [ "$t" = b_sspairs ]; then label=realistic; else label=unrelated; fi
    bench_psql -At -F ' ' -c "SELECT count(*), round(avg(length(a)), 1), round(avg(length(b)), 1),
                                     count(*) FILTER (WHERE a || b ~ '[^\x01-\x7f]')
                              FROM $t" | {
        read -r n la lb na
        echo "string metrics, $label pairs: $n pairs, average lengths $la and $lb characters, $na with non-ASCII characters"
    }
    # one session, the four queries interleaved run after run (after one
    # warm-up round), so load from elsewhere falls on all of them alike
    read -r t_floor t_lev t_dl t_jw < <(interleaved_medians "$S" \
        "SELECT sum(length(a) + length(b)) FROM $t" \
        "SELECT sum(levenshtein(a, b)) FROM $t" \
        "SELECT sum(o2c.damerau_levenshtein(a, b)) FROM $t" \
        "SELECT sum(o2c.jaro_winkler(a, b)) FROM $t")
    echo "  floor sum(length(a) + length(b)) $t_floor ms, levenshtein $t_lev ms, damerau_levenshtein $t_dl ms, jaro_winkler $t_jw ms"
    echo "  above the floor: levenshtein $(awk -v a="$t_lev" -v f="$t_floor" 'BEGIN { printf "%.1f", a - f }') ms," \
         "damerau_levenshtein $(awk -v a="$t_dl" -v f="$t_floor" 'BEGIN { printf "%.1f", a - f }') ms," \
         "jaro_winkler $(awk -v a="$t_jw" -v f="$t_floor" 'BEGIN { printf "%.1f", a - f }') ms"
    bench_check "damerau_levenshtein vs levenshtein, $label (ratio)" "$(bench_ratio "$t_dl" "$t_lev")" 1.00
    bench_check "jaro_winkler vs levenshtein, $label (ratio)" "$(bench_ratio "$t_jw" "$t_lev")" 1.00
done
